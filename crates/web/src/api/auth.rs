//! `/auth/*` (the original's sign-in contract) and the session endpoints of the profile.

use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::{Json, extract::State};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use super::users::UserView;

use super::error_responses::{BodyErrors, PathErrors, SessionErrors, WriteErrors};
use crate::error::ApiResult;
use crate::error::AuthFailure;
use crate::extract::{ApiJson, ApiPath, AuthUser, ClientMeta, bearer_token};
use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sign_in))
        .routes(routes!(me))
        .routes(routes!(logout))
        .routes(routes!(ad_status))
        .routes(routes!(my_sessions))
        .routes(routes!(revoke_my_session))
        // Not in the document, as in the original: a probe that the auth router answers.
        .route("/auth/test", get(auth_test))
}

/// `{email, password}`; `email` may also hold a username.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SignInBody {
    pub email: String,
    pub password: String,
}

/// The user object of the sign-in answer (exactly the original's fields).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SignInUser {
    pub id: Uuid,
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub department: String,
    pub position: String,
    pub section_id: Option<Uuid>,
    pub role: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SignInResponse {
    pub token: String,
    pub auth_source: &'static str,
    pub user: SignInUser,
}

/// Sign in with e-mail (or username) and password.
#[utoipa::path(post, path = "/auth/signin", tag = "auth", request_body = SignInBody,
    responses((status = 200, body = SignInResponse), SessionErrors, BodyErrors,
        (status = 401, description = "INVALID_CREDENTIALS", body = AuthFailure),
        (status = 403, description = "ACCESS_DENIED: the directory vouches for the person but no SentinelOps group holds them", body = AuthFailure),
        (status = 502, description = "AD_AUTH_FAILED: the directory cannot be reached (local accounts are unaffected)", body = AuthFailure)))]
pub async fn sign_in(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    ApiJson(body): ApiJson<SignInBody>,
) -> ApiResult<Json<SignInResponse>> {
    let signed_in = state.app.sign_in(&body.email, &body.password, &meta).await?;
    let view = state.app.view_user(signed_in.user).await?;
    Ok(Json(SignInResponse {
        token: signed_in.token,
        auth_source: signed_in.source.wire(),
        user: SignInUser {
            id: view.id,
            username: view.username,
            email: view.email,
            first_name: view.first_name,
            last_name: view.last_name,
            department: view.department_name,
            position: view.position,
            section_id: view.section_id,
            role: view.role,
        },
    }))
}

/// The signed-in user.
#[utoipa::path(get, path = "/auth/me", tag = "auth",
    responses((status = 200, body = UserView), SessionErrors))]
pub async fn me(State(state): State<AppState>, auth: AuthUser) -> ApiResult<Json<UserView>> {
    let user = state.app.me(&auth.actor).await?;
    Ok(Json(state.app.view_user(user).await?.into()))
}

/// Sign out: revokes the session of the bearer token, if any. Always 200.
#[utoipa::path(post, path = "/auth/logout", tag = "auth",
    responses((status = 200)))]
pub async fn logout(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    headers: HeaderMap,
) -> ApiResult<Json<Value>> {
    state.app.logout(bearer_token(&headers), &meta).await?;
    Ok(Json(json!({ "detail": "Logged out successfully" })))
}

/// The original's directory status: `available` when the LDAP / AD server answers a
/// service bind (probed at most every few seconds).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DirectoryStatusView {
    pub available: bool,
    /// `active_directory` when a directory is configured, else `sentinel`.
    pub source: &'static str,
    pub checked_at: DateTime<Utc>,
    pub reason: Option<String>,
}

/// Whether directory (Active Directory / LDAP) sign-in works right now.
#[utoipa::path(get, path = "/auth/ad/status", tag = "auth",
    responses((status = 200, body = DirectoryStatusView)))]
pub async fn ad_status(State(state): State<AppState>) -> Json<DirectoryStatusView> {
    let status = state.app.directory_status().await;
    Json(DirectoryStatusView {
        available: status.available,
        source: status.source,
        checked_at: status.checked_at,
        reason: status.reason,
    })
}

pub async fn auth_test() -> Json<Value> {
    Json(json!({ "message": "Auth router is working" }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SessionView {
    pub id: Uuid,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_reason: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub current: bool,
    pub active: bool,
}

/// My recent sessions, newest first.
#[utoipa::path(get, path = "/api/v1/auth/sessions", tag = "auth",
    responses((status = 200, body = [SessionView]), SessionErrors))]
pub async fn my_sessions(State(state): State<AppState>, auth: AuthUser) -> ApiResult<Json<Vec<SessionView>>> {
    let now = state.app.clock.now();
    let policy = state.app.config.sessions;
    let rows = state.app.my_sessions(&auth.actor).await?;
    Ok(Json(
        rows.into_iter()
            .map(|s| SessionView {
                current: s.id == auth.actor.session_id,
                active: policy.state(now, s.revoked_at, s.last_seen_at, s.expires_at)
                    == sentinelops_domain::auth::SessionState::Live,
                id: s.id,
                created_at: s.created_at,
                last_seen_at: s.last_seen_at,
                expires_at: s.expires_at,
                revoked_at: s.revoked_at,
                revoked_reason: s.revoked_reason,
                ip: s.ip,
                user_agent: s.user_agent,
            })
            .collect(),
    ))
}

/// Revoke one of my other sessions.
#[utoipa::path(delete, path = "/api/v1/auth/sessions/{session_id}", tag = "auth",
    params(("session_id" = Uuid, Path, description = "The session's id (one of yours)")),
    responses((status = 204), SessionErrors, PathErrors, WriteErrors))]
pub async fn revoke_my_session(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(session_id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    state.app.revoke_my_session(&auth.actor, session_id, &auth.meta).await?;
    Ok(StatusCode::NO_CONTENT)
}
