//! `checklist_template_items`: items of a checklist template.

use sea_orm::entity::prelude::*;
use sentinelops_domain::checklist::ItemType;

use crate::stored::Stored;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "checklist_template_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub template_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    /// One of ROUTINE, TIMED, SCHEDULED_EVENT, CONDITIONAL, INFORMATIONAL.
    pub item_type: Stored<ItemType>,
    pub is_required: bool,
    pub has_exe_time: bool,
    /// 1 to 5.
    pub severity: i32,
    pub sort_order: i32,
    pub scheduled_time: Option<Time>,
    pub notify_before_minutes: Option<i32>,
    pub is_active: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
