//! Black-box API tests over real HTTP. They run on SQLite by default and on
//! PostgreSQL when `SENTINELOPS_TEST_DATABASE_URL` is set (CI runs both).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod alerts;
mod audit;
mod auth;
mod caching;
mod calendar;
mod checklists;
mod cli;
mod concurrency;
mod contract;
mod coverage;
mod crash;
mod dashboard_contract;
mod directory;

mod errors;
mod exports;
mod gamification_command;
mod gamification_ledger;
mod handover;
mod jobs;
mod ledger;
mod listings;
mod live;
mod lockout;
mod matrix;
mod notifications;
mod oidc;
mod openapi;
mod ops;
mod org;
mod outbox;
mod pg_restart;
mod quiet_hours;
mod report_fonts;
mod report_mail;
mod reports_pdf;
mod roster;
mod routes;
mod security_headers;
mod sessions;
mod settings;
mod slow_clients;
mod swaps;
mod templates;
mod ui;
mod ui_admin;
mod ui_alerts;
mod ui_checklist;
mod ui_dashboard;
mod ui_performance;
mod ui_roster;
mod ui_swaps;
mod ui_templates;
mod ui_weight;
mod users;

use sentinelops_testkit::TestServer;
use serde_json::Value;

/// Auth events of a user, oldest first, as (event_type, metadata.reason) pairs.
pub async fn auth_events_of(srv: &TestServer, admin_token: &str, username: &str) -> Vec<(String, String)> {
    let (status, body) = srv.get(&format!("/api/v1/auth/events?username={username}&limit=500"), admin_token).await;
    assert_eq!(status, 200, "{body}");
    let mut events: Vec<(String, String)> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (e["event_type"].as_str().unwrap().to_owned(), e["metadata"]["reason"].as_str().unwrap_or("").to_owned())
        })
        .collect();
    events.reverse();
    events
}

/// The fields a template item is written with (its block in a template's body).
pub const ITEM_FIELDS: [&str; 9] = [
    "title",
    "description",
    "item_type",
    "is_required",
    "has_exe_time",
    "scheduled_time",
    "notify_before_minutes",
    "severity",
    "sort_order",
];

/// An admin, an operator `olu` of "ICT Operations", a MORNING template of `items` and the
/// operator's checklist of 2026-11-25: (server, admin token, operator token, the instance).
pub async fn morning_checklist(items: Value) -> (TestServer, String, String, Value) {
    let srv = TestServer::start().await;
    let (_, admin) = admin(&srv).await;
    let section = srv.create_section("ICT Operations").await;
    let (_, operator) = srv.user_with_token("olu", "user", Some(section)).await;
    let body = serde_json::json!({"name": "Morning ops", "shift": "MORNING", "section_id": section, "items": items});
    let (status, answer) = srv.post("/api/v1/checklists/templates", &admin, body).await;
    assert_eq!(status, 200, "{answer}");
    let body = serde_json::json!({"shift": "MORNING", "checklist_date": "2026-11-25"});
    let (status, answer) = srv.post("/api/v1/checklists/instances", &operator, body).await;
    assert_eq!(status, 200, "{answer}");
    let instance = answer["instance"].clone();
    (srv, admin, operator, instance)
}

/// An admin created through the application, signed in.
pub async fn admin(srv: &TestServer) -> (Value, String) {
    srv.user_with_token("root.admin", "admin", None).await
}
