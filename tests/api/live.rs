//! Live updates over real sockets: the original's two WebSocket protocols, the event
//! stream with replay, section isolation, presence, and a change made through one
//! instance reaching clients of another.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use sentinelops_testkit::{Options, PASSWORD, TestServer};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use uuid::Uuid;

use crate::admin;

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn socket(srv: &TestServer, path: &str, token: &str) -> Socket {
    let url = format!("ws://{}{path}?token={token}", srv.addr);
    tokio_tungstenite::connect_async(url).await.expect("websocket connects").0
}

/// The next JSON message that satisfies `wanted`, within a deadline.
async fn expect(socket: &mut Socket, wanted: impl Fn(&Value) -> bool, within: Duration) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let left = deadline.checked_duration_since(tokio::time::Instant::now())?;
        let message = tokio::time::timeout(left, socket.next()).await.ok()??.ok()?;
        if let Message::Text(text) = message {
            let value: Value = serde_json::from_str(&text).ok()?;
            if wanted(&value) {
                return Some(value);
            }
        }
    }
}

async fn close_code(socket: &mut Socket) -> Option<CloseCode> {
    loop {
        match tokio::time::timeout(Duration::from_secs(5), socket.next()).await.ok()?? {
            Ok(Message::Close(frame)) => return frame.map(|f| f.code),
            Ok(_) => continue,
            Err(_) => return None,
        }
    }
}

/// A section with a manager, an operator, an outsider, a template and today's instance.
struct Floor {
    manager: String,
    operator: String,
    outsider: String,
    instance: Value,
}

async fn floor(srv: &TestServer) -> Floor {
    let (_, admin_token) = admin(srv).await;
    let section = srv.create_section("Ops").await;
    let other = srv.create_section("Elsewhere").await;
    let (_, manager) = srv.user_with_token("max", "manager", Some(section)).await;
    let (_, operator) = srv.user_with_token("olu", "user", Some(section)).await;
    let (_, outsider) = srv.user_with_token("otto", "manager", Some(other)).await;
    let items: Vec<Value> = (1..=3).map(|i| json!({"title": format!("Check {i}")})).collect();
    let (status, body) = srv
        .post(
            "/api/v1/checklists/templates",
            &admin_token,
            json!({"name": "Ops", "shift": "MORNING", "section_id": section, "items": items}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = srv
        .post("/api/v1/checklists/instances", &operator, json!({"shift": "MORNING", "checklist_date": "2026-11-25"}))
        .await;
    assert_eq!(status, 200, "{body}");
    Floor { manager, operator, outsider, instance: body["instance"].clone() }
}

fn item_path(instance: &Value, index: usize) -> String {
    format!(
        "/api/v1/checklists/instances/{}/items/{}",
        instance["id"].as_str().unwrap(),
        instance["items"][index]["id"].as_str().unwrap()
    )
}

#[tokio::test]
async fn bad_tokens_close_with_the_original_codes() {
    let srv = TestServer::start().await;
    let mut checklist = socket(&srv, "/api/v1/checklists/ws", "nope").await;
    assert_eq!(close_code(&mut checklist).await, Some(CloseCode::Policy));
    let mut notifications = socket(&srv, "/api/v1/notifications/ws", "nope").await;
    assert_eq!(close_code(&mut notifications).await, Some(CloseCode::from(4001)));
}

#[tokio::test]
async fn checklist_socket_speaks_the_protocol_and_isolates_sections() {
    let srv = TestServer::start().await;
    let f = floor(&srv).await;
    let instance_id = f.instance["id"].as_str().unwrap().to_owned();
    let mut mine = socket(&srv, "/api/v1/checklists/ws", &f.manager).await;
    let hello =
        expect(&mut mine, |v| v["type"] == "CONNECTION_ESTABLISHED", Duration::from_secs(5)).await.expect("hello");
    assert!(hello["data"]["user_id"].is_string());
    mine.send(Message::Text(json!({"type": "PING"}).to_string().into())).await.unwrap();
    assert!(expect(&mut mine, |v| v["type"] == "PONG", Duration::from_secs(5)).await.is_some());
    mine.send(Message::Text(json!({"type": "SUBSCRIBE_INSTANCE", "instance_id": instance_id}).to_string().into()))
        .await
        .unwrap();
    let subscribed =
        expect(&mut mine, |v| v["type"] == "SUBSCRIBED", Duration::from_secs(5)).await.expect("subscribed");
    assert_eq!(subscribed["instance_id"], json!(instance_id));

    let mut theirs = socket(&srv, "/api/v1/checklists/ws", &f.outsider).await;
    expect(&mut theirs, |v| v["type"] == "CONNECTION_ESTABLISHED", Duration::from_secs(5)).await.expect("hello");
    theirs
        .send(Message::Text(json!({"type": "SUBSCRIBE_INSTANCE", "instance_id": instance_id}).to_string().into()))
        .await
        .unwrap();
    assert!(expect(&mut theirs, |v| v["type"] == "ERROR", Duration::from_secs(5)).await.is_some());

    let (status, _) = srv.patch(&item_path(&f.instance, 0), &f.operator, json!({"status": "IN_PROGRESS"})).await;
    assert_eq!(status, 200);
    let update = expect(
        &mut mine,
        |v| v["type"] == "CHECKLIST_UPDATE" && v["data"]["type"] == "ITEM_UPDATED",
        Duration::from_secs(3),
    )
    .await
    .expect("the manager sees the change live");
    assert_eq!(update["data"]["instance_id"], json!(instance_id));
    assert_eq!(update["data"]["item_id"], f.instance["items"][0]["id"]);
    assert_eq!(update["data"]["status"], "IN_PROGRESS");
    assert_eq!(update["data"]["previous_status"], "PENDING");
    let checklist_status =
        expect(&mut mine, |v| v["data"]["type"] == "CHECKLIST_UPDATE", Duration::from_secs(3)).await.expect("status");
    assert_eq!(checklist_status["data"]["status"], "IN_PROGRESS");
    // The other section hears nothing of it.
    let leaked =
        expect(&mut theirs, |v| v["data"]["instance_id"] == json!(instance_id), Duration::from_millis(1500)).await;
    assert!(leaked.is_none(), "{leaked:?}");
}

#[tokio::test]
async fn notification_socket_pushes_new_notifications_and_marks_them_read() {
    let srv = TestServer::start().await;
    let f = floor(&srv).await;
    let mut bell = socket(&srv, "/api/v1/notifications/ws", &f.manager).await;
    let first =
        expect(&mut bell, |v| v["type"] == "unread_notifications", Duration::from_secs(5)).await.expect("unread list");
    assert_eq!(first["version"], 1);
    assert_eq!(first["payload"]["count"], 0);
    let (status, _) = srv
        .patch(&item_path(&f.instance, 1), &f.operator, json!({"status": "SKIPPED", "reason": "Vendor window"}))
        .await;
    assert_eq!(status, 200);
    let pushed =
        expect(&mut bell, |v| v["type"] == "new_notification", Duration::from_secs(3)).await.expect("pushed live");
    let n = &pushed["payload"]["notification"];
    assert!(n["title"].as_str().unwrap().starts_with("Checklist Item Skipped"));
    assert_eq!(n["related_entity"], "checklist_manager_alert");
    assert_eq!(n["is_read"], false);
    // The operator who skipped is not told about their own action.
    let mut own = socket(&srv, "/api/v1/notifications/ws", &f.operator).await;
    let unread = expect(&mut own, |v| v["type"] == "unread_notifications", Duration::from_secs(5)).await.unwrap();
    assert_eq!(unread["payload"]["count"], 0);

    bell.send(Message::Text(json!({"type": "mark_read", "payload": {"notification_id": n["id"]}}).to_string().into()))
        .await
        .unwrap();
    let updated = expect(&mut bell, |v| v["type"] == "notification_updated", Duration::from_secs(5)).await.unwrap();
    assert_eq!(updated["payload"]["success"], true);
    let fresh = expect(&mut bell, |v| v["type"] == "unread_notifications", Duration::from_secs(5)).await.unwrap();
    assert_eq!(fresh["payload"]["count"], 0);
    bell.send(Message::Text(json!({"type": "ping"}).to_string().into())).await.unwrap();
    assert!(expect(&mut bell, |v| v["type"] == "pong", Duration::from_secs(5)).await.is_some());
}

#[tokio::test]
async fn a_read_anywhere_updates_the_users_other_sockets_on_every_instance() {
    let a = TestServer::start().await;
    let f = floor(&a).await;
    let b = TestServer::start_on(a.database().clone(), Options::default()).await;
    let manager_on_b = b.login("max", PASSWORD).await;
    let hello = |v: &Value| v["type"] == "unread_notifications";
    let mut tab1 = socket(&a, "/api/v1/notifications/ws", &f.manager).await;
    let mut tab2 = socket(&b, "/api/v1/notifications/ws", &manager_on_b).await;
    expect(&mut tab1, hello, Duration::from_secs(5)).await.expect("unread list");
    expect(&mut tab2, hello, Duration::from_secs(5)).await.expect("unread list");

    // A failure is critical: the original's channels say high, ours critical beside it.
    let (status, _) =
        a.patch(&item_path(&f.instance, 0), &f.operator, json!({"status": "FAILED", "reason": "Disk full"})).await;
    assert_eq!(status, 200);
    let (status, _) =
        a.patch(&item_path(&f.instance, 1), &f.operator, json!({"status": "SKIPPED", "reason": "Vendor window"})).await;
    assert_eq!(status, 200);
    let new = |v: &Value| v["type"] == "new_notification";
    let mut pushed = Vec::new();
    for _ in 0..2 {
        let frame = expect(&mut tab2, new, Duration::from_secs(5)).await.expect("pushed to the other instance");
        pushed.push(frame["payload"]["notification"].clone());
        expect(&mut tab1, new, Duration::from_secs(5)).await.expect("pushed");
    }
    let failed = pushed.iter().find(|n| n["priority_level"] == "critical").expect("the failure's alert");
    assert_eq!(failed["priority"], "high");
    let (_, listed) = a.get("/api/v1/notifications/", &f.manager).await;
    let in_list = listed.as_array().unwrap().iter().find(|n| n["id"] == failed["id"]).unwrap();
    assert_eq!((&in_list["priority"], &in_list["priority_level"]), (&json!("high"), &json!("critical")));

    // Tab 1 reads the alert: it gets its answer, tab 2 (on B) the same update frames.
    tab1.send(Message::Text(
        json!({"type": "mark_read", "data": {"notification_id": failed["id"]}}).to_string().into(),
    ))
    .await
    .unwrap();
    let updated = |v: &Value| v["type"] == "notification_updated";
    let own = expect(&mut tab1, updated, Duration::from_secs(5)).await.expect("answered");
    assert_eq!(own["payload"], json!({"notification_id": failed["id"], "success": true}));
    let other = expect(&mut tab2, updated, Duration::from_secs(5)).await.expect("the other tab hears of the read");
    assert_eq!(other["payload"]["notification_id"], failed["id"]);
    let badge = expect(&mut tab2, hello, Duration::from_secs(5)).await.expect("and gets a fresh unread list");
    assert_eq!(badge["payload"]["count"], 1);
    assert_eq!(badge["payload"]["notifications"][0]["priority"], "high");
    expect(&mut tab1, hello, Duration::from_secs(5)).await.expect("its own fresh list");
    // The tab that read it is not told twice.
    let echo = expect(&mut tab1, updated, Duration::from_millis(1500)).await;
    assert!(echo.is_none(), "{echo:?}");

    // Mark-all through the REST API (a third client): both tabs' badges go to zero.
    let (status, body) = a.post("/api/v1/notifications/mark-all-read", &f.manager, json!({})).await;
    assert_eq!((status.as_u16(), &body["updated"]), (200, &json!(1)));
    for tab in [&mut tab1, &mut tab2] {
        let badge = expect(tab, hello, Duration::from_secs(5)).await.expect("fresh unread list after mark-all");
        assert_eq!(badge["payload"]["count"], 0);
    }
    // Nobody else's sockets hear of it.
    let mut operator = socket(&a, "/api/v1/notifications/ws", &f.operator).await;
    expect(&mut operator, hello, Duration::from_secs(5)).await.expect("unread list");
    let (_, listed) = a.get("/api/v1/notifications/?include_read=true", &f.manager).await;
    let id = listed[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        a.call(reqwest::Method::PATCH, &format!("/api/v1/notifications/{id}/read"), Some(&f.manager), None).await.0,
        200
    );
    let leaked = expect(&mut operator, |v| v["type"] != "pong", Duration::from_millis(1500)).await;
    assert!(leaked.is_none(), "{leaked:?}");
    let mut b = b;
    b.stop().await;
}

/// Reads server-sent events until `count` of kind `event` arrived; returns (id, data) pairs.
async fn sse_events(
    srv: &TestServer,
    token: &str,
    last_id: Option<&str>,
    event: &str,
    count: usize,
) -> Vec<(String, Value)> {
    let mut request = srv.client.get(srv.url("/api/v1/events")).bearer_auth(token);
    if let Some(id) = last_id {
        request = request.header("Last-Event-ID", id);
    }
    let mut response = request.send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    let mut buffer = String::new();
    let mut found = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while found.len() < count {
        let left = deadline.checked_duration_since(tokio::time::Instant::now()).expect("events in time");
        let chunk =
            tokio::time::timeout(left, response.chunk()).await.expect("events in time").unwrap().expect("open stream");
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let field = |name: &str| {
                block.lines().find_map(|l| l.strip_prefix(&format!("{name}:")).map(|v| v.trim().to_owned()))
            };
            if field("event").as_deref() == Some(event) {
                found.push((
                    field("id").unwrap_or_default(),
                    serde_json::from_str(&field("data").unwrap_or_default()).unwrap(),
                ));
            }
        }
    }
    found
}

#[tokio::test]
async fn the_event_stream_delivers_and_replays_after_a_reconnect() {
    let srv = TestServer::start().await;
    let f = floor(&srv).await;
    let listening = sse_events(&srv, &f.manager, None, "ITEM_UPDATED", 1);
    let change = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        srv.patch(&item_path(&f.instance, 0), &f.operator, json!({"status": "COMPLETED"})).await
    };
    let (events, (status, _)) = tokio::join!(listening, change);
    assert_eq!(status, 200);
    let (first_id, data) = &events[0];
    assert_eq!(data["status"], "COMPLETED");
    // Changes made while disconnected are replayed from the database on reconnect.
    srv.patch(&item_path(&f.instance, 1), &f.operator, json!({"status": "COMPLETED"})).await;
    srv.patch(&item_path(&f.instance, 2), &f.operator, json!({"status": "SKIPPED", "reason": "n/a"})).await;
    let replayed = sse_events(&srv, &f.manager, Some(first_id), "ITEM_UPDATED", 2).await;
    let statuses: Vec<&str> = replayed.iter().map(|(_, d)| d["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["COMPLETED", "SKIPPED"]);
    assert!(replayed.iter().all(|(id, _)| id.parse::<i64>().unwrap() > first_id.parse::<i64>().unwrap()));
    // Another section's stream carries none of it.
    let (status, _) = srv.call(reqwest::Method::GET, "/api/v1/events", None, None).await;
    assert_eq!(status, 401);
}

/// Points that count (here a manager's adjustment) reach the earner's open pages
/// (`points_updated`, the Performance page's refresh) with the change, and only theirs.
#[tokio::test]
async fn points_earned_reach_the_earners_event_stream_only() {
    let srv = TestServer::start().await;
    let f = floor(&srv).await;
    let (status, me) = srv.get("/auth/me", &f.operator).await;
    assert_eq!(status, 200, "{me}");
    let adjustment = json!({"user_id": me["id"], "points": 15, "reason": "Covered the night desk"});
    let listening = sse_events(&srv, &f.operator, None, "points_updated", 1);
    let change = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        srv.post("/api/v1/gamification/adjustments", &f.manager, adjustment).await
    };
    let (events, (status, body)) = tokio::join!(listening, change);
    assert_eq!(status, 201, "{body}");
    let (first_id, data) = &events[0];
    assert_eq!(data["recipients"], json!([me["id"]]), "{data}");
    assert_eq!(data["points"], 15, "{data}");
    // The manager's stream, replayed from before it, does not carry it.
    let before = (first_id.parse::<i64>().unwrap() - 1).to_string();
    let theirs =
        srv.client.get(srv.url("/api/v1/events")).bearer_auth(&f.manager).header("Last-Event-ID", before.as_str());
    let mut response = theirs.send().await.unwrap();
    assert_eq!(response.status(), 200);
    let mut text = String::new();
    while let Ok(Ok(Some(chunk))) = tokio::time::timeout(Duration::from_millis(700), response.chunk()).await {
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(!text.contains("points_updated"), "{text}");
    // The operator's own replay does.
    let replayed = sse_events(&srv, &f.operator, Some(&before), "points_updated", 1).await;
    assert_eq!(&replayed[0].0, first_id);
}

#[tokio::test]
async fn a_change_through_one_instance_reaches_clients_of_another_and_presence_is_shared() {
    let a = TestServer::start().await;
    let f = floor(&a).await;
    let b = TestServer::start_on(a.database().clone(), Options::default()).await;
    let manager_on_b = b.login("max", PASSWORD).await;
    let mut socket_b = socket(&b, "/api/v1/checklists/ws", &manager_on_b).await;
    expect(&mut socket_b, |v| v["type"] == "CONNECTION_ESTABLISHED", Duration::from_secs(5)).await.expect("hello");

    // The operator joins through A and connects a socket to A: B shows them online.
    let instance_id = f.instance["id"].as_str().unwrap();
    a.post(&format!("/api/v1/checklists/instances/{instance_id}/join"), &f.operator, json!({})).await;
    let mut operator_socket = socket(&a, "/api/v1/checklists/ws", &f.operator).await;
    expect(&mut operator_socket, |v| v["type"] == "CONNECTION_ESTABLISHED", Duration::from_secs(5))
        .await
        .expect("hello");
    let presence =
        expect(&mut socket_b, |v| v["data"]["type"] == "PARTICIPANT_PRESENCE_CHANGED", Duration::from_secs(3)).await;
    assert_eq!(presence.expect("presence crosses instances")["data"]["is_online"], true);
    let (_, view) = b.get(&format!("/api/v1/checklists/instances/{instance_id}"), &manager_on_b).await;
    assert_eq!(view["participants"][0]["is_online"], true);

    let started = tokio::time::Instant::now();
    let (status, _) =
        a.patch(&item_path(&f.instance, 2), &f.operator, json!({"status": "SKIPPED", "reason": "Maintenance"})).await;
    assert_eq!(status, 200);
    let update = expect(&mut socket_b, |v| v["data"]["type"] == "ITEM_UPDATED", Duration::from_secs(2))
        .await
        .expect("crosses instances");
    assert_eq!(update["data"]["status"], "SKIPPED");
    assert!(started.elapsed() < Duration::from_secs(1), "reached B in {:?}", started.elapsed());

    drop(operator_socket);
    let offline =
        expect(&mut socket_b, |v| v["data"]["type"] == "PARTICIPANT_PRESENCE_CHANGED", Duration::from_secs(3)).await;
    assert_eq!(offline.expect("offline too")["data"]["is_online"], false);
    let mut b = b;
    b.stop().await;
    drop(a);
    let _ = Uuid::nil();
}

#[tokio::test]
async fn an_event_stream_on_one_instance_hears_a_change_made_through_another() {
    let a = TestServer::start().await;
    let f = floor(&a).await;
    let b = TestServer::start_on(a.database().clone(), Options::default()).await;
    let manager_on_b = b.login("max", PASSWORD).await;
    let listening = sse_events(&b, &manager_on_b, None, "ITEM_UPDATED", 1);
    let change = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        a.patch(&item_path(&f.instance, 0), &f.operator, json!({"status": "FAILED", "reason": "Disk full"})).await
    };
    let (events, (status, _)) = tokio::join!(listening, change);
    assert_eq!(status, 200);
    assert_eq!(events[0].1["status"], "FAILED");
    assert_eq!(events[0].1["instance_id"], f.instance["id"]);
    let mut b = b;
    b.stop().await;
}

/// Event names a stream sends until it ends; panics if it is still open after `within`.
async fn events_until_the_end(mut response: reqwest::Response, within: Duration) -> Vec<String> {
    let deadline = tokio::time::Instant::now() + within;
    let mut text = String::new();
    loop {
        let left = deadline.checked_duration_since(tokio::time::Instant::now()).expect("the stream ends in time");
        match tokio::time::timeout(left, response.chunk()).await.expect("the stream ends in time") {
            Ok(Some(chunk)) => text.push_str(&String::from_utf8_lossy(&chunk)),
            Ok(None) | Err(_) => break,
        }
    }
    text.lines().filter_map(|l| l.strip_prefix("event:")).map(|e| e.trim().to_owned()).collect()
}

#[tokio::test]
async fn a_signed_out_session_loses_its_sockets_and_event_stream_and_another_session_keeps_its_own() {
    let web = sentinelops_web::WebConfig { live_session_recheck: Duration::from_millis(200), ..Default::default() };
    let srv = TestServer::start_with(Options { web: Some(web), ..Default::default() }).await;
    let f = floor(&srv).await;
    let other_session = srv.login("max", PASSWORD).await;

    let mut checklist = socket(&srv, "/api/v1/checklists/ws", &f.manager).await;
    assert!(expect(&mut checklist, |v| v["type"] == "CONNECTION_ESTABLISHED", Duration::from_secs(5)).await.is_some());
    let mut bell = socket(&srv, "/api/v1/notifications/ws", &f.manager).await;
    assert!(expect(&mut bell, |v| v["type"] == "unread_notifications", Duration::from_secs(5)).await.is_some());
    let mut kept = socket(&srv, "/api/v1/notifications/ws", &other_session).await;
    assert!(expect(&mut kept, |v| v["type"] == "unread_notifications", Duration::from_secs(5)).await.is_some());
    let stream = srv.client.get(srv.url("/api/v1/events")).bearer_auth(&f.manager).send().await.unwrap();
    assert_eq!(stream.status(), 200);

    let (status, _) = srv.post("/auth/logout", &f.manager, json!({})).await;
    assert_eq!(status, 200);

    assert_eq!(close_code(&mut checklist).await, Some(CloseCode::Policy), "the checklist socket closes");
    assert_eq!(close_code(&mut bell).await, Some(CloseCode::from(4001)), "the notification socket closes");
    let names = events_until_the_end(stream, Duration::from_secs(5)).await;
    assert_eq!(names.last().map(String::as_str), Some("session_ended"), "the stream says why it ends: {names:?}");

    // The same user's other session still hears live changes, well after a few re-checks.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let (status, _) = srv
        .patch(&item_path(&f.instance, 1), &f.operator, json!({"status": "SKIPPED", "reason": "Vendor window"}))
        .await;
    assert_eq!(status, 200);
    assert!(
        expect(&mut kept, |v| v["type"] == "new_notification", Duration::from_secs(5)).await.is_some(),
        "the other session's socket stays open"
    );
}

/// Polls the LISTEN connections of `srv`'s database until `done` holds them (5 s at most).
async fn listeners_until(srv: &TestServer, done: impl Fn(&[i32]) -> bool) -> Vec<i32> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let pids = srv.database().listening_connections().await;
        if done(&pids) {
            return pids;
        }
        assert!(tokio::time::Instant::now() < deadline, "LISTEN connections now: {pids:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_live_pump_listens_again_after_postgresql_refused_it_for_a_while() {
    let a = TestServer::start().await;
    if !a.database().is_postgres() {
        // SQLite has no LISTEN connection: commits wake the pump in-process.
        return;
    }
    let f = floor(&a).await;
    let b = TestServer::start_on(a.database().clone(), Options::default()).await;
    let manager_on_b = b.login("max", PASSWORD).await;
    let db = a.database();
    for _ in 0..2 {
        let before = listeners_until(&a, |pids| pids.len() == 2).await;
        // A restart, as the pumps see it: their connections end and new ones are
        // refused for longer than one retry; then the database is back.
        db.allow_connections(false).await;
        for pid in &before {
            db.terminate_connection(*pid).await;
        }
        tokio::time::sleep(Duration::from_millis(1500)).await;
        db.allow_connections(true).await;
        listeners_until(&a, |pids| pids.len() == 2 && pids.iter().all(|p| !before.contains(p))).await;
    }
    let listening = sse_events(&b, &manager_on_b, None, "ITEM_UPDATED", 1);
    let change = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        a.patch(&item_path(&f.instance, 0), &f.operator, json!({"status": "COMPLETED"})).await
    };
    let (events, (status, _)) = tokio::join!(listening, change);
    assert_eq!(status, 200);
    assert_eq!(events[0].1["instance_id"], f.instance["id"]);
    let mut b = b;
    b.stop().await;
}
