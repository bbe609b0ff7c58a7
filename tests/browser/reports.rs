//! The Reports page in a real browser: an export shows "Preparing…" with its buttons
//! disabled until the streamed download begins, then the form is ready again.

use sentinelops_testkit::browser::Browser;
use sentinelops_testkit::{PASSWORD, TestServer};
use serde_json::json;

#[tokio::test]
async fn an_export_shows_it_is_running_until_the_download_starts() {
    let srv = TestServer::start().await;
    let section = srv.create_section("ICT Operations").await;
    let (_, admin) = srv.user_with_token("root.admin", "admin", None).await;
    srv.create_user("mgr.one", "manager", Some(section)).await;
    let body = json!({"name": "Morning ops", "shift": "MORNING", "section_id": section, "items": [{"title": "Check"}]});
    assert_eq!(srv.post("/api/v1/checklists/templates", &admin, body).await.0, 200);

    let browser = Browser::launch(&srv).await;
    let manager = browser.session("manager").await;
    manager.goto("/ui/login").await;
    manager.fill("input[name=login]", "mgr.one").await;
    manager.fill("input[name=password]", PASSWORD).await;
    manager.click("button[type=submit]").await;
    manager.wait_for_text("header .user-name", "mgr.one").await;

    manager.goto("/ui/reports").await;
    manager.wait_for_text("main h1", "Reports").await;
    manager.screenshot("reports").await;
    // The script watches for the download's cookie; the export answers with it.
    manager.click("#checklists-form button[formaction='/ui/reports/checklists.csv']").await;
    manager.wait_for_text("#checklists-form [data-export-status]", "Download started").await;
    let buttons =
        manager.script("return [...document.querySelectorAll('#checklists-form button')].map(b => b.disabled)").await;
    assert_eq!(buttons, json!([false, false]), "the form is ready again");
    assert_eq!(manager.path().await, "/ui/reports", "the page stays: the file downloads");
    manager.screenshot("export-started").await;

    manager.close().await;
    browser.close();
}
