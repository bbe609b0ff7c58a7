//! Notifications in the UI. For now the bell's badge fragment, which `ui.js` reloads
//! on every notification event; the inbox page belongs here too.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;

use crate::state::AppState;
use crate::ui::render::{self, badge_text};
use crate::ui::session::UiUser;

pub fn routes() -> Router<AppState> {
    Router::new().route("/ui/notifications/badge", get(badge))
}

/// `partials/badge.html`: the bell's count, swapped into `#bell-count`.
#[derive(Template)]
#[template(path = "partials/badge.html")]
pub struct Badge {
    pub count: u64,
    pub text: String,
}

async fn badge(State(state): State<AppState>, user: UiUser, headers: HeaderMap) -> Response {
    match state.app.unread_notification_count(&user.actor).await {
        Ok(count) => render::page(&Badge { count, text: badge_text(count) }),
        Err(err) => render::app_error_page(&state, &user, &headers, err).await,
    }
}
