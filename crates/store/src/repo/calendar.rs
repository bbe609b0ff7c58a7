//! Private iCalendar feeds: one per user and scope, found by the hash of its token.

use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter};
use uuid::Uuid;

use crate::Conn;
use crate::entity::calendar_feeds as feeds;
use crate::error::StoreResult;

pub type FeedRow = feeds::Model;

/// The user's feed of `scope` ("me" or a section's id), if any.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn feed_of(c: &impl Conn, user_id: Uuid, scope: &str) -> StoreResult<Option<FeedRow>> {
    Ok(feeds::Entity::find()
        .filter(feeds::Column::UserId.eq(user_id))
        .filter(feeds::Column::Scope.eq(scope))
        .one(c)
        .await?)
}

/// The feed whose token hashes to `token_hash`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn feed_by_hash(c: &impl Conn, token_hash: &str) -> StoreResult<Option<FeedRow>> {
    Ok(feeds::Entity::find().filter(feeds::Column::TokenHash.eq(token_hash)).one(c).await?)
}

/// Inserts a feed; `false` when the user already has one of that scope.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn insert_feed(c: &impl Conn, row: FeedRow) -> StoreResult<bool> {
    let inserted = feeds::Entity::insert(row.into_active_model())
        .on_conflict_do_nothing_on([feeds::Column::UserId, feeds::Column::Scope])
        .exec_without_returning(c)
        .await?;
    Ok(matches!(inserted, sea_orm::TryInsertResult::Inserted(n) if n > 0))
}

/// Deletes the user's feed of `scope`; `false` when there was none.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn delete_feed(c: &impl Conn, user_id: Uuid, scope: &str) -> StoreResult<bool> {
    let done = feeds::Entity::delete_many()
        .filter(feeds::Column::UserId.eq(user_id))
        .filter(feeds::Column::Scope.eq(scope))
        .exec(c)
        .await?;
    Ok(done.rows_affected > 0)
}
