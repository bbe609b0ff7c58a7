//! The OpenAPI document, generated from the handlers' annotations.

use axum::Json;
use utoipa::OpenApi;

use crate::api::{audit, auth, org, settings, users};

#[derive(OpenApi)]
#[openapi(
    info(title = "SentinelOps API", description = "Shift checklists for operations centres. Compatible with the original SentinelOps contract."),
    paths(
        auth::sign_in, auth::me, auth::logout, auth::ad_status, auth::my_sessions, auth::revoke_my_session,
        users::list_users, users::create_user, users::users_by_section, users::get_user, users::update_user, users::revoke_sessions,
        org::list_departments, org::create_department, org::update_department, org::list_sections, org::sections_by_department,
        org::create_section, org::update_section,
        settings::get_timezone, settings::put_timezone,
        audit::auth_events, audit::ops_events,
    ),
    tags(
        (name = "auth", description = "Sign-in, sessions"),
        (name = "users", description = "User administration"),
        (name = "org", description = "Departments and sections"),
        (name = "settings", description = "Application settings"),
        (name = "audit", description = "Auth and operational event logs"),
    )
)]
pub struct ApiDoc;

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
