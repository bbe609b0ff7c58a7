//! Connecting to SQLite or PostgreSQL, chosen by the URL, and running migrations.
//!
//! SQLite gets WAL, a busy timeout, foreign keys and one writer connection whose
//! transactions begin IMMEDIATE: writes queue in-process instead of failing with
//! SQLITE_BUSY, and readers never wait for them. PostgreSQL uses one pool for both.

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sea_orm::sqlx::pool::PoolOptions;
use sea_orm::sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sea_orm::sqlx::{Connection, Database};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, SqliteTransactionMode, SqlxPostgresConnector,
    SqlxSqliteConnector, TransactionOptions, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;

use crate::error::{StoreError, StoreResult};
use crate::migration::Migrator;

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> StoreResult<Backend> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::Config(format!(
                "DATABASE_URL must start with sqlite:// or postgres://, got {:?}",
                url.split(':').next().unwrap_or_default()
            )))
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Pool sizes; the defaults fit a 2-core machine.
#[derive(Debug, Clone, Copy)]
pub struct PoolConfig {
    pub max_connections: u32,
    /// Longest wait for a connection (an idle one, or a new one while the server
    /// refuses): past it the statement fails as `StoreError::Unavailable`, so a request
    /// meets a database that is down with a quick 503 instead of hanging. SQLite's one
    /// writer is a queue, not a connection to wait for: it keeps 30 s at least.
    pub acquire_timeout: Duration,
}

/// The default of `PoolConfig::acquire_timeout`.
pub const DEFAULT_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(1);

impl Default for PoolConfig {
    fn default() -> Self {
        Self { max_connections: 16, acquire_timeout: DEFAULT_ACQUIRE_TIMEOUT }
    }
}

/// Arbitrary but fixed key of the advisory lock that serialises migrations
/// when several instances start at once.
const MIGRATION_LOCK_KEY: i64 = 0x5e47_1e10_0000_0001;

/// The database handle shared by the whole process.
#[derive(Debug, Clone)]
pub struct Store {
    read: DatabaseConnection,
    write: DatabaseConnection,
    backend: Backend,
    /// Statements executed so far (tests use it to prove fixed query counts).
    queries: Arc<AtomicU64>,
    /// Kept to open a LISTEN connection on PostgreSQL.
    url: Arc<str>,
}

tokio::task_local! {
    /// Set while background work runs, whose statements are not counted.
    static BACKGROUND: ();
}

/// Runs background work (live pump, heartbeats) without counting its statements, so
/// that `query_count` measures requests only.
pub async fn uncounted<F: std::future::Future>(work: F) -> F::Output {
    BACKGROUND.scope((), work).await
}

/// Counts every statement a connection runs, outside background work.
fn counted(mut conn: DatabaseConnection, counter: &Arc<AtomicU64>) -> DatabaseConnection {
    let counter = Arc::clone(counter);
    conn.set_metric_callback(move |_| {
        if BACKGROUND.try_with(|_| ()).is_err() {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    });
    conn
}

/// How long `Store::connect` keeps trying to reach PostgreSQL (the acquire timeout
/// before this setting existed, so a server started with its database waits as long).
const STARTUP_WAIT: Duration = Duration::from_secs(10);
const STARTUP_RETRY_PAUSE: Duration = Duration::from_millis(200);

/// How long a write may queue for SQLite's one writer connection.
const SQLITE_WRITER_WAIT: Duration = Duration::from_secs(30);

/// A pooled connection idle for longer than this is checked with a ping before use.
const PING_IF_IDLE_FOR: Duration = Duration::from_secs(10);

/// sqlx pings every idle connection it hands out by default: one more round trip (to
/// the SQLite worker thread, or to PostgreSQL) before every statement run outside a
/// transaction and before every transaction, which on SQLite extends the time the one
/// writer is held. A connection in steady use is known to be alive; one that sat idle
/// (PostgreSQL restarted, a firewall dropped it) is still checked first.
fn ping_when_idle<DB: Database>(options: PoolOptions<DB>) -> PoolOptions<DB> {
    options.test_before_acquire(false).before_acquire(|conn, meta| {
        Box::pin(async move {
            if meta.idle_for >= PING_IF_IDLE_FOR {
                conn.ping().await?;
            }
            Ok(true)
        })
    })
}

impl Store {
    pub async fn connect(url: &str, pool: PoolConfig) -> StoreResult<Store> {
        let backend = Backend::of_url(url)?;
        match backend {
            Backend::Sqlite => {
                let options = SqliteConnectOptions::from_str(url)
                    .map_err(|e| StoreError::Config(format!("invalid SQLite URL: {e}")))?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true);
                // Each SQLite reader holds an OS thread, a page cache and a statement
                // cache; past two per core they add memory and contention, not
                // throughput (2 cores: 16 readers 95 MB idle, 4 readers 78 MB, and
                // the same or better rates; see BENCHMARKS.md).
                let two_per_core = std::thread::available_parallelism().map_or(4, |n| n.get() * 2);
                let readers = u32::try_from(two_per_core).unwrap_or(u32::MAX).min(pool.max_connections).max(2);
                let read_pool = ping_when_idle(SqlitePoolOptions::new())
                    .max_connections(readers)
                    .acquire_timeout(pool.acquire_timeout)
                    .connect_with(options.clone())
                    .await
                    .map_err(|e| StoreError::Config(format!("cannot open SQLite database: {e}")))?;
                let write_pool = ping_when_idle(SqlitePoolOptions::new())
                    .max_connections(1)
                    .acquire_timeout(pool.acquire_timeout.max(SQLITE_WRITER_WAIT))
                    .connect_with(options)
                    .await
                    .map_err(|e| StoreError::Config(format!("cannot open SQLite database: {e}")))?;
                let queries = Arc::new(AtomicU64::new(0));
                Ok(Store {
                    read: counted(SqlxSqliteConnector::from_sqlx_sqlite_pool(read_pool), &queries),
                    write: counted(SqlxSqliteConnector::from_sqlx_sqlite_pool(write_pool), &queries),
                    backend,
                    queries,
                    url: url.into(),
                })
            }
            Backend::Postgres => {
                let options = PgConnectOptions::from_str(url)
                    .map_err(|e| StoreError::Config(format!("invalid PostgreSQL URL: {e}")))?;
                // A request waits `acquire_timeout` at most; starting up may wait longer
                // for the first connection (PostgreSQL starting too, or slow to open a
                // database's first connection on a loaded machine).
                let startup_deadline = std::time::Instant::now() + STARTUP_WAIT;
                let pg_pool = loop {
                    let attempt = ping_when_idle(PgPoolOptions::new())
                        .max_connections(pool.max_connections.max(3))
                        .acquire_timeout(pool.acquire_timeout)
                        .connect_with(options.clone())
                        .await;
                    match attempt {
                        Ok(pg_pool) => break pg_pool,
                        Err(e @ (sea_orm::sqlx::Error::PoolTimedOut | sea_orm::sqlx::Error::Io(_)))
                            if std::time::Instant::now() < startup_deadline =>
                        {
                            tracing::info!(error = %e, "PostgreSQL not reachable yet; trying again");
                            tokio::time::sleep(STARTUP_RETRY_PAUSE).await;
                        }
                        Err(e) => return Err(StoreError::Config(format!("cannot connect to PostgreSQL: {e}"))),
                    }
                };
                let queries = Arc::new(AtomicU64::new(0));
                let conn = counted(SqlxPostgresConnector::from_sqlx_postgres_pool(pg_pool), &queries);
                Ok(Store { read: conn.clone(), write: conn, backend, queries, url: url.into() })
            }
        }
    }

    /// Statements run through this store since it was opened.
    pub fn query_count(&self) -> u64 {
        self.queries.load(Ordering::Relaxed)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The connection for reads outside a transaction.
    pub fn reader(&self) -> &DatabaseConnection {
        &self.read
    }

    /// Begins a write transaction (IMMEDIATE on SQLite).
    pub async fn begin_write(&self) -> StoreResult<DatabaseTransaction> {
        let options = TransactionOptions {
            sqlite_transaction_mode: match self.backend {
                Backend::Sqlite => Some(SqliteTransactionMode::Immediate),
                Backend::Postgres => None,
            },
            ..TransactionOptions::default()
        };
        Ok(self.write.begin_with_options(options).await?)
    }

    /// Applies pending migrations. On PostgreSQL an advisory lock held by a
    /// transaction on another connection makes concurrent starters wait their turn.
    pub async fn migrate(&self) -> StoreResult<()> {
        match self.backend {
            Backend::Sqlite => Migrator::up(&self.write, None).await?,
            Backend::Postgres => {
                let lock = self.write.begin().await?;
                lock.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")).await?;
                Migrator::up(&self.write, None).await?;
                lock.commit().await?;
            }
        }
        Ok(())
    }

    /// On PostgreSQL, a connection listening for committed live events; `None` on SQLite
    /// (one process: commits wake the pumps directly).
    pub async fn listen(&self) -> StoreResult<Option<ChangeListener>> {
        match self.backend {
            Backend::Sqlite => Ok(None),
            Backend::Postgres => {
                let mut listener = sea_orm::sqlx::postgres::PgListener::connect(&self.url)
                    .await
                    .map_err(|e| StoreError::Config(format!("cannot LISTEN: {e}")))?;
                listener
                    .listen(crate::repo::live::CHANNEL)
                    .await
                    .map_err(|e| StoreError::Config(format!("cannot LISTEN: {e}")))?;
                Ok(Some(ChangeListener { listener }))
            }
        }
    }

    /// On SQLite, closes the pooled connections nobody is using, but one reader: each
    /// holds a thread, a page cache and that thread's allocator pages, and reopening one
    /// costs about a millisecond. The server calls it once it has gone idle. PostgreSQL
    /// connections are dearer to open and hold little on our side, so they stay.
    pub async fn close_idle_connections(&self) {
        if self.backend != Backend::Sqlite {
            return;
        }
        for (connection, keep) in [(&self.read, 1), (&self.write, 0)] {
            let pool = connection.get_sqlite_connection_pool();
            for _ in keep..pool.num_idle() {
                match pool.try_acquire() {
                    Some(idle) => {
                        if let Err(e) = idle.close().await {
                            tracing::debug!(error = %e, "closing an idle SQLite connection failed");
                        }
                    }
                    None => break,
                }
            }
        }
    }

    /// True when the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        self.read.execute_unprepared("SELECT 1").await.is_ok()
    }

    /// Connections open and idle, for metrics.
    pub fn pool_stats(&self) -> PoolStats {
        match self.backend {
            Backend::Sqlite => {
                let read = self.read.get_sqlite_connection_pool();
                let write = self.write.get_sqlite_connection_pool();
                PoolStats {
                    size: read.size() + write.size(),
                    idle: u32::try_from(read.num_idle() + write.num_idle()).unwrap_or(u32::MAX),
                }
            }
            Backend::Postgres => {
                let pool = self.read.get_postgres_connection_pool();
                PoolStats { size: pool.size(), idle: u32::try_from(pool.num_idle()).unwrap_or(u32::MAX) }
            }
        }
    }

    /// Closes every pooled connection (used by tests that drop their database).
    pub async fn close(self) {
        let _ = self.read.close().await;
        let _ = self.write.close().await;
    }
}

#[derive(Debug, Clone, Copy)]
pub struct PoolStats {
    pub size: u32,
    pub idle: u32,
}

/// A PostgreSQL connection that LISTENs for live events committed by any instance.
#[derive(Debug)]
pub struct ChangeListener {
    listener: sea_orm::sqlx::postgres::PgListener,
}

impl ChangeListener {
    /// Waits for the next notification; an error means the connection dropped or could
    /// not be made again (sqlx's listener reconnects and listens again on every next
    /// call; callers replay from their cursor).
    pub async fn next(&mut self) -> StoreResult<()> {
        self.listener.recv().await.map(|_| ()).map_err(|e| StoreError::Config(format!("LISTEN connection lost: {e}")))
    }
}
