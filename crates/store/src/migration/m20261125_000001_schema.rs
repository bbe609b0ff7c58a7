//! The complete SentinelOps schema, portable to SQLite and PostgreSQL.
//!
//! House rules: only portable column types (uuid, timestamptz, date, time,
//! jsonb, text, integer, bigint, boolean); no DB-side defaults, triggers or
//! views (the application sets every value); enums are text columns with a
//! CHECK constraint; foreign keys are declared inside `CREATE TABLE` because
//! SQLite cannot add them later; every index has an explicit name.

use chrono::{DateTime, NaiveTime, Utc};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, big_integer_null, big_pk_auto, boolean, date, date_null, integer, integer_null, json_binary,
    json_binary_null, pk_auto, pk_uuid, text, text_null, time, time_null, timestamp_with_time_zone,
    timestamp_with_time_zone_null, uuid, uuid_null,
};
use serde_json::json;
use uuid::Uuid;

use ForeignKeyAction::{Cascade, Restrict, SetNull};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in tables() {
            manager.create_table(table.create).await?;
            for index in table.indexes {
                manager.create_index(index).await?;
            }
        }
        // Migrations run outside any use case, so there is no injected clock to ask.
        #[allow(clippy::disallowed_methods)]
        let now = Utc::now();
        seed_shifts(manager, now).await?;
        seed_transition_rules(manager, now).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Reverse creation order: every table goes before the tables it references.
        // Dropping a table drops its indexes too.
        for table in tables().into_iter().rev() {
            manager.drop_table(Table::drop().table(table.name).if_exists().to_owned()).await?;
        }
        Ok(())
    }

    /// SQLite runs migrations outside a transaction by default; DDL is
    /// transactional there too, so a failure half-way (or in the seed) leaves
    /// no partial schema behind and the migration can simply run again.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}

// ---------------------------------------------------------------------------
// Enum values, checked by the database.

const ROLES: &[&str] = &["admin", "manager", "user"];
const SESSION_REVOKE_REASONS: &[&str] = &["logout", "admin", "deactivated", "password_changed", "expired", "user"];
const AUTH_EVENT_TYPES: &[&str] =
    &["LOGIN_SUCCESS", "LOGIN_FAILURE", "LOGOUT", "SESSION_CREATED", "SESSION_REVOKED", "INVALID_TOKEN"];
const SHIFTS: &[&str] = &["MORNING", "AFTERNOON", "NIGHT"];
const ITEM_TYPES: &[&str] = &["ROUTINE", "TIMED", "SCHEDULED_EVENT", "CONDITIONAL", "INFORMATIONAL"];
const INSTANCE_STATUSES: &[&str] =
    &["OPEN", "IN_PROGRESS", "PENDING_REVIEW", "COMPLETED", "COMPLETED_WITH_EXCEPTIONS", "INCOMPLETE"];
const ITEM_STATUSES: &[&str] = &["PENDING", "IN_PROGRESS", "COMPLETED", "SKIPPED", "FAILED"];
const ACTIVITY_ACTIONS: &[&str] =
    &["STARTED", "COMPLETED", "COMMENTED", "ACKNOWLEDGED", "SKIPPED", "ESCALATED", "UPDATED", "VERDICT"];
const OVERRIDE_KINDS: &[&str] = &["ONE_TIME_COMPLETION", "REOPEN", "FORCE_CLOSE", "DATE_CORRECTION"];
const RULE_ENTITY_TYPES: &[&str] = &["CHECKLIST_ITEM", "CHECKLIST_SUBITEM", "CHECKLIST_INSTANCE"];
const NOTIFICATION_PRIORITIES: &[&str] = &["low", "medium", "high", "critical"];
const OUTBOX_KINDS: &[&str] = &["email", "webhook"];
const OUTBOX_STATUSES: &[&str] = &["PENDING", "SENT", "DEAD"];
const REMINDER_KINDS: &[&str] = &["REMINDER", "MISSED"];
const REMINDER_ENTITY_TYPES: &[&str] = &["ITEM", "SUBITEM", "EVENT"];

// ---------------------------------------------------------------------------
// Column shapes. All are NOT NULL unless the name ends in `_null`.

fn tstz(col: &'static str) -> ColumnDef {
    timestamp_with_time_zone(col)
}

fn tstz_null(col: &'static str) -> ColumnDef {
    timestamp_with_time_zone_null(col)
}

/// jsonb on PostgreSQL, text on SQLite.
fn json(col: &'static str) -> ColumnDef {
    json_binary(col)
}

fn json_null(col: &'static str) -> ColumnDef {
    json_binary_null(col)
}

/// An enum: a text column whose value must be one of `values`.
/// A NULL passes the CHECK, so `.null()` on the result gives an optional enum.
fn one_of(col: &'static str, values: &'static [&'static str]) -> ColumnDef {
    text(col).check(Expr::col(col).is_in(values.iter().copied())).take()
}

/// An integer within `low..=high`.
fn int_between(col: &'static str, low: i32, high: i32) -> ColumnDef {
    integer(col).check(Expr::col(col).between(low, high)).take()
}

// ---------------------------------------------------------------------------
// Tables.

/// A `CREATE TABLE` plus the indexes created right after it.
struct TableDef {
    name: &'static str,
    create: TableCreateStatement,
    indexes: Vec<IndexCreateStatement>,
}

impl TableDef {
    fn new(name: &'static str) -> Self {
        Self { name, create: Table::create().table(name).if_not_exists().to_owned(), indexes: Vec::new() }
    }

    fn col(mut self, col: impl IntoColumnDef) -> Self {
        self.create.col(col);
        self
    }

    /// `col` references `target(id)`; the constraint is named `fk_<table>_<col>`.
    fn fk(mut self, col: &'static str, target: &'static str, on_delete: ForeignKeyAction) -> Self {
        self.create.foreign_key(
            ForeignKey::create()
                .name(format!("fk_{}_{col}", self.name))
                .from(self.name, col)
                .to(target, "id")
                .on_delete(on_delete),
        );
        self
    }

    /// A plain index named `idx_<table>_<cols>`. (PostgreSQL silently truncates
    /// names past 63 bytes; the longest name here has 59.)
    fn index(mut self, cols: &[&'static str]) -> Self {
        let name = format!("idx_{}_{}", self.name, cols.join("_"));
        self.indexes.push(self.index_on(name, cols));
        self
    }

    /// A unique index with the given name.
    fn unique(mut self, name: &'static str, cols: &[&'static str]) -> Self {
        let mut index = self.index_on(name.to_owned(), cols);
        index.unique();
        self.indexes.push(index);
        self
    }

    fn index_on(&self, name: String, cols: &[&'static str]) -> IndexCreateStatement {
        let mut index = Index::create();
        index.name(name).table(self.name).if_not_exists();
        for col in cols {
            index.col(*col);
        }
        index
    }
}

/// Every table, in creation (dependency) order.
fn tables() -> Vec<TableDef> {
    vec![
        departments(),
        sections(),
        users(),
        auth_sessions(),
        auth_events(),
        app_settings(),
        ops_events(),
        shifts(),
        checklist_templates(),
        checklist_template_items(),
        checklist_template_subitems(),
        checklist_template_scheduled_events(),
        checklist_instances(),
        checklist_instance_items(),
        checklist_instance_subitems(),
        checklist_instance_scheduled_events(),
        checklist_participants(),
        checklist_item_activity(),
        checklist_overrides(),
        handover_notes(),
        state_transition_rules(),
        notifications(),
        notification_receipts(),
        notification_preferences(),
        outbox(),
        live_events(),
        job_leases(),
        reminder_deliveries(),
        idempotency_keys(),
        gamification_scores(),
        user_streaks(),
        badge_claims(),
    ]
}

// --- Organisation and accounts ----------------------------------------------

fn departments() -> TableDef {
    TableDef::new("departments")
        .col(pk_auto("id"))
        .col(text("name"))
        .col(tstz("created_at"))
        .unique("uq_departments_name", &["name"])
}

fn sections() -> TableDef {
    TableDef::new("sections")
        .col(pk_uuid("id"))
        .col(text("name"))
        .col(integer_null("department_id"))
        // No FK: a section may name a manager before (or after) the account exists.
        .col(uuid_null("manager_id"))
        .col(tstz("created_at"))
        .fk("department_id", "departments", SetNull)
        .unique("uq_sections_name", &["name"])
        .index(&["department_id"])
}

fn users() -> TableDef {
    TableDef::new("users")
        .col(pk_uuid("id"))
        .col(text("username"))
        .col(text_null("email"))
        .col(text("first_name"))
        .col(text("last_name"))
        .col(text("position"))
        .col(text("password_hash"))
        .col(one_of("role", ROLES))
        .col(integer_null("department_id"))
        .col(uuid_null("section_id"))
        .col(boolean("is_active"))
        .col(uuid_null("created_by"))
        .col(tstz("created_at"))
        .col(tstz("updated_at"))
        .col(tstz_null("last_login_at"))
        .col(tstz_null("password_changed_at"))
        .fk("department_id", "departments", SetNull)
        .fk("section_id", "sections", SetNull)
        .unique("uq_users_username", &["username"])
        // Both backends let any number of NULLs through a unique index.
        .unique("uq_users_email", &["email"])
        .index(&["section_id"])
        .index(&["department_id"])
        .index(&["role"])
}

fn auth_sessions() -> TableDef {
    TableDef::new("auth_sessions")
        .col(pk_uuid("id"))
        .col(uuid("user_id"))
        .col(text("token_hash"))
        .col(tstz("created_at"))
        .col(tstz("last_seen_at"))
        .col(tstz("expires_at"))
        .col(tstz_null("revoked_at"))
        .col(one_of("revoked_reason", SESSION_REVOKE_REASONS).null())
        .col(text_null("ip"))
        .col(text_null("user_agent"))
        .fk("user_id", "users", Cascade)
        .unique("uq_auth_sessions_token_hash", &["token_hash"])
        .index(&["user_id", "revoked_at"])
        .index(&["expires_at"])
}

fn auth_events() -> TableDef {
    TableDef::new("auth_events")
        .col(pk_uuid("id"))
        .col(one_of("event_type", AUTH_EVENT_TYPES))
        .col(tstz("event_time"))
        .col(uuid_null("user_id"))
        .col(text_null("username"))
        .col(text_null("ip"))
        .col(text_null("user_agent"))
        .col(uuid_null("session_id"))
        .col(json("metadata"))
        // The audit log outlives the account it mentions.
        .fk("user_id", "users", SetNull)
        .index(&["event_time"])
        .index(&["event_type", "event_time"])
        .index(&["user_id", "event_time"])
        // Lockout and flood checks count recent events per IP and per username.
        .index(&["ip", "event_type", "event_time"])
        .index(&["username", "event_type", "event_time"])
}

fn app_settings() -> TableDef {
    TableDef::new("app_settings")
        .col(text("key").primary_key())
        .col(json("value"))
        .col(uuid_null("updated_by"))
        .col(tstz("updated_at"))
}

fn ops_events() -> TableDef {
    TableDef::new("ops_events")
        .col(pk_uuid("id"))
        .col(text("event_type"))
        .col(text("entity_type"))
        .col(text("entity_id"))
        .col(uuid_null("actor_id"))
        .col(uuid_null("section_id"))
        .col(json("payload"))
        .col(tstz("created_at"))
        .index(&["created_at"])
        .index(&["event_type", "created_at"])
        .index(&["entity_type", "entity_id", "created_at"])
        .index(&["section_id", "created_at"])
}

// --- Templates ---------------------------------------------------------------

fn shifts() -> TableDef {
    TableDef::new("shifts")
        .col(pk_auto("id"))
        .col(text("name"))
        .col(time("start_time"))
        .col(time("end_time"))
        .col(text_null("timezone"))
        .col(text_null("color"))
        .col(tstz("created_at"))
        .unique("uq_shifts_name", &["name"])
}

fn checklist_templates() -> TableDef {
    TableDef::new("checklist_templates")
        .col(pk_uuid("id"))
        .col(text("name"))
        .col(text_null("description"))
        .col(one_of("shift", SHIFTS))
        .col(uuid("section_id"))
        .col(boolean("is_active"))
        .col(integer("version"))
        .col(uuid_null("created_by"))
        .col(tstz("created_at"))
        .col(uuid_null("updated_by"))
        .col(tstz("updated_at"))
        .fk("section_id", "sections", Restrict)
        .fk("created_by", "users", SetNull)
        .index(&["section_id", "shift", "is_active"])
}

/// The columns every checklist step (template or instance, item or sub-item)
/// has, in order, after its id and parent columns.
fn step_columns(head: TableDef, severity: ColumnDef) -> TableDef {
    head.col(text("title"))
        .col(text_null("description"))
        .col(one_of("item_type", ITEM_TYPES))
        .col(boolean("is_required"))
        .col(boolean("has_exe_time"))
        .col(severity)
        .col(integer("sort_order"))
        .col(time_null("scheduled_time"))
        .col(integer_null("notify_before_minutes"))
}

/// Columns shared by template items and template sub-items.
fn template_step(table: &'static str, parent_col: &'static str, parent: &'static str) -> TableDef {
    let head = TableDef::new(table).col(pk_uuid("id")).col(uuid(parent_col));
    step_columns(head, int_between("severity", 1, 5)).fk(parent_col, parent, Cascade).index(&[parent_col, "sort_order"])
}

fn checklist_template_items() -> TableDef {
    template_step("checklist_template_items", "template_id", "checklist_templates")
        .col(boolean("is_active"))
        .col(tstz("created_at"))
        .col(tstz("updated_at"))
}

fn checklist_template_subitems() -> TableDef {
    template_step("checklist_template_subitems", "template_item_id", "checklist_template_items")
        .col(tstz("created_at"))
        .col(tstz("updated_at"))
}

fn checklist_template_scheduled_events() -> TableDef {
    TableDef::new("checklist_template_scheduled_events")
        .col(pk_uuid("id"))
        .col(uuid("template_item_id"))
        .col(tstz("event_datetime"))
        .col(integer("notify_before_minutes"))
        .col(json_null("notify_roles"))
        .col(boolean("notify_all"))
        .col(uuid_null("created_by"))
        .col(tstz("created_at"))
        .fk("template_item_id", "checklist_template_items", Cascade)
        .index(&["template_item_id"])
}

// --- Checklist instances -----------------------------------------------------

fn checklist_instances() -> TableDef {
    TableDef::new("checklist_instances")
        .col(pk_uuid("id"))
        .col(uuid("template_id"))
        // The template is copied, so later template edits do not rewrite history.
        .col(integer("template_version"))
        .col(text("template_name"))
        .col(text_null("template_description"))
        .col(uuid("section_id"))
        .col(date("checklist_date"))
        .col(one_of("shift", SHIFTS))
        .col(tstz("shift_start"))
        .col(tstz("shift_end"))
        .col(one_of("status", INSTANCE_STATUSES))
        .col(uuid_null("created_by"))
        .col(tstz("created_at"))
        .col(uuid_null("closed_by"))
        .col(tstz_null("closed_at"))
        .col(integer_null("completion_time_seconds"))
        .col(integer("exception_count"))
        .col(big_integer("revision"))
        .col(tstz("updated_at"))
        .fk("template_id", "checklist_templates", Restrict)
        .fk("section_id", "sections", Restrict)
        .fk("created_by", "users", SetNull)
        .fk("closed_by", "users", SetNull)
        // One checklist per section, day and shift, even when two users open it at once.
        .unique("uq_checklist_instances_section_date_shift", &["section_id", "checklist_date", "shift"])
        .index(&["checklist_date", "shift"])
        .index(&["status", "shift_end"])
        .index(&["template_id"])
}

/// Columns shared by instance items and sub-items, from `instance_id` to
/// `failure_reason`; `head` holds the columns that come before them.
fn instance_step(head: TableDef, template_col: &'static str) -> TableDef {
    let head = head
        .col(uuid("instance_id"))
        // Not a foreign key: the template may be edited or deleted after the copy.
        .col(uuid_null(template_col));
    // No CHECK on severity here: the value is copied from the template, which has one.
    step_columns(head, integer("severity"))
        .col(tstz_null("scheduled_at"))
        .col(tstz_null("remind_at"))
        .col(one_of("status", ITEM_STATUSES))
        .col(uuid_null("started_by"))
        .col(tstz_null("started_at"))
        .col(uuid_null("completed_by"))
        .col(tstz_null("completed_at"))
        .col(text_null("skipped_reason"))
        .col(text_null("failure_reason"))
        .fk("instance_id", "checklist_instances", Cascade)
        .fk("started_by", "users", SetNull)
        .fk("completed_by", "users", SetNull)
        .index(&["remind_at"])
}

/// The trailing columns of instance items and sub-items.
fn versioned(table: TableDef) -> TableDef {
    // `version` is the optimistic-locking counter checked by every update.
    table.col(integer("version")).col(tstz("created_at")).col(tstz("updated_at"))
}

fn checklist_instance_items() -> TableDef {
    let head = TableDef::new("checklist_instance_items").col(pk_uuid("id"));
    let table = instance_step(head, "template_item_id")
        .col(text_null("final_verdict"))
        .col(uuid_null("final_verdict_by"))
        .col(tstz_null("final_verdict_at"))
        .fk("final_verdict_by", "users", SetNull)
        .index(&["instance_id", "sort_order"])
        .index(&["scheduled_at"])
        .index(&["completed_by", "completed_at"]);
    versioned(table)
}

fn checklist_instance_subitems() -> TableDef {
    let head = TableDef::new("checklist_instance_subitems").col(pk_uuid("id")).col(uuid("instance_item_id")).fk(
        "instance_item_id",
        "checklist_instance_items",
        Cascade,
    );
    // Sub-items also carry `instance_id`, so a whole checklist loads with one query per table.
    let table =
        instance_step(head, "template_subitem_id").index(&["instance_id"]).index(&["instance_item_id", "sort_order"]);
    versioned(table)
}

fn checklist_instance_scheduled_events() -> TableDef {
    TableDef::new("checklist_instance_scheduled_events")
        .col(pk_uuid("id"))
        .col(uuid("instance_item_id"))
        .col(uuid("instance_id"))
        .col(uuid_null("template_event_id"))
        .col(tstz("event_datetime"))
        .col(integer("notify_before_minutes"))
        .col(tstz("remind_at"))
        .col(boolean("notify_all"))
        .col(json_null("notify_roles"))
        .col(tstz("created_at"))
        .fk("instance_item_id", "checklist_instance_items", Cascade)
        .fk("instance_id", "checklist_instances", Cascade)
        .index(&["instance_id"])
        .index(&["remind_at"])
}

fn checklist_participants() -> TableDef {
    TableDef::new("checklist_participants")
        .col(pk_uuid("id"))
        .col(uuid("instance_id"))
        .col(uuid("user_id"))
        .col(tstz("joined_at"))
        .fk("instance_id", "checklist_instances", Cascade)
        .fk("user_id", "users", Cascade)
        .unique("uq_checklist_participants_instance_user", &["instance_id", "user_id"])
        .index(&["user_id"])
}

fn checklist_item_activity() -> TableDef {
    TableDef::new("checklist_item_activity")
        .col(pk_uuid("id"))
        .col(uuid("instance_id"))
        .col(uuid("instance_item_id"))
        .col(uuid_null("instance_subitem_id"))
        .col(uuid("user_id"))
        .col(one_of("action", ACTIVITY_ACTIONS))
        .col(text_null("from_status"))
        .col(text_null("to_status"))
        .col(text_null("comment"))
        .col(text_null("reason"))
        .col(big_integer_null("duration_ms"))
        .col(tstz("created_at"))
        .fk("instance_id", "checklist_instances", Cascade)
        .fk("instance_item_id", "checklist_instance_items", Cascade)
        .fk("instance_subitem_id", "checklist_instance_subitems", Cascade)
        // RESTRICT: users with history are deactivated, never deleted.
        .fk("user_id", "users", Restrict)
        .index(&["instance_id", "created_at"])
        .index(&["instance_item_id", "created_at"])
        .index(&["user_id", "created_at"])
}

fn checklist_overrides() -> TableDef {
    TableDef::new("checklist_overrides")
        .col(pk_uuid("id"))
        .col(uuid("instance_id"))
        .col(uuid("supervisor_id"))
        .col(one_of("kind", OVERRIDE_KINDS))
        .col(text("reason"))
        .col(text_null("from_status"))
        .col(text_null("to_status"))
        .col(json("details"))
        .col(tstz("created_at"))
        .fk("instance_id", "checklist_instances", Cascade)
        .fk("supervisor_id", "users", Restrict)
        .index(&["instance_id", "created_at"])
}

fn handover_notes() -> TableDef {
    TableDef::new("handover_notes")
        .col(pk_uuid("id"))
        .col(uuid("from_instance_id"))
        .col(uuid_null("to_instance_id"))
        .col(uuid("section_id"))
        .col(text("content"))
        .col(int_between("priority", 1, 4))
        .col(boolean("is_automatic"))
        .col(uuid_null("source_item_id"))
        .col(uuid("created_by"))
        .col(tstz("created_at"))
        .col(uuid_null("acknowledged_by"))
        .col(tstz_null("acknowledged_at"))
        .col(uuid_null("resolved_by"))
        .col(tstz_null("resolved_at"))
        .col(text_null("resolution_notes"))
        .fk("from_instance_id", "checklist_instances", Cascade)
        .fk("to_instance_id", "checklist_instances", SetNull)
        .fk("section_id", "sections", Restrict)
        .fk("created_by", "users", Restrict)
        .fk("acknowledged_by", "users", SetNull)
        .fk("resolved_by", "users", SetNull)
        .index(&["from_instance_id", "created_at"])
        .index(&["to_instance_id", "created_at"])
        .index(&["created_by", "created_at"])
}

fn state_transition_rules() -> TableDef {
    TableDef::new("state_transition_rules")
        .col(pk_uuid("id"))
        .col(one_of("entity_type", RULE_ENTITY_TYPES))
        .col(text("from_status"))
        .col(text("to_status"))
        // JSON array of role names; NULL means any role.
        .col(json_null("allowed_roles"))
        .col(boolean("requires_reason"))
        .col(boolean("requires_approval"))
        .col(text_null("description"))
        .col(tstz("created_at"))
        .unique("uq_state_transition_rules_entity_from_to", &["entity_type", "from_status", "to_status"])
}

// --- Notifications, outbox, live events ---------------------------------------

fn notifications() -> TableDef {
    TableDef::new("notifications")
        .col(pk_uuid("id"))
        .col(text("title"))
        .col(text("message"))
        .col(one_of("priority", NOTIFICATION_PRIORITIES))
        .col(text_null("related_entity"))
        .col(uuid_null("related_id"))
        .col(uuid_null("section_id"))
        .col(uuid_null("created_by"))
        .col(tstz("created_at"))
        .index(&["created_at"])
}

fn notification_receipts() -> TableDef {
    TableDef::new("notification_receipts")
        .col(pk_uuid("id"))
        .col(uuid("notification_id"))
        .col(uuid("user_id"))
        .col(boolean("is_read"))
        .col(tstz_null("read_at"))
        .col(tstz("created_at"))
        .fk("notification_id", "notifications", Cascade)
        .fk("user_id", "users", Cascade)
        .unique("uq_notification_receipts_notification_user", &["notification_id", "user_id"])
        .index(&["user_id", "created_at"])
        // The unread badge counts per user.
        .index(&["user_id", "is_read", "created_at"])
}

fn notification_preferences() -> TableDef {
    TableDef::new("notification_preferences")
        .col(uuid("user_id").primary_key())
        .col(boolean("email_enabled"))
        .col(boolean("push_enabled"))
        .col(boolean("desktop_enabled"))
        .col(boolean("sms_enabled"))
        .col(time_null("quiet_hours_start"))
        .col(time_null("quiet_hours_end"))
        .col(json("categories"))
        .col(tstz("updated_at"))
        .fk("user_id", "users", Cascade)
}

fn outbox() -> TableDef {
    TableDef::new("outbox")
        .col(pk_uuid("id"))
        .col(one_of("kind", OUTBOX_KINDS))
        .col(text_null("dedupe_key"))
        .col(json("payload"))
        .col(one_of("status", OUTBOX_STATUSES))
        .col(integer("attempts"))
        .col(tstz("next_attempt_at"))
        .col(tstz_null("locked_until"))
        .col(text_null("locked_by"))
        .col(text_null("last_error"))
        .col(tstz("created_at"))
        .col(tstz_null("sent_at"))
        .unique("uq_outbox_dedupe_key", &["dedupe_key"])
        .index(&["status", "next_attempt_at"])
}

fn live_events() -> TableDef {
    TableDef::new("live_events")
        // bigint identity on PostgreSQL; sea-query writes `integer PRIMARY KEY
        // AUTOINCREMENT` on SQLite (SQLite integers are 64-bit), so ids are never
        // reused and clients can resume from the last id they saw.
        .col(big_pk_auto("id"))
        .col(text("topic"))
        .col(uuid_null("section_id"))
        .col(uuid_null("instance_id"))
        .col(uuid_null("user_id"))
        .col(json("payload"))
        .col(tstz("created_at"))
        .index(&["created_at"])
}

// --- Jobs and bookkeeping --------------------------------------------------------

fn job_leases() -> TableDef {
    TableDef::new("job_leases")
        .col(text("name").primary_key())
        .col(text_null("holder"))
        .col(tstz_null("lease_until"))
        .col(tstz_null("last_started_at"))
        .col(tstz_null("last_finished_at"))
        .col(json_null("state"))
}

fn reminder_deliveries() -> TableDef {
    TableDef::new("reminder_deliveries")
        .col(pk_uuid("id"))
        .col(one_of("kind", REMINDER_KINDS))
        .col(one_of("entity_type", REMINDER_ENTITY_TYPES))
        .col(uuid("entity_id"))
        .col(uuid("instance_id"))
        .col(tstz("due_at"))
        .col(tstz("created_at"))
        .fk("instance_id", "checklist_instances", Cascade)
        // Inserting first and sending second makes each reminder go out once,
        // even with several instances running the reminder job.
        .unique("uq_reminder_deliveries_once", &["kind", "entity_type", "entity_id", "due_at"])
        .index(&["instance_id"])
}

fn idempotency_keys() -> TableDef {
    TableDef::new("idempotency_keys")
        .col(pk_uuid("id"))
        .col(uuid("user_id"))
        .col(text("idem_key"))
        .col(text("method"))
        .col(text("path"))
        .col(integer("status_code"))
        .col(json("response_body"))
        .col(tstz("created_at"))
        .fk("user_id", "users", Cascade)
        .unique("uq_idempotency_keys_user_key", &["user_id", "idem_key"])
        .index(&["created_at"])
}

// --- Gamification ------------------------------------------------------------------

fn gamification_scores() -> TableDef {
    TableDef::new("gamification_scores")
        .col(pk_uuid("id"))
        .col(uuid("user_id"))
        .col(uuid_null("instance_id"))
        .col(integer("points"))
        .col(text("reason"))
        .col(json("metadata"))
        .col(tstz("awarded_at"))
        .fk("user_id", "users", Cascade)
        .fk("instance_id", "checklist_instances", Cascade)
        .index(&["user_id", "awarded_at"])
        .index(&["awarded_at"])
}

fn user_streaks() -> TableDef {
    TableDef::new("user_streaks")
        .col(uuid("user_id").primary_key())
        .col(integer("current_streak_days"))
        .col(integer("longest_streak_days"))
        .col(integer("perfect_shifts_count"))
        .col(integer("total_points"))
        .col(date_null("last_shift_date"))
        .col(tstz("updated_at"))
        .fk("user_id", "users", Cascade)
}

fn badge_claims() -> TableDef {
    TableDef::new("badge_claims")
        .col(pk_uuid("id"))
        .col(uuid("user_id"))
        .col(text("badge_key"))
        .col(tstz("unlocked_at"))
        .col(tstz_null("unlock_notified_at"))
        .col(tstz_null("claimed_at"))
        .fk("user_id", "users", Cascade)
        .unique("uq_badge_claims_user_badge", &["user_id", "badge_key"])
}

// ---------------------------------------------------------------------------
// Seed data. Inserted with sea-query so values are bound parameters on both
// backends (no literal timestamp or uuid formats to get wrong).

fn build_err(err: sea_query::error::Error) -> DbErr {
    DbErr::Migration(format!("building seed insert: {err}"))
}

fn hour(h: u32) -> Result<NaiveTime, DbErr> {
    NaiveTime::from_hms_opt(h, 0, 0).ok_or_else(|| DbErr::Migration(format!("invalid hour {h}")))
}

async fn seed_shifts(manager: &SchemaManager<'_>, now: DateTime<Utc>) -> Result<(), DbErr> {
    // NIGHT ends the next morning: end_time < start_time means "crosses midnight".
    let shifts = [("MORNING", 7, 15, "#00f2ff"), ("AFTERNOON", 15, 23, "#00ff88"), ("NIGHT", 23, 7, "#a78bfa")];
    let mut insert = Query::insert();
    insert.into_table("shifts").columns(["name", "start_time", "end_time", "timezone", "color", "created_at"]);
    for (name, start, end, color) in shifts {
        insert
            .values([
                name.into(),
                hour(start)?.into(),
                hour(end)?.into(),
                Option::<String>::None.into(),
                color.into(),
                now.into(),
            ])
            .map_err(build_err)?;
    }
    manager.execute(insert).await
}

/// One seeded row of `state_transition_rules`.
struct Rule {
    from: &'static str,
    to: &'static str,
    /// `None` lets any role make the transition.
    roles: Option<&'static [&'static str]>,
    requires_reason: bool,
    requires_approval: bool,
    description: &'static str,
}

const fn rule(from: &'static str, to: &'static str, description: &'static str) -> Rule {
    Rule { from, to, roles: None, requires_reason: false, requires_approval: false, description }
}

/// A transition that needs a reason from whoever makes it.
const fn with_reason(from: &'static str, to: &'static str, description: &'static str) -> Rule {
    Rule { requires_reason: true, ..rule(from, to, description) }
}

const SUPERVISORS: &[&str] = &["admin", "manager"];
const SYSTEM: &[&str] = &["system"];

/// Items and sub-items follow the same rules.
const STEP_RULES: [Rule; 9] = [
    rule("PENDING", "IN_PROGRESS", "work started"),
    rule("PENDING", "COMPLETED", "completed directly"),
    with_reason("PENDING", "SKIPPED", "skipped before starting"),
    with_reason("PENDING", "FAILED", "failed before starting"),
    rule("IN_PROGRESS", "COMPLETED", "work completed"),
    with_reason("IN_PROGRESS", "SKIPPED", "skipped after starting"),
    with_reason("IN_PROGRESS", "FAILED", "failed after starting"),
    rule("SKIPPED", "COMPLETED", "skipped step done after all"),
    rule("FAILED", "COMPLETED", "failed step redone successfully"),
];

const fn supervisor_approval(to: &'static str, description: &'static str) -> Rule {
    Rule { roles: Some(SUPERVISORS), requires_approval: true, ..rule("PENDING_REVIEW", to, description) }
}

const fn supervisor_override(from: &'static str, to: &'static str, description: &'static str) -> Rule {
    Rule { roles: Some(SUPERVISORS), ..with_reason(from, to, description) }
}

const fn stale_close(from: &'static str) -> Rule {
    Rule { roles: Some(SYSTEM), ..rule(from, "INCOMPLETE", "stale shift closed by job") }
}

const REOPEN: &str = "supervisor reopen (override)";
const FORCE_CLOSE: &str = "supervisor forced close (override)";

const INSTANCE_RULES: [Rule; 14] = [
    rule("OPEN", "IN_PROGRESS", "first item started"),
    rule("IN_PROGRESS", "PENDING_REVIEW", "all required items done; awaiting review"),
    rule("OPEN", "PENDING_REVIEW", "all required items done at once; awaiting review"),
    rule("PENDING_REVIEW", "IN_PROGRESS", "work reopened by an item change"),
    supervisor_approval("COMPLETED", "supervisor approved the checklist"),
    supervisor_approval("COMPLETED_WITH_EXCEPTIONS", "supervisor approved with exceptions"),
    stale_close("OPEN"),
    stale_close("IN_PROGRESS"),
    stale_close("PENDING_REVIEW"),
    supervisor_override("COMPLETED", "IN_PROGRESS", REOPEN),
    supervisor_override("COMPLETED_WITH_EXCEPTIONS", "IN_PROGRESS", REOPEN),
    supervisor_override("INCOMPLETE", "IN_PROGRESS", REOPEN),
    supervisor_override("OPEN", "COMPLETED_WITH_EXCEPTIONS", FORCE_CLOSE),
    supervisor_override("IN_PROGRESS", "COMPLETED_WITH_EXCEPTIONS", FORCE_CLOSE),
];

async fn seed_transition_rules(manager: &SchemaManager<'_>, now: DateTime<Utc>) -> Result<(), DbErr> {
    let rows = STEP_RULES
        .iter()
        .map(|r| ("CHECKLIST_ITEM", r))
        .chain(STEP_RULES.iter().map(|r| ("CHECKLIST_SUBITEM", r)))
        .chain(INSTANCE_RULES.iter().map(|r| ("CHECKLIST_INSTANCE", r)));
    let mut insert = Query::insert();
    insert.into_table("state_transition_rules").columns([
        "id",
        "entity_type",
        "from_status",
        "to_status",
        "allowed_roles",
        "requires_reason",
        "requires_approval",
        "description",
        "created_at",
    ]);
    for (entity_type, r) in rows {
        // SQL NULL, not JSON `null`, when any role may make the transition.
        let roles: Option<serde_json::Value> = r.roles.map(|roles| json!(roles));
        insert
            .values([
                Uuid::now_v7().into(),
                entity_type.into(),
                r.from.into(),
                r.to.into(),
                roles.into(),
                r.requires_reason.into(),
                r.requires_approval.into(),
                r.description.into(),
                now.into(),
            ])
            .map_err(build_err)?;
    }
    manager.execute(insert).await
}
