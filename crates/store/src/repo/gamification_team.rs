//! Reads for the section view: what the performance command does not already read.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use sentinelops_domain::scoring::LedgerState;

use crate::Conn;
use crate::entity::gamification_scores::{Column, Entity};
use crate::error::StoreResult;

/// How many ledger rows of each user were refused with activity dates `start..=end`
/// (one grouped query); users without refusals are absent.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn refusals_by_user(
    c: &impl Conn,
    user_ids: &[Uuid],
    start: NaiveDate,
    end: NaiveDate,
) -> StoreResult<HashMap<Uuid, i64>> {
    let rows: Vec<(Uuid, i64)> = Entity::find()
        .select_only()
        .column(Column::UserId)
        .column_as(Column::Id.count(), "refused")
        .filter(Column::UserId.is_in(user_ids.iter().copied()))
        .filter(Column::State.eq(LedgerState::Refused.as_str()))
        .filter(Column::ActivityDate.gte(start))
        .filter(Column::ActivityDate.lte(end))
        .group_by(Column::UserId)
        .into_tuple()
        .all(c)
        .await?;
    Ok(rows.into_iter().collect())
}
