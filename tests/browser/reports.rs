//! The Reports page in a real browser: an export shows "Preparing…" with its buttons
//! disabled until the streamed download begins, then the form is ready again; the period
//! report downloads the same way; a checklist's page offers its PDF.

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

    // The period report (a PDF) goes through the same handshake.
    manager.click("#period-form button[type=submit]").await;
    manager.wait_for_text("#period-form [data-export-status]", "Download started").await;
    assert_eq!(manager.path().await, "/ui/reports");

    // A checklist's page links its shift record, which the session downloads as a PDF.
    let token = srv.login("mgr.one", PASSWORD).await;
    let body = json!({"shift": "MORNING", "checklist_date": "2026-11-25"});
    let (status, answer) = srv.post("/api/v1/checklists/instances", &token, body).await;
    assert_eq!(status, 200, "{answer}");
    let id = answer["instance"]["id"].as_str().unwrap().to_owned();
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
