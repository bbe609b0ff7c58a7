//! `user_streaks`: per-user streak counters.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "user_streaks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    pub current_streak_days: i32,
    pub longest_streak_days: i32,
    pub perfect_shifts_count: i32,
    pub total_points: i32,
    pub last_shift_date: Option<Date>,
    pub updated_at: DateTimeUtc,
    /// Bumped by every write to the row (see the `streak_revision` migration).
    pub revision: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
