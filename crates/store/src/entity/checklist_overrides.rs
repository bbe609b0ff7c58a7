//! `checklist_overrides`: supervisor overrides of a checklist instance.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "checklist_overrides")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub instance_id: Uuid,
    pub supervisor_id: Uuid,
    /// One of ONE_TIME_COMPLETION, REOPEN, FORCE_CLOSE, DATE_CORRECTION.
    pub kind: String,
    pub reason: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub details: Json,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
