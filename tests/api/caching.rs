//! Read caches never hide a write: checklist views by revision (with ETag / 304),
//! authenticated sessions until a revocation, and the static frontend folder.

use reqwest::StatusCode;
use sentinelops_testkit::{Options, TestServer};
use serde_json::{Value, json};

struct Floor {
    srv: TestServer,
    admin: String,
    operator: String,
    instance: Value,
}

async fn floor() -> Floor {
    let items: Vec<Value> = (1..=3).map(|i| json!({"title": format!("Check {i}")})).collect();
    let (srv, admin, operator, instance) = crate::morning_checklist(json!(items)).await;
    Floor { srv, admin, operator, instance }
}

async fn get_with_etag(
    srv: &TestServer,
    path: &str,
    token: &str,
    etag: Option<&str>,
) -> (StatusCode, Option<String>, String) {
    let mut request = srv.client.get(srv.url(path)).bearer_auth(token);
    if let Some(etag) = etag {
        request = request.header("If-None-Match", etag);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let tag = response.headers().get("etag").map(|v| v.to_str().unwrap().to_owned());
    (status, tag, response.text().await.unwrap())
}

#[tokio::test]
async fn an_unchanged_checklist_answers_304_and_a_change_is_seen_at_once() {
    let f = floor().await;
    let id = f.instance["id"].as_str().unwrap();
    let item = f.instance["items"][0]["id"].as_str().unwrap();
    let path = format!("/api/v1/checklists/instances/{id}");

    let (status, etag, body) = get_with_etag(&f.srv, &path, &f.operator, None).await;
    assert_eq!(status, 200);
    let etag = etag.expect("an ETag");
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["items"][0]["status"], "PENDING");
    let (status, again, body) = get_with_etag(&f.srv, &path, &f.operator, Some(&etag)).await;
    assert_eq!(status, 304);
    assert_eq!(again.as_deref(), Some(etag.as_str()));
    assert!(body.is_empty());
    // `Cache-Control: no-cache` renders anew (the tag follows the content, which
    // carries the minutes left in the shift, so it is not compared here).
    let response = f
        .srv
        .client
        .get(f.srv.url(&path))
        .bearer_auth(&f.operator)
        .header("Cache-Control", "no-cache")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers().get("etag").is_some());
    assert_eq!(response.json::<Value>().await.unwrap()["items"].as_array().unwrap().len(), 3);
    // A weak form of the same tag, in a list, matches too.
    let (status, _, _) = get_with_etag(&f.srv, &path, &f.operator, Some(&format!("\"x\", W/{etag}"))).await;
    assert_eq!(status, 304);

    // The writer's next read shows the write, and the old tag no longer matches.
    let (status, _) = f
        .srv
        .patch(&format!("{path}/items/{item}"), &f.operator, json!({"status": "COMPLETED", "comment": "ok"}))
        .await;
    assert_eq!(status, 200);
    let (status, fresh, body) = get_with_etag(&f.srv, &path, &f.operator, Some(&etag)).await;
    assert_eq!(status, 200);
    assert_ne!(fresh.as_deref(), Some(etag.as_str()));
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["items"][0]["status"], "COMPLETED");

    // A second instance of the server on the same database sees it as well.
    let other = TestServer::start_on(f.srv.database().clone(), Options::default()).await;
    let (status, _, body) = get_with_etag(&other, &path, &f.operator, None).await;
    assert_eq!(status, 200);
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["items"][0]["status"], "COMPLETED");
    // Someone of another section still gets no view, cached or not.
    let stranger_section = f.srv.create_section("Helpdesk").await;
    let (_, stranger) = f.srv.user_with_token("otto", "user", Some(stranger_section)).await;
    let (status, _, _) = get_with_etag(&f.srv, &path, &stranger, Some(&etag)).await;
    assert_eq!(status, 403);
    let _ = f.admin;
}

#[tokio::test]
async fn a_revoked_or_deactivated_session_fails_on_the_next_request() {
    let f = floor().await;
    // Warm the session cache, then log out: the token is dead at once.
    assert_eq!(f.srv.get("/auth/me", &f.operator).await.0, 200);
    assert_eq!(f.srv.get("/auth/me", &f.operator).await.0, 200);
    let (status, _) = f.srv.post("/auth/logout", &f.operator, json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(f.srv.get("/auth/me", &f.operator).await.0, 401);

    // An administrator revoking someone's sessions ends them at once.
    let user = f.srv.create_user("opal", "user", None).await;
    let token = f.srv.login("opal", sentinelops_testkit::PASSWORD).await;
    assert_eq!(f.srv.get("/auth/me", &token).await.0, 200);
    let user_id = user["id"].as_str().unwrap();
    let (status, body) = f.srv.post(&format!("/api/v1/users/{user_id}/revoke-sessions"), &f.admin, json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(f.srv.get("/auth/me", &token).await.0, 401);

    // So does deactivating the account.
    let token = f.srv.login("opal", sentinelops_testkit::PASSWORD).await;
    assert_eq!(f.srv.get("/auth/me", &token).await.0, 200);
    let (status, body) = f.srv.patch(&format!("/api/v1/users/{user_id}"), &f.admin, json!({"is_active": false})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(f.srv.get("/auth/me", &token).await.0, 401);
}

#[tokio::test]
async fn a_static_frontend_is_served_beside_the_api() {
    let srv = TestServer::with_frontend().await;

    let get = |path: &str| srv.client.get(srv.url(path)).send();
    let response = get("/assets/app.js").await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "console.log('hi')");
    // Client-side routes load the app.
    let response = get("/checklists/today").await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.text().await.unwrap().contains("<title>app</title>"));
    // Unknown API paths stay JSON 404s; real API routes are untouched.
    let response = get("/api/v1/no-such-thing").await.unwrap();
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.unwrap();
    assert!(body["detail"].is_string(), "{body}");
    assert_eq!(get("/auth/me").await.unwrap().status(), 401);
}

#[tokio::test]
async fn the_unread_badge_counts_up_to_its_cap() {
    use sentinelops_store::repo::notifications::{self, NewNotification, NewReceipt, UNREAD_COUNT_CAP};
    let srv = TestServer::start().await;
    let (user, token) = srv.user_with_token("max", "manager", None).await;
    let user_id: uuid::Uuid = user["id"].as_str().unwrap().parse().unwrap();
    let count = |srv: &TestServer, token: String| {
        let request = srv.client.get(srv.url("/api/v1/notifications/unread/count")).bearer_auth(token).send();
        async move { request.await.unwrap().json::<Value>().await.unwrap()["count"].as_u64().unwrap() }
    };
    let add = |n: usize| {
        let store = srv.app.store.clone();
        let clock = srv.app.clock.clone();
        async move {
            let tx = store.begin_write().await.unwrap();
            for _ in 0..n {
                let id = uuid::Uuid::now_v7();
                let now = clock.now();
                let draft = NewNotification {
                    id,
                    title: "Alert".into(),
                    message: "Something happened".into(),
                    priority: "high",
                    related_entity: None,
                    related_id: None,
                    section_id: None,
                    created_by: None,
                    created_at: now,
                };
                notifications::insert(&tx, draft).await.unwrap();
                let receipt = NewReceipt { id: uuid::Uuid::now_v7(), user_id };
                notifications::insert_receipts(&tx, id, now, &[receipt]).await.unwrap();
            }
            sentinelops_store::commit(tx).await.unwrap();
        }
    };
    add(UNREAD_COUNT_CAP as usize - 1).await;
    assert_eq!(count(&srv, token.clone()).await, UNREAD_COUNT_CAP - 1, "exact below the cap");
    add(30).await;
    assert_eq!(count(&srv, token.clone()).await, UNREAD_COUNT_CAP, "saturates above it");
    let (status, body) = srv.post("/api/v1/notifications/mark-all-read", &token, json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(body["updated"], UNREAD_COUNT_CAP + 29, "marking all read still counts every one");
    assert_eq!(count(&srv, token).await, 0);
}
