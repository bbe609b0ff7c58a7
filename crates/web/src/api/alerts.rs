//! Alerts (issue 21): `/api/v1/alerts`, each with its timeline; acknowledge and resolve.
//! Supervisors see their sections' alerts (admins every section's), operators their own
//! section's; the section's supervisors and the people its escalation policy names may
//! acknowledge and resolve.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use sentinelops_app::AppError;
use sentinelops_app::alerts::{AlertDetail, AlertEventRow, AlertQuery, AlertRow};
use sentinelops_domain::alert::AlertStatus;

use super::error_responses::{BodyErrors, PathErrors, QueryErrors, SessionErrors, WriteErrors};
use super::lenient::opt_uuid;
use super::paging::{PageRequest, Paginated};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery, AuthUser};
use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_alerts))
        .routes(routes!(get_alert))
        .routes(routes!(acknowledge_alert))
        .routes(routes!(resolve_alert))
}

/// An alert.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AlertView {
    pub id: Uuid,
    /// OPEN, ACKNOWLEDGED or RESOLVED.
    pub status: String,
    /// ITEM_FAILED, ITEM_MISSED, CHECKLIST_UNSIGNED or COVERAGE_GAP.
    pub cause: String,
    /// The escalation level last notified (1-based).
    pub level: i32,
    /// critical or high.
    pub priority: String,
    pub title: String,
    pub message: String,
    pub section_id: Uuid,
    pub instance_id: Option<Uuid>,
    /// The item (for a subitem, its item).
    pub item_id: Option<Uuid>,
    pub subitem_id: Option<Uuid>,
    pub opened_at: DateTime<Utc>,
    /// The last time its cause happened (again).
    pub last_seen_at: DateTime<Utc>,
    /// How many times the cause happened again while the alert was not resolved.
    pub repeats: i32,
    /// When the next level is notified, if nobody acknowledges first (null: no more).
    pub next_escalation_at: Option<DateTime<Utc>>,
    pub acknowledged_by: Option<Uuid>,
    /// Who acknowledged: a username, or the on-call address of an e-mail link.
    pub acknowledged_by_name: Option<String>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub resolved_by: Option<Uuid>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolution_note: Option<String>,
}

impl From<AlertRow> for AlertView {
    fn from(r: AlertRow) -> Self {
        AlertView {
            id: r.id,
            status: r.status,
            cause: r.cause,
            level: r.level,
            priority: r.priority,
            title: r.title,
            message: r.message,
            section_id: r.section_id,
            instance_id: r.instance_id,
            item_id: r.item_id,
            subitem_id: r.subitem_id,
            opened_at: r.opened_at,
            last_seen_at: r.last_seen_at,
            repeats: r.repeats,
            next_escalation_at: r.next_step_at,
            acknowledged_by: r.acknowledged_by,
            acknowledged_by_name: r.acknowledged_as,
            acknowledged_at: r.acknowledged_at,
            resolved_by: r.resolved_by,
            resolved_at: r.resolved_at,
            resolution_note: r.resolution_note,
        }
    }
}

/// A line of an alert's timeline.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AlertEventView {
    pub at: DateTime<Utc>,
    /// OPENED, REPEATED, NOTIFIED, ACKNOWLEDGED or RESOLVED.
    pub kind: String,
    pub level: i32,
    pub actor_id: Option<Uuid>,
    pub actor_name: Option<String>,
    /// Who was notified, or the resolution note.
    pub detail: Option<String>,
}

impl From<AlertEventRow> for AlertEventView {
    fn from(e: AlertEventRow) -> Self {
        AlertEventView {
            at: e.at,
            kind: e.kind,
            level: e.level,
            actor_id: e.actor_id,
            actor_name: e.actor_name,
            detail: e.detail,
        }
    }
}

/// An alert with its timeline, oldest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AlertDetailView {
    #[serde(flatten)]
    pub alert: AlertView,
    pub timeline: Vec<AlertEventView>,
}

impl From<AlertDetail> for AlertDetailView {
    fn from(d: AlertDetail) -> Self {
        AlertDetailView { alert: d.alert.into(), timeline: d.timeline.into_iter().map(Into::into).collect() }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertParams {
    /// OPEN, ACKNOWLEDGED or RESOLVED; several comma-separated; absent: all.
    pub status: Option<String>,
    /// Admins: one section (default all); others: their own.
    #[serde(default, deserialize_with = "opt_uuid")]
    #[param(value_type = Option<Uuid>)]
    pub section_id: Option<Uuid>,
    /// Page number, from 1.
    pub page: Option<u64>,
    /// Alerts per page, 1–100 (default 50).
    pub limit: Option<u64>,
}

fn statuses(text: Option<&str>) -> Result<Vec<AlertStatus>, AppError> {
    let Some(text) = text.filter(|t| !t.trim().is_empty()) else { return Ok(Vec::new()) };
    text.split(',')
        .map(|s| {
            AlertStatus::parse(s).ok_or_else(|| {
                AppError::Validation(format!("status must be OPEN, ACKNOWLEDGED or RESOLVED, not {:?}", s.trim()))
            })
        })
        .collect()
}

/// Alerts, newest first, in the original's page envelope.
#[utoipa::path(get, path = "/api/v1/alerts", tag = "alerts", params(AlertParams),
    responses((status = 200, description = "{items,total,page,pages,has_next,has_prev} of alerts"), SessionErrors, QueryErrors))]
pub async fn list_alerts(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(q): ApiQuery<AlertParams>,
) -> ApiResult<Json<Paginated<AlertView>>> {
    let request = PageRequest::new(q.page, q.limit, 50, 100)?;
    let query =
        AlertQuery { statuses: statuses(q.status.as_deref())?, section_id: q.section_id, window: request.window() };
    let page = state.app.list_alerts(&auth.actor, query).await?;
    let items = page.rows.into_iter().map(AlertView::from).collect();
    Ok(Json(Paginated::new(items, page.total, request)))
}

/// One alert with its timeline.
#[utoipa::path(get, path = "/api/v1/alerts/{alert_id}", tag = "alerts",
    params(("alert_id" = Uuid, Path, description = "The alert's id")),
    responses((status = 200, body = AlertDetailView), SessionErrors, PathErrors))]
pub async fn get_alert(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<AlertDetailView>> {
    Ok(Json(state.app.alert(&auth.actor, id).await?.into()))
}

/// Acknowledge an OPEN alert: it is yours, and its escalation stops.
#[utoipa::path(post, path = "/api/v1/alerts/{alert_id}/acknowledge", tag = "alerts",
    params(("alert_id" = Uuid, Path, description = "The alert's id")),
    responses((status = 200, body = AlertView), SessionErrors, PathErrors, WriteErrors))]
pub async fn acknowledge_alert(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<AlertView>> {
    Ok(Json(state.app.acknowledge_alert(&auth.actor, id).await?.into()))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ResolveBody {
    /// What was done (required, up to 2000 characters).
    pub note: Option<String>,
}

/// Resolve an alert that is not resolved yet, saying what was done.
#[utoipa::path(post, path = "/api/v1/alerts/{alert_id}/resolve", tag = "alerts", request_body = ResolveBody,
    params(("alert_id" = Uuid, Path, description = "The alert's id")),
    responses((status = 200, body = AlertView), SessionErrors, PathErrors, BodyErrors, WriteErrors))]
pub async fn resolve_alert(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(b): ApiJson<ResolveBody>,
) -> ApiResult<Json<AlertView>> {
    Ok(Json(state.app.resolve_alert(&auth.actor, id, b.note.as_deref().unwrap_or("")).await?.into()))
}
