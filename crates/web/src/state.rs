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
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            trusted_proxies: Vec::new(),
            cors_origins: Vec::new(),
            max_body_bytes: 1024 * 1024,
            static_dir: None,
            request_timeout: std::time::Duration::from_secs(30),
        }
    }
}

#[derive(Clone, Debug)]
pub struct AppState {
    pub app: App,
    pub web: Arc<WebConfig>,
}

impl AppState {
    pub fn new(app: App, web: WebConfig) -> AppState {
        AppState { app, web: Arc::new(web) }
    }
}
