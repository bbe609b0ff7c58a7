//! The OpenAPI document, generated from the handlers' annotations.

use axum::Json;
use utoipa::OpenApi;

use crate::api::error_responses::Refusal;
use crate::api::{
    audit, auth, checklists, dashboard, handover, notifications, org, settings, shifts, templates, users,
};
use crate::error::{AuthFailure, Conflict, Detail};

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
        notifications::list_notifications, notifications::unread_count, notifications::mark_read,
        notifications::mark_all_read, notifications::get_preferences, notifications::put_preferences,
        templates::list_templates, templates::get_template, templates::create_template, templates::update_template,
        templates::delete_template, templates::add_item, templates::update_item, templates::delete_item,
        templates::reorder_items, templates::add_subitem, templates::update_subitem, templates::delete_subitem,
        templates::add_event, templates::delete_event, shifts::list_shifts, shifts::create_shift,
        checklists::create_instance, checklists::list_instances, checklists::paginated_instances, checklists::today_instances,
        checklists::today_coverage, checklists::get_instance, checklists::delete_instance, checklists::instance_stats,
        checklists::join_instance, checklists::complete_instance, checklists::one_time_completion, checklists::reopen_instance,
        checklists::force_close_instance, checklists::change_date, checklists::update_item, checklists::start_work,
        checklists::comment_item, checklists::final_verdict, checklists::list_subitems, checklists::update_subitem,
        checklists::completion_summary,
        handover::create_note, handover::instance_notes, handover::acknowledge, handover::resolve,
        dashboard::summary, dashboard::active, dashboard::user_activity, dashboard::state_policy,
        dashboard::authorization_policy, dashboard::performance_metrics,
    ),
    // The error bodies, referenced by the shared error responses (`api::error_responses`).
    components(schemas(Detail, AuthFailure, Conflict, Refusal)),
    tags(
        (name = "auth", description = "Sign-in, sessions"),
        (name = "users", description = "User administration"),
        (name = "org", description = "Departments and sections"),
        (name = "settings", description = "Application settings"),
        (name = "audit", description = "Auth and operational event logs"),
        (name = "notifications", description = "In-app notifications, one receipt per recipient"),
        (name = "templates", description = "Checklist templates and shifts"),
        (name = "instances", description = "Shift checklists: items, subitems, sign-off, overrides"),
        (name = "handover", description = "Handover notes between shifts"),
        (name = "dashboard", description = "Dashboards, policies and metrics"),
    )
)]
pub struct ApiDoc;

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
