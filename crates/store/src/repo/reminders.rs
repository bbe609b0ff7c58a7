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
use crate::stored::names;
use sentinelops_domain::checklist::{InstanceStatus, ItemStatus};

const ITEM_MISSED: &str = sentinelops_domain::alert::AlertCause::ItemMissed.as_str();
const CHECKLIST_UNSIGNED: &str = sentinelops_domain::alert::AlertCause::ChecklistUnsigned.as_str();

use super::checklists::{InstanceEventRow, InstanceItemRow, InstanceSubitemRow};

pub type DeliveryRow = deliveries::Model;

/// Subjects (steps, checklists) that ever had an alert of `cause`: a cause nobody's
/// action reports is raised once, however often the job looks.
fn alerted(cause: &str) -> SelectStatement {
    use crate::entity::alerts;
    Query::select()
        .column(alerts::Column::SubjectId)
        .from(alerts::Entity)
        .and_where(alerts::Column::Cause.eq(cause))
        .and_where(alerts::Column::SubjectId.is_not_null())
        .to_owned()
}

/// What a reminder scan looks at: due times in (from, to], at most `limit` rows, of
/// items in an `open_items` status on checklists in an `open_checklists` status (the
/// caller passes the domain's open sets: reminders of done work are moot).
#[derive(Debug, Clone, Copy)]
pub struct Scan {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub limit: u64,
    pub open_items: &'static [ItemStatus],
    pub open_checklists: &'static [InstanceStatus],
}

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

/// Ids of checklists in one of the `open` statuses.
fn open_checklists(open: &[InstanceStatus]) -> SelectStatement {
    use crate::entity::checklist_instances as instances;
    Query::select()
        .column(instances::Column::Id)
        .from(instances::Entity)
        .and_where(instances::Column::Status.is_in(names(open)))
        .to_owned()
}

/// Open items whose reminder time falls in (from, to].
#[tracing::instrument(level = "debug", skip_all)]
pub async fn items_to_remind(c: &impl Conn, scan: Scan) -> StoreResult<Vec<InstanceItemRow>> {
    Ok(items::Entity::find()
        .filter(items::Column::RemindAt.gt(scan.from))
        .filter(items::Column::RemindAt.lte(scan.to))
        .filter(items::Column::Status.is_in(names(scan.open_items)))
        .filter(items::Column::Id.not_in_subquery(handled("REMINDER", "ITEM")))
        .filter(items::Column::InstanceId.in_subquery(open_checklists(scan.open_checklists)))
        .order_by_asc(items::Column::RemindAt)
        .limit(scan.limit)
        .all(c)
        .await?)
}

/// Open items whose due time falls in (from, to): due and not done by `to`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn items_overdue(c: &impl Conn, scan: Scan) -> StoreResult<Vec<InstanceItemRow>> {
    Ok(items::Entity::find()
        .filter(items::Column::ScheduledAt.gt(scan.from))
        .filter(items::Column::ScheduledAt.lt(scan.to))
        .filter(items::Column::Status.is_in(names(scan.open_items)))
        .filter(items::Column::Id.not_in_subquery(handled("MISSED", "ITEM")))
        .filter(items::Column::InstanceId.in_subquery(open_checklists(scan.open_checklists)))
        .order_by_asc(items::Column::ScheduledAt)
        .limit(scan.limit)
        .all(c)
        .await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn subitems_to_remind(c: &impl Conn, scan: Scan) -> StoreResult<Vec<InstanceSubitemRow>> {
    Ok(subitems::Entity::find()
        .filter(subitems::Column::RemindAt.gt(scan.from))
        .filter(subitems::Column::RemindAt.lte(scan.to))
        .filter(subitems::Column::Status.is_in(names(scan.open_items)))
        .filter(subitems::Column::Id.not_in_subquery(handled("REMINDER", "SUBITEM")))
        .filter(subitems::Column::InstanceId.in_subquery(open_checklists(scan.open_checklists)))
        .order_by_asc(subitems::Column::RemindAt)
        .limit(scan.limit)
        .all(c)
        .await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn subitems_overdue(c: &impl Conn, scan: Scan) -> StoreResult<Vec<InstanceSubitemRow>> {
    Ok(subitems::Entity::find()
        .filter(subitems::Column::ScheduledAt.gt(scan.from))
        .filter(subitems::Column::ScheduledAt.lt(scan.to))
        .filter(subitems::Column::Status.is_in(names(scan.open_items)))
        .filter(subitems::Column::Id.not_in_subquery(handled("MISSED", "SUBITEM")))
        .filter(subitems::Column::InstanceId.in_subquery(open_checklists(scan.open_checklists)))
        .order_by_asc(subitems::Column::ScheduledAt)
        .limit(scan.limit)
        .all(c)
        .await?)
}

/// Open items of at least `min_severity` whose due time falls in (from, to] and that
/// no alert was raised for yet (the escalation job decides which are past their grace).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn critical_items_due(c: &impl Conn, scan: Scan, min_severity: i32) -> StoreResult<Vec<InstanceItemRow>> {
    Ok(items::Entity::find()
        .filter(items::Column::ScheduledAt.gt(scan.from))
        .filter(items::Column::ScheduledAt.lte(scan.to))
        .filter(items::Column::Severity.gte(min_severity))
        .filter(items::Column::Status.is_in(names(scan.open_items)))
        .filter(items::Column::Id.not_in_subquery(alerted(ITEM_MISSED)))
        .filter(items::Column::InstanceId.in_subquery(open_checklists(scan.open_checklists)))
        .order_by_asc(items::Column::ScheduledAt)
        .limit(scan.limit)
        .all(c)
        .await?)
}

/// As [`critical_items_due`], for subitems.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn critical_subitems_due(
    c: &impl Conn,
    scan: Scan,
    min_severity: i32,
) -> StoreResult<Vec<InstanceSubitemRow>> {
    Ok(subitems::Entity::find()
        .filter(subitems::Column::ScheduledAt.gt(scan.from))
        .filter(subitems::Column::ScheduledAt.lte(scan.to))
        .filter(subitems::Column::Severity.gte(min_severity))
        .filter(subitems::Column::Status.is_in(names(scan.open_items)))
        .filter(subitems::Column::Id.not_in_subquery(alerted(ITEM_MISSED)))
        .filter(subitems::Column::InstanceId.in_subquery(open_checklists(scan.open_checklists)))
        .order_by_asc(subitems::Column::ScheduledAt)
        .limit(scan.limit)
        .all(c)
        .await?)
}

/// Checklists in one of `unsigned` statuses whose shift ended in (from, to] and that no
/// alert was raised for yet.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn unsigned_checklists(
    c: &impl Conn,
    unsigned: &[InstanceStatus],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    limit: u64,
) -> StoreResult<Vec<super::checklists::InstanceRow>> {
    use crate::entity::checklist_instances as instances;
    Ok(instances::Entity::find()
        .filter(instances::Column::Status.is_in(names(unsigned)))
        .filter(instances::Column::ShiftEnd.gt(from))
        .filter(instances::Column::ShiftEnd.lte(to))
        .filter(instances::Column::Id.not_in_subquery(alerted(CHECKLIST_UNSIGNED)))
        .order_by_asc(instances::Column::ShiftEnd)
        .limit(limit)
        .all(c)
        .await?)
}

/// Scheduled events whose reminder time falls in (from, to].
#[tracing::instrument(level = "debug", skip_all)]
pub async fn events_to_remind(c: &impl Conn, scan: Scan) -> StoreResult<Vec<InstanceEventRow>> {
    Ok(events::Entity::find()
        .filter(events::Column::RemindAt.gt(scan.from))
        .filter(events::Column::RemindAt.lte(scan.to))
        .filter(events::Column::Id.not_in_subquery(handled("REMINDER", "EVENT")))
        .filter(events::Column::InstanceId.in_subquery(open_checklists(scan.open_checklists)))
        .order_by_asc(events::Column::RemindAt)
        .limit(scan.limit)
        .all(c)
        .await?)
}

/// Records a delivery; false when it was already made (by anyone, ever).
#[tracing::instrument(level = "debug", skip_all)]
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

/// The checklists with an open timed item or subitem whose due state changed in
/// (from, to]: its reminder time, its due time or the end of its `grace` falls in it.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn checklists_with_due_changes(
    c: &impl Conn,
    scan: Scan,
    grace: chrono::Duration,
) -> StoreResult<Vec<uuid::Uuid>> {
    use sea_orm::Condition;
    let (from, to) = (scan.from, scan.to);
    macro_rules! crossing {
        ($entity:ident) => {{
            // (lo, hi] on a column.
            let within = |col: $entity::Column, lo, hi| Condition::all().add(col.gt(lo)).add(col.lte(hi));
            let crossed = Condition::any()
                .add(within($entity::Column::RemindAt, from, to))
                .add(within($entity::Column::ScheduledAt, from, to))
                .add(within($entity::Column::ScheduledAt, from - grace, to - grace));
            $entity::Entity::find()
                .select_only()
                .column($entity::Column::InstanceId)
                .filter(crossed)
                .filter($entity::Column::Status.is_in(names(scan.open_items)))
                .filter($entity::Column::InstanceId.in_subquery(open_checklists(scan.open_checklists)))
                .distinct()
                .limit(scan.limit)
                .into_tuple::<uuid::Uuid>()
                .all(c)
                .await?
        }};
    }
    let mut ids = crossing!(items);
    ids.extend(crossing!(subitems));
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}
