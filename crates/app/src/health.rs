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
