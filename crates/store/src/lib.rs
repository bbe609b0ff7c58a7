//! Storage for SentinelOps: the only crate that imports `sea_orm`/`sqlx`.
//!
//! One schema and one migration history serve SQLite (the default) and PostgreSQL.
//! Repositories take a connection or a transaction and never decide a rule.

pub mod connect;
pub mod entity;
pub mod error;
pub mod migration;
pub mod pg_admin;
pub mod repo;
pub mod stored;

pub use connect::{Backend, ChangeListener, DEFAULT_ACQUIRE_TIMEOUT, PoolConfig, PoolStats, Store, uncounted};
pub use error::{StoreError, StoreResult};
/// Repositories accept any connection or transaction.
pub use sea_orm::{ConnectionTrait as Conn, DatabaseTransaction as Tx};
pub use stored::Stored;

/// Commits a write transaction, then wakes this process's live-event pumps (other
/// processes wake through PostgreSQL NOTIFY).
pub async fn commit(tx: Tx) -> StoreResult<()> {
    let committed = tx.commit().await;
    // Counted after the commit, so a reader that sees the old count cannot have read
    // the rows this commit wrote as its own "latest" (see `commit_count`).
    COMMITS.fetch_add(1, std::sync::atomic::Ordering::Release);
    committed?;
    changes().notify_waiters();
    Ok(())
}

static COMMITS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many write transactions this process has ended. A value read before a query
/// and still current afterwards means no write of this process landed in between,
/// which lets caches skip a re-check until something is written here.
pub fn commit_count() -> u64 {
    COMMITS.load(std::sync::atomic::Ordering::Acquire)
}

/// Signalled after every commit in this process.
pub fn changes() -> &'static tokio::sync::Notify {
    static CHANGES: std::sync::OnceLock<tokio::sync::Notify> = std::sync::OnceLock::new();
    CHANGES.get_or_init(tokio::sync::Notify::new)
}
