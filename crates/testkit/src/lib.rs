//! Test harness: starts SentinelOps on 127.0.0.1:0 over a fresh database and talks
//! to it over real HTTP.
//!
//! The backend is SQLite (a temp file per test) unless `SENTINELOPS_TEST_DATABASE_URL`
//! names a PostgreSQL server: then every test gets its own database, copied from a
//! template migrated once per test process. Servers and databases tear themselves
//! down when dropped, so a test needs no cleanup call and a panicking one leaves
//! nothing behind. `TEST_LOG=1` prints the server's log (see [`log`]).
//!
//! `world` builds the usual organisation, `ui` is a signed-in browser-like client of
//! the HTML UI, and `browser` drives pages of the server in headless Chromium.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

pub mod browser;
mod database;
pub mod http_sink;
pub mod ldap;
pub mod log;
pub mod oidc;
pub mod pdf;
pub mod pg_cluster;
pub mod process;
mod server;
pub mod smtp;
pub mod ui;
pub mod world;

use chrono::{DateTime, TimeZone, Utc};

pub use database::{TestDatabase, postgres_admin_url};
pub use pg_cluster::PrivateCluster;
pub use process::ServerProcess;
pub use server::{Options, TestServer, test_config};

/// The password every user made by the harness has.
pub const PASSWORD: &str = "Sentinel@12345";

/// The instant fixed-clock tests start at: 2026-11-25 10:00 UTC, which is 12:00 in
/// Harare (UTC+2) and inside that day's MORNING shift in either zone.
pub fn t0() -> DateTime<Utc> {
    at(10, 0, 0)
}

/// A time of day on `t0`'s date (2026-11-25), in UTC.
pub fn at(hour: u32, minute: u32, second: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, hour, minute, second).single().expect("a valid time of day")
}

/// The id in a JSON answer's field (`id_of(&body["id"])`); panics when it is not one.
pub fn id_of(value: &serde_json::Value) -> uuid::Uuid {
    value.as_str().and_then(|id| id.parse().ok()).unwrap_or_else(|| panic!("not an id: {value}"))
}

/// A name unique within the test run.
pub fn unique(prefix: &str) -> String {
    format!("{prefix}{}", uuid::Uuid::new_v4().simple().to_string().get(..10).unwrap_or("x"))
}

/// `<target>/<name>/`: where tests leave files for people to look at after CI (the
/// workspace's target dir, honouring `CARGO_TARGET_DIR`).
pub fn artifact_dir(name: &str) -> std::path::PathBuf {
    let workspace = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let workspace = workspace.canonicalize().unwrap_or(workspace);
    // An absolute CARGO_TARGET_DIR replaces the path; a relative one is the workspace's.
    let target = match std::env::var_os("CARGO_TARGET_DIR").filter(|v| !v.is_empty()) {
        Some(dir) => workspace.join(dir),
        None => workspace.join("target"),
    };
    target.join(name)
}
