//! Shift swaps (issue 20): an operator's offer of one rostered shift (a date and a
//! shift), open to the section or directed at one colleague, taken by a colleague and
//! approved or rejected by a manager — and each section's roster settings (whether a
//! swap needs that approval). Deleting a user, section or shift takes their swaps with
//! it (a shift on the roster cannot be deleted anyway).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    boolean, date, integer, pk_uuid, text, text_null, timestamp_with_time_zone, timestamp_with_time_zone_null, uuid,
    uuid_null,
};

use ForeignKeyAction::{Cascade, SetNull};

#[derive(DeriveMigrationName)]
pub struct Migration;

const STATUSES: &[&str] = &["OFFERED", "ACCEPTED", "APPROVED", "REJECTED", "CANCELLED"];

fn fk(
    table: &'static str,
    col: &'static str,
    target: &'static str,
    target_col: &'static str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{col}"))
        .from(table, col)
        .to(target, target_col)
        .on_delete(on_delete)
        .to_owned()
}

fn swaps() -> TableCreateStatement {
    const T: &str = "shift_swaps";
    Table::create()
        .table(T)
        .col(pk_uuid("id"))
        .col(uuid("section_id"))
        .col(date("date"))
        .col(integer("shift_id"))
        .col(uuid("offered_by"))
        // A directed offer: only this colleague may take it.
        .col(uuid_null("offered_to"))
        .col(uuid_null("taken_by"))
        .col(text("status").check(Expr::col("status").is_in(STATUSES.iter().copied())))
        .col(text_null("note"))
        // Set when a swap completed on acceptance (the section needed no approval).
        .col(boolean("auto_approved"))
        .col(uuid_null("decided_by"))
        .col(text_null("decision_reason"))
        .col(timestamp_with_time_zone("created_at"))
        .col(timestamp_with_time_zone_null("accepted_at"))
        .col(timestamp_with_time_zone_null("decided_at"))
        .col(timestamp_with_time_zone("updated_at"))
        .foreign_key(&mut fk(T, "section_id", "sections", "id", Cascade))
        .foreign_key(&mut fk(T, "shift_id", "shifts", "id", Cascade))
        .foreign_key(&mut fk(T, "offered_by", "users", "id", Cascade))
        .foreign_key(&mut fk(T, "offered_to", "users", "id", Cascade))
        .foreign_key(&mut fk(T, "taken_by", "users", "id", Cascade))
        .foreign_key(&mut fk(T, "decided_by", "users", "id", SetNull))
        .to_owned()
}

fn settings() -> TableCreateStatement {
    const T: &str = "roster_settings";
    Table::create()
        .table(T)
        .col(uuid("section_id").primary_key())
        .col(boolean("swaps_need_approval"))
        .col(uuid_null("updated_by"))
        .col(timestamp_with_time_zone("updated_at"))
        .foreign_key(&mut fk(T, "section_id", "sections", "id", Cascade))
        .foreign_key(&mut fk(T, "updated_by", "users", "id", SetNull))
        .to_owned()
}

fn index(table: &'static str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(format!("idx_{table}_{}", cols.join("_"))).table(table).if_not_exists();
    for col in cols {
        index.col(*col);
    }
    index
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(swaps()).await?;
        manager.create_index(index("shift_swaps", &["section_id", "date"])).await?;
        manager.create_index(index("shift_swaps", &["offered_by", "date"])).await?;
        manager.create_index(index("shift_swaps", &["taken_by", "date"])).await?;
        // One open offer per person, date and shift, even for two racing offers (a partial
        // index: the same statement on SQLite and PostgreSQL).
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX IF NOT EXISTS uq_shift_swaps_open_offer ON shift_swaps (offered_by, date, shift_id) \
                 WHERE status IN ('OFFERED', 'ACCEPTED')",
            )
            .await?;
        manager.create_table(settings()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["roster_settings", "shift_swaps"] {
            manager.drop_table(Table::drop().table(table).if_exists().to_owned()).await?;
        }
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
