//! Live transports: the original frontend's two WebSocket protocols and a
//! server-sent event stream for the built-in UI, all fed by the application's live
//! hub (one bus, section-isolated).

mod checklist_ws;
mod notification_ws;
mod socket;
mod sse;

/// The built-in UI signs in with this cookie; the event stream accepts it too.
pub use sse::SESSION_COOKIE;

use axum::Router;
use axum::routing::get;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/checklists/ws", get(checklist_ws::upgrade))
        .route("/api/v1/notifications/ws", get(notification_ws::upgrade))
        .route("/api/v1/events", get(sse::stream))
}

/// Socket buffers sized for what flows: small JSON frames out, pings and small
/// commands in. The defaults (128 KiB each way) cost ~256 MB per 1,000 open pages.
pub fn sized(ws: axum::extract::ws::WebSocketUpgrade) -> axum::extract::ws::WebSocketUpgrade {
    ws.read_buffer_size(4 * 1024).write_buffer_size(0).max_message_size(64 * 1024).max_frame_size(64 * 1024)
}

/// The timer of an open live connection's session checks: the first tick comes one
/// period after connecting (the connection was just authenticated).
pub fn session_recheck(state: &AppState) -> tokio::time::Interval {
    let period = state.web.live_session_recheck;
    let mut timer = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    timer
}

/// The `?token=` of a WebSocket URL (browsers cannot set headers on sockets).
#[derive(Debug, serde::Deserialize)]
pub struct TokenQuery {
    pub token: Option<String>,
}
