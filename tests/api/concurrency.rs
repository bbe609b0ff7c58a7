use futures::future::join_all;
use sentinelops_testkit::{PASSWORD, TestServer};

use crate::{admin, auth_events_of};

#[tokio::test]
async fn parallel_sign_ins_and_logouts_lose_no_event_and_leak_no_session() {
    let srv = TestServer::start().await;
    let (_, admin_token) = admin(&srv).await;
    srv.create_user("olu", "user", None).await;
    const N: usize = 24;

    let tokens = join_all((0..N).map(|_| srv.login("olu", PASSWORD))).await;
    let distinct: std::collections::HashSet<&String> = tokens.iter().collect();
    assert_eq!(distinct.len(), N);
    for status in join_all(tokens.iter().map(|t| srv.get("/auth/me", t))).await.into_iter().map(|(s, _)| s) {
        assert_eq!(status, 200);
    }
    let outs = join_all(tokens.iter().map(|t| srv.post("/auth/logout", t, serde_json::json!({})))).await;
    assert!(outs.iter().all(|(s, _)| *s == 200));
    for (status, _) in join_all(tokens.iter().map(|t| srv.get("/auth/me", t))).await {
        assert_eq!(status, 401);
    }

    let events = auth_events_of(&srv, &admin_token, "olu").await;
    let count = |kind: &str| events.iter().filter(|(t, _)| t == kind).count();
    assert_eq!(
        [count("LOGIN_SUCCESS"), count("SESSION_CREATED"), count("LOGOUT"), count("SESSION_REVOKED")],
        [N, N, N, N]
    );
    let (_, sessions) = srv.get("/api/v1/auth/sessions", &admin_token).await;
    assert_eq!(sessions.as_array().unwrap().len(), 1, "only the admin's own session");
    let olu_token = srv.login("olu", PASSWORD).await;
    let (_, mine) = srv.get("/api/v1/auth/sessions", &olu_token).await;
    let live = mine.as_array().unwrap().iter().filter(|s| s["active"] == true).count();
    assert_eq!(live, 1, "every earlier session is revoked");
}
