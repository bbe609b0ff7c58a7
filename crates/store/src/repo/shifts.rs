//! Configured shifts (name, local start and end, optional zone, colour).

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::rows;
use crate::Conn;
use crate::entity::shifts::{ActiveModel, Column, Entity, Model};
use crate::error::StoreResult;

pub type ShiftRow = Model;

#[tracing::instrument(level = "debug", skip_all)]
pub async fn list(c: &impl Conn) -> StoreResult<Vec<ShiftRow>> {
    Ok(Entity::find().order_by_asc(Column::StartTime).all(c).await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn find_by_name(c: &impl Conn, name: &str) -> StoreResult<Option<ShiftRow>> {
    Ok(Entity::find().filter(Column::Name.eq(name)).one(c).await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn find(c: &impl Conn, id: i32) -> StoreResult<Option<ShiftRow>> {
    Ok(Entity::find_by_id(id).one(c).await?)
}

/// Inserts a shift; its id is assigned by the database.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn insert(c: &impl Conn, row: ShiftRow) -> StoreResult<ShiftRow> {
    use sea_orm::{ActiveModelTrait, Set};
    let active = ActiveModel {
        name: Set(row.name),
        start_time: Set(row.start_time),
        end_time: Set(row.end_time),
        timezone: Set(row.timezone),
        color: Set(row.color),
        created_at: Set(row.created_at),
        ..Default::default()
    };
    Ok(active.insert(c).await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn save(c: &impl Conn, row: ShiftRow) -> StoreResult<()> {
    rows::save::<ActiveModel>(c, row).await
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn delete(c: &impl Conn, id: i32) -> StoreResult<()> {
    Entity::delete_by_id(id).exec(c).await?;
    Ok(())
}
