//! Figures for the health endpoints.
//!
//! `/health` is the process's liveness: it must answer at once even while the
//! database is down, so it reports the last database check instead of waiting on
//! one. A request that finds that check older than `RECHECK_AFTER` starts the next
//! one in the background (one at a time), so the figures lag by a few seconds at
//! most while something is probing, and nothing queries the database while nobody is.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sentinelops_store::repo::stats::{self, Counts};

use crate::App;
use crate::error::AppResult;

/// Age after which the next `/health` starts a new database check.
const RECHECK_AFTER: Duration = Duration::from_secs(2);

/// The outcome of the last database check.
#[derive(Debug, Clone, Copy)]
pub struct DatabaseHealth {
    /// The database answered.
    pub reachable: bool,
    /// Users and checklist instances, when it answered.
    pub counts: Option<Counts>,
    /// When the check finished (business clock).
    pub checked_at: DateTime<Utc>,
}

#[derive(Debug, Default)]
struct ProbeState {
    last: Option<(DatabaseHealth, Instant)>,
    checking: bool,
}

/// The last database check, shared by the process.
#[derive(Debug, Default, Clone)]
pub struct HealthProbe(Arc<Mutex<ProbeState>>);

impl HealthProbe {
    /// The last result, and whether the caller should start a new check (at most one
    /// caller is told so until that check is stored).
    fn last_and_claim(&self) -> (Option<DatabaseHealth>, bool) {
        let Ok(mut state) = self.0.lock() else {
            return (None, false);
        };
        let stale = state.last.as_ref().is_none_or(|(_, at)| at.elapsed() >= RECHECK_AFTER);
        let claim = stale && !state.checking;
        if claim {
            state.checking = true;
        }
        (state.last.as_ref().map(|(health, _)| *health), claim)
    }

    fn store(&self, health: DatabaseHealth) {
        if let Ok(mut state) = self.0.lock() {
            state.last = Some((health, Instant::now()));
            state.checking = false;
        }
    }
}

impl App {
    /// Checks the database now (counting users and checklists) and keeps the result
    /// for `database_health`. Fails fast while the pool cannot connect.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn check_database(&self) -> DatabaseHealth {
        let counts = sentinelops_store::uncounted(stats::counts(self.store.reader())).await.ok();
        let health = DatabaseHealth { reachable: counts.is_some(), counts, checked_at: self.clock.now() };
        self.health.store(health);
        health
    }

    /// The last database check, without waiting on the database (`None` before the
    /// first); starts a new check in the background when that one is stale.
    pub fn database_health(&self) -> Option<DatabaseHealth> {
        let (last, claim) = self.health.last_and_claim();
        if claim {
            let app = self.clone();
            tokio::spawn(async move {
                app.check_database().await;
            });
        }
        last
    }
}

impl App {
    /// Seconds the oldest undelivered e-mail or webhook has waited (0 when none).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn outbox_lag_seconds(&self) -> AppResult<f64> {
        let oldest = sentinelops_store::repo::outbox::oldest_pending(self.store.reader()).await?;
        Ok(oldest.map_or(0.0, |t| (self.clock.now() - t).num_milliseconds().max(0) as f64 / 1000.0))
    }

    /// Users with a live connection (WebSocket or event stream) on this instance.
    pub fn live_connection_users(&self) -> usize {
        self.presence.local().len()
    }
}
