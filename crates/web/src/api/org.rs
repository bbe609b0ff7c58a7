//! `/api/v1/org`: departments and sections.

use axum::http::StatusCode;
use axum::{Json, extract::State};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use sentinelops_app::AppError;
use sentinelops_app::org::{self as app, SectionInput};

use super::error_responses::{BodyErrors, PathErrors, QueryErrors, SessionErrors, WriteErrors};
use super::lenient::{opt_int, patch_int, patch_uuid};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery, AuthUser};
use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_departments, create_department))
        .routes(routes!(update_department))
        .routes(routes!(list_sections, create_section))
        .routes(routes!(update_section))
        .routes(routes!(sections_by_department))
}

/// A department as the API shows it (`department_name` is the original's spelling).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DepartmentView {
    pub id: i32,
    pub name: String,
    pub department_name: String,
    pub created_at: DateTime<Utc>,
}

impl From<app::DepartmentRow> for DepartmentView {
    fn from(d: app::DepartmentRow) -> Self {
        DepartmentView { id: d.id, department_name: d.name.clone(), name: d.name, created_at: d.created_at }
    }
}

/// A section as the API shows it (`section_name` is the original's spelling).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SectionView {
    pub id: Uuid,
    pub name: String,
    pub section_name: String,
    pub department_id: Option<i32>,
    pub manager_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl From<app::SectionRow> for SectionView {
    fn from(s: app::SectionRow) -> Self {
        SectionView {
            id: s.id,
            section_name: s.name.clone(),
            name: s.name,
            department_id: s.department_id,
            manager_id: s.manager_id,
            created_at: s.created_at,
        }
    }
}

fn sections(list: Vec<app::SectionRow>) -> Json<Vec<SectionView>> {
    Json(list.into_iter().map(SectionView::from).collect())
}

#[derive(Debug, Deserialize)]
pub struct SectionsQuery {
    #[serde(default, deserialize_with = "opt_int")]
    pub department_id: Option<i32>,
}

/// `name` (or the original's `department_name`).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct DepartmentBody {
    pub name: Option<String>,
    pub department_name: Option<String>,
}

impl DepartmentBody {
    fn name(&self) -> Result<&str, AppError> {
        self.name
            .as_deref()
            .or(self.department_name.as_deref())
            .ok_or_else(|| AppError::Validation("name is required".into()))
    }
}

/// `name` (or `section_name`), `department_id`, `manager_id`; `null` clears.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct SectionBody {
    pub name: Option<String>,
    pub section_name: Option<String>,
    #[serde(default, deserialize_with = "patch_int")]
    #[schema(value_type = Option<i32>)]
    pub department_id: Option<Option<i32>>,
    #[serde(default, deserialize_with = "patch_uuid")]
    #[schema(value_type = Option<Uuid>)]
    pub manager_id: Option<Option<Uuid>>,
}

impl From<SectionBody> for SectionInput {
    fn from(b: SectionBody) -> Self {
        SectionInput { name: b.name.or(b.section_name), department_id: b.department_id, manager_id: b.manager_id }
    }
}

#[utoipa::path(get, path = "/api/v1/org/departments", tag = "org",
    responses((status = 200, body = [DepartmentView]), SessionErrors))]
pub async fn list_departments(State(state): State<AppState>, _auth: AuthUser) -> ApiResult<Json<Vec<DepartmentView>>> {
    Ok(Json(state.app.list_departments().await?.into_iter().map(DepartmentView::from).collect()))
}

#[utoipa::path(post, path = "/api/v1/org/departments", tag = "org", request_body = DepartmentBody,
    responses((status = 201, body = DepartmentView), SessionErrors, BodyErrors, WriteErrors))]
pub async fn create_department(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(body): ApiJson<DepartmentBody>,
) -> ApiResult<(StatusCode, Json<DepartmentView>)> {
    Ok((StatusCode::CREATED, Json(state.app.create_department(&auth.actor, body.name()?).await?.into())))
}

#[utoipa::path(patch, path = "/api/v1/org/departments/{department_id}", tag = "org", request_body = DepartmentBody,
    params(("department_id" = i32, Path, description = "The department's id")),
    responses((status = 200, body = DepartmentView), SessionErrors, PathErrors, BodyErrors, WriteErrors))]
pub async fn update_department(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(department_id): ApiPath<i32>,
    ApiJson(body): ApiJson<DepartmentBody>,
) -> ApiResult<Json<DepartmentView>> {
    Ok(Json(state.app.rename_department(&auth.actor, department_id, body.name()?).await?.into()))
}

/// Every section; `manager_id` is null unless you are an admin or a member of the section.
#[utoipa::path(get, path = "/api/v1/org/sections", tag = "org",
    params(("department_id" = Option<i32>, Query,)),
    responses((status = 200, body = [SectionView]), SessionErrors, QueryErrors))]
pub async fn list_sections(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(query): ApiQuery<SectionsQuery>,
) -> ApiResult<Json<Vec<SectionView>>> {
    Ok(sections(state.app.list_sections_seen_by(&auth.actor, query.department_id).await?))
}

#[utoipa::path(get, path = "/api/v1/org/sections/by-department/{department_id}", tag = "org",
    params(("department_id" = i32, Path, description = "The department's id")),
    responses((status = 200, body = [SectionView]), SessionErrors, PathErrors))]
pub async fn sections_by_department(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(department_id): ApiPath<i32>,
) -> ApiResult<Json<Vec<SectionView>>> {
    Ok(sections(state.app.list_sections_seen_by(&auth.actor, Some(department_id)).await?))
}

#[utoipa::path(post, path = "/api/v1/org/sections", tag = "org", request_body = SectionBody,
    responses((status = 201, body = SectionView), SessionErrors, BodyErrors, WriteErrors))]
pub async fn create_section(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(body): ApiJson<SectionBody>,
) -> ApiResult<(StatusCode, Json<SectionView>)> {
    Ok((StatusCode::CREATED, Json(state.app.create_section(&auth.actor, body.into()).await?.into())))
}

#[utoipa::path(patch, path = "/api/v1/org/sections/{section_id}", tag = "org", request_body = SectionBody,
    params(("section_id" = Uuid, Path, description = "The section's id")),
    responses((status = 200, body = SectionView), SessionErrors, PathErrors, BodyErrors, WriteErrors))]
pub async fn update_section(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(section_id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<SectionBody>,
) -> ApiResult<Json<SectionView>> {
    Ok(Json(state.app.update_section(&auth.actor, section_id, body.into()).await?.into()))
}
