//! `/api/v1/checklists/shifts`: the shift definitions (name, start and end time).

use axum::routing::get;
use axum::{Json, Router, extract::State};

use sentinelops_app::shifts::{ShiftInput, ShiftView};

use super::error_responses::{BodyErrors, SessionErrors, WriteErrors};
use crate::error::ApiResult;
use crate::extract::{ApiJson, AuthUser};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/checklists/shifts", get(list_shifts).post(create_shift))
}

#[utoipa::path(get, path = "/api/v1/checklists/shifts", tag = "templates",
    responses((status = 200, body = [ShiftView]), SessionErrors))]
pub async fn list_shifts(State(state): State<AppState>, _auth: AuthUser) -> ApiResult<Json<Vec<ShiftView>>> {
    Ok(Json(state.app.list_shifts().await?))
}

/// Define a shift (admins).
#[utoipa::path(post, path = "/api/v1/checklists/shifts", tag = "templates", request_body = ShiftInput,
    responses((status = 200, body = ShiftView), SessionErrors, BodyErrors, WriteErrors))]
pub async fn create_shift(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(body): ApiJson<ShiftInput>,
) -> ApiResult<Json<ShiftView>> {
    Ok(Json(state.app.create_shift(&auth.actor, body).await?))
}
