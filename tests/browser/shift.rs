//! The main story of the product in real browsers: an operator works a shift's
//! checklist (join, complete, skip and fail with reasons in dialogs) while a manager
//! watches the same page update live, sees the bell count rise, and signs the
//! checklist off once it reaches review; a user of another section is refused.

use std::time::Duration;

use sentinelops_testkit::browser::{Browser, Session};
use sentinelops_testkit::{PASSWORD, TestServer};
use serde_json::{Value, json};
use uuid::Uuid;

/// Signs in through the form and waits for the signed-in layout naming the user.
async fn sign_in(session: &Session, login: &str) {
    session.goto("/ui/login").await;
    session.fill("input[name=login]", login).await;
    session.fill("input[name=password]", PASSWORD).await;
    session.click("button[type=submit]").await;
    session.wait_for_text("header", login).await;
}

/// The bell's unread count as shown (0 when no badge).
async fn bell(session: &Session) -> u64 {
    let text = session.client().execute("return document.getElementById('bell-count').textContent", vec![]).await;
    let text = text.unwrap();
    text.as_str().unwrap_or("").chars().take_while(char::is_ascii_digit).collect::<String>().parse().unwrap_or(0)
}

/// Opens an item's reason dialog, types the reason and submits it.
async fn with_reason(session: &Session, item: &str, action: &str, reason: &str, shot: Option<&str>) {
    session.click(&format!("#item-{item} button[data-action={action}]")).await;
    session.wait_for("dialog[open] textarea[name=reason]").await;
    session.fill("dialog[open] textarea[name=reason]", reason).await;
    if let Some(name) = shot {
        session.screenshot(name).await;
    }
    session.click("dialog[open] button[type=submit]").await;
}

/// Makes the section's "Morning ops" template of `items` and starts today's checklist
/// as the operator; returns the checklist (the API's `instance`).
async fn morning_checklist(srv: &TestServer, admin: &str, operator: &str, section: Uuid, items: Value) -> Value {
    let template = json!({"name": "Morning ops", "shift": "MORNING", "section_id": section, "items": items});
    let (status, body) = srv.post("/api/v1/checklists/templates", admin, template).await;
    assert_eq!(status, 200, "{body}");
    let today = srv.operational_today().await;
    let (status, body) =
        srv.post("/api/v1/checklists/instances", operator, json!({"shift": "MORNING", "checklist_date": today})).await;
    assert_eq!(status, 200, "{body}");
    body["instance"].clone()
}

#[tokio::test]
async fn an_operator_works_the_shift_while_a_manager_watches_and_signs_off() {
    let srv = TestServer::start().await;
    let (_, admin) = srv.user_with_token("root.admin", "admin", None).await;
    let section = srv.create_section("ICT Operations").await;
    let other = srv.create_section("Helpdesk").await;
    let (_, operator_token) = srv.user_with_token("op.one", "user", Some(section)).await;
    srv.create_user("mgr.one", "manager", Some(section)).await;
    srv.create_user("out.sider", "user", Some(other)).await;
    let items = json!([
        {"title": "Check overnight backups", "item_type": "ROUTINE", "severity": 5, "is_required": true, "sort_order": 1},
        {"title": "Read the NOC mailbox", "item_type": "ROUTINE", "severity": 2, "sort_order": 2},
        {"title": "Test the generator", "item_type": "ROUTINE", "severity": 4, "sort_order": 3},
        {"title": "Update the status board", "item_type": "ROUTINE", "severity": 1, "sort_order": 4},
    ]);
    let instance = &morning_checklist(&srv, &admin, &operator_token, section, items).await;
    let page = format!("/ui/checklists/{}", instance["id"].as_str().unwrap());
    let item: Vec<String> =
        instance["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect();

    let browser = Browser::launch(&srv).await;
    let operator = browser.session("operator").await;
    let manager = browser.session("manager").await;
    sign_in(&operator, "op.one").await;
    sign_in(&manager, "mgr.one").await;

    operator.goto(&page).await;
    operator.wait_for_text("h1", "Morning ops").await;
    operator.click("button[data-action=join]").await;
    operator.wait_for_text(".participant-list", "op.one").await;
    manager.goto(&page).await;
    manager.wait_for_text(".participant-list", "op.one").await;
    let unread_before = bell(&manager).await;

    // Complete one item: the manager's page changes without a reload.
    operator.click(&format!("#item-{} button[data-action=complete]", item[0])).await;
    operator.wait_for_text(&format!("#item-{} .item-head .badge", item[0]), "Completed").await;
    manager.wait_for_text(&format!("#item-{} .item-head .badge", item[0]), "Completed").await;
    manager.wait_for_text(".summary-progress", "1 of 4 items completed").await;

    // Skip and fail with reasons typed into dialogs.
    with_reason(&operator, &item[1], "skip", "Mailbox migration in progress", Some("skip-dialog")).await;
    operator.wait_for_text(&format!("#item-{} .item-head .badge", item[1]), "Skipped").await;
    // A refresh from someone else's change while the fail dialog is open keeps the typed reason.
    operator.click(&format!("#item-{} [data-action=fail]", item[2])).await;
    operator.fill("dialog[open] textarea[name=reason]", "Generator did not start").await;
    let comment =
        format!("/api/v1/checklists/instances/{}/items/{}/comment", instance["id"].as_str().unwrap(), item[3]);
    let (status, body) = srv.post(&comment, &operator_token, json!({"comment": "Board PC rebooting"})).await;
    assert_eq!(status, 200, "{body}");
    operator.wait_for_text(&format!("#item-{}", item[3]), "Activity (1)").await;
    let typed = operator
        .client()
        .execute("return document.querySelector('dialog[open] textarea[name=reason]').value", vec![])
        .await
        .unwrap();
    assert_eq!(typed, "Generator did not start", "the live refresh kept the open dialog");
    operator.click("dialog[open] button[type=submit]").await;
    operator.wait_for_text(&format!("#item-{} .item-head .badge", item[2]), "Failed").await;
    operator.screenshot("checklist-operator").await;

    manager.wait_for_text(&format!("#item-{}", item[1]), "Mailbox migration in progress").await;
    manager.wait_for_text(&format!("#item-{} .item-head .badge", item[2]), "Failed").await;
    // The skip and the failure alerted the manager: the bell counts up without a reload.
    let mut unread = bell(&manager).await;
    for _ in 0..50 {
        if unread >= unread_before + 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        unread = bell(&manager).await;
    }
    assert!(unread >= unread_before + 2, "bell went from {unread_before} to {unread}");
    assert!(manager.path().await == page, "no navigation happened");

    // The last item: the checklist goes to review.
    operator.click(&format!("#item-{} button[data-action=complete]", item[3])).await;
    operator.wait_for_text("[data-checklist-status]", "Pending review").await;
    assert!(!operator.text("main").await.contains("Sign off"), "operators cannot sign off");

    manager.wait_for_text("[data-checklist-status]", "Pending review").await;
    manager.click("button[data-open-dialog=dlg-sign-off]").await;
    manager.fill("dialog[open] textarea[name=comment]", "Generator ticket raised").await;
    manager.click("dialog[open] button[type=submit]").await;
    manager.wait_for_text("[data-checklist-status]", "Completed with exceptions").await;
    manager.screenshot("checklist-manager").await;
    operator.wait_for_text("[data-checklist-status]", "Completed with exceptions").await;

    // Another section's user gets the refusal page.
    let outsider = browser.session("outsider").await;
    sign_in(&outsider, "out.sider").await;
    outsider.goto(&page).await;
    outsider.wait_for_text("main h1", "Not allowed").await;
    assert!(!outsider.text("main").await.contains("Check overnight backups"));

    outsider.close().await;
    operator.close().await;
    manager.close().await;
    browser.close();
}

/// Without JavaScript a `<dialog>` cannot open. The opener's twin link goes to the
/// dialog, which then shows in place, and its form posts the reason as usual.
#[tokio::test]
async fn without_javascript_an_operator_still_skips_an_item_with_its_reason() {
    let srv = TestServer::start().await;
    let (_, admin) = srv.user_with_token("root.admin", "admin", None).await;
    let section = srv.create_section("ICT Operations").await;
    let (_, operator_token) = srv.user_with_token("op.one", "user", Some(section)).await;
    let items = json!([
        {"title": "Check overnight backups", "item_type": "ROUTINE", "severity": 3, "sort_order": 1},
        {"title": "Read the NOC mailbox", "item_type": "ROUTINE", "severity": 2, "sort_order": 2},
    ]);
    let instance = morning_checklist(&srv, &admin, &operator_token, section, items).await;
    let instance_id = instance["id"].as_str().unwrap().to_owned();
    let item = instance["items"][1]["id"].as_str().unwrap().to_owned();

    let browser = Browser::launch(&srv).await;
    let operator = browser.session_without_script("operator-no-js").await;
    sign_in(&operator, "op.one").await;
    operator.goto(&format!("/ui/checklists/{instance_id}")).await;
    operator.wait_for_text("h1", "Morning ops").await;

    // The script's opener would do nothing here, so it is hidden and its twin link
    // shows instead (a hidden link cannot be clicked); the dialog the link points at
    // shows in place, so its reason box can be typed into.
    assert!(!operator.is_displayed(&format!("#item-{item} button[data-action=skip]")).await);
    operator.click(&format!("#item-{item} a.no-script-only[href='#dlg-skip-{item}']")).await;
    operator.fill(&format!("#dlg-skip-{item} textarea[name=reason]"), "Mailbox migration in progress").await;
    operator.screenshot("skip-without-javascript").await;
    operator.click(&format!("#dlg-skip-{item} button[type=submit]")).await;
    operator.wait_for_text(&format!("#item-{item} .item-head .badge"), "Skipped").await;
    operator.wait_for_text(&format!("#item-{item} .item-reason"), "Mailbox migration in progress").await;
    // With script, the other way round: the button shows and the link does not.
    let with_script = browser.session("operator").await;
    sign_in(&with_script, "op.one").await;
    with_script.goto(&format!("/ui/checklists/{instance_id}")).await;
    let first = instance["items"][0]["id"].as_str().unwrap();
    assert!(with_script.is_displayed(&format!("#item-{first} button[data-action=skip]")).await);
    assert!(!with_script.is_displayed(&format!("#item-{first} a.no-script-only[href='#dlg-skip-{first}']")).await);

    let (status, view) = srv.get(&format!("/api/v1/checklists/instances/{instance_id}"), &operator_token).await;
    assert_eq!(status, 200, "{view}");
    let skipped = view["items"][1].clone();
    assert_eq!(
        (skipped["status"].as_str(), skipped["skipped_reason"].as_str()),
        (Some("SKIPPED"), Some("Mailbox migration in progress")),
        "{skipped}"
    );
    browser.close();
}
