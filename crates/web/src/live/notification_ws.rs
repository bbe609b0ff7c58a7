//! `/api/v1/notifications/ws?token=…`: `unread_notifications` on connect,
//! `new_notification` as they are created for the user, `ping`/`pong`, `get_unread`,
//! `mark_read` (answered with `notification_updated` and a fresh unread list).

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Extension, Query, State};
use axum::response::Response;
use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;
use uuid::Uuid;

use sentinelops_app::{Actor, RequestMeta};

use super::TokenQuery;
use super::checklist_ws::close;
use crate::extract::ClientMeta;
use crate::serve::ConnectionSlot;
use crate::state::AppState;

/// Close code for a failed authentication on this channel, as the original.
const AUTH_FAILED: u16 = 4001;

pub async fn upgrade(
    State(state): State<AppState>,
    Query(q): Query<TokenQuery>,
    ClientMeta(meta): ClientMeta,
    slot: Option<Extension<ConnectionSlot>>,
    ws: WebSocketUpgrade,
) -> Response {
    super::sized(ws).on_upgrade(move |socket| async move {
        // The socket counts against the connection limit while it is open.
        let _slot = slot;
        run(socket, state, q.token, meta).await;
    })
}

fn envelope(kind: &str, payload: Value) -> Message {
    Message::Text(json!({ "version": 1, "type": kind, "payload": payload }).to_string().into())
}

async fn unread(state: &AppState, actor: &Actor, limit: u64) -> Message {
    let app = &state.app;
    let count = app.unread_notification_count(actor).await.unwrap_or(0);
    let list = app.list_notifications(actor, true, limit.clamp(1, 50), 0).await.unwrap_or_default();
    envelope("unread_notifications", json!({ "count": count, "notifications": list }))
}

async fn run(mut socket: WebSocket, state: AppState, token: Option<String>, meta: RequestMeta) {
    let app = &state.app;
    let Some(token) = token else {
        return close(&mut socket, AUTH_FAILED, "Authentication required").await;
    };
    let Ok(actor) = app.authenticate(&token, &meta).await else {
        return close(&mut socket, AUTH_FAILED, "Authentication failed").await;
    };
    let mut events = app.live.subscribe();
    let mut shutdown = app.live.shutdown_signal();
    app.connect_presence(&actor).await;
    // `current` follows role and section changes; `actor` ends the presence it began.
    let mut current = actor.clone();
    // A revoked or expired session, or a deactivated user, loses the socket.
    let mut recheck = super::session_recheck(&state);
    if socket.send(unread(&state, &current, 50).await).await.is_ok() {
        loop {
            tokio::select! {
                incoming = socket.recv() => {
                    let Some(Ok(message)) = incoming else { break };
                    let text = match message {
                        Message::Text(t) => t.to_string(),
                        Message::Close(_) => break,
                        _ => continue,
                    };
                    let request: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
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
                                Some(id) => app.mark_notification_read(&current, id).await.is_ok(),
                                None => false,
                            };
                            vec![
                                envelope("notification_updated", json!({ "notification_id": id, "success": success })),
                                unread(&state, &current, 50).await,
                            ]
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
                    Ok(event) if event.topic == "notification" && event.visible_to(&current) => {
                        let notification = notification_for(&event.payload, current.user_id);
                        let kind = if event.kind == "notification_updated" { "notification_updated" } else { "new_notification" };
                        if socket.send(envelope(kind, json!({ "notification": notification }))).await.is_err() {
                            break;
                        }
                    }
                    Ok(_) => {}
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
    app.disconnect_presence(&actor).await;
}

/// The notification as the list endpoint shows it, for one recipient.
fn notification_for(payload: &Value, user: Uuid) -> Value {
    let field = |k: &str| payload.get(k).cloned().unwrap_or(Value::Null);
    json!({
        "id": field("notification_id"),
        "user_id": user,
        "role_id": null,
        "title": field("title"),
        "message": field("message"),
        "priority": field("priority"),
        "related_entity": field("related_entity"),
        "related_id": field("related_id"),
        "is_read": false,
        "created_at": field("timestamp"),
        "updated_at": field("timestamp"),
    })
}
