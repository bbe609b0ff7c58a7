//! The template pages in a real browser: an admin edits a template made through the
//! JSON API — renames an item, adds one — and sees the new version after a reload.

use sentinelops_testkit::browser::Browser;
use sentinelops_testkit::{PASSWORD, TestServer};
use serde_json::json;

use crate::sign_in::sign_in;

#[tokio::test]
async fn an_admin_edits_a_template() {
    let srv = TestServer::start().await;
    let section = srv.create_section("ICT Operations").await;
    srv.create_user("tpl.admin", "admin", None).await;
    let token = srv.login("tpl.admin", PASSWORD).await;
    let body = json!({
        "name": "Morning run",
        "shift": "MORNING",
        "section_id": section,
        "items": [
            {"title": "Review handover notes", "severity": 4, "subitems": [{"title": "Read the night log"}]},
            {"title": "Check services", "severity": 2},
        ],
    });
    let (status, created) = srv.post("/api/v1/checklists/templates", &token, body).await;
    assert_eq!(status, 200, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let first_item = created["template"]["items"][0]["id"].as_str().unwrap().to_owned();

    let browser = Browser::launch(&srv).await;
    let admin = browser.session("admin").await;
    sign_in(&admin, "tpl.admin").await;

    // The library, through the nav.
    admin.click("nav a[href='/ui/templates']").await;
    admin.wait_for_text("table.tpl-library", "Morning run").await;
    assert!(admin.text("table.tpl-library").await.contains("ICT Operations"));
    admin.screenshot("library").await;

    admin.click(&format!("a[href='/ui/templates/{id}']")).await;
    admin.wait_for_text("h1", "Morning run").await;
    assert_eq!(admin.text("#template-version").await, "Version 1");

    // Delete asks first, in a dialog; Cancel leaves everything as it was.
    admin.click("a[data-open-dialog='delete-template']").await;
    admin.wait_for("dialog#delete-template[open]").await;
    admin.click("dialog#delete-template a[data-close-dialog]").await;

    // Rename the first item (its edit form is folded away until opened).
    let row = format!("#item-{first_item}");
    admin.click(&format!("{row} details.tpl-edit > summary")).await;
    admin.fill(&format!("#item-{first_item}-title"), "Review handover notes and alerts").await;
    admin.click(&format!("{row} form[aria-label='Edit item 1'] button[type=submit]")).await;
    admin.wait_for_text(&format!("{row} h3"), "Review handover notes and alerts").await;
    admin.wait_for_text("#template-version", "Version 2").await;
    admin.wait_for_text(".flash-area", "saved").await;

    // Add an item at the end.
    admin.click("#new-item > summary").await;
    admin.fill("#new-item-title", "Call the vendor").await;
    admin.fill("#new-item-description", "Confirm the maintenance window").await;
    admin.click("#new-item form button[type=submit]").await;
    admin.wait_for_text("#template-items", "Call the vendor").await;
    admin.wait_for_text("#template-version", "Version 3").await;
    admin.screenshot("editor").await;

    // A reload shows what was saved, and so does the API.
    admin.goto(&format!("/ui/templates/{id}")).await;
    admin.wait_for_text("#template-version", "Version 3").await;
    let items = admin.text("#template-items").await;
    assert!(items.contains("Review handover notes and alerts") && items.contains("Call the vendor"), "{items}");
    assert!(items.contains("Read the night log"), "the subitem stays: {items}");
    let (_, view) = srv.get(&format!("/api/v1/checklists/templates/{id}"), &token).await;
    let titles: Vec<&str> = view["items"].as_array().unwrap().iter().map(|i| i["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["Review handover notes and alerts", "Check services", "Call the vendor"]);

    admin.close().await;
    browser.close();
}
