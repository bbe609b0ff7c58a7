//! Crash safety: the real binary is killed with SIGKILL in the middle of concurrent
//! writes and started again on the same database, several times; every change it
//! acknowledged must then be there, whole, and nothing else half-written.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use sentinelops_testkit::{ServerProcess, TestServer};

use crate::ledger::{Load, audit, floor};

const BIN: &str = env!("CARGO_BIN_EXE_sentinelops");
const ROUNDS: usize = 5;
/// Writes acknowledged in a round before its kill, so that the kill lands mid-load.
const ACKS_PER_ROUND: usize = 12;
/// The most a round may take to reach them (a bound, so the test ends by itself).
const ROUND_LIMIT: Duration = Duration::from_secs(60);

#[tokio::test]
async fn acknowledged_writes_survive_kill_9_with_their_activity_and_ops_events() {
    // The floor is laid through an in-process server, which then stops serving; the
    // binary runs on the same database (the operators' sessions are rows in it).
    let mut srv = TestServer::start().await;
    let floor = floor(&srv).await;
    let load = Load::plan(&srv, &floor).await;
    srv.stop().await;
    let mut server = ServerProcess::start(Path::new(BIN), &srv.database().url, &[]).await;
    for round in 0..ROUNDS {
        let stop = Arc::new(AtomicBool::new(false));
        let target = load.acked.load(Ordering::Relaxed) + ACKS_PER_ROUND;
        let writers = {
            let (load, base, stop) = (Arc::clone(&load), server.base().to_owned(), Arc::clone(&stop));
            tokio::spawn(async move { load.run(&base, &stop).await })
        };
        let started = Instant::now();
        while load.acked.load(Ordering::Relaxed) < target {
            assert!(started.elapsed() < ROUND_LIMIT, "round {round} stalled:\n{}", server.output());
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        server.kill();
        // Writers end on their first unanswered request; the flag covers one between requests.
        stop.store(true, Ordering::Relaxed);
        writers.await.unwrap();
        server.restart().await;
    }
    let ledger = load.ledger.lock().await;
    eprintln!(
        "kill -9 x{ROUNDS}: {} acknowledged writes ({} handover notes), {} unanswered or refused",
        ledger.acked.len(),
        ledger.notes.len(),
        ledger.unsure.len()
    );
    audit(server.base(), &floor, &ledger).await;
    server.kill();
}
