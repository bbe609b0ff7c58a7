//! `/ui/alerts/{id}`: one alert, who owns it and its timeline, with an Acknowledge
//! button while it is OPEN and a Resolve form (a note is required) until it is
//! resolved. Acknowledging answers 303 back where the button was (the banner sits on
//! every page) with a flash — "already acknowledged by X" included; a refused note is
//! the page again with the message beside the form.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::{get, post};
use serde::Deserialize;
use uuid::Uuid;

use sentinelops_app::AppError;
use sentinelops_app::alerts::{AlertEventRow, AlertRow};
use sentinelops_domain::alert::AlertStatus;

use super::list::owner_line;
use super::{alert_path, cause_words, status_words};
use crate::state::AppState;
use crate::ui::error::UiResult;
use crate::ui::extract::{UiForm, UiPath};
use crate::ui::outcome::outcome;
use crate::ui::render::{self, Flash, Layout};
use crate::ui::session::{UiUser, safe_next};
use crate::ui::timefmt;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ui/alerts/{id}", get(alert_page))
        .route("/ui/alerts/{id}/acknowledge", post(acknowledge))
        .route("/ui/alerts/{id}/resolve", post(resolve))
}

/// One line of the timeline.
pub struct TimelineLine {
    pub at: String,
    pub what: &'static str,
    pub level: i32,
    pub who: Option<String>,
    pub detail: Option<String>,
    /// NOTIFIED lines name the level they notified.
    pub notified: bool,
}

#[derive(Template)]
#[template(path = "alert.html")]
pub struct AlertPage {
    pub layout: Layout,
    pub csrf: String,
    pub alert: AlertRow,
    pub status: &'static str,
    pub cause: &'static str,
    pub section: String,
    pub opened: String,
    pub owner: Option<String>,
    pub resolved: Option<String>,
    pub timeline: Vec<TimelineLine>,
    pub can_acknowledge: bool,
    pub can_resolve: bool,
    /// Why the Resolve form was refused, and what was typed.
    pub resolve_error: Option<String>,
    pub note: String,
}

fn event_words(kind: &str) -> &'static str {
    match kind {
        "OPENED" => "Opened",
        "REPEATED" => "Happened again",
        "NOTIFIED" => "Notified",
        "ACKNOWLEDGED" => "Acknowledged",
        "RESOLVED" => "Resolved",
        _ => "Changed",
    }
}

fn timeline_line(tz: chrono_tz::Tz, event: AlertEventRow) -> TimelineLine {
    TimelineLine {
        at: timefmt::minute(tz, event.at),
        what: event_words(&event.kind),
        level: event.level,
        who: event.actor_name,
        detail: event.detail,
        notified: event.kind == "NOTIFIED",
    }
}

async fn alert_page(State(state): State<AppState>, user: UiUser, UiPath(id): UiPath<Uuid>) -> UiResult {
    render_page(&state, &user, id, StatusCode::OK, None, String::new()).await
}

async fn render_page(
    state: &AppState,
    user: &UiUser,
    id: Uuid,
    code: StatusCode,
    resolve_error: Option<String>,
    note: String,
) -> UiResult {
    let detail = state.app.alert(&user.actor, id).await?;
    let tz = state.app.business_timezone().await?;
    let alert = detail.alert;
    let section = state
        .app
        .list_sections(None)
        .await?
        .into_iter()
        .find(|s| s.id == alert.section_id)
        .map(|s| s.name)
        .unwrap_or_default();
    let status = AlertStatus::parse(&alert.status);
    // Everyone of the section reads; its supervisors and the people its policy names act
    // (the use cases check again).
    let may_act = detail.may_act;
    let page = AlertPage {
        layout: user.layout(state, alert.title.clone(), "alerts").await,
        csrf: user.csrf.clone(),
        status: status_words(&alert.status),
        cause: cause_words(&alert.cause),
        section,
        opened: timefmt::minute(tz, alert.opened_at),
        owner: owner_line(tz, &alert),
        resolved: alert.resolved_at.map(|at| {
            let who = detail
                .timeline
                .iter()
                .rev()
                .find(|e| e.kind == "RESOLVED")
                .and_then(|e| e.actor_name.clone())
                .unwrap_or_default();
            format!("resolved by {who} at {}", timefmt::minute(tz, at))
        }),
        timeline: detail.timeline.into_iter().map(|e| timeline_line(tz, e)).collect(),
        can_acknowledge: may_act && status.is_some_and(AlertStatus::can_acknowledge),
        can_resolve: may_act && status.is_some_and(AlertStatus::can_resolve),
        resolve_error,
        note,
        alert,
    };
    Ok(render::page_status(code, &page))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AcknowledgeForm {
    /// Where to go afterwards (a UI path); else the page the button was on.
    pub next: String,
}

/// The page a POST came from, when it is a UI page of this site (the `Referer`, which
/// `Referrer-Policy: same-origin` sends for our own pages only).
fn referring_page(headers: &HeaderMap) -> Option<String> {
    let referer = headers.get(header::REFERER)?.to_str().ok()?;
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let (_, rest) = referer.split_once("://")?;
    let path = rest.strip_prefix(host)?;
    safe_next(path).map(str::to_owned)
}

async fn acknowledge(
    State(state): State<AppState>,
    user: UiUser,
    headers: HeaderMap,
    UiPath(id): UiPath<Uuid>,
    UiForm(form): UiForm<AcknowledgeForm>,
) -> UiResult {
    let back = safe_next(form.next.trim())
        .map(str::to_owned)
        .or_else(|| referring_page(&headers))
        .unwrap_or_else(|| alert_path(id));
    let result = state.app.acknowledge_alert(&user.actor, id).await;
    let done = |alert: AlertRow| format!("You acknowledged \u{201c}{}\u{201d}: it is yours now.", alert.title);
    // A refusal that is about the alert (someone owns it already) goes back as a flash.
    outcome(&headers, result, &back, done, |_, message| async {
        Ok(render::redirect_with_flash(&headers, &back, Flash::error(message)))
    })
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResolveForm {
    pub note: String,
}

async fn resolve(
    State(state): State<AppState>,
    user: UiUser,
    headers: HeaderMap,
    UiPath(id): UiPath<Uuid>,
    UiForm(form): UiForm<ResolveForm>,
) -> UiResult {
    let back = alert_path(id);
    let done = |alert: AlertRow| format!("\u{201c}{}\u{201d} is resolved.", alert.title);
    match state.app.resolve_alert(&user.actor, id, &form.note).await {
        // Someone resolved it first: the page tells so as a flash, without the form.
        Err(AppError::Conflict(message)) => Ok(render::redirect_with_flash(&headers, &back, Flash::error(message))),
        result => {
            let note = form.note.chars().take(2000).collect();
            outcome(&headers, result, &back, done, |code, message| {
                render_page(&state, &user, id, code, Some(message), note)
            })
            .await
        }
    }
}
