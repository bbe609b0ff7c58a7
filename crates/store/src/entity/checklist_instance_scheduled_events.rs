//! `checklist_instance_scheduled_events`: dated events of a checklist instance item.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "checklist_instance_scheduled_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub instance_item_id: Uuid,
    pub instance_id: Uuid,
    pub template_event_id: Option<Uuid>,
    pub event_datetime: DateTimeUtc,
    pub notify_before_minutes: i32,
    pub remind_at: DateTimeUtc,
    pub notify_all: bool,
    /// JSON array of role names.
    pub notify_roles: Option<Json>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
