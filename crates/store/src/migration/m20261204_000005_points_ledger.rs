//! The points ledger. `gamification_scores` was created in the first schema but nothing
//! ever wrote it, so it is rebuilt here in its real shape: append-only rows that say
//! what they count (`kind`), whether they count yet (`state`), for which day, shift,
//! section and subject, and how many units (`quantity`; negative in a reversal).
//! `gamification_daily` holds each user's counters per activity date, kept in the same
//! transaction as the rows, so the performance views read a bounded number of rows.
//! `sections.hide_leaderboard_names` lets a section show operators ranks without names
//! (NULL reads as false, so existing sections need no backfill).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    boolean_null, date, integer, json_binary, pk_uuid, text, timestamp_with_time_zone, uuid, uuid_null,
};

use ForeignKeyAction::{Cascade, SetNull};

#[derive(DeriveMigrationName)]
pub struct Migration;

const KINDS: &[&str] = &[
    "ITEM",
    "SUBITEM",
    "CRITICAL_ITEM",
    "FAILURE_REPORTED",
    "TIMED_START_ON_TIME",
    "TIMED_START_LATE",
    "CHECKLIST_RUN",
    "CHECKLIST_ON_TIME",
    "CHECKLIST_CLEAN",
    "COLLABORATION",
    "COLLABORATIVE_ACTIONS",
    "HANDOVER_CREATED",
    "HANDOVER_RESOLVED",
    "SHIFT_STAFFED",
    "ADJUSTMENT",
];
const STATES: &[&str] = &["PROVISIONAL", "CONFIRMED", "REFUSED", "REVERSAL", "ADJUSTMENT"];
const REASONS: &[&str] = &[
    "ON_TIME_COMPLETION",
    "EARLY_COMPLETION",
    "PERFECT_SHIFT",
    "TEAM_COLLABORATION",
    "QUICK_RESOLUTION",
    "ESCALATION_HANDLED",
    "EXCEPTION_PREVENTED",
    "SUPERVISOR_APPROVAL",
];
const SHIFTS: &[&str] = &["MORNING", "AFTERNOON", "NIGHT"];

/// The daily counters, in `DailyTally::columns` order.
pub(crate) const DAILY_COUNTERS: [&str; 26] = [
    "points",
    "execution_points",
    "reliability_points",
    "collaboration_points",
    "quality_points",
    "actions",
    "items",
    "critical_items",
    "failures_reported",
    "timed_starts",
    "timed_on_time",
    "late_events",
    "checklists",
    "on_time_checklists",
    "clean_checklists",
    "collab_checklists",
    "collab_actions",
    "handovers_created",
    "handovers_resolved",
    "shifts_staffed",
    "morning_actions",
    "morning_runs",
    "afternoon_actions",
    "afternoon_runs",
    "night_actions",
    "night_runs",
];

fn one_of(col: &'static str, values: &'static [&'static str]) -> ColumnDef {
    text(col).check(Expr::col(col).is_in(values.iter().copied())).take()
}

fn index(table: &'static str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(format!("idx_{table}_{}", cols.join("_"))).table(table).if_not_exists();
    for col in cols {
        index.col(*col);
    }
    index
}

fn fk(
    table: &'static str,
    col: &'static str,
    target: &'static str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{col}"))
        .from(table, col)
        .to(target, "id")
        .on_delete(on_delete)
        .to_owned()
}

fn ledger() -> TableCreateStatement {
    const T: &str = "gamification_scores";
    Table::create()
        .table(T)
        .col(pk_uuid("id"))
        .col(uuid("user_id"))
        // SET NULL, not CASCADE: deleting a checklist must not delete the history of
        // what it paid (the deletion writes reversals instead).
        .col(uuid_null("instance_id"))
        // The item, subitem or handover note the row is about.
        .col(uuid_null("subject_id"))
        .col(one_of("kind", KINDS))
        .col(one_of("state", STATES))
        .col(one_of("reason", REASONS))
        .col(integer("points"))
        .col(integer("quantity"))
        .col(date("activity_date"))
        .col(one_of("shift", SHIFTS).null().take())
        .col(uuid_null("section_id"))
        .col(json_binary("metadata"))
        .col(uuid_null("awarded_by"))
        .col(timestamp_with_time_zone("awarded_at"))
        .foreign_key(&mut fk(T, "user_id", "users", Cascade))
        .foreign_key(&mut fk(T, "instance_id", "checklist_instances", SetNull))
        .foreign_key(&mut fk(T, "awarded_by", "users", SetNull))
        .to_owned()
}

fn daily() -> TableCreateStatement {
    const T: &str = "gamification_daily";
    let mut create = Table::create();
    create.table(T).col(uuid("user_id")).col(date("activity_date"));
    for counter in DAILY_COUNTERS {
        create.col(ColumnDef::new(Alias::new(counter)).big_integer().not_null());
    }
    create
        .col(timestamp_with_time_zone("updated_at"))
        .primary_key(Index::create().col("user_id").col("activity_date"))
        .foreign_key(&mut fk(T, "user_id", "users", Cascade))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("gamification_scores").if_exists().to_owned()).await?;
        manager.create_table(ledger()).await?;
        for cols in [&["user_id", "awarded_at"][..], &["user_id", "activity_date"], &["instance_id"], &["subject_id"]] {
            manager.create_index(index("gamification_scores", cols)).await?;
        }
        manager.create_table(daily()).await?;
        manager.create_index(index("gamification_daily", &["activity_date"])).await?;
        manager
            .alter_table(Table::alter().table("sections").add_column(boolean_null("hide_leaderboard_names")).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("sections").drop_column("hide_leaderboard_names").to_owned()).await?;
        manager.drop_table(Table::drop().table("gamification_daily").if_exists().to_owned()).await?;
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
