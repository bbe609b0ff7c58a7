//! Coverage (issue 20 item 5) under `/api/v1/checklists`: the minimum headcount per
//! shift a section sets, and each day's rostered headcount against it.

use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use sentinelops_app::roster::{CoverageMinimum, RosterQuery, SetCoverageMinimum};

use super::error_responses::{BodyErrors, QueryErrors, SessionErrors, WriteErrors};
use super::roster::{RangeParams, SectionParam};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, AuthUser};
use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_minimums, set_minimum)).routes(routes!(coverage))
}

/// A shift's minimum headcount in a section (0: no minimum).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MinimumView {
    pub shift_id: i32,
    pub shift_name: String,
    pub minimum: u32,
}

impl From<CoverageMinimum> for MinimumView {
    fn from(m: CoverageMinimum) -> Self {
        MinimumView { shift_id: m.shift_id, shift_name: m.shift_name, minimum: m.minimum }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Minimums {
    pub section_id: Uuid,
    /// Every shift, with 0 where no minimum is set.
    pub minimums: Vec<MinimumView>,
}

/// The minimum headcount of each shift in a section (its people, admins naming it).
#[utoipa::path(get, path = "/api/v1/checklists/coverage-minimums", tag = "roster", params(SectionParam),
    responses((status = 200, body = Minimums), SessionErrors, QueryErrors,
              (status = 404, description = "No such section", body = crate::error::Detail)))]
pub async fn list_minimums(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(q): ApiQuery<SectionParam>,
) -> ApiResult<Json<Minimums>> {
    let (section_id, minimums) = state.app.coverage_minimums(&auth.actor, q.section_id).await?;
    Ok(Json(Minimums { section_id, minimums: minimums.into_iter().map(Into::into).collect() }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct MinimumBody {
    pub section_id: Uuid,
    pub shift_id: i32,
    /// 0 (no minimum) to 1000.
    pub minimum: i64,
}

/// Set a shift's minimum headcount in a section (its managers, admins).
#[utoipa::path(put, path = "/api/v1/checklists/coverage-minimums", tag = "roster", request_body = MinimumBody,
    responses((status = 200, body = MinimumView), SessionErrors, BodyErrors, WriteErrors,
              (status = 404, description = "No such section", body = crate::error::Detail)))]
pub async fn set_minimum(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(b): ApiJson<MinimumBody>,
) -> ApiResult<Json<MinimumView>> {
    let input = SetCoverageMinimum { section_id: b.section_id, shift_id: b.shift_id, minimum: b.minimum };
    Ok(Json(state.app.set_coverage_minimum(&auth.actor, input).await?.into()))
}

/// One shift on one day.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CoverageCell {
    pub date: NaiveDate,
    pub shift_id: i32,
    pub shift_name: String,
    /// People rostered on the shift that day.
    pub rostered: u32,
    pub minimum: u32,
    /// People missing (0: covered).
    pub short_by: u32,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Coverage {
    pub section_id: Uuid,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    /// Day by day, each day's shifts in id order.
    pub days: Vec<CoverageCell>,
}

/// Each day's rostered headcount per shift against the section's minimums, from
/// `start_date` (today) to `end_date` (13 days on; at most 366 days).
#[utoipa::path(get, path = "/api/v1/checklists/coverage", tag = "roster", params(RangeParams),
    responses((status = 200, body = Coverage), SessionErrors, QueryErrors,
              (status = 404, description = "No such section", body = crate::error::Detail)))]
pub async fn coverage(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(q): ApiQuery<RangeParams>,
) -> ApiResult<Json<Coverage>> {
    let query = RosterQuery { section_id: q.section_id, start_date: q.start_date, end_date: q.end_date };
    let report = state.app.coverage(&auth.actor, query).await?;
    let name = |id: i32| report.shifts.iter().find(|s| s.id == id).map(|s| s.name.clone()).unwrap_or_default();
    let days = report
        .cells
        .iter()
        .map(|c| CoverageCell {
            date: c.date,
            shift_id: c.shift_id,
            shift_name: name(c.shift_id),
            rostered: c.rostered,
            minimum: c.minimum,
            short_by: c.short_by,
        })
        .collect();
    Ok(Json(Coverage { section_id: report.section_id, start_date: report.start_date, end_date: report.end_date, days }))
}
