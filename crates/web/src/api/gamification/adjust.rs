//! `POST /api/v1/gamification/adjustments`: a supervisor's points adjustment with its
//! reason (a ledger row, an ops event, a notification to the user).

use axum::{Json, extract::State, http::StatusCode};
use serde::Deserialize;
use uuid::Uuid;

use sentinelops_app::gamification::{Adjustment, LedgerEntry};

use super::ledger::LedgerRowJson;
use crate::api::error_responses::{BodyErrors, PathErrors, SessionErrors, WriteErrors};
use crate::error::ApiResult;
use crate::extract::{ApiJson, AuthUser};
use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(adjust_points))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct AdjustmentBody {
    pub user_id: Uuid,
    /// Non-zero, at most 1000 either way.
    pub points: i32,
    /// Why (3–500 characters once trimmed).
    #[serde(default)]
    pub reason: Option<String>,
}

/// Adjust a user's points (a manager of their section or an admin; never one's own).
#[utoipa::path(post, path = "/api/v1/gamification/adjustments", tag = "gamification", request_body = AdjustmentBody,
    responses((status = 201, body = LedgerRowJson), SessionErrors, BodyErrors, PathErrors, WriteErrors))]
pub async fn adjust_points(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(body): ApiJson<AdjustmentBody>,
) -> ApiResult<(StatusCode, Json<LedgerRowJson>)> {
    let input = Adjustment { user_id: body.user_id, points: body.points, reason: body.reason.unwrap_or_default() };
    let row = state.app.adjust_points(&auth.actor, input).await?;
    Ok((StatusCode::CREATED, Json(LedgerRowJson::from(LedgerEntry::of(row)))))
}
