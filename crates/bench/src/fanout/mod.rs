//! `sentinelops-bench fanout`: one notification fanned out to N connected WebSocket clients.
//!
//! Starts SentinelOps in-process through the test harness (SQLite, or PostgreSQL when
//! `SENTINELOPS_TEST_DATABASE_URL` is set — then two instances on the same database by
//! default), creates N managers of one section, opens one `/api/v1/notifications/ws`
//! socket per user (spread round-robin over the instances), and for each round sends one
//! notification to all N users in one write transaction. The latency of a client is the
//! time from just before the transaction begins (t0) to the moment its socket yields
//! the matching `new_notification` frame.
//!
//! ```text
//! bash -c 'ulimit -n 8192 && cargo run --release -p sentinelops-bench -- fanout --clients 1000'
//! SENTINELOPS_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
//!   bash -c 'ulimit -n 8192 && cargo run --release -p sentinelops-bench -- fanout --clients 1000'
//! ```

// `value["key"]` on serde_json values reads Null when absent (no panic).
#![allow(clippy::indexing_slicing)]

mod round;

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use futures::{StreamExt, stream};
use serde_json::json;
use tokio::sync::{Semaphore, mpsc, watch};
use uuid::Uuid;

use sentinelops_app::users::CreateUser;
use sentinelops_app::{Actor, RequestMeta};
use sentinelops_testkit::{Options, PASSWORD, TestDatabase, TestServer};

use round::{Bench, Broadcast, client, per_socket_costs, stats};

/// Quiet time after the sockets connected (their presence events drain) and between rounds.
const SETTLE: Duration = Duration::from_secs(2);

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Connected WebSocket clients, one manager each.
    #[arg(long, default_value_t = 1000)]
    clients: usize,
    /// Measured rounds (after one warm-up round).
    #[arg(long, default_value_t = 5)]
    rounds: usize,
    /// Server instances on the one database (default: 1 on SQLite, 2 on PostgreSQL).
    #[arg(long)]
    instances: Option<usize>,
    /// Sockets connecting at once.
    #[arg(long, default_value_t = 100)]
    batch: usize,
    /// Give up after this many seconds.
    #[arg(long, default_value_t = 120)]
    timeout: u64,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    anyhow::ensure!(args.clients > 0 && args.rounds > 0 && args.batch > 0, "counts must be positive");
    let database = TestDatabase::create().await;
    let is_postgres = database.is_postgres();
    let instances = args.instances.unwrap_or(if is_postgres { 2 } else { 1 });
    anyhow::ensure!(instances >= 1, "--instances must be at least 1");
    anyhow::ensure!(instances == 1 || is_postgres, "several instances need PostgreSQL (SENTINELOPS_TEST_DATABASE_URL)");
    let mut servers = Vec::with_capacity(instances);
    for _ in 0..instances {
        servers.push(TestServer::start_on(database.clone(), Options::default()).await);
    }
    eprintln!(
        "{} instance(s) on {}; {} clients, {} rounds",
        instances,
        if is_postgres { "PostgreSQL" } else { "SQLite" },
        args.clients,
        args.rounds
    );
    let finished = tokio::time::timeout(Duration::from_secs(args.timeout), measure(&args, &servers)).await;
    // Dropping the servers and the last database handle stops them and deletes the database.
    drop(servers);
    finished.map_err(|_| anyhow::anyhow!("gave up after {} s (--timeout)", args.timeout))?
}

async fn measure(args: &Args, servers: &[TestServer]) -> anyhow::Result<()> {
    let first = servers.first().context("no server")?;
    let n = args.clients;
    let started = Instant::now();

    // N managers of one section, created and signed in straight through the application.
    let section = first.create_section("Fanout").await;
    let run_id = Uuid::new_v4().simple().to_string();
    let users: Vec<anyhow::Result<(Uuid, String)>> = stream::iter(0..n)
        .map(|i| {
            let app = first.app.clone();
            let username = format!("fan{}_{i}", run_id.get(..6).unwrap_or(&run_id));
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
                    .await?;
                let signed = app.sign_in(&username, PASSWORD, &RequestMeta::default()).await?;
                Ok((user.id, signed.token))
            }
        })
        .buffered(32)
        .collect()
        .await;
    let users = users.into_iter().collect::<anyhow::Result<Vec<_>>>()?;
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
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
            runtime.block_on(async move {
                let Ok(Some(mut listener)) = store.listen().await else { return };
                let _ = listening_tx.send(());
                while listener.next().await.is_ok() {
                    if notify_tx.send(Instant::now()).is_err() {
                        break;
                    }
                }
            });
        });
        listening.await.context("the PostgreSQL listener did not start")?;
    }

    // N sockets, at most `batch` connecting at once, spread round-robin over the instances.
    let started = Instant::now();
    let gate = Arc::new(Semaphore::new(args.batch));
    let (ready_tx, mut ready) = mpsc::unbounded_channel();
    let (arrival_tx, arrivals) = mpsc::unbounded_channel();
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut clients = Vec::with_capacity(n);
    for (index, (_, token)) in users.iter().enumerate() {
        let addr = servers.get(index % servers.len()).context("no server")?.addr;
        anyhow::ensure!(addr.ip().is_loopback(), "the benchmark only talks to 127.0.0.1");
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
            Some(Err(e)) => anyhow::bail!("{e} (is `ulimit -n` high enough? ~2 descriptors per client)"),
            None => anyhow::bail!("clients ended before connecting"),
        }
    }
    eprintln!("{n} sockets connected and greeted in {:.1} s", started.elapsed().as_secs_f64());
    tokio::time::sleep(SETTLE).await;

    let ids: Vec<Uuid> = users.iter().map(|(id, _)| *id).collect();
    let mut bench = Bench { servers, users: ids.clone(), section, arrivals, broadcasts, events, notifies };
    let warm = bench.round("warm-up").await?;
    eprintln!("warm-up: {} of {n} delivered (discarded)", warm.latencies.len());

    let backend = if first.database().is_postgres() { "postgresql" } else { "sqlite" };
    let mut all = Vec::new();
    let mut last_event = None;
    for r in 1..=args.rounds {
        tokio::time::sleep(SETTLE).await;
        let round = bench.round(&format!("round {r}")).await?;
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
    Ok(())
}
