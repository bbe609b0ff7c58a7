//! Starts the real `sentinelops` binary on a free loopback port and watches its memory.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context, bail};
use tokio::process::{Child, Command};

/// A running server process; killed when dropped.
pub struct Server {
    child: Child,
    pub base: String,
    pub pid: u32,
}

pub struct Launch<'a> {
    pub binary: &'a Path,
    pub database_url: &'a str,
    pub log_file: PathBuf,
    /// The server's `SENTINELOPS_DB_MAX_CONNECTIONS`.
    pub db_max_connections: u32,
    /// The first administrator's password (`admin@localhost`), for an empty database.
    pub admin_password: Option<&'a str>,
}

impl Server {
    /// The ceiling process: this binary's `ceiling` subcommand.
    pub async fn start_ceiling(database_url: &str, size: usize, log_file: PathBuf) -> anyhow::Result<Server> {
        let port = free_port()?;
        let log = std::fs::File::create(&log_file).with_context(|| format!("cannot create {}", log_file.display()))?;
        let child = Command::new(std::env::current_exe()?)
            .args(["ceiling", "--database-url", database_url, "--bind", &format!("127.0.0.1:{port}")])
            .args(["--size", &size.to_string()])
            .stdout(Stdio::from(log.try_clone()?))
            .stderr(Stdio::from(log))
            .kill_on_drop(true)
            .spawn()
            .context("cannot start the ceiling server")?;
        let pid = child.id().context("ceiling server exited at once")?;
        let server = Server { child, base: format!("http://127.0.0.1:{port}"), pid };
        server.wait_ready().await?;
        Ok(server)
    }

    pub async fn start(launch: Launch<'_>) -> anyhow::Result<Server> {
        let port = free_port()?;
        let log = std::fs::File::create(&launch.log_file)
            .with_context(|| format!("cannot create {}", launch.log_file.display()))?;
        let log_err = log.try_clone()?;
        let mut command = Command::new(launch.binary);
        if let Some(password) = launch.admin_password {
            command.env("SENTINELOPS_ADMIN_PASSWORD", password);
        }
        let child = command
            .arg("serve")
            .env("DATABASE_URL", launch.database_url)
            .env("SENTINELOPS_BIND", format!("127.0.0.1:{port}"))
            // Daily creation and stale-shift closing would change the fixture mid-run.
            .env("SENTINELOPS_JOBS", "false")
            // Generous limits: the load comes from one address.
            .env("SENTINELOPS_LOCKOUT_IP_THRESHOLD", "1000000")
            .env("SENTINELOPS_DB_MAX_CONNECTIONS", launch.db_max_connections.to_string())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(log_err))
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("cannot start {}", launch.binary.display()))?;
        let pid = child.id().context("server exited at once")?;
        let server = Server { child, base: format!("http://127.0.0.1:{port}"), pid };
        server.wait_ready().await?;
        Ok(server)
    }

    async fn wait_ready(&self) -> anyhow::Result<()> {
        let client = reqwest::Client::builder().no_proxy().build()?;
        for _ in 0..600 {
            if let Ok(response) = client.get(format!("{}/health/ready", self.base)).send().await
                && response.status().is_success()
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("the server did not become ready within 60 s")
    }

    /// Resident set size in MB, from /proc.
    pub fn rss_mb(&self) -> Option<f64> {
        rss_mb(self.pid)
    }

    pub async fn stop(mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }
}

/// The highest VmRSS of a process seen while it runs, sampled every `every`.
pub struct PeakRss {
    peak_kib: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl PeakRss {
    pub fn start(pid: u32, every: Duration) -> PeakRss {
        let peak_kib = Arc::new(AtomicU64::new(0));
        let peak = Arc::clone(&peak_kib);
        let task = tokio::spawn(async move {
            loop {
                if let Some(rss) = rss_mb(pid) {
                    peak.fetch_max((rss * 1024.0) as u64, Ordering::Relaxed);
                }
                tokio::time::sleep(every).await;
            }
        });
        PeakRss { peak_kib, task }
    }

    /// Stops sampling; the peak in MB.
    pub fn stop(self) -> f64 {
        self.task.abort();
        self.peak_kib.load(Ordering::Relaxed) as f64 / 1024.0
    }
}

pub fn rss_mb(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("cannot bind loopback")?;
    Ok(listener.local_addr()?.port())
}
