use chrono::{Duration, TimeZone, Utc};
use reqwest::{Method, StatusCode};
use sentinelops_domain::ManualClock;
use sentinelops_testkit::{Options, PASSWORD, TestServer, test_config};
use serde_json::json;

use crate::{admin, auth_events_of};

async fn attempt(srv: &TestServer, login: &str, password: &str, forwarded_for: Option<&str>) -> StatusCode {
    let mut request = srv.client.post(srv.url("/auth/signin")).json(&json!({"email": login, "password": password}));
    if let Some(ip) = forwarded_for {
        request = request.header("X-Forwarded-For", ip);
    }
    request.send().await.unwrap().status()
}

fn clock() -> ManualClock {
    ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 25, 8, 0, 0).unwrap())
}

#[tokio::test]
async fn account_locks_after_threshold_with_growing_delay_and_generic_error() {
    let clock = clock();
    let srv = TestServer::start_with(Options { clock: Some(clock.clone()), ..Default::default() }).await;
    let (_, admin_token) = admin(&srv).await;
    srv.create_user("olu", "user", None).await;

    for _ in 0..5 {
        assert_eq!(attempt(&srv, "olu", "wrong-password", None).await, StatusCode::UNAUTHORIZED);
    }
    // Locked: even the right password is refused, with the same generic answer.
    let (status, body) = srv
        .call(Method::POST, "/auth/signin", None, Some(json!({"email": "olu@test.local", "password": PASSWORD})))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], "INVALID_CREDENTIALS");
    assert_eq!(body["message"], "Invalid email or password");

    // Attempts refused during the lock do not lengthen it: it ends 30 s after the fifth
    // failure. A failure that reaches the password check then doubles it to 60 s.
    clock.advance(Duration::seconds(29));
    assert_eq!(attempt(&srv, "olu", PASSWORD, None).await, StatusCode::UNAUTHORIZED);
    clock.advance(Duration::seconds(1));
    assert_eq!(attempt(&srv, "olu", "wrong-password", None).await, StatusCode::UNAUTHORIZED);
    clock.advance(Duration::seconds(59));
    assert_eq!(attempt(&srv, "olu", PASSWORD, None).await, StatusCode::UNAUTHORIZED);
    clock.advance(Duration::seconds(1));
    assert_eq!(attempt(&srv, "olu", PASSWORD, None).await, StatusCode::OK);

    let reasons: Vec<String> =
        auth_events_of(&srv, &admin_token, "olu").await.into_iter().map(|(t, r)| format!("{t}:{r}")).collect();
    let mut expected = vec!["LOGIN_FAILURE:invalid_password"; 5];
    expected.extend([
        "LOGIN_FAILURE:locked",
        "LOGIN_FAILURE:locked",
        "LOGIN_FAILURE:invalid_password",
        "LOGIN_FAILURE:locked",
        "LOGIN_SUCCESS:",
        "SESSION_CREATED:",
    ]);
    assert_eq!(reasons, expected);

    // Success resets the count: one new mistake does not lock again.
    assert_eq!(attempt(&srv, "olu", "wrong-again", None).await, StatusCode::UNAUTHORIZED);
    assert_eq!(attempt(&srv, "olu", PASSWORD, None).await, StatusCode::OK);
}

#[tokio::test]
async fn a_client_address_spraying_many_accounts_is_locked() {
    let clock = clock();
    let mut config = test_config();
    config.ip_lockout.threshold = 4;
    let web =
        sentinelops_web::WebConfig { trusted_proxies: vec!["127.0.0.1/32".parse().unwrap()], ..Default::default() };
    let srv =
        TestServer::start_with(Options { clock: Some(clock.clone()), config: Some(config), web: Some(web) }).await;
    srv.create_user("olu", "user", None).await;
    for name in ["a1", "a2", "a3", "a4"] {
        assert_eq!(attempt(&srv, name, "guess-guess", Some("203.0.113.7")).await, StatusCode::UNAUTHORIZED);
    }
    // The right password from the same address is refused; from another address it works.
    assert_eq!(attempt(&srv, "olu", PASSWORD, Some("203.0.113.7")).await, StatusCode::UNAUTHORIZED);
    assert_eq!(attempt(&srv, "olu", PASSWORD, Some("198.51.100.4")).await, StatusCode::OK);
    clock.advance(Duration::minutes(16));
    assert_eq!(attempt(&srv, "olu", PASSWORD, Some("203.0.113.7")).await, StatusCode::OK);
}

#[tokio::test]
async fn a_parallel_burst_of_guesses_meets_the_lockout() {
    let clock = clock();
    let srv = TestServer::start_with(Options { clock: Some(clock.clone()), ..Default::default() }).await;
    let (_, admin_token) = admin(&srv).await;
    srv.create_user("olu", "user", None).await;
    let statuses = futures::future::join_all((0..30).map(|_| attempt(&srv, "olu", "wrong-password", None))).await;
    assert!(statuses.iter().all(|s| *s == StatusCode::UNAUTHORIZED));
    let reasons: Vec<String> = auth_events_of(&srv, &admin_token, "olu").await.into_iter().map(|(_, r)| r).collect();
    let checked = reasons.iter().filter(|r| *r == "invalid_password").count();
    assert_eq!(checked, 5, "only the threshold's worth of guesses reach the password check: {reasons:?}");
    assert_eq!(reasons.iter().filter(|r| *r == "locked").count(), 25);
}

#[tokio::test]
async fn a_trickle_of_guesses_during_a_lock_does_not_keep_the_account_locked_but_the_address_limit_holds() {
    let clock = clock();
    let mut config = test_config();
    config.ip_lockout.threshold = 12;
    let web =
        sentinelops_web::WebConfig { trusted_proxies: vec!["127.0.0.1/32".parse().unwrap()], ..Default::default() };
    let srv =
        TestServer::start_with(Options { clock: Some(clock.clone()), config: Some(config), web: Some(web) }).await;
    let (_, admin_token) = admin(&srv).await;
    srv.create_user("olu", "user", None).await;
    let guesser = Some("203.0.113.7");
    for _ in 0..5 {
        assert_eq!(attempt(&srv, "olu", "guess-guess", guesser).await, StatusCode::UNAUTHORIZED);
    }
    // A guess every 3 s through the 30 s lock: each refused, none lengthening it.
    for _ in 0..9 {
        clock.advance(Duration::seconds(3));
        assert_eq!(attempt(&srv, "olu", "guess-guess", guesser).await, StatusCode::UNAUTHORIZED);
    }
    clock.advance(Duration::seconds(3));
    // 30 s after the last failure that was checked, the owner signs in from their desk...
    assert_eq!(attempt(&srv, "olu", PASSWORD, Some("198.51.100.4")).await, StatusCode::OK);
    // ...while the guessing address, with 14 failures, is still held by its own limit.
    assert_eq!(attempt(&srv, "olu", PASSWORD, guesser).await, StatusCode::UNAUTHORIZED);
    let reasons: Vec<String> = auth_events_of(&srv, &admin_token, "olu").await.into_iter().map(|(_, r)| r).collect();
    assert_eq!(reasons.iter().filter(|r| *r == "invalid_password").count(), 5, "{reasons:?}");
    assert_eq!(reasons.iter().filter(|r| *r == "locked").count(), 10, "{reasons:?}");
}
