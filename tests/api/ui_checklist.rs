//! The live checklist page (`/ui/checklists/{id}`) over real HTTP: what it shows, its
//! item actions with reasons and race detection, supervisor sign-off, section
//! isolation and CSRF. The UI session is the API token in the session cookie.

use reqwest::header::LOCATION;
use reqwest::{Method, StatusCode};
use sentinelops_testkit::TestServer;
use sentinelops_testkit::ui::UiSession;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::admin;

/// A section with a manager, two operators and an outsider, and a MORNING checklist
/// of three items ("Check backups" is required) created through the JSON API.
struct Shift {
    srv: TestServer,
    admin: String,
    section: Uuid,
    manager: String,
    operator: String,
    operator2: String,
    outsider: String,
    id: String,
    items: Vec<String>,
}

impl Shift {
    async fn new() -> Shift {
        let srv = TestServer::start().await;
        let (_, admin) = admin(&srv).await;
        let section = srv.create_section("ICT Operations").await;
        let other = srv.create_section("Helpdesk").await;
        let (_, manager) = srv.user_with_token("mia", "manager", Some(section)).await;
        let (_, operator) = srv.user_with_token("oscar", "user", Some(section)).await;
        let (_, operator2) = srv.user_with_token("olga", "user", Some(section)).await;
        let (_, outsider) = srv.user_with_token("otis", "user", Some(other)).await;
        let items = json!([
            {"title": "Check backups", "item_type": "ROUTINE", "severity": 5, "is_required": true, "sort_order": 1},
            {"title": "Read the NOC mailbox", "item_type": "ROUTINE", "severity": 2, "sort_order": 2},
            {"title": "Test the generator", "item_type": "ROUTINE", "severity": 3, "sort_order": 3},
        ]);
        let (status, body) = srv
            .post(
                "/api/v1/checklists/templates",
                &admin,
                json!({"name": "Morning ops", "shift": "MORNING", "section_id": section, "items": items}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let (status, body) = srv
            .post(
                "/api/v1/checklists/instances",
                &operator,
                json!({"shift": "MORNING", "checklist_date": "2026-11-26"}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let instance = &body["instance"];
        let id = instance["id"].as_str().unwrap().to_owned();
        let items =
            instance["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect();
        Shift { srv, admin, section, manager, operator, operator2, outsider, id, items }
    }

    fn page(&self) -> String {
        format!("/ui/checklists/{}", self.id)
    }

    /// A UI session on the member's API token.
    async fn ui(&self, token: &str) -> UiSession {
        UiSession::with_token(&self.srv, token).await
    }

    async fn html(&self, token: &str, path: &str) -> (StatusCode, String) {
        self.ui(token).await.html(path).await
    }

    /// A form POST with the session's CSRF token: (status, where it redirects or the body).
    async fn post(&self, token: &str, path: &str, fields: &[(&str, &str)], fetch: bool) -> (StatusCode, String) {
        let ui = self.ui(token).await;
        let response = if fetch { ui.post_fetch(path, fields).await } else { ui.post(path, fields).await };
        let status = response.status();
        let location = response.headers().get(LOCATION).map(|l| l.to_str().unwrap().to_owned());
        let body = response.text().await.unwrap();
        (status, location.unwrap_or(body))
    }

    fn item_path(&self, index: usize) -> String {
        format!("/ui/checklists/{}/items/{}/status", self.id, self.items[index])
    }

    /// The instance as the JSON API shows it.
    async fn view(&self) -> Value {
        let (status, body) = self.srv.get(&format!("/api/v1/checklists/instances/{}", self.id), &self.manager).await;
        assert_eq!(status, 200, "{body}");
        body
    }
}

#[tokio::test]
async fn the_page_shows_the_checklist_its_items_and_the_live_hooks() {
    let s = Shift::new().await;
    let (status, html) = s.html(&s.operator, &s.page()).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains(&format!("data-live-checklist=\"{}\"", s.id)), "{html}");
    assert!(html.contains("data-live-region"));
    assert!(html.contains("Morning ops") && html.contains("ICT Operations") && html.contains("Morning shift"));
    let first = html.find("Check backups").unwrap();
    let third = html.find("Test the generator").unwrap();
    assert!(first < third, "items in their order");
    assert!(html.contains("0 of 3 items completed"));
    assert!(html.contains("<progress id=\"checklist-progress\" max=\"3\" value=\"0\">"));
    assert!(html.contains("badge severity-5") && html.contains("(required)"));
    assert!(html.contains("Join this checklist"));
    assert!(html.contains(&format!("id=\"dlg-skip-{}\"", s.items[1])), "a skip dialog per item");
    assert!(!html.contains("Sign off") && !html.contains("Force close"), "no supervisor tools for operators");
    assert!(html.contains("/ui/static/checklist.js"));

    // The live fragment: the region only, no layout.
    let (status, fragment) = s.html(&s.operator, &format!("{}/live", s.page())).await;
    assert_eq!(status, 200);
    assert!(fragment.contains("Check backups") && !fragment.contains("<html"), "{fragment}");

    // Joining shows the operator among the participants.
    let (status, location) = s.post(&s.operator, &format!("{}/join", s.page()), &[], false).await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, s.page().as_str()));
    let (_, html) = s.html(&s.operator, &s.page()).await;
    assert!(html.contains("class=\"participant") && html.contains("oscar"), "{html}");
    assert!(!html.contains("Join this checklist"));
    assert_eq!(s.view().await["participants"][0]["username"], "oscar");
}

#[tokio::test]
async fn items_are_completed_skipped_and_failed_and_a_skip_needs_a_reason() {
    let s = Shift::new().await;
    // Complete through ui.js: the answer is the fresh fragment.
    let (status, fragment) =
        s.post(&s.operator, &s.item_path(0), &[("status", "COMPLETED"), ("previous_status", "PENDING")], true).await;
    assert_eq!(status, 200, "{fragment}");
    assert!(fragment.contains("1 of 3 items completed") && !fragment.contains("<html"), "{fragment}");

    // A skip without a reason: an inline 422 message, nothing changed.
    let (status, message) = s
        .post(
            &s.operator,
            &s.item_path(1),
            &[("status", "SKIPPED"), ("previous_status", "PENDING"), ("reason", "  ")],
            true,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(message.contains("role=\"alert\"") && message.contains("A reason is required"), "{message}");
    assert_eq!(s.view().await["items"][1]["status"], "PENDING");
    // The same without ui.js: the page again, with the message.
    let (status, page) = s.post(&s.operator, &s.item_path(1), &[("status", "SKIPPED")], false).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("A reason is required") && page.contains("<html"), "{page}");
    // Too long a reason is refused too.
    let long = "x".repeat(1001);
    let (status, message) =
        s.post(&s.operator, &s.item_path(1), &[("status", "SKIPPED"), ("reason", &long)], true).await;
    assert_eq!((status, message.contains("too long")), (StatusCode::UNPROCESSABLE_ENTITY, true), "{message}");

    // With a reason: 303 back to the page with a flash.
    let (status, location) = s
        .post(
            &s.operator,
            &s.item_path(1),
            &[("status", "SKIPPED"), ("previous_status", "PENDING"), ("reason", "Mail server down")],
            false,
        )
        .await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, s.page().as_str()));
    let (status, _) = s
        .post(
            &s.operator,
            &s.item_path(2),
            &[("status", "FAILED"), ("previous_status", "PENDING"), ("reason", "Generator did not start")],
            true,
        )
        .await;
    assert_eq!(status, 200);
    let view = s.view().await;
    let statuses: Vec<&str> = view["items"].as_array().unwrap().iter().map(|i| i["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["COMPLETED", "SKIPPED", "FAILED"]);
    assert_eq!(view["items"][1]["skipped_reason"], "Mail server down");
    assert_eq!(view["status"], "PENDING_REVIEW");
    let (_, html) = s.html(&s.operator, &s.page()).await;
    assert!(html.contains("<strong>Skipped:</strong> Mail server down"), "{html}");
    assert!(html.contains("<strong>Failed:</strong> Generator did not start"));
    assert!(html.contains("Resolve…"), "skipped and failed items may be resolved");
    assert!(html.contains("Activity (1)"), "the trail per item");
}

#[tokio::test]
async fn a_change_after_another_operators_gives_the_conflict_message_and_keeps_the_reason() {
    let s = Shift::new().await;
    // Olga completes the first item while Oscar's page still shows it PENDING.
    let path = format!("/api/v1/checklists/instances/{}/items/{}", s.id, s.items[0]);
    let (status, _) = s.srv.patch(&path, &s.operator2, json!({"status": "COMPLETED"})).await;
    assert_eq!(status, 200);

    let fields = [("status", "SKIPPED"), ("previous_status", "PENDING"), ("reason", "Backup host unreachable")];
    let (status, page) = s.post(&s.operator, &s.item_path(0), &fields, false).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("Another operator changed this item: it is now COMPLETED"), "{page}");
    assert!(page.contains("Backup host unreachable"), "the unsaved reason is shown");
    assert!(page.contains("1 of 3 items completed"), "the fresh state");
    // Through ui.js: the fresh fragment with the same message replaces the region.
    let (status, fragment) = s.post(&s.operator, &s.item_path(0), &fields, true).await;
    assert_eq!(status, 200);
    assert!(fragment.contains("it is now COMPLETED") && fragment.contains("Backup host unreachable"), "{fragment}");
    let view = s.view().await;
    assert_eq!(view["items"][0]["status"], "COMPLETED");
    assert_eq!(view["items"][0]["skipped_reason"], Value::Null);
}

#[tokio::test]
async fn only_a_supervisor_signs_off_a_checklist_pending_review() {
    let s = Shift::new().await;
    for (i, _) in s.items.iter().enumerate() {
        let (status, _) = s.post(&s.operator, &s.item_path(i), &[("status", "COMPLETED")], true).await;
        assert_eq!(status, 200);
    }
    assert_eq!(s.view().await["status"], "PENDING_REVIEW");
    let (_, html) = s.html(&s.operator, &s.page()).await;
    assert!(!html.contains("dlg-sign-off"), "operators see no sign-off");

    let sign_off = format!("{}/sign-off", s.page());
    let (status, _) = s.post(&s.operator, &sign_off, &[("comment", "fine")], false).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "the use case refuses the operator");
    let (status, _) = s
        .post(&s.operator, &format!("{}/override", s.page()), &[("action", "force_close"), ("reason", "x")], true)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(s.view().await["status"], "PENDING_REVIEW");

    let (_, html) = s.html(&s.manager, &s.page()).await;
    assert!(html.contains("id=\"dlg-sign-off\"") && html.contains("Force close"), "{html}");
    let (status, location) = s.post(&s.manager, &sign_off, &[("comment", "All good")], false).await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, s.page().as_str()));
    assert_eq!(s.view().await["status"], "COMPLETED");
    let (_, html) = s.html(&s.manager, &s.page()).await;
    assert!(html.contains("status-completed\" data-checklist-status>Completed"), "{html}");
    assert!(html.contains("Reopen…") && !html.contains("data-action=\"complete\""), "closed: no item actions");
}

#[tokio::test]
async fn another_section_and_a_post_without_csrf_are_refused() {
    let s = Shift::new().await;
    let (status, html) = s.html(&s.outsider, &s.page()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("Not allowed") && html.contains("otis"), "the 403 page with the layout: {html}");
    assert!(!html.contains("Check backups"));
    let (status, _) = s.html(&s.outsider, &format!("{}/live", s.page())).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = s.post(&s.outsider, &s.item_path(0), &[("status", "COMPLETED")], false).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = s.html(&s.operator, &format!("/ui/checklists/{}", Uuid::new_v4())).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // No CSRF token: refused before anything runs.
    let response = s
        .ui(&s.operator)
        .await
        .request(Method::POST, &s.item_path(0))
        .form(&[("status", "COMPLETED")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(s.view().await["items"][0]["status"], "PENDING");
}

#[tokio::test]
async fn handover_notes_are_written_acknowledged_and_resolved() {
    let s = Shift::new().await;
    // The next shift needs a template of its own for its checklist to exist.
    let afternoon = json!({"name": "Afternoon ops", "shift": "AFTERNOON", "section_id": s.section,
        "items": [{"title": "Patch round", "item_type": "ROUTINE"}]});
    let (status, body) = s.srv.post("/api/v1/checklists/templates", &s.admin, afternoon).await;
    assert_eq!(status, 200, "{body}");
    let (status, fragment) = s
        .post(
            &s.operator,
            &format!("{}/handover", s.page()),
            &[("content", "Core switch fan is noisy"), ("priority", "3")],
            true,
        )
        .await;
    assert_eq!(status, 200, "{fragment}");
    assert!(fragment.contains("Core switch fan is noisy") && fragment.contains("priority-high"), "{fragment}");
    let (status, message) =
        s.post(&s.operator, &format!("{}/handover", s.page()), &[("content", "x"), ("priority", "9")], true).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{message}");

    // The next shift's checklist lists it as incoming.
    let (_, notes) = s.srv.get(&format!("/api/v1/checklists/instances/{}/handover-notes", s.id), &s.operator).await;
    let note = &notes["handover_notes"][0];
    assert_eq!(note["direction"], "outgoing", "{notes}");
    let next = note["to_instance_id"].as_str().unwrap_or_else(|| panic!("{notes}")).to_owned();
    let note_id = note["id"].as_str().unwrap().to_owned();
    let next_page = format!("/ui/checklists/{next}");
    let (_, html) = s.html(&s.operator2, &next_page).await;
    let incoming = html.find("From the previous shift").unwrap();
    assert!(html[incoming..].contains("Core switch fan is noisy") && html.contains("Acknowledge"), "{html}");

    let (status, _) = s.post(&s.operator2, &format!("{next_page}/handover/{note_id}/acknowledge"), &[], false).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, fragment) = s
        .post(&s.operator2, &format!("{next_page}/handover/{note_id}/resolve"), &[("resolution", "Fan replaced")], true)
        .await;
    assert_eq!(status, 200);
    assert!(fragment.contains("Acknowledged by olga") && fragment.contains("Fan replaced"), "{fragment}");
}

#[tokio::test]
async fn subitems_change_and_a_failed_subitem_needs_a_final_verdict() {
    let s = Shift::new().await;
    let template = json!({"name": "Afternoon ops", "shift": "AFTERNOON", "section_id": s.section,
        "items": [{"title": "Patch round", "item_type": "ROUTINE", "subitems": [{"title": "Site A"}, {"title": "Site B"}]}]});
    let (status, body) = s.srv.post("/api/v1/checklists/templates", &s.admin, template).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = s
        .srv
        .post(
            "/api/v1/checklists/instances",
            &s.operator,
            json!({"shift": "AFTERNOON", "checklist_date": "2026-11-26"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let instance = &body["instance"];
    let id = instance["id"].as_str().unwrap();
    let item = instance["items"][0]["id"].as_str().unwrap();
    let sub = |i: usize| instance["items"][0]["subitems"][i]["id"].as_str().unwrap().to_owned();
    let page = format!("/ui/checklists/{id}");
    let (_, html) = s.html(&s.operator, &page).await;
    assert!(html.contains("Subitems: 0 of 2 done"), "{html}");

    let sub_path = |i: usize| format!("{page}/items/{item}/subitems/{}/status", sub(i));
    let (status, fragment) = s.post(&s.operator, &sub_path(0), &[("status", "COMPLETED")], true).await;
    assert_eq!(status, 200, "{fragment}");
    assert!(fragment.contains("Subitems: 1 of 2 done"), "{fragment}");
    let (status, message) = s.post(&s.operator, &sub_path(1), &[("status", "FAILED")], true).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{message}");
    let (status, fragment) =
        s.post(&s.operator, &sub_path(1), &[("status", "FAILED"), ("reason", "Site B unreachable")], true).await;
    assert_eq!(status, 200);
    assert!(fragment.contains("Complete with verdict") && fragment.contains("Site B unreachable"), "{fragment}");

    // Completing the item needs the verdict; with it, the item completes.
    let item_path = format!("{page}/items/{item}/status");
    let (status, message) =
        s.post(&s.operator, &item_path, &[("status", "COMPLETED"), ("previous_status", "IN_PROGRESS")], true).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{message}");
    assert!(message.contains("final verdict"), "{message}");
    let fields = [("status", "COMPLETED"), ("previous_status", "IN_PROGRESS"), ("final_verdict", "Site B on Monday")];
    let (status, _) = s.post(&s.operator, &item_path, &fields, true).await;
    assert_eq!(status, 200);
    let (_, view) = s.srv.get(&format!("/api/v1/checklists/instances/{id}"), &s.operator).await;
    assert_eq!(view["items"][0]["status"], "COMPLETED");
    assert_eq!(view["items"][0]["final_verdict"], "Site B on Monday");
    assert_eq!(view["items"][0]["subitems"][1]["failure_reason"], "Site B unreachable");
}

#[tokio::test]
async fn supervisor_overrides_need_a_reason_and_are_applied() {
    let s = Shift::new().await;
    let path = format!("{}/override", s.page());
    let (status, message) = s.post(&s.manager, &path, &[("action", "force_close"), ("reason", " ")], true).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(message.contains("needs a reason"), "{message}");
    // Our form asks for a reason for a one-time completion too (only the original's
    // API call may leave it out).
    for reason in [&[("action", "one_time_completion"), ("reason", "")][..], &[("action", "one_time_completion")][..]] {
        let (status, message) = s.post(&s.manager, &path, reason, true).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(message.contains("needs a reason"), "{message}");
    }
    let (status, message) = s.post(&s.manager, &path, &[("action", "explode"), ("reason", "x")], true).await;
    assert_eq!((status, message.contains("Unknown override")), (StatusCode::UNPROCESSABLE_ENTITY, true));
    assert_eq!(s.view().await["status"], "OPEN");

    let (status, location) = s
        .post(&s.manager, &path, &[("action", "force_close"), ("reason", "Shift cancelled: site power cut")], false)
        .await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, s.page().as_str()));
    let closed = s.view().await["status"].as_str().unwrap().to_owned();
    assert_eq!(closed, "COMPLETED_WITH_EXCEPTIONS");
    let (_, html) = s.html(&s.operator, &s.page()).await;
    assert!(!html.contains("data-action=\"complete\"") && !html.contains("Join this checklist"), "closed: read-only");

    let (status, fragment) =
        s.post(&s.manager, &path, &[("action", "reopen"), ("reason", "Power is back")], true).await;
    assert_eq!(status, 200, "{fragment}");
    assert_ne!(s.view().await["status"], "COMPLETED_WITH_EXCEPTIONS");
    assert!(fragment.contains("data-action=\"complete\""), "items can be worked again");
}
