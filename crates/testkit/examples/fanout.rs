//! Benchmark (not a test): one notification fanned out to N connected WebSocket clients.
//!
//! Starts SentinelOps through the test harness (SQLite, or PostgreSQL when
//! `SENTINELOPS_TEST_DATABASE_URL` is set — then two instances on the same database by
//! default), creates N managers of one section, opens one `/api/v1/notifications/ws`
//! socket per user (spread round-robin over the instances), and for each round sends one
//! notification to all N users in one write transaction. The latency of a client is the
//! time from just before the transaction begins (t0) to the moment its socket yields
//! the matching `new_notification` frame.
//!
//! ```text
//! bash -c 'ulimit -n 8192 && cargo run --release -p sentinelops-testkit --example fanout -- --clients 1000'
//! SENTINELOPS_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
//!   bash -c 'ulimit -n 8192 && cargo run --release -p sentinelops-testkit --example fanout -- --clients 1000'
//! ```
//!
//! Flags: `--clients N` (1000), `--rounds R` (5), `--instances K` (1 on SQLite, 2 on
//! PostgreSQL), `--batch B` (100 sockets connecting at once), `--timeout S` (120).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt, stream};
use serde_json::{Value, json};
use tokio::sync::{Semaphore, mpsc, watch};
use tokio_tungstenite::tungstenite::Message;
use uuid::Uuid;

use sentinelops_app::notifications::{self, Audience, Draft, Priority};
use sentinelops_app::users::CreateUser;
use sentinelops_app::{Actor, RequestMeta};
use sentinelops_domain::Role;
use sentinelops_testkit::{Options, PASSWORD, TestServer};

/// How long one round may take before its missing deliveries count as lost.
const ROUND_TIMEOUT: Duration = Duration::from_secs(20);
/// Quiet time after the sockets connected (their presence events drain) and between rounds.
const SETTLE: Duration = Duration::from_secs(2);

struct Args {
    clients: usize,
    rounds: usize,
    instances: Option<usize>,
    batch: usize,
    timeout: Duration,
}

fn parse_args() -> Args {
    let mut args = Args { clients: 1000, rounds: 5, instances: None, batch: 100, timeout: Duration::from_secs(120) };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || -> u64 {
            let v = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
            v.parse().unwrap_or_else(|_| panic!("{flag}: not a number: {v}"))
        };
        match flag.as_str() {
            "--clients" => args.clients = value() as usize,
            "--rounds" => args.rounds = value() as usize,
            "--instances" => args.instances = Some(value() as usize),
            "--batch" => args.batch = value() as usize,
            "--timeout" => args.timeout = Duration::from_secs(value()),
            "-h" | "--help" => {
                println!("fanout [--clients N] [--rounds R] [--instances K] [--batch B] [--timeout SECONDS]");
                std::process::exit(0);
            }
            other => panic!("unknown flag {other}"),
        }
    }
    assert!(args.clients > 0 && args.rounds > 0 && args.batch > 0, "counts must be positive");
    args
}

/// A frame a client saw: (client index, notification id, when its socket yielded it).
type Arrival = (usize, Uuid, Instant);
/// A notification a server's live hub broadcast: (instance index, notification id, when).
type Broadcast = (usize, Uuid, Instant);

/// One client: connects (at most `batch` at once), waits for the unread greeting,
/// reports ready, then reports every `new_notification` until told to stop.
async fn client(
    index: usize,
    url: String,
    gate: Arc<Semaphore>,
    ready: mpsc::UnboundedSender<Result<usize, String>>,
    arrivals: mpsc::UnboundedSender<Arrival>,
    mut stop: watch::Receiver<bool>,
) {
    let permit = gate.acquire_owned().await.expect("gate open");
    let mut socket = match tokio::time::timeout(Duration::from_secs(30), tokio_tungstenite::connect_async(&url)).await {
        Ok(Ok((socket, _))) => socket,
        Ok(Err(e)) => {
            let _ = ready.send(Err(format!("client {index}: connect: {e}")));
            return;
        }
        Err(_) => {
            let _ = ready.send(Err(format!("client {index}: connect timed out")));
            return;
        }
    };
    let greeted = async {
        while let Some(Ok(message)) = socket.next().await {
            if let Message::Text(text) = message
                && serde_json::from_str::<Value>(&text).is_ok_and(|v| v["type"] == "unread_notifications")
            {
                return true;
            }
        }
        false
    };
    if !tokio::time::timeout(Duration::from_secs(30), greeted).await.unwrap_or(false) {
        let _ = ready.send(Err(format!("client {index}: no unread_notifications greeting")));
        return;
    }
    drop(permit);
    let _ = ready.send(Ok(index));
    loop {
        tokio::select! {
            message = socket.next() => match message {
                Some(Ok(Message::Text(text))) => {
                    let at = Instant::now();
                    let Ok(value) = serde_json::from_str::<Value>(&text) else { continue };
                    if value["type"] == "new_notification"
                        && let Some(id) = value["payload"]["notification"]["id"].as_str().and_then(|s| s.parse().ok())
                    {
                        let _ = arrivals.send((index, id, at));
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => break,
            },
            _ = stop.changed() => {
                let _ = socket.close(None).await;
                // Drain until the server's close frame (or give up).
                let _ = tokio::time::timeout(Duration::from_secs(5), async {
                    while let Some(Ok(_)) = socket.next().await {}
                })
                .await;
                break;
            }
        }
    }
    let _ = socket.flush().await;
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

struct Stats {
    min: f64,
    p50: f64,
    p90: f64,
    p99: f64,
    max: f64,
    delivered: usize,
    expected: usize,
}

fn stats(mut ms: Vec<f64>, expected: usize) -> Stats {
    ms.sort_by(f64::total_cmp);
    Stats {
        min: ms.first().copied().unwrap_or(f64::NAN),
        p50: percentile(&ms, 0.50),
        p90: percentile(&ms, 0.90),
        p99: percentile(&ms, 0.99),
        max: ms.last().copied().unwrap_or(f64::NAN),
        delivered: ms.len(),
        expected,
    }
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// What one round measured.
struct Round {
    latencies: Vec<f64>,
    commit_ms: f64,
    /// PostgreSQL: when a separate LISTEN connection heard the commit's NOTIFY, after t0.
    notify_ms: Option<f64>,
    /// Per instance: when its live hub broadcast the notification, after t0.
    hub_ms: Vec<Option<f64>>,
    event: Option<Arc<sentinelops_app::live::LiveEvent>>,
}

struct Bench<'a> {
    servers: &'a [TestServer],
    users: Vec<Uuid>,
    section: Uuid,
    arrivals: mpsc::UnboundedReceiver<Arrival>,
    broadcasts: mpsc::UnboundedReceiver<Broadcast>,
    events: mpsc::UnboundedReceiver<Arc<sentinelops_app::live::LiveEvent>>,
    /// PostgreSQL only: when a LISTENer of this process heard a NOTIFY of the live channel.
    notifies: mpsc::UnboundedReceiver<Instant>,
}

impl Bench<'_> {
    async fn round(&mut self, label: &str) -> Round {
        // Forget anything left from an earlier round.
        while self.arrivals.try_recv().is_ok() {}
        while self.broadcasts.try_recv().is_ok() {}
        while self.events.try_recv().is_ok() {}
        while self.notifies.try_recv().is_ok() {}
        let app = &self.servers[0].app;
        let draft = Draft {
            title: format!("Fan-out benchmark {label}"),
            message: "One notification to every connected client.".to_owned(),
            priority: Priority::Medium,
            // No e-mail and no webhook for this kind: only the in-app path is measured.
            related_entity: "checklist_instance",
            related_id: None,
            section_id: Some(self.section),
            audience: Audience::Users(self.users.clone()),
            exclude: None,
        };
        let t0 = Instant::now();
        let tx = app.store.begin_write().await.expect("begin");
        let sent = notifications::send(&tx, app.clock.now(), draft).await.expect("send");
        sentinelops_store::commit(tx).await.expect("commit");
        let committed = t0.elapsed();
        assert_eq!(sent.recipients.len(), self.users.len(), "every user is a recipient");
        let id = sent.notification_id;

        let n = self.users.len();
        let mut arrived: Vec<Option<Instant>> = vec![None; n];
        let mut count = 0;
        let mut hub: Vec<Option<Instant>> = vec![None; self.servers.len()];
        let mut event = None;
        let deadline = tokio::time::Instant::now() + ROUND_TIMEOUT;
        while count < n {
            tokio::select! {
                got = self.arrivals.recv() => {
                    let Some((index, got_id, at)) = got else { break };
                    if got_id == id && arrived[index].is_none() {
                        arrived[index] = Some(at);
                        count += 1;
                    }
                }
                Some((server, got_id, at)) = self.broadcasts.recv() => {
                    if got_id == id && hub[server].is_none() {
                        hub[server] = Some(at);
                    }
                }
                Some(e) = self.events.recv(), if event.is_none() => {
                    if e.payload["notification_id"].as_str() == Some(id.to_string().as_str()) {
                        event = Some(e);
                    }
                }
                () = tokio::time::sleep_until(deadline) => break,
            }
        }
        // Broadcasts that came in while the last clients were being counted.
        while let Ok((server, got_id, at)) = self.broadcasts.try_recv() {
            if got_id == id && hub[server].is_none() {
                hub[server] = Some(at);
            }
        }
        let notify_ms = self.notifies.try_recv().ok().map(|at| millis(at.duration_since(t0)));
        Round {
            latencies: arrived.iter().flatten().map(|at| millis(at.duration_since(t0))).collect(),
            commit_ms: millis(committed),
            notify_ms,
            hub_ms: hub.iter().map(|at| at.map(|at| millis(at.duration_since(t0)))).collect(),
            event,
        }
    }
}

/// Single-threaded cost of the per-socket work the server repeats N times for one
/// event: the visibility check, and a replica of the frame it builds and serialises.
fn per_socket_costs(event: &sentinelops_app::live::LiveEvent, users: &[Uuid], section: Uuid) -> (f64, f64) {
    let actors: Vec<Actor> = users
        .iter()
        .map(|&user_id| Actor {
            user_id,
            username: "u".to_owned(),
            role: Role::Manager,
            section_id: Some(section),
            department_id: None,
            session_id: Uuid::nil(),
        })
        .collect();
    let started = Instant::now();
    let visible = actors.iter().filter(|a| event.visible_to(a)).count();
    let visibility = millis(started.elapsed());
    assert_eq!(visible, users.len());
    let started = Instant::now();
    let mut bytes = 0;
    for actor in &actors {
        // As notification_ws::notification_for + envelope do.
        let field = |k: &str| event.payload.get(k).cloned().unwrap_or(Value::Null);
        let notification = json!({
            "id": field("notification_id"), "user_id": actor.user_id, "role_id": null, "title": field("title"),
            "message": field("message"), "priority": field("priority"), "related_entity": field("related_entity"),
            "related_id": field("related_id"), "is_read": false, "created_at": field("timestamp"),
            "updated_at": field("timestamp"),
        });
        let text = json!({ "version": 1, "type": "new_notification", "payload": { "notification": notification } })
            .to_string();
        bytes += text.len();
    }
    let serialise = millis(started.elapsed());
    assert!(bytes > 0);
    (visibility, serialise)
}

async fn run(args: &Args, servers: &[TestServer]) {
    let first = &servers[0];
    let n = args.clients;
    let started = Instant::now();

    // N managers of one section, created and signed in straight through the application.
    let section = first.create_section("Fanout").await;
    let run_id = Uuid::new_v4().simple().to_string();
    let users: Vec<(Uuid, String)> = stream::iter(0..n)
        .map(|i| {
            let app = first.app.clone();
            let username = format!("fan{}_{i}", &run_id[..6]);
            async move {
                let user = app
                    .create_user(
                        &Actor::system(),
                        CreateUser {
                            username: username.clone(),
                            email: format!("{username}@test.local"),
                            first_name: "Fan".to_owned(),
                            last_name: format!("Out {i}"),
                            position: None,
                            password: PASSWORD.to_owned(),
                            role: "manager".to_owned(),
                            department_id: None,
                            section_id: Some(section),
                        },
                    )
                    .await
                    .expect("create user");
                let signed = app.sign_in(&username, PASSWORD, &RequestMeta::default()).await.expect("sign in");
                (user.id, signed.token)
            }
        })
        .buffered(32)
        .collect()
        .await;
    eprintln!("{n} users created and signed in in {:.1} s", started.elapsed().as_secs_f64());

    // Each instance's live hub, observed from an OS thread parked in `blocking_recv` (woken
    // by the pump's send itself, not queued behind the N socket tasks on the runtime).
    let (broadcast_tx, broadcasts) = mpsc::unbounded_channel::<Broadcast>();
    let (event_tx, events) = mpsc::unbounded_channel();
    for (server, srv) in servers.iter().enumerate() {
        let mut hub = srv.app.live.subscribe();
        let broadcast_tx = broadcast_tx.clone();
        let event_tx = event_tx.clone();
        std::thread::spawn(move || {
            loop {
                match hub.blocking_recv() {
                    Ok(event) => {
                        let at = Instant::now();
                        if event.topic == "notification"
                            && let Some(id) = event.payload["notification_id"].as_str().and_then(|s| s.parse().ok())
                        {
                            if broadcast_tx.send((server, id, at)).is_err() {
                                break;
                            }
                            if server == 0 {
                                let _ = event_tx.send(event);
                            }
                        }
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                }
            }
        });
    }
    drop((broadcast_tx, event_tx));

    // On PostgreSQL, a LISTEN connection of our own on a separate thread and runtime: when
    // the NOTIFY a separate process would wake on arrives. (The instances here share one
    // process, so their pumps may also wake through the in-process signal.)
    let (notify_tx, notifies) = mpsc::unbounded_channel();
    if first.database().is_postgres() {
        let store = first.app.store.clone();
        let (listening_tx, listening) = tokio::sync::oneshot::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            runtime.block_on(async move {
                let mut listener = store.listen().await.expect("LISTEN").expect("a PostgreSQL listener");
                let _ = listening_tx.send(());
                while listener.next().await.is_ok() {
                    if notify_tx.send(Instant::now()).is_err() {
                        break;
                    }
                }
            });
        });
        listening.await.expect("listener started");
    }

    // N sockets, at most `batch` connecting at once, spread round-robin over the instances.
    let started = Instant::now();
    let gate = Arc::new(Semaphore::new(args.batch));
    let (ready_tx, mut ready) = mpsc::unbounded_channel();
    let (arrival_tx, arrivals) = mpsc::unbounded_channel();
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut clients = Vec::with_capacity(n);
    for (index, (_, token)) in users.iter().enumerate() {
        let addr = servers[index % servers.len()].addr;
        assert!(addr.ip().is_loopback(), "the benchmark only talks to 127.0.0.1");
        let url = format!("ws://{addr}/api/v1/notifications/ws?token={token}");
        clients.push(tokio::spawn(client(
            index,
            url,
            gate.clone(),
            ready_tx.clone(),
            arrival_tx.clone(),
            stop_rx.clone(),
        )));
    }
    drop(ready_tx);
    let mut connected = 0;
    while connected < n {
        match ready.recv().await {
            Some(Ok(_)) => connected += 1,
            Some(Err(e)) => panic!("{e} (is `ulimit -n` high enough? ~2 descriptors per client)"),
            None => panic!("clients ended before connecting"),
        }
    }
    eprintln!("{n} sockets connected and greeted in {:.1} s", started.elapsed().as_secs_f64());
    tokio::time::sleep(SETTLE).await;

    let ids: Vec<Uuid> = users.iter().map(|(id, _)| *id).collect();
    let mut bench = Bench { servers, users: ids.clone(), section, arrivals, broadcasts, events, notifies };
    let warm = bench.round("warm-up").await;
    eprintln!("warm-up: {} of {n} delivered (discarded)", warm.latencies.len());

    let backend = if first.database().is_postgres() { "postgresql" } else { "sqlite" };
    let mut all = Vec::new();
    let mut last_event = None;
    for r in 1..=args.rounds {
        tokio::time::sleep(SETTLE).await;
        let round = bench.round(&format!("round {r}")).await;
        let s = stats(round.latencies.clone(), n);
        let hub: Vec<String> =
            round.hub_ms.iter().map(|ms| ms.map_or_else(|| "-".to_owned(), |ms| format!("{ms:.1}"))).collect();
        eprintln!(
            "round {r}: commit {:.1} ms, NOTIFY heard {} ms, hub broadcast [{}] ms, first {:.1} p50 {:.1} p90 {:.1} p99 {:.1} max {:.1} ms, {}/{} delivered",
            round.commit_ms,
            round.notify_ms.map_or_else(|| "-".to_owned(), |ms| format!("{ms:.1}")),
            hub.join(", "),
            s.min,
            s.p50,
            s.p90,
            s.p99,
            s.max,
            s.delivered,
            s.expected
        );
        println!(
            "{}",
            json!({
                "round": r, "backend": backend, "instances": servers.len(), "clients": n,
                "commit_ms": round.commit_ms, "notify_heard_ms": round.notify_ms, "hub_broadcast_ms": round.hub_ms,
                "first_ms": s.min, "p50_ms": s.p50, "p90_ms": s.p90, "p99_ms": s.p99, "max_ms": s.max,
                "delivered": s.delivered, "expected": s.expected,
            })
        );
        all.extend(round.latencies);
        if round.event.is_some() {
            last_event = round.event;
        }
    }

    let s = stats(all, n * args.rounds);
    let share = 100.0 * s.delivered as f64 / s.expected as f64;
    println!("| backend | instances | clients | rounds | p50 ms | p90 ms | p99 ms | max ms | delivered |");
    println!("|---|---|---|---|---|---|---|---|---|");
    println!(
        "| {backend} | {} | {n} | {} | {:.1} | {:.1} | {:.1} | {:.1} | {share:.1}% ({}/{}) |",
        servers.len(),
        args.rounds,
        s.p50,
        s.p90,
        s.p99,
        s.max,
        s.delivered,
        s.expected
    );
    let (visibility_ms, serialise_ms) = match &last_event {
        Some(event) => per_socket_costs(event, &ids, section),
        None => (f64::NAN, f64::NAN),
    };
    eprintln!(
        "per-event server work for {n} sockets, one thread: visible_to {visibility_ms:.1} ms, frame build+serialise (replica) {serialise_ms:.1} ms"
    );
    println!(
        "{}",
        json!({
            "summary": true, "backend": backend, "instances": servers.len(), "clients": n, "rounds": args.rounds,
            "p50_ms": s.p50, "p90_ms": s.p90, "p99_ms": s.p99, "max_ms": s.max,
            "delivered": s.delivered, "expected": s.expected, "delivered_pct": share,
            "visible_to_all_sockets_ms": visibility_ms, "frame_serialise_all_sockets_ms": serialise_ms,
        })
    );

    // Close every socket, then let the servers see the closes.
    let _ = stop_tx.send(true);
    let closing = futures::future::join_all(clients);
    if tokio::time::timeout(Duration::from_secs(20), closing).await.is_err() {
        eprintln!("some clients did not close in time");
    }
    if s.delivered != s.expected {
        eprintln!("NOT every notification was delivered");
    }
}

#[tokio::main]
async fn main() {
    let args = parse_args();
    let database = sentinelops_testkit::TestDatabase::create().await;
    let is_postgres = database.is_postgres();
    let instances = args.instances.unwrap_or(if is_postgres { 2 } else { 1 });
    assert!(instances >= 1, "--instances must be at least 1");
    assert!(instances == 1 || is_postgres, "several instances need PostgreSQL (SENTINELOPS_TEST_DATABASE_URL)");
    let mut servers = vec![TestServer::start_on(database, Options::default()).await];
    for _ in 1..instances {
        let database = servers[0].database().clone();
        servers.push(TestServer::start_on(database, Options::default()).await);
    }
    eprintln!(
        "{} instance(s) on {}; {} clients, {} rounds",
        instances,
        if is_postgres { "PostgreSQL" } else { "SQLite" },
        args.clients,
        args.rounds
    );
    let finished = tokio::time::timeout(args.timeout, run(&args, &servers)).await;
    if finished.is_err() {
        eprintln!("gave up after {} s (--timeout)", args.timeout.as_secs());
    }
    // Dropping the servers stops them and deletes the database.
    drop(servers);
    if finished.is_err() {
        std::process::exit(1);
    }
}
