//! `/api/v1/reports/checklists.{csv,xlsx}` and `/api/v1/reports/leaderboard.{csv,xlsx}`:
//! the checklist and leaderboard exports (issue 19). Operators and managers get their
//! own section, admins any; the checklist rows stream as they are read.

use axum::extract::State;
use axum::response::Response;
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;

use sentinelops_app::AppError;
use sentinelops_app::exports::ChecklistExportQuery;
use sentinelops_domain::performance::Window;

use super::error_responses::{QueryErrors, SessionErrors};
use super::lenient::opt_uuid;
use crate::error::ApiResult;
use crate::export::{self, FileType};
use crate::extract::{ApiQuery, AuthUser};
use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(checklists_csv))
        .routes(routes!(checklists_xlsx))
        .routes(routes!(leaderboard_csv))
        .routes(routes!(leaderboard_xlsx))
}

/// The checklist export's filters.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChecklistExportParams {
    /// First checklist date (YYYY-MM-DD), included.
    pub from: NaiveDate,
    /// Last checklist date, included; at most 366 days after `from`'s day.
    pub to: NaiveDate,
    /// One section (admins; others may name only their own). Default: all for admins,
    /// one's own section for everyone else.
    #[serde(default, deserialize_with = "opt_uuid")]
    #[param(value_type = Option<Uuid>)]
    pub section_id: Option<Uuid>,
    /// MORNING, AFTERNOON or NIGHT.
    pub shift: Option<String>,
    /// A checklist status (OPEN, IN_PROGRESS, PENDING_REVIEW, COMPLETED, COMPLETED_WITH_EXCEPTIONS, INCOMPLETE).
    pub status: Option<String>,
}

impl From<ChecklistExportParams> for ChecklistExportQuery {
    fn from(p: ChecklistExportParams) -> Self {
        ChecklistExportQuery { from: p.from, to: p.to, section_id: p.section_id, shift: p.shift, status: p.status }
    }
}

/// The leaderboard export's window.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LeaderboardExportParams {
    /// weekly, monthly, quarterly or yearly (default monthly).
    pub window: Option<String>,
}

/// The window asked for; anything but the four keys is a 422.
pub fn parse_window(window: Option<&str>) -> Result<Window, AppError> {
    match window.map(str::trim).filter(|w| !w.is_empty()) {
        None => Ok(Window::Monthly),
        Some(key) => Window::parse(&key.to_ascii_lowercase())
            .ok_or_else(|| AppError::Validation("window must be one of weekly, monthly, quarterly, yearly".into())),
    }
}

async fn checklists(
    state: &AppState,
    auth: &AuthUser,
    params: ChecklistExportParams,
    file_type: FileType,
) -> ApiResult<Response> {
    let export = state.app.checklist_export(&auth.actor, &params.into()).await?;
    Ok(export::checklists::respond(state, export, file_type).await?)
}

async fn leaderboard(
    state: &AppState,
    auth: &AuthUser,
    params: LeaderboardExportParams,
    file_type: FileType,
) -> ApiResult<Response> {
    let window = parse_window(params.window.as_deref())?;
    let board = state.app.leaderboard_export(&auth.actor, window).await?;
    Ok(export::leaderboard::respond(board, file_type).await?)
}

/// Checklists of a date range as CSV: one row per item and per subitem (streamed).
#[utoipa::path(get, path = "/api/v1/reports/checklists.csv", tag = "reports", params(ChecklistExportParams),
    responses((status = 200, description = "text/csv, one row per item or subitem", content_type = "text/csv"),
              SessionErrors, QueryErrors))]
pub async fn checklists_csv(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(params): ApiQuery<ChecklistExportParams>,
) -> ApiResult<Response> {
    checklists(&state, &auth, params, FileType::Csv).await
}

/// Checklists of a date range as an Excel workbook (typed cells, frozen header, filters).
#[utoipa::path(get, path = "/api/v1/reports/checklists.xlsx", tag = "reports", params(ChecklistExportParams),
    responses((status = 200, description = "An Excel workbook, one row per item or subitem",
               content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
              SessionErrors, QueryErrors))]
pub async fn checklists_xlsx(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(params): ApiQuery<ChecklistExportParams>,
) -> ApiResult<Response> {
    checklists(&state, &auth, params, FileType::Xlsx).await
}

/// The caller's leaderboard for a window as CSV (names hidden as the leaderboard hides them).
#[utoipa::path(get, path = "/api/v1/reports/leaderboard.csv", tag = "reports", params(LeaderboardExportParams),
    responses((status = 200, description = "text/csv, one row per ranked user", content_type = "text/csv"),
              SessionErrors, QueryErrors))]
pub async fn leaderboard_csv(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(params): ApiQuery<LeaderboardExportParams>,
) -> ApiResult<Response> {
    leaderboard(&state, &auth, params, FileType::Csv).await
}

/// The caller's leaderboard for a window as an Excel workbook.
#[utoipa::path(get, path = "/api/v1/reports/leaderboard.xlsx", tag = "reports", params(LeaderboardExportParams),
    responses((status = 200, description = "An Excel workbook, one row per ranked user",
               content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
              SessionErrors, QueryErrors))]
pub async fn leaderboard_xlsx(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(params): ApiQuery<LeaderboardExportParams>,
) -> ApiResult<Response> {
    leaderboard(&state, &auth, params, FileType::Xlsx).await
}
