//! Slow clients cannot hold the server: a client that does not finish its request
//! headers is disconnected after the header timeout, and connections over the limit
//! wait until a slot frees instead of being served (or starving anyone) at once.

use std::time::Duration;

use sentinelops_testkit::{Options, TestServer};
use sentinelops_web::WebConfig;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Far above any timeout configured here: a bound on the test, not a measurement.
const GENEROUS: Duration = Duration::from_secs(60);

async fn server(header_read_timeout: Duration, max_connections: usize) -> TestServer {
    let web = WebConfig { header_read_timeout, max_connections, ..WebConfig::default() };
    TestServer::start_with(Options { web: Some(web), ..Options::default() }).await
}

/// Connects and sends `start` (maybe nothing), then nothing more.
async fn stalled_client(srv: &TestServer, start: &str) -> TcpStream {
    let mut tcp = TcpStream::connect(srv.addr).await.unwrap();
    tcp.write_all(start.as_bytes()).await.unwrap();
    tcp
}

/// Waits until the server closes the connection; returns what it sent before.
async fn closed_by_server(mut tcp: TcpStream) -> String {
    let mut received = Vec::new();
    match tokio::time::timeout(GENEROUS, tcp.read_to_end(&mut received)).await {
        Ok(Ok(_)) => {}
        // A reset is a close too.
        Ok(Err(err)) => assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset, "{err}"),
        Err(_) => panic!("the server kept a stalled connection open for {GENEROUS:?}"),
    }
    String::from_utf8_lossy(&received).into_owned()
}

const PARTIAL: &str = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";

#[tokio::test]
async fn a_client_that_stalls_in_its_headers_is_disconnected() {
    let srv = server(Duration::from_secs(1), 64).await;
    let partial = stalled_client(&srv, PARTIAL).await;
    let silent = stalled_client(&srv, "").await;
    // Served nothing: the request never completed.
    let sent = closed_by_server(partial).await;
    assert!(!sent.contains("200 OK"), "{sent}");
    let sent = closed_by_server(silent).await;
    assert!(!sent.contains("200 OK"), "{sent}");

    // Whole requests are still served, on fresh and reused connections.
    for _ in 0..3 {
        let response = srv.client.get(srv.url("/health")).send().await.unwrap();
        assert_eq!(response.status(), 200);
    }
    let mut tcp = stalled_client(&srv, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").await;
    let mut answer = String::new();
    tokio::time::timeout(GENEROUS, tcp.read_to_string(&mut answer)).await.unwrap().unwrap();
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
}

#[tokio::test]
async fn connections_over_the_limit_wait_for_a_free_slot() {
    // A header timeout far beyond the test: only closing the slow client frees its slot.
    let srv = server(Duration::from_secs(600), 1).await;
    // Connected first, so accepted first (the listen backlog is a queue).
    let slow = stalled_client(&srv, PARTIAL).await;
    let client = srv.client.clone();
    let url = srv.url("/health");
    let mut normal = tokio::spawn(async move { client.get(url).send().await.map(|r| r.status()) });
    // While the slot is taken the request is not served. (This can only fail if the
    // limit is not applied: a slow machine serves it later, not sooner.)
    assert!(tokio::time::timeout(Duration::from_millis(500), &mut normal).await.is_err(), "served over the limit");

    // The slow client goes away: its slot frees and the waiting connections are served.
    drop(slow);
    let status = tokio::time::timeout(GENEROUS, normal).await.expect("served once the slot freed").unwrap().unwrap();
    assert_eq!(status, 200);
}

#[tokio::test]
async fn slow_clients_at_the_limit_do_not_starve_a_normal_request() {
    // Two slots, three slow clients (one waiting in the backlog), then a normal request:
    // each slow client is cut off after the header timeout, so the request is served.
    let srv = server(Duration::from_secs(1), 2).await;
    let mut slow = Vec::new();
    for _ in 0..3 {
        slow.push(stalled_client(&srv, PARTIAL).await);
    }
    let response = tokio::time::timeout(GENEROUS, srv.client.get(srv.url("/health")).send())
        .await
        .expect("a normal request is served once slots free")
        .unwrap();
    assert_eq!(response.status(), 200);
    for tcp in slow {
        let sent = closed_by_server(tcp).await;
        assert!(!sent.contains("200 OK"), "{sent}");
    }
}

#[tokio::test]
async fn an_open_websocket_keeps_its_connection_slot() {
    use futures::StreamExt;
    let srv = server(Duration::from_secs(600), 1).await;
    // Clients that keep no idle connection, which would hold the one slot.
    let unpooled = || reqwest::Client::builder().no_proxy().pool_max_idle_per_host(0).build().unwrap();
    srv.create_user("wes", "user", None).await;
    let response = unpooled()
        .post(srv.url("/auth/signin"))
        .json(&serde_json::json!({"email": "wes", "password": sentinelops_testkit::PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let token = response.json::<serde_json::Value>().await.unwrap()["token"].as_str().unwrap().to_owned();

    let url = format!("ws://{}/api/v1/notifications/ws?token={token}", srv.addr);
    let (mut socket, _) = tokio::time::timeout(GENEROUS, tokio_tungstenite::connect_async(url)).await.unwrap().unwrap();
    // Signed in: the channel opens with the unread list.
    let first = tokio::time::timeout(GENEROUS, socket.next()).await.unwrap().unwrap().unwrap();
    assert!(first.to_text().unwrap().contains("unread_notifications"), "{first}");

    let url = srv.url("/health");
    let mut normal = tokio::spawn(async move { unpooled().get(url).send().await.map(|r| r.status()) });
    // (As above: can only fail if the socket's slot was given away.)
    assert!(tokio::time::timeout(Duration::from_millis(500), &mut normal).await.is_err(), "served over the limit");
    drop(socket);
    let status = tokio::time::timeout(GENEROUS, normal).await.expect("served once the socket closed").unwrap().unwrap();
    assert_eq!(status, 200);
}
