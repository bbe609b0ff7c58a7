//! The generator at a tiny scale on a temporary SQLite file.
//!
//! The bench crate does not depend on sea-orm, so counts come from no-op UPDATEs:
//! `rows_affected` of `SET x = x WHERE …` is the number of matching rows.

use chrono::Utc;
use sentinelops_domain::Role;
use sentinelops_store::repo::{notifications, users};
use sentinelops_store::{Conn, PoolConfig, Store};

use super::{Args, generate};

async fn count(store: &Store, table: &str, column: &str, filter: &str) -> anyhow::Result<u64> {
    let sql = format!("UPDATE {table} SET {column} = {column} WHERE {filter}");
    Ok(store.reader().execute_unprepared(&sql).await?.rows_affected())
}

fn args(url: String) -> Args {
    Args {
        database_url: url,
        sections: 2,
        days: 3,
        receipts: 2_000,
        auth_events: 500,
        password: "Sentinel@12345".into(),
        seed: 7,
        force: false,
    }
}

/// A migrated SQLite database in a new temporary folder: (folder, store, URL).
async fn tiny_store() -> anyhow::Result<(std::path::PathBuf, Store, String)> {
    let dir = std::env::temp_dir().join(format!("sentinelops-bench-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir)?;
    let url = format!("sqlite://{}?mode=rwc", dir.join("bench.db").display());
    let store = Store::connect(&url, PoolConfig::default()).await?;
    store.migrate().await?;
    Ok((dir, store, url))
}

#[tokio::test]
async fn a_tiny_year_has_the_promised_rows_and_invariants() -> anyhow::Result<()> {
    let (dir, store, url) = tiny_store().await?;
    let args = args(url);
    let tally = generate(&store, &args, Utc::now()).await?;

    assert_eq!(count(&store, "notification_receipts", "is_read", "1 = 1").await?, 2_000);
    assert_eq!(tally.rows("notification_receipts"), 2_000);
    assert_eq!(count(&store, "auth_events", "ip", "1 = 1").await?, 500);
    assert_eq!(count(&store, "checklist_instances", "revision", "1 = 1").await?, 2 * 3 * 3);
    assert_eq!(count(&store, "users", "is_active", "username LIKE 'bench.%'").await?, 3 + 2 * 9);
    let without_items = "id NOT IN (SELECT instance_id FROM checklist_instance_items)";
    assert_eq!(count(&store, "checklist_instances", "revision", without_items).await?, 0);
    let duplicated = "id IN (SELECT r.id FROM notification_receipts r JOIN notification_receipts o \
                      ON o.notification_id = r.notification_id AND o.user_id = r.user_id AND o.id <> r.id)";
    assert_eq!(count(&store, "notification_receipts", "is_read", duplicated).await?, 0);
    let orphans = "id NOT IN (SELECT notification_id FROM notification_receipts)";
    assert_eq!(count(&store, "notifications", "priority", orphans).await?, 0);
    assert!(count(&store, "checklist_instances", "revision", "status = 'COMPLETED'").await? > 0);
    assert!(count(&store, "checklist_item_activity", "action", "action = 'STARTED'").await? > 0);
    assert_eq!(count(&store, "checklist_instances", "revision", "revision < 1").await?, 0);

    let manager = users::find_by_login(store.reader(), "bench.manager.s01").await?;
    let manager = manager.ok_or_else(|| anyhow::anyhow!("no manager"))?;
    assert!(notifications::count_unread(store.reader(), manager.id).await? > 0);
    assert_eq!(manager.role, Role::Manager);

    // A second run refuses, a forced one replaces the data.
    let refused = generate(&store, &args, Utc::now()).await;
    assert!(refused.is_err());
    let forced = Args { force: true, ..args };
    generate(&store, &forced, Utc::now()).await?;
    assert_eq!(count(&store, "notification_receipts", "is_read", "1 = 1").await?, 2_000);
    assert_eq!(count(&store, "checklist_instances", "revision", "1 = 1").await?, 2 * 3 * 3);

    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// The ledger of a tiny year keeps the invariants the app keeps: every user's streak
/// total equals their ledger sum and their daily sum, each day equals its rows, and a
/// completed item of a settled checklist pays exactly once net (reopen included).
#[tokio::test]
async fn the_generated_ledger_adds_up() -> anyhow::Result<()> {
    let (dir, store, url) = tiny_store().await?;
    let tally = generate(&store, &args(url), Utc::now()).await?;

    let rows = count(&store, "gamification_scores", "points", "1 = 1").await?;
    assert!(rows > 0);
    assert_eq!(tally.rows("gamification_scores"), rows);
    let counting = "state IN ('CONFIRMED', 'REVERSAL', 'ADJUSTMENT')";
    let ledger_sum = format!(
        "(SELECT COALESCE(SUM(points), 0) FROM gamification_scores s WHERE s.user_id = user_streaks.user_id AND {counting})"
    );
    let daily_sum =
        "(SELECT COALESCE(SUM(points), 0) FROM gamification_daily d WHERE d.user_id = user_streaks.user_id)";
    let scorers = count(&store, "user_streaks", "total_points", "1 = 1").await?;
    // Operators act; managers only sign off and admins do nothing (2 sections of 8).
    assert!(scorers > 0 && scorers <= 16, "{scorers} users scored");
    assert_eq!(count(&store, "user_streaks", "total_points", &format!("total_points = {ledger_sum}")).await?, scorers);
    assert_eq!(count(&store, "user_streaks", "total_points", &format!("total_points = {daily_sum}")).await?, scorers);
    assert_eq!(count(&store, "user_streaks", "total_points", "total_points <= 0").await?, 0);
    // Three days of history: no run is longer, and every scorer was active.
    let streaks = "longest_streak_days BETWEEN 1 AND 3 AND current_streak_days BETWEEN 1 AND longest_streak_days";
    assert_eq!(count(&store, "user_streaks", "total_points", streaks).await?, scorers);

    let days = count(&store, "gamification_daily", "points", "1 = 1").await?;
    let of_day = |column: &str, filter: &str| {
        format!(
            "{column} = (SELECT COALESCE(SUM(s.{}), 0) FROM gamification_scores s WHERE s.user_id = gamification_daily.user_id \
             AND s.activity_date = gamification_daily.activity_date AND s.{counting}{filter})",
            if column == "points" { "points" } else { "quantity" }
        )
    };
    assert_eq!(count(&store, "gamification_daily", "points", &of_day("points", "")).await?, days);
    assert_eq!(count(&store, "gamification_daily", "points", &of_day("items", " AND s.kind = 'ITEM'")).await?, days);
    assert_eq!(
        count(&store, "gamification_daily", "points", &of_day("checklists", " AND s.kind = 'CHECKLIST_RUN'")).await?,
        days
    );

    // An item pays once net, however often its checklist was signed off.
    let settled =
        "instance_id IN (SELECT id FROM checklist_instances WHERE closed_at IS NOT NULL) AND status = 'COMPLETED'";
    let paid_once = format!(
        "{settled} AND 1 = (SELECT SUM(quantity) FROM gamification_scores s WHERE s.subject_id = checklist_instance_items.id \
         AND s.kind = 'ITEM' AND s.{counting})"
    );
    let completed = count(&store, "checklist_instance_items", "version", settled).await?;
    assert!(completed > 0);
    assert_eq!(count(&store, "checklist_instance_items", "version", &paid_once).await?, completed);

    // Slot 7 was reopened (its rows reversed, then confirmed again); slot 3 got the one
    // supervisor adjustment of 15 points; skips are refused and actions provisional first.
    assert!(count(&store, "gamification_scores", "points", "state = 'REVERSAL' AND points < 0").await? > 0);
    assert_eq!(count(&store, "gamification_scores", "points", "state = 'REVERSAL' AND points > 0").await?, 0);
    assert_eq!(count(&store, "gamification_scores", "points", "state = 'ADJUSTMENT' AND points = 15").await?, 1);
    assert!(count(&store, "gamification_scores", "points", "state = 'REFUSED' AND points = 0").await? > 0);
    assert!(count(&store, "gamification_scores", "points", "state = 'PROVISIONAL' AND points = 0").await? > 0);
    assert_eq!(
        count(&store, "gamification_scores", "points", "state IN ('PROVISIONAL', 'REFUSED') AND points <> 0").await?,
        0
    );

    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
