//! Repositories: one module per feature area, named as in every other layer.
//! Each function takes any connection or transaction (`&impl Conn`).

pub mod alerts;
pub mod auth_events;
pub mod badge_claims;
pub mod calendar;
pub mod checklist_export;
pub mod checklists;
pub mod coverage;
pub mod gamification;
pub mod gamification_read;
pub mod gamification_team;
pub mod handover;
pub mod held_emails;
pub mod idempotency;
pub mod jobs;
pub mod live;
pub mod notifications;
pub mod oidc_flows;
pub mod ops_events;
pub mod org;
pub mod outbox;
pub mod presence;
pub mod reminders;
pub mod report_mail;
pub mod retention;
pub mod roster;
pub mod rows;
pub mod rules;
pub mod sessions;
pub mod settings;
pub mod shifts;
pub mod stats;
pub mod swaps;
pub mod templates;
pub mod users;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select};
use uuid::Uuid;

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

/// Where a newest-first keyset page starts: strictly after (older than) this row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct After {
    pub time: DateTime<Utc>,
    pub id: Uuid,
}

/// Up to `limit` rows newest first by (`time`, `id`), strictly after `after` (from the
/// newest when `None`): a keyset page, so reading a million rows in pages costs each
/// page the same (no OFFSET). `time <= t AND (time < t OR id < i)` rather than the
/// plain OR, so the `time` index bounds the scan on both backends.
async fn newest_first_after<E>(
    c: &impl Conn,
    query: Select<E>,
    (time, id): (E::Column, E::Column),
    after: Option<After>,
    limit: u64,
) -> StoreResult<Vec<E::Model>>
where
    E: EntityTrait,
    E::Model: Send + Sync,
{
    let query = match after {
        None => query,
        Some(After { time: t, id: i }) => {
            query.filter(time.lte(t)).filter(Condition::any().add(time.lt(t)).add(id.lt(i)))
        }
    };
    Ok(query.order_by_desc(time).order_by_desc(id).limit(limit).all(c).await?)
}
