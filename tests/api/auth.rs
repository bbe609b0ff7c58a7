use reqwest::{Method, StatusCode};
use sentinelops_testkit::{PASSWORD, TestServer};
use serde_json::json;

use crate::{admin, auth_events_of};

#[tokio::test]
async fn sign_in_answers_the_original_shape_and_records_success_and_session() {
    let srv = TestServer::start().await;
    let (_, admin_token) = admin(&srv).await;
    let section = srv.create_section("SysOps").await;
    srv.create_user("olu", "user", Some(section)).await;

    let (status, body) = srv
        .call(Method::POST, "/auth/signin", None, Some(json!({"email": "olu@test.local", "password": PASSWORD})))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["auth_source"], "sentinel");
    assert_eq!(body["token"].as_str().unwrap().len(), 43);
    let user = body["user"].as_object().unwrap();
    let mut keys: Vec<&str> = user.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["department", "email", "first_name", "id", "last_name", "position", "role", "section_id", "username"]
    );
    assert_eq!(user["role"], "user");
    assert_eq!(user["section_id"], json!(section));

    // A username in `email` works too, case-insensitively.
    srv.login("OLU", PASSWORD).await;

    let events = auth_events_of(&srv, &admin_token, "olu").await;
    assert_eq!(
        events.iter().map(|(t, _)| t.as_str()).collect::<Vec<_>>(),
        ["LOGIN_SUCCESS", "SESSION_CREATED", "LOGIN_SUCCESS", "SESSION_CREATED"]
    );
}

#[tokio::test]
async fn me_returns_the_full_user() {
    let srv = TestServer::start().await;
    let section = srv.create_section("SupportOps").await;
    let (_, token) = srv.user_with_token("maria", "manager", Some(section)).await;
    let (status, me) = srv.get("/auth/me", &token).await;
    assert_eq!(status, 200);
    for key in [
        "id",
        "username",
        "email",
        "first_name",
        "last_name",
        "department",
        "position",
        "department_id",
        "section_id",
        "department_name",
        "section_name",
        "role",
        "central_id",
        "created_at",
        "raw_user",
    ] {
        assert!(me.get(key).is_some(), "missing {key} in {me}");
    }
    assert_eq!(me["username"], "maria");
    assert_eq!(me["role"], "manager");
    assert_eq!(me["section_name"], "SupportOps");
    assert_eq!(me["department_name"], "SupportOps department");
    assert_eq!(me["central_id"], format!("central-{}", me["id"].as_str().unwrap()));
}

#[tokio::test]
async fn wrong_password_and_unknown_user_are_401_and_recorded() {
    let srv = TestServer::start().await;
    let (_, admin_token) = admin(&srv).await;
    srv.create_user("olu", "user", None).await;

    let (status, body) = srv
        .call(Method::POST, "/auth/signin", None, Some(json!({"email": "olu@test.local", "password": "nope"})))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body, json!({"code": "INVALID_CREDENTIALS", "message": "Invalid email or password", "context": null}));

    let (status, body) = srv
        .call(Method::POST, "/auth/signin", None, Some(json!({"email": "ghost@test.local", "password": "whatever1"})))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], "INVALID_CREDENTIALS");

    assert_eq!(
        auth_events_of(&srv, &admin_token, "olu").await,
        [("LOGIN_FAILURE".to_owned(), "invalid_password".to_owned())]
    );
    let (_, ghost) = srv.get("/api/v1/auth/events?username=ghost@test.local", &admin_token).await;
    let row = &ghost["items"][0];
    assert_eq!(row["event_type"], "LOGIN_FAILURE");
    assert_eq!(row["metadata"]["reason"], "unknown_user");
    assert_eq!(row["user_id"], json!(null));
    assert_eq!(row["ip_address"], "127.0.0.1");
}

#[tokio::test]
async fn logout_revokes_the_session_and_the_token_then_fails() {
    let srv = TestServer::start().await;
    let (_, admin_token) = admin(&srv).await;
    let (_, token) = srv.user_with_token("olu", "user", None).await;
    let other_token = srv.login("olu", PASSWORD).await;

    let (status, body) = srv.post("/auth/logout", &token, json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({"detail": "Logged out successfully"}));

    let (status, body) = srv.get("/auth/me", &token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], "SESSION_INVALID");
    // The user's other session is untouched: several sessions may live at once.
    let (status, _) = srv.get("/auth/me", &other_token).await;
    assert_eq!(status, 200);

    // Logging out twice, or without a token, still answers 200 and records nothing more.
    let (status, _) = srv.post("/auth/logout", &token, json!({})).await;
    assert_eq!(status, 200);
    let (status, _) = srv.call(Method::POST, "/auth/logout", None, None).await;
    assert_eq!(status, 200);

    let events = auth_events_of(&srv, &admin_token, "olu").await;
    let tail: Vec<(&str, &str)> = events.iter().skip(4).map(|(t, r)| (t.as_str(), r.as_str())).collect();
    // The revoked token used afterwards is recorded against its user.
    assert_eq!(tail, [("SESSION_REVOKED", "logout"), ("LOGOUT", ""), ("INVALID_TOKEN", "revoked_session")]);
    let (_, invalid) = srv.get("/api/v1/auth/events?event_type=INVALID_TOKEN", &admin_token).await;
    assert_eq!(invalid["items"][0]["metadata"]["reason"], "revoked_session");
}

#[tokio::test]
async fn missing_and_garbage_tokens_are_401_and_garbage_is_recorded_with_a_bound() {
    let srv = TestServer::start().await;
    let (_, admin_token) = admin(&srv).await;

    let (status, body) = srv.call(Method::GET, "/auth/me", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], "TOKEN_MISSING");

    for i in 0..30 {
        let (status, body) = srv.get("/auth/me", &format!("not-a-real-token-{i}")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["code"], "TOKEN_INVALID");
    }
    let (_, events) = srv.get("/api/v1/auth/events?event_type=INVALID_TOKEN&limit=100", &admin_token).await;
    assert_eq!(events["total"], 20, "INVALID_TOKEN rows are capped per client and window");
}

#[tokio::test]
async fn a_disabled_account_gets_the_wrong_password_answer_even_with_the_right_one() {
    let srv = TestServer::start().await;
    let (_, admin_token) = admin(&srv).await;
    let olu = srv.create_user("olu", "user", None).await;
    let (status, _) = srv
        .patch(&format!("/api/v1/users/{}", olu["id"].as_str().unwrap()), &admin_token, json!({"is_active": false}))
        .await;
    assert_eq!(status, 200);
    // A distinct answer would confirm the password to whoever guessed it.
    let (right_status, right) =
        srv.call(Method::POST, "/auth/signin", None, Some(json!({"email": "olu", "password": PASSWORD}))).await;
    let (wrong_status, wrong) =
        srv.call(Method::POST, "/auth/signin", None, Some(json!({"email": "olu", "password": "wrong-pass"}))).await;
    assert_eq!((right_status, wrong_status), (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED));
    assert_eq!(right, wrong);
    assert_eq!(right["code"], "INVALID_CREDENTIALS");
    assert_eq!(right["message"], "Invalid email or password");
    // The audit log keeps the true cause.
    let reasons: Vec<String> = auth_events_of(&srv, &admin_token, "olu").await.into_iter().map(|(_, r)| r).collect();
    assert_eq!(reasons, ["user_disabled", "invalid_password"]);
}

#[tokio::test]
async fn ad_status_says_unavailable() {
    let srv = TestServer::start().await;
    let (status, body) = srv.call(Method::GET, "/auth/ad/status", None, None).await;
    assert_eq!(status, 200);
    assert_eq!(body["available"], false);
    assert_eq!(body["source"], "sentinel");
    assert!(body["checked_at"].is_string());
    assert!(body["reason"].is_string());
}

#[tokio::test]
async fn forwarded_for_is_believed_only_from_trusted_proxies() {
    // Untrusted peer: the header is ignored.
    let srv = TestServer::start().await;
    let (_, admin_token) = admin(&srv).await;
    let response = srv
        .client
        .post(srv.url("/auth/signin"))
        .header("X-Forwarded-For", "203.0.113.9")
        .header("User-Agent", "probe/1.0")
        .json(&json!({"email": "nobody", "password": "nope-nope"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let (_, body) = srv.get("/api/v1/auth/events?username=nobody", &admin_token).await;
    assert_eq!(body["items"][0]["ip_address"], "127.0.0.1");
    assert_eq!(body["items"][0]["user_agent"], "probe/1.0");
    drop(srv);

    // Loopback configured as a trusted proxy: the right-most untrusted address wins.
    let web =
        sentinelops_web::WebConfig { trusted_proxies: vec!["127.0.0.0/8".parse().unwrap()], ..Default::default() };
    let srv = TestServer::start_with(sentinelops_testkit::Options { web: Some(web), ..Default::default() }).await;
    let (_, admin_token) = admin(&srv).await;
    srv.client
        .post(srv.url("/auth/signin"))
        .header("X-Forwarded-For", "198.51.100.1, 203.0.113.9, 127.0.0.2")
        .json(&json!({"email": "nobody", "password": "nope-nope"}))
        .send()
        .await
        .unwrap();
    let (_, body) = srv.get("/api/v1/auth/events?ip=203.0.113.9", &admin_token).await;
    assert_eq!(body["total"], 1, "{body}");
}
