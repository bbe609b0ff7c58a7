//! `export`: streams an audit CSV export from the real server and reports its speed
//! and the server's memory while it runs. Point it at a database already holding the
//! rows (`data --auth-events 1000000`); it starts `sentinelops serve` on loopback,
//! signs in a bench administrator, downloads `/api/v1/{auth,ops}/events?format=csv`
//! chunk by chunk (nothing kept), and samples the server's VmRSS every 50 ms.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Args as ClapArgs;

use crate::load::http::Api;
use crate::load::{raw, server};

#[derive(Debug, ClapArgs)]
pub struct Args {
    /// A database filled by `data` (SQLite or PostgreSQL).
    #[arg(long, env = "DATABASE_URL")]
    database_url: String,
    /// The server binary (build it first: `cargo build --release`).
    #[arg(long, default_value = "target/release/sentinelops")]
    server_bin: PathBuf,
    /// Which log to export: auth or ops.
    #[arg(long, default_value = "auth")]
    log: String,
    /// Where the server's log goes.
    #[arg(long, default_value = "target/bench")]
    out: PathBuf,
    /// Fail unless at least this many rows arrive (the header excluded).
    #[arg(long, default_value_t = 0)]
    min_rows: u64,
}

const PASSWORD: &str = "Bench@export-12345";

pub async fn run(args: Args) -> anyhow::Result<()> {
    let path = match args.log.as_str() {
        "auth" => "/api/v1/auth/events?format=csv",
        "ops" => "/api/v1/ops/events?format=csv",
        other => bail!("--log must be auth or ops, not {other:?}"),
    };
    if !args.server_bin.exists() {
        bail!("{} not found: run `cargo build --release` first", args.server_bin.display());
    }
    std::fs::create_dir_all(&args.out).with_context(|| format!("cannot create {}", args.out.display()))?;

    let app = raw::open_app(&args.database_url).await.context("open the database in-process")?;
    let email = raw::create_bench_admin(&app, "export", PASSWORD).await?;
    drop(app);

    let server = server::Server::start(server::Launch {
        binary: &args.server_bin,
        database_url: &args.database_url,
        log_file: args.out.join("server-export.log"),
        db_max_connections: 10,
        admin_password: None,
    })
    .await?;
    let token = Api::new(&server.base)?.sign_in(&email, PASSWORD).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle_mb = server.rss_mb().unwrap_or(0.0);

    let sampler = server::PeakRss::start(server.pid, Duration::from_millis(50));

    // No overall timeout: a million rows take longer than the load client allows.
    let client = reqwest::Client::builder().no_proxy().build()?;
    let started = Instant::now();
    let response = client.get(format!("{}{path}", server.base)).bearer_auth(&token).send().await?;
    let status = response.status();
    if !status.is_success() {
        bail!("GET {path}: {status} {}", response.text().await.unwrap_or_default());
    }
    let first_byte = started.elapsed();
    let (mut bytes, mut lines) = (0u64, 0u64);
    let mut response = response;
    while let Some(chunk) = response.chunk().await.context("the export broke off")? {
        bytes += chunk.len() as u64;
        lines += chunk.iter().filter(|b| **b == b'\n').count() as u64;
    }
    let elapsed = started.elapsed();
    let peak_mb = sampler.stop();
    let hwm_mb = vm_hwm_mb(server.pid);
    server.stop().await;

    let rows = lines.saturating_sub(1);
    let seconds = elapsed.as_secs_f64();
    println!("export {path}");
    println!("  rows            {rows}");
    println!("  bytes           {:.1} MB", bytes as f64 / 1e6);
    println!("  first byte      {:.0} ms", first_byte.as_secs_f64() * 1000.0);
    println!("  total           {seconds:.2} s");
    println!("  rows/s          {:.0}", rows as f64 / seconds.max(1e-9));
    println!("  server RSS idle {idle_mb:.1} MB");
    println!("  server RSS peak {peak_mb:.1} MB (sampled every 50 ms during the export)");
    if let Some(hwm) = hwm_mb {
        println!("  server VmHWM    {hwm:.1} MB (the process's high-water mark, start-up included)");
    }
    if rows < args.min_rows {
        bail!("only {rows} rows arrived, fewer than --min-rows {}", args.min_rows);
    }
    Ok(())
}

/// The process's peak resident set size (VmHWM) in MB.
fn vm_hwm_mb(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}
