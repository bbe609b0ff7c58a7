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

impl Model {
    /// A new OPEN checklist for `date` and `shift`, a copy of `template` (its name,
    /// description and version; its section), with `window` the shift's start and end:
    /// not closed, no exceptions, revision 1, created and updated at `now` by nobody
    /// (callers set `created_by`, or another status, with struct update syntax).
    pub fn open(
        id: Uuid,
        template: &super::checklist_templates::Model,
        date: Date,
        shift: ShiftType,
        (shift_start, shift_end): (DateTimeUtc, DateTimeUtc),
        now: DateTimeUtc,
    ) -> Self {
        Self {
            id,
            template_id: template.id,
            template_version: template.version,
            template_name: template.name.clone(),
            template_description: template.description.clone(),
            section_id: template.section_id,
            checklist_date: date,
            shift: Stored(shift),
            shift_start,
            shift_end,
            status: Stored(InstanceStatus::Open),
            created_by: None,
            created_at: now,
            closed_by: None,
            closed_at: None,
            completion_time_seconds: None,
            exception_count: 0,
            revision: 1,
            updated_at: now,
        }
    }
}
