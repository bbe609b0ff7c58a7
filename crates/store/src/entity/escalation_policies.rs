//! `escalation_policies`: a section's escalation policy (`domain::escalation::Policy`
//! as JSON); a section without a row has the default policy.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "escalation_policies")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub section_id: Uuid,
    pub policy: Json,
    pub updated_by: Option<Uuid>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
