//! Live transports: the original frontend's two WebSocket protocols and a
//! server-sent event stream for the built-in UI, all fed by the application's live
//! hub (one bus, section-isolated).

mod checklist_ws;
mod notification_ws;
mod sse;

use axum::Router;
use axum::routing::get;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/checklists/ws", get(checklist_ws::upgrade))
        .route("/api/v1/notifications/ws", get(notification_ws::upgrade))
        .route("/api/v1/events", get(sse::stream))
}

/// The `?token=` of a WebSocket URL (browsers cannot set headers on sockets).
#[derive(Debug, serde::Deserialize)]
pub struct TokenQuery {
    pub token: Option<String>,
}
