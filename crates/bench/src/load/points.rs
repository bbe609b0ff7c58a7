//! Points arriving during a read scenario (`hw`): a writer appends one paying ledger
//! row at a time, in turn for each scoring operator, through this process's own
//! connection (a second instance, as far as the server can tell). Each write changes
//! its user's tallies, so the next Performance Command of everyone in that section is
//! recomputed, not reused.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context as _;
use chrono::{Days, Utc};
use uuid::Uuid;

use sentinelops_app::App;
use sentinelops_domain::scoring::{LedgerState, ScoreKind};
use sentinelops_store::entity::gamification_scores::Model as LedgerRow;
use sentinelops_store::repo::{gamification, users};

/// A running writer; `stop` ends it and says how many rows it wrote.
pub struct Writer {
    stop: Arc<AtomicBool>,
    written: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

/// The ids of the users signed in with `logins`.
pub async fn user_ids(app: &App, logins: &[String]) -> anyhow::Result<Vec<Uuid>> {
    let mut ids = Vec::with_capacity(logins.len());
    for login in logins {
        let user = users::find_by_login(app.store.reader(), login).await?;
        ids.push(user.with_context(|| format!("no user {login}"))?.id);
    }
    Ok(ids)
}

/// Starts writing one 1-point row every `every`, for `users` in turn.
pub fn start(app: App, users: Vec<Uuid>, every: Duration) -> Writer {
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicU64::new(0));
    let (flag, count) = (Arc::clone(&stop), Arc::clone(&written));
    let task = tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        for user in users.iter().cycle() {
            tick.tick().await;
            if flag.load(Ordering::Relaxed) {
                break;
            }
            if write_one(&app, *user).await.is_ok() {
                count.fetch_add(1, Ordering::Relaxed);
            }
        }
    });
    Writer { stop, written, task }
}

impl Writer {
    pub async fn stop(self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        // An aborted or panicked writer has still written what it counted.
        let _ = self.task.await;
        self.written.load(Ordering::Relaxed)
    }
}

/// One confirmed item row of 1 point dated yesterday (inside every window but on the
/// first day of a year), with its tallies and streak row, in one transaction.
async fn write_one(app: &App, user: Uuid) -> anyhow::Result<()> {
    let now = Utc::now();
    let date = now.date_naive().checked_sub_days(Days::new(1)).unwrap_or(now.date_naive());
    let mut row = LedgerRow::new(user, ScoreKind::Item, LedgerState::Confirmed, date, now).paying(1, 1);
    row.subject_id = Some(sentinelops_domain::ids::new_id());
    let tx = app.store.begin_write().await?;
    gamification::append(&tx, vec![row], now).await?;
    sentinelops_store::commit(tx).await?;
    Ok(())
}
