//! Security headers on answers outside the UI: no MIME sniffing, no framing, no
//! referrer leaks, and nothing carrying a token or personal data left in a cache;
//! while the revalidated checklist read and the static frontend keep their caching.

use reqwest::header::HeaderMap;
use sentinelops_testkit::{PASSWORD, TestServer};
use serde_json::{Value, json};

use crate::admin;

/// The headers every answer outside `/ui` carries.
fn assert_hardened(headers: &HeaderMap, what: &str) {
    assert_eq!(headers["x-content-type-options"], "nosniff", "{what}");
    assert_eq!(headers["x-frame-options"], "DENY", "{what}");
    assert_eq!(headers["referrer-policy"], "same-origin", "{what}");
}

fn assert_not_stored(headers: &HeaderMap, what: &str) {
    assert_hardened(headers, what);
    assert_eq!(headers["cache-control"], "no-store", "{what}");
    assert_eq!(headers["content-security-policy"], "default-src 'none'; frame-ancestors 'none'", "{what}");
}

#[tokio::test]
async fn api_answers_carry_security_headers_and_are_not_stored() {
    let srv = TestServer::start().await;
    let (_, token) = admin(&srv).await;
    let client = &srv.client;

    // The sign-in answer carries the token.
    let response = client
        .post(srv.url("/auth/signin"))
        .json(&json!({"email": "root.admin", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_not_stored(response.headers(), "sign-in");
    assert!(response.json::<Value>().await.unwrap()["token"].is_string());
    // A refused sign-in, personal data, a listing, errors and operations endpoints.
    let response =
        client.post(srv.url("/auth/signin")).json(&json!({"email": "root.admin", "password": "wrong"})).send().await;
    let response = response.unwrap();
    assert_eq!(response.status(), 401);
    assert_not_stored(response.headers(), "failed sign-in");
    for (path, status) in [
        ("/auth/me", 200),
        ("/api/v1/users", 200),
        ("/api/v1/auth/sessions", 200),
        ("/api/v1/no-such-thing", 404),
        ("/health", 200),
    ] {
        let response = client.get(srv.url(path)).bearer_auth(&token).send().await.unwrap();
        assert_eq!(response.status(), status, "{path}");
        assert_not_stored(response.headers(), path);
    }
    let response = client.get(srv.url("/auth/me")).send().await.unwrap();
    assert_eq!(response.status(), 401);
    assert_not_stored(response.headers(), "unauthenticated");
    let response = client.delete(srv.url("/auth/signin")).send().await.unwrap();
    assert_eq!(response.status(), 405);
    assert_not_stored(response.headers(), "wrong method");

    // The API reference page loads its own script and style: only framing is refused.
    let response = client.get(srv.url("/api/docs")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_hardened(response.headers(), "reference page");
    assert_eq!(response.headers()["content-security-policy"], "frame-ancestors 'none'");

    // The UI keeps its own, stricter set, and its static files their revalidation.
    let response = client.get(srv.url("/ui/login")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert!(response.headers()["content-security-policy"].to_str().unwrap().contains("script-src 'self'"));
    let response = client.get(srv.url("/ui/static/ui.css")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-cache");
    let etag = response.headers()["etag"].clone();
    let response = client.get(srv.url("/ui/static/ui.css")).header("If-None-Match", etag).send().await.unwrap();
    assert_eq!(response.status(), 304);
}

#[tokio::test]
async fn the_checklist_read_stays_revalidated_rather_than_unstored() {
    let (srv, _, operator, instance) = crate::morning_checklist(json!([{"title": "Check"}])).await;
    let path = format!("/api/v1/checklists/instances/{}", instance["id"].as_str().unwrap());

    let response = srv.client.get(srv.url(&path)).bearer_auth(&operator).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_hardened(response.headers(), "checklist");
    // Kept privately and revalidated on each use: never served unchecked, never shared.
    assert_eq!(response.headers()["cache-control"], "private, no-cache");
    let etag = response.headers()["etag"].clone();
    let response = srv.client.get(srv.url(&path)).bearer_auth(&operator).header("If-None-Match", etag).send().await;
    let response = response.unwrap();
    assert_eq!(response.status(), 304);
    assert_hardened(response.headers(), "checklist 304");
    assert_eq!(response.headers()["cache-control"], "private, no-cache");
}

#[tokio::test]
async fn the_static_frontend_keeps_its_caching() {
    let srv = TestServer::with_frontend().await;

    for path in ["/assets/app.js", "/index.html", "/checklists/today"] {
        let response = srv.client.get(srv.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_hardened(response.headers(), path);
        // No `no-store` and no CSP of ours: the build is cached and revalidated as before.
        assert!(response.headers().get("cache-control").is_none(), "{path}");
        assert!(response.headers().get("content-security-policy").is_none(), "{path}");
        let modified = response.headers()["last-modified"].clone();
        let response = srv.client.get(srv.url(path)).header("If-Modified-Since", modified).send().await.unwrap();
        assert_eq!(response.status(), 304, "{path}");
    }
    // API answers beside it are still never stored.
    let response = srv.client.get(srv.url("/api/v1/no-such-thing")).send().await.unwrap();
    assert_eq!(response.status(), 404);
    assert_not_stored(response.headers(), "unknown API path beside a static frontend");
}
