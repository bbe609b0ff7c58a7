//! Reads of the checklist export: instances in keyset pages (date, shift start, id),
//! and everything inside one page of them in one query per table.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use sentinelops_domain::checklist::ItemStatus;
use uuid::Uuid;

use super::checklists::{
    ActivityRow, InstanceFilter, InstanceItemRow, InstanceRow, InstanceSubitemRow, OverrideRow, filtered,
};
use crate::Conn;
use crate::entity::{
    checklist_instance_items as items, checklist_instance_subitems as subitems, checklist_instances as instances,
    checklist_item_activity as activity, checklist_overrides as overrides,
};
use crate::error::StoreResult;

/// Where the next page of instances starts: strictly after this instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstanceCursor {
    pub date: NaiveDate,
    pub shift_start: DateTime<Utc>,
    pub id: Uuid,
}

impl InstanceCursor {
    pub fn of(row: &InstanceRow) -> InstanceCursor {
        InstanceCursor { date: row.checklist_date, shift_start: row.shift_start, id: row.id }
    }
}

/// Up to `limit` instances matching `f`, oldest day first, then by shift start and id,
/// strictly after `after`. The date bound comes first so the date index limits the scan.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn instances_after(
    c: &impl Conn,
    f: &InstanceFilter,
    after: Option<InstanceCursor>,
    limit: u64,
) -> StoreResult<Vec<InstanceRow>> {
    use instances::Column as I;
    let mut query = filtered(f);
    if let Some(at) = after {
        query = query.filter(I::ChecklistDate.gte(at.date)).filter(
            Condition::any()
                .add(I::ChecklistDate.gt(at.date))
                .add(I::ShiftStart.gt(at.shift_start))
                .add(Condition::all().add(I::ShiftStart.eq(at.shift_start)).add(I::Id.gt(at.id))),
        );
    }
    Ok(query.order_by_asc(I::ChecklistDate).order_by_asc(I::ShiftStart).order_by_asc(I::Id).limit(limit).all(c).await?)
}

/// The items, subitems and overrides of some instances.
#[derive(Debug, Clone, Default)]
pub struct Contents {
    /// By instance, then position.
    pub items: Vec<InstanceItemRow>,
    /// By item, then position.
    pub subitems: Vec<InstanceSubitemRow>,
    /// By instance, then time.
    pub overrides: Vec<OverrideRow>,
    /// The activity rows that moved a step to SKIPPED or FAILED, oldest first: a skip
    /// or failure is stamped on the row only as a reason, so who made it, and when,
    /// come from here (the step's `started_by` may be someone else).
    pub exception_moves: Vec<ActivityRow>,
}

/// Who moved a step to its status, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Move {
    pub by: Uuid,
    pub at: DateTime<Utc>,
}

impl Contents {
    /// The newest move of each step to SKIPPED or FAILED, by (item, subitem, status).
    pub fn exception_movers(&self) -> HashMap<(Uuid, Option<Uuid>, &str), Move> {
        self.exception_moves
            .iter()
            .filter_map(|a| {
                let status = a.to_status.as_deref()?;
                Some(((a.instance_item_id, a.instance_subitem_id, status), Move { by: a.user_id, at: a.created_at }))
            })
            .collect() // oldest first, so a later move replaces an earlier one
    }
}

/// Four queries whatever the number of instances (the caller bounds it by its page).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn contents_of(c: &impl Conn, instance_ids: Vec<Uuid>) -> StoreResult<Contents> {
    if instance_ids.is_empty() {
        return Ok(Contents::default());
    }
    let items = items::Entity::find()
        .filter(items::Column::InstanceId.is_in(instance_ids.clone()))
        .order_by_asc(items::Column::InstanceId)
        .order_by_asc(items::Column::SortOrder)
        .order_by_asc(items::Column::Id)
        .all(c)
        .await?;
    let subitems = subitems::Entity::find()
        .filter(subitems::Column::InstanceId.is_in(instance_ids.clone()))
        .order_by_asc(subitems::Column::InstanceItemId)
        .order_by_asc(subitems::Column::SortOrder)
        .order_by_asc(subitems::Column::Id)
        .all(c)
        .await?;
    let overrides = overrides::Entity::find()
        .filter(overrides::Column::InstanceId.is_in(instance_ids.clone()))
        .order_by_asc(overrides::Column::InstanceId)
        .order_by_asc(overrides::Column::CreatedAt)
        .all(c)
        .await?;
    let exception_moves = activity::Entity::find()
        .filter(activity::Column::InstanceId.is_in(instance_ids))
        .filter(activity::Column::ToStatus.is_in([ItemStatus::Skipped.as_str(), ItemStatus::Failed.as_str()]))
        .order_by_asc(activity::Column::CreatedAt)
        .order_by_asc(activity::Column::Id)
        .all(c)
        .await?;
    Ok(Contents { items, subitems, overrides, exception_moves })
}
