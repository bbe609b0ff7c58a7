//! Live events: every committed change leaves a row (ids, not payloads of record), so
//! pushes are hints and clients replay what they missed from here. On PostgreSQL the
//! insert also NOTIFYs, inside the transaction, so other instances wake on commit.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, DbBackend, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};

use crate::Conn;
use crate::entity::live_events::{Column, Entity, Model};
use crate::error::StoreResult;

pub type LiveRow = Model;

/// The channel instances LISTEN on.
pub const CHANNEL: &str = "sentinelops_live";

/// Inserts an event (its id is assigned by the database).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn insert(c: &impl Conn, row: LiveRow) -> StoreResult<()> {
    let mut active = row.into_active_model().reset_all();
    active.id = sea_orm::ActiveValue::NotSet;
    Entity::insert(active).exec_without_returning(c).await?;
    if c.get_database_backend() == DbBackend::Postgres {
        c.execute_unprepared(&format!("NOTIFY {CHANNEL}")).await?;
    }
    Ok(())
}

/// Events after `cursor`, oldest first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn after(c: &impl Conn, cursor: i64, limit: u64) -> StoreResult<Vec<LiveRow>> {
    Ok(Entity::find().filter(Column::Id.gt(cursor)).order_by_asc(Column::Id).limit(limit).all(c).await?)
}

/// Events with these ids (the pump re-checks ids it saw skipped).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn with_ids(c: &impl Conn, ids: Vec<i64>) -> StoreResult<Vec<LiveRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(Entity::find().filter(Column::Id.is_in(ids)).order_by_asc(Column::Id).all(c).await?)
}

/// The newest event id (0 when there is none).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn last_id(c: &impl Conn) -> StoreResult<i64> {
    Ok(Entity::find().order_by_desc(Column::Id).limit(1).one(c).await?.map_or(0, |r| r.id))
}
