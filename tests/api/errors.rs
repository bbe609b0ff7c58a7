use reqwest::Method;
use sentinelops_testkit::{Options, TestServer};
use serde_json::{Value, json};

use crate::admin;

#[tokio::test]
async fn unknown_routes_and_methods_answer_in_the_detail_shape() {
    let srv = TestServer::start().await;
    let (_, token) = admin(&srv).await;
    let (status, body) = srv.get("/api/v1/does-not-exist", &token).await;
    assert_eq!((status.as_u16(), body), (404, json!({"detail": "Not Found"})));
    // Modules we do not build answer 404, which the original frontend handles.
    assert_eq!(srv.get("/api/v1/tasks", &token).await.0, 404);
    let (status, body) = srv.call(Method::DELETE, "/auth/signin", None, None).await;
    assert_eq!((status.as_u16(), body), (405, json!({"detail": "Method Not Allowed"})));
}

/// A client that does not follow redirects, so a 303 is seen as one.
fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

#[tokio::test]
async fn writes_to_unknown_paths_are_json_404s_not_the_sign_in_page() {
    let srv = TestServer::start().await;
    let (_, token) = admin(&srv).await;
    let client = no_redirects();
    let unrouted = ["/api/v1/does-not-exist", "/api/v1/checklists/shifts/1/nothing", "/auth/nothing", "/no/such/page"];
    for path in unrouted {
        for method in [Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
            for bearer in [true, false] {
                let mut request = client.request(method.clone(), srv.url(path)).json(&json!({}));
                if bearer {
                    request = request.bearer_auth(&token);
                }
                let response = request.send().await.unwrap();
                let what = format!("{method} {path} (token: {bearer})");
                assert_eq!(response.status(), 404, "{what}");
                assert!(response.headers().get("location").is_none(), "{what}");
                assert_eq!(response.headers()["content-type"], "application/json", "{what}");
                assert_eq!(response.json::<Value>().await.unwrap(), json!({"detail": "Not Found"}), "{what}");
            }
        }
    }
    // A method the route does not have: 405 naming the ones it has.
    for (method, path, allowed) in [
        (Method::PUT, "/api/v1/checklists/shifts", ["GET", "POST"]),
        (Method::DELETE, "/api/v1/users", ["GET", "POST"]),
        (Method::POST, "/auth/me", ["GET", "HEAD"]),
    ] {
        let response = client.request(method.clone(), srv.url(path)).bearer_auth(&token).json(&json!({})).send().await;
        let response = response.unwrap();
        assert_eq!(response.status(), 405, "{method} {path}");
        let allow = response.headers()["allow"].to_str().unwrap().to_owned();
        for name in allowed {
            assert!(allow.contains(name), "{method} {path}: Allow {allow}");
        }
        assert_eq!(response.json::<Value>().await.unwrap(), json!({"detail": "Method Not Allowed"}));
    }
    // Nothing was created by any of it.
    let (status, shifts) = srv.get("/api/v1/checklists/shifts", &token).await;
    assert_eq!(status, 200);
    let before = shifts.as_array().unwrap().len();
    let response = client.put(srv.url("/api/v1/checklists/shifts")).bearer_auth(&token).json(&json!({})).send();
    assert_eq!(response.await.unwrap().status(), 405);
    assert_eq!(srv.get("/api/v1/checklists/shifts", &token).await.1.as_array().unwrap().len(), before);

    // Inside the UI the UI's own rules stand: no session, so a form post goes to sign-in.
    let response = client.post(srv.url("/ui/no-such-page")).form(&[("csrf", "x")]).send().await.unwrap();
    assert_eq!(response.status(), 303);
    assert!(response.headers()["location"].to_str().unwrap().starts_with("/ui/login"));
}

#[tokio::test]
async fn with_a_static_frontend_unknown_pages_load_the_app_and_writes_do_not() {
    let srv = TestServer::with_frontend().await;
    let (_, token) = admin(&srv).await;
    let client = no_redirects();

    let response = client.get(srv.url("/checklists/today")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.text().await.unwrap().contains("<title>app</title>"));
    for method in [Method::POST, Method::PUT, Method::DELETE] {
        // An API path no route has: 404, with or without a token.
        let response = client
            .request(method.clone(), srv.url("/api/v1/checklists/shifts/1/nothing"))
            .bearer_auth(&token)
            .send()
            .await;
        let response = response.unwrap();
        assert_eq!(response.status(), 404, "{method}");
        assert_eq!(response.json::<Value>().await.unwrap(), json!({"detail": "Not Found"}));
        // A page of the app takes only reads.
        let response = client.request(method.clone(), srv.url("/checklists/today")).bearer_auth(&token).send().await;
        let response = response.unwrap();
        assert_eq!(response.status(), 405, "{method}");
        assert!(response.headers()["allow"].to_str().unwrap().contains("GET"));
        assert_eq!(response.json::<Value>().await.unwrap(), json!({"detail": "Method Not Allowed"}));
    }
}

#[tokio::test]
async fn malformed_bodies_are_4xx_and_change_nothing() {
    let srv = TestServer::start().await;
    let (_, token) = admin(&srv).await;
    let (_, before) = srv.get("/api/v1/users", &token).await;

    let send = |body: &'static str, content_type: Option<&'static str>| {
        let mut request = srv.client.post(srv.url("/api/v1/users")).bearer_auth(&token).body(body);
        if let Some(ct) = content_type {
            request = request.header("content-type", ct);
        }
        async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap())
        }
    };
    let (status, body) = send("{\"username\": ", Some("application/json")).await;
    assert_eq!(status, 400);
    assert!(body["detail"].as_str().unwrap().contains("Malformed JSON"));
    let (status, _) = send("[1,2,3]", Some("application/json")).await;
    assert_eq!(status, 422);
    let (status, body) = send("{\"username\": 5}", Some("application/json")).await;
    assert_eq!(status, 422);
    assert!(body["detail"].as_str().unwrap().contains("username"), "{body}");
    let (status, _) = send("{}", None).await;
    assert_eq!(status, 415);

    let (_, after) = srv.get("/api/v1/users", &token).await;
    assert_eq!(before, after);
}

#[tokio::test]
async fn oversize_bodies_are_413() {
    let web = sentinelops_web::WebConfig { max_body_bytes: 1024, ..Default::default() };
    let srv = TestServer::start_with(Options { web: Some(web), ..Default::default() }).await;
    let big = json!({"email": "x".repeat(4096), "password": "y"});
    let (status, body) = srv.call(Method::POST, "/auth/signin", None, Some(big)).await;
    assert_eq!(status, 413);
    assert!(body["detail"].is_string(), "{body}");
}

#[tokio::test]
async fn malformed_ids_and_query_values_are_422() {
    let srv = TestServer::start().await;
    let (_, token) = admin(&srv).await;
    for path in [
        "/api/v1/users/not-a-uuid",
        "/api/v1/org/sections/by-department/abc",
        "/api/v1/users/by-section?section_id=zzz",
        "/api/v1/auth/events?page=-1",
    ] {
        let (status, body) = srv.get(path, &token).await;
        assert_eq!(status, 422, "{path}: {body}");
        assert!(body["detail"].is_string());
    }
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let srv = TestServer::start().await;
    let response = srv.client.get(srv.url("/health")).send().await.unwrap();
    assert!(response.headers().get("x-request-id").is_some());
    let response = srv.client.get(srv.url("/health")).header("x-request-id", "abc-123").send().await.unwrap();
    assert_eq!(response.headers()["x-request-id"], "abc-123");
}

#[tokio::test]
async fn nul_characters_and_absurd_pages_are_422_not_500() {
    let srv = TestServer::start().await;
    let (_, token) = admin(&srv).await;
    let (status, body) = srv
        .call(Method::POST, "/auth/signin", None, Some(json!({"email": "a\u{0}b@bank.example", "password": "x\u{0}"})))
        .await;
    assert_eq!(status, 422, "{body}");
    let (status, _) = srv.get("/api/v1/auth/events?username=ab%00cd", &token).await;
    assert_eq!(status, 422);
    let (status, _) = srv.get("/api/v1/auth/events?page=99999999999999999", &token).await;
    assert_eq!(status, 422);
    let (status, _) = srv.get("/api/v1/auth/events?page=18446744073709551615&limit=500", &token).await;
    assert_eq!(status, 422);
    let (status, _) = srv.post("/api/v1/org/departments", &token, json!({"name": "Nul\u{0}Dept"})).await;
    assert_eq!(status, 422);
}
