//! `/api/v1/notifications/ws?token=…`: `unread_notifications` on connect,
//! `new_notification` as they are created for the user, `ping`/`pong`, `get_unread`,
//! `mark_read` (answered with `notification_updated` and a fresh unread list). A read
//! or mark-all-read made elsewhere (another tab, the REST API, another instance) sends
//! the same frames to the user's other sockets, so every open badge follows.

use axum::extract::ws::{Message, WebSocket};
use axum::response::Response;
use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;
use uuid::Uuid;

use sentinelops_app::Actor;
use sentinelops_app::gamification::POINTS_UPDATED;
use sentinelops_app::live::{LiveEvent, NOTIFICATION_READ};

use super::socket::{Live, SocketRequest, close, next_request};
use crate::api::notification_wire::NotificationJson;
use crate::state::AppState;

/// Close code for a failed authentication on this channel, as the original.
const AUTH_FAILED: u16 = 4001;

pub async fn upgrade(request: SocketRequest) -> Response {
    request.serve(AUTH_FAILED, run)
}

fn envelope(kind: &str, payload: Value) -> Message {
    Message::Text(json!({ "version": 1, "type": kind, "payload": payload }).to_string().into())
}

async fn unread(state: &AppState, actor: &Actor, limit: u64) -> Message {
    let app = &state.app;
    let count = app.unread_notification_count(actor).await.unwrap_or(0);
    let list = app.list_notifications(actor, true, limit.clamp(1, 50), 0).await.unwrap_or_default();
    let list: Vec<NotificationJson> = list.into_iter().map(NotificationJson::from).collect();
    envelope("unread_notifications", json!({ "count": count, "notifications": list }))
}

/// The original's answer to a read: `notification_updated` (for one notification; not
/// after mark-all), then a fresh unread list.
async fn read_frames(state: &AppState, actor: &Actor, id: Option<Uuid>, success: bool) -> Vec<Message> {
    let mut frames = Vec::with_capacity(2);
    if let Some(id) = id {
        frames.push(envelope("notification_updated", json!({ "notification_id": id, "success": success })));
    }
    frames.push(unread(state, actor, 50).await);
    frames
}

/// What a live event means to this socket (its user's `current` view, its own `origin` id).
async fn frames_for(state: &AppState, current: &Actor, origin: Uuid, event: &LiveEvent) -> Vec<Message> {
    if event.topic != "notification" || !event.visible_to(current) {
        return Vec::new();
    }
    if event.kind == POINTS_UPDATED {
        // Open Performance pages refresh: the change and who it is for.
        let points = event.payload.get("points").cloned().unwrap_or(Value::Null);
        return vec![envelope(POINTS_UPDATED, json!({ "user_id": current.user_id, "points": points }))];
    }
    if event.kind == NOTIFICATION_READ {
        // The socket that read it has answered already.
        let from_here = event.payload.get("origin").and_then(Value::as_str) == Some(origin.to_string().as_str());
        if from_here {
            return Vec::new();
        }
        let id = event.payload.get("notification_id").and_then(Value::as_str).and_then(|s| s.parse().ok());
        return read_frames(state, current, id, true).await;
    }
    let notification = NotificationJson::from_live(&event.payload, current.user_id);
    vec![envelope("new_notification", json!({ "notification": notification }))]
}

async fn run(mut socket: WebSocket, live: Live) {
    // `current` follows role and section changes (see `Live`).
    let Live { state, actor: mut current, token, meta, mut events, mut shutdown, mut recheck, .. } = live;
    let app = &state.app;
    // Tells this socket's own reads apart from those made elsewhere.
    let origin = Uuid::new_v4();
    if socket.send(unread(&state, &current, 50).await).await.is_ok() {
        loop {
            tokio::select! {
                request = next_request(&mut socket) => {
                    let Some(request) = request else {
                        break;
                    };
                    // The original read parameters from `data`; its protocol said `payload`: accept both.
                    let params = request.get("payload").or_else(|| request.get("data")).cloned().unwrap_or(Value::Null);
                    let replies = match request.get("type").and_then(Value::as_str) {
                        Some("ping") | Some("PING") => vec![envelope("pong", json!({ "timestamp": app.clock.now() }))],
                        Some("get_unread") => {
                            let limit = params.get("limit").and_then(Value::as_u64).unwrap_or(50);
                            vec![unread(&state, &current, limit).await]
                        }
                        Some("mark_read") => {
                            let id = params.get("notification_id").and_then(Value::as_str).and_then(|s| s.parse::<Uuid>().ok());
                            let success = match id {
                                Some(id) => app.mark_notification_read_from(&current, id, Some(origin)).await.is_ok(),
                                None => false,
                            };
                            let mut frames = read_frames(&state, &current, id, success).await;
                            if id.is_none() {
                                // Said even without an id, as the original did.
                                frames.insert(0, envelope("notification_updated", json!({ "notification_id": null, "success": false })));
                            }
                            frames
                        }
                        _ => vec![envelope("error", json!({ "message": "Unknown message type" }))],
                    };
                    let mut ok = true;
                    for reply in replies {
                        ok = ok && socket.send(reply).await.is_ok();
                    }
                    if !ok {
                        break;
                    }
                }
                event = events.recv() => match event {
                    Ok(event) => {
                        let mut ok = true;
                        for frame in frames_for(&state, &current, origin, &event).await {
                            ok = ok && socket.send(frame).await.is_ok();
                        }
                        if !ok {
                            break;
                        }
                    }
                    Err(RecvError::Lagged(_)) => {
                        if socket.send(unread(&state, &current, 50).await).await.is_err() {
                            break;
                        }
                    }
                    Err(RecvError::Closed) => break,
                },
                _ = recheck.tick() => match app.authenticate(&token, &meta).await {
                    Ok(fresh) => current = fresh,
                    Err(_) => {
                        close(&mut socket, AUTH_FAILED, "Session ended").await;
                        break;
                    }
                },
                _ = shutdown.changed() => break,
            }
        }
    }
}
