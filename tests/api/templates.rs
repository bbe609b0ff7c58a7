//! Checklist templates over HTTP: authoring rules, validation, versions and soft deletes,
//! nested item/subitem/event endpoints, shifts, and the ops events templates leave.

use reqwest::{Method, StatusCode};
use sentinelops_testkit::world::World;
use sentinelops_testkit::{TestServer, id_of, t0};
use serde_json::{Value, json};
use uuid::Uuid;

const TEMPLATES: &str = "/api/v1/checklists/templates";

/// An admin, one section with a manager and an operator, on a clock fixed at `t0`.
async fn world() -> World {
    World::builder().at(t0()).build().await
}

fn simple_template(name: &str, shift: &str, section: Uuid) -> Value {
    json!({
        "name": name,
        "description": "Loaded by a test",
        "shift": shift,
        "section_id": section,
        "items": [
            {"title": "Review handover notes", "item_type": "ROUTINE", "severity": 4, "sort_order": 100},
            {"title": "Check services", "item_type": "ROUTINE", "severity": 2, "sort_order": 200},
        ],
    })
}

async fn create(srv: &TestServer, token: &str, body: Value) -> Value {
    let (status, answer) = srv.post(TEMPLATES, token, body).await;
    assert_eq!(status, 200, "{answer}");
    answer
}

fn titles(template: &Value) -> Vec<&str> {
    template["items"].as_array().unwrap().iter().map(|i| i["title"].as_str().unwrap()).collect()
}

fn names(list: &Value) -> Vec<&str> {
    let mut names: Vec<&str> = list.as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    names.sort_unstable();
    names
}

fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    keys
}

async fn list(srv: &TestServer, token: &str, query: &str) -> Value {
    let (status, body) = srv.get(&format!("{TEMPLATES}{query}"), token).await;
    assert_eq!(status, 200, "{query}: {body}");
    body
}

async fn ops_events(srv: &TestServer, admin: &str, query: &str) -> Vec<Value> {
    let (status, body) = srv.get(&format!("/api/v1/ops/events?{query}&limit=500"), admin).await;
    assert_eq!(status, 200, "{body}");
    body["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn an_admin_creates_a_template_and_gets_the_originals_answer_shape() {
    let w = world().await;
    let srv = &w.srv;
    let body = json!({
        "name": "  Morning Shift – Core Banking  ",
        "description": "Loaded from app/checklists/templates/MORNING/1.json",
        "shift": "MORNING",
        "is_active": true,
        "section_id": w.section,
        "items": [
            {
                "title": "Review night shift handover notes",
                "description": "Review pending issues",
                "item_type": "ROUTINE",
                "is_required": true,
                "severity": 4,
                "sort_order": 100,
                "scheduled_time": "09:00",
                "notify_before_minutes": 15,
                "subitems": [
                    {"title": "Read the notes", "severity": 2, "sort_order": 1},
                    {"title": "Call the night lead", "item_type": "TIMED", "scheduled_time": "07:30", "notify_before_minutes": 5, "sort_order": 2},
                ],
            },
            {
                "title": "Confirm IDC status",
                "item_type": "TIMED",
                "is_required": false,
                "has_exe_time": true,
                "scheduled_time": "10:30",
                "notify_before_minutes": 10,
                "severity": 5,
                "sort_order": 200,
            },
            {
                "title": "Batch window",
                "item_type": "SCHEDULED_EVENT",
                "severity": 3,
                "sort_order": 300,
                "scheduled_events": [
                    {"event_datetime": "2026-11-25T12:30:00Z", "notify_before_minutes": 20, "notify_all": true},
                ],
            },
        ],
    });
    let (status, answer) = srv.post(TEMPLATES, &w.admin, body).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(keys(&answer), ["action", "id", "message", "template"]);
    assert_eq!(answer["action"], "created");
    assert_eq!(answer["message"], "Template 'Morning Shift – Core Banking' created successfully with 3 items");
    let template = &answer["template"];
    let id = id_of(&answer["id"]);
    assert_eq!(template["id"], json!(id));
    assert_eq!(template["name"], "Morning Shift – Core Banking", "the name is trimmed");
    assert_eq!(template["description"], "Loaded from app/checklists/templates/MORNING/1.json");
    assert_eq!(template["shift"], "MORNING");
    assert_eq!(template["is_active"], true);
    assert_eq!(template["version"], 1);
    assert_eq!(template["created_by"], json!(w.admin.id));
    assert_eq!(template["created_at"], "2026-11-25T10:00:00Z");
    assert_eq!(template["section_id"], json!(w.section));
    assert_eq!(titles(template), ["Review night shift handover notes", "Confirm IDC status", "Batch window"]);

    let routine = &template["items"][0];
    let keys = ["id", "template_id"].into_iter().chain(crate::ITEM_FIELDS);
    for key in keys.chain(["created_at", "subitems", "scheduled_events"]) {
        assert!(routine.get(key).is_some(), "item key {key} missing: {routine}");
    }
    assert_eq!(routine["template_id"], json!(id));
    assert_eq!(routine["description"], "Review pending issues");
    assert_eq!(routine["item_type"], "ROUTINE");
    assert_eq!(routine["is_required"], true);
    assert_eq!(routine["has_exe_time"], false);
    assert_eq!(routine["scheduled_time"], Value::Null, "a ROUTINE item keeps no scheduled time");
    assert_eq!(routine["notify_before_minutes"], Value::Null);
    assert_eq!(routine["severity"], 4);
    assert_eq!(routine["sort_order"], 100);
    assert_eq!(routine["scheduled_events"], json!([]));
    let subitems = routine["subitems"].as_array().unwrap();
    assert_eq!(subitems.len(), 2);
    assert_eq!(subitems[0]["title"], "Read the notes");
    assert_eq!(subitems[0]["template_item_id"], routine["id"]);
    assert_eq!(subitems[0]["item_type"], "ROUTINE");
    assert_eq!(subitems[0]["is_required"], true);
    assert_eq!(subitems[0]["severity"], 2);
    assert_eq!(subitems[0]["sort_order"], 1);
    assert_eq!(subitems[0]["scheduled_time"], Value::Null);
    assert_eq!(subitems[1]["title"], "Call the night lead");
    assert_eq!(subitems[1]["item_type"], "TIMED");
    assert_eq!(subitems[1]["scheduled_time"], "07:30:00");
    assert_eq!(subitems[1]["notify_before_minutes"], 5);
    assert_eq!(subitems[1]["severity"], 1, "severity defaults to 1");

    let timed = &template["items"][1];
    assert_eq!(timed["item_type"], "TIMED");
    assert_eq!(timed["scheduled_time"], "10:30:00", "HH:MM:SS as the original");
    assert_eq!(timed["notify_before_minutes"], 10);
    assert_eq!(timed["is_required"], false);
    assert_eq!(timed["has_exe_time"], true);
    assert_eq!(timed["severity"], 5);
    assert_eq!(timed["subitems"], json!([]));

    let event_item = &template["items"][2];
    assert_eq!(event_item["item_type"], "SCHEDULED_EVENT");
    let events = event_item["scheduled_events"].as_array().unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["template_item_id"], event_item["id"]);
    assert_eq!(events[0]["event_datetime"], "2026-11-25T12:30:00Z");
    assert_eq!(events[0]["notify_before_minutes"], 20);
    assert_eq!(events[0]["notify_all"], true);
    assert_eq!(events[0]["created_by"], json!(w.admin.id));

    // The same template is what GET answers.
    let (status, read) = srv.get(&format!("{TEMPLATES}/{id}"), &w.operator).await;
    assert_eq!(status, 200, "{read}");
    assert_eq!(read, *template);
}

#[tokio::test]
async fn who_may_author_templates_and_for_which_section() {
    let w = world().await;
    let srv = &w.srv;
    let other_section = srv.create_section("Cards").await;
    let (_, other_manager) = srv.user_with_token("carl.manager", "manager", Some(other_section)).await;

    // An admin must name the section.
    let mut body = simple_template("No section", "MORNING", w.section);
    body.as_object_mut().unwrap().remove("section_id");
    let (status, answer) = srv.post(TEMPLATES, &w.admin, body).await;
    assert_eq!((status.as_u16(), answer), (422, json!({"detail": "section_id is required"})));
    let (status, answer) = srv.post(TEMPLATES, &w.admin, simple_template("Ghost", "MORNING", Uuid::now_v7())).await;
    assert_eq!(status, 422, "{answer}");

    // A manager's own section is forced, whatever they send.
    let answer = create(srv, &w.manager, simple_template("Manager's", "AFTERNOON", other_section)).await;
    assert_eq!(answer["template"]["section_id"], json!(w.section));
    assert_eq!(answer["template"]["created_by"], json!(w.manager.id));
    let mut body = simple_template("Manager's night", "NIGHT", w.section);
    body.as_object_mut().unwrap().remove("section_id");
    let night = create(srv, &w.manager, body).await;
    assert_eq!(night["template"]["section_id"], json!(w.section));

    // Operators cannot author.
    let (status, answer) = srv.post(TEMPLATES, &w.operator, simple_template("Mine", "MORNING", w.section)).await;
    assert_eq!(status, 403, "{answer}");
    assert!(answer["detail"].is_string());

    // Another section's manager may neither change nor delete it, nor touch its items.
    let id = id_of(&night["id"]);
    let (status, _) = srv.put(&format!("{TEMPLATES}/{id}"), &other_manager, json!({"name": "Hijacked"})).await;
    assert_eq!(status, 403);
    let (status, _) = srv.delete(&format!("{TEMPLATES}/{id}"), &other_manager).await;
    assert_eq!(status, 403);
    let (status, _) = srv.post(&format!("{TEMPLATES}/{id}/items"), &other_manager, json!({"title": "Sneaky"})).await;
    assert_eq!(status, 403);
    // An operator of the same section neither.
    let (status, _) = srv.put(&format!("{TEMPLATES}/{id}"), &w.operator, json!({"name": "Mine now"})).await;
    assert_eq!(status, 403);
    // A manager cannot move a template to another section.
    let (status, _) = srv.put(&format!("{TEMPLATES}/{id}"), &w.manager, json!({"section_id": other_section})).await;
    assert_eq!(status, 403);

    let (_, read) = srv.get(&format!("{TEMPLATES}/{id}"), &w.admin).await;
    assert_eq!(read["name"], "Manager's night");
    assert_eq!(read["version"], 1, "refused edits change nothing");
    assert_eq!(read["section_id"], json!(w.section));
    assert_eq!(titles(&read), ["Review handover notes", "Check services"]);

    // Its own manager may.
    let (status, answer) = srv.put(&format!("{TEMPLATES}/{id}"), &w.manager, json!({"name": "Night v2"})).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["action"], "updated");
    assert_eq!(answer["template"]["name"], "Night v2");
}

#[tokio::test]
async fn invalid_templates_are_refused_with_422_and_nothing_is_stored() {
    let w = world().await;
    let srv = &w.srv;
    let item = |extra: Value| {
        let mut item = json!({"title": "An item", "item_type": "ROUTINE"});
        for (k, v) in extra.as_object().unwrap() {
            item[k] = v.clone();
        }
        item
    };
    let with_items =
        |shift: &str, items: Value| json!({"name": "Broken", "shift": shift, "section_id": w.section, "items": items});
    let cases: Vec<(&str, Value)> = vec![
        ("empty name", json!({"name": "   ", "shift": "MORNING", "section_id": w.section})),
        ("missing name", json!({"shift": "MORNING", "section_id": w.section})),
        ("name too long", json!({"name": "x".repeat(201), "shift": "MORNING", "section_id": w.section})),
        ("missing shift", json!({"name": "No shift", "section_id": w.section})),
        ("bad shift", json!({"name": "Bad shift", "shift": "EVENING", "section_id": w.section})),
        ("severity 0", with_items("MORNING", json!([item(json!({"severity": 0}))]))),
        ("severity 6", with_items("MORNING", json!([item(json!({"severity": 6}))]))),
        ("empty item title", with_items("MORNING", json!([item(json!({"title": ""}))]))),
        ("blank item title", with_items("MORNING", json!([item(json!({"title": "  "}))]))),
        ("item title too long", with_items("MORNING", json!([item(json!({"title": "t".repeat(501)}))]))),
        ("TIMED without time", with_items("MORNING", json!([item(json!({"item_type": "TIMED"}))]))),
        (
            "TIMED outside MORNING",
            with_items("MORNING", json!([item(json!({"item_type": "TIMED", "scheduled_time": "16:00"}))])),
        ),
        (
            "TIMED at the end of MORNING",
            with_items("MORNING", json!([item(json!({"item_type": "TIMED", "scheduled_time": "15:00"}))])),
        ),
        (
            "TIMED before NIGHT",
            with_items("NIGHT", json!([item(json!({"item_type": "TIMED", "scheduled_time": "22:59"}))])),
        ),
        (
            "TIMED at the end of NIGHT",
            with_items("NIGHT", json!([item(json!({"item_type": "TIMED", "scheduled_time": "07:00"}))])),
        ),
        (
            "TIMED with a bad time",
            with_items("MORNING", json!([item(json!({"item_type": "TIMED", "scheduled_time": "25:00"}))])),
        ),
        (
            "TIMED subitem outside the window",
            with_items(
                "AFTERNOON",
                json!([item(
                    json!({"subitems": [{"title": "Late", "item_type": "TIMED", "scheduled_time": "23:30"}]})
                )]),
            ),
        ),
        ("empty subitem title", with_items("MORNING", json!([item(json!({"subitems": [{"title": ""}]}))]))),
        (
            "SCHEDULED_EVENT without events",
            with_items("MORNING", json!([item(json!({"item_type": "SCHEDULED_EVENT"}))])),
        ),
        (
            "SCHEDULED_EVENT with an empty list",
            with_items("MORNING", json!([item(json!({"item_type": "SCHEDULED_EVENT", "scheduled_events": []}))])),
        ),
        (
            "event without a datetime",
            with_items(
                "MORNING",
                json!([item(
                    json!({"item_type": "SCHEDULED_EVENT", "scheduled_events": [{"notify_before_minutes": 5}]})
                )]),
            ),
        ),
        (
            "notify_before_minutes 1441",
            with_items(
                "MORNING",
                json!([item(json!({"item_type": "TIMED", "scheduled_time": "08:00", "notify_before_minutes": 1441}))]),
            ),
        ),
        (
            "negative notify_before_minutes",
            with_items(
                "MORNING",
                json!([item(json!({"item_type": "TIMED", "scheduled_time": "08:00", "notify_before_minutes": -1}))]),
            ),
        ),
        ("sort_order -1", with_items("MORNING", json!([item(json!({"sort_order": -1}))]))),
        ("bad item_type", with_items("MORNING", json!([item(json!({"item_type": "WHENEVER"}))]))),
        ("severity as text", with_items("MORNING", json!([item(json!({"severity": "high"}))]))),
        ("items not a list", json!({"name": "Odd", "shift": "MORNING", "section_id": w.section, "items": {}})),
    ];
    for (what, body) in cases {
        let (status, answer) = srv.post(TEMPLATES, &w.admin, body).await;
        assert_eq!(status, 422, "{what}: {answer}");
        assert!(answer["detail"].is_string(), "{what}: {answer}");
    }
    let (_, answer) = srv
        .post(
            TEMPLATES,
            &w.admin,
            with_items(
                "MORNING",
                json!([item(json!({"title": "IDC", "item_type": "TIMED", "scheduled_time": "16:00"}))]),
            ),
        )
        .await;
    assert_eq!(
        answer,
        json!({"detail": "Item \"IDC\" is scheduled at 16:00 which is outside the MORNING shift window (07:00–15:00)"})
    );
    let (_, list) = srv.get(&format!("{TEMPLATES}?active_only=false"), &w.admin).await;
    assert_eq!(list, json!([]), "nothing was stored");
    let (_, events) = srv.get("/api/v1/ops/events?entity_type=TEMPLATE", &w.admin).await;
    assert_eq!(events["total"], 0);
}

#[tokio::test]
async fn timed_items_follow_the_shift_window_and_other_types_drop_their_time() {
    let w = world().await;
    let timed = |title: &str, time: &str| json!({"title": title, "item_type": "TIMED", "scheduled_time": time});
    // NIGHT wraps past midnight: 23:00 (inclusive) to 07:00 (exclusive).
    let items =
        json!([timed("At start", "23:00"), timed("After midnight", "02:00"), timed("Last minute", "06:59:00"),]);
    let night = w.template(w.section, "Night", "NIGHT", items).await;
    let times: Vec<&Value> =
        night["template"]["items"].as_array().unwrap().iter().map(|i| &i["scheduled_time"]).collect();
    assert_eq!(times, [&json!("23:00:00"), &json!("02:00:00"), &json!("06:59:00")]);
    let items = json!([
        timed("Opening", "07:00"), timed("Closing", "14:59"),
        {"title": "Routine", "item_type": "ROUTINE", "scheduled_time": "08:00", "notify_before_minutes": 30},
        {"title": "Conditional", "item_type": "CONDITIONAL", "scheduled_time": "23:00"},
        {"title": "Info", "item_type": "INFORMATIONAL", "scheduled_time": "not even a time"},
        {"title": "Default type"},
    ]);
    let morning = w.template(w.section, "Morning", "MORNING", items).await;
    let items = morning["template"]["items"].as_array().unwrap();
    assert_eq!(items[0]["scheduled_time"], "07:00:00");
    assert_eq!(items[1]["scheduled_time"], "14:59:00");
    for item in &items[2..] {
        assert_eq!(item["scheduled_time"], Value::Null, "{item}");
        assert_eq!(item["notify_before_minutes"], Value::Null, "{item}");
    }
    assert_eq!(items[5]["item_type"], "ROUTINE", "ROUTINE is the default type");
    assert_eq!(items[5]["is_required"], true);
    assert_eq!(items[5]["severity"], 1);
    // Lower-case spellings are read as the enum.
    let items = json!([
        {"title": "t", "item_type": "timed", "scheduled_time": "15:00"}
    ]);
    let lower = w.template(w.section, "Lower", "afternoon", items).await;
    assert_eq!(lower["template"]["shift"], "AFTERNOON");
    assert_eq!(lower["template"]["items"][0]["item_type"], "TIMED");
}

#[tokio::test]
async fn listing_templates_filters_by_activity_shift_and_section() {
    let w = world().await;
    let srv = &w.srv;
    let cards = srv.create_section("Cards").await;
    let (_, cards_operator) = srv.user_with_token("cara.operator", "user", Some(cards)).await;
    let (_, drifter) = srv.user_with_token("no.section", "user", None).await;
    create(srv, &w.admin, simple_template("A morning", "MORNING", w.section)).await;
    create(srv, &w.admin, simple_template("A night", "NIGHT", w.section)).await;
    let retired = create(srv, &w.admin, simple_template("A retired", "MORNING", w.section)).await;
    let inactive = json!({"name": "A inactive", "shift": "AFTERNOON", "section_id": w.section, "is_active": false});
    create(srv, &w.admin, inactive).await;
    create(srv, &w.admin, simple_template("C morning", "MORNING", cards)).await;
    let (status, _) = srv.delete(&format!("{TEMPLATES}/{}", id_of(&retired["id"])), &w.admin).await;
    assert_eq!(status, 200);

    // Admins: every section, active ones by default.
    assert_eq!(names(&list(srv, &w.admin, "").await), ["A morning", "A night", "C morning"]);
    assert_eq!(names(&list(srv, &w.admin, "?active_only=true").await), ["A morning", "A night", "C morning"]);
    assert_eq!(
        names(&list(srv, &w.admin, "?active_only=false").await),
        ["A inactive", "A morning", "A night", "A retired", "C morning"]
    );
    assert_eq!(names(&list(srv, &w.admin, "?shift=MORNING").await), ["A morning", "C morning"]);
    assert_eq!(
        names(&list(srv, &w.admin, "?shift=MORNING&active_only=false").await),
        ["A morning", "A retired", "C morning"]
    );
    assert_eq!(names(&list(srv, &w.admin, &format!("?section_id={cards}")).await), ["C morning"]);
    // Non-admins: their own section, whatever they ask for.
    assert_eq!(names(&list(srv, &w.operator, "").await), ["A morning", "A night"]);
    assert_eq!(names(&list(srv, &w.manager, &format!("?section_id={cards}")).await), ["A morning", "A night"]);
    assert_eq!(names(&list(srv, &w.operator, "?shift=NIGHT").await), ["A night"]);
    assert_eq!(names(&list(srv, &cards_operator, "?active_only=false").await), ["C morning"]);
    // No section: nothing.
    assert_eq!(list(srv, &drifter, "").await, json!([]));
    assert_eq!(list(srv, &drifter, "?active_only=false").await, json!([]));
    // Full templates with their items.
    let full = list(srv, &w.operator, "?shift=NIGHT").await;
    assert_eq!(titles(&full[0]), ["Review handover notes", "Check services"]);

    for bad in ["?shift=EVENING", "?active_only=maybe", "?section_id=not-a-uuid"] {
        let (status, body) = srv.get(&format!("{TEMPLATES}{bad}"), &w.admin).await;
        assert_eq!(status, 422, "{bad}: {body}");
    }
}

#[tokio::test]
async fn reading_one_template_is_scoped_to_the_section() {
    let w = world().await;
    let srv = &w.srv;
    let cards = srv.create_section("Cards").await;
    let (_, cards_operator) = srv.user_with_token("cara.operator", "user", Some(cards)).await;
    let (_, cards_manager) = srv.user_with_token("carl.manager", "manager", Some(cards)).await;
    let created = create(srv, &w.admin, simple_template("Morning", "MORNING", w.section)).await;
    let path = format!("{TEMPLATES}/{}", id_of(&created["id"]));
    assert_eq!(srv.get(&path, &w.operator).await.0, 200);
    assert_eq!(srv.get(&path, &w.manager).await.0, 200);
    for token in [&cards_operator, &cards_manager] {
        let (status, body) = srv.get(&path, token).await;
        assert_eq!(status, 403, "{body}");
        assert!(body["detail"].is_string());
    }
    let (status, body) = srv.get(&format!("{TEMPLATES}/{}", Uuid::now_v7()), &w.admin).await;
    assert_eq!((status.as_u16(), body), (404, json!({"detail": "Template not found"})));
    let (status, body) = srv.get(&format!("{TEMPLATES}/not-a-uuid"), &w.admin).await;
    assert_eq!(status, 422, "{body}");
    let (status, _) = srv.call(Method::GET, &path, None, None).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn updating_a_template_bumps_its_version_and_the_items_list_is_complete() {
    let w = world().await;
    let (srv, clock) = (&w.srv, &w.clock);
    let items = json!([
        {"title": "Keep me", "severity": 2, "sort_order": 10,
         "subitems": [{"title": "Sub one", "sort_order": 1}, {"title": "Sub two", "sort_order": 2}]},
        {"title": "Retire me", "sort_order": 20},
        {"title": "Rename me", "sort_order": 30, "description": "old"},
    ]);
    let created = w.template(w.section, "Morning", "MORNING", items).await;
    let id = id_of(&created["id"]);
    let items = created["template"]["items"].as_array().unwrap().clone();
    let (keep, retire, rename) = (&items[0], &items[1], &items[2]);
    let path = format!("{TEMPLATES}/{id}");

    // Partial: only the name.
    clock.advance(chrono::Duration::minutes(1));
    let (status, answer) = srv.put(&path, &w.admin, json!({"name": "Morning v2"})).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["id"], json!(id));
    assert_eq!(answer["action"], "updated");
    assert_eq!(answer["message"], "Template 'Morning v2' updated successfully");
    assert_eq!(answer["template"]["version"], 2);
    assert_eq!(answer["template"]["description"], Value::Null);
    assert_eq!(answer["template"]["shift"], "MORNING");
    assert_eq!(titles(&answer["template"]), ["Keep me", "Retire me", "Rename me"], "items untouched");

    // Items: listed with an id are updated, without one created, unlisted retired.
    let (status, answer) = srv
        .put(
            &path,
            &w.manager,
            json!({
                "description": "now with a description",
                "items": [
                    {"id": rename["id"], "title": "Renamed", "severity": 5},
                    {"id": keep["id"]},
                    {"title": "Brand new", "item_type": "TIMED", "scheduled_time": "08:15", "sort_order": 40},
                    {"id": "tmp-1", "title": "Client temp id", "sort_order": 50},
                ],
            }),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let template = &answer["template"];
    assert_eq!(template["version"], 3);
    assert_eq!(template["description"], "now with a description");
    let got: Vec<&str> = titles(template);
    assert_eq!(got.len(), 4, "{template}");
    assert!(!got.contains(&"Retire me"), "unlisted items are retired: {got:?}");
    let find =
        |title: &str| template["items"].as_array().unwrap().iter().find(|i| i["title"] == title).unwrap().clone();
    let renamed = find("Renamed");
    assert_eq!(renamed["id"], rename["id"], "same item, updated in place");
    assert_eq!(renamed["severity"], 5);
    assert_eq!(renamed["description"], "old", "fields not sent are kept");
    assert_eq!(renamed["sort_order"], 30);
    let kept = find("Keep me");
    assert_eq!(kept["id"], keep["id"]);
    assert_eq!(kept["severity"], 2);
    let subs: Vec<&Value> = kept["subitems"].as_array().unwrap().iter().map(|s| &s["title"]).collect();
    assert_eq!(subs, [&json!("Sub one"), &json!("Sub two")], "subitems not listed are left alone");
    let new = find("Brand new");
    assert_ne!(new["id"], Value::Null);
    assert_eq!(new["scheduled_time"], "08:15:00");
    assert_eq!(new["template_id"], json!(id));
    let temp = find("Client temp id");
    assert_ne!(temp["id"], "tmp-1", "a temporary client id becomes a real id");
    assert!(temp["id"].as_str().unwrap().parse::<Uuid>().is_ok());

    // GET answers the same; the retired item stays retired.
    let (_, read) = srv.get(&path, &w.operator).await;
    assert_eq!(read, *template);
    assert!(read["items"].as_array().unwrap().iter().all(|i| i["id"] != retire["id"]));
    let (_, all) = srv.get(&format!("{TEMPLATES}?active_only=false"), &w.admin).await;
    assert_eq!(all[0]["items"].as_array().unwrap().len(), 4, "retired items are not listed anywhere");

    // A bad update changes nothing (not even the version).
    let (status, _) =
        srv.put(&path, &w.admin, json!({"name": "Broken", "items": [{"title": "x", "item_type": "TIMED"}]})).await;
    assert_eq!(status, 422);
    for bad in [json!({"name": ""}), json!({"shift": "EVENING"}), json!({"items": [{"id": keep["id"], "severity": 9}]})]
    {
        let (status, body) = srv.put(&path, &w.admin, bad.clone()).await;
        assert_eq!(status, 422, "{bad}: {body}");
    }
    let (_, read) = srv.get(&path, &w.admin).await;
    assert_eq!(read["version"], 3);
    assert_eq!(read["name"], "Morning v2");

    // Changing the shift revalidates TIMED items against the new window.
    let (status, body) = srv.put(&path, &w.admin, json!({"shift": "NIGHT", "items": [{"id": new["id"]}]})).await;
    assert_eq!(status, 422, "08:15 is outside NIGHT: {body}");
    let (status, body) = srv.put(&format!("{TEMPLATES}/{}", Uuid::now_v7()), &w.admin, json!({"name": "x"})).await;
    assert_eq!((status.as_u16(), body), (404, json!({"detail": "Template not found"})));
}

async fn create_instance(srv: &TestServer, token: &str, shift: &str, date: &str) -> Value {
    let (status, body) =
        srv.post("/api/v1/checklists/instances", token, json!({"shift": shift, "checklist_date": date})).await;
    assert_eq!(status, 200, "{body}");
    body
}

fn instance_titles(instance: &Value) -> Vec<String> {
    instance["items"].as_array().unwrap().iter().map(|i| i["title"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn an_instance_keeps_its_snapshot_when_the_template_changes() {
    let w = world().await;
    let srv = &w.srv;
    let created = create(srv, &w.admin, simple_template("Morning", "MORNING", w.section)).await;
    let tid = id_of(&created["id"]);
    let first_item = created["template"]["items"][0].clone();
    let before = create_instance(srv, &w.operator, "MORNING", "2026-11-25").await;
    let instance_id = id_of(&before["id"]);
    assert_eq!(instance_titles(&before["instance"]), ["Review handover notes", "Check services"]);

    // Rename one item, retire the other, add a third, rename the template.
    let (status, body) = srv
        .put(
            &format!("{TEMPLATES}/{tid}"),
            &w.admin,
            json!({"name": "Morning renamed", "items": [
                {"id": first_item["id"], "title": "Read the handover", "severity": 1},
                {"title": "A new duty"},
            ]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    let (status, after) = srv.get(&format!("/api/v1/checklists/instances/{instance_id}"), &w.operator).await;
    assert_eq!(status, 200, "{after}");
    assert_eq!(instance_titles(&after), ["Review handover notes", "Check services"], "history is not rewritten");
    assert_eq!(after["items"][0]["severity"], 4);
    assert_eq!(after["items"][0]["template_item"]["title"], "Review handover notes");
    assert_eq!(after["template"]["name"], "Morning", "the template name of the snapshot");

    // The next day's checklist is made from the new version.
    let next = create_instance(srv, &w.operator, "MORNING", "2026-11-26").await;
    assert_eq!(instance_titles(&next["instance"]), ["Read the handover", "A new duty"]);
    assert_eq!(next["instance"]["template"]["name"], "Morning renamed");
}

#[tokio::test]
async fn deleting_a_template_is_a_soft_delete() {
    let w = world().await;
    let srv = &w.srv;
    let created = create(srv, &w.admin, simple_template("Morning", "MORNING", w.section)).await;
    let tid = id_of(&created["id"]);
    let path = format!("{TEMPLATES}/{tid}");
    let (status, _) = srv.delete(&path, &w.operator).await;
    assert_eq!(status, 403, "operators cannot delete");
    let (status, answer) = srv.delete(&path, &w.manager).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer, json!({"id": tid, "action": "deleted", "message": "Template 'Morning' deleted successfully"}));

    let (status, read) = srv.get(&path, &w.operator).await;
    assert_eq!(status, 200, "still readable: {read}");
    assert_eq!(read["is_active"], false);
    assert_eq!(titles(&read), ["Review handover notes", "Check services"], "its items are kept");
    assert_eq!(srv.get(TEMPLATES, &w.operator).await.1, json!([]));
    let (_, all) = srv.get(&format!("{TEMPLATES}?active_only=false"), &w.operator).await;
    assert_eq!(names(&all), ["Morning"]);

    // No active template for the shift any more.
    let (status, body) = srv
        .post("/api/v1/checklists/instances", &w.operator, json!({"shift": "MORNING", "checklist_date": "2026-11-25"}))
        .await;
    assert_eq!(status, 404, "{body}");
    let (status, _) = srv.delete(&format!("{TEMPLATES}/{}", Uuid::now_v7()), &w.admin).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn item_endpoints_add_update_and_retire_items_of_their_own_template_only() {
    let w = world().await;
    let srv = &w.srv;
    let created = create(srv, &w.admin, simple_template("Morning", "MORNING", w.section)).await;
    let tid = id_of(&created["id"]);
    let other = create(srv, &w.admin, simple_template("Night", "NIGHT", w.section)).await;
    let other_tid = id_of(&other["id"]);
    let foreign_item = id_of(&other["template"]["items"][0]["id"]);
    let items = format!("{TEMPLATES}/{tid}/items");

    // Add.
    let (status, answer) = srv
        .post(
            &items,
            &w.manager,
            json!({"title": "Check RTGS", "item_type": "TIMED", "scheduled_time": "11:00", "notify_before_minutes": 15,
                   "severity": 3, "sort_order": 300, "subitems": [{"title": "Acceleration"}]}),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(keys(&answer), ["action", "id", "item", "message", "template_id"]);
    assert_eq!(answer["action"], "created");
    assert_eq!(answer["template_id"], json!(tid));
    let iid = id_of(&answer["id"]);
    assert_eq!(answer["item"]["id"], json!(iid));
    assert_eq!(answer["item"]["title"], "Check RTGS");
    assert_eq!(answer["item"]["scheduled_time"], "11:00:00");
    assert_eq!(answer["item"]["notify_before_minutes"], 15);
    assert_eq!(answer["item"]["sort_order"], 300);
    assert_eq!(answer["item"]["subitems"][0]["title"], "Acceleration");
    let (_, read) = srv.get(&format!("{TEMPLATES}/{tid}"), &w.operator).await;
    assert_eq!(titles(&read), ["Review handover notes", "Check services", "Check RTGS"]);
    assert_eq!(read["version"], 2);
    let (status, body) =
        srv.post(&items, &w.manager, json!({"title": "Late", "item_type": "TIMED", "scheduled_time": "20:00"})).await;
    assert_eq!(status, 422, "{body}");
    let (status, body) = srv.post(&items, &w.operator, json!({"title": "Mine"})).await;
    assert_eq!(status, 403, "{body}");
    let (status, _) = srv.post(&format!("{TEMPLATES}/{}/items", Uuid::now_v7()), &w.admin, json!({"title": "x"})).await;
    assert_eq!(status, 404);

    // Update: partial, fields not sent are kept.
    let (status, answer) =
        srv.put(&format!("{items}/{iid}"), &w.manager, json!({"title": "Verify RTGS", "severity": 4})).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["action"], "updated");
    assert_eq!(answer["id"], json!(iid));
    assert_eq!(answer["item"]["title"], "Verify RTGS");
    assert_eq!(answer["item"]["severity"], 4);
    assert_eq!(answer["item"]["scheduled_time"], "11:00:00");
    assert_eq!(answer["item"]["sort_order"], 300);
    assert_eq!(answer["item"]["subitems"][0]["title"], "Acceleration");
    let (status, _) = srv.put(&format!("{items}/{iid}"), &w.manager, json!({"scheduled_time": "06:00"})).await;
    assert_eq!(status, 422, "outside the window");
    let (status, _) = srv.put(&format!("{items}/{iid}"), &w.manager, json!({"severity": 0})).await;
    assert_eq!(status, 422);

    // An item of another template, through this template's URL: 404, nothing changes.
    let (status, body) = srv.put(&format!("{items}/{foreign_item}"), &w.admin, json!({"title": "Hijacked"})).await;
    assert_eq!((status.as_u16(), body), (404, json!({"detail": "Template item not found"})));
    let (status, _) = srv.delete(&format!("{items}/{foreign_item}"), &w.admin).await;
    assert_eq!(status, 404);
    let (status, _) = srv.post(&format!("{items}/{foreign_item}/subitems"), &w.admin, json!({"title": "x"})).await;
    assert_eq!(status, 404);
    let (status, _) = srv.put(&format!("{items}/{}", Uuid::now_v7()), &w.admin, json!({"title": "x"})).await;
    assert_eq!(status, 404);
    let (_, other_read) = srv.get(&format!("{TEMPLATES}/{other_tid}"), &w.admin).await;
    assert_eq!(titles(&other_read), ["Review handover notes", "Check services"]);
    assert_eq!(other_read["version"], 1);

    // Delete: retired, no longer listed; deleting again is 404.
    let (status, answer) = srv.delete(&format!("{items}/{iid}"), &w.manager).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["action"], "deleted");
    assert_eq!(answer["id"], json!(iid));
    let (_, read) = srv.get(&format!("{TEMPLATES}/{tid}"), &w.operator).await;
    assert_eq!(titles(&read), ["Review handover notes", "Check services"]);
    let (status, _) = srv.delete(&format!("{items}/{iid}"), &w.manager).await;
    assert_eq!(status, 404);
    let (status, _) = srv.put(&format!("{items}/{iid}"), &w.manager, json!({"title": "Back"})).await;
    assert_eq!(status, 404, "a retired item cannot be edited");
}

#[tokio::test]
async fn reordering_items_follows_the_list_and_needs_every_item() {
    let w = world().await;
    let srv = &w.srv;
    let items = json!([
        {"title": "A", "sort_order": 1}, {"title": "B", "sort_order": 2}, {"title": "C", "sort_order": 3},
    ]);
    let created = w.template(w.section, "Morning", "MORNING", items).await;
    let tid = id_of(&created["id"]);
    let ids: Vec<Value> = created["template"]["items"].as_array().unwrap().iter().map(|i| i["id"].clone()).collect();
    let path = format!("{TEMPLATES}/{tid}/items/reorder");

    let (status, view) = srv.post(&path, &w.manager, json!({"item_ids": [ids[2], ids[0], ids[1]]})).await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(titles(&view), ["C", "A", "B"]);
    let orders: Vec<i64> =
        view["items"].as_array().unwrap().iter().map(|i| i["sort_order"].as_i64().unwrap()).collect();
    assert!(orders.windows(2).all(|w| w[0] < w[1]), "sort_order follows the list: {orders:?}");
    assert_eq!(view["version"], 2);
    let (_, read) = srv.get(&format!("{TEMPLATES}/{tid}"), &w.operator).await;
    assert_eq!(titles(&read), ["C", "A", "B"]);

    let other = create(srv, &w.admin, simple_template("Night", "NIGHT", w.section)).await;
    let foreign = other["template"]["items"][0]["id"].clone();
    for bad in [
        json!({"item_ids": [ids[0], ids[1]]}),
        json!({"item_ids": [ids[0], ids[1], ids[2], ids[0]]}),
        json!({"item_ids": [ids[0], ids[1], foreign]}),
        json!({"item_ids": []}),
        json!({"item_ids": ["not-a-uuid"]}),
        json!({}),
    ] {
        let (status, body) = srv.post(&path, &w.manager, bad.clone()).await;
        assert_eq!(status, 422, "{bad}: {body}");
    }
    let (status, _) = srv.post(&path, &w.operator, json!({"item_ids": [ids[0], ids[1], ids[2]]})).await;
    assert_eq!(status, 403);
    let (_, read) = srv.get(&format!("{TEMPLATES}/{tid}"), &w.operator).await;
    assert_eq!(titles(&read), ["C", "A", "B"], "refused reorders change nothing");
    assert_eq!(read["version"], 2);
}

#[tokio::test]
async fn subitem_endpoints_add_update_and_delete() {
    let w = world().await;
    let srv = &w.srv;
    let items = json!([
        {"title": "Parent", "subitems": [{"title": "First", "sort_order": 1}]},
    ]);
    let created = w.template(w.section, "Afternoon", "AFTERNOON", items).await;
    let tid = id_of(&created["id"]);
    let iid = id_of(&created["template"]["items"][0]["id"]);
    let first = id_of(&created["template"]["items"][0]["subitems"][0]["id"]);
    let base = format!("{TEMPLATES}/{tid}/items/{iid}/subitems");

    let (status, answer) = srv
        .post(
            &base,
            &w.manager,
            json!({"title": "Second", "item_type": "TIMED", "scheduled_time": "16:30", "notify_before_minutes": 5,
                   "sort_order": 2, "severity": 3}),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(keys(&answer), ["action", "id", "item_id", "message", "subitem"]);
    assert_eq!(answer["action"], "created");
    assert_eq!(answer["item_id"], json!(iid));
    let second = id_of(&answer["id"]);
    assert_eq!(answer["subitem"]["id"], json!(second));
    assert_eq!(answer["subitem"]["title"], "Second");
    assert_eq!(answer["subitem"]["scheduled_time"], "16:30:00");
    assert_eq!(answer["subitem"]["severity"], 3);
    let (status, body) = srv
        .post(&base, &w.manager, json!({"title": "Too early", "item_type": "TIMED", "scheduled_time": "10:00"}))
        .await;
    assert_eq!(status, 422, "{body}");
    let (status, _) = srv.post(&base, &w.manager, json!({"title": ""})).await;
    assert_eq!(status, 422);
    let (status, _) = srv.post(&base, &w.operator, json!({"title": "Mine"})).await;
    assert_eq!(status, 403);

    let (status, answer) = srv.put(&format!("{base}/{first}"), &w.manager, json!({"title": "First, renamed"})).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["action"], "updated");
    assert_eq!(answer["id"], json!(first));
    assert_eq!(answer["subitem"]["title"], "First, renamed");
    assert_eq!(answer["subitem"]["sort_order"], 1, "fields not sent are kept");
    let (status, _) = srv.put(&format!("{base}/{}", Uuid::now_v7()), &w.manager, json!({"title": "x"})).await;
    assert_eq!(status, 404);

    let (_, read) = srv.get(&format!("{TEMPLATES}/{tid}"), &w.operator).await;
    let subs: Vec<(&Value, &Value)> =
        read["items"][0]["subitems"].as_array().unwrap().iter().map(|s| (&s["id"], &s["title"])).collect();
    assert_eq!(subs, [(&json!(first), &json!("First, renamed")), (&json!(second), &json!("Second"))]);

    let (status, answer) = srv.delete(&format!("{base}/{first}"), &w.manager).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer, json!({"id": first, "item_id": iid, "action": "deleted", "message": "Subitem deleted"}));
    let (_, read) = srv.get(&format!("{TEMPLATES}/{tid}"), &w.operator).await;
    let subs: Vec<&Value> = read["items"][0]["subitems"].as_array().unwrap().iter().map(|s| &s["id"]).collect();
    assert_eq!(subs, [&json!(second)], "the other subitem keeps its id");
    let (status, _) = srv.delete(&format!("{base}/{first}"), &w.manager).await;
    assert_eq!(status, 404);

    // A subitem through another item's URL: 404.
    let other = w.template(w.section, "Other", "AFTERNOON", json!([{"title": "Other parent"}])).await;
    let other_item = id_of(&other["template"]["items"][0]["id"]);
    let (status, _) = srv
        .put(&format!("{TEMPLATES}/{tid}/items/{other_item}/subitems/{second}"), &w.admin, json!({"title": "x"}))
        .await;
    assert_eq!(status, 404);
    let (status, _) = srv
        .put(
            &format!("{TEMPLATES}/{}/items/{other_item}/subitems/{second}", id_of(&other["id"])),
            &w.admin,
            json!({"title": "x"}),
        )
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn scheduled_events_are_added_and_removed_on_scheduled_event_items() {
    let w = world().await;
    let srv = &w.srv;
    let items = json!([
        {"title": "Batch", "item_type": "SCHEDULED_EVENT",
         "scheduled_events": [{"event_datetime": "2026-11-25T09:00:00Z", "notify_before_minutes": 15}]},
        {"title": "Plain"},
    ]);
    let created = w.template(w.section, "Morning", "MORNING", items).await;
    let tid = id_of(&created["id"]);
    let item = id_of(&created["template"]["items"][0]["id"]);
    let plain = id_of(&created["template"]["items"][1]["id"]);
    let base = format!("{TEMPLATES}/{tid}/items/{item}/scheduled-events");

    let (status, view) = srv
        .post(&base, &w.manager, json!({"event_datetime": "2026-11-25T11:00:00Z", "notify_before_minutes": 45}))
        .await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["id"], json!(item));
    let events = view["scheduled_events"].as_array().unwrap();
    assert_eq!(events.len(), 2, "{view}");
    let when: Vec<&Value> = events.iter().map(|e| &e["event_datetime"]).collect();
    assert_eq!(when, [&json!("2026-11-25T09:00:00Z"), &json!("2026-11-25T11:00:00Z")]);
    assert_eq!(events[1]["notify_before_minutes"], 45);
    // A local date-time is read in the business time zone (UTC by default).
    let (status, view) = srv.post(&base, &w.manager, json!({"event_datetime": "2026-11-25T13:15"})).await;
    assert_eq!(status, 200, "{view}");
    let third = view["scheduled_events"][2].clone();
    assert_eq!(third["event_datetime"], "2026-11-25T13:15:00Z");
    assert_eq!(third["notify_before_minutes"], 30, "30 minutes' notice by default");

    let third_id = id_of(&third["id"]);
    let (status, view) = srv.delete(&format!("{base}/{third_id}"), &w.manager).await;
    assert_eq!(status, 200, "{view}");
    let when: Vec<&Value> = view["scheduled_events"].as_array().unwrap().iter().map(|e| &e["event_datetime"]).collect();
    assert_eq!(when, [&json!("2026-11-25T09:00:00Z"), &json!("2026-11-25T11:00:00Z")]);
    let (status, _) = srv.delete(&format!("{base}/{third_id}"), &w.manager).await;
    assert_eq!(status, 404);

    for bad in [
        json!({}),
        json!({"event_datetime": "tomorrow"}),
        json!({"event_datetime": "2026-11-25T10:00:00Z", "notify_before_minutes": 1441}),
    ] {
        let (status, body) = srv.post(&base, &w.manager, bad.clone()).await;
        assert_eq!(status, 422, "{bad}: {body}");
    }
    let (status, body) = srv
        .post(
            &format!("{TEMPLATES}/{tid}/items/{plain}/scheduled-events"),
            &w.manager,
            json!({"event_datetime": "2026-11-25T10:00:00Z"}),
        )
        .await;
    assert_eq!(status, 422, "only SCHEDULED_EVENT items have events: {body}");
    let (status, _) = srv.post(&base, &w.operator, json!({"event_datetime": "2026-11-25T10:00:00Z"})).await;
    assert_eq!(status, 403);
    // The last event cannot be removed: a SCHEDULED_EVENT item needs one.
    let (_, read) = srv.get(&format!("{TEMPLATES}/{tid}"), &w.admin).await;
    let remaining: Vec<Uuid> =
        read["items"][0]["scheduled_events"].as_array().unwrap().iter().map(|e| id_of(&e["id"])).collect();
    assert_eq!(remaining.len(), 2);
    let (status, _) = srv.delete(&format!("{base}/{}", remaining[0]), &w.manager).await;
    assert_eq!(status, 200);
    let (_, read) = srv.get(&format!("{TEMPLATES}/{tid}"), &w.admin).await;
    let last = id_of(&read["items"][0]["scheduled_events"][0]["id"]);
    let (status, body) = srv.delete(&format!("{base}/{last}"), &w.manager).await;
    assert_eq!(status, 422, "{body}");
}

#[tokio::test]
async fn shifts_are_listed_for_everyone_and_defined_by_admins() {
    let w = world().await;
    let srv = &w.srv;
    let (status, list) = srv.get("/api/v1/checklists/shifts", &w.operator).await;
    assert_eq!(status, 200, "{list}");
    let shifts: Vec<(&Value, &Value, &Value)> =
        list.as_array().unwrap().iter().map(|s| (&s["name"], &s["start_time"], &s["end_time"])).collect();
    assert_eq!(
        shifts,
        [
            (&json!("MORNING"), &json!("07:00:00"), &json!("15:00:00")),
            (&json!("AFTERNOON"), &json!("15:00:00"), &json!("23:00:00")),
            (&json!("NIGHT"), &json!("23:00:00"), &json!("07:00:00")),
        ]
    );
    for s in list.as_array().unwrap() {
        assert_eq!(s["timezone"], "UTC", "the business time zone when the shift names none");
        assert!(s["id"].is_i64() && s["color"].is_string(), "{s}");
    }

    let body = json!({"name": "MORNING", "start_time": "06:00", "end_time": "14:00"});
    let (status, answer) = srv.post("/api/v1/checklists/shifts", &w.manager, body.clone()).await;
    assert_eq!(status, 403, "{answer}");
    let (status, answer) = srv.post("/api/v1/checklists/shifts", &w.operator, body.clone()).await;
    assert_eq!(status, 403, "{answer}");
    let (status, answer) = srv.post("/api/v1/checklists/shifts", &w.admin, body).await;
    assert_eq!((status.as_u16(), answer), (409, json!({"detail": "Shift MORNING is already defined"})));
    for bad in [
        json!({"name": "EVENING", "start_time": "18:00", "end_time": "22:00"}),
        json!({"name": "NIGHT", "start_time": "25:00", "end_time": "07:00"}),
        json!({"name": "NIGHT", "start_time": "23:00", "end_time": "23:00"}),
        json!({"name": "NIGHT", "start_time": "23:00", "end_time": "07:00", "timezone": "Mars/Olympus"}),
        json!({"name": "NIGHT"}),
    ] {
        let (status, body) = srv.post("/api/v1/checklists/shifts", &w.admin, bad.clone()).await;
        assert_eq!(status, 422, "{bad}: {body}");
    }
    let (_, again) = srv.get("/api/v1/checklists/shifts", &w.admin).await;
    assert_eq!(again, list, "nothing changed");
    let (status, _) = srv.call(Method::GET, "/api/v1/checklists/shifts", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn admins_change_and_delete_shifts_and_new_checklists_follow() {
    let w = world().await;
    let srv = &w.srv;
    let (_, list) = srv.get("/api/v1/checklists/shifts", &w.operator).await;
    let id_of_shift = |name: &str| list.as_array().unwrap().iter().find(|s| s["name"] == name).unwrap()["id"].clone();
    let (morning, afternoon) = (id_of_shift("MORNING"), id_of_shift("AFTERNOON"));
    let path = |id: &Value| format!("/api/v1/checklists/shifts/{id}");
    w.template(w.section, "Morning", "MORNING", json!([{"title": "Check"}])).await;
    let before = create_instance(srv, &w.operator, "MORNING", "2026-11-25").await;

    // The original frontend's edit: every field, the name unchanged, colour cleared.
    let edit = json!({"name": "Morning", "start_time": "06:30", "end_time": "14:30", "timezone": "UTC",
                      "color": null, "metadata": {}});
    let (status, body) = srv.put(&path(&morning), &w.manager, edit.clone()).await;
    assert_eq!(status, 403, "{body}");
    let (status, changed) = srv.put(&path(&morning), &w.admin, edit).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!((&changed["start_time"], &changed["end_time"]), (&json!("06:30:00"), &json!("14:30:00")));
    assert_eq!(changed["color"], Value::Null);
    let (status, read) = srv.get(&path(&morning), &w.operator).await;
    assert_eq!((status.as_u16(), &read), (200, &changed));

    // Checklists made afterwards run in the new window; the earlier one keeps its own.
    let after = create_instance(srv, &w.operator, "MORNING", "2026-11-26").await;
    assert_eq!(after["instance"]["shift_start"], "2026-11-26T06:30:00Z", "{after}");
    let (_, kept) = srv
        .get(&format!("/api/v1/checklists/instances/{}", before["instance"]["id"].as_str().unwrap()), &w.operator)
        .await;
    assert_eq!(kept["shift_start"], "2026-11-25T07:00:00Z");

    for bad in [
        json!({"name": "NIGHT"}),
        json!({"start_time": "14:30"}),
        json!({"end_time": "31:00"}),
        json!({"timezone": "Mars/Olympus"}),
    ] {
        let (status, body) = srv.put(&path(&morning), &w.admin, bad.clone()).await;
        assert_eq!(status, 422, "{bad}: {body}");
    }
    let (status, _) = srv.put("/api/v1/checklists/shifts/999", &w.admin, json!({"color": "red"})).await;
    assert_eq!(status, 404);
    let (status, _) = srv.get("/api/v1/checklists/shifts/morning", &w.admin).await;
    assert_eq!(status, 422);

    // A shift an active template uses stays; one nothing uses goes.
    let (status, body) = srv.delete(&path(&morning), &w.admin).await;
    assert_eq!(status, 409, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("1 active template"), "{body}");
    let (status, body) = srv.delete(&path(&afternoon), &w.manager).await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = srv.delete(&path(&afternoon), &w.admin).await;
    assert_eq!((status.as_u16(), body), (200, json!({"deleted": true, "id": afternoon})));
    assert_eq!(srv.get(&path(&afternoon), &w.admin).await.0, 404);
    let (_, list) = srv.get("/api/v1/checklists/shifts", &w.admin).await;
    assert_eq!(list.as_array().unwrap().len(), 2);

    let events = ops_events(srv, &w.admin, "entity_type=SHIFT").await;
    let mut types: Vec<&str> = events.iter().map(|e| e["event_type"].as_str().unwrap()).collect();
    types.sort_unstable();
    assert_eq!(types, ["SHIFT_DELETED", "SHIFT_UPDATED"]);
    let updated = events.iter().find(|e| e["event_type"] == "SHIFT_UPDATED").unwrap();
    assert_eq!(updated["payload"]["before"]["start_time"], "07:00:00");
    assert_eq!(updated["payload"]["start_time"], "06:30:00");
}

#[tokio::test]
async fn template_changes_leave_ops_events() {
    let w = world().await;
    let srv = &w.srv;
    let created = create(srv, &w.manager, simple_template("Morning", "MORNING", w.section)).await;
    let tid = id_of(&created["id"]);
    let (status, _) = srv.put(&format!("{TEMPLATES}/{tid}"), &w.manager, json!({"name": "Morning v2"})).await;
    assert_eq!(status, 200);
    let (status, _) = srv.post(TEMPLATES, &w.manager, json!({"name": ""})).await;
    assert_eq!(status, 422);
    let (status, _) = srv.delete(&format!("{TEMPLATES}/{tid}"), &w.admin).await;
    assert_eq!(status, 200);

    let events = ops_events(srv, &w.admin, "entity_type=TEMPLATE").await;
    let mut types: Vec<&str> = events.iter().map(|e| e["event_type"].as_str().unwrap()).collect();
    types.sort_unstable();
    assert_eq!(types, ["TEMPLATE_CREATED", "TEMPLATE_DELETED", "TEMPLATE_UPDATED"], "each once");
    let by_type = |t: &str| events.iter().find(|e| e["event_type"] == t).unwrap().clone();
    let created_event = by_type("TEMPLATE_CREATED");
    assert_eq!(created_event["entity_type"], "TEMPLATE");
    assert_eq!(created_event["entity_id"], tid.to_string());
    assert_eq!(created_event["actor_id"], json!(w.manager.id));
    assert_eq!(created_event["section_id"], json!(w.section));
    assert_eq!(created_event["payload"]["name"], "Morning");
    assert_eq!(created_event["payload"]["shift"], "MORNING");
    assert_eq!(created_event["created_at"], "2026-11-25T10:00:00Z");
    assert_eq!(by_type("TEMPLATE_UPDATED")["payload"]["version"], 2);
    assert_eq!(by_type("TEMPLATE_DELETED")["actor_id"], json!(w.admin.id));
    let (_, filtered) = srv.get("/api/v1/ops/events?event_type=TEMPLATE_CREATED", &w.admin).await;
    assert_eq!(filtered["total"], 1);
}

#[tokio::test]
async fn scheduled_events_keep_their_ids_when_another_event_is_added() {
    let w = world().await;
    let srv = &w.srv;
    let items = json!([
        {"title": "Batch", "item_type": "SCHEDULED_EVENT",
         "scheduled_events": [{"event_datetime": "2026-11-25T09:00:00Z"}]},
    ]);
    let created = w.template(w.section, "Morning", "MORNING", items).await;
    let tid = id_of(&created["id"]);
    let item = id_of(&created["template"]["items"][0]["id"]);
    let first = id_of(&created["template"]["items"][0]["scheduled_events"][0]["id"]);
    let base = format!("{TEMPLATES}/{tid}/items/{item}/scheduled-events");
    let (status, view) = srv.post(&base, &w.manager, json!({"event_datetime": "2026-11-25T11:00:00Z"})).await;
    assert_eq!(status, 200, "{view}");
    // Regression (found by this test, fixed in e3438a7): every change to an item's events
    // re-inserted all of them with new ids, so DELETE …/scheduled-events/{first} answered 404.
    let ids: Vec<Uuid> = view["scheduled_events"].as_array().unwrap().iter().map(|e| id_of(&e["id"])).collect();
    assert!(ids.contains(&first), "the 09:00 event keeps its id {first}: {view}");
    let (status, body) = srv.delete(&format!("{base}/{first}"), &w.manager).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn changing_the_shift_revalidates_the_timed_items_kept() {
    let w = world().await;
    let srv = &w.srv;
    let items = json!([
        {"title": "IDC status", "item_type": "TIMED", "scheduled_time": "08:15"},
    ]);
    let created = w.template(w.section, "Morning", "MORNING", items).await;
    let tid = id_of(&created["id"]);
    // Regression (fixed in e3438a7): a PUT without `items` validated only the items it listed
    // (none), so the template moved to NIGHT with a TIMED item at 08:15, outside its window.
    let (status, body) = srv.put(&format!("{TEMPLATES}/{tid}"), &w.admin, json!({"shift": "NIGHT"})).await;
    assert_eq!(status, 422, "08:15 is outside the NIGHT window: {body}");
    let (_, read) = srv.get(&format!("{TEMPLATES}/{tid}"), &w.admin).await;
    assert_eq!(read["shift"], "MORNING");
}

#[tokio::test]
async fn an_item_turned_into_a_scheduled_event_needs_an_event() {
    let w = world().await;
    let srv = &w.srv;
    let created = create(srv, &w.admin, simple_template("Morning", "MORNING", w.section)).await;
    let tid = id_of(&created["id"]);
    let iid = id_of(&created["template"]["items"][0]["id"]);
    let path = format!("{TEMPLATES}/{tid}/items/{iid}");
    let (status, body) = srv.put(&path, &w.admin, json!({"item_type": "TIMED"})).await;
    assert_eq!(status, 422, "TIMED needs a time: {body}");
    // Regression (fixed in e3438a7): only a *new* SCHEDULED_EVENT item had to have events, so
    // an existing ROUTINE item could become a SCHEDULED_EVENT item with none.
    let (status, body) = srv.put(&path, &w.admin, json!({"item_type": "SCHEDULED_EVENT"})).await;
    assert_eq!(status, 422, "a SCHEDULED_EVENT item needs at least one event: {body}");
    let (_, read) = srv.get(&format!("{TEMPLATES}/{tid}"), &w.admin).await;
    assert_eq!(read["items"][0]["item_type"], "ROUTINE");
}

#[tokio::test]
async fn changing_the_shift_revalidates_timed_subitems_kept_under_listed_items() {
    let w = world().await;
    let srv = &w.srv;
    let created = w.template(w.section, "Morning", "MORNING", json!([
            {"title": "Parent", "subitems": [{"title": "Call the vendor", "item_type": "TIMED", "scheduled_time": "08:00"}]},
        ]))
    .await;
    let tid = id_of(&created["id"]);
    let parent = created["template"]["items"][0]["id"].clone();
    // Without `items` the kept subitem is checked (fixed in e3438a7).
    let (status, _) = srv.put(&format!("{TEMPLATES}/{tid}"), &w.admin, json!({"shift": "NIGHT"})).await;
    assert_eq!(status, 422);
    // Subitems kept under a listed parent are checked against the new window too.
    let (status, body) =
        srv.put(&format!("{TEMPLATES}/{tid}"), &w.admin, json!({"shift": "NIGHT", "items": [{"id": parent}]})).await;
    assert_eq!(status, 422, "08:00 is outside the NIGHT window: {body}");
    let (_, read) = srv.get(&format!("{TEMPLATES}/{tid}"), &w.admin).await;
    assert_eq!(read["shift"], "MORNING");
}
