//! Server-side sessions. Only the SHA-256 of a bearer token is stored.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use uuid::Uuid;

use crate::Conn;
use crate::entity::auth_sessions::{ActiveModel, Column, Entity, Model};
use crate::error::StoreResult;

pub type SessionRow = Model;

#[derive(Debug, Clone)]
pub struct NewSession {
    pub id: Uuid,
    pub user_id: Uuid,
    pub token_hash: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn insert(c: &impl Conn, s: NewSession) -> StoreResult<SessionRow> {
    let row = ActiveModel {
        id: Set(s.id),
        user_id: Set(s.user_id),
        token_hash: Set(s.token_hash),
        created_at: Set(s.created_at),
        last_seen_at: Set(s.created_at),
        expires_at: Set(s.expires_at),
        revoked_at: Set(None),
        revoked_reason: Set(None),
        ip: Set(s.ip),
        user_agent: Set(s.user_agent),
    };
    Ok(row.insert(c).await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn find_by_token_hash(c: &impl Conn, token_hash: &str) -> StoreResult<Option<SessionRow>> {
    Ok(Entity::find().filter(Column::TokenHash.eq(token_hash)).one(c).await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn find(c: &impl Conn, id: Uuid) -> StoreResult<Option<SessionRow>> {
    Ok(Entity::find_by_id(id).one(c).await?)
}

/// Records activity, at most once per `granularity`, so that reads stay reads.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn touch(c: &impl Conn, id: Uuid, now: DateTime<Utc>, granularity: chrono::Duration) -> StoreResult<()> {
    Entity::update_many()
        .col_expr(Column::LastSeenAt, Expr::value(now))
        .filter(Column::Id.eq(id))
        .filter(Column::LastSeenAt.lt(now - granularity))
        .filter(Column::RevokedAt.is_null())
        .exec(c)
        .await?;
    Ok(())
}

/// Revokes one live session; false when it was already revoked.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn revoke(c: &impl Conn, id: Uuid, now: DateTime<Utc>, reason: &str) -> StoreResult<bool> {
    let result = Entity::update_many()
        .col_expr(Column::RevokedAt, Expr::value(Some(now)))
        .col_expr(Column::RevokedReason, Expr::value(Some(reason.to_owned())))
        .filter(Column::Id.eq(id))
        .filter(Column::RevokedAt.is_null())
        .exec(c)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Sessions of a user that are not revoked (some may have expired by time).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn unrevoked_for_user(c: &impl Conn, user_id: Uuid) -> StoreResult<Vec<SessionRow>> {
    Ok(Entity::find()
        .filter(Column::UserId.eq(user_id))
        .filter(Column::RevokedAt.is_null())
        .order_by_desc(Column::CreatedAt)
        .all(c)
        .await?)
}

/// Recent sessions of a user, newest first (for "my sessions").
#[tracing::instrument(level = "debug", skip_all)]
pub async fn recent_for_user(c: &impl Conn, user_id: Uuid, limit: u64) -> StoreResult<Vec<SessionRow>> {
    Ok(Entity::find().filter(Column::UserId.eq(user_id)).order_by_desc(Column::CreatedAt).limit(limit).all(c).await?)
}
