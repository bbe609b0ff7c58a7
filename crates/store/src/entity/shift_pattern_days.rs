//! `shift_pattern_days`: the seven days of a shift pattern.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "shift_pattern_days")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub pattern_id: Uuid,
    /// 0 = Sunday … 6 = Saturday.
    #[sea_orm(primary_key, auto_increment = false)]
    pub day_of_week: i32,
    pub shift_id: Option<i32>,
    pub is_off_day: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
