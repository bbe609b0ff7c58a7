//! Repository behaviour on the database the run targets.

use chrono::{DateTime, Duration, SubsecRound, Utc};
use serde_json::json;
use uuid::Uuid;

use sentinelops_domain::Role;
use sentinelops_store::repo::auth_events::{self, AuthEventQuery, NewAuthEvent, Subject};
use sentinelops_store::repo::sessions::{self, NewSession};
use sentinelops_store::repo::users::{self, NewUser};
use sentinelops_store::repo::{Window, org, settings};
use sentinelops_store::{PoolConfig, Store, StoreError, commit};
use sentinelops_testkit::{TestDatabase, t0};

/// A migrated store on a fresh test database (deleted when this drops).
struct Fresh {
    store: Store,
    _database: TestDatabase,
}

impl Fresh {
    async fn new() -> Fresh {
        let database = TestDatabase::create().await;
        let store = Store::connect(&database.url, PoolConfig::default()).await.unwrap();
        store.migrate().await.unwrap();
        Fresh { store, _database: database }
    }
}

fn new_user(username: &str, role: &str) -> NewUser {
    NewUser {
        id: Uuid::now_v7(),
        username: username.into(),
        email: Some(format!("{username}@bank.example")),
        first_name: "F".into(),
        last_name: "L".into(),
        position: String::new(),
        password_hash: format!("hash-of-{username}"),
        role: Role::parse(role).unwrap(),
        department_id: None,
        section_id: None,
        is_active: true,
        created_by: None,
        now: t0(),
        auth_source: sentinelops_domain::directory::AuthSource::Local,
        external_id: None,
    }
}

fn event(kind: &'static str, username: &str, ip: &str, at: DateTime<Utc>) -> NewAuthEvent {
    NewAuthEvent {
        id: Uuid::now_v7(),
        event_type: kind,
        event_time: at,
        user_id: None,
        username: Some(username.into()),
        ip: Some(ip.into()),
        user_agent: None,
        session_id: None,
        metadata: json!({}),
        failure_reason: None,
    }
}

#[tokio::test]
async fn users_are_found_by_email_or_username_and_duplicates_conflict() {
    let db = Fresh::new().await;
    let tx = db.store.begin_write().await.unwrap();
    let ada = users::insert(&tx, new_user("ada", "admin")).await.unwrap();
    users::insert(&tx, new_user("olu", "user")).await.unwrap();
    commit(tx).await.unwrap();

    let r = db.store.reader();
    assert_eq!(users::find_by_login(r, "ada@bank.example").await.unwrap().unwrap().id, ada.id);
    assert_eq!(users::find_by_login(r, "ada").await.unwrap().unwrap().id, ada.id);
    assert!(users::find_by_login(r, "nobody").await.unwrap().is_none());
    assert_eq!(users::count_admins(r).await.unwrap(), 1);
    let printed = format!("{ada:?}");
    assert!(printed.contains("ada") && !printed.contains("hash-of-ada"), "{printed}");

    let tx = db.store.begin_write().await.unwrap();
    let err = users::insert(&tx, new_user("ada", "user")).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    drop(tx); // rolled back

    let tx = db.store.begin_write().await.unwrap();
    let mut changed = ada.clone();
    changed.role = Role::Manager.into();
    changed.first_name = "Adaeze".into();
    users::save(&tx, changed).await.unwrap();
    commit(tx).await.unwrap();
    let reread = users::find(r, ada.id).await.unwrap().unwrap();
    assert_eq!((reread.role.as_str(), reread.first_name.as_str()), ("manager", "Adaeze"));
    assert_eq!(users::count_admins(r).await.unwrap(), 0);
}

/// A stored role outside the closed set (written behind the CHECK constraint's back)
/// fails the read loudly, naming the column and the value, instead of becoming a default.
#[tokio::test]
async fn an_unknown_stored_role_is_a_corrupt_value_error() {
    use sea_orm::ConnectionTrait;
    let db = Fresh::new().await;
    let tx = db.store.begin_write().await.unwrap();
    let ada = users::insert(&tx, new_user("ada", "admin")).await.unwrap();
    let bypass_check = match tx.get_database_backend() {
        sea_orm::DbBackend::Postgres => "ALTER TABLE users DROP CONSTRAINT users_role_check",
        _ => "PRAGMA ignore_check_constraints = ON",
    };
    tx.execute_unprepared(bypass_check).await.unwrap();
    tx.execute_unprepared(&format!("UPDATE users SET role = 'root' WHERE username = '{}'", ada.username))
        .await
        .unwrap();
    let err = users::find(&tx, ada.id).await.unwrap_err();
    let StoreError::Corrupt(corrupt) = err else { panic!("expected Corrupt, got {err:?}") };
    assert_eq!((corrupt.column.as_str(), corrupt.kind, corrupt.value.as_str()), ("role", "Role", "root"));
    drop(tx);
}

#[tokio::test]
async fn an_uncommitted_transaction_leaves_nothing_behind() {
    let db = Fresh::new().await;
    {
        let tx = db.store.begin_write().await.unwrap();
        users::insert(&tx, new_user("ghost", "user")).await.unwrap();
    }
    assert_eq!(users::count(db.store.reader()).await.unwrap(), 0);
}

#[tokio::test]
async fn sessions_revoke_once_and_touch_respects_granularity() {
    let db = Fresh::new().await;
    let tx = db.store.begin_write().await.unwrap();
    let user = users::insert(&tx, new_user("olu", "user")).await.unwrap();
    let session = sessions::insert(
        &tx,
        NewSession {
            id: Uuid::now_v7(),
            user_id: user.id,
            token_hash: "hash-1".into(),
            created_at: t0(),
            expires_at: t0() + Duration::hours(24),
            ip: Some("127.0.0.1".into()),
            user_agent: None,
        },
    )
    .await
    .unwrap();
    commit(tx).await.unwrap();
    let r = db.store.reader();
    assert_eq!(sessions::find_by_token_hash(r, "hash-1").await.unwrap().unwrap().id, session.id);

    let tx = db.store.begin_write().await.unwrap();
    sessions::touch(&tx, session.id, t0() + Duration::seconds(30), Duration::seconds(60)).await.unwrap();
    commit(tx).await.unwrap();
    assert_eq!(sessions::find(r, session.id).await.unwrap().unwrap().last_seen_at, t0());
    let later = (t0() + Duration::seconds(90)).trunc_subsecs(6);
    let tx = db.store.begin_write().await.unwrap();
    sessions::touch(&tx, session.id, later, Duration::seconds(60)).await.unwrap();
    commit(tx).await.unwrap();
    assert_eq!(sessions::find(r, session.id).await.unwrap().unwrap().last_seen_at, later);

    let tx = db.store.begin_write().await.unwrap();
    assert!(sessions::revoke(&tx, session.id, later, "logout").await.unwrap());
    assert!(!sessions::revoke(&tx, session.id, later, "admin").await.unwrap());
    commit(tx).await.unwrap();
    let row = sessions::find(r, session.id).await.unwrap().unwrap();
    assert_eq!(row.revoked_reason.as_deref(), Some("logout"));
    assert!(sessions::unrevoked_for_user(r, user.id).await.unwrap().is_empty());
}

#[tokio::test]
async fn failures_are_counted_leaving_out_one_reason() {
    let db = Fresh::new().await;
    let tx = db.store.begin_write().await.unwrap();
    let with = |reason: Option<&'static str>, minute: i64| NewAuthEvent {
        failure_reason: reason,
        ..event("LOGIN_FAILURE", "olu", "10.0.0.1", t0() + Duration::minutes(minute))
    };
    for (reason, minute) in [(Some("invalid_password"), 0), (None, 1), (Some("locked"), 2), (Some("unknown_user"), 3)] {
        auth_events::insert(&tx, with(reason, minute)).await.unwrap();
    }
    auth_events::insert(&tx, with(Some("locked"), 4)).await.unwrap();
    auth_events::insert(&tx, NewAuthEvent { username: Some("ada".into()), ..with(Some("invalid_password"), 5) })
        .await
        .unwrap();
    commit(tx).await.unwrap();
    let r = db.store.reader();
    let since = t0() - Duration::hours(1);
    let counted = auth_events::count_since_except(r, Subject::Username("olu"), "LOGIN_FAILURE", since, &["locked"])
        .await
        .unwrap();
    assert_eq!(counted, (3, Some(t0() + Duration::minutes(3))), "rows without a reason count");
    let all = auth_events::count_since(r, Subject::Username("olu"), "LOGIN_FAILURE", since).await.unwrap();
    assert_eq!(all, (5, Some(t0() + Duration::minutes(4))));
    let page = auth_events::list(
        r,
        &AuthEventQuery { username: Some("olu".into()), ..Default::default() },
        Window { offset: 0, limit: 1 },
    )
    .await
    .unwrap();
    assert_eq!(page.rows[0].failure_reason.as_deref(), Some("locked"));
}

#[tokio::test]
async fn auth_events_count_by_subject_and_list_newest_first() {
    let db = Fresh::new().await;
    let tx = db.store.begin_write().await.unwrap();
    for i in 0..5 {
        auth_events::insert(&tx, event("LOGIN_FAILURE", "olu", "10.0.0.1", t0() + Duration::minutes(i))).await.unwrap();
    }
    auth_events::insert(&tx, event("LOGIN_FAILURE", "ada", "10.0.0.2", t0())).await.unwrap();
    auth_events::insert(&tx, event("LOGIN_SUCCESS", "olu", "10.0.0.1", t0() + Duration::minutes(2))).await.unwrap();
    commit(tx).await.unwrap();
    let r = db.store.reader();

    let (n, last) = auth_events::count_since(r, Subject::Username("olu"), "LOGIN_FAILURE", t0() - Duration::hours(1))
        .await
        .unwrap();
    assert_eq!((n, last), (5, Some(t0() + Duration::minutes(4))));
    let (n, _) = auth_events::count_since(r, Subject::Username("olu"), "LOGIN_FAILURE", t0() + Duration::minutes(2))
        .await
        .unwrap();
    assert_eq!(n, 2, "strictly after the instant");
    let (n, _) =
        auth_events::count_since(r, Subject::Ip("10.0.0.2"), "LOGIN_FAILURE", t0() - Duration::hours(1)).await.unwrap();
    assert_eq!(n, 1);
    assert_eq!(auth_events::latest_time(r, "olu", "LOGIN_SUCCESS").await.unwrap(), Some(t0() + Duration::minutes(2)));

    let query = AuthEventQuery { username: Some("olu".into()), ..Default::default() };
    let page = auth_events::list(r, &query, Window { offset: 0, limit: 3 }).await.unwrap();
    assert_eq!(page.total, 6);
    let times: Vec<_> = page.rows.iter().map(|e| e.event_time).collect();
    assert_eq!(times, [t0() + Duration::minutes(4), t0() + Duration::minutes(3), t0() + Duration::minutes(2)]);
    let query = AuthEventQuery {
        event_types: vec!["LOGIN_FAILURE".into()],
        from: Some(t0() + Duration::minutes(1)),
        to: Some(t0() + Duration::minutes(3)),
        ..Default::default()
    };
    assert_eq!(auth_events::list(r, &query, Window { offset: 0, limit: 50 }).await.unwrap().total, 2);
}

#[tokio::test]
async fn departments_sections_and_settings() {
    let db = Fresh::new().await;
    let tx = db.store.begin_write().await.unwrap();
    let ict = org::insert_department(&tx, "ICT".into(), t0()).await.unwrap();
    commit(tx).await.unwrap();
    // A failed statement ends a PostgreSQL transaction, so the duplicate gets its own.
    let tx = db.store.begin_write().await.unwrap();
    let err = org::insert_department(&tx, "ICT".into(), t0()).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)));
    drop(tx);
    let tx = db.store.begin_write().await.unwrap();
    for name in ["SysOps", "Helpdesk"] {
        org::insert_section(
            &tx,
            org::NewSection {
                id: Uuid::now_v7(),
                name: name.into(),
                department_id: Some(ict.id),
                manager_id: None,
                now: t0(),
            },
        )
        .await
        .unwrap();
    }
    org::insert_section(
        &tx,
        org::NewSection { id: Uuid::now_v7(), name: "Loose".into(), department_id: None, manager_id: None, now: t0() },
    )
    .await
    .unwrap();
    settings::put(&tx, "business_timezone", json!("UTC"), None, t0()).await.unwrap();
    settings::put(&tx, "business_timezone", json!("Africa/Harare"), None, t0()).await.unwrap();
    commit(tx).await.unwrap();
    let r = db.store.reader();
    let names: Vec<String> = org::list_sections(r, Some(ict.id)).await.unwrap().into_iter().map(|s| s.name).collect();
    assert_eq!(names, ["Helpdesk", "SysOps"]);
    assert_eq!(org::list_sections(r, None).await.unwrap().len(), 3);
    assert_eq!(settings::get(r, "business_timezone").await.unwrap().unwrap().value, json!("Africa/Harare"));
}

/// `.cargo/config.toml` builds SQLite with QPSG (without it every `LIMIT ?` statement,
/// each `.one()`, is parsed again at every execution) and without memory statistics
/// (one process-wide mutex per allocation). A build that lost those flags fails here.
#[tokio::test]
async fn sqlite_is_built_with_qpsg_and_without_memory_statistics() {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let fresh = Fresh::new().await;
    let reader = fresh.store.reader();
    if reader.get_database_backend() == DbBackend::Sqlite {
        let sql = "SELECT sqlite_compileoption_used('ENABLE_QPSG') AS qpsg, \
                   sqlite_compileoption_used('DEFAULT_MEMSTATUS=0') AS no_memstatus";
        let row = reader.query_one_raw(Statement::from_string(DbBackend::Sqlite, sql)).await.unwrap().unwrap();
        let qpsg: i64 = row.try_get("", "qpsg").unwrap();
        let no_memstatus: i64 = row.try_get("", "no_memstatus").unwrap();
        assert_eq!(qpsg, 1, "SQLite was built without SQLITE_ENABLE_QPSG");
        assert_eq!(no_memstatus, 1, "SQLite was built with memory statistics on");
    }
}

#[tokio::test]
async fn idle_sqlite_connections_close_but_one_reader_and_work_after() {
    use sea_orm::{DbBackend, TransactionTrait};
    let fresh = Fresh::new().await;
    let store = &fresh.store;
    if store.reader().get_database_backend() == DbBackend::Sqlite {
        // Three reads at once hold three reader connections; a write opens the writer.
        let mut held = Vec::new();
        for _ in 0..3 {
            let read = store.reader().begin().await.unwrap();
            assert!(users::find_by_login(&read, "nobody").await.unwrap().is_none());
            held.push(read);
        }
        for read in held {
            read.rollback().await.unwrap();
        }
        let tx = store.begin_write().await.unwrap();
        users::insert(&tx, new_user("before", "user")).await.unwrap();
        commit(tx).await.unwrap();
        let readers = store.reader().get_sqlite_connection_pool();
        assert_eq!(readers.size(), 3, "three readers were open");
        // A finished transaction's connection goes back to the pool in the background;
        // only connections back in the pool are idle and can be closed.
        for _ in 0..200 {
            if readers.num_idle() == 3 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        assert_eq!(readers.num_idle(), 3, "the three readers went back to the pool");

        store.close_idle_connections().await;
        assert_eq!(store.reader().get_sqlite_connection_pool().size(), 1, "one reader stays open");

        // Closed connections reopen on demand: reads and writes still work.
        let tx = store.begin_write().await.unwrap();
        users::insert(&tx, new_user("after", "user")).await.unwrap();
        commit(tx).await.unwrap();
        let found = users::find_by_login(store.reader(), "after").await.unwrap();
        assert_eq!(found.map(|u| u.username).as_deref(), Some("after"));
    }
}
