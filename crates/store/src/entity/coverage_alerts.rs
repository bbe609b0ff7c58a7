//! `coverage_alerts`: coverage alerts already sent, one per section, date, shift and
//! threshold (unique), so each is sent once.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "coverage_alerts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub section_id: Uuid,
    pub date: Date,
    pub shift_id: i32,
    /// AHEAD or FINAL.
    pub threshold: String,
    pub rostered: i32,
    pub minimum: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
