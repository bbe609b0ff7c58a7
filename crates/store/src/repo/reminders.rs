//! What the reminder job scans, and the once-only delivery record.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect};

use sea_orm::sea_query::{Query, SelectStatement};

use crate::Conn;
use crate::entity::{
    checklist_instance_items as items, checklist_instance_scheduled_events as events,
    checklist_instance_subitems as subitems, reminder_deliveries as deliveries,
};
use crate::error::StoreResult;

use super::checklists::{InstanceEventRow, InstanceItemRow, InstanceSubitemRow};

pub type DeliveryRow = deliveries::Model;

const OPEN: [&str; 2] = ["PENDING", "IN_PROGRESS"];

/// Ids of what was already handled for (kind, entity): the scans skip them, so old rows
/// never crowd out new ones.
fn handled(kind: &str, entity: &str) -> SelectStatement {
    Query::select()
        .column(deliveries::Column::EntityId)
        .from(deliveries::Entity)
        .and_where(deliveries::Column::Kind.eq(kind))
        .and_where(deliveries::Column::EntityType.eq(entity))
        .to_owned()
}

/// Ids of checklists still open (reminders of closed ones are moot).
fn open_checklists() -> SelectStatement {
    use crate::entity::checklist_instances as instances;
    Query::select()
        .column(instances::Column::Id)
        .from(instances::Entity)
        .and_where(instances::Column::Status.is_in(["OPEN", "IN_PROGRESS", "PENDING_REVIEW"]))
        .to_owned()
}

/// Open items whose reminder time falls in (from, to].
pub async fn items_to_remind(
    c: &impl Conn,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    limit: u64,
) -> StoreResult<Vec<InstanceItemRow>> {
    Ok(items::Entity::find()
        .filter(items::Column::RemindAt.gt(from))
        .filter(items::Column::RemindAt.lte(to))
        .filter(items::Column::Status.is_in(OPEN))
        .filter(items::Column::Id.not_in_subquery(handled("REMINDER", "ITEM")))
        .filter(items::Column::InstanceId.in_subquery(open_checklists()))
        .order_by_asc(items::Column::RemindAt)
        .limit(limit)
        .all(c)
        .await?)
}

/// Open items whose due time falls in (from, to): due and not done by `to`.
pub async fn items_overdue(
    c: &impl Conn,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    limit: u64,
) -> StoreResult<Vec<InstanceItemRow>> {
    Ok(items::Entity::find()
        .filter(items::Column::ScheduledAt.gt(from))
        .filter(items::Column::ScheduledAt.lt(to))
        .filter(items::Column::Status.is_in(OPEN))
        .filter(items::Column::Id.not_in_subquery(handled("MISSED", "ITEM")))
        .filter(items::Column::InstanceId.in_subquery(open_checklists()))
        .order_by_asc(items::Column::ScheduledAt)
        .limit(limit)
        .all(c)
        .await?)
}

pub async fn subitems_to_remind(
    c: &impl Conn,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    limit: u64,
) -> StoreResult<Vec<InstanceSubitemRow>> {
    Ok(subitems::Entity::find()
        .filter(subitems::Column::RemindAt.gt(from))
        .filter(subitems::Column::RemindAt.lte(to))
        .filter(subitems::Column::Status.is_in(OPEN))
        .filter(subitems::Column::Id.not_in_subquery(handled("REMINDER", "SUBITEM")))
        .filter(subitems::Column::InstanceId.in_subquery(open_checklists()))
        .order_by_asc(subitems::Column::RemindAt)
        .limit(limit)
        .all(c)
        .await?)
}

pub async fn subitems_overdue(
    c: &impl Conn,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    limit: u64,
) -> StoreResult<Vec<InstanceSubitemRow>> {
    Ok(subitems::Entity::find()
        .filter(subitems::Column::ScheduledAt.gt(from))
        .filter(subitems::Column::ScheduledAt.lt(to))
        .filter(subitems::Column::Status.is_in(OPEN))
        .filter(subitems::Column::Id.not_in_subquery(handled("MISSED", "SUBITEM")))
        .filter(subitems::Column::InstanceId.in_subquery(open_checklists()))
        .order_by_asc(subitems::Column::ScheduledAt)
        .limit(limit)
        .all(c)
        .await?)
}

/// Scheduled events whose reminder time falls in (from, to].
pub async fn events_to_remind(
    c: &impl Conn,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    limit: u64,
) -> StoreResult<Vec<InstanceEventRow>> {
    Ok(events::Entity::find()
        .filter(events::Column::RemindAt.gt(from))
        .filter(events::Column::RemindAt.lte(to))
        .filter(events::Column::Id.not_in_subquery(handled("REMINDER", "EVENT")))
        .filter(events::Column::InstanceId.in_subquery(open_checklists()))
        .order_by_asc(events::Column::RemindAt)
        .limit(limit)
        .all(c)
        .await?)
}

/// Records a delivery; false when it was already made (by anyone, ever).
pub async fn claim(c: &impl Conn, row: DeliveryRow) -> StoreResult<bool> {
    // The unique key is (kind, entity, due time): a second claim is a no-op.
    let inserted = deliveries::Entity::insert(row.into_active_model())
        .on_conflict_do_nothing_on([
            deliveries::Column::Kind,
            deliveries::Column::EntityType,
            deliveries::Column::EntityId,
            deliveries::Column::DueAt,
        ])
        .exec_without_returning(c)
        .await?;
    Ok(matches!(inserted, sea_orm::TryInsertResult::Inserted(n) if n > 0))
}
