//! Job leases: one row per job; whoever holds an unexpired lease runs the job, so a
//! job runs on exactly one instance at a time and a dead holder's lease lapses.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, EntityTrait, IntoActiveModel, QueryFilter};
use serde_json::Value as Json;

use crate::Conn;
use crate::entity::job_leases::{Column, Entity, Model};
use crate::error::StoreResult;

pub type LeaseRow = Model;

/// Takes the lease of `name` until `until` if it is free, expired or already ours.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn acquire(
    c: &impl Conn,
    name: &str,
    holder: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> StoreResult<bool> {
    let row = Model {
        name: name.to_owned(),
        holder: None,
        lease_until: None,
        last_started_at: None,
        last_finished_at: None,
        state: None,
    };
    Entity::insert(row.into_active_model()).on_conflict_do_nothing().exec_without_returning(c).await?;
    let result = Entity::update_many()
        .col_expr(Column::Holder, Expr::value(Some(holder.to_owned())))
        .col_expr(Column::LeaseUntil, Expr::value(Some(until)))
        .col_expr(Column::LastStartedAt, Expr::value(Some(now)))
        .filter(Column::Name.eq(name))
        .filter(
            Condition::any()
                .add(Column::LeaseUntil.is_null())
                .add(Column::LeaseUntil.lt(now))
                .add(Column::Holder.eq(holder)),
        )
        .exec(c)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Ends our lease, recording when and the job's progress.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn release(
    c: &impl Conn,
    name: &str,
    holder: &str,
    now: DateTime<Utc>,
    state: Option<Json>,
) -> StoreResult<()> {
    let mut update = Entity::update_many()
        .col_expr(Column::LeaseUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(Column::LastFinishedAt, Expr::value(Some(now)));
    if let Some(state) = state {
        update = update.col_expr(Column::State, Expr::value(Some(state)));
    }
    update.filter(Column::Name.eq(name)).filter(Column::Holder.eq(holder)).exec(c).await?;
    Ok(())
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn get(c: &impl Conn, name: &str) -> StoreResult<Option<LeaseRow>> {
    Ok(Entity::find_by_id(name.to_owned()).one(c).await?)
}
