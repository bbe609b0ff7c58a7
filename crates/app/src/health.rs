//! Figures for the health endpoint.

use sentinelops_store::repo::stats::{self, Counts};

use crate::App;
use crate::error::AppResult;

impl App {
    /// Users and checklist instances; fails when the database does not answer.
    pub async fn health_counts(&self) -> AppResult<Counts> {
        Ok(stats::counts(self.store.reader()).await?)
    }
}

impl App {
    /// Seconds the oldest undelivered e-mail or webhook has waited (0 when none).
    pub async fn outbox_lag_seconds(&self) -> AppResult<f64> {
        let oldest = sentinelops_store::repo::outbox::oldest_pending(self.store.reader()).await?;
        Ok(oldest.map_or(0.0, |t| (self.clock.now() - t).num_milliseconds().max(0) as f64 / 1000.0))
    }

    /// Users with a live connection (WebSocket or event stream) on this instance.
    pub fn live_connection_users(&self) -> usize {
        self.presence.local().len()
    }
}
