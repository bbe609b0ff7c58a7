//! `sections`: sections (teams) that own checklist templates and shifts.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "sections")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Unique.
    pub name: String,
    pub department_id: Option<i32>,
    pub manager_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    /// Operators see ranks without names on the leaderboard (NULL reads as false).
    pub hide_leaderboard_names: Option<bool>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
