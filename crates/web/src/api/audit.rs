//! The two audit trails over HTTP: `/api/v1/auth/events` (admins) and
//! `/api/v1/ops/events` (admins; managers for their section), as JSON pages or CSV.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::{Json, extract::State};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use sentinelops_app::{AppError, AuthEventQuery, AuthEventRow, OpsEventQuery, OpsEventRow, Page, Window};
use sentinelops_domain::auth::AuthEventType;

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

/// Rows in one CSV export at most; narrow the filters for more.
pub const CSV_ROW_CAP: u64 = 100_000;

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

/// How a log listing answers: one page of JSON in the pagination envelope, or
/// (`?format=csv`) a download of the first `CSV_ROW_CAP` rows.
#[derive(Debug, Clone, Copy)]
enum Listing {
    Page(PageRequest),
    Csv,
}

impl Listing {
    fn new(csv: bool, page: Option<u64>, limit: Option<u64>) -> Result<Listing, AppError> {
        if csv { Ok(Listing::Csv) } else { Ok(Listing::Page(PageRequest::new(page, limit, 50, 500)?)) }
    }

    fn window(self) -> Window {
        match self {
            Listing::Page(request) => request.window(),
            Listing::Csv => Window { offset: 0, limit: CSV_ROW_CAP },
        }
    }

    fn answer<Row, View: From<Row> + Serialize>(
        self,
        page: Page<Row>,
        csv: fn(Vec<Row>) -> ApiResult<Response>,
    ) -> ApiResult<Response> {
        match self {
            Listing::Csv => csv(page.rows),
            Listing::Page(request) => {
                let items: Vec<View> = page.rows.into_iter().map(View::from).collect();
                Ok(Json(Paginated::new(items, page.total, request)).into_response())
            }
        }
    }
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
    let listing = Listing::new(csv, log.page, log.limit)?;
    let page = state.app.auth_events(&auth.actor, &query, listing.window()).await?;
    listing.answer::<_, AuthEventView>(page, auth_events_csv)
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
    let listing = Listing::new(csv, log.page, log.limit)?;
    let page = state.app.ops_events(&auth.actor, &query, listing.window()).await?;
    listing.answer::<_, OpsEventView>(page, ops_events_csv)
}

/// The auth audit log as a CSV download (shared with the UI's export).
pub fn auth_events_csv(rows: Vec<AuthEventRow>) -> ApiResult<Response> {
    let header =
        ["id", "event_type", "event_time", "user_id", "username", "ip_address", "user_agent", "session_id", "metadata"];
    let rows = rows.into_iter().map(|r| {
        vec![
            r.id.to_string(),
            r.event_type,
            r.event_time.to_rfc3339(),
            opt(r.user_id),
            r.username.unwrap_or_default(),
            r.ip.unwrap_or_default(),
            r.user_agent.unwrap_or_default(),
            opt(r.session_id),
            r.metadata.to_string(),
        ]
    });
    csv_response("auth-events.csv", &header, rows)
}

/// The operational event log as a CSV download (shared with the UI's export).
pub fn ops_events_csv(rows: Vec<OpsEventRow>) -> ApiResult<Response> {
    let header = ["id", "event_type", "entity_type", "entity_id", "actor_id", "section_id", "created_at", "payload"];
    let rows = rows.into_iter().map(|r| {
        vec![
            r.id.to_string(),
            r.event_type,
            r.entity_type,
            r.entity_id,
            opt(r.actor_id),
            opt(r.section_id),
            r.created_at.to_rfc3339(),
            r.payload.to_string(),
        ]
    });
    csv_response("ops-events.csv", &header, rows)
}

fn opt(id: Option<Uuid>) -> String {
    id.map(|u| u.to_string()).unwrap_or_default()
}

fn csv_response(filename: &str, header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> ApiResult<Response> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let internal = |e: csv::Error| AppError::Internal(format!("csv: {e}"));
    writer.write_record(header).map_err(internal)?;
    for row in rows {
        writer.write_record(row.iter().map(|cell| neutralise_formula(cell))).map_err(internal)?;
    }
    let body = writer.into_inner().map_err(|e| AppError::Internal(format!("csv: {e}")))?;
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// Spreadsheets run cells that start with `=`, `+`, `-` or `@`; an attacker controls
/// usernames and user agents, so such cells get a leading apostrophe.
fn neutralise_formula(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_owned(),
    }
}
