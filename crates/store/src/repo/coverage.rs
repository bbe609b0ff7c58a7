//! Coverage minimums per section and shift, and the coverage alerts already sent.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::Conn;
use crate::entity::{coverage_alerts as alerts, coverage_minimums as minimums};
use crate::error::StoreResult;

pub type MinimumRow = minimums::Model;
pub type AlertRow = alerts::Model;

/// A section's minimums (every section's with one above 0 when `None`), by shift.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn minimums(c: &impl Conn, section_id: Option<Uuid>) -> StoreResult<Vec<MinimumRow>> {
    let query = match section_id {
        Some(section) => minimums::Entity::find().filter(minimums::Column::SectionId.eq(section)),
        None => minimums::Entity::find().filter(minimums::Column::Minimum.gt(0)),
    };
    Ok(query.order_by_asc(minimums::Column::SectionId).order_by_asc(minimums::Column::ShiftId).all(c).await?)
}

/// Sets the minimum of a section's shift (inserted, or replacing the earlier one).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn set_minimum(c: &impl Conn, row: MinimumRow) -> StoreResult<()> {
    use minimums::Column as M;
    minimums::Entity::insert(row.into_active_model())
        .on_conflict(
            OnConflict::columns([M::SectionId, M::ShiftId])
                .update_columns([M::Minimum, M::UpdatedBy, M::UpdatedAt])
                .to_owned(),
        )
        .exec_without_returning(c)
        .await?;
    Ok(())
}

/// Records an alert as sent; `false` when it already was (by this or another instance).
/// Call it in the transaction that sends the alert.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn claim_alert(c: &impl Conn, row: AlertRow) -> StoreResult<bool> {
    use alerts::Column as A;
    let inserted = alerts::Entity::insert(row.into_active_model())
        .on_conflict_do_nothing_on([A::SectionId, A::Date, A::ShiftId, A::Threshold])
        .exec_without_returning(c)
        .await?;
    Ok(matches!(inserted, sea_orm::TryInsertResult::Inserted(n) if n > 0))
}

/// The alerts sent for a section since `since`, oldest first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn alerts_since(c: &impl Conn, section_id: Uuid, since: DateTime<Utc>) -> StoreResult<Vec<AlertRow>> {
    Ok(alerts::Entity::find()
        .filter(alerts::Column::SectionId.eq(section_id))
        .filter(alerts::Column::CreatedAt.gte(since))
        .order_by_asc(alerts::Column::CreatedAt)
        .order_by_asc(alerts::Column::Id)
        .all(c)
        .await?)
}
