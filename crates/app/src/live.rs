//! Live updates. A use case records a live event in its transaction; after commit the
//! pump of every instance (woken in-process, or by PostgreSQL NOTIFY from another
//! instance) reads new events from the database by id and broadcasts them to this
//! process's WebSockets and event streams. The database is the truth: a subscriber
//! that reconnects replays from the id it last saw.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use tokio::sync::{broadcast, watch};
use uuid::Uuid;

use sentinelops_domain::Role;
use sentinelops_store::Conn;
use sentinelops_store::repo::live::{self, LiveRow};

use crate::App;
use crate::actor::Actor;
use crate::error::AppResult;

/// Who may see a live event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    /// Checklist changes: the section's users and admins.
    Checklist,
    /// A notification and its recipients (`payload.recipients`).
    Notification,
}

impl Topic {
    fn as_str(self) -> &'static str {
        match self {
            Topic::Checklist => "checklist",
            Topic::Notification => "notification",
        }
    }
}

/// The kind of a notification event telling a user's clients that their read state
/// changed (`payload.notification_id`, or null after mark-all; `payload.origin`).
pub const NOTIFICATION_READ: &str = "notification_updated";

/// A committed change, as broadcast.
#[derive(Debug, Clone)]
pub struct LiveEvent {
    pub id: i64,
    pub topic: String,
    /// ITEM_UPDATED, SUBITEM_UPDATED, INSTANCE_CREATED, INSTANCE_JOINED, CHECKLIST_UPDATE,
    /// PARTICIPANT_PRESENCE_CHANGED, HANDOVER_CREATED, new_notification, notification_updated.
    pub kind: String,
    pub section_id: Option<Uuid>,
    pub instance_id: Option<Uuid>,
    pub payload: Value,
    pub created_at: DateTime<Utc>,
}

impl LiveEvent {
    fn from_row(row: LiveRow) -> LiveEvent {
        LiveEvent {
            kind: row.payload.get("kind").and_then(Value::as_str).unwrap_or("CHECKLIST_UPDATE").to_owned(),
            id: row.id,
            topic: row.topic,
            section_id: row.section_id,
            instance_id: row.instance_id,
            payload: row.payload,
            created_at: row.created_at,
        }
    }

    /// Section isolation: checklist events reach the section's users and the admins;
    /// notification events reach their recipients only.
    pub fn visible_to(&self, actor: &Actor) -> bool {
        match self.topic.as_str() {
            "checklist" => {
                actor.role == Role::Admin || (self.section_id.is_some() && self.section_id == actor.section_id)
            }
            "notification" => {
                let me = actor.user_id.to_string();
                self.payload
                    .get("recipients")
                    .and_then(Value::as_array)
                    .is_some_and(|r| r.iter().any(|u| u.as_str() == Some(me.as_str())))
            }
            _ => false,
        }
    }
}

/// Where a live event goes: its topic, and the section and checklist it concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveScope {
    pub topic: Topic,
    pub section_id: Option<Uuid>,
    pub instance_id: Option<Uuid>,
}

impl LiveScope {
    /// An event of `topic` about a section (or none), not about one checklist.
    pub fn section(topic: Topic, section_id: Option<Uuid>) -> LiveScope {
        LiveScope { topic, section_id, instance_id: None }
    }
}

/// Records a live event inside the caller's transaction.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn record(
    c: &impl Conn,
    now: DateTime<Utc>,
    scope: LiveScope,
    kind: &str,
    actor: Option<Uuid>,
    mut payload: Value,
) -> AppResult<()> {
    let LiveScope { topic, section_id, instance_id } = scope;
    if let Value::Object(map) = &mut payload {
        map.insert("kind".into(), json!(kind));
        map.insert("timestamp".into(), json!(now));
        if let Some(id) = instance_id {
            map.entry("instance_id").or_insert(json!(id));
        }
        if let Some(user) = actor {
            map.entry("user_id").or_insert(json!(user));
        }
    }
    live::insert(
        c,
        LiveRow {
            id: 0,
            topic: topic.as_str().to_owned(),
            section_id,
            instance_id,
            user_id: actor,
            payload,
            created_at: now,
        },
    )
    .await?;
    Ok(())
}

/// This process's broadcast of committed live events.
#[derive(Debug, Clone)]
pub struct LiveHub {
    sender: broadcast::Sender<Arc<LiveEvent>>,
    shutdown: watch::Sender<bool>,
}

impl Default for LiveHub {
    fn default() -> Self {
        let (sender, _) = broadcast::channel(4096);
        let (shutdown, _) = watch::channel(false);
        LiveHub { sender, shutdown }
    }
}

impl LiveHub {
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<LiveEvent>> {
        self.sender.subscribe()
    }

    /// Resolves when the process is shutting down (streams end, sockets close).
    pub fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }

    pub fn begin_shutdown(&self) {
        let _ = self.shutdown.send(true);
    }
}

/// The pump's position in `live_events`. Ids are assigned at insert, so on PostgreSQL a
/// transaction can commit an id lower than one already read: ids skipped over are kept
/// as holes and looked up again for a while (a rolled-back transaction leaves a hole
/// that never fills, hence the expiry).
struct Pump {
    cursor: i64,
    holes: std::collections::BTreeMap<i64, std::time::Instant>,
}

/// At most this many skipped ids are waited for at once.
const MAX_HOLES: i64 = 1000;

/// How long a skipped id is waited for.
const HOLE_PATIENCE: Duration = Duration::from_secs(30);

impl Pump {
    fn new(cursor: i64) -> Pump {
        Pump { cursor, holes: std::collections::BTreeMap::new() }
    }

    /// Reads and broadcasts what committed since the last look.
    async fn advance(&mut self, app: &App) {
        let now = std::time::Instant::now();
        self.holes.retain(|_, seen| now.duration_since(*seen) < HOLE_PATIENCE);
        if !self.holes.is_empty() {
            let ids: Vec<i64> = self.holes.keys().copied().collect();
            if let Ok(rows) = live::with_ids(app.store.reader(), ids).await {
                for row in rows {
                    self.holes.remove(&row.id);
                    let _ = app.live.sender.send(Arc::new(LiveEvent::from_row(row)));
                }
            }
        }
        loop {
            let Ok(rows) = live::after(app.store.reader(), self.cursor, 500).await else { return };
            let full = rows.len() == 500;
            for row in rows {
                // Concurrent transactions leave small gaps; a huge one is a rolled-back
                // bulk write, not worth waiting for.
                if row.id - self.cursor <= MAX_HOLES && self.holes.len() < MAX_HOLES as usize {
                    for missing in (self.cursor + 1)..row.id {
                        self.holes.insert(missing, now);
                    }
                }
                self.cursor = self.cursor.max(row.id);
                let _ = app.live.sender.send(Arc::new(LiveEvent::from_row(row)));
            }
            if !full {
                return;
            }
        }
    }
}

/// How long the pump waits for a wake-up before looking anyway (a lost NOTIFY costs
/// at most this much delay).
const SAFETY_POLL: Duration = Duration::from_millis(750);
/// Pause after the LISTEN connection failed, before it is tried again.
const RELISTEN_PAUSE: Duration = Duration::from_millis(500);

impl App {
    /// Starts this process's pump: from now on, committed live events are broadcast.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn start_live_pump(&self) -> AppResult<tokio::task::JoinHandle<()>> {
        let app = self.clone();
        let mut pump = Pump::new(live::last_id(self.store.reader()).await?);
        let mut shutdown = self.live.shutdown_signal();
        Ok(tokio::spawn(sentinelops_store::uncounted(async move {
            let mut listener = app.store.listen().await.ok().flatten();
            loop {
                let local = sentinelops_store::changes().notified();
                tokio::select! {
                    () = local => {}
                    result = async {
                        match listener.as_mut() {
                            Some(l) => l.next().await.is_ok(),
                            None => std::future::pending::<bool>().await,
                        }
                    } => {
                        if !result {
                            // The LISTEN connection dropped. The listener connects and listens
                            // again on its next call, as often as it takes; the pause keeps a
                            // database that is down from being retried in a loop, the safety
                            // poll carries events meanwhile, and the cursor replays the gap.
                            tokio::time::sleep(RELISTEN_PAUSE).await;
                        }
                    }
                    () = tokio::time::sleep(SAFETY_POLL) => {}
                    _ = shutdown.changed() => break,
                }
                pump.advance(&app).await;
            }
        })))
    }

    /// Events after `last_id` that `actor` may see (replay after a reconnect).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn replay_live(&self, actor: &Actor, last_id: i64, limit: u64) -> AppResult<Vec<LiveEvent>> {
        let rows = live::after(self.store.reader(), last_id, limit).await?;
        Ok(rows.into_iter().map(LiveEvent::from_row).filter(|e| e.visible_to(actor)).collect())
    }
}

/// Records a checklist event of an instance for its section.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn checklist_event(
    c: &impl Conn,
    now: DateTime<Utc>,
    instance: &sentinelops_store::repo::checklists::InstanceRow,
    kind: &str,
    actor: &Actor,
    payload: Value,
) -> AppResult<()> {
    let scope =
        LiveScope { topic: Topic::Checklist, section_id: Some(instance.section_id), instance_id: Some(instance.id) };
    record(c, now, scope, kind, actor.recorded_id(), payload).await
}
