//! `GET`/`PUT /api/v1/gamification/sections/{section_id}/settings`: name hiding on the
//! section's leaderboard.

use axum::{Json, extract::State};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use sentinelops_app::gamification::settings::LeaderboardSettings;

use crate::api::error_responses::{BodyErrors, PathErrors, SessionErrors, WriteErrors};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, AuthUser};
use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_settings, put_settings))
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct SettingsInput {
    pub hide_leaderboard_names: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SettingsJson {
    pub section_id: Uuid,
    pub hide_leaderboard_names: bool,
}

impl From<LeaderboardSettings> for SettingsJson {
    fn from(s: LeaderboardSettings) -> Self {
        SettingsJson { section_id: s.section_id, hide_leaderboard_names: s.hide_leaderboard_names }
    }
}

/// The section's leaderboard setting (its members and admins).
#[utoipa::path(get, path = "/api/v1/gamification/sections/{section_id}/settings", tag = "gamification",
    params(("section_id" = Uuid, Path,)),
    responses((status = 200, body = SettingsJson), SessionErrors, PathErrors))]
pub async fn get_settings(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(section_id): ApiPath<Uuid>,
) -> ApiResult<Json<SettingsJson>> {
    Ok(Json(state.app.leaderboard_settings(&auth.actor, section_id).await?.into()))
}

/// Hides or shows names on the section's leaderboard (its manager or an admin).
#[utoipa::path(put, path = "/api/v1/gamification/sections/{section_id}/settings", tag = "gamification",
    params(("section_id" = Uuid, Path,)), request_body = SettingsInput,
    responses((status = 200, body = SettingsJson), SessionErrors, PathErrors, BodyErrors, WriteErrors))]
pub async fn put_settings(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(section_id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<SettingsInput>,
) -> ApiResult<Json<SettingsJson>> {
    let saved = state.app.set_leaderboard_settings(&auth.actor, section_id, input.hide_leaderboard_names).await?;
    Ok(Json(saved.into()))
}
