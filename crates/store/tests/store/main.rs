//! Storage tests: the schema and the repositories, on SQLite, and on PostgreSQL
//! when `SENTINELOPS_TEST_DATABASE_URL` is set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod ledger;
mod repos;
mod schema;
