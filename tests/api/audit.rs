use reqwest::Method;
use sentinelops_testkit::{PASSWORD, TestServer};
use serde_json::json;

use crate::admin;

async fn fail_login(srv: &TestServer, login: &str) {
    let (status, _) =
        srv.call(Method::POST, "/auth/signin", None, Some(json!({"email": login, "password": "wrong-password"}))).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn auth_events_filter_paginate_and_export() {
    let srv = TestServer::start().await;
    let (root, admin_token) = admin(&srv).await;
    let (olu, _) = srv.user_with_token("olu", "user", None).await;
    for _ in 0..3 {
        fail_login(&srv, "olu").await;
    }
    fail_login(&srv, "ghost").await;

    // By type (several at once), by user id, by IP.
    let (_, failures) = srv.get("/api/v1/auth/events?event_type=LOGIN_FAILURE", &admin_token).await;
    assert_eq!(failures["total"], 4);
    let (_, both) = srv.get("/api/v1/auth/events?event_type=login_failure,SESSION_CREATED", &admin_token).await;
    assert_eq!(both["total"], 6);
    let (_, by_user) =
        srv.get(&format!("/api/v1/auth/events?user_id={}", olu["id"].as_str().unwrap()), &admin_token).await;
    assert_eq!(by_user["total"], 5, "2 for the sign-in, 3 failures");
    let (_, by_ip) = srv.get("/api/v1/auth/events?ip=127.0.0.1", &admin_token).await;
    assert_eq!(by_ip["total"], 8);
    let (_, other_ip) = srv.get("/api/v1/auth/events?ip=10.9.9.9", &admin_token).await;
    assert_eq!(other_ip["total"], 0);

    // Pagination envelope.
    let (_, page) = srv.get("/api/v1/auth/events?limit=3&page=2", &admin_token).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 3);
    assert_eq!((page["total"].as_u64(), page["pages"].as_u64()), (Some(8), Some(3)));
    assert_eq!(
        (page["page"].as_u64(), page["has_next"].as_bool(), page["has_prev"].as_bool()),
        (Some(2), Some(true), Some(true))
    );

    // Time range: everything so far is before `to=now`; nothing after it.
    let now = srv.app.clock.now();
    let to = (now + chrono::Duration::seconds(1)).to_rfc3339().replace('+', "%2B");
    let from = (now + chrono::Duration::seconds(1)).to_rfc3339().replace('+', "%2B");
    let (_, before) = srv.get(&format!("/api/v1/auth/events?to={to}"), &admin_token).await;
    assert_eq!(before["total"], 8);
    let (_, after) = srv.get(&format!("/api/v1/auth/events?from={from}"), &admin_token).await;
    assert_eq!(after["total"], 0);

    // CSV export with a header and one line per event.
    let response = srv
        .client
        .get(srv.url("/api/v1/auth/events?format=csv&event_type=LOGIN_FAILURE"))
        .bearer_auth(&admin_token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(response.headers()["content-disposition"].to_str().unwrap().contains("auth-events.csv"));
    let text = response.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5);
    assert!(lines[0].starts_with("id,event_type,event_time"));
    assert!(lines[1..].iter().all(|l| l.contains("LOGIN_FAILURE")));

    // Bad filters are 422; the log is for admins only.
    for query in ["event_type=NOPE", "user_id=xyz", "from=yesterday", "limit=0", "page=0", "format=xml", "limit=100000"]
    {
        assert_eq!(srv.get(&format!("/api/v1/auth/events?{query}"), &admin_token).await.0, 422, "{query}");
    }
    let olu_token = srv.login("olu", PASSWORD).await;
    assert_eq!(srv.get("/api/v1/auth/events", &olu_token).await.0, 403);
    assert_eq!(root["role"], "admin");
}

#[tokio::test]
async fn ops_events_are_for_admins_and_managers_of_the_section() {
    let srv = TestServer::start().await;
    let (_, admin_token) = admin(&srv).await;
    let a = srv.create_section("Section A").await;
    let b = srv.create_section("Section B").await;
    let (_, manager_a) = srv.user_with_token("max", "manager", Some(a)).await;
    let (_, operator) = srv.user_with_token("olu", "user", Some(a)).await;
    srv.create_user("bert", "user", Some(b)).await;

    let (status, all) = srv.get("/api/v1/ops/events?event_type=USER_CREATED", &admin_token).await;
    assert_eq!(status, 200);
    assert_eq!(all["total"], 4);
    let (status, mine) = srv.get("/api/v1/ops/events?event_type=USER_CREATED", &manager_a).await;
    assert_eq!(status, 200);
    let names: Vec<&str> =
        mine["items"].as_array().unwrap().iter().map(|e| e["payload"]["username"].as_str().unwrap()).collect();
    assert_eq!(names, ["olu", "max"]);
    assert_eq!(srv.get("/api/v1/ops/events", &operator).await.0, 403);

    let response =
        srv.client.get(srv.url("/api/v1/ops/events?format=csv")).bearer_auth(&admin_token).send().await.unwrap();
    let text = response.text().await.unwrap();
    assert!(text.starts_with("id,event_type,entity_type,entity_id"));
    assert_eq!(text.lines().count() as u64, 1 + all["total"].as_u64().unwrap() + 4, "4 department/section events too");
}
