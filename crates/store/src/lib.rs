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

pub use connect::{Backend, ChangeListener, PoolConfig, PoolStats, Store, uncounted};
pub use error::{StoreError, StoreResult};
/// Repositories accept any connection or transaction.
pub use sea_orm::{ConnectionTrait as Conn, DatabaseTransaction as Tx};

/// Commits a write transaction, then wakes this process's live-event pumps (other
/// processes wake through PostgreSQL NOTIFY).
pub async fn commit(tx: Tx) -> StoreResult<()> {
    tx.commit().await?;
    changes().notify_waiters();
    Ok(())
}

/// Signalled after every commit in this process.
pub fn changes() -> &'static tokio::sync::Notify {
    static CHANGES: std::sync::OnceLock<tokio::sync::Notify> = std::sync::OnceLock::new();
    CHANGES.get_or_init(tokio::sync::Notify::new)
}
