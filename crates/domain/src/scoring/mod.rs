//! Points: the ledger's vocabulary and the pure rules that decide what an action pays.

pub mod ledger;
pub mod streak;

pub use ledger::{DailyTally, LedgerState, ScoreKind, ScoreReason};
pub use streak::Streaks;
