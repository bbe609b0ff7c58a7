//! The closed-loop driver: `concurrency` workers each send their next request as soon
//! as the previous one answered, for a fixed time, after a short warm-up.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

/// One measured run of one scenario at one concurrency.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub scenario: String,
    /// `http` through the server, `raw` in-process, `ceiling` a static document.
    pub mode: String,
    pub concurrency: usize,
    pub requests: u64,
    pub errors: u64,
    pub seconds: f64,
    pub rps: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// The first error seen, to explain a non-zero `errors`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_error: Option<String>,
}

/// What a worker's call reports: Ok, or an error description.
pub type Outcome = Result<(), String>;

/// The error a call returns when it has nothing left to do (its pool ran dry): the
/// worker stops, and the run reports it instead of counting errors.
pub const EXHAUSTED: &str = "work pool exhausted (raise --patch-pool)";

/// Runs `call(worker, n)` in `concurrency` loops for `duration` after `warmup`,
/// recording the latency of every call that started inside the measured window.
pub async fn run<F, Fut>(
    scenario: &str,
    mode: &str,
    concurrency: usize,
    warmup: Duration,
    duration: Duration,
    call: F,
) -> Stats
where
    F: Fn(usize, u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Outcome> + Send,
{
    let call = Arc::new(call);
    let start = Instant::now() + warmup;
    let end = start + duration;
    let mut workers = Vec::with_capacity(concurrency);
    for worker in 0..concurrency {
        let call = Arc::clone(&call);
        workers.push(tokio::spawn(async move {
            let mut latencies: Vec<u32> = Vec::with_capacity(4096);
            let mut errors = 0u64;
            let mut first_error = None;
            let mut n = 0u64;
            loop {
                let began = Instant::now();
                if began >= end {
                    break;
                }
                let outcome = call(worker, n).await;
                n += 1;
                if outcome.as_ref().err().map(String::as_str) == Some(EXHAUSTED) {
                    first_error.get_or_insert(EXHAUSTED.to_owned());
                    break;
                }
                if began < start {
                    continue;
                }
                match outcome {
                    Ok(()) => latencies.push(began.elapsed().as_micros().min(u128::from(u32::MAX)) as u32),
                    Err(err) => {
                        errors += 1;
                        first_error.get_or_insert(err);
                    }
                }
            }
            (latencies, errors, first_error)
        }));
    }
    let mut all: Vec<u32> = Vec::new();
    let mut errors = 0;
    let mut first_error = None;
    for worker in workers {
        match worker.await {
            Ok((latencies, e, first)) => {
                all.extend(latencies);
                errors += e;
                if first_error.is_none() {
                    first_error = first;
                }
            }
            Err(join) => {
                errors += 1;
                first_error.get_or_insert(format!("worker failed: {join}"));
            }
        }
    }
    // Requests still in flight at `end` finish after it; the window is what they used.
    let seconds = start.elapsed().as_secs_f64().max(duration.as_secs_f64());
    all.sort_unstable();
    let pct = |p: f64| -> f64 {
        if all.is_empty() {
            return 0.0;
        }
        let rank = ((p / 100.0) * all.len() as f64).ceil() as usize;
        all.get(rank.saturating_sub(1).min(all.len() - 1)).map_or(0.0, |us| f64::from(*us) / 1000.0)
    };
    let requests = all.len() as u64;
    Stats {
        scenario: scenario.to_owned(),
        mode: mode.to_owned(),
        concurrency,
        requests,
        errors,
        seconds,
        rps: requests as f64 / seconds,
        p50_ms: pct(50.0),
        p90_ms: pct(90.0),
        p99_ms: pct(99.0),
        max_ms: pct(100.0),
        first_error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn percentiles_come_from_the_recorded_latencies() {
        // Worker 0 answers in ~1 ms, worker 1 in ~20 ms; every 10th call of worker 0 fails.
        let stats = run("t", "raw", 2, Duration::from_millis(0), Duration::from_millis(400), |worker, n| async move {
            let ms = if worker == 0 { 1 } else { 20 };
            tokio::time::sleep(Duration::from_millis(ms)).await;
            if worker == 0 && n % 10 == 9 { Err("boom".to_owned()) } else { Ok(()) }
        })
        .await;
        assert!(stats.errors > 0);
        assert_eq!(stats.first_error.as_deref(), Some("boom"));
        assert!(stats.p50_ms >= 1.0 && stats.p50_ms < 20.0, "p50 {}", stats.p50_ms);
        assert!(stats.p99_ms >= 20.0, "p99 {}", stats.p99_ms);
        assert!(stats.rps > 10.0);
    }
}
