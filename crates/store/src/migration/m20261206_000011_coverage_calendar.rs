//! Coverage and calendar feeds (issue 20): the minimum headcount a section sets per
//! shift, the coverage alerts already sent (one row per section, date, shift and
//! threshold, so each goes out once whoever runs the job), and the private iCalendar
//! feeds (only a hash of each feed's secret token is kept).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{date, integer, pk_uuid, text, timestamp_with_time_zone, uuid, uuid_null};

use super::m20261205_000009_roster::{fk, index};
use ForeignKeyAction::{Cascade, SetNull};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn minimums() -> TableCreateStatement {
    const T: &str = "coverage_minimums";
    Table::create()
        .table(T)
        .col(uuid("section_id"))
        .col(integer("shift_id"))
        .col(integer("minimum").check(Expr::col("minimum").gte(0)))
        .col(uuid_null("updated_by"))
        .col(timestamp_with_time_zone("updated_at"))
        .primary_key(Index::create().col("section_id").col("shift_id"))
        .foreign_key(&mut fk(T, "section_id", "sections", Cascade))
        .foreign_key(&mut fk(T, "shift_id", "shifts", Cascade))
        .foreign_key(&mut fk(T, "updated_by", "users", SetNull))
        .to_owned()
}

fn alerts() -> TableCreateStatement {
    const T: &str = "coverage_alerts";
    Table::create()
        .table(T)
        .col(pk_uuid("id"))
        .col(uuid("section_id"))
        .col(date("date"))
        .col(integer("shift_id"))
        // AHEAD (the first look, 24 h before by default) or FINAL (1 h before).
        .col(text("threshold"))
        .col(integer("rostered"))
        .col(integer("minimum"))
        .col(timestamp_with_time_zone("created_at"))
        .foreign_key(&mut fk(T, "section_id", "sections", Cascade))
        .foreign_key(&mut fk(T, "shift_id", "shifts", Cascade))
        .to_owned()
}

fn feeds() -> TableCreateStatement {
    const T: &str = "calendar_feeds";
    Table::create()
        .table(T)
        .col(pk_uuid("id"))
        .col(uuid("user_id"))
        // Null: the user's own shifts; else the section's roster (a manager's feed).
        .col(uuid_null("section_id"))
        // "me" or the section's id: one feed per user and scope.
        .col(text("scope"))
        // SHA-256 (hex) of the secret token in the feed's URL.
        .col(text("token_hash"))
        .col(timestamp_with_time_zone("created_at"))
        .foreign_key(&mut fk(T, "user_id", "users", Cascade))
        .foreign_key(&mut fk(T, "section_id", "sections", Cascade))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(minimums()).await?;
        manager.create_table(alerts()).await?;
        manager.create_index(index("coverage_alerts", &["section_id", "date", "shift_id", "threshold"], true)).await?;
        manager.create_table(feeds()).await?;
        manager.create_index(index("calendar_feeds", &["user_id", "scope"], true)).await?;
        manager.create_index(index("calendar_feeds", &["token_hash"], true)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["calendar_feeds", "coverage_alerts", "coverage_minimums"] {
            manager.drop_table(Table::drop().table(table).if_exists().to_owned()).await?;
        }
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
