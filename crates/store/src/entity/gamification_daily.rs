//! `gamification_daily`: one user's counters for one activity date, the sum of their
//! counting ledger rows of that date (`sentinelops_domain::scoring::DailyTally`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "gamification_daily")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub activity_date: Date,
    pub points: i64,
    pub execution_points: i64,
    pub reliability_points: i64,
    pub collaboration_points: i64,
    pub quality_points: i64,
    pub actions: i64,
    pub items: i64,
    pub critical_items: i64,
    pub failures_reported: i64,
    pub timed_starts: i64,
    pub timed_on_time: i64,
    pub late_events: i64,
    pub checklists: i64,
    pub on_time_checklists: i64,
    pub clean_checklists: i64,
    pub collab_checklists: i64,
    pub collab_actions: i64,
    pub handovers_created: i64,
    pub handovers_resolved: i64,
    pub shifts_staffed: i64,
    pub morning_actions: i64,
    pub morning_runs: i64,
    pub afternoon_actions: i64,
    pub afternoon_runs: i64,
    pub night_actions: i64,
    pub night_runs: i64,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
