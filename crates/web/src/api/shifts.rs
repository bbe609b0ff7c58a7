//! `/api/v1/checklists/shifts`: the shift definitions (name, start and end time).

use axum::{Json, extract::State};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use sentinelops_app::shifts as app;

use super::error_responses::{BodyErrors, SessionErrors, WriteErrors};
use crate::error::ApiResult;
use crate::extract::{ApiJson, AuthUser};
use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_shifts, create_shift))
}

/// A shift as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ShiftView {
    pub id: i32,
    pub name: String,
    pub start_time: String,
    pub end_time: String,
    pub timezone: String,
    pub color: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<app::ShiftView> for ShiftView {
    fn from(s: app::ShiftView) -> ShiftView {
        let r = s.row;
        ShiftView {
            id: r.id,
            name: r.name,
            start_time: app::format_time(r.start_time),
            end_time: app::format_time(r.end_time),
            timezone: s.timezone,
            color: r.color,
            created_at: r.created_at,
        }
    }
}

/// New shift (`POST /checklists/shifts`).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ShiftInput {
    pub name: String,
    pub start_time: String,
    pub end_time: String,
    pub timezone: Option<String>,
    pub color: Option<String>,
}

impl From<ShiftInput> for app::ShiftInput {
    fn from(b: ShiftInput) -> app::ShiftInput {
        app::ShiftInput {
            name: b.name,
            start_time: b.start_time,
            end_time: b.end_time,
            timezone: b.timezone,
            color: b.color,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/checklists/shifts", tag = "templates",
    responses((status = 200, body = [ShiftView]), SessionErrors))]
pub async fn list_shifts(State(state): State<AppState>, _auth: AuthUser) -> ApiResult<Json<Vec<ShiftView>>> {
    Ok(Json(state.app.list_shifts().await?.into_iter().map(ShiftView::from).collect()))
}

/// Define a shift (admins).
#[utoipa::path(post, path = "/api/v1/checklists/shifts", tag = "templates", request_body = ShiftInput,
    responses((status = 200, body = ShiftView), SessionErrors, BodyErrors, WriteErrors))]
pub async fn create_shift(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(body): ApiJson<ShiftInput>,
) -> ApiResult<Json<ShiftView>> {
    Ok(Json(state.app.create_shift(&auth.actor, body.into()).await?.into()))
}
