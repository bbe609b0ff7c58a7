//! `checklist_item_activity`: what happened to each item, by whom and when.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "checklist_item_activity")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub instance_id: Uuid,
    pub instance_item_id: Uuid,
    pub instance_subitem_id: Option<Uuid>,
    pub user_id: Uuid,
    /// One of STARTED, COMPLETED, COMMENTED, ACKNOWLEDGED, SKIPPED, ESCALATED, UPDATED, VERDICT.
    pub action: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub comment: Option<String>,
    pub reason: Option<String>,
    pub duration_ms: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
