//! The template pages of the built-in UI (`/ui/templates`) over real HTTP: the library
//! and its filters, the editor's forms on the fine-grained use cases, inline validation
//! messages that change nothing, and the gates (operators, CSRF). Redirects are not
//! followed, so each answer is checked as sent.

use reqwest::header::SET_COOKIE;
use reqwest::{Method, StatusCode};
use sentinelops_testkit::TestServer;
use sentinelops_testkit::ui::{UiSession, attr_after, location};
use sentinelops_testkit::world::World;
use serde_json::{Value, json};
use uuid::Uuid;

const API: &str = "/api/v1/checklists/templates";

/// A template made through the JSON API: its id.
async fn api_template(srv: &TestServer, token: &str, body: Value) -> Uuid {
    let (status, answer) = srv.post(API, token, body).await;
    assert_eq!(status, 200, "{answer}");
    answer["id"].as_str().unwrap().parse().unwrap()
}

fn two_items(name: &str, shift: &str, section: Uuid) -> Value {
    json!({
        "name": name,
        "shift": shift,
        "section_id": section,
        "items": [
            {"title": "Review handover notes", "severity": 4},
            {"title": "Check services", "severity": 2},
        ],
    })
}

async fn api_view(srv: &TestServer, token: &str, id: Uuid) -> Value {
    let (status, body) = srv.get(&format!("{API}/{id}"), token).await;
    assert_eq!(status, 200, "{body}");
    body
}

fn titles(template: &Value) -> Vec<String> {
    template["items"].as_array().unwrap().iter().map(|i| i["title"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn the_library_lists_templates_with_their_filters_and_an_empty_state() {
    let w = World::new().await;
    let srv = &w.srv;
    let manager = UiSession::with_token(srv, &w.manager).await;

    // Nothing yet: the empty state offers the first template.
    let html = manager.get("/ui/templates").await.text().await.unwrap();
    assert!(html.contains("No templates yet"), "{html}");
    assert!(html.contains("href=\"/ui/templates/new\""));

    let morning = api_template(srv, &w.admin, two_items("Morning run", "MORNING", w.section)).await;
    let night = api_template(srv, &w.admin, two_items("Night watch", "NIGHT", w.section)).await;
    let (status, body) = srv.delete(&format!("{API}/{night}"), &w.admin).await;
    assert_eq!(status, 200, "{body}");

    let response = manager.get("/ui/templates").await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains(&format!("href=\"/ui/templates/{morning}\">Morning run</a>")), "{html}");
    assert!(html.contains("Night watch"));
    assert!(html.contains("Core Banking"), "the section by name");
    // Night watch was deleted (retired): version 2 and inactive.
    assert!(html.contains(">v2<") && html.contains(">Inactive<"), "{html}");
    // Managers see only their section: no section filter.
    assert!(!html.contains("id=\"filter-section\""));

    let html = manager.get("/ui/templates?shift=NIGHT").await.text().await.unwrap();
    assert!(html.contains("Night watch") && !html.contains("Morning run"), "{html}");
    let html = manager.get("/ui/templates?active=active").await.text().await.unwrap();
    assert!(html.contains("Morning run") && !html.contains("Night watch"), "{html}");
    let html = manager.get("/ui/templates?active=inactive&shift=MORNING").await.text().await.unwrap();
    assert!(html.contains("No template matches these filters"), "{html}");

    // Admins filter by section too; a malformed one is a 400 page, not a 500.
    let admin = UiSession::with_token(srv, &w.admin).await;
    let html = admin.get("/ui/templates").await.text().await.unwrap();
    assert!(html.contains("id=\"filter-section\""), "{html}");
    let response = admin.get("/ui/templates?section=not-a-uuid").await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let response = admin.get("/ui/templates?shift=LUNCH").await;
    assert!(response.status().is_client_error(), "{}", response.status());
}

#[tokio::test]
async fn a_manager_creates_a_template_through_the_forms_and_adds_an_item_with_a_subitem() {
    let w = World::new().await;
    let srv = &w.srv;
    let manager = UiSession::with_token(srv, &w.manager).await;

    let html = manager.get("/ui/templates/new").await.text().await.unwrap();
    assert!(html.contains("Create template") && !html.contains("id=\"template-section\""), "{html}");
    let fields =
        [("name", "Afternoon checks"), ("description", "From the UI"), ("shift", "AFTERNOON"), ("is_active", "on")];
    let response = manager.post("/ui/templates", &fields).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let editor = location(&response);
    let id: Uuid = editor.strip_prefix("/ui/templates/").unwrap().parse().unwrap();
    let view = api_view(srv, &w.manager, id).await;
    assert_eq!((view["name"].as_str(), view["shift"].as_str()), (Some("Afternoon checks"), Some("AFTERNOON")));
    assert_eq!(view["section_id"].as_str(), Some(w.section.to_string().as_str()), "the manager's own section");

    let item = [
        ("title", "Reconcile settlement files"),
        ("description", "Both banks"),
        ("item_type", "TIMED"),
        ("severity", "5"),
        ("is_required", "on"),
        ("scheduled_time", "15:30"),
        ("notify_before_minutes", "10"),
    ];
    let response = manager.post(&format!("{editor}/items"), &item).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", response.text().await.unwrap());
    assert_eq!(location(&response), editor);
    let view = api_view(srv, &w.manager, id).await;
    let saved = &view["items"][0];
    assert_eq!(saved["title"], "Reconcile settlement files");
    assert_eq!((saved["severity"].as_i64(), saved["scheduled_time"].as_str()), (Some(5), Some("15:30:00")));
    assert_eq!(saved["notify_before_minutes"].as_i64(), Some(10));
    let item_id = saved["id"].as_str().unwrap().to_owned();

    let sub = [("title", "Call the second bank"), ("item_type", "ROUTINE"), ("severity", "2")];
    let response = manager.post(&format!("{editor}/items/{item_id}/subitems"), &sub).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let flash = response.headers().get(SET_COOKIE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(flash.starts_with("sentinelops_flash="), "a flash for the editor: {flash}");

    let page = manager.get(&editor).await;
    let html = page.text().await.unwrap();
    assert!(html.contains("Reconcile settlement files") && html.contains("Call the second bank"), "{html}");
    assert!(html.contains("Due 15:30 · reminder 10 min"), "{html}");
    // Created (1), item added (2), subitem added (3).
    assert!(html.contains("Version 3"), "{html}");
    let view = api_view(srv, &w.manager, id).await;
    assert_eq!(view["items"][0]["subitems"][0]["title"], "Call the second bank");
}

#[tokio::test]
async fn a_scheduled_event_item_takes_its_first_event_from_the_new_item_form_and_more_later() {
    let w = World::new().await;
    let srv = &w.srv;
    let id = api_template(srv, &w.admin, two_items("Morning run", "MORNING", w.section)).await;
    let manager = UiSession::with_token(srv, &w.manager).await;
    let editor = format!("/ui/templates/{id}");

    // Without an event the use case refuses it, and says why.
    let item = [("title", "Vendor window"), ("item_type", "SCHEDULED_EVENT"), ("severity", "3")];
    let response = manager.post(&format!("{editor}/items"), &item).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("needs at least one scheduled event"));

    let with_event = [
        ("title", "Vendor window"),
        ("item_type", "SCHEDULED_EVENT"),
        ("severity", "3"),
        ("event_datetime", "2026-12-01T09:00"),
        ("event_notify_before_minutes", "20"),
    ];
    let response = manager.post(&format!("{editor}/items"), &with_event).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", response.text().await.unwrap());
    let view = api_view(srv, &w.manager, id).await;
    let item_id = view["items"][2]["id"].as_str().unwrap().to_owned();
    let events = format!("{editor}/items/{item_id}/events");
    let second = [("event_datetime", "2026-12-02T09:30"), ("notify_before_minutes", "10"), ("notify_manager", "on")];
    let response = manager.post(&events, &second).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    let html = manager.get(&editor).await.text().await.unwrap();
    assert!(html.contains("2026-12-01 09:00</time> · reminder 20 min"), "{html}");
    assert!(html.contains("2026-12-02 09:30</time> · reminder 10 min · tells manager"), "{html}");
    let view = api_view(srv, &w.manager, id).await;
    let first_event = view["items"][2]["scheduled_events"][0]["id"].as_str().unwrap().to_owned();
    let response = manager.post(&format!("{events}/{first_event}/delete"), &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let view = api_view(srv, &w.manager, id).await;
    assert_eq!(view["items"][2]["scheduled_events"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_down_button_reorders_the_items_and_bumps_the_version() {
    let w = World::new().await;
    let srv = &w.srv;
    let id = api_template(srv, &w.admin, two_items("Morning run", "MORNING", w.section)).await;
    let admin = UiSession::with_token(srv, &w.admin).await;
    let editor = format!("/ui/templates/{id}");

    let html = admin.get(&editor).await.text().await.unwrap();
    // The first item has no Up button, so the first order field is its Down button's.
    let order = attr_after(&html, "name=\"order\"", "value");
    let response = admin.post(&format!("{editor}/reorder"), &[("order", order.as_str())]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let view = api_view(srv, &w.admin, id).await;
    assert_eq!(titles(&view), ["Check services", "Review handover notes"]);
    assert_eq!(view["version"], 2);

    // A stale order (an id missing) is the use case's message, and nothing moves.
    let first = view["items"][0]["id"].as_str().unwrap().to_owned();
    let response = admin.post(&format!("{editor}/reorder"), &[("order", first.as_str())]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("must list every active item"));
    assert_eq!(api_view(srv, &w.admin, id).await["version"], 2);
}

#[tokio::test]
async fn a_bad_value_is_shown_next_to_its_form_with_a_4xx_and_changes_nothing() {
    let w = World::new().await;
    let srv = &w.srv;
    let id = api_template(srv, &w.admin, two_items("Morning run", "MORNING", w.section)).await;
    let admin = UiSession::with_token(srv, &w.admin).await;
    let editor = format!("/ui/templates/{id}");

    // An empty title on a new item: the editor again, the message in the new-item form,
    // what was typed kept.
    let item = [("title", "  "), ("description", "typed by hand"), ("severity", "3")];
    let response = admin.post(&format!("{editor}/items"), &item).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    let form = &html[html.find("aria-label=\"Add an item\"").unwrap()..];
    assert!(form.contains("id=\"new-item-error\">title is required</p>"), "{form}");
    assert!(form.contains(">typed by hand</textarea>"), "{form}");
    assert!(form.contains("<option value=\"3\" selected>"), "{form}");

    // Severity 9 on an existing item: the message in that item's (opened) form.
    let item_id = api_view(srv, &w.admin, id).await["items"][0]["id"].as_str().unwrap().to_owned();
    let edit = [("title", "Renamed"), ("severity", "9"), ("item_type", "ROUTINE")];
    let response = admin.post(&format!("{editor}/items/{item_id}"), &edit).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    let row = &html[html.find(&format!("id=\"item-{item_id}\"")).unwrap()..];
    assert!(row.contains("<details class=\"tpl-edit\" open>"), "{row}");
    assert!(row.contains("severity must be between 1 and 5"), "{row}");
    assert!(row.contains("value=\"Renamed\""), "{row}");
    assert!(row.contains("<option value=\"9\" selected>9 (not allowed)</option>"), "{row}");

    // A number that is no number is the UI's message, also a 422.
    let edit = [("title", "Renamed"), ("severity", "high")];
    let response = admin.post(&format!("{editor}/items/{item_id}"), &edit).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("Severity must be a number from 1 to 5."));

    // For ui.js the answer is the message alone, to show inside the form.
    let response = admin
        .request(Method::POST, &format!("{editor}/items/{item_id}"))
        .header("X-Requested-With", "fetch")
        .header("X-CSRF-Token", admin.csrf())
        .form(&[("title", ""), ("severity", "2")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let fragment = response.text().await.unwrap();
    assert!(fragment.contains("title is required") && !fragment.contains("<html"), "{fragment}");

    // An empty template name on the details form.
    let response = admin.post(&editor, &[("name", ""), ("shift", "MORNING")]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("id=\"frame-error\">name is required</p>"));

    let view = api_view(srv, &w.admin, id).await;
    assert_eq!(view["version"], 1, "nothing was saved");
    assert_eq!(titles(&view), ["Review handover notes", "Check services"]);
}

#[tokio::test]
async fn operators_get_403_on_the_library_and_on_a_post_and_a_post_without_csrf_is_refused() {
    let w = World::new().await;
    let srv = &w.srv;
    let id = api_template(srv, &w.admin, two_items("Morning run", "MORNING", w.section)).await;
    let operator = UiSession::with_token(srv, &w.operator).await;

    for path in ["/ui/templates".to_owned(), "/ui/templates/new".to_owned(), format!("/ui/templates/{id}")] {
        let response = operator.get(&path).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
        let html = response.text().await.unwrap();
        assert!(html.contains("Templates are managed by managers and administrators."), "{html}");
        assert!(!html.contains("Morning run"), "{path} leaks the template");
    }
    // The nav does not offer the page either.
    let html = operator.get("/ui/dashboard").await.text().await.unwrap();
    assert!(!html.contains("href=\"/ui/templates\""));

    let response = operator.post(&format!("/ui/templates/{id}/items"), &[("title", "Sneaky")]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = operator.post(&format!("/ui/templates/{id}/delete"), &[]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    // A manager of another section: the use case refuses, the page says so.
    let elsewhere = srv.create_section("Payments").await;
    let (_, outsider) = srv.user_with_token("tpl.outsider", "manager", Some(elsewhere)).await;
    let outsider = UiSession::with_token(srv, &outsider).await;
    let response = outsider.get(&format!("/ui/templates/{id}")).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = outsider.post(&format!("/ui/templates/{id}/items"), &[("title", "Sneaky")]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let html = outsider.get("/ui/templates").await.text().await.unwrap();
    assert!(html.contains("No templates yet") && !html.contains("Morning run"), "{html}");

    // A supervisor's post without the token (a forged cross-site form) is refused too.
    let admin = UiSession::with_token(srv, &w.admin).await;
    let response = admin
        .request(Method::POST, &format!("/ui/templates/{id}/items"))
        .form(&[("title", "Forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    let view = api_view(srv, &w.admin, id).await;
    assert_eq!((view["version"].as_i64(), view["is_active"].as_bool()), (Some(1), Some(true)));
    assert_eq!(titles(&view).len(), 2);
}

#[tokio::test]
async fn delete_asks_in_a_dialog_then_retires_the_template_and_activation_toggles() {
    let w = World::new().await;
    let srv = &w.srv;
    let id = api_template(srv, &w.admin, two_items("Morning run", "MORNING", w.section)).await;
    let manager = UiSession::with_token(srv, &w.manager).await;
    let editor = format!("/ui/templates/{id}");

    // Without script the Delete link opens the page with its dialog open.
    let html = manager.get(&editor).await.text().await.unwrap();
    assert!(html.contains("<dialog id=\"delete-template\" aria-labelledby=\"delete-template-title\">"), "{html}");
    let html = manager.get(&format!("{editor}?confirm=delete")).await.text().await.unwrap();
    assert!(html.contains("<dialog id=\"delete-template\" aria-labelledby=\"delete-template-title\" open>"), "{html}");

    let response = manager.post(&format!("{editor}/active"), &[("is_active", "false")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(api_view(srv, &w.admin, id).await["is_active"], false);
    let html = manager.get(&editor).await.text().await.unwrap();
    assert!(html.contains(">Activate</button>"), "{html}");
    let response = manager.post(&format!("{editor}/active"), &[("is_active", "true")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(api_view(srv, &w.admin, id).await["is_active"], true);

    let response = manager.post(&format!("{editor}/delete"), &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/ui/templates");
    let view = api_view(srv, &w.admin, id).await;
    assert_eq!((view["is_active"].as_bool(), view["version"].as_i64()), (Some(false), Some(4)));
}
