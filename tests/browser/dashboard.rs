//! The dashboard, checklist timeline and notification inbox in a real browser: an
//! operator starts a checklist from the timeline; a manager's inbox receives an alert
//! live (sent by the operator failing an item through the JSON API) and marks it read.

use std::time::Duration;

use sentinelops_testkit::TestServer;
use sentinelops_testkit::browser::{Browser, Session};
use serde_json::json;
use uuid::Uuid;

use crate::sign_in::sign_in;

/// A section with an operator, a manager and an active template for every shift.
/// Returns the operator's API token.
pub(crate) async fn section_with_templates(srv: &TestServer) -> String {
    let (_, admin) = srv.user_with_token("root.admin", "admin", None).await;
    let section = srv.create_section("Core Banking").await;
    srv.create_user("mary.manager", "manager", Some(section)).await;
    let (_, operator) = srv.user_with_token("olu.operator", "user", Some(section)).await;
    for shift in ["MORNING", "AFTERNOON", "NIGHT"] {
        let items = json!([{"title": "Check services", "severity": 3, "sort_order": 1}]);
        let body = json!({"name": format!("{shift} checks"), "shift": shift, "section_id": section, "items": items});
        let (status, answer) = srv.post("/api/v1/checklists/templates", &admin, body).await;
        assert_eq!(status, 200, "{answer}");
    }
    operator
}

/// The operator starts the MORNING checklist and fails its item ("Link down") through
/// the JSON API, as another client would while a page is open.
pub(crate) async fn fail_an_item(srv: &TestServer, operator: &str) {
    let (status, created) = srv.post("/api/v1/checklists/instances", operator, json!({"shift": "MORNING"})).await;
    assert_eq!(status, 200, "{created}");
    let instance = created["instance"]["id"].as_str().unwrap();
    let item = created["instance"]["items"][0]["id"].as_str().unwrap();
    let path = format!("/api/v1/checklists/instances/{instance}/items/{item}");
    let (status, body) = srv.patch(&path, operator, json!({"status": "FAILED", "reason": "Link down"})).await;
    assert_eq!(status, 200, "{body}");
}

/// The bell's unread count (0 when the badge is empty), once the bell shows one.
async fn bell_count(session: &Session) -> u64 {
    for _ in 0..100 {
        let text = session.text("#bell-count").await;
        let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
        if let Ok(n) = digits.parse() {
            return n;
        }
        if text.trim().is_empty() {
            return 0;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the bell shows no count");
}

/// Polls until `check` accepts the session's path (navigation happens after a click).
async fn wait_for_path(session: &Session, check: impl Fn(&str) -> bool) -> String {
    for _ in 0..100 {
        let path = session.path().await;
        if check(&path) {
            return path;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the path never matched; it is {}", session.path().await);
}

#[tokio::test]
async fn an_operator_sees_the_dashboard_and_starts_a_checklist_from_the_timeline() {
    let srv = TestServer::start().await;
    let token = section_with_templates(&srv).await;
    let browser = Browser::launch(&srv).await;
    let operator = browser.session("operator").await;

    sign_in(&operator, "olu.operator").await;
    operator.goto("/ui/dashboard").await;
    operator.wait_for_text("h1", "Today").await;
    operator.wait_for_text("#attention-heading", "Needs attention").await;
    // No checklist yet: one "Start" form per shift.
    assert_eq!(operator.text("#checklists-heading").await, "Shift checklists");
    operator.wait_for_text("#dashboard-live", "Start morning checklist").await;
    operator.screenshot("dashboard").await;

    operator.goto("/ui/checklists").await;
    operator.wait_for_text("#start-heading", "Start a shift's checklist").await;
    operator.wait_for_text("main", "No checklists").await;
    operator.screenshot("timeline").await;
    operator.click("#start-checklist").await;
    let path = wait_for_path(&operator, |p| p != "/ui/checklists").await;
    let id = path.strip_prefix("/ui/checklists/").unwrap_or_else(|| panic!("landed on {path}"));
    assert!(id.parse::<Uuid>().is_ok(), "landed on {path}");

    // Back on the timeline, the new checklist is listed.
    operator.goto("/ui/checklists").await;
    operator.wait_for(&format!("#timeline a[href='/ui/checklists/{id}']")).await;

    // The dashboard shows its card and follows the checklist live (no reload).
    operator.goto("/ui/dashboard").await;
    operator.wait_for(&format!("[data-checklist-card='{id}']")).await;
    assert!(operator.text("#dashboard-live").await.contains("0 skipped, 0 failed"));
    let (status, instance) = srv.get(&format!("/api/v1/checklists/instances/{id}"), &token).await;
    assert_eq!(status, 200, "{instance}");
    let item = instance["items"][0]["id"].as_str().unwrap();
    let path = format!("/api/v1/checklists/instances/{id}/items/{item}");
    let (status, body) = srv.patch(&path, &token, json!({"status": "SKIPPED", "reason": "Vendor window"})).await;
    assert_eq!(status, 200, "{body}");
    operator.wait_for_text(&format!("[data-checklist-card='{id}']"), "1 skipped, 0 failed").await;

    operator.close().await;
    browser.close();
}

#[tokio::test]
async fn a_managers_inbox_shows_a_new_alert_live_and_marking_it_read_drops_the_badge() {
    let srv = TestServer::start().await;
    let operator = section_with_templates(&srv).await;
    let browser = Browser::launch(&srv).await;
    let manager = browser.session("manager").await;

    sign_in(&manager, "mary.manager").await;
    manager.goto("/ui/notifications").await;
    manager.wait_for_text("#notification-list", "No notifications").await;

    // The operator fails an item through the API; the manager's page is not reloaded.
    fail_an_item(&srv, &operator).await;

    manager.wait_for_text("#notification-list .inbox-row.critical", "Escalated").await;
    // The failure may bring more than one alert (the manager's review alert too).
    let mut before = bell_count(&manager).await;
    for _ in 0..50 {
        if before > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        before = bell_count(&manager).await;
    }
    assert!(before >= 1, "the bell counts the new alert");
    manager.screenshot("inbox").await;

    manager.click("#notification-list .inbox-row.critical form[action$='/read'] button").await;
    manager.wait_for("#notification-list .inbox-row.is-read").await;
    let mut after = bell_count(&manager).await;
    for _ in 0..50 {
        if after < before {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        after = bell_count(&manager).await;
    }
    assert_eq!(after, before - 1, "the badge drops by the alert read");

    // Preferences: a bad quiet hour is shown next to its field.
    manager.goto("/ui/notifications/preferences").await;
    manager.fill("#quiet-start", "25:99").await;
    manager.click("form.form-stack button[type=submit]").await;
    manager.wait_for_text("#quiet-start-error", "Quiet hours start must be a time of day").await;
    manager.screenshot("preferences").await;

    manager.close().await;
    browser.close();
}
