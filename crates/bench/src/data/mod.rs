//! `sentinelops-bench data`: writes a realistic year of operations through the storage
//! layer's bulk inserts: organisation and users, templates, one checklist per section,
//! day and shift with its activity, handover notes, notifications with exactly
//! `--receipts` receipts, `--auth-events` auth events, and the points ledger of all that
//! work with its daily tallies and streaks. Deterministic per `--seed`.

mod auth;
mod checklists;
mod gamification;
mod handover;
mod notify;
mod org;
mod report;
mod rng;
mod sink;
mod templates;

pub use org::OPERATORS_PER_SECTION;
#[cfg(test)]
mod tests;

use std::time::Instant;

use anyhow::Context;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sentinelops_domain::shift::ShiftType;
use sentinelops_store::{Conn, PoolConfig, Store};

use self::checklists::{Run, Slot};
use self::rng::Gen;
use self::sink::{Batch, Tally};

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// sqlite:///path?mode=rwc, sqlite://path or postgres://user@host/db
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: String,
    #[arg(long, default_value_t = 20)]
    pub sections: usize,
    /// Days of history, ending yesterday.
    #[arg(long, default_value_t = 365)]
    pub days: u32,
    /// Notification receipts to write in all (exact).
    #[arg(long, default_value_t = 10_000_000)]
    pub receipts: u64,
    #[arg(long, default_value_t = 1_000_000)]
    pub auth_events: u64,
    /// The password of every generated user.
    #[arg(long, default_value = "Sentinel@12345")]
    pub password: String,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Delete an earlier run's data first instead of refusing to run.
    #[arg(long)]
    pub force: bool,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let started = Instant::now();
    let store = Store::connect(&args.database_url, PoolConfig::default()).await.context("connecting")?;
    store.migrate().await.context("migrating")?;
    let tally = generate(&store, &args, Utc::now()).await?;
    report::print(&args, &tally, started.elapsed());
    store.close().await;
    Ok(())
}

/// Generates everything into `store` as of `now`; returns what was written.
pub async fn generate(store: &Store, args: &Args, now: DateTime<Utc>) -> anyhow::Result<Tally> {
    anyhow::ensure!(args.sections >= 1 && args.sections <= 99, "--sections must be between 1 and 99");
    anyhow::ensure!(args.days >= 1, "--days must be at least 1");
    org::guard(store, args.force).await?;
    let mut root = Gen::new(args.seed);
    let today = now.date_naive();
    let first_day = today - Duration::days(i64::from(args.days));
    let origin = first_day.and_hms_opt(0, 0, 0).map_or(now, |t| t.and_utc()) - Duration::days(30);
    let mut tally = Tally::default();

    let phase = Instant::now();
    let hash = org::password_hash(&args.password).await?;
    let org = org::create(store, &mut root.fork(), args.sections, &hash, origin, &mut tally).await?;
    let templates = templates::create(store, &mut root.fork(), &org, origin + Duration::days(1), &mut tally).await?;
    println!("organisation and templates: {:.1}s", phase.elapsed().as_secs_f64());

    let phase = Instant::now();
    let mut batch = Batch::default();
    let mut notifier = notify::Notifier::new(&org, now);
    let slots = u64::try_from(args.sections).unwrap_or(1) * u64::from(args.days) * 3;
    let mut slot_number = 0u64;
    let mut previous: Vec<Option<Run<'_>>> = vec![None; org.sections.len()];
    let mut ledger = gamification::Ledger::default();
    for day in 0..args.days {
        let date = first_day + Duration::days(i64::from(day));
        for (k, section) in org.sections.iter().enumerate() {
            let Some(set) = templates.get(k) else { continue };
            for shift in ShiftType::ALL {
                let slot = Slot { section, template: set.of(shift), shift, date, now };
                slot_number += 1;
                let mut g = Gen::for_slot(args.seed, slot_number);
                let run = checklists::simulate(&mut g, &mut batch, &slot);
                // The ledger draws from its own stream: the other tables stay as they were.
                let mut points = Gen::for_slot(args.seed ^ LEDGER_STREAM, slot_number);
                ledger.checklist(&mut points, &mut batch, &run, slot_number, section.manager.id);
                if let Some(Some(prev)) = previous.get(k) {
                    handover::link(&mut g, &mut batch, prev, &run, now);
                    ledger.handover(&mut points, &mut batch, prev);
                }
                // Each checklist's share keeps the running total on target, so it ends exact.
                let due = share(args.receipts, slot_number, slots).saturating_sub(notifier.receipts);
                notifier.emit(&mut g, &mut batch, &run, section, due);
                if let Some(entry) = previous.get_mut(k) {
                    *entry = Some(run);
                }
                batch.flush_if_full(store, &mut tally).await?;
            }
        }
        progress(day, args.days, date, (slot_number, notifier.receipts), phase);
    }
    ledger.finish(&mut batch, now);
    batch.flush(store, &mut tally).await?;
    anyhow::ensure!(notifier.receipts == args.receipts, "wrote {} receipts, not {}", notifier.receipts, args.receipts);
    println!("checklists, notifications and points: {:.1}s", phase.elapsed().as_secs_f64());

    let phase = Instant::now();
    let from = first_day.and_hms_opt(0, 0, 0).map_or(now, |t| t.and_utc());
    auth::generate(store, &mut root.fork(), &org, args.auth_events, (from, now - Duration::hours(3)), &mut tally)
        .await?;
    println!("auth events: {:.1}s", phase.elapsed().as_secs_f64());

    let phase = Instant::now();
    // Fresh statistics, so the planner sees the real table sizes from the first query.
    // On PostgreSQL also VACUUM, as autovacuum would have by then: until the visibility
    // map is set, index-only scans visit the heap (the unread badge of a manager took
    // 3.7 ms instead of 0.4 ms, the dashboard 15 ms instead of 3 ms).
    let maintenance = match store.backend() {
        sentinelops_store::Backend::Postgres => "VACUUM ANALYZE",
        sentinelops_store::Backend::Sqlite => "ANALYZE",
    };
    store.reader().execute_unprepared(maintenance).await.context(maintenance)?;
    tally.add("(analyze)", 0, phase.elapsed());
    Ok(tally)
}

/// Salt of the ledger's random stream.
const LEDGER_STREAM: u64 = 0x6C65_6467_6572;

/// The receipts due after `done` of `total` checklists: `target × done / total`.
fn share(target: u64, done: u64, total: u64) -> u64 {
    let value = u128::from(target) * u128::from(done) / u128::from(total.max(1));
    u64::try_from(value).unwrap_or(target).min(target)
}

fn progress(day: u32, days: u32, date: NaiveDate, (instances, receipts): (u64, u64), started: Instant) {
    if (day + 1).is_multiple_of(30) || day + 1 == days {
        println!(
            "  day {:>3}/{days} ({date}): {} instances, {} receipts, {:.0}s",
            day + 1,
            instances,
            receipts,
            started.elapsed().as_secs_f64()
        );
    }
}
