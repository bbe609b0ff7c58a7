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
    let manager_user = srv.create_user("mgr.one", "manager", Some(section)).await;
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
    // The CSV streams into the file the user picks, the page counting the rows as they
    // arrive. The browser's own picker is a dialog WebDriver cannot answer, so a stand-in
    // hands the page a file that keeps what is written to it.
    manager.script(FILE_PICKER).await;
    manager.click("#checklists-form button[formaction='/ui/reports/checklists.csv']").await;
    manager.wait_for_text("#checklists-form [data-export-status]", "Saved checklists.csv: 1 row").await;
    let saved = manager.script("return [window.__picked, window.__closed, window.__saved.join('')]").await;
    assert_eq!(saved[0], "checklists.csv", "the name offered");
    assert_eq!(saved[1], true, "the file was closed once complete");
    let csv = saved[2].as_str().unwrap();
    assert!(csv.starts_with("checklist_id,date,shift,") && csv.contains(&id), "the rows went to the file: {csv}");
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

    // The period report (a PDF of a known length) is kept until complete, then saved.
    manager.click("#period-form button[type=submit]").await;
    manager.wait_for_text("#period-form [data-export-status]", "Saved SentinelOps_ICT_Operations_Week_").await;
    assert_eq!(manager.path().await, "/ui/reports");

    // A browser without a file picker downloads the CSV itself, and the page says where to look.
    manager.script("window.showSaveFilePicker = undefined;").await;
    set_range(&manager, "2026-11-01", "2026-11-30").await;
    manager.click("#checklists-form button[formaction='/ui/reports/checklists.csv']").await;
    manager.wait_for_text("#checklists-form [data-export-status]", "your browser's downloads show its progress").await;
    assert_eq!(manager.path().await, "/ui/reports", "the download leaves the page in place");

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

    // A session that ends while the page is open: the export goes to the sign-in page
    // (not saving that page as the file), which brings the user back to the Reports page.
    manager.goto("/ui/reports").await;
    manager.wait_for_text("main h1", "Reports").await;
    let user = format!("/api/v1/users/{}", manager_user["id"].as_str().unwrap());
    assert_eq!(srv.patch(&user, &admin, json!({"is_active": false})).await.0, 200);
    manager.click("#checklists-form button[formaction='/ui/reports/checklists.xlsx']").await;
    manager.wait_for("input[name=password]").await;
    assert!(manager.path().await.starts_with("/ui/login"), "{}", manager.path().await);
    assert_eq!(srv.patch(&user, &admin, json!({"is_active": true})).await.0, 200);
    manager.fill("input[name=login]", "mgr.one").await;
    manager.fill("input[name=password]", PASSWORD).await;
    manager.click("button[type=submit]").await;
    manager.wait_for_text("main h1", "Reports").await;
    assert_eq!(manager.path().await, "/ui/reports");

    manager.close().await;
    browser.close();
}

/// A stand-in for the browser's file picker: the "file" keeps what is written to it.
const FILE_PICKER: &str = "
    window.__saved = []; window.__closed = false;
    window.showSaveFilePicker = function (options) {
      window.__picked = options.suggestedName;
      var file = {
        write: function (chunk) { window.__saved.push(new TextDecoder().decode(chunk)); return Promise.resolve(); },
        close: function () { window.__closed = true; return Promise.resolve(); },
        abort: function () { return Promise.resolve(); }
      };
      return Promise.resolve({ name: options.suggestedName, createWritable: function () { return Promise.resolve(file); } });
    };";

/// Sets the checklist export's dates (a date field's typed form depends on the locale).
async fn set_range(session: &sentinelops_testkit::browser::Session, from: &str, to: &str) {
    session
        .script(&format!(
            "document.querySelector('#c-from').value = '{from}'; document.querySelector('#c-to').value = '{to}';"
        ))
        .await;
}
