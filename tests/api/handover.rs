//! Handover notes over HTTP: routing to the next shift's checklist (created if missing),
//! the per-instance listing, acknowledge and resolve, scoping, events, notifications and
//! the automatic carry-over of failed work.

use chrono::Duration;
use reqwest::Method;
use sentinelops_testkit::world::World;
use sentinelops_testkit::{TestServer, id_of, t0};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::listings::instance;

const NOTES: &str = "/api/v1/checklists/handover-notes";
const INSTANCES: &str = "/api/v1/checklists/instances";

/// Section "Core Banking" in Harare time with templates for the given shifts (two items each:
/// "Review handover notes" severity 4, "Check services" severity 2); "Cards" beside it.
async fn world(shifts: &[&str]) -> World {
    let w = World::builder().at(t0()).harare().cards().colleague().build().await;
    for shift in shifts {
        let items = json!([
            {"title": "Review handover notes", "severity": 4, "sort_order": 1},
            {"title": "Check services", "severity": 2, "sort_order": 2},
        ]);
        w.template(w.section, &format!("{shift} checklist"), shift, items).await;
    }
    w
}

async fn note(srv: &TestServer, token: &str, body: Value) -> Value {
    let (status, answer) = srv.post(NOTES, token, body).await;
    assert_eq!(status, 200, "{answer}");
    answer
}

async fn notes_of(srv: &TestServer, token: &str, instance: Uuid, query: &str) -> Value {
    let (status, body) = srv.get(&format!("{INSTANCES}/{instance}/handover-notes{query}"), token).await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn notifications(srv: &TestServer, token: &str) -> Vec<Value> {
    let (status, body) = srv.get("/api/v1/notifications/?include_read=true", token).await;
    assert_eq!(status, 200, "{body}");
    body.as_array().unwrap().clone()
}

fn titled<'a>(list: &'a [Value], prefix: &str) -> Vec<&'a Value> {
    list.iter().filter(|n| n["title"].as_str().unwrap().starts_with(prefix)).collect()
}

async fn handover_events(srv: &TestServer, admin: &str) -> Vec<Value> {
    let (status, body) = srv.get("/api/v1/ops/events?event_type=HANDOVER_CREATED&limit=500", admin).await;
    assert_eq!(status, 200, "{body}");
    body["items"].as_array().unwrap().clone()
}

fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    keys
}

#[tokio::test]
async fn a_morning_note_goes_to_the_afternoon_checklist_which_is_created_when_missing() {
    let w = world(&["MORNING", "AFTERNOON"]).await;
    let srv = &w.srv;
    let morning = instance(srv, &w.operator, "MORNING", "2026-11-25").await;
    let morning_id = id_of(&morning["id"]);
    let (_, coverage) = srv.get(&format!("{INSTANCES}/today/coverage"), &w.operator).await;
    assert_eq!(coverage, json!({"MORNING": 1, "AFTERNOON": 0, "NIGHT": 0}));

    let answer = note(
        srv,
        &w.operator,
        json!({"content": "  RTGS queue stuck since 10:40; vendor ticket #4411  ", "priority": 3, "from_instance_id": morning_id}),
    )
    .await;
    assert_eq!(
        keys(&answer),
        [
            "content",
            "created_at",
            "created_by",
            "from_instance_id",
            "id",
            "notification_summary",
            "priority",
            "to_instance_id"
        ]
    );
    assert_eq!(answer["from_instance_id"], json!(morning_id));
    assert_eq!(answer["content"], "RTGS queue stuck since 10:40; vendor ticket #4411");
    assert_eq!(answer["priority"], 3);
    assert_eq!(answer["created_by"], json!(w.operator.id));
    assert_eq!(answer["created_at"], "2026-11-25T10:00:00Z");
    assert!(answer["notification_summary"].is_object(), "{answer}");
    let afternoon_id = id_of(&answer["to_instance_id"]);

    // The afternoon checklist now exists: same section and date, its own template, OPEN.
    let (status, afternoon) = srv.get(&format!("{INSTANCES}/{afternoon_id}"), &w.operator).await;
    assert_eq!(status, 200, "{afternoon}");
    assert_eq!(afternoon["shift"], "AFTERNOON");
    assert_eq!(afternoon["checklist_date"], "2026-11-25");
    assert_eq!(afternoon["status"], "OPEN");
    assert_eq!(afternoon["section_id"], json!(w.section));
    assert_eq!(afternoon["template"]["name"], "AFTERNOON checklist");
    assert_eq!(afternoon["shift_start"], "2026-11-25T13:00:00Z", "15:00 in Harare");
    assert_eq!(afternoon["shift_end"], "2026-11-25T21:00:00Z");
    let (_, coverage) = srv.get(&format!("{INSTANCES}/today/coverage"), &w.operator).await;
    assert_eq!(coverage, json!({"MORNING": 1, "AFTERNOON": 1, "NIGHT": 0}));

    // A second note reaches the same checklist; no third one is made. Default priority 2.
    w.clock.advance(Duration::minutes(5));
    let second = note(srv, w.colleague(), json!({"content": "Printer jammed", "from_instance_id": morning_id})).await;
    assert_eq!(second["to_instance_id"], json!(afternoon_id));
    assert_eq!(second["priority"], 2);
    assert_eq!(second["created_at"], "2026-11-25T10:05:00Z");
    let (_, coverage) = srv.get(&format!("{INSTANCES}/today/coverage"), &w.operator).await;
    assert_eq!(coverage["AFTERNOON"], 1);
    // Writing into an existing afternoon checklist does not replace it.
    let existing = instance(srv, &w.operator, "AFTERNOON", "2026-11-25").await;
    assert_eq!(existing["id"], json!(afternoon_id));
}

#[tokio::test]
async fn a_night_note_goes_to_the_next_days_morning_checklist() {
    let w = world(&["MORNING", "NIGHT"]).await;
    let srv = &w.srv;
    let night = instance(srv, &w.operator, "NIGHT", "2026-11-25").await;
    let night_id = id_of(&night["id"]);
    let answer =
        note(srv, &w.operator, json!({"content": "Backups ran late", "priority": 1, "from_instance_id": night_id}))
            .await;
    let morning_id = id_of(&answer["to_instance_id"]);
    let (_, morning) = srv.get(&format!("{INSTANCES}/{morning_id}"), &w.operator).await;
    assert_eq!(morning["shift"], "MORNING");
    assert_eq!(morning["checklist_date"], "2026-11-26");
    assert_eq!(morning["shift_start"], "2026-11-26T05:00:00Z");
    assert_eq!(morning["template"]["name"], "MORNING checklist");
    let listed = notes_of(srv, &w.operator, morning_id, "").await;
    assert_eq!(listed["count"], 1);
    let n = &listed["handover_notes"][0];
    assert_eq!(n["direction"], "incoming");
    assert_eq!((&n["from_shift"], &n["from_date"]), (&json!("NIGHT"), &json!("2026-11-25")));
    assert_eq!((&n["to_shift"], &n["to_date"]), (&json!("MORNING"), &json!("2026-11-26")));
    assert_eq!(n["priority"], 1);
}

#[tokio::test]
async fn without_a_template_for_the_next_shift_the_note_has_no_target() {
    let w = world(&["MORNING"]).await;
    let srv = &w.srv;
    let morning = instance(srv, &w.operator, "MORNING", "2026-11-25").await;
    let morning_id = id_of(&morning["id"]);
    let answer = note(srv, &w.operator, json!({"content": "Nobody after us", "from_instance_id": morning_id})).await;
    assert_eq!(answer["to_instance_id"], Value::Null);
    let (_, coverage) = srv.get(&format!("{INSTANCES}/today/coverage"), &w.operator).await;
    assert_eq!(coverage, json!({"MORNING": 1, "AFTERNOON": 0, "NIGHT": 0}), "no checklist was made");
    let listed = notes_of(srv, &w.operator, morning_id, "").await;
    assert_eq!(listed["count"], 1);
    assert_eq!(listed["handover_notes"][0]["direction"], "outgoing");
    assert_eq!(listed["handover_notes"][0]["to_instance_id"], Value::Null);
    assert_eq!(handover_events(srv, &w.admin).await.len(), 1);
}

#[tokio::test]
async fn invalid_notes_are_refused_and_change_nothing() {
    let w = world(&["MORNING", "AFTERNOON"]).await;
    let srv = &w.srv;
    let morning = instance(srv, &w.operator, "MORNING", "2026-11-25").await;
    let from = id_of(&morning["id"]);
    for (what, body) in [
        ("priority 0", json!({"content": "x", "priority": 0, "from_instance_id": from})),
        ("priority 5", json!({"content": "x", "priority": 5, "from_instance_id": from})),
        ("priority -1", json!({"content": "x", "priority": -1, "from_instance_id": from})),
        ("priority as text", json!({"content": "x", "priority": "high", "from_instance_id": from})),
        ("empty content", json!({"content": "", "from_instance_id": from})),
        ("blank content", json!({"content": "   \n ", "from_instance_id": from})),
        ("content too long", json!({"content": "x".repeat(5001), "from_instance_id": from})),
        ("no content", json!({"priority": 2, "from_instance_id": from})),
        ("bad to_shift", json!({"content": "x", "to_shift": "EVENING", "from_instance_id": from})),
        ("bad instance id", json!({"content": "x", "from_instance_id": "not-a-uuid"})),
    ] {
        let (status, body) = srv.post(NOTES, &w.operator, body).await;
        assert_eq!(status, 422, "{what}: {body}");
        assert!(body["detail"].is_string(), "{what}: {body}");
    }
    let (_, body) =
        srv.post(NOTES, &w.operator, json!({"content": "x", "priority": 5, "from_instance_id": from})).await;
    assert_eq!(body, json!({"detail": "priority must be between 1 and 4"}));
    let (status, body) =
        srv.post(NOTES, &w.operator, json!({"content": "x", "from_instance_id": Uuid::now_v7()})).await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = srv.post(NOTES, &w.cards().operator, json!({"content": "x", "from_instance_id": from})).await;
    assert_eq!(status, 403, "another section's checklist: {body}");
    let (status, _) =
        srv.call(Method::POST, NOTES, None, Some(json!({"content": "x", "from_instance_id": from}))).await;
    assert_eq!(status, 401);

    assert_eq!(notes_of(srv, &w.operator, from, "").await["count"], 0);
    assert!(handover_events(srv, &w.admin).await.is_empty());
    let (_, coverage) = srv.get(&format!("{INSTANCES}/today/coverage"), &w.operator).await;
    assert_eq!(coverage["AFTERNOON"], 0, "refused notes create no checklist");
}

#[tokio::test]
async fn an_instances_notes_list_incoming_first_with_directions_and_filters() {
    let w = world(&["MORNING", "AFTERNOON", "NIGHT"]).await;
    let srv = &w.srv;
    let morning = id_of(&instance(srv, &w.operator, "MORNING", "2026-11-25").await["id"]);
    let afternoon = id_of(&instance(srv, w.colleague(), "AFTERNOON", "2026-11-25").await["id"]);
    // The afternoon writes for the night first, then the morning for the afternoon.
    let out =
        note(srv, w.colleague(), json!({"content": "For the night", "priority": 4, "from_instance_id": afternoon}))
            .await;
    w.clock.advance(Duration::minutes(1));
    let inc1 = note(srv, &w.operator, json!({"content": "From the morning (1)", "from_instance_id": morning})).await;
    w.clock.advance(Duration::minutes(1));
    let inc2 = note(srv, &w.manager, json!({"content": "From the morning (2)", "from_instance_id": morning})).await;
    assert_eq!(inc1["to_instance_id"], json!(afternoon));
    let night = id_of(&out["to_instance_id"]);

    let listed = notes_of(srv, w.colleague(), afternoon, "").await;
    assert_eq!(listed["instance_id"], json!(afternoon));
    assert_eq!(listed["count"], 3);
    let notes = listed["handover_notes"].as_array().unwrap();
    let order: Vec<(&Value, &Value)> = notes.iter().map(|n| (&n["id"], &n["direction"])).collect();
    assert_eq!(
        order,
        [(&inc1["id"], &json!("incoming")), (&inc2["id"], &json!("incoming")), (&out["id"], &json!("outgoing"))]
    );
    let first = &notes[0];
    assert_eq!(first["content"], "From the morning (1)");
    assert_eq!(first["from_instance_id"], json!(morning));
    assert_eq!(first["to_instance_id"], json!(afternoon));
    assert_eq!((&first["from_shift"], &first["from_date"]), (&json!("MORNING"), &json!("2026-11-25")));
    assert_eq!((&first["to_shift"], &first["to_date"]), (&json!("AFTERNOON"), &json!("2026-11-25")));
    assert_eq!(first["created_by"], json!(w.operator.id));
    assert_eq!(first["created_by_username"], "olu.operator");
    // The original's panel shows the author's names.
    assert_eq!(first["created_by_first_name"], "olu.operator");
    assert_eq!(first["created_by_last_name"], "Tester");
    assert_eq!(first["created_at"], "2026-11-25T10:01:00Z");
    assert_eq!(first["priority"], 2);
    assert_eq!(first["is_automatic"], false);
    for key in [
        "acknowledged_by",
        "acknowledged_by_username",
        "acknowledged_at",
        "resolved_by",
        "resolved_by_username",
        "resolved_at",
        "resolution_notes",
    ] {
        assert_eq!(first[key], Value::Null, "{key}");
    }
    assert_eq!(notes[1]["created_by_username"], "mary.manager");
    let last = &notes[2];
    assert_eq!((&last["from_shift"], &last["to_shift"]), (&json!("AFTERNOON"), &json!("NIGHT")));
    assert_eq!(last["to_instance_id"], json!(night));
    assert_eq!(last["created_by_username"], "ada.operator");
    assert_eq!(last["priority"], 4);

    let ids = |body: &Value| -> Vec<Value> {
        body["handover_notes"].as_array().unwrap().iter().map(|n| n["id"].clone()).collect()
    };
    let incoming_only = notes_of(srv, w.colleague(), afternoon, "?include_outgoing=false").await;
    assert_eq!(ids(&incoming_only), [inc1["id"].clone(), inc2["id"].clone()]);
    assert_eq!(incoming_only["count"], 2);
    let outgoing_only = notes_of(srv, w.colleague(), afternoon, "?include_incoming=false").await;
    assert_eq!(ids(&outgoing_only), [out["id"].clone()]);
    assert_eq!(outgoing_only["handover_notes"][0]["direction"], "outgoing");
    let neither = notes_of(srv, w.colleague(), afternoon, "?include_incoming=false&include_outgoing=false").await;
    assert_eq!(neither["count"], 0);
    assert_eq!(neither["handover_notes"], json!([]));
    // From the morning's side both of its notes are outgoing; from the night's, one incoming.
    let morning_side = notes_of(srv, &w.operator, morning, "").await;
    assert_eq!(ids(&morning_side), [inc1["id"].clone(), inc2["id"].clone()]);
    assert!(morning_side["handover_notes"].as_array().unwrap().iter().all(|n| n["direction"] == "outgoing"));
    let night_side = notes_of(srv, &w.operator, night, "").await;
    assert_eq!(ids(&night_side), [out["id"].clone()]);
    assert_eq!(night_side["handover_notes"][0]["direction"], "incoming");

    let (status, _) =
        srv.get(&format!("{INSTANCES}/{afternoon}/handover-notes?include_incoming=perhaps"), &w.operator).await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn notes_are_acknowledged_and_resolved_once() {
    let w = world(&["MORNING", "AFTERNOON"]).await;
    let srv = &w.srv;
    let morning = id_of(&instance(srv, &w.operator, "MORNING", "2026-11-25").await["id"]);
    let first = note(srv, &w.operator, json!({"content": "One", "from_instance_id": morning})).await;
    let second = note(srv, &w.operator, json!({"content": "Two", "from_instance_id": morning})).await;
    let third = note(srv, &w.operator, json!({"content": "Three", "from_instance_id": morning})).await;
    let afternoon = id_of(&first["to_instance_id"]);
    let (one, two, three) = (id_of(&first["id"]), id_of(&second["id"]), id_of(&third["id"]));

    w.clock.advance(Duration::minutes(10));
    let (status, body) = srv.post(&format!("{NOTES}/{one}/acknowledge"), w.colleague(), json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"id": one, "acknowledged_by": w.colleague().id, "acknowledged_at": "2026-11-25T10:10:00Z", "message": "Handover note acknowledged"})
    );
    w.clock.advance(Duration::minutes(1));
    let (status, body) = srv.post(&format!("{NOTES}/{one}/acknowledge"), &w.manager, json!({})).await;
    assert_eq!((status.as_u16(), body), (400, json!({"detail": "Handover note already acknowledged"})));

    // Resolve with the notes in the query string (the original's way), no body.
    let (status, body) = srv
        .call(
            Method::POST,
            &format!("{NOTES}/{one}/resolve?resolution_notes=Vendor%20restarted%20RTGS"),
            Some(&w.manager),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"id": one, "resolved_by": w.manager.id, "resolved_at": "2026-11-25T10:11:00Z",
               "resolution_notes": "Vendor restarted RTGS", "message": "Handover note resolved"})
    );
    let (status, body) =
        srv.call(Method::POST, &format!("{NOTES}/{one}/resolve?resolution_notes=again"), Some(&w.manager), None).await;
    assert_eq!((status.as_u16(), body), (400, json!({"detail": "Handover note already resolved"})));

    // Overlong notes are refused and resolve nothing.
    let long = json!({"resolution_notes": "x".repeat(5001)});
    let (status, body) = srv.post(&format!("{NOTES}/{two}/resolve"), w.colleague(), long).await;
    assert_eq!(status, 422, "{body}");
    // Resolve with a JSON body; resolving does not need an acknowledgement first.
    let (status, body) = srv
        .post(&format!("{NOTES}/{two}/resolve"), w.colleague(), json!({"resolution_notes": "Printer replaced"}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["resolution_notes"], "Printer replaced");
    assert_eq!(body["resolved_by"], json!(w.colleague().id));
    // Without notes at all.
    let (status, body) = srv.post(&format!("{NOTES}/{three}/resolve"), w.colleague(), json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["resolution_notes"], Value::Null);

    let listed = notes_of(srv, w.colleague(), afternoon, "").await;
    let by_id =
        |id: Uuid| listed["handover_notes"].as_array().unwrap().iter().find(|n| n["id"] == json!(id)).unwrap().clone();
    let n1 = by_id(one);
    assert_eq!(n1["acknowledged_by"], json!(w.colleague().id));
    assert_eq!(n1["acknowledged_by_username"], "ada.operator");
    assert_eq!(n1["acknowledged_at"], "2026-11-25T10:10:00Z");
    assert_eq!(n1["resolved_by_username"], "mary.manager");
    assert_eq!(n1["resolved_at"], "2026-11-25T10:11:00Z");
    assert_eq!(n1["resolution_notes"], "Vendor restarted RTGS");
    let n2 = by_id(two);
    assert_eq!(n2["acknowledged_by"], Value::Null);
    assert_eq!(n2["resolved_by_username"], "ada.operator");
    assert_eq!(n2["resolution_notes"], "Printer replaced");
    // A resolved note can still be acknowledged once.
    let (status, _) = srv.post(&format!("{NOTES}/{two}/acknowledge"), &w.operator, json!({})).await;
    assert_eq!(status, 200);
    // Acknowledging and resolving leave no extra HANDOVER_CREATED event.
    assert_eq!(handover_events(srv, &w.admin).await.len(), 3);
}

#[tokio::test]
async fn other_sections_cannot_read_or_act_on_notes() {
    let w = world(&["MORNING", "AFTERNOON"]).await;
    let srv = &w.srv;
    let morning = id_of(&instance(srv, &w.operator, "MORNING", "2026-11-25").await["id"]);
    let created = note(srv, &w.operator, json!({"content": "Ours", "from_instance_id": morning})).await;
    let id = id_of(&created["id"]);
    for token in [&w.cards().operator, &w.cards().manager] {
        let (status, body) = srv.get(&format!("{INSTANCES}/{morning}/handover-notes"), token).await;
        assert_eq!(status, 403, "{body}");
        let (status, body) = srv.post(&format!("{NOTES}/{id}/acknowledge"), token, json!({})).await;
        assert_eq!(status, 403, "{body}");
        let (status, body) = srv.post(&format!("{NOTES}/{id}/resolve?resolution_notes=mine"), token, json!({})).await;
        assert_eq!(status, 403, "{body}");
    }
    let listed = notes_of(srv, &w.operator, morning, "").await;
    assert_eq!(listed["handover_notes"][0]["acknowledged_by"], Value::Null, "refused calls change nothing");
    assert_eq!(listed["handover_notes"][0]["resolved_by"], Value::Null);
    // Admins may.
    assert_eq!(notes_of(srv, &w.admin, morning, "").await["count"], 1);
    let (status, _) = srv.post(&format!("{NOTES}/{id}/acknowledge"), &w.admin, json!({})).await;
    assert_eq!(status, 200);

    let unknown = Uuid::now_v7();
    let (status, body) = srv.post(&format!("{NOTES}/{unknown}/acknowledge"), &w.operator, json!({})).await;
    assert_eq!((status.as_u16(), body), (404, json!({"detail": "Handover note not found"})));
    let (status, _) = srv.post(&format!("{NOTES}/{unknown}/resolve"), &w.operator, json!({})).await;
    assert_eq!(status, 404);
    let (status, _) = srv.get(&format!("{INSTANCES}/{unknown}/handover-notes"), &w.operator).await;
    assert_eq!(status, 404);
    let (status, _) = srv.post(&format!("{NOTES}/not-a-uuid/acknowledge"), &w.operator, json!({})).await;
    assert_eq!(status, 422);
    for (method, path) in [
        (Method::GET, format!("{INSTANCES}/{morning}/handover-notes")),
        (Method::POST, format!("{NOTES}/{id}/acknowledge")),
        (Method::POST, format!("{NOTES}/{id}/resolve")),
    ] {
        let (status, _) = srv.call(method, &path, None, None).await;
        assert_eq!(status, 401, "{path}");
    }
}

#[tokio::test]
async fn each_note_leaves_one_event_and_tells_the_next_shift_and_the_managers() {
    let w = world(&["MORNING", "AFTERNOON"]).await;
    let srv = &w.srv;
    let morning = id_of(&instance(srv, &w.operator, "MORNING", "2026-11-25").await["id"]);
    let afternoon = id_of(&instance(srv, w.colleague(), "AFTERNOON", "2026-11-25").await["id"]);
    // olu works the morning, ada joins the afternoon.
    assert_eq!(srv.post(&format!("{INSTANCES}/{morning}/join"), &w.operator, json!({})).await.0, 200);
    assert_eq!(srv.post(&format!("{INSTANCES}/{afternoon}/join"), w.colleague(), json!({})).await.0, 200);
    let (_, late) = srv.user_with_token("late.operator", "user", Some(w.section)).await;
    // ben works the morning too: he is told the handover was logged.
    let (_, ben) = srv.user_with_token("ben.operator", "user", Some(w.section)).await;
    assert_eq!(srv.post(&format!("{INSTANCES}/{morning}/join"), &ben, json!({})).await.0, 200);

    let created = note(
        srv,
        &w.operator,
        json!({"content": "Core banking slow after patching", "priority": 4, "from_instance_id": morning}),
    )
    .await;
    assert_eq!(created["to_instance_id"], json!(afternoon));
    // ada (participant), mary (manager) and the admin hear about it; not olu, the author.
    assert_eq!(created["notification_summary"]["next_shift_notified"], 3, "{created}");
    assert_eq!(created["notification_summary"]["current_shift_notified"], 1, "ben: {created}");
    assert!(created["notification_summary"]["email_alerts"].is_u64(), "{created}");
    let logged = notifications(srv, &ben).await;
    assert_eq!(titled(&logged, "Handover Logged").len(), 1, "{logged:?}");
    assert_eq!(titled(&logged, "Handover Logged")[0]["title"], "Handover Logged • MORNING Shift");
    assert!(titled(&logged, "Incoming Handover").is_empty());
    assert!(titled(&notifications(srv, &w.operator).await, "Handover Logged").is_empty(), "not the author");

    let expected_title = "Incoming Handover • AFTERNOON Shift";
    for token in [w.colleague(), &w.manager, &w.admin] {
        let list = notifications(srv, token).await;
        let incoming = titled(&list, "Incoming Handover");
        assert_eq!(incoming.len(), 1, "{list:?}");
        assert_eq!(incoming[0]["title"], expected_title);
        assert_eq!(incoming[0]["related_entity"], "handover_note");
        assert_eq!(incoming[0]["related_id"], json!(afternoon));
        assert_eq!(incoming[0]["priority"], "high", "priority 4 notes are urgent");
        assert!(incoming[0]["message"].as_str().unwrap().contains("Core banking slow after patching"));
    }
    for token in [&*w.operator, &*w.cards().manager, &*w.cards().operator, late.as_str()] {
        let list = notifications(srv, token).await;
        assert!(titled(&list, "Incoming Handover").is_empty(), "{list:?}");
    }

    // The ops event: once per note, with its routing.
    let events = handover_events(srv, &w.admin).await;
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event["entity_id"], created["id"].as_str().unwrap());
    assert_eq!(event["actor_id"], json!(w.operator.id));
    assert_eq!(event["section_id"], json!(w.section));
    assert_eq!(event["payload"]["from_instance_id"], json!(morning));
    assert_eq!(event["payload"]["to_instance_id"], json!(afternoon));
    assert_eq!(event["payload"]["priority"], 4);
    note(srv, &w.manager, json!({"content": "Second", "from_instance_id": morning})).await;
    assert_eq!(handover_events(srv, &w.admin).await.len(), 2);
    // The manager wrote the second: the admin and ada hear about it, the manager does not.
    assert_eq!(titled(&notifications(srv, &w.manager).await, "Incoming Handover").len(), 1);
    assert_eq!(titled(&notifications(srv, w.colleague()).await, "Incoming Handover").len(), 2);
    let _ = (w.admin.id, w.colleague().id, w.manager.id, w.cards().manager.id);
}

async fn patch_item(srv: &TestServer, token: &str, instance: Uuid, item: &Value, body: Value) -> Value {
    let path = format!("{INSTANCES}/{instance}/items/{}", item.as_str().unwrap());
    let (status, answer) = srv.patch(&path, token, body).await;
    assert_eq!(status, 200, "{path}: {answer}");
    answer
}

fn automatic(listed: &Value) -> Vec<Value> {
    listed["handover_notes"].as_array().unwrap().iter().filter(|n| n["is_automatic"] == true).cloned().collect()
}

#[tokio::test]
async fn failed_work_carries_over_to_the_next_shift_once() {
    let w = world(&["MORNING", "AFTERNOON"]).await;
    let srv = &w.srv;
    let morning = instance(srv, &w.operator, "MORNING", "2026-11-25").await;
    let morning_id = id_of(&morning["id"]);
    let items: Vec<Value> = morning["items"].as_array().unwrap().iter().map(|i| i["id"].clone()).collect();
    assert_eq!(srv.post(&format!("{INSTANCES}/{morning_id}/join"), &w.operator, json!({})).await.0, 200);

    patch_item(srv, &w.operator, morning_id, &items[0], json!({"status": "COMPLETED"})).await;
    assert!(handover_events(srv, &w.admin).await.is_empty(), "nothing carried over while work remains");
    let answer = patch_item(
        srv,
        &w.operator,
        morning_id,
        &items[1],
        json!({"status": "FAILED", "reason": "Postilion down, escalated to vendor"}),
    )
    .await;
    assert_eq!(answer["instance"]["status"], "PENDING_REVIEW");

    let (_, coverage) = srv.get(&format!("{INSTANCES}/today/coverage"), &w.operator).await;
    assert_eq!(coverage["AFTERNOON"], 1, "the afternoon checklist was created for the carry-over");
    let listed = notes_of(srv, &w.operator, morning_id, "").await;
    let carried = automatic(&listed);
    assert_eq!(carried.len(), 1, "{listed}");
    let n = &carried[0];
    assert_eq!(n["priority"], 4);
    assert_eq!(n["is_automatic"], true);
    assert_eq!(n["direction"], "outgoing");
    assert_eq!(n["to_shift"], "AFTERNOON");
    assert_eq!(n["to_date"], "2026-11-25");
    let content = n["content"].as_str().unwrap();
    assert!(content.starts_with("Automatic carry-over: Check services"), "{content}");
    assert!(content.contains("Postilion down, escalated to vendor"), "{content}");
    let afternoon = id_of(&n["to_instance_id"]);
    let incoming = notes_of(srv, &w.operator, afternoon, "").await;
    assert_eq!(automatic(&incoming).len(), 1);
    assert_eq!(incoming["handover_notes"][0]["direction"], "incoming");
    assert_eq!(handover_events(srv, &w.admin).await.len(), 1);
    let manager_alerts = notifications(srv, &w.manager).await;
    assert_eq!(titled(&manager_alerts, "Incoming Handover").len(), 1, "{manager_alerts:?}");

    // Later actions on the same checklist do not carry it over again.
    let (status, body) = srv
        .post(
            &format!("{INSTANCES}/{morning_id}/items/{}/final-verdict", items[1].as_str().unwrap()),
            &w.operator,
            json!({"final_verdict": "Vendor confirmed a fix for tonight"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    patch_item(
        srv,
        &w.operator,
        morning_id,
        &items[1],
        json!({"status": "COMPLETED", "comment": "Redone after the fix"}),
    )
    .await;
    let listed = notes_of(srv, &w.operator, morning_id, "").await;
    assert_eq!(automatic(&listed).len(), 1, "{listed}");
    assert_eq!(handover_events(srv, &w.admin).await.len(), 1);
}

#[tokio::test]
async fn a_reopened_checklist_does_not_carry_the_same_failure_over_twice() {
    let w = world(&["MORNING", "AFTERNOON"]).await;
    let srv = &w.srv;
    let morning = instance(srv, &w.operator, "MORNING", "2026-11-25").await;
    let morning_id = id_of(&morning["id"]);
    let items: Vec<Value> = morning["items"].as_array().unwrap().iter().map(|i| i["id"].clone()).collect();
    patch_item(srv, &w.operator, morning_id, &items[0], json!({"status": "COMPLETED"})).await;
    patch_item(srv, &w.operator, morning_id, &items[1], json!({"status": "FAILED", "reason": "Postilion down"})).await;
    assert_eq!(automatic(&notes_of(srv, &w.operator, morning_id, "").await).len(), 1);
    let (status, body) = srv
        .post(
            &format!("{INSTANCES}/{morning_id}/items/{}/final-verdict", items[1].as_str().unwrap()),
            &w.operator,
            json!({"final_verdict": "Vendor fix scheduled"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = srv.post(&format!("{INSTANCES}/{morning_id}/complete"), &w.manager, json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["instance"]["status"], "COMPLETED_WITH_EXCEPTIONS");
    let (status, body) =
        srv.post(&format!("{INSTANCES}/{morning_id}/reopen"), &w.manager, json!({"reason": "Add evidence"})).await;
    assert_eq!(status, 200, "{body}");
    // Reopening re-enters PENDING_REVIEW and re-runs the carry-over, deduplicated by item.
    let listed = notes_of(srv, &w.operator, morning_id, "").await;
    assert_eq!(automatic(&listed).len(), 1, "one carry-over per failed item: {listed}");
    assert_eq!(handover_events(srv, &w.admin).await.len(), 1);
}

#[tokio::test]
async fn a_note_without_a_source_uses_the_authors_current_checklist() {
    let w = world(&["MORNING", "AFTERNOON"]).await;
    let srv = &w.srv;
    let (status, body) = srv.post(NOTES, &w.operator, json!({"content": "Nothing running yet"})).await;
    assert_eq!(status, 400, "no checklist today: {body}");
    let morning = id_of(&instance(srv, &w.operator, "MORNING", "2026-11-25").await["id"]);
    let created = note(srv, &w.operator, json!({"content": "From wherever I am"})).await;
    assert_eq!(created["from_instance_id"], json!(morning));
    let (_, afternoon) =
        srv.get(&format!("{INSTANCES}/{}", created["to_instance_id"].as_str().unwrap()), &w.operator).await;
    assert_eq!(afternoon["shift"], "AFTERNOON");
    // Naming the target shift and date sends it there instead.
    let tomorrow = note(
        srv,
        &w.operator,
        json!({"content": "For tomorrow morning", "from_instance_id": morning, "to_shift": "MORNING", "to_date": "2026-11-26"}),
    )
    .await;
    let (_, target) =
        srv.get(&format!("{INSTANCES}/{}", tomorrow["to_instance_id"].as_str().unwrap()), &w.operator).await;
    assert_eq!((&target["shift"], &target["checklist_date"]), (&json!("MORNING"), &json!("2026-11-26")));
}

#[tokio::test]
async fn concurrent_notes_share_one_new_next_shift_checklist() {
    let w = world(&["MORNING", "AFTERNOON"]).await;
    let srv = &w.srv;
    let mut mornings = Vec::new();
    for date in ["2026-11-21", "2026-11-22", "2026-11-23", "2026-11-24"] {
        mornings.push(id_of(&instance(srv, &w.operator, "MORNING", date).await["id"]));
    }
    for morning in mornings {
        // Six notes at once, while no afternoon checklist exists yet.
        let calls = (0..6).map(|i| {
            let token = if i % 2 == 0 { &w.operator } else { w.colleague() };
            srv.post(NOTES, token, json!({"content": format!("Note {i}"), "from_instance_id": morning}))
        });
        let answers = futures::future::join_all(calls).await;
        // Every note's transaction may try to create the missing afternoon checklist: the
        // losers of that race must reuse the winner's instead of failing (PostgreSQL).
        for (status, body) in &answers {
            assert_eq!(*status, 200, "a concurrent creation of the next checklist must not refuse a note: {body}");
        }
        let targets: std::collections::HashSet<String> =
            answers.iter().map(|(_, b)| b["to_instance_id"].as_str().unwrap().to_owned()).collect();
        assert_eq!(targets.len(), 1, "one afternoon checklist: {targets:?}");
        assert_eq!(notes_of(srv, &w.operator, morning, "").await["count"], 6);
    }
}

#[tokio::test]
async fn the_last_items_actioned_at_once_still_reach_review_and_carry_over() {
    let w = world(&["MORNING", "AFTERNOON"]).await;
    let srv = &w.srv;
    for day in 10..=25 {
        let date = format!("2026-11-{day}");
        let morning = instance(srv, &w.operator, "MORNING", &date).await;
        let id = id_of(&morning["id"]);
        let items: Vec<Value> = morning["items"].as_array().unwrap().iter().map(|i| i["id"].clone()).collect();
        // Two operators finish the two items at the same moment; one of them fails.
        let first = format!("{INSTANCES}/{id}/items/{}", items[0].as_str().unwrap());
        let second = format!("{INSTANCES}/{id}/items/{}", items[1].as_str().unwrap());
        let done = srv.patch(&first, &w.operator, json!({"status": "COMPLETED"}));
        let failed = srv.patch(&second, w.colleague(), json!({"status": "FAILED", "reason": "Postilion down"}));
        // Two last items actioned at once must still bring the checklist to review (on
        // PostgreSQL the instance row is locked by each change).
        let ((s1, b1), (s2, b2)) = tokio::join!(done, failed);
        assert_eq!((s1.as_u16(), s2.as_u16()), (200, 200), "{b1} / {b2}");
        let (_, view) = srv.get(&format!("{INSTANCES}/{id}"), &w.operator).await;
        assert_eq!(view["status"], "PENDING_REVIEW", "{date}: every item is actioned");
        assert_eq!(automatic(&notes_of(srv, &w.operator, id, "").await).len(), 1, "{date}: one carry-over");
    }
}
