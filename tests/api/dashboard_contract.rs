//! The dashboard summary as the original React dashboard reads it: the command
//! metrics' names and types (whole-number percentages, a posture label), shift cards,
//! threads with their template, attention entries with the original's ids, and the
//! handover feed (one row per checklist with outgoing notes).

use serde_json::{Value, json};

use crate::listings::{INSTANCES, get_ok, instance, world};
use sentinelops_testkit::id_of;

const SUMMARY: &str = "/api/v1/checklists/dashboard/summary";

const METRIC_COUNTS: [&str; 13] = [
    "active_instances",
    "in_progress_count",
    "pending_review_count",
    "completed_count",
    "exception_count",
    "coverage_gap_count",
    "total_items",
    "completed_items",
    "actioned_items",
    "critical_items",
    "open_critical_items",
    "participants",
    "handover_count",
];
const METRIC_PERCENTAGES: [&str; 3] = ["execution_rate", "completion_rate", "critical_containment"];

fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    keys
}

fn is_whole_percent(value: &Value) -> bool {
    value.is_u64() && value.as_u64().unwrap() <= 100
}

/// Every field the original's dashboard reads, with the type it expects.
fn assert_shape(s: &Value) {
    let m = &s["command_metrics"];
    let mut expected: Vec<&str> = METRIC_COUNTS.iter().chain(&METRIC_PERCENTAGES).copied().collect();
    expected.push("posture_label");
    expected.sort_unstable();
    assert_eq!(keys(m), expected, "{m}");
    for key in METRIC_COUNTS {
        assert!(m[key].is_u64(), "{key} is a whole number: {m}");
    }
    for key in METRIC_PERCENTAGES {
        assert!(is_whole_percent(&m[key]), "{key} is a whole percentage: {m}");
    }
    assert!(["Standby", "Stable", "Guarded", "Elevated"].contains(&m["posture_label"].as_str().unwrap()), "{m}");

    let cards = s["shift_cards"].as_array().unwrap();
    let shifts: Vec<&str> = cards.iter().map(|c| c["shift"].as_str().unwrap()).collect();
    assert_eq!(shifts, ["MORNING", "AFTERNOON", "NIGHT"]);
    for c in cards {
        assert_eq!(keys(c), ["exceptions", "operations", "participants", "readiness", "shift", "status", "window"]);
        assert!(c["window"].is_string() && c["status"].is_string(), "{c}");
        assert!(c["operations"].is_u64() && c["participants"].is_u64() && c["exceptions"].is_u64(), "{c}");
        assert!(is_whole_percent(&c["readiness"]), "{c}");
    }
    for t in s["checklist_threads"].as_array().unwrap() {
        assert!(t["id"].is_string() && t["template_id"].is_string(), "{t}");
        assert!(is_whole_percent(&t["execution_percentage"]), "{t}");
    }
    for a in s["attention_queue"].as_array().unwrap() {
        let id = a["id"].as_str().unwrap();
        assert!(id.starts_with("ops-"), "{a}");
        assert!(a["title"].is_string() && a["detail"].is_string(), "{a}");
        assert!(["warning", "critical"].contains(&a["tone"].as_str().unwrap()), "{a}");
    }
    for h in s["handover_feed"].as_array().unwrap() {
        assert_eq!(keys(h), ["count", "id", "shift"], "{h}");
        assert!(h["count"].as_u64().unwrap() > 0, "{h}");
    }
}

#[tokio::test]
async fn the_dashboard_summary_has_the_original_frontends_names_and_types() {
    let w = world().await;
    let srv = &w.srv;
    let section = srv.create_section("Treasury").await;
    let (_, op) = srv.user_with_token("tia.operator", "user", Some(section)).await;

    // Nothing yet: standby, and containment is whole with no critical item.
    let empty = get_ok(srv, SUMMARY, &op).await;
    assert_shape(&empty);
    assert_eq!(empty["command_metrics"]["critical_containment"], 100);
    assert_eq!(empty["command_metrics"]["execution_rate"], 0);
    assert_eq!(empty["command_metrics"]["posture_label"], "Standby");
    assert_eq!(empty["handover_feed"], json!([]));

    // Nine items, one of them critical.
    let items: Vec<Value> = (1..=9)
        .map(|n| json!({"title": format!("Check {n}"), "severity": if n == 9 { 5 } else { 2 }, "sort_order": n}))
        .collect();
    let created = w.template(section, "Treasury Morning", "MORNING", json!(items)).await;
    w.template(section, "Treasury Afternoon", "AFTERNOON", json!([{"title": "Sweep", "severity": 1}])).await;
    let morning = instance(srv, &op, "MORNING", "2026-11-25").await;
    let id = id_of(&morning["id"]);
    let afternoon = instance(srv, &op, "AFTERNOON", "2026-11-25").await;
    let afternoon_id = id_of(&afternoon["id"]);
    assert_eq!(srv.post(&format!("{INSTANCES}/{id}/join"), &op, json!({})).await.0, 200);
    let first = morning["items"][0]["id"].as_str().unwrap();
    let (status, body) =
        srv.patch(&format!("{INSTANCES}/{id}/items/{first}"), &op, json!({"status": "COMPLETED"})).await;
    assert_eq!(status, 200, "{body}");
    for content in ["Vault count pending", "Nostro break open"] {
        let note = json!({"content": content, "priority": 2, "from_instance_id": id});
        let (status, body) = srv.post("/api/v1/checklists/handover-notes", &op, note).await;
        assert!(status.is_success(), "{body}");
    }

    let s = get_ok(srv, SUMMARY, &op).await;
    assert_shape(&s);
    let m = &s["command_metrics"];
    assert_eq!(m["active_instances"], 2);
    assert_eq!(m["in_progress_count"], 1);
    assert_eq!(m["coverage_gap_count"], 1, "nobody on the afternoon checklist");
    assert_eq!(m["total_items"], 10);
    assert_eq!(m["completed_items"], 1);
    assert_eq!(m["actioned_items"], 1);
    assert_eq!(m["critical_items"], 1);
    assert_eq!(m["open_critical_items"], 1);
    assert_eq!(m["participants"], 1);
    assert_eq!(m["handover_count"], 2);
    assert_eq!(m["execution_rate"], 10);
    assert_eq!(m["completion_rate"], 10);
    assert_eq!(m["critical_containment"], 0);
    assert_eq!(m["posture_label"], "Elevated", "an open critical item");

    let threads = s["checklist_threads"].as_array().unwrap();
    let thread = threads.iter().find(|t| t["id"] == json!(id)).unwrap();
    assert_eq!(thread["template_id"], created["id"]);
    assert_eq!(thread["execution_percentage"], 11, "1 of 9 is 11.11%, sent as a whole number");
    assert_eq!(thread["handover_count"], 2);

    let morning_card = s["shift_cards"].as_array().unwrap().iter().find(|c| c["shift"] == "MORNING").unwrap();
    assert_eq!(morning_card["readiness"], 11);
    assert_eq!(morning_card["operations"], 1);
    assert_eq!(morning_card["participants"], 1);
    assert_eq!(morning_card["status"], "Building momentum");

    let queue = s["attention_queue"].as_array().unwrap();
    let critical = queue.iter().find(|a| a["tone"] == "critical").unwrap();
    assert_eq!(critical["id"], format!("ops-{id}"));
    assert_eq!(critical["title"], "1 critical item(s) open on MORNING");
    let gap = queue.iter().find(|a| a["tone"] == "warning").unwrap();
    assert_eq!(gap["id"], format!("ops-{afternoon_id}"));
    assert_eq!(gap["title"], "AFTERNOON shift has nobody on it");

    assert_eq!(s["handover_feed"], json!([{"id": id, "shift": "MORNING", "count": 2}]));

    // The OpenAPI document describes the same shape.
    let (status, doc) = srv.call(reqwest::Method::GET, "/openapi/v1.json", None, None).await;
    assert_eq!(status, 200);
    let schemas = &doc["components"]["schemas"];
    let metrics = keys(&schemas["MetricsBody"]["properties"]);
    assert_eq!(metrics, keys(m), "{metrics:?}");
    assert_eq!(keys(&schemas["ShiftCardBody"]["properties"]).len(), 7);
    assert_eq!(keys(&schemas["HandoverFeedBody"]["properties"]), ["count", "id", "shift"]);
}
