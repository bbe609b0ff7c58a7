//! `/alerts/ack/{token}`: the one-click acknowledge link of an alert e-mail (issue 21),
//! served without a session — the secret token in the path is the key. The GET shows
//! the alert and one button; only the POST acknowledges, so a mail scanner that fetches
//! the link changes nothing. The token is its own CSRF protection: a forged form would
//! need it. Not an API operation, so not in the OpenAPI document (like the feeds).

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;

use sentinelops_app::AppError;
use sentinelops_app::alerts::AlertRow;

use crate::state::AppState;
use crate::ui::render::{self, Layout};
use crate::ui::timefmt;

pub fn routes() -> Router<AppState> {
    Router::new().route("/alerts/ack/{token}", get(show).post(acknowledge))
}

#[derive(Template)]
#[template(path = "alert_link.html")]
pub struct AlertLinkPage {
    pub layout: Layout,
    pub token: String,
    pub alert: Option<AlertRow>,
    pub opened: String,
    /// Who acknowledged and when, once someone has.
    pub owner: Option<String>,
    /// Why the link cannot acknowledge (used, expired, invalid, already owned).
    pub refusal: Option<String>,
    /// The link acknowledged the alert just now.
    pub done: bool,
}

async fn page(state: &AppState, token: String, alert: Option<AlertRow>, refusal: Option<String>, done: bool) -> Page {
    let tz = state.app.business_timezone().await.unwrap_or(chrono_tz::UTC);
    let opened = alert.as_ref().map(|a| timefmt::minute(tz, a.opened_at)).unwrap_or_default();
    let owner = alert.as_ref().and_then(|a| {
        let who = a.acknowledged_as.clone()?;
        Some(format!("{who}, {}", timefmt::minute_or_never(tz, a.acknowledged_at)))
    });
    AlertLinkPage { layout: Layout::anonymous("Acknowledge alert", ""), token, alert, opened, owner, refusal, done }
}

type Page = AlertLinkPage;

fn respond(status: StatusCode, page: &Page) -> Response {
    let mut response = render::page_status(status, page);
    // The page holds a capability: keep it out of caches and referrers.
    response.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    response
        .headers_mut()
        .insert(axum::http::header::REFERRER_POLICY, axum::http::HeaderValue::from_static("no-referrer"));
    response
}

async fn show(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match state.app.alert_link(&token).await {
        Ok(view) => {
            let refusal = if view.used {
                Some("This link was already used.".to_owned())
            } else if view.expired {
                Some("This link has expired. Sign in to acknowledge the alert.".to_owned())
            } else {
                None
            };
            let p = page(&state, token, Some(view.alert), refusal, false).await;
            respond(StatusCode::OK, &p)
        }
        Err(e) => refused(&state, token, e).await,
    }
}

async fn acknowledge(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match state.app.acknowledge_by_link(&token).await {
        Ok(alert) => {
            let p = page(&state, String::new(), Some(alert), None, true).await;
            respond(StatusCode::OK, &p)
        }
        Err(e) => refused(&state, token, e).await,
    }
}

/// The page of a link that cannot acknowledge, with the alert when it is known.
async fn refused(state: &AppState, token: String, e: AppError) -> Response {
    let (status, message) = render::error_message(&e);
    let alert = match state.app.alert_link(&token).await {
        Ok(view) => Some(view.alert),
        Err(_) => None,
    };
    let p = page(state, String::new(), alert, Some(message), false).await;
    respond(status, &p)
}
