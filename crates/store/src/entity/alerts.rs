//! `alerts`: things that need an owner (issue 21). `open_key` is unique and holds the
//! cause key while the alert is not resolved, so a cause has one open alert at a time.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "alerts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// ITEM_FAILED, ITEM_MISSED, CHECKLIST_UNSIGNED or COVERAGE_GAP.
    pub cause: String,
    pub cause_key: String,
    /// The step or checklist the cause is about (none for a coverage gap).
    pub subject_id: Option<Uuid>,
    pub open_key: Option<String>,
    /// OPEN, ACKNOWLEDGED or RESOLVED.
    pub status: String,
    /// The notification priority of its steps (critical or high).
    pub priority: String,
    pub title: String,
    pub message: String,
    pub section_id: Uuid,
    pub instance_id: Option<Uuid>,
    pub item_id: Option<Uuid>,
    pub subitem_id: Option<Uuid>,
    /// The last level notified (1-based).
    pub level: i32,
    /// The index of the next step of the climb, due at `next_step_at` (none: no more).
    pub next_step: i32,
    pub next_step_at: Option<DateTimeUtc>,
    /// How many times the cause happened again while the alert was not resolved.
    pub repeats: i32,
    pub opened_at: DateTimeUtc,
    pub last_seen_at: DateTimeUtc,
    pub acknowledged_by: Option<Uuid>,
    pub acknowledged_as: Option<String>,
    pub acknowledged_at: Option<DateTimeUtc>,
    pub resolved_by: Option<Uuid>,
    pub resolved_at: Option<DateTimeUtc>,
    pub resolution_note: Option<String>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
