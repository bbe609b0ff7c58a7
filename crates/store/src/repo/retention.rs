//! Retention: deleting old audit rows, notifications and live events in bounded batches.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TryGetableMany};
use uuid::Uuid;

use crate::Conn;
use crate::entity::{auth_events, live_events, notifications, ops_events};
use crate::error::StoreResult;

/// Deletes up to `batch` rows of `E` whose `time` is before `before`, oldest first.
async fn purge<E: EntityTrait, Id: TryGetableMany + Into<sea_orm::Value>>(
    c: &impl Conn,
    id: E::Column,
    time: E::Column,
    before: DateTime<Utc>,
    batch: u64,
) -> StoreResult<u64> {
    let ids: Vec<Id> = E::find()
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

#[tracing::instrument(level = "debug", skip_all)]
pub async fn purge_auth_events(c: &impl Conn, before: DateTime<Utc>, batch: u64) -> StoreResult<u64> {
    purge::<auth_events::Entity, Uuid>(c, auth_events::Column::Id, auth_events::Column::EventTime, before, batch).await
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn purge_ops_events(c: &impl Conn, before: DateTime<Utc>, batch: u64) -> StoreResult<u64> {
    purge::<ops_events::Entity, Uuid>(c, ops_events::Column::Id, ops_events::Column::CreatedAt, before, batch).await
}

/// Old notifications go with their receipts (the foreign key cascades).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn purge_notifications(c: &impl Conn, before: DateTime<Utc>, batch: u64) -> StoreResult<u64> {
    purge::<notifications::Entity, Uuid>(c, notifications::Column::Id, notifications::Column::CreatedAt, before, batch)
        .await
}

/// Live events serve replay after a reconnect (minutes), not history. Their ids are
/// never reused (an identity column, `AUTOINCREMENT` on SQLite), so cursors stay valid.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn purge_live_events(c: &impl Conn, before: DateTime<Utc>, batch: u64) -> StoreResult<u64> {
    purge::<live_events::Entity, i64>(c, live_events::Column::Id, live_events::Column::CreatedAt, before, batch).await
}
