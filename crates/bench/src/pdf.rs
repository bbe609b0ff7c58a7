//! `pdf`: how fast the PDF reports are typeset, end to end over HTTP. Fills a database
//! with a month of one section's shifts (the `data` generator), adds a 40-item checklist
//! worked into 400 activity rows, starts `sentinelops serve` on loopback and downloads
//! the checklist's shift record `--runs` times and the section's month report a quarter
//! as often. Targets (issue 19): a shift record in ≤ 300 ms and ≤ 1 MB, a month in ≤ 2 s.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use chrono::{Datelike, Days, Utc};
use clap::Args as ClapArgs;
use serde_json::{Value, json};
use uuid::Uuid;

use sentinelops_app::{App, PoolConfig, Store};
use sentinelops_domain::ActivityAction;
use sentinelops_store::repo::checklists::{self, ActivityRow};

use crate::data;
use crate::load::http::Api;
use crate::load::{raw, server};

#[derive(Debug, ClapArgs)]
pub struct Args {
    /// The database to fill (default: a new SQLite file under --out).
    #[arg(long, env = "DATABASE_URL")]
    database_url: Option<String>,
    /// The server binary (build it first: `cargo build --release`).
    #[arg(long, default_value = "target/release/sentinelops")]
    server_bin: PathBuf,
    #[arg(long, default_value = "target/bench")]
    out: PathBuf,
    /// Downloads of the shift record (the first is the cold one).
    #[arg(long, default_value_t = 20)]
    runs: usize,
}

const PASSWORD: &str = "Bench@pdf-12345";
const ITEMS: usize = 40;
const ACTIVITY: usize = 400;

pub async fn run(args: Args) -> anyhow::Result<()> {
    if !args.server_bin.exists() {
        bail!("{} not found: run `cargo build --release` first", args.server_bin.display());
    }
    std::fs::create_dir_all(&args.out).with_context(|| format!("cannot create {}", args.out.display()))?;
    let database_url = match &args.database_url {
        Some(url) => url.clone(),
        None => format!("sqlite://{}?mode=rwc", args.out.join(format!("pdf-{}.db", Utc::now().timestamp())).display()),
    };

    // A month and a bit of one section's shifts, ending yesterday.
    let store = Store::connect(&database_url, PoolConfig::default()).await.context("connecting")?;
    store.migrate().await.context("migrating")?;
    let month = data::Args {
        database_url: database_url.clone(),
        sections: 1,
        days: 40,
        receipts: 1_000,
        auth_events: 1_000,
        password: PASSWORD.to_owned(),
        seed: 42,
        force: false,
    };
    data::generate(&store, &month, Utc::now()).await.context("generating a month of shifts")?;
    store.close().await;

    let app = raw::open_app(&database_url).await.context("open the database in-process")?;
    let email = raw::create_bench_admin(&app, "pdf", PASSWORD).await?;
    let section = app.list_sections(None).await?.into_iter().next().context("the generator made no section")?.id;

    let server = server::Server::start(server::Launch {
        binary: &args.server_bin,
        database_url: &database_url,
        log_file: args.out.join("server-pdf.log"),
        db_max_connections: 10,
        admin_password: None,
    })
    .await?;
    let api = Api::new(&server.base)?;
    let token = api.sign_in(&email, PASSWORD).await?;
    let checklist = forty_item_checklist(&api, &token, section).await?;
    add_activity(&app, checklist, ACTIVITY).await?;
    let idle_mb = server.rss_mb().unwrap_or(0.0);

    let record = format!("/api/v1/checklists/instances/{checklist}/report.pdf");
    let (shift_times, shift_size) = download(&api, &token, &record, args.runs).await?;
    let after_shift_mb = server.rss_mb().unwrap_or(0.0);
    let today = Utc::now().date_naive();
    let last_month = today.with_day(1).and_then(|d| d.checked_sub_days(Days::new(1))).context("last month")?;
    let month_path = format!("/api/v1/reports/period.pdf?section_id={section}&period=month&start={last_month}");
    let (month_times, month_size) = download(&api, &token, &month_path, args.runs.div_ceil(4).max(2)).await?;
    let peak_mb = server.rss_mb().unwrap_or(0.0);
    // The server gives memory back once idle (blocking threads exit after 10 s).
    tokio::time::sleep(Duration::from_secs(15)).await;
    let rested_mb = server.rss_mb().unwrap_or(0.0);
    server.stop().await;

    println!("pdf reports over HTTP on {}", app.store.backend().name());
    print_line(&format!("shift record ({ITEMS} items, {ACTIVITY} activity rows)"), &shift_times, shift_size);
    print_line(&format!("month report ({})", last_month.format("%B %Y")), &month_times, month_size);
    println!(
        "  server RSS      before {idle_mb:.1} MB, after the shift records {after_shift_mb:.1} MB, after the month \
         reports {peak_mb:.1} MB, 15 s later {rested_mb:.1} MB"
    );
    Ok(())
}

/// A template of 40 items (every fourth with two subitems), its checklist two days
/// ahead (clear of the generated ones), every item worked: most completed, some
/// skipped or failed with a reason.
async fn forty_item_checklist(api: &Api, token: &str, section: Uuid) -> anyhow::Result<Uuid> {
    let items: Vec<Value> = (1..=ITEMS)
        .map(|n| {
            let subitems = if n % 4 == 0 { json!([{"title": "Primary"}, {"title": "Secondary"}]) } else { json!([]) };
            json!({"title": format!("Control {n}: verify the overnight batch"), "description": "Check the job log and the totals.",
                   "severity": 1 + n % 5, "sort_order": n, "subitems": subitems})
        })
        .collect();
    let body = json!({"name": "Bench forty", "shift": "AFTERNOON", "section_id": section, "items": items});
    let (status, template) = api.send("POST", "/api/v1/checklists/templates", token, Some(body)).await?;
    if status != 200 {
        bail!("creating the template: {status} {template}");
    }
    let date = Utc::now().date_naive().checked_add_days(Days::new(2)).context("date")?;
    let body = json!({"shift": "AFTERNOON", "checklist_date": date, "section_id": section, "template_id": field(&template, "id")?});
    let (status, answer) = api.send("POST", "/api/v1/checklists/instances", token, Some(body)).await?;
    if status != 200 {
        bail!("creating the checklist: {status} {answer}");
    }
    let view = field(&answer, "instance")?;
    let id: Uuid = field(view, "id")?.as_str().context("checklist id")?.parse()?;
    for (n, item) in field(view, "items")?.as_array().context("items")?.iter().enumerate() {
        let item_id = field(item, "id")?.as_str().context("item id")?;
        let path = format!("/api/v1/checklists/instances/{id}/items/{item_id}");
        for sub in item.get("subitems").and_then(Value::as_array).into_iter().flatten() {
            let sub_path = format!("{path}/subitems/{}", field(sub, "id")?.as_str().context("subitem id")?);
            api.expect_ok("PATCH", &sub_path, token, json!({"status": "COMPLETED"})).await?;
        }
        let body = match n % 10 {
            3 => json!({"status": "SKIPPED", "reason": format!("Not applicable tonight (control {n})")}),
            7 => json!({"status": "FAILED", "reason": format!("Totals did not reconcile (control {n})")}),
            _ => json!({"status": "COMPLETED", "comment": "Checked"}),
        };
        api.expect_ok("PATCH", &path, token, body).await?;
    }
    Ok(id)
}

fn field<'v>(value: &'v Value, key: &str) -> anyhow::Result<&'v Value> {
    value.get(key).with_context(|| format!("no {key} in {value}"))
}

/// Tops the checklist's trail up to `total` rows with comments on its items (written
/// straight to the store: the trail's length is what is measured, not the API).
async fn add_activity(app: &App, checklist: Uuid, total: usize) -> anyhow::Result<()> {
    let tx = app.store.begin_write().await?;
    let items = checklists::items_of(&tx, checklist).await?;
    let existing = checklists::activity_of(&tx, checklist).await?;
    let user = existing.first().map(|a| a.user_id).context("the checklist has no activity to copy")?;
    let start = Utc::now();
    for n in existing.len()..total {
        let item = items.get(n % items.len().max(1)).context("no items")?;
        checklists::insert_activity(
            &tx,
            ActivityRow {
                id: Uuid::new_v4(),
                instance_id: checklist,
                instance_item_id: item.id,
                instance_subitem_id: None,
                user_id: user,
                action: ActivityAction::Commented.as_str().to_owned(),
                from_status: None,
                to_status: None,
                comment: Some(format!("Operator note {n}: totals re-checked against the ledger")),
                reason: None,
                duration_ms: None,
                created_at: start + chrono::Duration::seconds(n as i64),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Downloads `path` `runs` times; the times in order (the first is cold) and the size.
async fn download(api: &Api, token: &str, path: &str, runs: usize) -> anyhow::Result<(Vec<Duration>, usize)> {
    let mut times = Vec::with_capacity(runs);
    let mut size = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let (status, body) = api.get_raw(path, token).await?;
        times.push(started.elapsed());
        if status != 200 || !body.starts_with(b"%PDF-") {
            bail!("GET {path}: {status} {}", String::from_utf8_lossy(body.get(..200).unwrap_or(&body)));
        }
        size = body.len();
    }
    Ok((times, size))
}

fn print_line(what: &str, times: &[Duration], size: usize) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let cold = times.first().copied().unwrap_or_default();
    let mut warm: Vec<Duration> = times.iter().skip(1).copied().collect();
    warm.sort_unstable();
    let at = |q: f64| warm.get(((warm.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or_default();
    println!("  {what}");
    println!(
        "    {} runs: cold {:.0} ms, warm p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms; {:.0} KB",
        times.len(),
        ms(cold),
        ms(at(0.5)),
        ms(at(0.95)),
        ms(warm.last().copied().unwrap_or_default()),
        size as f64 / 1024.0
    );
}
