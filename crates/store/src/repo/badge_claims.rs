//! Badge claims: one row per user and badge, written when the badge unlocks, marked
//! once its unlock was notified and once it is claimed. Every mark is a conditional
//! update, so two server instances racing change the row once.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::Conn;
use crate::entity::badge_claims::{self, ActiveModel, Column, Entity};
use crate::error::StoreResult;

pub type BadgeClaimRow = badge_claims::Model;

/// A user's badge rows.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn of_user(c: &impl Conn, user_id: Uuid) -> StoreResult<Vec<BadgeClaimRow>> {
    Ok(Entity::find().filter(Column::UserId.eq(user_id)).all(c).await?)
}

/// Records the unlock of each badge key that has no row yet (existing rows keep their
/// first unlock time).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn record_unlocks(c: &impl Conn, user_id: Uuid, keys: &[&str], now: DateTime<Utc>) -> StoreResult<()> {
    if keys.is_empty() {
        return Ok(());
    }
    let rows = keys.iter().map(|key| ActiveModel {
        id: Set(sentinelops_domain::ids::new_id()),
        user_id: Set(user_id),
        badge_key: Set((*key).to_owned()),
        unlocked_at: Set(now),
        unlock_notified_at: Set(None),
        claimed_at: Set(None),
    });
    Entity::insert_many(rows)
        .on_conflict(OnConflict::columns([Column::UserId, Column::BadgeKey]).do_nothing().to_owned())
        .exec_without_returning(c)
        .await?;
    Ok(())
}

/// Marks the unlock of `key` notified if nobody did yet; true when this call did it
/// (and so must send the notification, in the same transaction).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn mark_notified(c: &impl Conn, user_id: Uuid, key: &str, now: DateTime<Utc>) -> StoreResult<bool> {
    let result = Entity::update_many()
        .col_expr(Column::UnlockNotifiedAt, Expr::value(now))
        .filter(Column::UserId.eq(user_id))
        .filter(Column::BadgeKey.eq(key))
        .filter(Column::UnlockNotifiedAt.is_null())
        .exec(c)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Marks `key` claimed if it is not yet; true when this call did it.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn mark_claimed(c: &impl Conn, user_id: Uuid, key: &str, now: DateTime<Utc>) -> StoreResult<bool> {
    let result = Entity::update_many()
        .col_expr(Column::ClaimedAt, Expr::value(now))
        .filter(Column::UserId.eq(user_id))
        .filter(Column::BadgeKey.eq(key))
        .filter(Column::ClaimedAt.is_null())
        .exec(c)
        .await?;
    Ok(result.rows_affected == 1)
}
