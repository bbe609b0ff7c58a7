//! The two audit trails over HTTP: `/api/v1/auth/events` (admins) and
//! `/api/v1/ops/events` (admins; managers for their section), as JSON pages or CSV.

use axum::response::{IntoResponse, Response};
use axum::{Json, extract::State};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use sentinelops_app::{AppError, AuthEventQuery, AuthEventRow, OpsEventQuery, OpsEventRow, Page};
use sentinelops_domain::auth::AuthEventType;

use super::audit_export;
use super::error_responses::{QueryErrors, SessionErrors};
use super::lenient::opt_uuid;
use super::paging::{PageRequest, Paginated};
use crate::error::ApiResult;
use crate::extract::{ApiQuery, AuthUser};
use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(auth_events)).routes(routes!(ops_events))
}

/// The query parameters both logs take beside their own filters (read from the same
/// query string as the filters, by a second extractor).
#[derive(Debug, Deserialize)]
pub struct LogParams {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub page: Option<u64>,
    pub limit: Option<u64>,
    pub format: Option<String>,
}

impl LogParams {
    /// Whether a CSV export is asked for, once the format and the time range are checked.
    fn checked(&self) -> Result<bool, AppError> {
        let csv = wants_csv(self.format.as_deref())?;
        check_range(self.from, self.to)?;
        Ok(csv)
    }
}

#[derive(Debug, Deserialize)]
pub struct AuthEventsParams {
    /// One type or several, comma-separated.
    pub event_type: Option<String>,
    #[serde(default, deserialize_with = "opt_uuid")]
    pub user_id: Option<Uuid>,
    pub username: Option<String>,
    pub ip: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuthEventView {
    pub id: Uuid,
    pub event_type: String,
    pub event_time: DateTime<Utc>,
    pub user_id: Option<Uuid>,
    pub username: Option<String>,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
    pub session_id: Option<Uuid>,
    pub metadata: Value,
}

impl From<AuthEventRow> for AuthEventView {
    fn from(r: AuthEventRow) -> Self {
        AuthEventView {
            id: r.id,
            event_type: r.event_type,
            event_time: r.event_time,
            user_id: r.user_id,
            username: r.username,
            ip_address: r.ip,
            user_agent: r.user_agent,
            session_id: r.session_id,
            metadata: r.metadata,
        }
    }
}

fn wants_csv(format: Option<&str>) -> Result<bool, AppError> {
    match format.map(str::to_ascii_lowercase).as_deref() {
        None | Some("json") => Ok(false),
        Some("csv") => Ok(true),
        Some(other) => Err(AppError::Validation(format!("format must be json or csv, not {other:?}"))),
    }
}

fn check_range(from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> Result<(), AppError> {
    for (field, value) in [("from", from), ("to", to)] {
        if let Some(v) = value {
            sentinelops_app::validate::instant(field, v)?;
        }
    }
    match (from, to) {
        (Some(f), Some(t)) if f > t => Err(AppError::Validation("from must not be after to".into())),
        _ => Ok(()),
    }
}

/// One page of a log as JSON in the pagination envelope.
fn json_page<Row, View: From<Row> + Serialize>(page: Page<Row>, request: PageRequest) -> Response {
    let items: Vec<View> = page.rows.into_iter().map(View::from).collect();
    Json(Paginated::new(items, page.total, request)).into_response()
}

fn split_list(value: Option<&str>) -> Vec<String> {
    value.map(|v| v.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()).unwrap_or_default()
}

/// The auth audit log: filters by type, user, IP and time range; `?format=csv` exports.
#[utoipa::path(get, path = "/api/v1/auth/events", tag = "audit",
    params(("event_type" = Option<String>, Query,), ("user_id" = Option<Uuid>, Query,), ("username" = Option<String>, Query,),
           ("ip" = Option<String>, Query,), ("from" = Option<String>, Query,), ("to" = Option<String>, Query,),
           ("page" = Option<u64>, Query,), ("limit" = Option<u64>, Query,), ("format" = Option<String>, Query,)),
    responses((status = 200, description = "{items,total,page,pages,has_next,has_prev} or text/csv"), SessionErrors, QueryErrors))]
pub async fn auth_events(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(params): ApiQuery<AuthEventsParams>,
    ApiQuery(log): ApiQuery<LogParams>,
) -> ApiResult<Response> {
    let csv = log.checked()?;
    let event_types = split_list(params.event_type.as_deref());
    if let Some(bad) = event_types.iter().find(|t| AuthEventType::parse(t).is_none()) {
        return Err(AppError::Validation(format!("unknown event_type {bad:?}")).into());
    }
    let query = AuthEventQuery {
        event_types: event_types.iter().map(|t| t.to_ascii_uppercase()).collect(),
        user_id: params.user_id,
        username: params.username.map(|u| u.trim().to_lowercase()),
        ip: params.ip,
        from: log.from,
        to: log.to,
    };
    if csv {
        return Ok(audit_export::auth_events_csv(&state, &auth.actor, query).await?);
    }
    let request = PageRequest::new(log.page, log.limit, 50, 500)?;
    let page = state.app.auth_events(&auth.actor, &query, request.window()).await?;
    Ok(json_page::<_, AuthEventView>(page, request))
}

#[derive(Debug, Deserialize)]
pub struct OpsEventsParams {
    pub event_type: Option<String>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OpsEventView {
    pub id: Uuid,
    pub event_type: String,
    pub entity_type: String,
    pub entity_id: String,
    pub actor_id: Option<Uuid>,
    pub section_id: Option<Uuid>,
    pub payload: Value,
    pub created_at: DateTime<Utc>,
}

impl From<OpsEventRow> for OpsEventView {
    fn from(r: OpsEventRow) -> Self {
        OpsEventView {
            id: r.id,
            event_type: r.event_type,
            entity_type: r.entity_type,
            entity_id: r.entity_id,
            actor_id: r.actor_id,
            section_id: r.section_id,
            payload: r.payload,
            created_at: r.created_at,
        }
    }
}

/// The operational event log: filters by type, entity and time range; `?format=csv` exports.
#[utoipa::path(get, path = "/api/v1/ops/events", tag = "audit",
    params(("event_type" = Option<String>, Query,), ("entity_type" = Option<String>, Query,), ("entity_id" = Option<String>, Query,),
           ("from" = Option<String>, Query,), ("to" = Option<String>, Query,), ("page" = Option<u64>, Query,),
           ("limit" = Option<u64>, Query,), ("format" = Option<String>, Query,)),
    responses((status = 200, description = "{items,total,page,pages,has_next,has_prev} or text/csv"), SessionErrors, QueryErrors))]
pub async fn ops_events(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(params): ApiQuery<OpsEventsParams>,
    ApiQuery(log): ApiQuery<LogParams>,
) -> ApiResult<Response> {
    let csv = log.checked()?;
    let query = OpsEventQuery {
        event_types: split_list(params.event_type.as_deref()).into_iter().map(|t| t.to_ascii_uppercase()).collect(),
        entity_type: params.entity_type.map(|t| t.trim().to_ascii_uppercase()),
        entity_id: params.entity_id,
        section_id: None,
        actor_id: None,
        from: log.from,
        to: log.to,
    };
    if csv {
        return Ok(audit_export::ops_events_csv(&state, &auth.actor, query).await?);
    }
    let request = PageRequest::new(log.page, log.limit, 50, 500)?;
    let page = state.app.ops_events(&auth.actor, &query, request.window()).await?;
    Ok(json_page::<_, OpsEventView>(page, request))
}
