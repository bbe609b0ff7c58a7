//! The Performance page in a real browser: an operator with points opens it from the
//! nav, sees their points, tier and the server-drawn trend chart, claims the badge
//! they earned, and watches the numbers change live when more points arrive.

use chrono::NaiveDate;
use sentinelops_app::live::{self, LiveScope, Topic};
use sentinelops_domain::scoring::{LedgerState, ScoreKind};
use sentinelops_store::repo::gamification::{self, LedgerRow};
use sentinelops_testkit::TestServer;
use sentinelops_testkit::browser::Browser;
use serde_json::json;
use uuid::Uuid;

use crate::sign_in::sign_in;

/// Appends a confirmed row for `user` today and tells their pages, as the ledger's
/// writes do (`points_updated` to the user, in the same transaction).
async fn award(srv: &TestServer, user: Uuid, kind: ScoreKind, points: i32, quantity: i32) {
    let today: NaiveDate = srv.operational_today().await.parse().unwrap();
    let now = srv.app.clock.now();
    let mut row = LedgerRow::new(user, kind, LedgerState::Confirmed, today, now).paying(points, quantity);
    row.metadata = json!({"title": "Check services", "detail": format!("MORNING shift on {today}")});
    let tx = srv.app.store.begin_write().await.unwrap();
    gamification::append(&tx, vec![row], now).await.unwrap();
    let scope = LiveScope::section(Topic::Notification, None);
    live::record(&tx, now, scope, "points_updated", None, json!({"recipients": [user]})).await.unwrap();
    sentinelops_store::commit(tx).await.unwrap();
}

#[tokio::test]
async fn an_operator_sees_points_and_the_chart_claims_a_badge_and_gets_points_live() {
    let srv = TestServer::start().await;
    let section = srv.create_section("Core Banking").await;
    let user = srv.create_user("olu.operator", "user", Some(section)).await;
    let id: Uuid = user["id"].as_str().unwrap().parse().unwrap();
    // 18 critical items: 180 points and Critical Shield earned.
    award(&srv, id, ScoreKind::CriticalItem, 180, 18).await;

    let browser = Browser::launch(&srv).await;
    let operator = browser.session("operator").await;
    sign_in(&operator, "olu.operator").await;
    operator.click("nav.site-nav a[href='/ui/performance']").await;
    operator.wait_for_text("h1", "Performance").await;
    assert_eq!(operator.text("#my-points").await, "180");
    assert_eq!(operator.text("#my-tier").await, "Pulse");
    operator.wait_for("svg.trend-chart rect").await;
    operator.screenshot("performance").await;

    operator.click("#claim-critical_shield").await;
    operator.wait_for_text(".flash", "Badge claimed: Critical Shield.").await;
    operator.wait_for_text("[data-badge=critical_shield]", "Claimed").await;
    operator.wait_for_text("#badges-heading", "1 of 11 claimed").await;
    operator.screenshot("claimed").await;

    // Points arrive while the page is open: the numbers follow without a reload.
    award(&srv, id, ScoreKind::Item, 25, 1).await;
    operator.wait_for_text("#my-points", "205").await;
    operator.screenshot("live").await;
}
