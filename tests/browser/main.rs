//! End-to-end browser tests: the real server (SQLite, or PostgreSQL when
//! `SENTINELOPS_TEST_DATABASE_URL` is set) driven by headless Debian Chromium through
//! `sentinelops_testkit::browser`. Chromium and chromedriver must be installed
//! (`.ci/run` installs them); without them these tests fail rather than skip.
//! Screenshots land in `target/browser-screenshots/<test>/`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod admin;
mod alerts;
mod dashboard;
mod directory;
mod performance;
mod quality;
mod reports;
mod roster;
mod shift;
mod sign_in;
mod smoke;
mod templates;
