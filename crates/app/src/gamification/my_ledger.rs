//! "Why didn't I get points?": the caller's own ledger rows, newest first, with each
//! refusal's sentence and the row's title and checklist.

use chrono::{Duration, NaiveDate};
use serde_json::Value;

use sentinelops_store::repo::gamification::{self, LedgerRow};

use crate::actor::Actor;
use crate::error::{AppResult, invalid};
use crate::{App, validate};

/// Rows shown when no limit is asked for, and the most one answer holds.
const DEFAULT_LIMIT: u64 = 50;
const MAX_LIMIT: u64 = 500;
/// The window when no start date is given.
const DEFAULT_DAYS: i64 = 90;

#[derive(Debug, Clone, Default)]
pub struct LedgerQuery {
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub limit: Option<u64>,
}

/// A ledger row with what its metadata says.
#[derive(Debug, Clone)]
pub struct LedgerEntry {
    pub row: LedgerRow,
    pub title: Option<String>,
    pub detail: Option<String>,
    /// Why it paid nothing (REFUSED rows).
    pub refusal: Option<String>,
    /// The refusing rule's code (`burst`, `early`, `skipped`, `self_sign_off`, …).
    pub rule: Option<String>,
}

impl LedgerEntry {
    /// Reads the row's metadata.
    pub fn of(row: LedgerRow) -> LedgerEntry {
        let text = |key: &str| row.metadata.get(key).and_then(Value::as_str).map(str::to_owned);
        LedgerEntry { title: text("title"), detail: text("detail"), refusal: text("refusal"), rule: text("rule"), row }
    }
}

impl App {
    /// The actor's ledger rows with an activity date in the window (default: the last
    /// 90 days up to today), newest first.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn my_ledger(&self, actor: &Actor, query: LedgerQuery) -> AppResult<Vec<LedgerEntry>> {
        let reader = self.store.reader();
        let today = self.clock.now().with_timezone(&self.business_timezone_in(reader).await?).date_naive();
        let to = query.end_date.unwrap_or(today);
        let from = query.start_date.unwrap_or(to - Duration::days(DEFAULT_DAYS));
        for date in [from, to] {
            validate::date("date", date)?;
        }
        if from > to {
            return Err(invalid("start_date must not be after end_date"));
        }
        let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(invalid(format!("limit must be between 1 and {MAX_LIMIT}")));
        }
        let rows = gamification::rows_of_user(reader, actor.user_id, from, to, limit).await?;
        Ok(rows.into_iter().map(LedgerEntry::of).collect())
    }
}
