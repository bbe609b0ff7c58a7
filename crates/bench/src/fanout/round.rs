//! One round of the fan-out: the clients, the timed send, and the figures.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::{Semaphore, mpsc, watch};
use tokio_tungstenite::tungstenite::Message;
use uuid::Uuid;

use sentinelops_app::Actor;
use sentinelops_app::notifications::{self, Audience, Draft, Priority};
use sentinelops_domain::Role;
use sentinelops_testkit::TestServer;

/// How long one round may take before its missing deliveries count as lost.
const ROUND_TIMEOUT: Duration = Duration::from_secs(20);

/// A frame a client saw: (client index, notification id, when its socket yielded it).
pub type Arrival = (usize, Uuid, Instant);
/// A notification a server's live hub broadcast: (instance index, notification id, when).
pub type Broadcast = (usize, Uuid, Instant);

/// One client: connects (at most `batch` at once), waits for the unread greeting,
/// reports ready, then reports every `new_notification` until told to stop.
pub async fn client(
    index: usize,
    url: String,
    gate: Arc<Semaphore>,
    ready: mpsc::UnboundedSender<Result<usize, String>>,
    arrivals: mpsc::UnboundedSender<Arrival>,
    mut stop: watch::Receiver<bool>,
) {
    let Ok(permit) = gate.acquire_owned().await else {
        let _ = ready.send(Err(format!("client {index}: the connection gate closed")));
        return;
    };
    let mut socket = match tokio::time::timeout(Duration::from_secs(30), tokio_tungstenite::connect_async(&url)).await {
        Ok(Ok((socket, _))) => socket,
        Ok(Err(e)) => {
            let _ = ready.send(Err(format!("client {index}: connect: {e}")));
            return;
        }
        Err(_) => {
            let _ = ready.send(Err(format!("client {index}: connect timed out")));
            return;
        }
    };
    let greeted = async {
        while let Some(Ok(message)) = socket.next().await {
            if let Message::Text(text) = message
                && serde_json::from_str::<Value>(&text).is_ok_and(|v| v["type"] == "unread_notifications")
            {
                return true;
            }
        }
        false
    };
    if !tokio::time::timeout(Duration::from_secs(30), greeted).await.unwrap_or(false) {
        let _ = ready.send(Err(format!("client {index}: no unread_notifications greeting")));
        return;
    }
    drop(permit);
    let _ = ready.send(Ok(index));
    loop {
        tokio::select! {
            message = socket.next() => match message {
                Some(Ok(Message::Text(text))) => {
                    let at = Instant::now();
                    let Ok(value) = serde_json::from_str::<Value>(&text) else { continue };
                    if value["type"] == "new_notification"
                        && let Some(id) = value["payload"]["notification"]["id"].as_str().and_then(|s| s.parse().ok())
                    {
                        let _ = arrivals.send((index, id, at));
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => break,
            },
            _ = stop.changed() => {
                let _ = socket.close(None).await;
                // Drain until the server's close frame (or give up).
                let _ = tokio::time::timeout(Duration::from_secs(5), async {
                    while let Some(Ok(_)) = socket.next().await {}
                })
                .await;
                break;
            }
        }
    }
    let _ = socket.flush().await;
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted.get(rank - 1).copied().unwrap_or(f64::NAN)
}

pub struct Stats {
    pub min: f64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
    pub delivered: usize,
    pub expected: usize,
}

pub fn stats(mut ms: Vec<f64>, expected: usize) -> Stats {
    ms.sort_by(f64::total_cmp);
    Stats {
        min: ms.first().copied().unwrap_or(f64::NAN),
        p50: percentile(&ms, 0.50),
        p90: percentile(&ms, 0.90),
        p99: percentile(&ms, 0.99),
        max: ms.last().copied().unwrap_or(f64::NAN),
        delivered: ms.len(),
        expected,
    }
}

pub fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// What one round measured.
pub struct Round {
    pub latencies: Vec<f64>,
    pub commit_ms: f64,
    /// PostgreSQL: when a separate LISTEN connection heard the commit's NOTIFY, after t0.
    pub notify_ms: Option<f64>,
    /// Per instance: when its live hub broadcast the notification, after t0.
    pub hub_ms: Vec<Option<f64>>,
    pub event: Option<Arc<sentinelops_app::live::LiveEvent>>,
}

pub struct Bench<'a> {
    pub servers: &'a [TestServer],
    pub users: Vec<Uuid>,
    pub section: Uuid,
    pub arrivals: mpsc::UnboundedReceiver<Arrival>,
    pub broadcasts: mpsc::UnboundedReceiver<Broadcast>,
    pub events: mpsc::UnboundedReceiver<Arc<sentinelops_app::live::LiveEvent>>,
    /// PostgreSQL only: when a LISTENer of this process heard a NOTIFY of the live channel.
    pub notifies: mpsc::UnboundedReceiver<Instant>,
}

impl Bench<'_> {
    pub async fn round(&mut self, label: &str) -> anyhow::Result<Round> {
        // Forget anything left from an earlier round.
        while self.arrivals.try_recv().is_ok() {}
        while self.broadcasts.try_recv().is_ok() {}
        while self.events.try_recv().is_ok() {}
        while self.notifies.try_recv().is_ok() {}
        let app = &self.servers.first().context("no server")?.app;
        let draft = Draft {
            title: format!("Fan-out benchmark {label}"),
            message: "One notification to every connected client.".to_owned(),
            priority: Priority::Medium,
            // No e-mail and no webhook for this kind: only the in-app path is measured.
            related_entity: "checklist_instance",
            related_id: None,
            section_id: Some(self.section),
            audience: Audience::Users(self.users.clone()),
            exclude: None,
        };
        let t0 = Instant::now();
        let tx = app.store.begin_write().await?;
        let sent = notifications::send(&tx, app.clock.now(), draft).await?;
        sentinelops_store::commit(tx).await?;
        let committed = t0.elapsed();
        assert_eq!(sent.recipients.len(), self.users.len(), "every user is a recipient");
        let id = sent.notification_id;

        let n = self.users.len();
        let mut arrived: Vec<Option<Instant>> = vec![None; n];
        let mut count = 0;
        let mut hub: Vec<Option<Instant>> = vec![None; self.servers.len()];
        let mut event = None;
        let deadline = tokio::time::Instant::now() + ROUND_TIMEOUT;
        while count < n {
            tokio::select! {
                got = self.arrivals.recv() => {
                    let Some((index, got_id, at)) = got else { break };
                    if got_id == id && let Some(slot @ None) = arrived.get_mut(index) {
                        *slot = Some(at);
                        count += 1;
                    }
                }
                Some((server, got_id, at)) = self.broadcasts.recv() => {
                    if got_id == id && let Some(slot @ None) = hub.get_mut(server) {
                        *slot = Some(at);
                    }
                }
                Some(e) = self.events.recv(), if event.is_none() => {
                    if e.payload["notification_id"].as_str() == Some(id.to_string().as_str()) {
                        event = Some(e);
                    }
                }
                () = tokio::time::sleep_until(deadline) => break,
            }
        }
        // Broadcasts that came in while the last clients were being counted.
        while let Ok((server, got_id, at)) = self.broadcasts.try_recv() {
            if got_id == id
                && let Some(slot @ None) = hub.get_mut(server)
            {
                *slot = Some(at);
            }
        }
        let notify_ms = self.notifies.try_recv().ok().map(|at| millis(at.duration_since(t0)));
        Ok(Round {
            latencies: arrived.iter().flatten().map(|at| millis(at.duration_since(t0))).collect(),
            commit_ms: millis(committed),
            notify_ms,
            hub_ms: hub.iter().map(|at| at.map(|at| millis(at.duration_since(t0)))).collect(),
            event,
        })
    }
}

/// Single-threaded cost of the per-socket work the server repeats N times for one
/// event: the visibility check, and a replica of the frame it builds and serialises.
pub fn per_socket_costs(event: &sentinelops_app::live::LiveEvent, users: &[Uuid], section: Uuid) -> (f64, f64) {
    let actors: Vec<Actor> = users
        .iter()
        .map(|&user_id| Actor {
            user_id,
            username: "u".to_owned(),
            role: Role::Manager,
            section_id: Some(section),
            department_id: None,
            session_id: Uuid::nil(),
        })
        .collect();
    let started = Instant::now();
    let visible = actors.iter().filter(|a| event.visible_to(a)).count();
    let visibility = millis(started.elapsed());
    assert_eq!(visible, users.len());
    let started = Instant::now();
    let mut bytes = 0;
    for actor in &actors {
        // As notification_ws::notification_for + envelope do.
        let field = |k: &str| event.payload.get(k).cloned().unwrap_or(Value::Null);
        let notification = json!({
            "id": field("notification_id"), "user_id": actor.user_id, "role_id": null, "title": field("title"),
            "message": field("message"), "priority": field("priority"), "related_entity": field("related_entity"),
            "related_id": field("related_id"), "is_read": false, "created_at": field("timestamp"),
            "updated_at": field("timestamp"),
        });
        let text = json!({ "version": 1, "type": "new_notification", "payload": { "notification": notification } })
            .to_string();
        bytes += text.len();
    }
    let serialise = millis(started.elapsed());
    assert!(bytes > 0);
    (visibility, serialise)
}
