//! `/api/v1/app-settings/timezone`: the business time zone.

use axum::{Json, extract::State};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use sentinelops_app::settings::{SetBy, TimezoneSetting};

use super::error_responses::{BodyErrors, SessionErrors, WriteErrors};
use crate::error::ApiResult;
use crate::extract::{ApiJson, AuthUser};
use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_timezone, put_timezone))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TimezoneBody {
    pub timezone: String,
}

/// The original's answer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TimezoneAnswer {
    pub timezone: String,
    pub default_timezone: String,
    pub recommended_timezones: Vec<&'static str>,
    /// The username of the admin who set it; `environment` while the zone comes from
    /// configuration, `system` when set without a user (the CLI).
    pub updated_by: String,
    pub updated_at: Option<DateTime<Utc>>,
    pub server_utc: DateTime<Utc>,
    pub server_local: String,
}

impl From<TimezoneSetting> for TimezoneAnswer {
    fn from(s: TimezoneSetting) -> Self {
        let updated_by = match s.updated_by {
            SetBy::Configuration => "environment".to_owned(),
            SetBy::System => "system".to_owned(),
            SetBy::User { id, username } => username.unwrap_or_else(|| id.to_string()),
        };
        TimezoneAnswer {
            timezone: s.timezone,
            default_timezone: s.default_timezone,
            recommended_timezones: s.recommended_timezones,
            updated_by,
            updated_at: s.updated_at,
            server_utc: s.server_utc,
            server_local: s.server_local,
        }
    }
}

/// The business time zone (everyone).
#[utoipa::path(get, path = "/api/v1/app-settings/timezone", tag = "settings",
    responses((status = 200, body = TimezoneAnswer), SessionErrors))]
pub async fn get_timezone(State(state): State<AppState>, _auth: AuthUser) -> ApiResult<Json<TimezoneAnswer>> {
    Ok(Json(state.app.timezone_setting().await?.into()))
}

/// Change the business time zone (admins; audited).
#[utoipa::path(put, path = "/api/v1/app-settings/timezone", tag = "settings", request_body = TimezoneBody,
    responses((status = 200, body = TimezoneAnswer), SessionErrors, BodyErrors, WriteErrors))]
pub async fn put_timezone(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(body): ApiJson<TimezoneBody>,
) -> ApiResult<Json<TimezoneAnswer>> {
    Ok(Json(state.app.set_timezone(&auth.actor, &body.timezone).await?.into()))
}
