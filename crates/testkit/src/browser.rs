//! End-to-end browser tests: headless Debian Chromium driven over WebDriver.
//!
//! A [`Browser`] is one chromedriver child process for one test; each
//! [`Browser::session`] is an independent Chromium with its own fresh profile, so an
//! operator and a manager can be signed in side by side. Everything a test waits on is
//! bounded, and a failed step panics with the selector, the page URL and a screenshot.
//!
//! ```no_run
//! # async fn example() {
//! use sentinelops_testkit::{TestServer, browser::Browser};
//!
//! let srv = TestServer::start().await;
//! let browser = Browser::launch(&srv).await;
//! let operator = browser.session("operator").await;
//! operator.goto("/ui/login").await;
//! operator.fill("input[name=login]", "op").await;
//! operator.click("button[type=submit]").await;
//! operator.wait_for_text("header", "op").await;
//! operator.screenshot("signed-in").await;
//! operator.close().await;
//! browser.close();
//! # }
//! ```
//!
//! Binaries: `SENTINELOPS_CHROMEDRIVER` (default `/usr/bin/chromedriver`) and
//! `SENTINELOPS_CHROMIUM` (default `/usr/bin/chromium`), from Debian's `chromium-driver`
//! and `chromium`. Without them the test fails: a skipped browser test would let a
//! broken UI through CI unnoticed.

mod driver;
mod session;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use anyhow::{Context, Result};
use tempfile::TempDir;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::TestServer;
use driver::Driver;
pub use fantoccini::key::Key;
pub use session::Session;

/// One chromedriver per test rather than one per test process: Rust never drops a
/// `static`, so a shared driver would outlive the test binary and orphan its Chromium
/// processes; and each `#[tokio::test]` has its own runtime. A driver starts in well
/// under a second, small beside the Chromium every session starts anyway.
pub struct Browser {
    shared: Arc<Shared>,
    base: String,
    chromium: PathBuf,
    screenshots: PathBuf,
}

/// What the browser and its sessions share. Field order is drop order: the driver
/// quits its browsers before their profile directories are removed.
struct Shared {
    driver: Driver,
    dir: TempDir,
    sessions: AtomicUsize,
    _slot: OwnedSemaphorePermit,
}

/// Browsers running at once in this test process: one per core (at least two), or
/// `SENTINELOPS_BROWSER_PARALLEL`. libtest starts every test at once; twenty Chromiums
/// starting together on two cores would push page loads past the tests' waits. A
/// test waits here before its clock starts, so its bounds stay meaningful.
fn slots() -> Arc<Semaphore> {
    static SLOTS: OnceLock<Arc<Semaphore>> = OnceLock::new();
    let slots = SLOTS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, usize::from).max(2);
        let parallel = std::env::var("SENTINELOPS_BROWSER_PARALLEL").ok().and_then(|v| v.parse().ok());
        Arc::new(Semaphore::new(parallel.unwrap_or(cores).max(1)))
    });
    Arc::clone(slots)
}

impl Browser {
    /// Starts chromedriver for pages of `server`. Panics (failing the test) when the
    /// binaries are missing or chromedriver does not start. One per test: more users
    /// are more sessions of it (a second `Browser` could wait for a slot its own test holds).
    pub async fn launch(server: &TestServer) -> Browser {
        Self::launch_at(&server.base).await
    }

    /// Like [`Browser::launch`], for a server at `base` (`http://127.0.0.1:PORT`).
    pub async fn launch_at(base: &str) -> Browser {
        Self::try_launch(base).await.unwrap_or_else(|error| panic!("browser harness: {error:#}"))
    }

    async fn try_launch(base: &str) -> Result<Browser> {
        let chromedriver = binary("SENTINELOPS_CHROMEDRIVER", "/usr/bin/chromedriver")?;
        let chromium = binary("SENTINELOPS_CHROMIUM", "/usr/bin/chromium")?;
        let slot = slots().acquire_owned().await.context("browser slots closed")?;
        let dir = tempfile::Builder::new().prefix("sentinelops-browser-").tempdir().context("temp dir")?;
        let driver = Driver::start(&chromedriver, dir.path()).await?;
        Ok(Browser {
            shared: Arc::new(Shared { driver, dir, sessions: AtomicUsize::new(0), _slot: slot }),
            base: base.trim_end_matches('/').to_owned(),
            chromium,
            screenshots: screenshot_dir(),
        })
    }

    /// Opens an independent browser (fresh profile: no cookies, no storage) named
    /// `label` in errors and screenshot file names, e.g. "operator" or "manager".
    pub async fn session(&self, label: &str) -> Session {
        self.open_session(label, true).await
    }

    /// Like [`Browser::session`], with JavaScript turned off: what a page offers
    /// to a user whose browser runs none of its scripts.
    pub async fn session_without_script(&self, label: &str) -> Session {
        self.open_session(label, false).await
    }

    async fn open_session(&self, label: &str, scripting: bool) -> Session {
        let n = self.shared.sessions.fetch_add(1, Ordering::Relaxed);
        let profile = self.shared.dir.path().join(format!("profile-{n}"));
        let setup = session::Setup {
            label: label.to_owned(),
            base: self.base.clone(),
            chromium: self.chromium.clone(),
            profile,
            screenshots: self.screenshots.clone(),
            scripting,
        };
        match session::Session::open(setup, self.shared.driver.url(), Arc::clone(&self.shared)).await {
            Ok(session) => session,
            Err(error) => panic!("browser harness: {error:#}\nchromedriver log:\n{}", self.shared.driver.log()),
        }
    }

    /// The folder this test's screenshots go to.
    pub fn screenshot_dir(&self) -> &Path {
        &self.screenshots
    }

    /// Stops chromedriver and the browsers of sessions still open. Dropping the
    /// `Browser` and its sessions does the same; this just says so in the test.
    pub fn close(self) {}
}

/// The binary named by `var`, or Debian's path; an error saying how to get it.
fn binary(var: &str, default: &str) -> Result<PathBuf> {
    let path = std::env::var_os(var).filter(|v| !v.is_empty()).map_or_else(|| PathBuf::from(default), PathBuf::from);
    if path.is_file() {
        Ok(path)
    } else {
        anyhow::bail!(
            "{} not found: browser tests need Debian's chromium and chromium-driver \
             (`apt-get install -y chromium chromium-driver`, as .ci/run does), or {var} naming the binary",
            path.display()
        )
    }
}

/// `<target>/browser-screenshots/<test name>/`: one folder per test so parallel tests
/// never overwrite each other.
fn screenshot_dir() -> PathBuf {
    crate::artifact_dir("browser-screenshots").join(test_name())
}

/// libtest runs each test on a thread named after it (`sign_in::operator_signs_in`);
/// `#[tokio::test]` keeps the test body on that thread.
fn test_name() -> String {
    let thread = std::thread::current();
    let name = match thread.name() {
        Some(name) if name != "main" && !name.starts_with("tokio-runtime") => name,
        _ => "unnamed-test",
    };
    file_name(&name.replace("::", "."))
}

/// Keeps letters, digits, `.`, `_` and `-`; anything else becomes `-`.
fn file_name(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') { c } else { '-' }).collect()
}
