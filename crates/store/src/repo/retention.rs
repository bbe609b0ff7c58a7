//! Retention: deleting old audit rows and notifications in bounded batches.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::Conn;
use crate::entity::{auth_events, notifications, ops_events};
use crate::error::StoreResult;

/// Deletes up to `batch` rows of `E` whose `time` is before `before`, oldest first.
async fn purge<E: EntityTrait>(
    c: &impl Conn,
    id: E::Column,
    time: E::Column,
    before: DateTime<Utc>,
    batch: u64,
) -> StoreResult<u64> {
    let ids: Vec<Uuid> = E::find()
        .select_only()
        .column(id)
        .filter(time.lt(before))
        .order_by_asc(time)
        .limit(batch)
        .into_tuple()
        .all(c)
        .await?;
    if ids.is_empty() {
        return Ok(0);
    }
    Ok(E::delete_many().filter(id.is_in(ids)).exec(c).await?.rows_affected)
}

pub async fn purge_auth_events(c: &impl Conn, before: DateTime<Utc>, batch: u64) -> StoreResult<u64> {
    purge::<auth_events::Entity>(c, auth_events::Column::Id, auth_events::Column::EventTime, before, batch).await
}

pub async fn purge_ops_events(c: &impl Conn, before: DateTime<Utc>, batch: u64) -> StoreResult<u64> {
    purge::<ops_events::Entity>(c, ops_events::Column::Id, ops_events::Column::CreatedAt, before, batch).await
}

/// Old notifications go with their receipts (the foreign key cascades).
pub async fn purge_notifications(c: &impl Conn, before: DateTime<Utc>, batch: u64) -> StoreResult<u64> {
    purge::<notifications::Entity>(c, notifications::Column::Id, notifications::Column::CreatedAt, before, batch).await
}
