//! `/api/v1/app-settings/timezone`: the business time zone.

use axum::routing::get;
use axum::{Json, Router, extract::State};
use serde::Deserialize;

use sentinelops_app::settings::TimezoneSetting;

use super::error_responses::{BodyErrors, SessionErrors, WriteErrors};
use crate::error::ApiResult;
use crate::extract::{ApiJson, AuthUser};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/app-settings/timezone", get(get_timezone).put(put_timezone))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TimezoneBody {
    pub timezone: String,
}

/// The business time zone (everyone).
#[utoipa::path(get, path = "/api/v1/app-settings/timezone", tag = "settings",
    responses((status = 200, body = TimezoneSetting), SessionErrors))]
pub async fn get_timezone(State(state): State<AppState>, _auth: AuthUser) -> ApiResult<Json<TimezoneSetting>> {
    Ok(Json(state.app.timezone_setting().await?))
}

/// Change the business time zone (admins; audited).
#[utoipa::path(put, path = "/api/v1/app-settings/timezone", tag = "settings", request_body = TimezoneBody,
    responses((status = 200, body = TimezoneSetting), SessionErrors, BodyErrors, WriteErrors))]
pub async fn put_timezone(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(body): ApiJson<TimezoneBody>,
) -> ApiResult<Json<TimezoneSetting>> {
    Ok(Json(state.app.set_timezone(&auth.actor, &body.timezone).await?))
}
