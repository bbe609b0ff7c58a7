//! Repositories: one module per feature area, named as in every other layer.
//! Each function takes any connection or transaction (`&impl Conn`).

pub mod auth_events;
pub mod badge_claims;
pub mod checklists;
pub mod gamification;
pub mod gamification_read;
pub mod gamification_team;
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
pub mod report_mail;
pub mod retention;
pub mod rows;
pub mod rules;
pub mod sessions;
pub mod settings;
pub mod shifts;
pub mod stats;
pub mod templates;
pub mod users;

use sea_orm::{EntityTrait, PaginatorTrait, QueryOrder, QuerySelect, Select};

use crate::Conn;
use crate::error::StoreResult;

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

/// One page of a log listing, newest first by `time` (then `id`, so equal times keep a
/// stable order), and how many rows matched. `query` builds the filtered query afresh
/// for the count and for the rows.
async fn newest_first<E>(
    c: &impl Conn,
    query: impl Fn() -> Select<E>,
    (time, id): (E::Column, E::Column),
    window: Window,
) -> StoreResult<Page<E::Model>>
where
    E: EntityTrait,
    E::Model: Send + Sync,
{
    let total = query().count(c).await?;
    let rows = query().order_by_desc(time).order_by_desc(id).offset(window.offset).limit(window.limit).all(c).await?;
    Ok(Page { rows, total })
}
