//! Alerts and escalation (issue 21): the alerts (one open alert per cause, by the
//! unique `open_key`, which is cleared when the alert is resolved so the cause may open
//! a new one later), each alert's timeline, the sections' escalation policies, and the
//! one-click acknowledge links of alert e-mails (only a hash of each link's token is
//! kept; a link is single-use and expires).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    integer, json_binary, pk_uuid, text, text_null, timestamp_with_time_zone, timestamp_with_time_zone_null, uuid,
    uuid_null,
};

use super::m20261205_000009_roster::{fk, index};
use ForeignKeyAction::{Cascade, SetNull};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn one_of(column: &'static str, values: &[&str]) -> SimpleExpr {
    Expr::col(column).is_in(values.iter().copied())
}

fn alerts() -> TableCreateStatement {
    const T: &str = "alerts";
    Table::create()
        .table(T)
        .col(pk_uuid("id"))
        .col(
            text("cause").check(one_of("cause", &["ITEM_FAILED", "ITEM_MISSED", "CHECKLIST_UNSIGNED", "COVERAGE_GAP"])),
        )
        .col(text("cause_key"))
        // The step or checklist the cause is about (none for a coverage gap).
        .col(uuid_null("subject_id"))
        // The cause key while the alert is not resolved, else null (unique: one per cause).
        .col(text_null("open_key"))
        .col(text("status").check(one_of("status", &["OPEN", "ACKNOWLEDGED", "RESOLVED"])))
        .col(text("priority"))
        .col(text("title"))
        .col(text("message"))
        .col(uuid("section_id"))
        .col(uuid_null("instance_id"))
        .col(uuid_null("item_id"))
        .col(uuid_null("subitem_id"))
        // The last level notified (1-based) and the next step of the climb.
        .col(integer("level"))
        .col(integer("next_step"))
        .col(timestamp_with_time_zone_null("next_step_at"))
        .col(integer("repeats"))
        .col(timestamp_with_time_zone("opened_at"))
        .col(timestamp_with_time_zone("last_seen_at"))
        .col(uuid_null("acknowledged_by"))
        // Who acknowledged, as shown (a user's name, or the on-call address of a link).
        .col(text_null("acknowledged_as"))
        .col(timestamp_with_time_zone_null("acknowledged_at"))
        .col(uuid_null("resolved_by"))
        .col(timestamp_with_time_zone_null("resolved_at"))
        .col(text_null("resolution_note"))
        .col(timestamp_with_time_zone("updated_at"))
        .foreign_key(&mut fk(T, "section_id", "sections", Cascade))
        .foreign_key(&mut fk(T, "instance_id", "checklist_instances", SetNull))
        .foreign_key(&mut fk(T, "acknowledged_by", "users", SetNull))
        .foreign_key(&mut fk(T, "resolved_by", "users", SetNull))
        .to_owned()
}

fn events() -> TableCreateStatement {
    const T: &str = "alert_events";
    Table::create()
        .table(T)
        .col(pk_uuid("id"))
        .col(uuid("alert_id"))
        .col(timestamp_with_time_zone("at"))
        // OPENED, REPEATED, NOTIFIED, ACKNOWLEDGED, RESOLVED.
        .col(text("kind"))
        .col(integer("level"))
        .col(uuid_null("actor_id"))
        .col(text_null("actor_name"))
        .col(text_null("detail"))
        .foreign_key(&mut fk(T, "alert_id", "alerts", Cascade))
        .foreign_key(&mut fk(T, "actor_id", "users", SetNull))
        .to_owned()
}

fn policies() -> TableCreateStatement {
    const T: &str = "escalation_policies";
    Table::create()
        .table(T)
        .col(uuid("section_id").primary_key())
        .col(json_binary("policy"))
        .col(uuid_null("updated_by"))
        .col(timestamp_with_time_zone("updated_at"))
        .foreign_key(&mut fk(T, "section_id", "sections", Cascade))
        .foreign_key(&mut fk(T, "updated_by", "users", SetNull))
        .to_owned()
}

fn links() -> TableCreateStatement {
    const T: &str = "alert_links";
    Table::create()
        .table(T)
        .col(pk_uuid("id"))
        .col(uuid("alert_id"))
        // SHA-256 (hex) of the secret token in the link.
        .col(text("token_hash"))
        // The user it was mailed to, or null for an on-call address.
        .col(uuid_null("user_id"))
        .col(text("address"))
        .col(timestamp_with_time_zone("expires_at"))
        .col(timestamp_with_time_zone_null("used_at"))
        .col(timestamp_with_time_zone("created_at"))
        .foreign_key(&mut fk(T, "alert_id", "alerts", Cascade))
        .foreign_key(&mut fk(T, "user_id", "users", Cascade))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(alerts()).await?;
        manager.create_index(index("alerts", &["open_key"], true)).await?;
        manager.create_index(index("alerts", &["status", "next_step_at"], false)).await?;
        manager.create_index(index("alerts", &["section_id", "opened_at"], false)).await?;
        manager.create_index(index("alerts", &["instance_id"], false)).await?;
        manager.create_index(index("alerts", &["cause", "subject_id"], false)).await?;
        manager.create_table(events()).await?;
        manager.create_index(index("alert_events", &["alert_id", "at"], false)).await?;
        manager.create_table(policies()).await?;
        manager.create_table(links()).await?;
        manager.create_index(index("alert_links", &["token_hash"], true)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["alert_links", "escalation_policies", "alert_events", "alerts"] {
            manager.drop_table(Table::drop().table(table).if_exists().to_owned()).await?;
        }
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
