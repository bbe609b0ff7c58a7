//! The JSON API, compatible with the original system's contract.

pub mod alerts;
pub mod audit;
pub mod audit_export;
pub mod auth;
pub mod calendar;
pub mod checklists;
pub mod coverage;
pub mod dashboard;
pub mod dashboard_summary;
pub mod error_responses;
pub mod escalation_policies;
pub mod exports;
pub mod gamification;
pub mod handover;
pub mod lenient;
pub mod notification_wire;
pub mod notifications;
pub mod on_shift;
pub mod org;
pub mod paging;
pub mod pdf;
pub mod pdf_data;
pub mod roster;
pub mod settings;
pub mod shifts;
pub mod swaps;
pub mod templates;
pub mod users;

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

/// Every API route, declared once with `utoipa_axum::routes!`: the router and the
/// OpenAPI paths come from the same `#[utoipa::path]` of each handler, so the document
/// cannot miss a routed operation (`ops::openapi` adds the info, tags and error schemas).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(auth::routes())
        .merge(users::routes())
        .merge(org::routes())
        .merge(settings::routes())
        .merge(audit::routes())
        .merge(notifications::routes())
        .merge(templates::routes())
        .merge(shifts::routes())
        .merge(checklists::routes())
        .merge(handover::routes())
        .merge(dashboard::routes())
        .merge(gamification::routes())
        .merge(exports::routes())
        .merge(pdf::routes())
        .merge(roster::routes())
        .merge(on_shift::routes())
        .merge(coverage::routes())
        .merge(calendar::routes())
        .merge(swaps::routes())
        .merge(alerts::routes())
        .merge(escalation_policies::routes())
}
