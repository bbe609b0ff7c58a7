//! What every live WebSocket shares: the upgrade request (the app, the query's token,
//! where the client is, and the connection slot the socket holds while open), the
//! close frame, signing in with the token, and reading a frame. Both WebSockets use it.

use std::future::Future;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRef, FromRequestParts, Query};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

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

/// An open socket's context: the app, the query's token and where the client is.
pub struct SocketContext {
    pub state: AppState,
    pub token: Option<String>,
    pub meta: RequestMeta,
}

impl<S: Send + Sync> FromRequestParts<S> for SocketRequest
where
    AppState: FromRef<S>,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        // The same order as the handlers' extractors had: the query first, the upgrade last.
        let Query(query) =
            Query::<TokenQuery>::from_request_parts(parts, state).await.map_err(IntoResponse::into_response)?;
        let ClientMeta(meta) = ClientMeta::from_request_parts(parts, state).await?;
        let slot = parts.extensions.get::<ConnectionSlot>().cloned();
        let ws = WebSocketUpgrade::from_request_parts(parts, state).await.map_err(IntoResponse::into_response)?;
        Ok(SocketRequest { state: AppState::from_ref(state), token: query.token, meta, slot, ws })
    }
}

impl SocketRequest {
    /// Upgrades and runs `serve` on the socket; the socket counts against the connection
    /// limit until `serve` returns.
    pub fn serve<F, Fut>(self, serve: F) -> Response
    where
        F: FnOnce(WebSocket, SocketContext) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let SocketRequest { state, token, meta, slot, ws } = self;
        super::sized(ws).on_upgrade(move |socket| async move {
            let _slot = slot;
            serve(socket, SocketContext { state, token, meta }).await;
        })
    }
}

/// What a received frame asks of a live socket.
pub enum Incoming {
    /// A text frame, read as JSON (`null` when it is not JSON).
    Request(Value),
    /// Another frame (binary, ping, pong): nothing to answer.
    Other,
    /// The peer closed the socket, or it failed.
    Closed,
}

impl Incoming {
    pub fn of(received: Option<Result<Message, axum::Error>>) -> Incoming {
        match received {
            Some(Ok(Message::Text(text))) => Incoming::Request(serde_json::from_str(&text).unwrap_or(Value::Null)),
            Some(Ok(Message::Close(_))) | Some(Err(_)) | None => Incoming::Closed,
            Some(Ok(_)) => Incoming::Other,
        }
    }
}

/// Sends a close frame (a peer already gone is not an error here).
pub async fn close(socket: &mut WebSocket, code: u16, reason: &'static str) {
    let _ = socket.send(Message::Close(Some(CloseFrame { code, reason: reason.into() }))).await;
}

/// The socket's user and token, or `None` after closing it with `code`: without a token,
/// or when the token does not sign in.
pub async fn sign_in(socket: &mut WebSocket, context: &SocketContext, code: u16) -> Option<(Actor, String)> {
    let Some(token) = context.token.clone() else {
        close(socket, code, "Authentication required").await;
        return None;
    };
    match context.state.app.authenticate(&token, &context.meta).await {
        Ok(actor) => Some((actor, token)),
        Err(_) => {
            close(socket, code, "Authentication failed").await;
            None
        }
    }
}
