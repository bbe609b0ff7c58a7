//! The Reports page in a real browser: an export runs in the page, counts its rows and
//! saves the file, then the form is ready again; a refusal says why beside the form; the
//! period report downloads the same way; a checklist's page offers its PDF.

use sentinelops_testkit::browser::Browser;
use sentinelops_testkit::{PASSWORD, TestServer};
use serde_json::json;

#[tokio::test]
async fn an_export_shows_its_progress_and_saves_the_file() {
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

    // One checklist worked, so the export has a row to count.
    let token = srv.login("mgr.one", PASSWORD).await;
    let body = json!({"shift": "MORNING", "checklist_date": "2026-11-25"});
    let (status, answer) = srv.post("/api/v1/checklists/instances", &token, body).await;
    assert_eq!(status, 200, "{answer}");
    let id = answer["instance"]["id"].as_str().unwrap().to_owned();

    manager.goto("/ui/reports").await;
    manager.wait_for_text("main h1", "Reports").await;
    manager.screenshot("reports").await;
    set_range(&manager, "2026-11-01", "2026-11-30").await;
    // The export runs in the page, which counts the rows as they arrive and saves the file.
    manager.click("#checklists-form button[formaction='/ui/reports/checklists.csv']").await;
    manager.wait_for_text("#checklists-form [data-export-status]", "Saved checklists.csv: 1 row").await;
    let buttons =
        manager.script("return [...document.querySelectorAll('#checklists-form button')].map(b => b.disabled)").await;
    assert_eq!(buttons, json!([false, false]), "the form is ready again, its Cancel gone");
    assert_eq!(manager.path().await, "/ui/reports", "the page stays: the file downloads");
    manager.screenshot("export-saved").await;

    // A refusal says why, beside the form, and the page stays.
    set_range(&manager, "2026-11-30", "2026-11-01").await;
    manager.click("#checklists-form button[formaction='/ui/reports/checklists.xlsx']").await;
    manager.wait_for_text("#checklists-form [data-export-status]", "Not exported:").await;
    let said =
        manager.script("return document.querySelector('#checklists-form [data-export-status]').textContent").await;
    assert!(!said.as_str().unwrap().contains("the server answered"), "the server's own reason: {said}");
    assert_eq!(manager.path().await, "/ui/reports");

    // The period report (a PDF of a known length) runs the same way.
    manager.click("#period-form button[type=submit]").await;
    manager.wait_for_text("#period-form [data-export-status]", "Saved SentinelOps_ICT_Operations_Week_").await;
    assert_eq!(manager.path().await, "/ui/reports");

    // A checklist's page links its shift record, which the session downloads as a PDF.
    manager.goto(&format!("/ui/checklists/{id}")).await;
    manager.wait_for_text("a[data-action=download-pdf]", "Download PDF").await;
    let fetched = manager
        .script(
            "const a = document.querySelector('a[data-action=download-pdf]');
             return fetch(a.href).then(r => r.arrayBuffer().then(b =>
               [r.status, r.headers.get('content-type'), new TextDecoder().decode(b.slice(0, 5))]));",
        )
        .await;
    assert_eq!(fetched, json!([200, "application/pdf", "%PDF-"]));
    manager.screenshot("checklist-with-pdf").await;

    manager.close().await;
    browser.close();
}

/// Sets the checklist export's dates (a date field's typed form depends on the locale).
async fn set_range(session: &sentinelops_testkit::browser::Session, from: &str, to: &str) {
    session
        .script(&format!(
            "document.querySelector('#c-from').value = '{from}'; document.querySelector('#c-to').value = '{to}';"
        ))
        .await;
}
