//! `TEST_LOG`: the server's log in a test's output, off by default.
//!
//! `TEST_LOG=1` shows the in-process server's tracing output at `info` (any other value
//! is a filter, e.g. `TEST_LOG=sentinelops_web=debug,info`); a [`ServerProcess`] child
//! then logs at that level and prints its output when dropped. The test harness
//! captures it, so it shows for a failing test (or all, with `--nocapture`).
//!
//! [`ServerProcess`]: crate::ServerProcess

use std::sync::Once;

/// The filter `TEST_LOG` asks for, if any.
pub fn filter() -> Option<String> {
    let value = std::env::var("TEST_LOG").ok()?;
    match value.trim() {
        "" | "0" | "false" => None,
        "1" | "true" => Some("info".to_owned()),
        filter => Some(filter.to_owned()),
    }
}

/// Installs the test-writer subscriber once per test process when `TEST_LOG` is set.
pub fn init() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        if let Some(filter) = filter() {
            let filter = tracing_subscriber::EnvFilter::try_new(&filter)
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
            let _ = tracing_subscriber::fmt().with_env_filter(filter).with_test_writer().try_init();
        }
    });
}
