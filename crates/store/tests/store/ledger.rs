//! The points ledger's write path: rows are appended, counting rows reach the daily
//! tallies and the streak row in the same transaction, and a reversal takes back
//! exactly what it undoes.

use chrono::{Duration, NaiveDate};
use uuid::Uuid;

use sentinelops_domain::Role;
use sentinelops_domain::scoring::{LedgerState, ScoreKind};
use sentinelops_domain::shift::ShiftType;
use sentinelops_store::entity::{gamification_daily, gamification_scores};
use sentinelops_store::repo::gamification::{self, LedgerRow};
use sentinelops_store::repo::users::{self, NewUser};
use sentinelops_store::{PoolConfig, Store, commit};
use sentinelops_testkit::{TestDatabase, t0};

use sea_orm::EntityTrait;

fn day(n: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 2).unwrap() + Duration::days(n)
}

fn item(user: Uuid, date: NaiveDate, points: i32) -> LedgerRow {
    let mut row = LedgerRow::new(user, ScoreKind::Item, LedgerState::Confirmed, date, t0()).paying(points, 1);
    row.shift = Some(ShiftType::Night.as_str().to_owned());
    row
}

#[tokio::test]
async fn appended_rows_reach_the_daily_tallies_and_the_streak_row() {
    let database = TestDatabase::create().await;
    let store = Store::connect(&database.url, PoolConfig::default()).await.unwrap();
    store.migrate().await.unwrap();
    let tx = store.begin_write().await.unwrap();
    let user = users::insert(
        &tx,
        NewUser {
            id: Uuid::now_v7(),
            username: "olu".into(),
            email: None,
            first_name: "O".into(),
            last_name: "L".into(),
            position: String::new(),
            password_hash: "x".into(),
            role: Role::User,
            department_id: None,
            section_id: None,
            is_active: true,
            created_by: None,
            now: t0(),
            auth_source: sentinelops_domain::directory::AuthSource::Local,
            external_id: None,
        },
    )
    .await
    .unwrap()
    .id;
    // Three consecutive days, a gap, one more; a provisional row counts nothing.
    let first = item(user, day(0), 14);
    let rows = vec![
        first.clone(),
        item(user, day(1), 11),
        item(user, day(2), 8),
        item(user, day(4), 5),
        LedgerRow::new(user, ScoreKind::Subitem, LedgerState::Provisional, day(4), t0()),
        LedgerRow::new(user, ScoreKind::ChecklistClean, LedgerState::Confirmed, day(4), t0()).paying(18, 1),
    ];
    gamification::append(&tx, rows, t0()).await.unwrap();
    commit(tx).await.unwrap();

    let r = store.reader();
    let streak = gamification::streak_of(r, user).await.unwrap().unwrap();
    assert_eq!((streak.total_points, streak.perfect_shifts_count), (56, 1));
    assert_eq!((streak.current_streak_days, streak.longest_streak_days, streak.last_shift_date), (1, 3, Some(day(4))));
    assert_eq!(gamification::ledger_total(r, user).await.unwrap(), 56);

    // Undo the first day's item: the day is no longer active, the run shortens.
    let tx = store.begin_write().await.unwrap();
    let mut reversal = first.clone();
    reversal.id = Uuid::now_v7();
    reversal.state = LedgerState::Reversal.as_str().to_owned();
    reversal.points = -first.points;
    reversal.quantity = -first.quantity;
    gamification::append(&tx, vec![reversal], t0()).await.unwrap();
    commit(tx).await.unwrap();

    let streak = gamification::streak_of(r, user).await.unwrap().unwrap();
    assert_eq!(streak.total_points, 42);
    assert_eq!(gamification::ledger_total(r, user).await.unwrap(), 42);
    // The stored longest run is a record: it does not shrink when a day is undone.
    assert_eq!((streak.current_streak_days, streak.longest_streak_days), (1, 3));
    let days = gamification_daily::Entity::find().all(r).await.unwrap();
    let daily_points: i64 = days.iter().map(|d| d.points).sum();
    assert_eq!(daily_points, 42);
    let first_day = days.iter().find(|d| d.activity_date == day(0)).unwrap();
    assert_eq!((first_day.items, first_day.night_actions, first_day.points), (0, 0, 0));
    let last_day = days.iter().find(|d| d.activity_date == day(4)).unwrap();
    assert_eq!((last_day.items, last_day.clean_checklists, last_day.points), (1, 1, 23));
    assert_eq!(gamification_scores::Entity::find().all(r).await.unwrap().len(), 7);
    drop(database);
}
