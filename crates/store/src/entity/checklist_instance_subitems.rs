//! `checklist_instance_subitems`: sub-items of a checklist instance item.

use sea_orm::entity::prelude::*;
use sentinelops_domain::checklist::{ItemStatus, ItemType};

use crate::stored::Stored;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "checklist_instance_subitems")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub instance_item_id: Uuid,
    pub instance_id: Uuid,
    pub template_subitem_id: Option<Uuid>,
    pub title: String,
    pub description: Option<String>,
    /// One of ROUTINE, TIMED, SCHEDULED_EVENT, CONDITIONAL, INFORMATIONAL.
    pub item_type: Stored<ItemType>,
    pub is_required: bool,
    pub has_exe_time: bool,
    pub severity: i32,
    pub sort_order: i32,
    pub scheduled_time: Option<Time>,
    pub notify_before_minutes: Option<i32>,
    pub scheduled_at: Option<DateTimeUtc>,
    pub remind_at: Option<DateTimeUtc>,
    /// One of PENDING, IN_PROGRESS, COMPLETED, SKIPPED, FAILED.
    pub status: Stored<ItemStatus>,
    pub started_by: Option<Uuid>,
    pub started_at: Option<DateTimeUtc>,
    pub completed_by: Option<Uuid>,
    pub completed_at: Option<DateTimeUtc>,
    pub skipped_reason: Option<String>,
    pub failure_reason: Option<String>,
    /// Optimistic-locking counter.
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
