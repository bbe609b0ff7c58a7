//! The load generator: starts the real server on loopback over the given database,
//! builds its own floor over HTTP, then runs each scenario at each concurrency for a
//! fixed time (HTTP, then the same use-case calls in-process), and reports.

// `value["key"]` on serde_json values reads Null when absent (no panic); the only
// writes are on objects this module has just built.
#![allow(clippy::indexing_slicing)]

mod driver;
mod fixture;
pub(crate) mod http;
mod points;
pub(crate) mod raw;
mod report;
mod scenarios;
pub(crate) mod server;
mod sockets;

pub use raw::open_app;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use chrono::Utc;

use driver::Stats;
use http::Api;
use report::Report;
use scenarios::{Targets, Timing};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Database the server runs on (default: a new SQLite file under target/bench/).
    #[arg(long, env = "DATABASE_URL")]
    database_url: Option<String>,
    /// The server binary (build it first: `cargo build --release`).
    #[arg(long, default_value = "target/release/sentinelops")]
    server_bin: PathBuf,
    /// Measured seconds per run.
    #[arg(long, default_value_t = 10)]
    duration: u64,
    /// Warm-up seconds before each measured run.
    #[arg(long, default_value_t = 2)]
    warmup: u64,
    #[arg(long, value_delimiter = ',', default_value = "1,10,50")]
    concurrency: Vec<usize>,
    /// Scenarios: static, a (rendered), acached, a304, c, d, f, e, b, g, h (performance
    /// command), hw (h while points arrive, see `--points-every-ms`), i (legacy leaderboard).
    #[arg(long, value_delimiter = ',', default_value = "static,a,acached,a304,c,d,f,e,b,g,h,i")]
    scenarios: Vec<String>,
    /// Skip the in-process raw runs.
    #[arg(long)]
    no_raw: bool,
    /// Fresh 40-item checklists created for the PATCH walks (each gives 80 PATCHes), for HTTP and for raw each.
    #[arg(long, default_value_t = 800)]
    patch_pool: usize,
    /// WebSocket clients held open during the mixed workload.
    #[arg(long, default_value_t = 2000)]
    sockets: usize,
    /// Read the inbox and dashboard (c, d, f) as this manager instead of the bench's own
    /// (e.g. a generated manager with a year of receipts).
    #[arg(long)]
    manager_email: Option<String>,
    #[arg(long, default_value = "Sentinel@12345")]
    manager_password: String,
    /// Run h and i as generated operators (opJJ.sKK@bench.local, password
    /// `--manager-password`), client n an operator of section n mod this count + 1,
    /// instead of the floor's operators.
    #[arg(long)]
    scoring_sections: Option<usize>,
    /// In `hw`, one paying ledger row is written this often, for the scoring operators
    /// in turn, so their sections' decks are recomputed rather than reused.
    #[arg(long, default_value_t = 10)]
    points_every_ms: u64,
    /// The server's database pool size (`SENTINELOPS_DB_MAX_CONNECTIONS`; 16 is its default).
    #[arg(long, default_value_t = 16)]
    db_max_connections: u32,
    /// Name of this run in the report.
    #[arg(long, default_value = "run")]
    label: String,
    /// Folder for the JSON and Markdown reports and the server log.
    #[arg(long, default_value = "target/bench")]
    out: PathBuf,
}

const PASSWORD: &str = "Bench@Load-2026";
/// How long the server is left alone before its idle RSS is read.
const IDLE_SETTLE: Duration = Duration::from_secs(12);

pub async fn run(args: Args) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.out).with_context(|| format!("cannot create {}", args.out.display()))?;
    let out = std::fs::canonicalize(&args.out)?;
    let stamp = Utc::now().format("%Y%m%d-%H%M%S");
    let database_url = match &args.database_url {
        Some(url) => url.clone(),
        None => format!("sqlite://{}?mode=rwc", out.join(format!("load-{stamp}.db")).display()),
    };
    if !args.server_bin.exists() {
        bail!("{} not found: run `cargo build --release` first", args.server_bin.display());
    }

    // The in-process application: migrates, makes the bench's admin, and later
    // measures the raw limit.
    let app = raw::open_app(&database_url).await.context("open the database in-process")?;
    let admin_email = raw::create_bench_admin(&app, "admin", PASSWORD).await?;

    let server = server::Server::start(server::Launch {
        binary: &args.server_bin,
        database_url: &database_url,
        log_file: out.join(format!("server-{}.log", args.label)),
        db_max_connections: args.db_max_connections,
        admin_password: None,
    })
    .await?;
    eprintln!("server pid {} at {} on {}", server.pid, server.base, app.store.backend().name());
    tokio::time::sleep(Duration::from_secs(1)).await;
    let started_rss_mb = server.rss_mb();

    let setup = Api::new(&server.base)?;
    let floor = fixture::build(&setup, &admin_email, PASSWORD).await.context("build the bench floor")?;
    eprintln!("floor ready: instance {} ({} bytes)", floor.instance_id, floor.instance_bytes);
    // The framework ceiling serves a document of the same size.
    let ceiling = server::Server::start_ceiling(
        &database_url,
        floor.instance_bytes,
        out.join(format!("ceiling-{}.log", args.label)),
    )
    .await?;

    let today = Utc::now().date_naive();
    let (http_queue, oldest) =
        fixture::patch_pool(&setup, &floor.operator_tokens, today, args.patch_pool).await.context("PATCH pool")?;
    let (raw_queue, _) = if args.no_raw {
        (fixture::WorkQueue::default(), oldest)
    } else {
        fixture::patch_pool(&setup, &floor.operator_tokens, oldest, args.patch_pool).await.context("raw PATCH pool")?
    };
    eprintln!("PATCH pools ready: {} + {} items", http_queue.len(), raw_queue.len());

    let manager_token = match &args.manager_email {
        Some(email) => setup.sign_in(email, &args.manager_password).await?,
        None => floor.manager_token.clone(),
    };
    let max_c = args.concurrency.iter().copied().max().unwrap_or(1);
    let clients = (0..max_c).map(|_| Api::new(&server.base)).collect::<anyhow::Result<Vec<_>>>()?;
    let ceiling_clients = (0..max_c).map(|_| Api::new(&ceiling.base)).collect::<anyhow::Result<Vec<_>>>()?;
    let operator_emails: Vec<String> =
        (0..fixture::OPERATORS).map(|i| floor.operator_email.replacen("op00.", &format!("op{i:02}."), 1)).collect();
    let (scorer_tokens, scorer_logins) = match args.scoring_sections {
        Some(sections) => {
            let logins = scorer_logins(sections, max_c);
            let mut tokens = Vec::with_capacity(logins.len());
            for login in &logins {
                tokens.push(setup.sign_in(login, &args.manager_password).await?);
            }
            (tokens, logins)
        }
        None => (floor.operator_tokens.clone(), operator_emails.clone()),
    };
    let targets = Targets {
        clients: Arc::new(clients),
        ceiling_clients: Arc::new(ceiling_clients),
        instance_id: floor.instance_id.clone(),
        operator_tokens: Arc::new(floor.operator_tokens.clone()),
        operator_emails: Arc::new(operator_emails),
        password: PASSWORD.to_owned(),
        manager_token: manager_token.clone(),
        patch_queue: http_queue,
        scorer_tokens: Arc::new(scorer_tokens),
    };
    let raw = raw::Raw {
        app: app.clone(),
        instance_id: floor.instance_id.parse()?,
        operator_tokens: Arc::new(floor.operator_tokens.clone()),
        manager_token,
        patch_queue: raw_queue,
        password: PASSWORD.to_owned(),
    };
    let timing = Timing { warmup: Duration::from_secs(args.warmup), duration: Duration::from_secs(args.duration) };

    // Idle means idle: mimalloc 3 hands freed memory back to the OS after its purge
    // delay (1 s for pages, 10 s for whole arenas), so RSS is read after that.
    tokio::time::sleep(IDLE_SETTLE).await;
    let mut report = Report {
        label: args.label.clone(),
        backend: app.store.backend().name().to_owned(),
        instance_bytes: floor.instance_bytes,
        started_rss_mb,
        idle_rss_mb: server.rss_mb(),
        ..Report::default()
    };
    for scenario in &args.scenarios {
        if scenario == "g" {
            continue;
        }
        for &c in &args.concurrency {
            let http = match scenario.as_str() {
                "static" => scenarios::static_document(&targets, c, &timing).await,
                "a" => scenarios::get_instance_fresh(&targets, c, &timing).await,
                "acached" => scenarios::get_instance(&targets, c, &timing).await,
                "a304" => {
                    let etag = etag_of(&setup, &floor).await?;
                    scenarios::get_instance_not_modified(&targets, c, &timing, etag).await
                }
                "b" => scenarios::patch_item(&targets, c, &timing).await,
                "c" => scenarios::notifications(&targets, c, &timing).await,
                "d" => scenarios::unread_count(&targets, c, &timing).await,
                "e" => scenarios::sign_in(&targets, c, &timing).await,
                "f" => scenarios::dashboard(&targets, c, &timing).await,
                "h" => scenarios::performance_command(&targets, c, &timing).await,
                "hw" => {
                    let ids =
                        points::user_ids(&app, scorer_logins.get(..c).unwrap_or(scorer_logins.as_slice())).await?;
                    let writer = points::start(app.clone(), ids, Duration::from_millis(args.points_every_ms.max(1)));
                    let mut run = scenarios::performance_command(&targets, c, &timing).await;
                    let written = writer.stop().await;
                    run.scenario = format!("hw command, {written} rows written");
                    run
                }
                "i" => scenarios::leaderboard(&targets, c, &timing).await,
                other => bail!("unknown scenario {other:?}"),
            };
            print_run(&http);
            report.runs.push(http);
            if !args.no_raw {
                let raw_run = match scenario.as_str() {
                    "a" => Some(raw::get_instance(&raw, c, &timing).await),
                    "b" => Some(raw::patch_item(&raw, c, &timing).await),
                    "c" => Some(raw::notifications(&raw, c, &timing).await),
                    "d" => Some(raw::unread_count(&raw, c, &timing).await),
                    "e" => Some(raw::verify_password(&raw, c, &timing).await?),
                    "f" => Some(raw::dashboard(&raw, c, &timing).await),
                    _ => None,
                };
                if let Some(raw_run) = raw_run {
                    print_run(&raw_run);
                    report.runs.push(raw_run);
                }
            }
        }
    }
    if args.scenarios.iter().any(|s| s == "g") {
        let open = sockets::open(&server.base, &floor.operator_tokens, args.sockets).await?;
        report.open_sockets = open.count();
        let sampler = server::PeakRss::start(server.pid, Duration::from_millis(100));
        for &c in &args.concurrency {
            let run = scenarios::mixed(&targets, c, &timing).await;
            print_run(&run);
            report.runs.push(run);
        }
        report.mixed_peak_rss_mb = Some(sampler.stop());
        open.close().await;
    }
    server.stop().await;
    ceiling.stop().await;

    let json = serde_json::to_string_pretty(&report)?;
    std::fs::write(out.join(format!("{}.json", args.label)), &json)?;
    let markdown = report.markdown();
    std::fs::write(out.join(format!("{}.md", args.label)), &markdown)?;
    println!("{markdown}");
    Ok(())
}

fn print_run(s: &Stats) {
    eprintln!(
        "{:<30} {:<7} c={:<3} {:>9.1} req/s  p50 {:>8.2} ms  p90 {:>8.2} ms  p99 {:>8.2} ms  errors {}{}",
        s.scenario,
        s.mode,
        s.concurrency,
        s.rps,
        s.p50_ms,
        s.p90_ms,
        s.p99_ms,
        s.errors,
        s.first_error.as_deref().map(|e| format!(" ({e})")).unwrap_or_default()
    );
}

/// The logins of `count` generated operators, client n being operator n mod 8 + 1 of
/// section n mod `sections` + 1 (the `data` command's users).
fn scorer_logins(sections: usize, count: usize) -> Vec<String> {
    (0..count)
        .map(|n| {
            let (operator, section) = (n % crate::data::OPERATORS_PER_SECTION + 1, n % sections.max(1) + 1);
            format!("op{operator:02}.s{section:02}@bench.local")
        })
        .collect()
}

/// The validator of the checklist as it stands (the 304 scenario sends it back).
async fn etag_of(api: &Api, floor: &fixture::Fixture) -> anyhow::Result<String> {
    let token = floor.operator_tokens.first().context("operator")?;
    let response = api
        .client
        .get(format!("{}/api/v1/checklists/instances/{}", api.base, floor.instance_id))
        .bearer_auth(token)
        .send()
        .await?;
    let etag = response.headers().get("etag").and_then(|v| v.to_str().ok()).map(str::to_owned);
    etag.context("the instance answer carries no ETag")
}

/// A JSON document of `size` bytes.
pub fn static_document(size: usize) -> Vec<u8> {
    let filler = "x".repeat(size.saturating_sub(16));
    format!("{{\"filler\":\"{filler}\"}}").into_bytes()
}
