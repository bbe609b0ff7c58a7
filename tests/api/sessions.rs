use chrono::{Duration, TimeZone, Utc};
use sentinelops_domain::ManualClock;
use sentinelops_testkit::{Options, PASSWORD, TestServer};
use serde_json::json;

use crate::{admin, auth_events_of};

fn clock() -> ManualClock {
    ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 25, 8, 0, 0).unwrap())
}

#[tokio::test]
async fn idle_sessions_expire_and_the_expiry_is_recorded_once() {
    let clock = clock();
    let srv = TestServer::start_with(Options { clock: Some(clock.clone()), ..Default::default() }).await;
    admin(&srv).await;
    let (_, token) = srv.user_with_token("olu", "user", None).await;

    // Activity keeps the session alive past the idle limit (8 h by default)...
    clock.advance(Duration::hours(7));
    assert_eq!(srv.get("/auth/me", &token).await.0, 200);
    clock.advance(Duration::hours(7));
    assert_eq!(srv.get("/auth/me", &token).await.0, 200);
    // ...but 8 idle hours end it.
    clock.advance(Duration::hours(8));
    let admin_token = {
        // The admin's own session idled out too; sign in again.
        srv.login("root.admin", PASSWORD).await
    };
    let (status, body) = srv.get("/auth/me", &token).await;
    assert_eq!(status, 401);
    assert_eq!(body["code"], "TOKEN_EXPIRED");
    let (_, body) = srv.get("/auth/me", &token).await;
    assert_eq!(body["code"], "SESSION_INVALID");
    let events = auth_events_of(&srv, &admin_token, "olu").await;
    let revoked: Vec<&str> = events.iter().filter(|(t, _)| t == "SESSION_REVOKED").map(|(_, r)| r.as_str()).collect();
    assert_eq!(revoked, ["expired"]);
}

#[tokio::test]
async fn absolute_lifetime_ends_a_busy_session() {
    let clock = clock();
    let srv = TestServer::start_with(Options { clock: Some(clock.clone()), ..Default::default() }).await;
    let (_, token) = srv.user_with_token("olu", "user", None).await;
    for _ in 0..7 {
        clock.advance(Duration::hours(3));
        assert_eq!(srv.get("/auth/me", &token).await.0, 200);
    }
    clock.advance(Duration::hours(3)); // 24 h after sign-in
    let (status, body) = srv.get("/auth/me", &token).await;
    assert_eq!(status, 401);
    assert_eq!(body["code"], "TOKEN_EXPIRED");
}

#[tokio::test]
async fn deactivation_and_password_change_revoke_sessions_on_the_next_request() {
    let srv = TestServer::start().await;
    let (_, admin_token) = admin(&srv).await;
    let (olu, olu_token) = srv.user_with_token("olu", "user", None).await;
    let (ada, ada_token) = srv.user_with_token("ada", "user", None).await;
    let second_ada = srv.login("ada", PASSWORD).await;

    let (status, _) = srv
        .patch(&format!("/api/v1/users/{}", olu["id"].as_str().unwrap()), &admin_token, json!({"is_active": false}))
        .await;
    assert_eq!(status, 200);
    let (status, body) = srv.get("/auth/me", &olu_token).await;
    assert_eq!((status.as_u16(), body["code"].as_str()), (401, Some("SESSION_INVALID")));

    let (status, _) = srv
        .patch(
            &format!("/api/v1/users/{}", ada["id"].as_str().unwrap()),
            &admin_token,
            json!({"password": "A-new-passw0rd"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(srv.get("/auth/me", &ada_token).await.0, 401);
    assert_eq!(srv.get("/auth/me", &second_ada).await.0, 401);
    srv.login("ada", "A-new-passw0rd").await;

    let olu_revoked: Vec<String> = auth_events_of(&srv, &admin_token, "olu")
        .await
        .into_iter()
        .filter(|(t, _)| t == "SESSION_REVOKED")
        .map(|(_, r)| r)
        .collect();
    assert_eq!(olu_revoked, ["deactivated"]);
    let ada_revoked: Vec<String> = auth_events_of(&srv, &admin_token, "ada")
        .await
        .into_iter()
        .filter(|(t, _)| t == "SESSION_REVOKED")
        .map(|(_, r)| r)
        .collect();
    assert_eq!(ada_revoked, ["password_changed", "password_changed"]);
}

#[tokio::test]
async fn users_see_and_revoke_their_own_sessions_and_admins_revoke_anyones() {
    let srv = TestServer::start().await;
    let (_, admin_token) = admin(&srv).await;
    let (olu, token) = srv.user_with_token("olu", "user", None).await;
    let other = srv.login("olu", PASSWORD).await;

    let (status, sessions) = srv.get("/api/v1/auth/sessions", &token).await;
    assert_eq!(status, 200);
    let sessions = sessions.as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    let current: Vec<bool> = sessions.iter().map(|s| s["current"].as_bool().unwrap()).collect();
    assert_eq!(current.iter().filter(|c| **c).count(), 1);
    let other_id = sessions.iter().find(|s| s["current"] == false).unwrap()["id"].as_str().unwrap().to_owned();

    // Your own current session is ended with sign-out, not here.
    let current_id = sessions.iter().find(|s| s["current"] == true).unwrap()["id"].as_str().unwrap().to_owned();
    assert_eq!(srv.delete(&format!("/api/v1/auth/sessions/{current_id}"), &token).await.0, 400);
    assert_eq!(srv.delete(&format!("/api/v1/auth/sessions/{other_id}"), &token).await.0, 204);
    assert_eq!(srv.get("/auth/me", &other).await.0, 401);
    // Someone else's session id is simply not found.
    let (_, admin_sessions) = srv.get("/api/v1/auth/sessions", &admin_token).await;
    let admin_session = admin_sessions[0]["id"].as_str().unwrap();
    assert_eq!(srv.delete(&format!("/api/v1/auth/sessions/{admin_session}"), &token).await.0, 404);

    // Only admins revoke all of a user's sessions.
    let path = format!("/api/v1/users/{}/revoke-sessions", olu["id"].as_str().unwrap());
    assert_eq!(srv.post(&path, &token, json!({})).await.0, 403);
    let (status, body) = srv.post(&path, &admin_token, json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(body["revoked"], 1);
    assert_eq!(srv.get("/auth/me", &token).await.0, 401);
    let reasons: Vec<String> = auth_events_of(&srv, &admin_token, "olu")
        .await
        .into_iter()
        .filter(|(t, _)| t == "SESSION_REVOKED")
        .map(|(_, r)| r)
        .collect();
    assert_eq!(reasons, ["user", "admin"]);
}
