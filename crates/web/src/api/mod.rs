//! The JSON API, compatible with the original system's contract.

pub mod audit;
pub mod auth;
pub mod checklists;
pub mod dashboard;
pub mod dashboard_summary;
pub mod error_responses;
pub mod handover;
pub mod lenient;
pub mod notification_wire;
pub mod notifications;
pub mod org;
pub mod paging;
pub mod settings;
pub mod shifts;
pub mod templates;
pub mod users;

use axum::Router;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
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
}
