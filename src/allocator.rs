//! The process's allocator (mimalloc), and giving memory back once the server is idle.
//!
//! mimalloc frees lazily: a thread's freed pages stay in that thread's heap, and pages
//! handed back to the arena are purged (returned to the OS) after a delay, but only
//! when some thread next calls into the allocator past that delay. A runtime worker
//! that goes idle after a burst never does, so the burst's memory stays resident:
//! 15–19 MB on SQLite after the benchmark's setup (BENCHMARKS.md). Purging at once
//! (`MIMALLOC_PURGE_DELAY=0`) gives it back but costs 10–20% of the request rate
//! under load (measured), so instead a watcher notices when no request has begun for
//! [`IDLE_AFTER`], and each runtime worker then collects its own heap the next time
//! it parks (a worker can only collect its own).
//!
//! This is the only module allowed `unsafe`: two calls into mimalloc's C API.
#![allow(unsafe_code)]

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// How long without a new request before memory is given back.
pub const IDLE_AFTER: Duration = Duration::from_secs(3);

/// Bumped each time the process should give memory back; every thread collects once
/// per value.
static COLLECT_ROUND: AtomicU64 = AtomicU64::new(0);

thread_local! {
    static COLLECTED_ROUND: Cell<u64> = const { Cell::new(0) };
}

/// The runtime's `on_thread_park` hook: collects this thread's heap once per round.
/// Outside a round it is one atomic load, so it costs nothing under load.
pub fn collect_when_asked() {
    let round = COLLECT_ROUND.load(Ordering::Acquire);
    if COLLECTED_ROUND.with(Cell::get) != round {
        COLLECTED_ROUND.with(|seen| seen.set(round));
        collect_this_thread();
    }
}

/// Frees this thread's empty pages and purges every arena's pending pages now (also
/// the runtime's `on_thread_stop` hook, for blocking threads that exit).
pub fn collect_this_thread() {
    // SAFETY: `mi_collect` takes no pointers and may be called from any thread at any
    // time; `force` also purges the arenas' pages waiting for their delay.
    unsafe { libmimalloc_sys::mi_collect(true) }
}

/// Watches the request counter; when no request has begun for [`IDLE_AFTER`] since
/// the last round, starts a round and wakes every worker so that each parks again.
/// `release` runs first, on the first look that finds the process idle: it lets go of
/// caches and connections that only help under load (a connection's thread gives its
/// allocator pages back when it exits).
pub fn spawn_idle_collector<F, R>(release: F) -> tokio::task::JoinHandle<()>
where
    F: Fn() -> R + Send + 'static,
    R: std::future::Future<Output = ()> + Send,
{
    let workers = tokio::runtime::Handle::current().metrics().num_workers();
    tokio::spawn(async move {
        // The first look is one period in, so that start-up work (migrations, the
        // first administrator's password hash) is given back like a burst of requests.
        let first = tokio::time::Instant::now() + IDLE_AFTER;
        let mut tick = tokio::time::interval_at(first, IDLE_AFTER);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut seen = sentinelops_web::middleware::requests_started();
        let mut collected_at = None;
        loop {
            tick.tick().await;
            let now = sentinelops_web::middleware::requests_started();
            let idle = now == seen;
            seen = now;
            if idle && collected_at != Some(now) {
                collected_at = Some(now);
                release().await;
                COLLECT_ROUND.fetch_add(1, Ordering::Release);
                // Each short task wakes a parked worker; it collects when it parks again.
                for _ in 0..workers {
                    tokio::spawn(tokio::task::yield_now());
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thread_collects_once_per_round() {
        let before = COLLECT_ROUND.fetch_add(1, Ordering::Release) + 1;
        collect_when_asked();
        assert_eq!(COLLECTED_ROUND.with(Cell::get), before);
        collect_when_asked();
        assert_eq!(COLLECTED_ROUND.with(Cell::get), before, "no second collection in the same round");
    }
}
