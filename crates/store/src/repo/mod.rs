//! Repositories: one module per feature area, named as in every other layer.
//! Each function takes any connection or transaction (`&impl Conn`).

pub mod auth_events;
pub mod checklists;
pub mod handover;
pub mod idempotency;
pub mod jobs;
pub mod live;
pub mod notifications;
pub mod ops_events;
pub mod org;
pub mod outbox;
pub mod presence;
pub mod reminders;
pub mod retention;
pub mod rows;
pub mod rules;
pub mod sessions;
pub mod settings;
pub mod shifts;
pub mod stats;
pub mod templates;
pub mod users;

/// A page of rows plus the total count that matched the filters.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub total: u64,
}

/// Offset and limit of a list query.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub offset: u64,
    pub limit: u64,
}
