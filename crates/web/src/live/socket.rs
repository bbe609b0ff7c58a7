//! What every live WebSocket shares: the upgrade request (the app, the query's token,
//! where the client is, and the connection slot the socket holds while open), signing
//! in with the token and the user's presence while the socket is open, the close
//! frame, and reading a frame. Both WebSockets use it.

use std::future::Future;
use std::sync::Arc;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use tokio::sync::{broadcast, watch};
use tokio::time::Interval;

use sentinelops_app::live::LiveEvent;
use sentinelops_app::{Actor, RequestMeta};

use super::TokenQuery;
use crate::extract::ClientMeta;
use crate::serve::ConnectionSlot;
use crate::state::AppState;

/// A WebSocket upgrade request, with what a live socket needs to run.
pub struct SocketRequest {
    state: AppState,
    token: Option<String>,
    meta: RequestMeta,
    slot: Option<ConnectionSlot>,
    ws: WebSocketUpgrade,
}

/// A signed-in socket: its user (each session check refreshes it), the credentials
/// the checks use, and what it listens to besides its peer.
pub struct Live {
    pub state: AppState,
    pub actor: Actor,
    pub token: String,
    pub meta: RequestMeta,
    /// The user's open connections, this one included.
    pub connections: usize,
    /// Committed events.
    pub events: broadcast::Receiver<Arc<LiveEvent>>,
    pub shutdown: watch::Receiver<bool>,
    /// The session checks: a revoked or expired session, or a deactivated user, loses
    /// the socket; a changed role or section applies to it.
    pub recheck: Interval,
}

impl FromRequestParts<AppState> for SocketRequest {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        // The same order as the handlers' extractors had: the query first, the upgrade last.
        let Query(query) =
            Query::<TokenQuery>::from_request_parts(parts, state).await.map_err(IntoResponse::into_response)?;
        let ClientMeta(meta) = ClientMeta::from_request_parts(parts, state).await?;
        let slot = parts.extensions.get::<ConnectionSlot>().cloned();
        let ws = WebSocketUpgrade::from_request_parts(parts, state).await.map_err(IntoResponse::into_response)?;
        Ok(SocketRequest { state: state.clone(), token: query.token, meta, slot, ws })
    }
}

impl SocketRequest {
    /// Upgrades, signs the socket in with the query's token (closing it with `code`
    /// when that fails) and runs `serve` on it. The user counts as present, and the
    /// socket against the connection limit, until `serve` returns.
    pub fn serve<F, Fut>(self, code: u16, serve: F) -> Response
    where
        F: FnOnce(WebSocket, Live) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let SocketRequest { state, token, meta, slot, ws } = self;
        super::sized(ws).on_upgrade(move |mut socket| async move {
            let _slot = slot;
            let Some((actor, token)) = sign_in(&mut socket, &state, token, &meta, code).await else {
                return;
            };
            let app = &state.app;
            let events = app.live.subscribe();
            let shutdown = app.live.shutdown_signal();
            let connections = app.connect_presence(&actor).await;
            let recheck = super::session_recheck(&state);
            let live = Live {
                state: state.clone(),
                actor: actor.clone(),
                token,
                meta,
                connections,
                events,
                shutdown,
                recheck,
            };
            serve(socket, live).await;
            // The presence began with the user as signed in, so it ends with them too.
            app.disconnect_presence(&actor).await;
        })
    }
}

/// The next request the peer sends: a text frame, read as JSON (`null` when it is not
/// JSON); other frames (binary, ping, pong) ask nothing and are passed over. `None` once
/// the peer closed the socket, or it failed. Safe to cancel in a `select!`: a frame is
/// only ever taken to be answered or passed over.
pub async fn next_request(socket: &mut WebSocket) -> Option<Value> {
    loop {
        match socket.recv().await {
            Some(Ok(Message::Text(text))) => return Some(serde_json::from_str(&text).unwrap_or(Value::Null)),
            Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return None,
            Some(Ok(_)) => {}
        }
    }
}

/// Sends a close frame (a peer already gone is not an error here).
pub async fn close(socket: &mut WebSocket, code: u16, reason: &'static str) {
    let _ = socket.send(Message::Close(Some(CloseFrame { code, reason: reason.into() }))).await;
}

/// The socket's user and token, or `None` after closing it with `code`: without a token,
/// or when the token does not sign in.
async fn sign_in(
    socket: &mut WebSocket,
    state: &AppState,
    token: Option<String>,
    meta: &RequestMeta,
    code: u16,
) -> Option<(Actor, String)> {
    let Some(token) = token else {
        close(socket, code, "Authentication required").await;
        return None;
    };
    match state.app.authenticate(&token, meta).await {
        Ok(actor) => Some((actor, token)),
        Err(_) => {
            close(socket, code, "Authentication failed").await;
            None
        }
    }
}
