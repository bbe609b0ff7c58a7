//! The shift roster (issue 20): weekly shift patterns of a section, their assignment to
//! users from a date (open-ended or not: rules read when asked, never rows generated to
//! a horizon), single scheduled shifts, days off (requested, then approved, rejected or
//! cancelled) and single-day exceptions. A shift these reference cannot be deleted
//! (RESTRICT); deleting a user, section or pattern takes its roster rows with it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    boolean, date, date_null, integer, integer_null, json_binary, pk_uuid, text, text_null, timestamp_with_time_zone,
    uuid, uuid_null,
};

use ForeignKeyAction::{Cascade, Restrict, SetNull};

#[derive(DeriveMigrationName)]
pub struct Migration;

const PATTERN_TYPES: &[&str] = &["FIXED", "ROTATING", "CUSTOM"];
const DAY_OFF_STATUSES: &[&str] = &["PENDING", "APPROVED", "REJECTED", "CANCELLED"];

fn one_of(col: &'static str, values: &'static [&'static str]) -> ColumnDef {
    text(col).check(Expr::col(col).is_in(values.iter().copied())).take()
}

pub(super) fn fk(
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

pub(super) fn index(table: &'static str, cols: &[&'static str], unique: bool) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(format!("idx_{table}_{}", cols.join("_"))).table(table).if_not_exists();
    if unique {
        index.unique();
    }
    for col in cols {
        index.col(*col);
    }
    index
}

fn patterns() -> TableCreateStatement {
    const T: &str = "shift_patterns";
    Table::create()
        .table(T)
        .col(pk_uuid("id"))
        .col(uuid("section_id"))
        .col(text("name"))
        .col(text_null("description"))
        .col(one_of("pattern_type", PATTERN_TYPES))
        .col(json_binary("metadata"))
        .col(uuid_null("created_by"))
        .col(timestamp_with_time_zone("created_at"))
        .col(timestamp_with_time_zone("updated_at"))
        .foreign_key(&mut fk(T, "section_id", "sections", Cascade))
        .foreign_key(&mut fk(T, "created_by", "users", SetNull))
        .to_owned()
}

fn pattern_days() -> TableCreateStatement {
    const T: &str = "shift_pattern_days";
    Table::create()
        .table(T)
        .col(uuid("pattern_id"))
        // 0 = Sunday … 6 = Saturday.
        .col(integer("day_of_week").check(Expr::col("day_of_week").between(0, 6)))
        .col(integer_null("shift_id"))
        .col(boolean("is_off_day"))
        .primary_key(Index::create().col("pattern_id").col("day_of_week"))
        .foreign_key(&mut fk(T, "pattern_id", "shift_patterns", Cascade))
        .foreign_key(&mut fk(T, "shift_id", "shifts", Restrict))
        .to_owned()
}

fn assignments() -> TableCreateStatement {
    const T: &str = "shift_assignments";
    Table::create()
        .table(T)
        .col(pk_uuid("id"))
        .col(uuid("user_id"))
        .col(uuid("section_id"))
        .col(uuid("pattern_id"))
        .col(date("start_date"))
        .col(date_null("end_date"))
        .col(uuid_null("assigned_by"))
        .col(timestamp_with_time_zone("created_at"))
        .foreign_key(&mut fk(T, "user_id", "users", Cascade))
        .foreign_key(&mut fk(T, "section_id", "sections", Cascade))
        .foreign_key(&mut fk(T, "pattern_id", "shift_patterns", Cascade))
        .foreign_key(&mut fk(T, "assigned_by", "users", SetNull))
        .to_owned()
}

fn scheduled() -> TableCreateStatement {
    const T: &str = "scheduled_shifts";
    Table::create()
        .table(T)
        .col(pk_uuid("id"))
        .col(integer("shift_id"))
        .col(uuid("user_id"))
        // The section the user was rostered in.
        .col(uuid("section_id"))
        .col(date("date"))
        // Free text in the original ("ASSIGNED", "scheduled"); CANCELLED takes it off the roster.
        .col(text("status"))
        .col(uuid_null("assigned_by"))
        .col(timestamp_with_time_zone("created_at"))
        .foreign_key(&mut fk(T, "shift_id", "shifts", Restrict))
        .foreign_key(&mut fk(T, "user_id", "users", Cascade))
        .foreign_key(&mut fk(T, "section_id", "sections", Cascade))
        .foreign_key(&mut fk(T, "assigned_by", "users", SetNull))
        .to_owned()
}

fn days_off() -> TableCreateStatement {
    const T: &str = "days_off";
    Table::create()
        .table(T)
        .col(pk_uuid("id"))
        .col(uuid("user_id"))
        .col(uuid("section_id"))
        .col(date("start_date"))
        .col(date("end_date"))
        .col(text("reason"))
        .col(one_of("status", DAY_OFF_STATUSES))
        .col(uuid_null("requested_by"))
        .col(uuid_null("decided_by"))
        .col(ColumnDef::new("decided_at").timestamp_with_time_zone().null().take())
        .col(timestamp_with_time_zone("created_at"))
        .foreign_key(&mut fk(T, "user_id", "users", Cascade))
        .foreign_key(&mut fk(T, "section_id", "sections", Cascade))
        .foreign_key(&mut fk(T, "requested_by", "users", SetNull))
        .foreign_key(&mut fk(T, "decided_by", "users", SetNull))
        .to_owned()
}

fn exceptions() -> TableCreateStatement {
    const T: &str = "shift_exceptions";
    Table::create()
        .table(T)
        .col(pk_uuid("id"))
        .col(uuid("user_id"))
        .col(uuid("section_id"))
        .col(date("date"))
        .col(integer_null("shift_id"))
        .col(boolean("is_day_off"))
        .col(text_null("reason"))
        .col(uuid_null("created_by"))
        .col(timestamp_with_time_zone("created_at"))
        .foreign_key(&mut fk(T, "user_id", "users", Cascade))
        .foreign_key(&mut fk(T, "section_id", "sections", Cascade))
        .foreign_key(&mut fk(T, "shift_id", "shifts", Restrict))
        .foreign_key(&mut fk(T, "created_by", "users", SetNull))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(patterns()).await?;
        manager.create_index(index("shift_patterns", &["section_id", "name"], false)).await?;
        manager.create_table(pattern_days()).await?;
        manager.create_table(assignments()).await?;
        manager.create_index(index("shift_assignments", &["user_id", "start_date"], false)).await?;
        manager.create_index(index("shift_assignments", &["section_id", "start_date"], false)).await?;
        manager.create_table(scheduled()).await?;
        manager.create_index(index("scheduled_shifts", &["shift_id", "user_id", "date"], true)).await?;
        manager.create_index(index("scheduled_shifts", &["section_id", "date"], false)).await?;
        manager.create_index(index("scheduled_shifts", &["user_id", "date"], false)).await?;
        manager.create_table(days_off()).await?;
        manager.create_index(index("days_off", &["user_id", "start_date"], false)).await?;
        manager.create_index(index("days_off", &["section_id", "status"], false)).await?;
        manager.create_table(exceptions()).await?;
        manager.create_index(index("shift_exceptions", &["user_id", "date"], true)).await?;
        manager.create_index(index("shift_exceptions", &["section_id", "date"], false)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "shift_exceptions",
            "days_off",
            "scheduled_shifts",
            "shift_assignments",
            "shift_pattern_days",
            "shift_patterns",
        ] {
            manager.drop_table(Table::drop().table(table).if_exists().to_owned()).await?;
        }
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
