//! `checklist_instances`: one checklist per section, date and shift, copied from a template.

use sea_orm::entity::prelude::*;
use sentinelops_domain::checklist::InstanceStatus;
use sentinelops_domain::shift::ShiftType;

use crate::stored::Stored;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "checklist_instances")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub template_id: Uuid,
    pub template_version: i32,
    pub template_name: String,
    pub template_description: Option<String>,
    pub section_id: Uuid,
    pub checklist_date: Date,
    /// One of MORNING, AFTERNOON, NIGHT.
    pub shift: Stored<ShiftType>,
    pub shift_start: DateTimeUtc,
    pub shift_end: DateTimeUtc,
    /// One of OPEN, IN_PROGRESS, PENDING_REVIEW, COMPLETED, COMPLETED_WITH_EXCEPTIONS, INCOMPLETE.
    pub status: Stored<InstanceStatus>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub closed_by: Option<Uuid>,
    pub closed_at: Option<DateTimeUtc>,
    pub completion_time_seconds: Option<i32>,
    pub exception_count: i32,
    /// Bumped on every change; clients use it to detect stale views.
    pub revision: i64,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
