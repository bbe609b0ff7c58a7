//! Shared state of the HTTP layer.

use std::path::PathBuf;
use std::sync::Arc;

use ipnet::IpNet;
use sentinelops_app::App;

/// Settings that only the HTTP layer uses.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Peers whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpNet>,
    /// Origins allowed to call the API from a browser on another origin.
    pub cors_origins: Vec<String>,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
    /// Optional folder of a static frontend served at `/` (with `index.html` fallback).
    pub static_dir: Option<PathBuf>,
    /// Per-request time limit.
    pub request_timeout: std::time::Duration,
    /// How often an open live connection (WebSocket or event stream) checks its
    /// session again: a revoked or expired session, or a deactivated user, loses it.
    pub live_session_recheck: std::time::Duration,
    /// A client that has not sent a request's whole header by then is disconnected; an
    /// idle keep-alive connection is closed after the same time.
    pub header_read_timeout: std::time::Duration,
    /// Connections served at once; further clients wait in the listen backlog.
    pub max_connections: usize,
}

/// Connections served at once by default: room for a notification socket and an event
/// stream per open tab of a large operations floor (the benchmark holds 2,000 sockets
/// open). Each takes a file descriptor: the process's open-files limit (`ulimit -n`)
/// must be above it, or accepting fails before the limit is reached.
pub const DEFAULT_MAX_CONNECTIONS: usize = 10_000;

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            trusted_proxies: Vec::new(),
            cors_origins: Vec::new(),
            max_body_bytes: 1024 * 1024,
            static_dir: None,
            request_timeout: std::time::Duration::from_secs(30),
            live_session_recheck: std::time::Duration::from_secs(60),
            header_read_timeout: std::time::Duration::from_secs(10),
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }
}

/// What every handler and middleware layer gets. Axum clones the state for each layer
/// of each request; behind one `Arc` that is one counter, where cloning `App` itself
/// (a dozen shared handles) and dropping it cost ~30% of the CPU of a 304 (BENCHMARKS.md).
#[derive(Clone, Debug)]
pub struct AppState(Arc<Shared>);

#[derive(Debug)]
pub struct Shared {
    pub app: App,
    pub web: WebConfig,
}

impl AppState {
    pub fn new(app: App, web: WebConfig) -> AppState {
        AppState(Arc::new(Shared { app, web }))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}
