//! `/api/v1/checklists/ws?token=…`: CONNECTION_ESTABLISHED, PING/PONG,
//! SUBSCRIBE_INSTANCE/UNSUBSCRIBE_INSTANCE, and CHECKLIST_UPDATE for every change the
//! user's section may see (the original broadcast everything to everyone).

use std::collections::HashSet;

use axum::extract::ws::{Message, WebSocket};
use axum::response::Response;
use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;
use uuid::Uuid;

use super::socket::{Live, SocketRequest, close, next_request};

/// Close code for a failed authentication (policy violation), as the original.
const AUTH_FAILED: u16 = 1008;

pub async fn upgrade(request: SocketRequest) -> Response {
    request.serve(AUTH_FAILED, run)
}

async fn send(socket: &mut WebSocket, value: Value) -> bool {
    socket.send(Message::Text(value.to_string().into())).await.is_ok()
}

async fn run(mut socket: WebSocket, live: Live) {
    let Live { state, mut actor, token, meta, connections, mut events, mut shutdown, mut recheck } = live;
    let app = &state.app;
    let hello = json!({
        "type": "CONNECTION_ESTABLISHED",
        "data": { "user_id": actor.user_id, "timestamp": app.clock.now(), "total_connections": connections },
    });
    if !send(&mut socket, hello).await {
        return;
    }
    let socket = &mut socket;
    let mut subscriptions: HashSet<Uuid> = HashSet::new();
    loop {
        tokio::select! {
            request = next_request(socket) => {
                let Some(request) = request else {
                    break;
                };
                let now = app.clock.now();
                let answer = match request.get("type").and_then(Value::as_str) {
                    Some("PING") | Some("ping") => json!({ "type": "PONG", "timestamp": now }),
                    Some("SUBSCRIBE_INSTANCE") => match instance_of(&request) {
                        Some(id) if app.instance_view(&actor, id).await.is_ok() => {
                            subscriptions.insert(id);
                            json!({ "type": "SUBSCRIBED", "instance_id": id, "timestamp": now })
                        }
                        _ => json!({ "type": "ERROR", "message": "Checklist not found or not visible to you" }),
                    },
                    Some("UNSUBSCRIBE_INSTANCE") => {
                        let id = instance_of(&request);
                        if let Some(id) = id {
                            subscriptions.remove(&id);
                        }
                        json!({ "type": "UNSUBSCRIBED", "instance_id": id, "timestamp": now })
                    }
                    _ => json!({ "type": "ERROR", "message": "Unknown message type" }),
                };
                if !send(socket, answer).await {
                    break;
                }
            }
            event = events.recv() => match event {
                Ok(event) if event.topic == "checklist" && event.visible_to(&actor) => {
                    let mut data = event.payload.clone();
                    if let Value::Object(map) = &mut data {
                        map.insert("type".into(), json!(event.kind));
                        map.remove("kind");
                    }
                    if !send(socket, json!({ "type": "CHECKLIST_UPDATE", "data": data, "event_id": event.id })).await {
                        break;
                    }
                }
                Ok(_) => {}
                // Too slow to keep up: tell the client to refetch (the database is the truth).
                Err(RecvError::Lagged(_)) => {
                    if !send(socket, json!({ "type": "RESYNC", "timestamp": app.clock.now() })).await {
                        break;
                    }
                }
                Err(RecvError::Closed) => break,
            },
            _ = recheck.tick() => {
                // A changed role or section applies to the open socket too; an ended session closes it.
                match app.authenticate(&token, &meta).await {
                    Ok(fresh) => actor = fresh,
                    Err(_) => {
                        close(socket, AUTH_FAILED, "Session ended").await;
                        break;
                    }
                }
                // A ping keeps proxies open and finds dead peers (a failed write ends the loop).
                if socket.send(Message::Ping(Vec::new().into())).await.is_err() {
                    break;
                }
            }
            _ = shutdown.changed() => {
                close(socket, 1001, "Server shutting down").await;
                break;
            }
        }
    }
}

fn instance_of(request: &Value) -> Option<Uuid> {
    request
        .get("instance_id")
        .or_else(|| request.get("data").and_then(|d| d.get("instance_id")))
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok())
}
