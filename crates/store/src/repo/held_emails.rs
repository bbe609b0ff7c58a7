//! E-mails held during their recipient's quiet hours, until `release_at`.
//!
//! The release takes a user's due rows and deletes them in the transaction that queues
//! their digest: a delete that removes fewer rows than were read means another run took
//! them meanwhile, and the caller rolls back (so a held mail is mailed once).

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde_json::Value as Json;
use uuid::Uuid;

use crate::Conn;
use crate::entity::held_emails::{ActiveModel, Column, Entity, Model};
use crate::error::StoreResult;

pub type HeldEmailRow = Model;

/// An e-mail to hold.
#[derive(Debug, Clone)]
pub struct NewHeldEmail {
    pub id: Uuid,
    pub user_id: Uuid,
    pub release_at: DateTime<Utc>,
    /// low, medium, high or critical.
    pub priority: &'static str,
    pub payload: Json,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn hold(c: &impl Conn, now: DateTime<Utc>, row: NewHeldEmail) -> StoreResult<()> {
    let model = ActiveModel {
        id: Set(row.id),
        user_id: Set(row.user_id),
        release_at: Set(row.release_at),
        priority: Set(row.priority.to_owned()),
        payload: Set(row.payload),
        created_at: Set(now),
    };
    Entity::insert(model).exec_without_returning(c).await?;
    Ok(())
}

/// Up to `limit` users with held e-mails due at `now`, earliest due first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn users_due(c: &impl Conn, now: DateTime<Utc>, limit: u64) -> StoreResult<Vec<Uuid>> {
    Ok(Entity::find()
        .select_only()
        .column(Column::UserId)
        .filter(Column::ReleaseAt.lte(now))
        .group_by(Column::UserId)
        .order_by_asc(Column::ReleaseAt.min())
        .order_by_asc(Column::UserId)
        .limit(limit)
        .into_tuple()
        .all(c)
        .await?)
}

/// A user's held e-mails due at `now`, oldest first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn due_for(c: &impl Conn, user_id: Uuid, now: DateTime<Utc>) -> StoreResult<Vec<HeldEmailRow>> {
    Ok(Entity::find()
        .filter(Column::UserId.eq(user_id))
        .filter(Column::ReleaseAt.lte(now))
        .order_by_asc(Column::CreatedAt)
        .order_by_asc(Column::Id)
        .all(c)
        .await?)
}

/// Deletes these rows; returns how many were still there.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn delete(c: &impl Conn, ids: Vec<Uuid>) -> StoreResult<u64> {
    let mut deleted = 0;
    for chunk in ids.chunks(1000) {
        deleted += Entity::delete_many().filter(Column::Id.is_in(chunk.iter().copied())).exec(c).await?.rows_affected;
    }
    Ok(deleted)
}

/// Every held e-mail of a user, oldest first (diagnostics and tests).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn of_user(c: &impl Conn, user_id: Uuid) -> StoreResult<Vec<HeldEmailRow>> {
    Ok(Entity::find()
        .filter(Column::UserId.eq(user_id))
        .order_by_asc(Column::CreatedAt)
        .order_by_asc(Column::Id)
        .all(c)
        .await?)
}
