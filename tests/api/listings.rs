//! Instance listings, the operational day, stats, dashboards, policies and metrics over
//! HTTP, with section scoping and a fixed clock in Harare time.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use reqwest::Method;
use sentinelops_testkit::world::World;
use sentinelops_testkit::{TestServer, id_of, t0};
use serde_json::{Value, json};
use uuid::Uuid;

pub(crate) const INSTANCES: &str = "/api/v1/checklists/instances";

/// Harare time; "Core Banking" with a template per shift, "Cards" with a MORNING one.
async fn world_at(now: DateTime<Utc>) -> World {
    World::builder().at(now).harare().cards().drifter().shift_templates().build().await
}

pub(crate) async fn world() -> World {
    world_at(t0()).await
}

pub(crate) async fn instance(srv: &TestServer, token: &str, shift: &str, date: &str) -> Value {
    let (status, body) = srv.post(INSTANCES, token, json!({"shift": shift, "checklist_date": date})).await;
    assert_eq!(status, 200, "{body}");
    body["instance"].clone()
}

pub(crate) async fn get_ok(srv: &TestServer, path: &str, token: &str) -> Value {
    let (status, body) = srv.get(path, token).await;
    assert_eq!(status, 200, "{path}: {body}");
    body
}

/// (date, shift) of each listed instance, in order.
fn slots(list: &Value) -> Vec<(String, String)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|i| (i["checklist_date"].as_str().unwrap().to_owned(), i["shift"].as_str().unwrap().to_owned()))
        .collect()
}

fn slot(date: &str, shift: &str) -> (String, String) {
    (date.to_owned(), shift.to_owned())
}

async fn patch_item(srv: &TestServer, token: &str, instance: Uuid, item: &Value, body: Value) -> Value {
    let path = format!("{INSTANCES}/{instance}/items/{}", item.as_str().unwrap());
    let (status, answer) = srv.patch(&path, token, body).await;
    assert_eq!(status, 200, "{path}: {answer}");
    answer
}

#[tokio::test]
async fn instances_are_listed_by_date_range_and_shift_within_the_section() {
    let w = world().await;
    let srv = &w.srv;
    instance(srv, &w.operator, "MORNING", "2026-11-23").await;
    instance(srv, &w.operator, "NIGHT", "2026-11-24").await;
    let morning = instance(srv, &w.operator, "MORNING", "2026-11-25").await;
    instance(srv, &w.operator, "AFTERNOON", "2026-11-25").await;
    instance(srv, &w.cards().operator, "MORNING", "2026-11-25").await;

    // Today (the operational day) by default, in shift order.
    let today = get_ok(srv, INSTANCES, &w.operator).await;
    assert_eq!(slots(&today), [slot("2026-11-25", "MORNING"), slot("2026-11-25", "AFTERNOON")]);
    let summary = &today[0];
    assert_eq!(summary["id"], morning["id"]);
    assert_eq!(
        summary["template"],
        json!({"id": morning["template"]["id"], "name": "Morning Core Banking", "shift": "MORNING", "version": 1})
    );
    assert_eq!(summary["status"], "OPEN");
    assert_eq!(summary["section_id"], json!(w.section));
    assert_eq!(summary["shift_start"], "2026-11-25T05:00:00Z");
    assert_eq!(summary["shift_end"], "2026-11-25T13:00:00Z");
    assert_eq!(summary["created_by"], json!(w.operator.id));
    assert_eq!(summary["items"], json!([]));
    assert_eq!(summary["participants"], json!([]));
    assert_eq!(summary["total_items"], 2);
    assert_eq!(summary["completion_percentage"], 0.0);

    let range = get_ok(srv, &format!("{INSTANCES}?start_date=2026-11-23&end_date=2026-11-25"), &w.operator).await;
    assert_eq!(
        slots(&range),
        [
            slot("2026-11-23", "MORNING"),
            slot("2026-11-24", "NIGHT"),
            slot("2026-11-25", "MORNING"),
            slot("2026-11-25", "AFTERNOON"),
        ]
    );
    let nights =
        get_ok(srv, &format!("{INSTANCES}?start_date=2026-11-01&end_date=2026-11-30&shift=NIGHT"), &w.operator).await;
    assert_eq!(slots(&nights), [slot("2026-11-24", "NIGHT")]);
    let one_day = get_ok(srv, &format!("{INSTANCES}?start_date=2026-11-24&end_date=2026-11-24"), &w.manager).await;
    assert_eq!(slots(&one_day), [slot("2026-11-24", "NIGHT")]);

    // Another section sees only its own; admins see every section; no section, nothing.
    assert_eq!(slots(&get_ok(srv, INSTANCES, &w.cards().operator).await), [slot("2026-11-25", "MORNING")]);
    assert_eq!(get_ok(srv, INSTANCES, &w.cards().operator).await[0]["section_id"], json!(w.cards().id));
    assert_eq!(get_ok(srv, INSTANCES, &w.admin).await.as_array().unwrap().len(), 3);
    assert_eq!(get_ok(srv, INSTANCES, w.drifter()).await, json!([]));

    for bad in ["?start_date=2026-11-26&end_date=2026-11-25", "?shift=EVENING", "?start_date=yesterday"] {
        let (status, body) = srv.get(&format!("{INSTANCES}{bad}"), &w.operator).await;
        assert_eq!(status, 422, "{bad}: {body}");
    }
}

#[tokio::test]
async fn the_paginated_listing_has_the_envelope_filters_search_and_sorting() {
    let w = world().await;
    let srv = &w.srv;
    // Twenty mornings (11-06 … 11-25), a night and an afternoon, and one from long ago.
    let start = NaiveDate::from_ymd_opt(2026, 11, 6).unwrap();
    for day in 0..20 {
        instance(srv, &w.operator, "MORNING", &(start + Duration::days(day)).to_string()).await;
    }
    let night = instance(srv, &w.operator, "NIGHT", "2026-11-24").await;
    instance(srv, &w.operator, "AFTERNOON", "2026-11-25").await;
    instance(srv, &w.operator, "MORNING", "2026-10-01").await;
    instance(srv, &w.cards().operator, "MORNING", "2026-11-25").await;
    let paged = |query: &str| format!("{INSTANCES}/paginated{query}");

    // Defaults: the last 30 days up to today, 18 a page, newest first.
    let first = get_ok(srv, &paged(""), &w.operator).await;
    let mut envelope_keys: Vec<&str> = first.as_object().unwrap().keys().map(String::as_str).collect();
    envelope_keys.sort_unstable();
    assert_eq!(envelope_keys, ["has_next", "has_prev", "items", "page", "pages", "total"]);
    assert_eq!(first["total"], 22, "the 2026-10-01 checklist is older than 30 days");
    assert_eq!((&first["page"], &first["pages"]), (&json!(1), &json!(2)));
    assert_eq!((&first["has_next"], &first["has_prev"]), (&json!(true), &json!(false)));
    let items = first["items"].clone();
    assert_eq!(items.as_array().unwrap().len(), 18);
    assert_eq!(
        slots(&items)[..4],
        [
            slot("2026-11-25", "AFTERNOON"),
            slot("2026-11-25", "MORNING"),
            slot("2026-11-24", "NIGHT"),
            slot("2026-11-24", "MORNING"),
        ]
    );
    let second = get_ok(srv, &paged("?page=2"), &w.operator).await;
    assert_eq!(second["items"].as_array().unwrap().len(), 4);
    assert_eq!((&second["has_next"], &second["has_prev"]), (&json!(false), &json!(true)));
    assert_eq!(slots(&second["items"]).last().unwrap(), &slot("2026-11-06", "MORNING"));
    let beyond = get_ok(srv, &paged("?page=3"), &w.operator).await;
    assert_eq!(beyond["items"], json!([]));
    assert_eq!(beyond["total"], 22);
    let small = get_ok(srv, &paged("?limit=5&page=2"), &w.operator).await;
    assert_eq!((&small["pages"], &small["items"].as_array().unwrap().len()), (&json!(5), &5));
    assert_eq!(get_ok(srv, &paged("?limit=100"), &w.operator).await["items"].as_array().unwrap().len(), 22);
    let all_time = get_ok(srv, &paged("?start_date=2026-01-01"), &w.operator).await;
    assert_eq!(all_time["total"], 23);

    // Filters.
    let nights = get_ok(srv, &paged("?shift=NIGHT"), &w.operator).await;
    assert_eq!(slots(&nights["items"]), [slot("2026-11-24", "NIGHT")]);
    assert_eq!(get_ok(srv, &paged("?shift=all"), &w.operator).await["total"], 22);
    assert_eq!(get_ok(srv, &paged("?status=OPEN"), &w.operator).await["total"], 22);
    assert_eq!(get_ok(srv, &paged("?status=COMPLETED"), &w.operator).await["total"], 0);
    let by_name = get_ok(srv, &paged("?search=afternoon%20core"), &w.operator).await;
    assert_eq!(slots(&by_name["items"]), [slot("2026-11-25", "AFTERNOON")], "case-insensitive, by template name");
    assert_eq!(get_ok(srv, &paged("?search=Core%20Banking"), &w.operator).await["total"], 22);
    assert_eq!(get_ok(srv, &paged("?search=Cards"), &w.operator).await["total"], 0, "not another section's");
    let by_date = get_ok(srv, &paged("?search=2026-11-24"), &w.operator).await;
    assert_eq!(slots(&by_date["items"]), [slot("2026-11-24", "NIGHT"), slot("2026-11-24", "MORNING")]);
    let by_id = get_ok(srv, &paged(&format!("?search={}", night["id"].as_str().unwrap())), &w.operator).await;
    assert_eq!(by_id["total"], 1);
    assert_eq!(by_id["items"][0]["id"], night["id"]);
    let by_shift_word = get_ok(srv, &paged("?search=night"), &w.operator).await;
    assert_eq!(by_shift_word["total"], 1);
    assert_eq!(get_ok(srv, &paged("?search=nothing-like-this"), &w.operator).await["total"], 0);

    // Sorting.
    let oldest_first = get_ok(srv, &paged("?sort_order=asc&limit=3"), &w.operator).await;
    assert_eq!(
        slots(&oldest_first["items"]),
        [slot("2026-11-06", "MORNING"), slot("2026-11-07", "MORNING"), slot("2026-11-08", "MORNING")]
    );
    let by_date_key = get_ok(srv, &paged("?sort_by=checklist_date&sort_order=asc&limit=1"), &w.operator).await;
    assert_eq!(slots(&by_date_key["items"]), [slot("2026-11-06", "MORNING")]);
    for query in ["?sort_by=status&sort_order=asc", "?sort_by=status&sort_order=desc"] {
        assert_eq!(get_ok(srv, &paged(query), &w.operator).await["total"], 22, "{query}");
    }

    // Refused queries.
    for bad in [
        "?limit=101",
        "?limit=0",
        "?page=0",
        "?page=-1",
        "?limit=ten",
        "?sort_by=template",
        "?sort_by=id;drop",
        "?sort_order=sideways",
        "?shift=EVENING",
        "?status=DONE",
        "?start_date=2026-11-26&end_date=2026-11-25",
    ] {
        let (status, body) = srv.get(&paged(bad), &w.operator).await;
        assert_eq!(status, 422, "{bad}: {body}");
        assert!(body["detail"].is_string(), "{bad}: {body}");
    }

    // Scoping.
    let cards = get_ok(srv, &paged(""), &w.cards().operator).await;
    assert_eq!(cards["total"], 1);
    assert_eq!(cards["items"][0]["section_id"], json!(w.cards().id));
    assert_eq!(get_ok(srv, &paged(""), &w.admin).await["total"], 23);
    let nobody = get_ok(srv, &paged(""), w.drifter()).await;
    assert_eq!(nobody, json!({"items": [], "total": 0, "page": 1, "pages": 0, "has_next": false, "has_prev": false}));
}

#[tokio::test]
async fn sorting_by_shift_orders_the_shifts() {
    let w = world().await;
    let srv = &w.srv;
    instance(srv, &w.operator, "NIGHT", "2026-11-23").await;
    instance(srv, &w.operator, "MORNING", "2026-11-24").await;
    instance(srv, &w.operator, "AFTERNOON", "2026-11-25").await;
    instance(srv, &w.operator, "MORNING", "2026-11-25").await;
    let list = get_ok(srv, &format!("{INSTANCES}/paginated?sort_by=shift&sort_order=asc"), &w.operator).await;
    let shifts: Vec<&str> = list["items"].as_array().unwrap().iter().map(|i| i["shift"].as_str().unwrap()).collect();
    // Shifts sort in the day's order, as the original's enum did.
    assert_eq!(shifts, ["MORNING", "MORNING", "AFTERNOON", "NIGHT"], "{list}");
}

#[tokio::test]
async fn today_and_coverage_follow_the_operational_day_in_the_business_time_zone() {
    // 06:30 in Harare on the 26th: still the 25th's operational day.
    let w = world_at(Utc.with_ymd_and_hms(2026, 11, 26, 4, 30, 0).unwrap()).await;
    let srv = &w.srv;
    let coverage = format!("{INSTANCES}/today/coverage");
    assert_eq!(get_ok(srv, &coverage, &w.operator).await, json!({"MORNING": 0, "AFTERNOON": 0, "NIGHT": 0}));
    let night = instance(srv, &w.operator, "NIGHT", "2026-11-25").await;
    instance(srv, &w.operator, "AFTERNOON", "2026-11-25").await;
    instance(srv, &w.operator, "MORNING", "2026-11-24").await;
    // Without a date the checklist is for the operational day.
    let (status, body) = srv.post(INSTANCES, &w.operator, json!({"shift": "MORNING"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["instance"]["checklist_date"], "2026-11-25");
    instance(srv, &w.cards().operator, "MORNING", "2026-11-25").await;

    assert_eq!(get_ok(srv, &coverage, &w.operator).await, json!({"MORNING": 1, "AFTERNOON": 1, "NIGHT": 1}));
    assert_eq!(get_ok(srv, &coverage, &w.cards().operator).await, json!({"MORNING": 1, "AFTERNOON": 0, "NIGHT": 0}));
    assert_eq!(get_ok(srv, &coverage, &w.admin).await, json!({"MORNING": 2, "AFTERNOON": 1, "NIGHT": 1}));
    assert_eq!(get_ok(srv, &coverage, w.drifter()).await, json!({"MORNING": 0, "AFTERNOON": 0, "NIGHT": 0}));
    let today = get_ok(srv, &format!("{INSTANCES}/today"), &w.operator).await;
    assert_eq!(
        slots(&today),
        [slot("2026-11-25", "MORNING"), slot("2026-11-25", "AFTERNOON"), slot("2026-11-25", "NIGHT")]
    );
    // Full instances: items with their titles, participants.
    let full_night = &today[2];
    assert_eq!(full_night["id"], night["id"]);
    assert_eq!(full_night["shift_start"], "2026-11-25T21:00:00Z");
    assert_eq!(full_night["shift_end"], "2026-11-26T05:00:00Z");
    let titles: Vec<&str> =
        full_night["items"].as_array().unwrap().iter().map(|i| i["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["Review handover notes", "Check services"]);
    assert!(full_night["participants"].is_array());
    assert_eq!(get_ok(srv, &format!("{INSTANCES}/today"), w.drifter()).await, json!([]));
    assert_eq!(get_ok(srv, INSTANCES, &w.operator).await.as_array().unwrap().len(), 3, "the default range too");
    // The dashboard agrees, and the night shift is the one running now.
    let s = get_ok(srv, "/api/v1/checklists/dashboard/summary", &w.operator).await;
    assert_eq!(s["operational_day"]["checklist_date"], "2026-11-25");
    assert_eq!(s["checklist_threads"].as_array().unwrap().len(), 3);
    let active = get_ok(srv, "/api/v1/checklists/dashboard/active", &w.operator).await;
    assert_eq!(slots(&active), [slot("2026-11-25", "NIGHT")]);

    // 07:00 in Harare: a new operational day.
    w.clock.set(Utc.with_ymd_and_hms(2026, 11, 26, 5, 0, 0).unwrap());
    assert_eq!(get_ok(srv, &coverage, &w.operator).await, json!({"MORNING": 0, "AFTERNOON": 0, "NIGHT": 0}));
    assert_eq!(get_ok(srv, &format!("{INSTANCES}/today"), &w.operator).await, json!([]));
    let (_, body) = srv.post(INSTANCES, &w.operator, json!({"shift": "MORNING"})).await;
    assert_eq!(body["instance"]["checklist_date"], "2026-11-26");
    assert_eq!(get_ok(srv, &coverage, &w.operator).await, json!({"MORNING": 1, "AFTERNOON": 0, "NIGHT": 0}));
}

#[tokio::test]
async fn instance_stats_count_items_and_time_left() {
    let w = world().await;
    let srv = &w.srv;
    let morning = instance(srv, &w.operator, "MORNING", "2026-11-25").await;
    let id = id_of(&morning["id"]);
    let items: Vec<Value> = morning["items"].as_array().unwrap().iter().map(|i| i["id"].clone()).collect();
    let stats_path = format!("{INSTANCES}/{id}/stats");
    let stats = get_ok(srv, &stats_path, &w.operator).await;
    assert_eq!(stats["total_items"], 2);
    assert_eq!(stats["pending_items"], 2);
    assert_eq!(stats["completed_items"], 0);
    assert_eq!(stats["completion_percentage"], 0.0);
    assert_eq!(stats["estimated_time_remaining_minutes"], 180, "the shift ends at 15:00 Harare, three hours on");

    assert_eq!(srv.post(&format!("{INSTANCES}/{id}/join"), &w.operator, json!({})).await.0, 200);
    patch_item(srv, &w.operator, id, &items[0], json!({"status": "COMPLETED"})).await;
    w.clock.advance(Duration::minutes(30));
    patch_item(srv, &w.operator, id, &items[1], json!({"status": "FAILED", "reason": "Postilion down"})).await;
    let stats = get_ok(srv, &stats_path, &w.manager).await;
    assert_eq!(stats["instance_id"], json!(id));
    assert_eq!(stats["status"], "PENDING_REVIEW");
    assert_eq!(stats["total_items"], 2);
    assert_eq!(stats["completed_items"], 1);
    assert_eq!(stats["failed_items"], 1);
    assert_eq!(stats["skipped_items"], 0);
    assert_eq!(stats["pending_items"], 0);
    assert_eq!(stats["in_progress_items"], 0);
    assert_eq!(stats["completion_percentage"], 50.0);
    assert_eq!(stats["required_completion_percentage"], 50.0);
    assert_eq!(stats["estimated_time_remaining_minutes"], 150);
    assert_eq!(stats["participant_count"], 1);

    let (status, _) = srv.get(&stats_path, &w.cards().operator).await;
    assert_eq!(status, 403);
    let (status, _) = srv.get(&format!("{INSTANCES}/{}/stats", Uuid::now_v7()), &w.operator).await;
    assert_eq!(status, 404);
    let (status, _) = srv.get(&format!("{INSTANCES}/nope/stats"), &w.operator).await;
    assert_eq!(status, 422);
}

async fn summary(srv: &TestServer, token: &str) -> Value {
    get_ok(srv, "/api/v1/checklists/dashboard/summary", token).await
}

fn card<'a>(summary: &'a Value, shift: &str) -> &'a Value {
    summary["shift_cards"].as_array().unwrap().iter().find(|c| c["shift"] == shift).unwrap()
}

#[tokio::test]
async fn the_dashboard_summary_reflects_the_operational_day() {
    let w = world().await;
    let srv = &w.srv;

    // Nothing yet: standby.
    let empty = summary(srv, &w.manager).await;
    let mut top: Vec<&str> = empty.as_object().unwrap().keys().map(String::as_str).collect();
    top.sort_unstable();
    assert_eq!(
        top,
        [
            "attention_queue",
            "checklist_threads",
            "command_metrics",
            "generated_at",
            "handover_feed",
            "notifications_unread",
            "operational_day",
            "shift_cards"
        ]
    );
    assert_eq!(
        empty["operational_day"],
        json!({
            "checklist_date": "2026-11-25",
            "window_start": "2026-11-25T05:00:00Z",
            "window_end": "2026-11-26T05:00:00Z",
            "timezone": "Africa/Harare",
            "boundary_time": "07:00:00",
        })
    );
    assert_eq!(empty["generated_at"], "2026-11-25T10:00:00Z");
    assert_eq!(empty["command_metrics"]["posture_label"], "Standby");
    assert_eq!(empty["command_metrics"]["active_instances"], 0);
    assert_eq!(empty["checklist_threads"], json!([]));
    assert_eq!(empty["attention_queue"], json!([]));
    assert_eq!(empty["handover_feed"], json!([]));
    let shifts: Vec<&Value> = empty["shift_cards"].as_array().unwrap().iter().map(|c| &c["shift"]).collect();
    assert_eq!(shifts, [&json!("MORNING"), &json!("AFTERNOON"), &json!("NIGHT")]);
    assert!(empty["shift_cards"].as_array().unwrap().iter().all(|c| c["operations"] == 0));

    // An open checklist nobody has joined: a coverage gap, guarded.
    let morning = instance(srv, &w.operator, "MORNING", "2026-11-25").await;
    let id = id_of(&morning["id"]);
    let items: Vec<Value> = morning["items"].as_array().unwrap().iter().map(|i| i["id"].clone()).collect();
    instance(srv, &w.operator, "MORNING", "2026-11-24").await; // another day: not counted
    instance(srv, &w.cards().operator, "MORNING", "2026-11-25").await; // another section
    let s = summary(srv, &w.manager).await;
    let m = &s["command_metrics"];
    assert_eq!(m["active_instances"], 1);
    assert_eq!(m["coverage_gap_count"], 1);
    assert_eq!(m["in_progress_count"], 0);
    assert_eq!(m["total_items"], 2);
    assert_eq!(m["critical_items"], 0);
    assert_eq!(m["critical_containment"], 100);
    assert_eq!(m["posture_label"], "Guarded");
    assert_eq!(s["checklist_threads"].as_array().unwrap().len(), 1);
    let thread = &s["checklist_threads"][0];
    assert_eq!(thread["instance_id"], json!(id));
    assert_eq!(thread["template_name"], "Morning Core Banking");
    assert_eq!(thread["status"], "OPEN");
    assert_eq!(thread["participant_count"], 0);
    assert_eq!(thread["user_joined"], false);
    assert_eq!(thread["total_items"], 2);
    assert_eq!(thread["execution_percentage"], 0);
    assert_eq!(thread["has_exception_pressure"], false);
    let queue = s["attention_queue"].as_array().unwrap();
    assert_eq!(queue.len(), 1, "{queue:?}");
    assert_eq!(queue[0]["tone"], "warning");
    assert_eq!(queue[0]["instance_id"], json!(id));
    let mc = card(&s, "MORNING");
    assert_eq!((&mc["operations"], &mc["participants"], &mc["exceptions"]), (&json!(1), &json!(0), &json!(0)));
    assert_eq!(mc["readiness"], 0);
    assert_eq!(mc["status"], "Building momentum");
    assert_eq!(card(&s, "AFTERNOON")["status"], "No active thread");

    // Someone joins: stable.
    assert_eq!(srv.post(&format!("{INSTANCES}/{id}/join"), &w.operator, json!({})).await.0, 200);
    let s = summary(srv, &w.operator).await;
    assert_eq!(s["command_metrics"]["coverage_gap_count"], 0);
    assert_eq!(s["command_metrics"]["posture_label"], "Stable");
    assert_eq!(s["checklist_threads"][0]["participant_count"], 1);
    assert_eq!(s["checklist_threads"][0]["user_joined"], true);
    assert_eq!(summary(srv, &w.manager).await["checklist_threads"][0]["user_joined"], false);
    assert_eq!(s["attention_queue"], json!([]));

    // Half done.
    patch_item(srv, &w.operator, id, &items[0], json!({"status": "COMPLETED"})).await;
    let s = summary(srv, &w.manager).await;
    assert_eq!(s["command_metrics"]["in_progress_count"], 1);
    assert_eq!(s["command_metrics"]["completed_items"], 1);
    assert_eq!(s["command_metrics"]["execution_rate"], 50);
    assert_eq!(s["command_metrics"]["completion_rate"], 50);
    assert_eq!(s["checklist_threads"][0]["execution_percentage"], 50);
    assert_eq!(card(&s, "MORNING")["readiness"], 50);
    assert_eq!(card(&s, "MORNING")["participants"], 1);

    // A failure: elevated; the carry-over opened the afternoon checklist (nobody on it yet).
    patch_item(srv, &w.operator, id, &items[1], json!({"status": "FAILED", "reason": "Postilion down"})).await;
    let s = summary(srv, &w.manager).await;
    let m = &s["command_metrics"];
    assert_eq!(m["posture_label"], "Elevated");
    assert_eq!(m["active_instances"], 2);
    assert_eq!(m["pending_review_count"], 1);
    assert_eq!(m["in_progress_count"], 0);
    assert_eq!(m["coverage_gap_count"], 1, "the afternoon checklist has no participants");
    assert_eq!(m["total_items"], 4);
    assert_eq!(m["actioned_items"], 2);
    assert_eq!(m["completed_items"], 1);
    assert_eq!(m["execution_rate"], 50);
    assert_eq!(m["completion_rate"], 25);
    let threads = s["checklist_threads"].as_array().unwrap();
    let t = threads.iter().find(|t| t["instance_id"] == json!(id)).unwrap();
    assert_eq!(t["status"], "PENDING_REVIEW");
    assert_eq!(t["exception_items"], 1);
    assert_eq!(t["actioned_items"], 2);
    assert_eq!(t["execution_percentage"], 100);
    assert_eq!(t["has_exception_pressure"], true);
    assert_eq!(t["handover_count"], 1, "the automatic carry-over");
    let mc = card(&s, "MORNING");
    assert_eq!(mc["exceptions"], 1);
    assert_eq!(mc["status"], "Exceptions tracked");
    assert_eq!(card(&s, "AFTERNOON")["operations"], 1);
    let queue = s["attention_queue"].as_array().unwrap();
    assert!(queue.iter().any(|a| a["tone"] == "critical" && a["instance_id"] == json!(id)), "{queue:?}");
    assert_eq!(queue[0]["tone"], "critical", "critical entries first: {queue:?}");
    assert!(queue.len() <= 8);
    assert_eq!(
        s["handover_feed"],
        json!([{"id": id, "shift": "MORNING", "count": 1}]),
        "one row per checklist with outgoing notes: the carry-over"
    );
    assert_eq!(m["handover_count"], 1);
    let (_, count) = srv.get("/api/v1/notifications/unread/count", &w.manager).await;
    assert_eq!(s["notifications_unread"], count["count"]);
    assert!(s["notifications_unread"].as_u64().unwrap() >= 2, "sign-off request and incoming handover");

    // Sign-off with exceptions.
    let (status, body) = srv.post(&format!("{INSTANCES}/{id}/complete"), &w.manager, json!({})).await;
    assert_eq!(status, 200, "{body}");
    let m = summary(srv, &w.manager).await["command_metrics"].clone();
    assert_eq!(m["completed_count"], 1);
    assert_eq!(m["exception_count"], 1);
    assert_eq!(m["pending_review_count"], 0);
    assert_eq!(m["active_instances"], 1);
    assert_eq!(m["posture_label"], "Elevated");

    // Other sections and admins.
    let cards = summary(srv, &w.cards().manager).await;
    assert_eq!(cards["checklist_threads"].as_array().unwrap().len(), 1);
    assert_eq!(cards["checklist_threads"][0]["template_name"], "Cards Morning");
    assert_eq!(cards["handover_feed"], json!([]));
    assert_eq!(summary(srv, &w.admin).await["checklist_threads"].as_array().unwrap().len(), 3);
    let nobody = summary(srv, w.drifter()).await;
    assert_eq!(nobody["checklist_threads"], json!([]));
    assert_eq!(nobody["command_metrics"]["posture_label"], "Standby");
}

#[tokio::test]
async fn critical_items_drive_containment_and_posture() {
    let w = world().await;
    let srv = &w.srv;
    let section = srv.create_section("Treasury").await;
    let (_, op) = srv.user_with_token("tia.operator", "user", Some(section)).await;
    w.template(
        section,
        "Treasury Morning",
        "MORNING",
        json!([
            {"title": "Reconcile nostro", "severity": 5, "sort_order": 1},
            {"title": "Check SWIFT", "severity": 4, "sort_order": 2},
            {"title": "Tidy desk", "severity": 1, "sort_order": 3},
        ]),
    )
    .await;
    let morning = instance(srv, &op, "MORNING", "2026-11-25").await;
    let id = id_of(&morning["id"]);
    let items: Vec<Value> = morning["items"].as_array().unwrap().iter().map(|i| i["id"].clone()).collect();
    assert_eq!(srv.post(&format!("{INSTANCES}/{id}/join"), &op, json!({})).await.0, 200);
    let m = summary(srv, &op).await["command_metrics"].clone();
    assert_eq!(m["critical_items"], 2);
    assert_eq!(m["open_critical_items"], 2);
    assert_eq!(m["critical_containment"], 0);
    assert_eq!(m["posture_label"], "Elevated", "open criticals");
    patch_item(srv, &op, id, &items[0], json!({"status": "COMPLETED"})).await;
    let s = summary(srv, &op).await;
    assert_eq!(s["command_metrics"]["open_critical_items"], 1);
    assert_eq!(s["command_metrics"]["critical_containment"], 50);
    assert_eq!(s["checklist_threads"][0]["critical_items"], 2);
    assert_eq!(s["checklist_threads"][0]["open_critical_items"], 1);
    patch_item(srv, &op, id, &items[1], json!({"status": "SKIPPED", "reason": "SWIFT window closed"})).await;
    let m = summary(srv, &op).await["command_metrics"].clone();
    assert_eq!(m["open_critical_items"], 0, "a skipped critical item is not open");
    assert_eq!(m["critical_containment"], 100);
    assert_eq!(m["posture_label"], "Elevated", "an exception");
}

#[tokio::test]
async fn active_checklists_user_activity_and_performance_metrics() {
    let w = world().await;
    let srv = &w.srv;
    let morning = instance(srv, &w.operator, "MORNING", "2026-11-25").await;
    let id = id_of(&morning["id"]);
    instance(srv, &w.operator, "AFTERNOON", "2026-11-25").await;
    instance(srv, &w.cards().operator, "MORNING", "2026-11-25").await;
    let items: Vec<Value> = morning["items"].as_array().unwrap().iter().map(|i| i["id"].clone()).collect();
    assert_eq!(srv.post(&format!("{INSTANCES}/{id}/join"), &w.operator, json!({})).await.0, 200);
    patch_item(srv, &w.operator, id, &items[0], json!({"status": "COMPLETED"})).await;
    w.clock.advance(Duration::minutes(7));
    patch_item(srv, &w.operator, id, &items[1], json!({"status": "SKIPPED", "reason": "Not needed today"})).await;

    // Active: only the checklist of the shift running now (MORNING at 12:00 Harare).
    let active = get_ok(srv, "/api/v1/checklists/dashboard/active", &w.manager).await;
    let active = active.as_array().unwrap();
    assert_eq!(active.len(), 1, "{active:?}");
    assert_eq!(active[0]["id"], json!(id));
    assert_eq!(active[0]["shift"], "MORNING");
    assert_eq!(active[0]["status"], "PENDING_REVIEW");
    assert_eq!(active[0]["participant_count"], 1);
    assert_eq!(active[0]["completed_items"], 1);
    assert_eq!(active[0]["skipped_items"], 1);
    assert_eq!(active[0]["total_items"], 2);
    let cards_active = get_ok(srv, "/api/v1/checklists/dashboard/active", &w.cards().manager).await;
    assert_eq!(cards_active.as_array().unwrap().len(), 1);
    assert_ne!(cards_active[0]["id"], json!(id));
    assert_eq!(get_ok(srv, "/api/v1/checklists/dashboard/active", w.drifter()).await, json!([]));

    // User activity: the section's users only, busiest first.
    let activity = get_ok(srv, "/api/v1/checklists/dashboard/user-activity", &w.manager).await;
    let activity = activity.as_array().unwrap();
    let usernames: Vec<&str> = activity.iter().map(|u| u["username"].as_str().unwrap()).collect();
    assert_eq!(usernames[0], "olu.operator");
    assert!(!usernames.contains(&"cara.operator") && !usernames.contains(&"carl.manager"), "{usernames:?}");
    assert!(usernames.contains(&"mary.manager"));
    let olu = &activity[0];
    assert_eq!(olu["id"], json!(w.operator.id));
    assert_eq!(olu["total_activities"], 2);
    assert_eq!(olu["completed_count"], 1);
    assert_eq!(olu["skipped_count"], 1);
    assert_eq!(olu["escalated_count"], 0);
    assert_eq!(olu["last_activity"], "2026-11-25T10:07:00Z");
    let later = get_ok(srv, "/api/v1/checklists/dashboard/user-activity?since=2026-11-25T10:05:00Z", &w.manager).await;
    let olu = later.as_array().unwrap().iter().find(|u| u["username"] == "olu.operator").unwrap().clone();
    assert_eq!(olu["total_activities"], 1);
    assert_eq!(olu["skipped_count"], 1);
    let everyone = get_ok(srv, "/api/v1/checklists/dashboard/user-activity", &w.admin).await;
    assert!(everyone.as_array().unwrap().iter().any(|u| u["username"] == "cara.operator"));

    // Performance metrics: mine by default; supervisors of my section may read mine.
    let metrics = get_ok(srv, "/api/v1/checklists/performance/metrics", &w.operator).await;
    assert_eq!(metrics["user_id"], json!(w.operator.id));
    assert_eq!(metrics["username"], "olu.operator");
    assert_eq!(metrics["start_date"], "2026-10-26");
    assert_eq!(metrics["end_date"], "2026-11-25");
    assert_eq!(metrics["total_actions"], 2);
    assert_eq!(metrics["completed"], 1);
    assert_eq!(metrics["skipped"], 1);
    assert_eq!(metrics["escalated"], 0);
    assert_eq!(metrics["last_activity"], "2026-11-25T10:07:00Z");
    let path = format!("/api/v1/checklists/performance/metrics?user_id={}", w.operator.id);
    assert_eq!(get_ok(srv, &path, &w.manager).await["total_actions"], 2);
    assert_eq!(get_ok(srv, &path, &w.admin).await["total_actions"], 2);
    let (status, _) = srv.get(&path, &w.cards().manager).await;
    assert_eq!(status, 403);
    let (status, _) = srv.get(&path, &w.cards().operator).await;
    assert_eq!(status, 403);
    let earlier = get_ok(srv, &format!("{path}&start_date=2026-11-01&end_date=2026-11-24"), &w.manager).await;
    assert_eq!(earlier["total_actions"], 0);
    let (status, _) =
        srv.get(&format!("/api/v1/checklists/performance/metrics?user_id={}", Uuid::now_v7()), &w.admin).await;
    assert_eq!(status, 404);
    for bad in ["?start_date=2026-11-26&end_date=2026-11-25", "?user_id=nope", "?start_date=soon"] {
        let (status, body) = srv.get(&format!("/api/v1/checklists/performance/metrics{bad}"), &w.operator).await;
        assert_eq!(status, 422, "{bad}: {body}");
    }
}

#[tokio::test]
async fn the_state_and_authorization_policies_are_served() {
    let w = world().await;
    let srv = &w.srv;
    let policy = get_ok(srv, "/api/v1/checklists/state-policy", &w.operator).await;
    let items = policy["rules"]["CHECKLIST_ITEM"].as_array().unwrap();
    assert_eq!(items.len(), 9, "{policy}");
    let mut pairs: Vec<(String, String, bool)> = items
        .iter()
        .map(|r| {
            (r["from"].as_str().unwrap().to_owned(), r["to"].as_str().unwrap().to_owned(), r["requires_reason"] == true)
        })
        .collect();
    pairs.sort();
    let expected: Vec<(String, String, bool)> = [
        ("FAILED", "COMPLETED", false),
        ("IN_PROGRESS", "COMPLETED", false),
        ("IN_PROGRESS", "FAILED", true),
        ("IN_PROGRESS", "SKIPPED", true),
        ("PENDING", "COMPLETED", false),
        ("PENDING", "FAILED", true),
        ("PENDING", "IN_PROGRESS", false),
        ("PENDING", "SKIPPED", true),
        ("SKIPPED", "COMPLETED", false),
    ]
    .into_iter()
    .map(|(a, b, c)| (a.to_owned(), b.to_owned(), c))
    .collect();
    assert_eq!(pairs, expected);
    assert_eq!(policy["rules"]["CHECKLIST_SUBITEM"].as_array().unwrap().len(), 9);
    assert!(!policy["rules"]["CHECKLIST_INSTANCE"].as_array().unwrap().is_empty());

    let auth = get_ok(srv, "/api/v1/checklists/authorization-policy", &w.operator).await;
    let caps = |role: &str| -> Vec<String> {
        auth["roles"][role].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect()
    };
    assert!(caps("user").contains(&"PARTICIPANT_UPDATE_ITEM".to_owned()));
    assert!(!caps("user").contains(&"MANAGE_TEMPLATES".to_owned()));
    assert!(caps("manager").contains(&"MANAGE_TEMPLATES".to_owned()));
    assert!(caps("manager").contains(&"SUPERVISOR_COMPLETE_CHECKLIST".to_owned()));
    assert!(!caps("manager").contains(&"MANAGE_USERS".to_owned()));
    assert!(caps("admin").contains(&"MANAGE_USERS".to_owned()));
    assert!(caps("user").iter().all(|c| caps("manager").contains(c)));
    assert!(caps("manager").iter().all(|c| caps("admin").contains(c)));
}

#[tokio::test]
async fn every_listing_and_dashboard_endpoint_requires_a_session() {
    let w = world().await;
    let srv = &w.srv;
    let morning = instance(srv, &w.operator, "MORNING", "2026-11-25").await;
    let id = morning["id"].as_str().unwrap();
    for path in [
        INSTANCES.to_owned(),
        format!("{INSTANCES}/paginated"),
        format!("{INSTANCES}/today"),
        format!("{INSTANCES}/today/coverage"),
        format!("{INSTANCES}/{id}"),
        format!("{INSTANCES}/{id}/stats"),
        format!("{INSTANCES}/{id}/handover-notes"),
        "/api/v1/checklists/dashboard/summary".to_owned(),
        "/api/v1/checklists/dashboard/active".to_owned(),
        "/api/v1/checklists/dashboard/user-activity".to_owned(),
        "/api/v1/checklists/state-policy".to_owned(),
        "/api/v1/checklists/authorization-policy".to_owned(),
        "/api/v1/checklists/performance/metrics".to_owned(),
        "/api/v1/checklists/templates".to_owned(),
        "/api/v1/checklists/shifts".to_owned(),
    ] {
        let (status, body) = srv.call(Method::GET, &path, None, None).await;
        assert_eq!(status, 401, "{path}: {body}");
        let (status, _) = srv.call(Method::GET, &path, Some("not-a-real-token"), None).await;
        assert_eq!(status, 401, "{path} with a bad token");
    }
}

#[tokio::test]
async fn another_sections_instances_are_never_listed_or_readable() {
    let w = world().await;
    let srv = &w.srv;
    let ours = instance(srv, &w.operator, "MORNING", "2026-11-25").await;
    let theirs = instance(srv, &w.cards().operator, "MORNING", "2026-11-25").await;
    let theirs_id = theirs["id"].as_str().unwrap();
    for path in [INSTANCES.to_owned(), format!("{INSTANCES}/paginated?limit=100"), format!("{INSTANCES}/today")] {
        let body = get_ok(srv, &path, &w.manager).await;
        let list = if body.is_array() { body.clone() } else { body["items"].clone() };
        let ids: Vec<&Value> = list.as_array().unwrap().iter().map(|i| &i["id"]).collect();
        assert_eq!(ids, [&ours["id"]], "{path}");
    }
    let threads = summary(srv, &w.manager).await["checklist_threads"].clone();
    assert_eq!(threads.as_array().unwrap().len(), 1);
    assert_eq!(threads[0]["instance_id"], ours["id"]);
    for path in [
        format!("{INSTANCES}/{theirs_id}"),
        format!("{INSTANCES}/{theirs_id}/stats"),
        format!("{INSTANCES}/{theirs_id}/handover-notes"),
    ] {
        let (status, _) = srv.get(&path, &w.operator).await;
        assert_eq!(status, 403, "{path}");
    }
    // A search by the other section's id finds nothing.
    let found = get_ok(srv, &format!("{INSTANCES}/paginated?search={theirs_id}"), &w.operator).await;
    assert_eq!(found["total"], 0);
}

#[tokio::test]
async fn search_narrows_the_other_filters_instead_of_replacing_them() {
    let w = world().await;
    let srv = &w.srv;
    instance(srv, &w.operator, "MORNING", "2026-11-24").await;
    instance(srv, &w.operator, "NIGHT", "2026-11-24").await;
    instance(srv, &w.operator, "MORNING", "2026-11-25").await;
    let token = w.operator.clone();
    let total = |query: &str| {
        let path = format!("{INSTANCES}/paginated{query}");
        let token = token.clone();
        async move { get_ok(srv, &path, &token).await["total"].as_u64().unwrap() }
    };
    assert_eq!(total("?shift=NIGHT").await, 1);
    assert_eq!(total("?search=morning").await, 2);
    // A search that reads as a shift, a status or a date narrows the explicit filters.
    let narrowed = (
        total("?shift=NIGHT&search=morning").await,
        total("?status=PENDING_REVIEW&search=open").await,
        total("?start_date=2026-11-24&end_date=2026-11-24&search=2026-11-25").await,
    );
    assert_eq!(narrowed, (0, 0, 0), "no checklist matches both the filter and the search");
}
