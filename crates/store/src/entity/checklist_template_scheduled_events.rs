//! `checklist_template_scheduled_events`: dated events attached to a template item.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "checklist_template_scheduled_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub template_item_id: Uuid,
    pub event_datetime: DateTimeUtc,
    pub notify_before_minutes: i32,
    /// JSON array of role names.
    pub notify_roles: Option<Json>,
    pub notify_all: bool,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
