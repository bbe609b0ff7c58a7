//! The roster (issue 20) at the original's scheduling paths under `/api/v1/checklists`
//! (contract §3): scheduled shifts, shift patterns, bulk assignment, days off, shift
//! exceptions and `my-schedule` — section-scoped, with the original's answers — plus
//! listing and deciding days off, which the original lacked.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use sentinelops_app::roster::{
    BulkAssign, DayOffDecision, DayOffInput, DayOffRow, ExceptionInput, MyDay, NewScheduledShift, PatternDayInput,
    PatternInput, PatternRow, RosterEntry, RosterQuery,
};
use sentinelops_app::shifts::format_time;

use super::error_responses::{BodyErrors, PathErrors, QueryErrors, SessionErrors, WriteErrors};
use super::lenient::{opt_int, opt_uuid};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery, AuthUser};
use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_scheduled_shifts, create_scheduled_shift))
        .routes(routes!(delete_scheduled_shift))
        .routes(routes!(list_patterns, create_pattern))
        .routes(routes!(get_pattern, update_pattern, delete_pattern))
        .routes(routes!(bulk_assign))
        .routes(routes!(list_days_off, request_day_off))
        .routes(routes!(decide_day_off))
        .routes(routes!(shift_exception))
        .routes(routes!(my_schedule))
}

// ---- Scheduled shifts ----

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RangeParams {
    /// First date (default today).
    pub start_date: Option<NaiveDate>,
    /// Last date, included (default 30 days on; at most 366 days).
    pub end_date: Option<NaiveDate>,
    /// A section (admins: any, default every section; others: their own).
    #[serde(default, deserialize_with = "opt_uuid")]
    #[param(value_type = Option<Uuid>)]
    pub section_id: Option<Uuid>,
}

/// A rostered shift, as the original's `scheduled_shifts` row.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ScheduledShiftView {
    pub id: Uuid,
    pub shift_id: i32,
    pub user_id: Uuid,
    pub date: NaiveDate,
    pub start_ts: Option<DateTime<Utc>>,
    pub end_ts: Option<DateTime<Utc>>,
    pub assigned_by: Option<Uuid>,
    pub status: String,
}

impl From<RosterEntry> for ScheduledShiftView {
    fn from(e: RosterEntry) -> Self {
        ScheduledShiftView {
            id: e.id,
            shift_id: e.shift_id,
            user_id: e.user_id,
            date: e.date,
            start_ts: e.start_ts,
            end_ts: e.end_ts,
            assigned_by: e.assigned_by,
            status: e.status,
        }
    }
}

/// The rostered shifts of a range: single shifts, exceptions and the days patterns
/// give, with days off taken out.
#[utoipa::path(get, path = "/api/v1/checklists/scheduled-shifts", tag = "roster", params(RangeParams),
    responses((status = 200, body = [ScheduledShiftView]), SessionErrors, QueryErrors))]
pub async fn list_scheduled_shifts(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(q): ApiQuery<RangeParams>,
) -> ApiResult<Json<Vec<ScheduledShiftView>>> {
    let query = RosterQuery { section_id: q.section_id, start_date: q.start_date, end_date: q.end_date };
    Ok(Json(state.app.roster_entries(&auth.actor, query).await?.into_iter().map(Into::into).collect()))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ScheduledShiftInput {
    #[serde(deserialize_with = "required_int")]
    #[schema(value_type = i32)]
    pub shift_id: i32,
    pub user_id: Uuid,
    pub date: NaiveDate,
    /// Accepted and ignored: the window comes from the shift.
    #[schema(value_type = Option<String>)]
    pub start_ts: Option<Value>,
    #[schema(value_type = Option<String>)]
    pub end_ts: Option<Value>,
    /// Free text (default ASSIGNED); CANCELLED keeps the row off the roster.
    pub status: Option<String>,
}

/// A number or a numeric string.
pub(crate) fn required_int<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i32, D::Error> {
    opt_int(d)?.ok_or_else(|| serde::de::Error::custom("a number is required"))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Created {
    pub id: Uuid,
}

/// Roster one person for one shift on one date (managers of their section, admins).
#[utoipa::path(post, path = "/api/v1/checklists/scheduled-shifts", tag = "roster", request_body = ScheduledShiftInput,
    responses((status = 200, body = Created), SessionErrors, BodyErrors, WriteErrors,
              (status = 404, description = "No such user", body = crate::error::Detail)))]
pub async fn create_scheduled_shift(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(b): ApiJson<ScheduledShiftInput>,
) -> ApiResult<Json<Created>> {
    let input = NewScheduledShift { shift_id: b.shift_id, user_id: b.user_id, date: b.date, status: b.status };
    let row = state.app.create_scheduled_shift(&auth.actor, input).await?;
    Ok(Json(Created { id: row.id }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Deleted {
    pub deleted: bool,
}

#[utoipa::path(delete, path = "/api/v1/checklists/scheduled-shifts/{scheduled_shift_id}", tag = "roster",
    params(("scheduled_shift_id" = Uuid, Path, description = "The scheduled shift's id")),
    responses((status = 200, body = Deleted), SessionErrors, PathErrors, WriteErrors))]
pub async fn delete_scheduled_shift(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Deleted>> {
    state.app.delete_scheduled_shift(&auth.actor, id).await?;
    Ok(Json(Deleted { deleted: true }))
}

// ---- Patterns ----

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SectionParam {
    /// Admins: one section (default all); others get their own.
    #[serde(default, deserialize_with = "opt_uuid")]
    #[param(value_type = Option<Uuid>)]
    pub section_id: Option<Uuid>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PatternSummary {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub pattern_type: String,
    #[schema(value_type = Object)]
    pub metadata: Value,
    pub created_at: DateTime<Utc>,
}

impl From<PatternRow> for PatternSummary {
    fn from(p: PatternRow) -> Self {
        PatternSummary {
            id: p.id,
            name: p.name,
            description: p.description,
            pattern_type: p.pattern_type,
            metadata: p.metadata,
            created_at: p.created_at,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/checklists/shift-patterns", tag = "roster", params(SectionParam),
    responses((status = 200, body = [PatternSummary]), SessionErrors, QueryErrors))]
pub async fn list_patterns(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(q): ApiQuery<SectionParam>,
) -> ApiResult<Json<Vec<PatternSummary>>> {
    Ok(Json(state.app.list_patterns(&auth.actor, q.section_id).await?.into_iter().map(Into::into).collect()))
}

/// A pattern with its week: `schedule` maps each day's English name (Sunday first) to
/// its shift, or to `{"off_day": true}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PatternDetail {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub pattern_type: String,
    pub section_id: Uuid,
    #[schema(value_type = Object)]
    pub metadata: Value,
    #[schema(value_type = Object)]
    pub schedule: Value,
}

#[utoipa::path(get, path = "/api/v1/checklists/shift-patterns/{pattern_id}", tag = "roster",
    params(("pattern_id" = Uuid, Path, description = "The pattern's id")),
    responses((status = 200, body = PatternDetail), SessionErrors, PathErrors))]
pub async fn get_pattern(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<PatternDetail>> {
    let view = state.app.pattern(&auth.actor, id).await?;
    let mut schedule = Map::new();
    for (name, day, shift) in view.days {
        let value = match (day.is_off_day, shift) {
            (true, _) => json!({"off_day": true}),
            (false, Some(s)) => json!({"shift_id": s.id, "shift_name": s.name, "start_time": format_time(s.start_time),
                                       "end_time": format_time(s.end_time), "color": s.color}),
            // A working day whose shift is gone: left out, as the original does.
            (false, None) => continue,
        };
        schedule.insert(name.to_owned(), value);
    }
    let p = view.row;
    Ok(Json(PatternDetail {
        id: p.id,
        name: p.name,
        description: p.description,
        pattern_type: p.pattern_type,
        section_id: p.section_id,
        metadata: p.metadata,
        schedule: Value::Object(schedule),
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PatternDayBody {
    /// 0 = Sunday … 6 = Saturday.
    pub day_of_week: i64,
    #[serde(default, deserialize_with = "opt_int")]
    #[schema(value_type = Option<i32>)]
    pub shift_id: Option<i32>,
    #[serde(default)]
    pub is_off_day: bool,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PatternBody {
    pub name: Option<String>,
    pub description: Option<String>,
    /// FIXED, ROTATING or CUSTOM (default CUSTOM).
    pub pattern_type: Option<String>,
    /// Admins: the section of a new pattern (required); others: ignored.
    #[serde(default, deserialize_with = "opt_uuid")]
    #[schema(value_type = Option<Uuid>)]
    pub section_id: Option<Uuid>,
    /// All seven days (replaces the week on an update).
    pub schedule_days: Option<Vec<PatternDayBody>>,
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<Value>,
}

impl From<PatternBody> for PatternInput {
    fn from(b: PatternBody) -> Self {
        PatternInput {
            name: b.name,
            description: b.description,
            pattern_type: b.pattern_type,
            section_id: b.section_id,
            schedule_days: b.schedule_days.map(|days| {
                days.into_iter()
                    .map(|d| PatternDayInput {
                        day_of_week: d.day_of_week,
                        shift_id: d.shift_id,
                        is_off_day: d.is_off_day,
                    })
                    .collect()
            }),
            metadata: b.metadata.filter(|m| !m.is_null()),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PatternSaved {
    pub success: bool,
    pub pattern: PatternSummary,
    pub message: String,
}

/// Create a weekly pattern (managers in their section, admins in any).
#[utoipa::path(post, path = "/api/v1/checklists/shift-patterns", tag = "roster", request_body = PatternBody,
    responses((status = 200, body = PatternSaved), SessionErrors, BodyErrors, WriteErrors))]
pub async fn create_pattern(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(b): ApiJson<PatternBody>,
) -> ApiResult<Json<PatternSaved>> {
    let row = state.app.create_pattern(&auth.actor, b.into()).await?;
    Ok(Json(PatternSaved { success: true, pattern: row.into(), message: "Shift pattern created successfully".into() }))
}

/// Change a pattern: people assigned to it follow it from today.
#[utoipa::path(put, path = "/api/v1/checklists/shift-patterns/{pattern_id}", tag = "roster", request_body = PatternBody,
    params(("pattern_id" = Uuid, Path, description = "The pattern's id")),
    responses((status = 200, body = PatternSaved), SessionErrors, PathErrors, BodyErrors, WriteErrors))]
pub async fn update_pattern(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(b): ApiJson<PatternBody>,
) -> ApiResult<Json<PatternSaved>> {
    let row = state.app.update_pattern(&auth.actor, id, b.into()).await?;
    Ok(Json(PatternSaved { success: true, pattern: row.into(), message: "Shift pattern updated successfully".into() }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Done {
    pub success: bool,
    pub message: String,
}

#[utoipa::path(delete, path = "/api/v1/checklists/shift-patterns/{pattern_id}", tag = "roster",
    params(("pattern_id" = Uuid, Path, description = "The pattern's id")),
    responses((status = 200, body = Done), SessionErrors, PathErrors, WriteErrors))]
pub async fn delete_pattern(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Done>> {
    state.app.delete_pattern(&auth.actor, id).await?;
    Ok(Json(Done { success: true, message: "Pattern deleted successfully".into() }))
}

// ---- Bulk assignment and exceptions ----

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct BulkAssignBody {
    pub users: Vec<Uuid>,
    pub pattern_id: Uuid,
    pub start_date: NaiveDate,
    /// Absent or null: open-ended.
    pub end_date: Option<NaiveDate>,
    pub section_id: Uuid,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BulkAssignAnswer {
    pub success: bool,
    /// New assignments, one per user.
    pub assignments_created: usize,
    /// "User <id>: <why>" for each user left out.
    pub errors: Vec<String>,
    pub message: String,
}

/// Give a pattern to people of the section from a date (open-ended or not).
#[utoipa::path(post, path = "/api/v1/checklists/bulk-assign-shifts", tag = "roster", request_body = BulkAssignBody,
    responses((status = 200, body = BulkAssignAnswer), SessionErrors, BodyErrors, WriteErrors))]
pub async fn bulk_assign(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(b): ApiJson<BulkAssignBody>,
) -> ApiResult<Json<BulkAssignAnswer>> {
    let people = b.users.len();
    let input = BulkAssign {
        users: b.users,
        pattern_id: b.pattern_id,
        start_date: b.start_date,
        end_date: b.end_date,
        section_id: b.section_id,
    };
    let done = state.app.bulk_assign(&auth.actor, input).await?;
    let message =
        format!("Assigned the {} pattern to {} of {people} user(s)", done.pattern_name, people - done.errors.len());
    Ok(Json(BulkAssignAnswer {
        success: true,
        assignments_created: done.assignments_created,
        errors: done.errors,
        message,
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ExceptionBody {
    pub user_id: Uuid,
    pub exception_date: NaiveDate,
    #[serde(default, deserialize_with = "opt_int")]
    #[schema(value_type = Option<i32>)]
    pub shift_id: Option<i32>,
    #[serde(default)]
    pub is_day_off: bool,
    pub reason: Option<String>,
}

/// Set one person's day by hand: off, or one shift instead of what the roster gives.
#[utoipa::path(post, path = "/api/v1/checklists/shift-exception", tag = "roster", request_body = ExceptionBody,
    responses((status = 200, body = Done), SessionErrors, BodyErrors, WriteErrors,
              (status = 404, description = "No such user", body = crate::error::Detail)))]
pub async fn shift_exception(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(b): ApiJson<ExceptionBody>,
) -> ApiResult<Json<Done>> {
    let input = ExceptionInput {
        user_id: b.user_id,
        date: b.exception_date,
        shift_id: b.shift_id,
        is_day_off: b.is_day_off,
        reason: b.reason,
    };
    let row = state.app.set_shift_exception(&auth.actor, input).await?;
    Ok(Json(Done { success: true, message: format!("Exception created (ID: {})", row.id) }))
}

// ---- Days off ----

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct DayOffBody {
    /// Default: the caller.
    #[serde(default, deserialize_with = "opt_uuid")]
    #[schema(value_type = Option<Uuid>)]
    pub user_id: Option<Uuid>,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub reason: Option<String>,
    /// Honoured for a manager of the person's section or an admin; otherwise a request.
    #[serde(default)]
    pub approved: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DayOffAnswer {
    pub success: bool,
    pub message: String,
    /// APPROVED or PENDING.
    pub status: String,
}

/// Register days off: a request (PENDING) for oneself, or approved at once by a
/// manager of the person's section or an admin.
#[utoipa::path(post, path = "/api/v1/checklists/days-off", tag = "roster", request_body = DayOffBody,
    responses((status = 200, body = DayOffAnswer), SessionErrors, BodyErrors, WriteErrors,
              (status = 404, description = "No such user", body = crate::error::Detail)))]
pub async fn request_day_off(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(b): ApiJson<DayOffBody>,
) -> ApiResult<Json<DayOffAnswer>> {
    let input = DayOffInput {
        user_id: b.user_id,
        start_date: b.start_date,
        end_date: b.end_date,
        reason: b.reason,
        approved: b.approved,
    };
    let done = state.app.request_day_off(&auth.actor, input).await?;
    Ok(Json(DayOffAnswer {
        success: true,
        message: format!("Days off registered (ID: {})", done.row.id),
        status: done.row.status,
    }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DayOffView {
    pub id: Uuid,
    pub user_id: Uuid,
    pub section_id: Uuid,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub reason: String,
    /// PENDING, APPROVED, REJECTED or CANCELLED.
    pub status: String,
    pub requested_by: Option<Uuid>,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<DayOffRow> for DayOffView {
    fn from(d: DayOffRow) -> Self {
        DayOffView {
            id: d.id,
            user_id: d.user_id,
            section_id: d.section_id,
            start_date: d.start_date,
            end_date: d.end_date,
            reason: d.reason,
            status: d.status,
            requested_by: d.requested_by,
            decided_by: d.decided_by,
            decided_at: d.decided_at,
            created_at: d.created_at,
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DaysOffParams {
    /// Admins: one section (default all); managers: their own; operators see their own days off.
    #[serde(default, deserialize_with = "opt_uuid")]
    #[param(value_type = Option<Uuid>)]
    pub section_id: Option<Uuid>,
    /// PENDING, APPROVED, REJECTED or CANCELLED.
    pub status: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/checklists/days-off", tag = "roster", params(DaysOffParams),
    responses((status = 200, body = [DayOffView]), SessionErrors, QueryErrors))]
pub async fn list_days_off(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(q): ApiQuery<DaysOffParams>,
) -> ApiResult<Json<Vec<DayOffView>>> {
    let rows = state.app.list_days_off(&auth.actor, q.section_id, q.status).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

/// A decision on a day off, as the path names it.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// A pending request (managers of the section, admins).
    Approve,
    /// A pending request (managers of the section, admins).
    Reject,
    /// A pending or approved day off (the person, managers of the section, admins).
    Cancel,
}

/// Approve, reject or cancel a day off; the person is told.
#[utoipa::path(post, path = "/api/v1/checklists/days-off/{day_off_id}/{decision}", tag = "roster",
    params(("day_off_id" = Uuid, Path, description = "The day off's id"),
           ("decision" = inline(Decision), Path, description = "approve, reject or cancel")),
    responses((status = 200, body = DayOffView), SessionErrors, PathErrors, WriteErrors))]
pub async fn decide_day_off(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath((id, decision)): ApiPath<(Uuid, Decision)>,
) -> ApiResult<Json<DayOffView>> {
    let decision = match decision {
        Decision::Approve => DayOffDecision::Approve,
        Decision::Reject => DayOffDecision::Reject,
        Decision::Cancel => DayOffDecision::Cancel,
    };
    Ok(Json(state.app.decide_day_off(&auth.actor, id, decision).await?.into()))
}

// ---- My schedule ----

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MyScheduleParams {
    /// Default today.
    pub start_date: Option<NaiveDate>,
    /// Default 90 days on; at most 366 days after the start.
    pub end_date: Option<NaiveDate>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MySchedule {
    pub user_id: Uuid,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    /// One entry per date: `{date, type: SHIFT, shift_id, shift_name, start_time, end_time, color, status}`,
    /// `{date, type: OFF_DAY, reason, status}` or `{date, type: UNSCHEDULED}`.
    #[schema(value_type = Vec<Object>)]
    pub schedule: Vec<Value>,
}

/// The caller's own days, one entry per date.
#[utoipa::path(get, path = "/api/v1/checklists/my-schedule", tag = "roster", params(MyScheduleParams),
    responses((status = 200, body = MySchedule), SessionErrors, QueryErrors))]
pub async fn my_schedule(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(q): ApiQuery<MyScheduleParams>,
) -> ApiResult<Json<MySchedule>> {
    let (start_date, end_date, days) = state.app.my_schedule(&auth.actor, q.start_date, q.end_date).await?;
    let schedule = days
        .into_iter()
        .map(|day| match day {
            MyDay::Shift { date, entry_id, shift, status } => json!({
                "date": date, "type": "SHIFT", "shift_id": entry_id, "shift_name": shift.name,
                "start_time": format_time(shift.start_time), "end_time": format_time(shift.end_time),
                "color": shift.color, "status": status,
            }),
            MyDay::Off { date, reason, status } => {
                json!({"date": date, "type": "OFF_DAY", "reason": reason, "status": status})
            }
            MyDay::Unscheduled { date } => json!({"date": date, "type": "UNSCHEDULED"}),
        })
        .collect();
    Ok(Json(MySchedule { user_id: auth.actor.user_id, start_date, end_date, schedule }))
}
