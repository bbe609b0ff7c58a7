//! `roster_settings`: a section's roster settings (no row: the defaults).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "roster_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub section_id: Uuid,
    pub swaps_need_approval: bool,
    pub updated_by: Option<Uuid>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
