//! The migration builds the same working schema on SQLite and PostgreSQL, the
//! entities map it, the seed is there, and `down` + `up` round-trips.
//!
//! PostgreSQL runs only when `SENTINELOPS_TEST_DATABASE_URL` names a server
//! (e.g. `postgres://postgres@127.0.0.1:5432/postgres`); the test gets an empty
//! database of its own there.

use std::fmt::Debug;

use chrono::{DateTime, NaiveDate, NaiveTime, SubsecRound, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr, EntityTrait,
    IntoActiveModel, Iterable, ModelTrait, PaginatorTrait, PrimaryKeyToColumn, QueryFilter, QueryOrder, Set, SqlErr,
    Statement,
};
use sentinelops_domain::Clock;
use sentinelops_domain::Role;
use sentinelops_domain::checklist::{ItemStatus, ItemType};
use sentinelops_domain::shift::ShiftType;
use sentinelops_store::entity::*;
use sentinelops_store::migration::{Migrator, MigratorTrait};
use sentinelops_testkit::{TestDatabase, postgres_admin_url};
use serde_json::json;
use uuid::Uuid;

#[tokio::test]
async fn schema_on_sqlite() {
    let database = TestDatabase::sqlite();
    let db = Database::connect(format!("{}?mode=rwc", database.url)).await.unwrap();
    exercise(db).await;
}

#[tokio::test]
async fn schema_on_postgres() {
    let Some(server_url) = postgres_admin_url() else {
        eprintln!("SENTINELOPS_TEST_DATABASE_URL is not set: skipping the PostgreSQL schema test");
        return;
    };
    // An empty database (not the harness's migrated template); dropped with `database`,
    // a failed assertion included.
    let database = TestDatabase::create_on(&server_url).await;
    let db = Database::connect(&database.url).await.unwrap();
    exercise(db).await;
}

async fn exercise(db: DatabaseConnection) {
    Migrator::up(&db, None).await.expect("migration up");
    all_tables_are_readable(&db).await;
    live_event_ids_are_never_reused(&db).await;
    check_seed(&db).await;
    check_rows(&db).await;

    Migrator::down(&db, None).await.expect("migration down");
    assert!(users::Entity::find().all(&db).await.is_err(), "down() leaves the users table behind");
    Migrator::up(&db, None).await.expect("migration up after down");
    check_seed(&db).await;
    // A second `up` has nothing to do.
    Migrator::up(&db, None).await.expect("idempotent up");
    db.close().await.unwrap();
}

/// Selecting every column through each entity proves table and column names match.
async fn all_tables_are_readable(db: &DatabaseConnection) {
    macro_rules! readable {
        ($($table:ident),+ $(,)?) => {
            let mut count = 0;
            $(
                $table::Entity::find()
                    .all(db)
                    .await
                    .expect(concat!("reading ", stringify!($table)));
                count += 1;
            )+
            assert_eq!(count, 33);
        };
    }
    readable!(
        departments,
        sections,
        users,
        auth_sessions,
        auth_events,
        app_settings,
        ops_events,
        shifts,
        checklist_templates,
        checklist_template_items,
        checklist_template_subitems,
        checklist_template_scheduled_events,
        checklist_instances,
        checklist_instance_items,
        checklist_instance_subitems,
        checklist_instance_scheduled_events,
        checklist_participants,
        checklist_item_activity,
        checklist_overrides,
        handover_notes,
        state_transition_rules,
        notifications,
        notification_receipts,
        notification_preferences,
        outbox,
        live_events,
        job_leases,
        reminder_deliveries,
        idempotency_keys,
        gamification_scores,
        gamification_daily,
        user_streaks,
        badge_claims,
    );
}

/// `live_events.id` is the resume cursor of live clients: SQLite must use
/// AUTOINCREMENT (no reuse after deletes), PostgreSQL a bigint identity.
async fn live_event_ids_are_never_reused(db: &DatabaseConnection) {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Sqlite => "SELECT sql AS ddl FROM sqlite_master WHERE name = 'live_events'",
        _ => {
            "SELECT data_type || ' ' || is_identity AS ddl FROM information_schema.columns \
             WHERE table_name = 'live_events' AND column_name = 'id'"
        }
    };
    let row = db.query_one_raw(Statement::from_string(backend, sql)).await.unwrap().expect("live_events.id");
    let ddl: String = row.try_get("", "ddl").unwrap();
    match backend {
        DbBackend::Sqlite => {
            assert!(ddl.contains(r#""id" integer NOT NULL PRIMARY KEY AUTOINCREMENT"#), "{ddl}")
        }
        _ => assert_eq!(ddl, "bigint YES"),
    }
}

async fn check_seed(db: &DatabaseConnection) {
    let shifts = shifts::Entity::find().order_by_asc(shifts::Column::Id).all(db).await.unwrap();
    let names: Vec<&str> = shifts.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["MORNING", "AFTERNOON", "NIGHT"]);
    let night = shifts.iter().find(|s| s.name == "NIGHT").unwrap();
    assert_eq!((night.start_time, night.end_time), (hm(23, 0), hm(7, 0)));
    assert_eq!(night.color.as_deref(), Some("#a78bfa"));
    assert_eq!(night.timezone, None);

    let rules_of = |entity_type: &'static str| {
        state_transition_rules::Entity::find().filter(state_transition_rules::Column::EntityType.eq(entity_type))
    };
    assert_eq!(rules_of("CHECKLIST_ITEM").count(db).await.unwrap(), 9);
    assert_eq!(rules_of("CHECKLIST_SUBITEM").count(db).await.unwrap(), 9);
    assert_eq!(rules_of("CHECKLIST_INSTANCE").count(db).await.unwrap(), 14);

    let approve = rules_of("CHECKLIST_INSTANCE")
        .filter(state_transition_rules::Column::FromStatus.eq("PENDING_REVIEW"))
        .filter(state_transition_rules::Column::ToStatus.eq("COMPLETED"))
        .one(db)
        .await
        .unwrap()
        .expect("PENDING_REVIEW -> COMPLETED rule");
    assert_eq!(approve.allowed_roles, Some(json!(["admin", "manager"])));
    assert!(approve.requires_approval);
    let start = rules_of("CHECKLIST_ITEM")
        .filter(state_transition_rules::Column::FromStatus.eq("PENDING"))
        .filter(state_transition_rules::Column::ToStatus.eq("IN_PROGRESS"))
        .one(db)
        .await
        .unwrap()
        .expect("PENDING -> IN_PROGRESS rule");
    // Any role: SQL NULL, which must not come back as JSON `null`.
    assert_eq!(start.allowed_roles, None);
    assert!(!start.requires_reason && !start.requires_approval);
}

fn hm(hour: u32, minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, minute, 0).unwrap()
}

/// Second precision, so values compare equal after a round trip on every backend.
fn now() -> DateTime<Utc> {
    sentinelops_domain::SystemClock.now().trunc_subsecs(0)
}

fn is_unique_violation(err: &DbErr) -> bool {
    matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

async fn check_rows(db: &DatabaseConnection) {
    let now = now();
    let department =
        departments::ActiveModel { name: Set("Operations".into()), created_at: Set(now), ..Default::default() }
            .insert(db)
            .await
            .unwrap();
    assert!(department.id > 0);

    let section = sections::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set("NOC".into()),
        department_id: Set(Some(department.id)),
        manager_id: Set(None),
        created_at: Set(now),
        hide_leaderboard_names: Set(None),
    }
    .insert(db)
    .await
    .unwrap();
    assert_eq!(sections::Entity::find_by_id(section.id).one(db).await.unwrap(), Some(section.clone()));

    let user = user_model("alice", "manager", section.id, now);
    round_trip::<users::Entity>(db, &user).await;

    // The role CHECK constraint rejects unknown roles.
    let root = users::Entity::update_many()
        .col_expr(users::Column::Role, sea_orm::sea_query::Expr::value("root"))
        .filter(users::Column::Id.eq(user.id))
        .exec(db)
        .await;
    assert!(root.is_err(), "role 'root' accepted");
    // Unique usernames.
    let twin = users::ActiveModel::from(users::Model { id: Uuid::now_v7(), ..user.clone() });
    assert!(is_unique_violation(&twin.insert(db).await.unwrap_err()));

    let template = checklist_templates::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set("Morning checks".into()),
        description: Set(None),
        shift: Set(ShiftType::Morning.into()),
        section_id: Set(section.id),
        is_active: Set(true),
        version: Set(1),
        created_by: Set(Some(user.id)),
        created_at: Set(now),
        updated_by: Set(None),
        updated_at: Set(now),
    }
    .insert(db)
    .await
    .unwrap();

    let date = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    let window = (now, now + chrono::Duration::hours(8));
    let instance = checklist_instances::Model {
        created_by: Some(user.id),
        ..checklist_instances::Model::open(Uuid::now_v7(), &template, date, ShiftType::Morning, window, now)
    };
    round_trip::<checklist_instances::Entity>(db, &instance).await;
    // One checklist per section, date and shift.
    let duplicate =
        checklist_instances::ActiveModel::from(checklist_instances::Model { id: Uuid::now_v7(), ..instance.clone() });
    let err = duplicate.insert(db).await.expect_err("duplicate (section, date, shift) accepted");
    assert!(is_unique_violation(&err), "expected a unique violation, got {err}");

    let fields = item_columns::ItemFields {
        title: "Check backups".into(),
        description: None,
        item_type: ItemType::Timed.into(),
        is_required: true,
        has_exe_time: false,
        severity: 3,
        sort_order: 1,
        scheduled_time: Some(hm(9, 30)),
        notify_before_minutes: Some(15),
    };
    let template_item = checklist_template_items::Model::new(Uuid::now_v7(), template.id, fields, now);
    round_trip::<checklist_template_items::Entity>(db, &template_item).await;
    let (id, snapshot) = (Uuid::now_v7(), template_item.fields());
    let item =
        checklist_instance_items::Model::pending(id, instance.id, Some(template_item.id), snapshot, Some(now), now);
    assert_eq!(
        (item.status, item.version, item.remind_at),
        (ItemStatus::Pending.into(), 1, Some(now - chrono::Duration::minutes(15)))
    );
    round_trip::<checklist_instance_items::Entity>(db, &item).await;

    check_notifications(db, user.id, now).await;
    check_live_events(db, now).await;

    let streak = user_streaks::Model {
        user_id: user.id,
        current_streak_days: 2,
        longest_streak_days: 5,
        perfect_shifts_count: 1,
        total_points: 40,
        last_shift_date: Some(date),
        updated_at: now,
        revision: 3,
    };
    round_trip::<user_streaks::Entity>(db, &streak).await;
}

/// Inserts `model` through its entity, then checks that both the row the insert
/// returned and the row read back by primary key equal it.
async fn round_trip<E>(db: &DatabaseConnection, model: &E::Model)
where
    E: EntityTrait,
    E::Model: IntoActiveModel<E::ActiveModel> + Clone + PartialEq + Debug,
    E::ActiveModel: Send,
{
    let inserted = model.clone().into_active_model().insert(db).await.unwrap();
    assert_eq!(&inserted, model);
    let mut find = E::find();
    for key in E::PrimaryKey::iter() {
        let col = key.into_column();
        find = find.filter(col.eq(model.get(col)));
    }
    assert_eq!(find.one(db).await.unwrap().as_ref(), Some(model));
}

fn user_model(username: &str, role: &str, section_id: Uuid, now: DateTime<Utc>) -> users::Model {
    users::Model {
        id: Uuid::now_v7(),
        username: username.into(),
        email: None,
        first_name: "Test".into(),
        last_name: "User".into(),
        position: "Operator".into(),
        password_hash: "x".into(),
        role: Role::parse(role).unwrap().into(),
        department_id: None,
        section_id: Some(section_id),
        is_active: true,
        created_by: None,
        created_at: now,
        updated_at: now,
        last_login_at: None,
        password_changed_at: None,
        auth_source: sentinelops_domain::directory::AuthSource::Local.into(),
        external_id: None,
    }
}

async fn check_notifications(db: &DatabaseConnection, user_id: Uuid, now: DateTime<Utc>) {
    let notification = notifications::ActiveModel {
        id: Set(Uuid::now_v7()),
        title: Set("Shift starts".into()),
        message: Set("Morning shift begins".into()),
        priority: Set("high".into()),
        related_entity: Set(None),
        related_id: Set(None),
        section_id: Set(None),
        created_by: Set(None),
        created_at: Set(now),
    }
    .insert(db)
    .await
    .unwrap();
    let receipt = notification_receipts::Model {
        id: Uuid::now_v7(),
        notification_id: notification.id,
        user_id,
        is_read: false,
        read_at: None,
        created_at: now,
    };
    round_trip::<notification_receipts::Entity>(db, &receipt).await;
    let unread = notification_receipts::Entity::find()
        .filter(notification_receipts::Column::UserId.eq(user_id))
        .filter(notification_receipts::Column::IsRead.eq(false))
        .all(db)
        .await
        .unwrap();
    assert_eq!(unread, std::slice::from_ref(&receipt));

    let again = notification_receipts::ActiveModel::from(notification_receipts::Model {
        id: Uuid::now_v7(),
        ..receipt.clone()
    });
    assert!(is_unique_violation(&again.insert(db).await.unwrap_err()));

    // Receipts go with their notification (ON DELETE CASCADE; SQLite enforces it too).
    notifications::Entity::delete_by_id(notification.id).exec(db).await.unwrap();
    assert_eq!(notification_receipts::Entity::find_by_id(receipt.id).one(db).await.unwrap(), None);
}

async fn check_live_events(db: &DatabaseConnection, now: DateTime<Utc>) {
    let mut ids = Vec::new();
    for topic in ["checklist", "checklist"] {
        let event = live_events::ActiveModel {
            topic: Set(topic.into()),
            section_id: Set(None),
            instance_id: Set(None),
            user_id: Set(None),
            payload: Set(json!({"n": ids.len()})),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
        ids.push(event.id);
    }
    assert!(ids.first() < ids.last(), "live_events ids must increase: {ids:?}");
    let stored = live_events::Entity::find().order_by_asc(live_events::Column::Id).all(db).await.unwrap();
    assert_eq!(stored.iter().map(|e| e.id).collect::<Vec<_>>(), ids);
    assert_eq!(stored.last().map(|e| e.payload.clone()), Some(json!({"n": 1})));
}
