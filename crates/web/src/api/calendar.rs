//! Calendar feeds (issue 20 item 6): `/api/v1/checklists/calendar-feed` manages the
//! caller's private iCalendar URL (or, with `section_id`, a section's for its managers),
//! and `crate::feeds` serves it at `/calendar/{token}.ics` without a session.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use sentinelops_app::roster::CalendarFeed;

use super::error_responses::{QueryErrors, SessionErrors, WriteErrors};
use super::roster::SectionParam;
use crate::error::ApiResult;
use crate::extract::{ApiQuery, AuthUser};
use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_feed, revoke_feed)).routes(routes!(rotate_feed))
}

/// A calendar feed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FeedView {
    /// Absent: the caller's own shifts; else the section's roster.
    pub section_id: Option<Uuid>,
    /// The secret URL to subscribe to. Only a hash of its token is kept, so it is given
    /// when the feed is made (first ask, or a rotation) and null afterwards: rotate to
    /// get a new one.
    pub url: Option<String>,
    /// The same, as a path on this server.
    pub path: Option<String>,
    pub created_at: DateTime<Utc>,
}

fn view(state: &AppState, feed: CalendarFeed) -> FeedView {
    let base = state.app.config.mail.public_url.trim_end_matches('/');
    FeedView {
        section_id: feed.section_id,
        url: feed.path.as_ref().map(|p| format!("{base}{p}")),
        path: feed.path,
        created_at: feed.created_at,
    }
}

/// The caller's calendar feed (`section_id`: that section's, for its managers and
/// admins), made on the first ask.
#[utoipa::path(get, path = "/api/v1/checklists/calendar-feed", tag = "roster", params(SectionParam),
    responses((status = 200, body = FeedView), SessionErrors, QueryErrors,
              (status = 404, description = "No such section", body = crate::error::Detail)))]
pub async fn get_feed(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(q): ApiQuery<SectionParam>,
) -> ApiResult<Json<FeedView>> {
    let feed = state.app.calendar_feed(&auth.actor, q.section_id).await?;
    Ok(Json(view(&state, feed)))
}

/// A new secret URL for the feed: the old one stops working at once.
#[utoipa::path(post, path = "/api/v1/checklists/calendar-feed/rotate", tag = "roster", params(SectionParam),
    responses((status = 200, body = FeedView), SessionErrors, QueryErrors, WriteErrors,
              (status = 404, description = "No such section", body = crate::error::Detail)))]
pub async fn rotate_feed(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(q): ApiQuery<SectionParam>,
) -> ApiResult<Json<FeedView>> {
    let feed = state.app.rotate_calendar_feed(&auth.actor, q.section_id).await?;
    Ok(Json(view(&state, feed)))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Revoked {
    /// Whether there was a feed to revoke.
    pub revoked: bool,
}

/// Revoke the feed: its URL answers 404 from now on.
#[utoipa::path(delete, path = "/api/v1/checklists/calendar-feed", tag = "roster", params(SectionParam),
    responses((status = 200, body = Revoked), SessionErrors, QueryErrors, WriteErrors,
              (status = 404, description = "No such section", body = crate::error::Detail)))]
pub async fn revoke_feed(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(q): ApiQuery<SectionParam>,
) -> ApiResult<Json<Revoked>> {
    Ok(Json(Revoked { revoked: state.app.revoke_calendar_feed(&auth.actor, q.section_id).await? }))
}
