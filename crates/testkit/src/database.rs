//! A fresh database per test: a temp SQLite file, or a PostgreSQL database copied
//! from a per-process template. It is thrown away when the last handle to it drops,
//! a panicking test included.

use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::{Mutex, OnceCell};

use sentinelops_app::{PoolConfig, Store};
use sentinelops_store::pg_admin;

/// Where the test's data lives. Clones share the database (a second server on it, say);
/// the last one dropped deletes it.
#[derive(Debug, Clone)]
pub struct TestDatabase {
    pub url: String,
    kind: Arc<Kind>,
}

#[derive(Debug, Clone)]
enum Kind {
    /// The directory holding the database file and its -wal/-shm.
    Sqlite(PathBuf),
    Postgres {
        admin_url: String,
        name: String,
    },
}

/// The PostgreSQL server to test against, when one is configured.
pub fn postgres_admin_url() -> Option<String> {
    std::env::var("SENTINELOPS_TEST_DATABASE_URL").ok().filter(|u| !u.trim().is_empty())
}

static TEMPLATE: OnceCell<String> = OnceCell::const_new();
/// CREATE DATABASE … TEMPLATE fails while another copy of the template is running.
static CREATE_LOCK: Mutex<()> = Mutex::const_new(());

fn process_alive(pid: &str) -> bool {
    std::path::Path::new("/proc").join(pid).exists()
}

/// Drops databases left by earlier test processes that have ended (a panicking test
/// never reaches its cleanup).
async fn drop_leftovers(admin_url: &str) {
    let Ok(names) = pg_admin::databases_with_prefix(admin_url, "so_test_").await else {
        return;
    };
    for name in names {
        let pid = name.trim_start_matches("so_test_").trim_start_matches("tpl_").split('_').next().unwrap_or("");
        if !pid.is_empty() && !process_alive(pid) {
            let _ = pg_admin::drop_database(admin_url, &name).await;
        }
    }
}

async fn template(admin_url: &str) -> String {
    TEMPLATE
        .get_or_init(|| async {
            drop_leftovers(admin_url).await;
            let name = format!("so_test_tpl_{}_{}", std::process::id(), uuid::Uuid::new_v4().simple());
            pg_admin::create_database(admin_url, &name, None).await.expect("create template database");
            let store = Store::connect(&pg_admin::url_for(admin_url, &name), PoolConfig::default())
                .await
                .expect("connect to template database (is PostgreSQL running?)");
            store.migrate().await.expect("migrate template database");
            store.close().await;
            name
        })
        .await
        .clone()
}

impl TestDatabase {
    pub async fn create() -> TestDatabase {
        match postgres_admin_url() {
            Some(admin_url) => {
                let template = template(&admin_url).await;
                let name = format!("so_test_{}_{}", std::process::id(), uuid::Uuid::new_v4().simple());
                {
                    let _guard = CREATE_LOCK.lock().await;
                    pg_admin::create_database(&admin_url, &name, Some(&template)).await.expect("create test database");
                }
                TestDatabase {
                    url: pg_admin::url_for(&admin_url, &name),
                    kind: Arc::new(Kind::Postgres { admin_url, name }),
                }
            }
            None => Self::sqlite(),
        }
    }

    /// A new SQLite file, whatever the run targets (not created until first opened).
    pub fn sqlite() -> TestDatabase {
        // A directory of its own: once it is removed, a connection a stopping server
        // still opens cannot create the file again.
        let dir = std::env::temp_dir().join(format!("sentinelops-test-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("create the test database's directory");
        let url = format!("sqlite://{}", dir.join("test.db").display());
        TestDatabase { url, kind: Arc::new(Kind::Sqlite(dir)) }
    }

    /// An empty database of its own on the PostgreSQL server of `admin_url` (a private
    /// cluster, say); migrated by the first server started on it.
    pub async fn create_on(admin_url: &str) -> TestDatabase {
        let name = format!("so_test_{}_{}", std::process::id(), uuid::Uuid::new_v4().simple());
        pg_admin::create_database(admin_url, &name, None).await.expect("create test database");
        TestDatabase {
            url: pg_admin::url_for(admin_url, &name),
            kind: Arc::new(Kind::Postgres { admin_url: admin_url.to_owned(), name }),
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(*self.kind, Kind::Postgres { .. })
    }

    /// PostgreSQL: the backend pids of connections waiting on `LISTEN` in this database
    /// (empty on SQLite).
    pub async fn listening_connections(&self) -> Vec<i32> {
        match &*self.kind {
            Kind::Sqlite(_) => Vec::new(),
            Kind::Postgres { admin_url, name } => {
                pg_admin::listening_connections(admin_url, name).await.expect("read pg_stat_activity")
            }
        }
    }

    /// PostgreSQL: ends server connection `pid`, as a network failure would.
    pub async fn terminate_connection(&self, pid: i32) {
        if let Kind::Postgres { admin_url, .. } = &*self.kind {
            pg_admin::terminate_connection(admin_url, pid).await.expect("terminate a connection");
        }
    }

    /// PostgreSQL: refuses (false) or accepts again (true) new connections to this database.
    pub async fn allow_connections(&self, allow: bool) {
        if let Kind::Postgres { admin_url, name } = &*self.kind {
            pg_admin::allow_connections(admin_url, name, allow).await.expect("alter the database");
        }
    }
}

impl Drop for Kind {
    /// Runs when the last handle goes: at the end of the test, or while it unwinds.
    fn drop(&mut self) {
        match self {
            Kind::Sqlite(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Kind::Postgres { admin_url, name } => {
                // Drop cannot await, and the test's runtime may be the very thread this runs
                // on: the DROP gets a thread and a runtime of its own, and is waited for, so
                // the database is gone when the test ends. `WITH (FORCE)` ends the
                // connections the stopped server's pool still holds.
                let (admin_url, name) = (admin_url.clone(), name.clone());
                let teardown = std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
                    if let Ok(runtime) = runtime {
                        let _ = runtime.block_on(pg_admin::drop_database(&admin_url, &name));
                    }
                });
                let _ = teardown.join();
            }
        }
    }
}
