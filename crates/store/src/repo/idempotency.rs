//! Idempotency keys: a claimed key (status 0) while its request runs, then the stored
//! answer that later retries receive.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::Value as Json;
use uuid::Uuid;

use super::rows;
use crate::Conn;
use crate::entity::idempotency_keys::{ActiveModel, Column, Entity, Model};
use crate::error::StoreResult;

pub type IdempotencyRow = Model;

/// Claims a key; `StoreError::Conflict` when the user already used it.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn claim(c: &impl Conn, row: IdempotencyRow) -> StoreResult<()> {
    rows::insert_one::<ActiveModel>(c, row).await
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn find(c: &impl Conn, user_id: Uuid, key: &str) -> StoreResult<Option<IdempotencyRow>> {
    Ok(Entity::find().filter(Column::UserId.eq(user_id)).filter(Column::IdemKey.eq(key)).one(c).await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn complete(c: &impl Conn, id: Uuid, status: i32, body: Json) -> StoreResult<()> {
    Entity::update_many()
        .col_expr(Column::StatusCode, Expr::value(status))
        .col_expr(Column::ResponseBody, Expr::value(body))
        .filter(Column::Id.eq(id))
        .exec(c)
        .await?;
    Ok(())
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn release(c: &impl Conn, id: Uuid) -> StoreResult<()> {
    Entity::delete_by_id(id).exec(c).await?;
    Ok(())
}

/// Takes over a claim abandoned before `stale_before` (its request died); true when taken.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn take_over(c: &impl Conn, id: Uuid, stale_before: DateTime<Utc>, now: DateTime<Utc>) -> StoreResult<bool> {
    let result = Entity::update_many()
        .col_expr(Column::CreatedAt, Expr::value(now))
        .filter(Column::Id.eq(id))
        .filter(Column::StatusCode.eq(0))
        .filter(Column::CreatedAt.lt(stale_before))
        .exec(c)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Forgets keys older than `before` (they are for retries, not for history).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn purge(c: &impl Conn, before: DateTime<Utc>) -> StoreResult<u64> {
    Ok(Entity::delete_many().filter(Column::CreatedAt.lt(before)).exec(c).await?.rows_affected)
}
