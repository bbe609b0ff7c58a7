//! `/api/v1/checklists/shifts`: the shift definitions (name, start and end time, zone,
//! colour). Admins define, change and delete them; a change applies to checklists
//! created afterwards.

use axum::{Json, extract::State};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use sentinelops_app::shifts as app;

use super::error_responses::{BodyErrors, PathErrors, SessionErrors, WriteErrors};
use super::lenient::patch_text;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, AuthUser};
use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_shifts, create_shift)).routes(routes!(
        get_shift,
        update_shift,
        delete_shift
    ))
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

/// A change to a shift (`PUT /checklists/shifts/{id}`): absent fields keep their value;
/// a null `timezone` or `color` clears it. The original frontend sends every field,
/// `name` included: a shift's name is its code and cannot change.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ShiftUpdate {
    pub name: Option<String>,
    pub start_time: Option<String>,
    pub end_time: Option<String>,
    #[serde(default, deserialize_with = "patch_text")]
    #[schema(value_type = Option<String>)]
    pub timezone: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch_text")]
    #[schema(value_type = Option<String>)]
    pub color: Option<Option<String>>,
    /// Accepted and ignored (the original frontend sends `{}`).
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<serde_json::Value>,
}

/// The result of `DELETE /checklists/shifts/{id}`, as the original frontend reads it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ShiftDeleted {
    pub deleted: bool,
    pub id: i32,
}

#[utoipa::path(get, path = "/api/v1/checklists/shifts/{shift_id}", tag = "templates",
    params(("shift_id" = i32, Path, description = "The shift's id")),
    responses((status = 200, body = ShiftView), SessionErrors, PathErrors))]
pub async fn get_shift(
    State(state): State<AppState>,
    _auth: AuthUser,
    ApiPath(id): ApiPath<i32>,
) -> ApiResult<Json<ShiftView>> {
    Ok(Json(state.app.shift(id).await?.into()))
}

/// Change a shift's window, zone or colour (admins). Checklists already created keep
/// the window they were created with.
#[utoipa::path(put, path = "/api/v1/checklists/shifts/{shift_id}", tag = "templates", request_body = ShiftUpdate,
    params(("shift_id" = i32, Path, description = "The shift's id")),
    responses((status = 200, body = ShiftView), SessionErrors, PathErrors, BodyErrors, WriteErrors))]
pub async fn update_shift(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<i32>,
    ApiJson(body): ApiJson<ShiftUpdate>,
) -> ApiResult<Json<ShiftView>> {
    let change = app::ShiftChange {
        name: body.name,
        start_time: body.start_time,
        end_time: body.end_time,
        timezone: body.timezone.map(Option::unwrap_or_default),
        color: body.color.map(Option::unwrap_or_default),
    };
    Ok(Json(state.app.update_shift(&auth.actor, id, change).await?.into()))
}

/// Delete a shift definition no active template uses (admins); 409 says what uses it.
#[utoipa::path(delete, path = "/api/v1/checklists/shifts/{shift_id}", tag = "templates",
    params(("shift_id" = i32, Path, description = "The shift's id")),
    responses((status = 200, body = ShiftDeleted), SessionErrors, PathErrors, WriteErrors))]
pub async fn delete_shift(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<i32>,
) -> ApiResult<Json<ShiftDeleted>> {
    state.app.delete_shift(&auth.actor, id).await?;
    Ok(Json(ShiftDeleted { deleted: true, id }))
}
