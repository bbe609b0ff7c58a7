//! `/api/v1/users`: user administration (admin), self-read and users by section.

use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, extract::State};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use sentinelops_app::users::{self as app, CreateUser, UpdateUser};

use super::error_responses::{BodyErrors, PathErrors, QueryErrors, SessionErrors, WriteErrors};
use super::lenient::{opt_int, opt_uuid, patch_int, patch_uuid};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery, AuthUser};
use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users, create_user))
        .routes(routes!(users_by_section))
        .routes(routes!(get_user, update_user))
        .routes(routes!(revoke_sessions))
        // Not in the document: the original also answered with a trailing slash.
        .route("/api/v1/users/", get(list_users).post(create_user))
}

/// A user as the API shows it (the original's `UserResponse`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UserView {
    pub id: Uuid,
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    // The department's name again, as the original's field.
    pub department: String,
    pub position: String,
    pub department_id: Option<i32>,
    pub section_id: Option<Uuid>,
    pub department_name: String,
    pub section_name: String,
    pub role: String,
    pub is_active: bool,
    // The original's directory id; ours is derived from the user's id.
    pub central_id: String,
    pub created_at: DateTime<Utc>,
    pub last_login_at: Option<DateTime<Utc>>,
    // The original's directory record; always empty here.
    pub raw_user: Value,
    /// Where the identity lives: `local`, `ldap` or `oidc`. A directory account's name,
    /// e-mail and role (and its section, when mapped) come from the directory.
    pub auth_source: &'static str,
}

impl From<app::UserView> for UserView {
    fn from(u: app::UserView) -> Self {
        UserView {
            central_id: format!("central-{}", u.id),
            id: u.id,
            username: u.username,
            email: u.email,
            first_name: u.first_name,
            last_name: u.last_name,
            department: u.department_name.clone(),
            position: u.position,
            department_id: u.department_id,
            section_id: u.section_id,
            department_name: u.department_name,
            section_name: u.section_name,
            role: u.role,
            is_active: u.is_active,
            created_at: u.created_at,
            last_login_at: u.last_login_at,
            raw_user: json!({}),
            auth_source: u.auth_source.as_str(),
        }
    }
}

fn users(list: Vec<app::UserView>) -> Json<Vec<UserView>> {
    Json(list.into_iter().map(UserView::from).collect())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CreateUserBody {
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    #[serde(default)]
    pub position: Option<String>,
    pub password: String,
    pub role: String,
    #[serde(default, deserialize_with = "opt_int")]
    pub department_id: Option<i32>,
    #[serde(default, deserialize_with = "opt_uuid")]
    pub section_id: Option<Uuid>,
}

/// Every field optional; `null` clears `department_id` and `section_id`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct UpdateUserBody {
    pub username: Option<String>,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub position: Option<String>,
    pub password: Option<String>,
    pub role: Option<String>,
    #[serde(default, deserialize_with = "patch_int")]
    #[schema(value_type = Option<i32>)]
    pub department_id: Option<Option<i32>>,
    #[serde(default, deserialize_with = "patch_uuid")]
    #[schema(value_type = Option<Uuid>)]
    pub section_id: Option<Option<Uuid>>,
    pub is_active: Option<bool>,
}

#[derive(Debug, Deserialize)]
pub struct BySectionQuery {
    #[serde(default, deserialize_with = "opt_uuid")]
    pub section_id: Option<Uuid>,
}

/// All users (admins only).
#[utoipa::path(get, path = "/api/v1/users", tag = "users",
    responses((status = 200, body = [UserView]), SessionErrors))]
pub async fn list_users(State(state): State<AppState>, auth: AuthUser) -> ApiResult<Json<Vec<UserView>>> {
    Ok(users(state.app.list_users(&auth.actor).await?))
}

/// Create a user (admins only) → 201.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = CreateUserBody,
    responses((status = 201, body = UserView), SessionErrors, BodyErrors, WriteErrors))]
pub async fn create_user(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiJson(body): ApiJson<CreateUserBody>,
) -> ApiResult<(StatusCode, Json<UserView>)> {
    let input = CreateUser {
        username: body.username,
        email: body.email,
        first_name: body.first_name,
        last_name: body.last_name,
        position: body.position,
        password: body.password,
        role: body.role,
        department_id: body.department_id,
        section_id: body.section_id,
    };
    Ok((StatusCode::CREATED, Json(state.app.create_user(&auth.actor, input).await?.into())))
}

/// Active users of a section (your own unless admin).
#[utoipa::path(get, path = "/api/v1/users/by-section", tag = "users",
    params(("section_id" = Option<Uuid>, Query,)),
    responses((status = 200, body = [UserView]), SessionErrors, QueryErrors))]
pub async fn users_by_section(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(query): ApiQuery<BySectionQuery>,
) -> ApiResult<Json<Vec<UserView>>> {
    Ok(users(state.app.users_by_section(&auth.actor, query.section_id).await?))
}

/// One user: yourself, a user of your section (managers) or anyone (admins).
#[utoipa::path(get, path = "/api/v1/users/{user_id}", tag = "users",
    params(("user_id" = Uuid, Path, description = "The user's id")),
    responses((status = 200, body = UserView), SessionErrors, PathErrors))]
pub async fn get_user(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(user_id): ApiPath<Uuid>,
) -> ApiResult<Json<UserView>> {
    Ok(Json(state.app.get_user(&auth.actor, user_id).await?.into()))
}

/// Change a user (admins only). Deactivation and password resets revoke the user's sessions.
#[utoipa::path(patch, path = "/api/v1/users/{user_id}", tag = "users", request_body = UpdateUserBody,
    params(("user_id" = Uuid, Path, description = "The user's id")),
    responses((status = 200, body = UserView), SessionErrors, PathErrors, BodyErrors, WriteErrors))]
pub async fn update_user(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(user_id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<UpdateUserBody>,
) -> ApiResult<Json<UserView>> {
    let patch = UpdateUser {
        username: body.username,
        email: body.email,
        first_name: body.first_name,
        last_name: body.last_name,
        position: body.position,
        password: body.password,
        role: body.role,
        department_id: body.department_id,
        section_id: body.section_id,
        is_active: body.is_active,
    };
    Ok(Json(state.app.update_user(&auth.actor, user_id, patch, &auth.meta).await?.into()))
}

/// Revoke every session of a user (admins only).
#[utoipa::path(post, path = "/api/v1/users/{user_id}/revoke-sessions", tag = "users",
    params(("user_id" = Uuid, Path, description = "The user's id")),
    responses((status = 200), SessionErrors, PathErrors, WriteErrors))]
pub async fn revoke_sessions(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(user_id): ApiPath<Uuid>,
) -> ApiResult<Json<Value>> {
    let revoked = state.app.revoke_user_sessions(&auth.actor, user_id, &auth.meta).await?;
    Ok(Json(json!({ "revoked": revoked, "message": format!("Revoked {revoked} session(s)") })))
}
