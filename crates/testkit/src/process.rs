//! The real server binary as a child process: `serve` on a test database and a
//! loopback port, killed with SIGKILL and started again on the same database.
//!
//! The binary's path is known only to tests of the root package
//! (`env!("CARGO_BIN_EXE_sentinelops")`), so they pass it in.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::PASSWORD;

/// How long a start may take before the test gives up (a cold PostgreSQL, a loaded machine).
const START_LIMIT: Duration = Duration::from_secs(60);

/// A running `sentinelops serve`.
pub struct ServerProcess {
    binary: PathBuf,
    database_url: String,
    env: Vec<(String, String)>,
    /// Standard output and error of every start, appended (read for the address and on failure).
    log: tempfile::NamedTempFile,
    child: Option<Child>,
    base: String,
}

impl ServerProcess {
    /// Starts `binary serve` on `database_url`, listening on a free loopback port, with
    /// cheap password hashing, no background jobs (tests decide what runs) and the
    /// first administrator `admin@localhost` with the harness's `PASSWORD`. `env` adds
    /// or overrides variables.
    pub async fn start(binary: &Path, database_url: &str, env: &[(&str, &str)]) -> ServerProcess {
        let mut process = ServerProcess {
            binary: binary.to_owned(),
            database_url: database_url.to_owned(),
            env: env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
            log: tempfile::NamedTempFile::new().expect("server log file"),
            child: None,
            base: String::new(),
        };
        process.spawn().await;
        process
    }

    /// `http://127.0.0.1:PORT` of the current run (a new port after each restart).
    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Everything the server printed so far (for assertion messages).
    pub fn output(&self) -> String {
        std::fs::read_to_string(self.log.path()).unwrap_or_default()
    }

    /// SIGKILL: the process ends at once, mid-request, without any cleanup.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Kills the process (if running) and starts it again on the same database.
    pub async fn restart(&mut self) {
        self.kill();
        self.spawn().await;
    }

    async fn spawn(&mut self) {
        let printed_before = self.output().len();
        // Appending handles: both streams, and every start, land after what is there.
        let append = || std::fs::OpenOptions::new().append(true).open(self.log.path()).expect("server log");
        let (out, err) = (append(), append());
        let mut command = Command::new(&self.binary);
        command
            .arg("serve")
            .env("DATABASE_URL", &self.database_url)
            .env("SENTINELOPS_BIND", "127.0.0.1:0")
            .env("SENTINELOPS_ADMIN_PASSWORD", PASSWORD)
            .env("SENTINELOPS_ARGON2_MEMORY_KIB", "1024")
            .env("SENTINELOPS_ARGON2_ITERATIONS", "1")
            .env("SENTINELOPS_JOBS", "false")
            .env("SENTINELOPS_LOG", crate::log::filter().unwrap_or_else(|| "warn".to_owned()))
            .env_remove("SENTINELOPS_CONFIG")
            .stdin(Stdio::null())
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err));
        for (key, value) in &self.env {
            command.env(key, value);
        }
        self.child = Some(command.spawn().expect("start the sentinelops binary"));
        let started = Instant::now();
        loop {
            let printed = self.output();
            let address = printed
                .get(printed_before..)
                .and_then(|new| new.split("listening on http://").nth(1))
                .and_then(|rest| rest.split_whitespace().next());
            if let Some(address) = address {
                self.base = format!("http://{address}");
                return;
            }
            let exited = self.child.as_mut().and_then(|c| c.try_wait().ok().flatten());
            assert!(exited.is_none(), "sentinelops exited ({exited:?}) before listening:\n{printed}");
            assert!(started.elapsed() < START_LIMIT, "sentinelops did not start listening:\n{printed}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
        if crate::log::filter().is_some() {
            eprintln!("--- sentinelops serve ({}) ---\n{}", self.binary.display(), self.output());
        }
    }
}
