//! The roster in a real browser: a manager opens Roster from the nav, makes a weekday
//! pattern in the editor, gives it to two operators from this week's Monday, and reads
//! the week grid: their shifts in the shift's colour, the weekend's gaps highlighted,
//! and the operators on shift named on the dashboard.

use chrono::{Datelike, Days, NaiveDate};
use sentinelops_testkit::TestServer;
use sentinelops_testkit::browser::Browser;

use crate::sign_in::sign_in;

#[tokio::test]
async fn a_manager_rosters_the_week_and_reads_the_grid() {
    let srv = TestServer::start().await;
    let section = srv.create_section("Core Banking").await;
    let (_, token) = srv.user_with_token("mary.manager", "manager", Some(section)).await;
    srv.create_user("olu.operator", "user", Some(section)).await;
    srv.create_user("ada.operator", "user", Some(section)).await;
    let (_, shifts) = srv.get("/api/v1/checklists/shifts", &token).await;
    let morning = shifts.as_array().unwrap().iter().find(|s| s["name"] == "MORNING").unwrap()["id"].to_string();
    let today: NaiveDate = srv.operational_today().await.parse().unwrap();
    let monday = today - Days::new(u64::from(today.weekday().num_days_from_monday()));

    let browser = Browser::launch(&srv).await;
    let manager = browser.session("manager").await;
    sign_in(&manager, "mary.manager").await;
    manager.click("nav.site-nav a[href='/ui/roster']").await;
    manager.wait_for_text("h1", "Roster").await;
    manager.wait_for("#roster-grid").await;

    // The pattern editor: mornings Monday to Friday.
    manager.click("a[href^='/ui/roster/patterns']").await;
    manager.wait_for_text("h1", "Shift patterns").await;
    manager.fill("#new-name", "Weekdays").await;
    for day in 1..=5 {
        manager.click(&format!("#new-day{day} option[value='{morning}']")).await;
    }
    manager.click("#new-pattern button[type=submit]").await;
    manager.wait_for_text(".flash", "Pattern Weekdays created.").await;
    manager.wait_for_text("[data-pattern=Weekdays] .pattern-week", "Mon: MORNING").await;

    // Bulk assignment from this week's Monday, open-ended.
    manager.goto("/ui/roster").await;
    manager.wait_for("#assign-form").await;
    manager.click("#assign-form fieldset.people label:nth-of-type(1) input").await;
    manager.click("#assign-form fieldset.people label:nth-of-type(3) input").await;
    manager.script(&format!("document.querySelector('#assign-start').value = '{monday}'; return true;")).await;
    manager.click("#assign-form button[type=submit]").await;
    manager.wait_for_text(".flash", "Weekdays now works").await;
    manager.wait_for("#roster-grid td .shift-chip").await;
    let chips = manager.script("return document.querySelectorAll('#roster-grid tbody .shift-chip').length;").await;
    assert_eq!(chips, 10, "two people, Monday to Friday");
    let gaps = manager.script("return document.querySelectorAll('#roster-grid tfoot td.gap').length;").await;
    // Saturday and Sunday have no morning; afternoon and night have nobody all week.
    assert_eq!(gaps, 2 + 7 + 7);
    manager.screenshot("roster-week").await;

    // On a weekday the dashboard names who is on the morning shift.
    manager.goto("/ui/dashboard").await;
    manager.wait_for("#on-shift").await;
    let crew = manager.text("#on-shift").await;
    let weekday = today.weekday().num_days_from_monday() < 5;
    if weekday && crew.contains("Now: Morning") {
        assert!(crew.contains("ada.operator") && crew.contains("olu.operator"), "{crew}");
    } else {
        // Afternoons, nights and weekends have nobody on this roster.
        assert!(crew.contains("Nobody on the roster"), "{crew}");
    }
    manager.screenshot("dashboard-crew").await;
}
