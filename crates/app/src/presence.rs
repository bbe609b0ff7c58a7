//! Presence: who has a live connection (WebSocket or event stream). Each process
//! counts its own connections and keeps one row per user in the database, refreshed by
//! a heartbeat, so `is_online` is true across instances. A user's first connection and
//! last disconnection are broadcast as PARTICIPANT_PRESENCE_CHANGED.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use chrono::Duration;
use serde_json::json;
use uuid::Uuid;

use sentinelops_store::repo::presence as rows;

use crate::App;
use crate::actor::Actor;
use crate::error::AppResult;
use crate::live::{self, Topic};
use crate::tx::commit;

/// A row older than this is a dead instance's: not online.
pub const FRESH_FOR: Duration = Duration::seconds(90);
/// How often an instance refreshes its rows.
pub const HEARTBEAT: std::time::Duration = std::time::Duration::from_secs(30);

/// This process's live connections per user.
#[derive(Debug, Clone)]
pub struct Presence {
    node: Arc<str>,
    connections: Arc<Mutex<HashMap<Uuid, usize>>>,
}

impl Default for Presence {
    fn default() -> Self {
        Presence { node: Uuid::now_v7().simple().to_string().into(), connections: Arc::default() }
    }
}

impl Presence {
    /// This instance's name in presence rows.
    pub fn node(&self) -> &str {
        &self.node
    }

    /// A connection opened; returns the user's count on this instance.
    fn connect(&self, user: Uuid) -> usize {
        let Ok(mut map) = self.connections.lock() else { return 0 };
        let count = map.entry(user).or_insert(0);
        *count += 1;
        *count
    }

    /// A connection closed; returns the user's remaining count on this instance.
    fn disconnect(&self, user: Uuid) -> usize {
        let Ok(mut map) = self.connections.lock() else { return 0 };
        match map.get_mut(&user) {
            Some(count) if *count > 1 => {
                *count -= 1;
                *count
            }
            Some(_) => {
                map.remove(&user);
                0
            }
            None => 0,
        }
    }

    /// Users with a connection on this instance.
    pub fn local(&self) -> HashSet<Uuid> {
        self.connections.lock().map(|m| m.keys().copied().collect()).unwrap_or_default()
    }
}

impl App {
    /// Registers a live connection; returns the user's connections on this instance.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn connect_presence(&self, actor: &Actor) -> usize {
        let count = self.presence.connect(actor.user_id);
        if let Err(e) = self.store_presence(actor, count, count == 1).await {
            tracing::warn!(error = %e, "presence not recorded");
        }
        count
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn disconnect_presence(&self, actor: &Actor) {
        let count = self.presence.disconnect(actor.user_id);
        if let Err(e) = self.store_presence(actor, count, count == 0).await {
            tracing::warn!(error = %e, "presence not recorded");
        }
    }

    async fn store_presence(&self, actor: &Actor, count: usize, changed: bool) -> AppResult<()> {
        let tx = self.store.begin_write().await?;
        let now = self.clock.now();
        rows::set(&tx, self.presence.node(), actor.user_id, i32::try_from(count).unwrap_or(i32::MAX), now).await?;
        if changed && actor.section_id.is_some() {
            let online = count > 0;
            let payload = json!({ "user_id": actor.user_id, "username": actor.username, "is_online": online });
            let scope = live::LiveScope::section(Topic::Checklist, actor.section_id);
            live::record(&tx, now, scope, "PARTICIPANT_PRESENCE_CHANGED", Some(actor.user_id), payload).await?;
        }
        commit(tx).await
    }

    /// Which of `users` are online on any instance.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn online_among(&self, users: Vec<Uuid>) -> AppResult<HashSet<Uuid>> {
        let fresh_after = self.clock.now() - FRESH_FOR;
        Ok(rows::online_among(self.store.reader(), users, fresh_after).await?)
    }

    /// Refreshes this instance's presence rows (run every `HEARTBEAT`).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn presence_heartbeat(&self) -> AppResult<()> {
        let tx = self.store.begin_write().await?;
        rows::heartbeat(&tx, self.presence.node(), self.clock.now()).await?;
        commit(tx).await
    }

    /// Forgets this instance's rows (at start-up and shutdown).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn clear_presence(&self) -> AppResult<()> {
        let tx = self.store.begin_write().await?;
        rows::clear_node(&tx, self.presence.node()).await?;
        commit(tx).await
    }
}
