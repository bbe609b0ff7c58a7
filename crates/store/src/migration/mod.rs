//! The migration history. One schema serves SQLite and PostgreSQL, so every
//! migration is written with the portable sea-query builders.

use sea_orm_migration::MigrationTrait;
pub use sea_orm_migration::MigratorTrait;

mod m20261125_000001_schema;
mod m20261125_000002_presence;
mod m20261126_000003_inbox_order;
mod m20261203_000004_auth_failure_reason;
mod m20261204_000005_points_ledger;
mod m20261205_000006_streak_revision;
mod m20261205_000007_report_mail_preferences;
mod m20261205_000008_export_order;
mod m20261205_000009_roster;
mod m20261206_000010_shift_swaps;
mod m20261206_000011_coverage_calendar;
mod m20261206_000012_performance_indexes;
mod m20261207_000013_alerts;
mod m20261207_000014_quiet_hours;
mod m20261208_000015_directory_accounts;
mod m20261209_000016_exception_moves;

/// Runs the migrations in order; `Migrator::up(&db, None)` applies what is pending.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_schema::Migration),
            Box::new(m20261125_000002_presence::Migration),
            Box::new(m20261126_000003_inbox_order::Migration),
            Box::new(m20261203_000004_auth_failure_reason::Migration),
            Box::new(m20261204_000005_points_ledger::Migration),
            Box::new(m20261205_000006_streak_revision::Migration),
            Box::new(m20261205_000007_report_mail_preferences::Migration),
            Box::new(m20261205_000008_export_order::Migration),
            Box::new(m20261205_000009_roster::Migration),
            Box::new(m20261206_000010_shift_swaps::Migration),
            Box::new(m20261206_000011_coverage_calendar::Migration),
            Box::new(m20261206_000012_performance_indexes::Migration),
            Box::new(m20261207_000013_alerts::Migration),
            Box::new(m20261207_000014_quiet_hours::Migration),
            Box::new(m20261208_000015_directory_accounts::Migration),
            Box::new(m20261209_000016_exception_moves::Migration),
        ]
    }
}
