//! Retention: deleting old audit rows and notifications in bounded batches.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::Conn;
use crate::entity::{auth_events, notifications, ops_events};
use crate::error::StoreResult;

/// Deletes up to `batch` auth events older than `before`; returns how many.
pub async fn purge_auth_events(c: &impl Conn, before: DateTime<Utc>, batch: u64) -> StoreResult<u64> {
    let ids: Vec<uuid::Uuid> = auth_events::Entity::find()
        .select_only()
        .column(auth_events::Column::Id)
        .filter(auth_events::Column::EventTime.lt(before))
        .order_by_asc(auth_events::Column::EventTime)
        .limit(batch)
        .into_tuple()
        .all(c)
        .await?;
    if ids.is_empty() {
        return Ok(0);
    }
    Ok(auth_events::Entity::delete_many().filter(auth_events::Column::Id.is_in(ids)).exec(c).await?.rows_affected)
}

pub async fn purge_ops_events(c: &impl Conn, before: DateTime<Utc>, batch: u64) -> StoreResult<u64> {
    let ids: Vec<uuid::Uuid> = ops_events::Entity::find()
        .select_only()
        .column(ops_events::Column::Id)
        .filter(ops_events::Column::CreatedAt.lt(before))
        .order_by_asc(ops_events::Column::CreatedAt)
        .limit(batch)
        .into_tuple()
        .all(c)
        .await?;
    if ids.is_empty() {
        return Ok(0);
    }
    Ok(ops_events::Entity::delete_many().filter(ops_events::Column::Id.is_in(ids)).exec(c).await?.rows_affected)
}

/// Deletes old notifications (their receipts go with them).
pub async fn purge_notifications(c: &impl Conn, before: DateTime<Utc>, batch: u64) -> StoreResult<u64> {
    let ids: Vec<uuid::Uuid> = notifications::Entity::find()
        .select_only()
        .column(notifications::Column::Id)
        .filter(notifications::Column::CreatedAt.lt(before))
        .order_by_asc(notifications::Column::CreatedAt)
        .limit(batch)
        .into_tuple()
        .all(c)
        .await?;
    if ids.is_empty() {
        return Ok(0);
    }
    Ok(notifications::Entity::delete_many().filter(notifications::Column::Id.is_in(ids)).exec(c).await?.rows_affected)
}
