//! `state_transition_rules`: allowed status transitions (seeded by the migration).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "state_transition_rules")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// One of CHECKLIST_ITEM, CHECKLIST_SUBITEM, CHECKLIST_INSTANCE.
    pub entity_type: String,
    pub from_status: String,
    pub to_status: String,
    /// JSON array of role names; `None` means any role.
    pub allowed_roles: Option<Json>,
    pub requires_reason: bool,
    pub requires_approval: bool,
    pub description: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
