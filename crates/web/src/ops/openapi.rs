//! The OpenAPI document: the paths the API router collected from the handlers'
//! `#[utoipa::path]` (`api::routes`), with the info, tags and error schemas below.

use axum::Json;
use axum::Router;
use axum::routing::{MethodRouter, get};
use utoipa::OpenApi;
use utoipa::openapi::OpenApi as Document;
use utoipa_axum::router::OpenApiRouter;

use crate::api::error_responses::Refusal;
use crate::error::{AuthFailure, Conflict, Detail};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "SentinelOps API", description = "Shift checklists for operations centres. Compatible with the original SentinelOps contract."),
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
        (name = "gamification", description = "Points ledger, performance, badges and adjustments"),
        (name = "reports", description = "Reports and exports: checklists and leaderboard as CSV or Excel, PDF shift records and period reports"),
        (name = "roster", description = "The shift roster: patterns, assignments, scheduled shifts, days off, exceptions, my schedule"),
        (name = "alerts", description = "Alerts that climb an escalation policy until someone acknowledges them; the sections' policies"),
        (name = "pdf", description = "The original system's PDF endpoints (/api/pdf/*), now signed-in and section-scoped"),
    )
)]
pub struct ApiDoc;

/// Splits the API into its axum router and its document: `ApiDoc` merged with the
/// paths and schemas that the API's `routes!` collected.
pub fn split(api: OpenApiRouter<AppState>) -> (Router<AppState>, Document) {
    OpenApiRouter::with_openapi(ApiDoc::openapi()).merge(api).split_for_parts()
}

/// `GET /openapi/v1.json`: the document built once, when the router is.
pub fn serve(document: Document) -> MethodRouter<AppState> {
    get(move || std::future::ready(Json(document.clone())))
}
