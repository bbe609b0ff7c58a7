//! Prometheus metrics. One recorder per process (tests start several servers).

use std::sync::OnceLock;

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::state::AppState;

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
const UPKEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// Installs the process-wide recorder (idempotent).
pub fn install_recorder() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full("http_request_duration_seconds".into()), &buckets)
                .ok()?
                .build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).ok()?;
            // Histogram samples pile up in the recorder until they are folded into
            // the buckets, which a scrape does; with nobody scraping, memory would
            // grow with every request. A built (not installed) recorder leaves that
            // upkeep to us: a small thread, independent of any runtime.
            let upkeep = handle.clone();
            let spawned = std::thread::Builder::new().name("metrics-upkeep".into()).spawn(move || {
                loop {
                    std::thread::sleep(UPKEEP_EVERY);
                    upkeep.run_upkeep();
                }
            });
            if let Err(err) = spawned {
                tracing::warn!("metrics upkeep thread not started: {err}");
            }
            Some(handle)
        })
        .as_ref()
}

pub async fn render(State(state): State<AppState>) -> Response {
    let pool = state.app.store.pool_stats();
    metrics::gauge!("db_pool_connections").set(f64::from(pool.size));
    metrics::gauge!("db_pool_idle_connections").set(f64::from(pool.idle));
    if let Ok(lag) = state.app.outbox_lag_seconds().await {
        metrics::gauge!("outbox_lag_seconds").set(lag);
    }
    metrics::gauge!("live_connected_users").set(state.app.live_connection_users() as f64);
    let body = install_recorder().map(|h| h.render()).unwrap_or_default();
    let mut response = body.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"));
    response
}
