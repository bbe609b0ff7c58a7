//! PostgreSQL going away under load and coming back: while it is down, calls fail
//! fast with 503 and `/health` still answers; once it is back, the server serves again
//! by itself and no acknowledged write is lost.
//!
//! The test stops and starts a private PostgreSQL cluster (`PrivateCluster`): the
//! shared server is in use by every other test and must not be restarted. A real
//! `pg_ctl stop -m immediate` drops every connection and refuses new ones, as a crash
//! or a failover does, which a proxy would only imitate.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use sentinelops_testkit::{Options, PrivateCluster, TestDatabase, TestServer, postgres_admin_url};
use serde_json::{Value, json};

use crate::ledger::{INSTANCES, Load, audit, floor};

/// Writes acknowledged before the stop, and again after the restart.
const ACKS: usize = 10;
/// Bounds for waiting on the server (the test ends by itself).
const LIMIT: Duration = Duration::from_secs(60);

async fn wait_for(what: &str, mut done: impl AsyncFnMut() -> bool) {
    let started = Instant::now();
    while !done().await {
        assert!(started.elapsed() < LIMIT, "gave up waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// One request, its status, body (JSON or text) and how long it took.
async fn timed(request: reqwest::RequestBuilder) -> (StatusCode, Value, Duration) {
    let started = Instant::now();
    let response = request.timeout(Duration::from_secs(20)).send().await.expect("the server answers");
    let status = response.status();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, body, started.elapsed())
}

#[tokio::test]
async fn postgresql_restarting_under_load_means_fast_503s_then_recovery_with_no_acknowledged_write_lost() {
    if postgres_admin_url().is_none() {
        eprintln!("skipped: this test restarts a private PostgreSQL cluster; it runs in the PostgreSQL pass");
        return;
    }
    let cluster =
        PrivateCluster::start().expect("PostgreSQL binaries in /usr/lib/postgresql/15/bin (or SENTINELOPS_PG_BIN)");
    let srv = TestServer::start_on(TestDatabase::create_on(&cluster.admin_url()).await, Options::default()).await;
    let floor = floor(&srv).await;
    let load = Load::plan(&srv, &floor).await;
    let stop = Arc::new(AtomicBool::new(false));
    let writers = {
        let (load, base, stop) = (Arc::clone(&load), srv.base.clone(), Arc::clone(&stop));
        tokio::spawn(async move { load.run(&base, &stop).await })
    };
    wait_for("writes before the stop", async || load.acked.load(Ordering::Relaxed) >= ACKS).await;

    cluster.stop_immediately();
    let c = &srv.client;
    // Liveness answers at once and, after its next check, says the database is away.
    let (status, health, took_health) = timed(c.get(srv.url("/health"))).await;
    assert_eq!((status, &health["status"]), (StatusCode::OK, &json!("healthy")), "{health}");
    wait_for("/health to see the database down", async || {
        timed(c.get(srv.url("/health"))).await.1["database"] == "disconnected"
    })
    .await;
    let (status, ready, took_ready) = timed(c.get(srv.url("/health/ready"))).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{ready}");
    assert_eq!(ready, json!({"ready": false, "reason": "database unavailable"}));
    // The API: a read by a signed-in user (the session may be cached), and a sign-in.
    let read = c.get(srv.url(&format!("{INSTANCES}/{}", floor.instance))).bearer_auth(&floor.manager);
    let (status, body, took_read) = timed(read).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body, json!({"detail": "Database unavailable, please retry shortly"}));
    let sign_in = c.post(srv.url("/auth/signin")).json(&json!({"email": "operator0", "password": "wrong"}));
    let (status, body, took_sign_in) = timed(sign_in).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    // The built-in UI: its error page, not a redirect to a sign-in that cannot work.
    let page = c.get(srv.url("/ui/dashboard")).header("cookie", format!("sentinelops_session={}", floor.manager));
    let (status, body, took_page) = timed(page).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body.as_str().is_some_and(|html| html.contains("Temporarily unavailable")), "{body}");
    eprintln!(
        "while PostgreSQL is down: /health {took_health:?}, /health/ready {took_ready:?}, API read {took_read:?}, \
         sign-in {took_sign_in:?}, UI page {took_page:?}"
    );

    cluster.start_again();
    let resumed_at = load.acked.load(Ordering::Relaxed);
    wait_for("readiness after the restart", async || timed(c.get(srv.url("/health/ready"))).await.0 == StatusCode::OK)
        .await;
    wait_for("writes after the restart", async || load.acked.load(Ordering::Relaxed) >= resumed_at + ACKS).await;
    // The live pump listens again by itself (its connection died with the server).
    wait_for("the live pump to LISTEN again", async || !srv.database().listening_connections().await.is_empty()).await;
    stop.store(true, Ordering::Relaxed);
    writers.await.unwrap();
    wait_for("/health to see the database back", async || {
        timed(c.get(srv.url("/health"))).await.1["database"] == "connected"
    })
    .await;

    let ledger = load.ledger.lock().await;
    eprintln!(
        "PostgreSQL restart: {} acknowledged writes, {} answered 503 while it was down",
        ledger.acked.len(),
        load.answered_503.load(Ordering::Relaxed)
    );
    audit(&srv.base, &floor, &ledger).await;
    drop(ledger);
    drop(srv);
    drop(cluster);
}
