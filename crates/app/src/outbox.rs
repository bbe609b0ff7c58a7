//! Placeholder: the transactional outbox (e-mail, webhooks) is being written.

use crate::App;
use crate::error::AppResult;

impl App {
    /// Delivers due outbox rows; returns how many were sent.
    pub async fn deliver_outbox_once(&self) -> AppResult<usize> {
        Ok(0)
    }
}
