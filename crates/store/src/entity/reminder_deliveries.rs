//! `reminder_deliveries`: reminders already sent, so each is sent once.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "reminder_deliveries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// One of REMINDER, MISSED.
    pub kind: String,
    /// One of ITEM, SUBITEM, EVENT.
    pub entity_type: String,
    pub entity_id: Uuid,
    pub instance_id: Uuid,
    pub due_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
