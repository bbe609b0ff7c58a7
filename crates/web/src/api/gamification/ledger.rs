//! `GET /api/v1/gamification/ledger`: the caller's own ledger rows, newest first, with
//! each refusal's reason ("why didn't I get points?").

use axum::{Json, extract::State};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use sentinelops_app::gamification::{LedgerEntry, LedgerQuery};

use crate::api::error_responses::{QueryErrors, SessionErrors};
use crate::error::ApiResult;
use crate::extract::{ApiQuery, AuthUser};
use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(my_ledger))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct LedgerParams {
    /// First activity date (default: 90 days before `end_date`).
    pub start_date: Option<NaiveDate>,
    /// Last activity date (default: today in the business time zone).
    pub end_date: Option<NaiveDate>,
    /// At most this many rows (1–500, default 50).
    pub limit: Option<u64>,
}

/// A ledger row as the caller sees it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LedgerRowJson {
    pub id: Uuid,
    /// PROVISIONAL, CONFIRMED, REFUSED, REVERSAL or ADJUSTMENT.
    pub state: String,
    /// ITEM, SUBITEM, CRITICAL_ITEM, FAILURE_REPORTED, TIMED_START_ON_TIME, …
    pub kind: String,
    /// The original's score reason.
    pub reason: String,
    pub points: i32,
    pub quantity: i32,
    /// What a provisional row will pay once its checklist is signed off.
    pub provisional_points: Option<i64>,
    /// Why a refused row pays nothing.
    pub refusal: Option<String>,
    /// The refusing rule (`skipped`, `early`, `burst`, `self_sign_off`, `self_resolve`).
    pub rule: Option<String>,
    pub title: Option<String>,
    pub detail: Option<String>,
    pub checklist_id: Option<Uuid>,
    pub subject_id: Option<Uuid>,
    pub activity_date: NaiveDate,
    pub shift: Option<String>,
    pub awarded_by: Option<Uuid>,
    pub awarded_at: DateTime<Utc>,
}

impl From<LedgerEntry> for LedgerRowJson {
    fn from(e: LedgerEntry) -> LedgerRowJson {
        let r = e.row;
        LedgerRowJson {
            provisional_points: r.metadata.get("provisional_points").and_then(serde_json::Value::as_i64),
            id: r.id,
            state: r.state,
            kind: r.kind,
            reason: r.reason,
            points: r.points,
            quantity: r.quantity,
            refusal: e.refusal,
            rule: e.rule,
            title: e.title,
            detail: e.detail,
            checklist_id: r.instance_id,
            subject_id: r.subject_id,
            activity_date: r.activity_date,
            shift: r.shift,
            awarded_by: r.awarded_by,
            awarded_at: r.awarded_at,
        }
    }
}

/// The caller's ledger rows in a date window, newest first.
#[utoipa::path(get, path = "/api/v1/gamification/ledger", tag = "gamification", params(LedgerParams),
    responses((status = 200, body = [LedgerRowJson]), SessionErrors, QueryErrors))]
pub async fn my_ledger(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(q): ApiQuery<LedgerParams>,
) -> ApiResult<Json<Vec<LedgerRowJson>>> {
    let query = LedgerQuery { start_date: q.start_date, end_date: q.end_date, limit: q.limit };
    let rows = state.app.my_ledger(&auth.actor, query).await?;
    Ok(Json(rows.into_iter().map(LedgerRowJson::from).collect()))
}
