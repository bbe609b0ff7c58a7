//! Alerts in the built-in UI (issue 21): the list with its Open / Acknowledged /
//! Resolved tabs (`list`), one alert with its timeline and the Acknowledge and Resolve
//! forms (`detail`), and the banner a supervisor sees on every page while an alert of
//! their sections is unacknowledged (`banner`). Everyone may look at their section's
//! alerts; acknowledging and resolving is for the section's supervisors (the use cases
//! decide, the pages only hide the forms from operators).

pub mod banner;
pub mod detail;
pub mod list;

use axum::Router;

use sentinelops_domain::alert::AlertStatus;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().merge(list::routes()).merge(banner::routes()).merge(detail::routes())
}

/// A cause as people read it.
pub fn cause_words(cause: &str) -> &'static str {
    match cause {
        "ITEM_FAILED" => "Item failed",
        "ITEM_MISSED" => "Item missed",
        "CHECKLIST_UNSIGNED" => "Checklist not signed off",
        "COVERAGE_GAP" => "Shift short-staffed",
        _ => "Other",
    }
}

/// A status as its badge reads.
pub fn status_words(status: &str) -> &'static str {
    match AlertStatus::parse(status) {
        Some(AlertStatus::Open) => "Open",
        Some(AlertStatus::Acknowledged) => "Acknowledged",
        Some(AlertStatus::Resolved) => "Resolved",
        None => "Unknown",
    }
}

/// An alert's page.
pub fn alert_path(id: uuid::Uuid) -> String {
    format!("/ui/alerts/{id}")
}
