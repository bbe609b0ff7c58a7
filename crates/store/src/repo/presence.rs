//! Presence rows: this instance's live connections per user.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::Conn;
use crate::entity::presence::{Column, Entity, Model};
use crate::error::StoreResult;

/// Sets this node's connection count for a user (0 removes the row).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn set(c: &impl Conn, node: &str, user: Uuid, connections: i32, now: DateTime<Utc>) -> StoreResult<()> {
    if connections <= 0 {
        Entity::delete_many().filter(Column::NodeId.eq(node)).filter(Column::UserId.eq(user)).exec(c).await?;
        return Ok(());
    }
    let row = Model { node_id: node.to_owned(), user_id: user, connections, heartbeat_at: now };
    Entity::insert(row.into_active_model())
        .on_conflict(
            OnConflict::columns([Column::NodeId, Column::UserId])
                .update_columns([Column::Connections, Column::HeartbeatAt])
                .to_owned(),
        )
        .exec_without_returning(c)
        .await?;
    Ok(())
}

/// Refreshes every row of this node.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn heartbeat(c: &impl Conn, node: &str, now: DateTime<Utc>) -> StoreResult<()> {
    Entity::update_many()
        .col_expr(Column::HeartbeatAt, Expr::value(now))
        .filter(Column::NodeId.eq(node))
        .exec(c)
        .await?;
    Ok(())
}

/// Removes this node's rows (start-up and shutdown).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn clear_node(c: &impl Conn, node: &str) -> StoreResult<()> {
    Entity::delete_many().filter(Column::NodeId.eq(node)).exec(c).await?;
    Ok(())
}

/// Which of `users` have a fresh row on any node.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn online_among(c: &impl Conn, users: Vec<Uuid>, fresh_after: DateTime<Utc>) -> StoreResult<HashSet<Uuid>> {
    if users.is_empty() {
        return Ok(HashSet::new());
    }
    let rows: Vec<Uuid> = Entity::find()
        .select_only()
        .column(Column::UserId)
        .filter(Column::UserId.is_in(users))
        .filter(Column::HeartbeatAt.gt(fresh_after))
        .into_tuple()
        .all(c)
        .await?;
    Ok(rows.into_iter().collect())
}
