//! Points: the ledger's vocabulary and the pure rules that decide what an action pays.

pub mod ledger;
pub mod rules;
pub mod settlement;
pub mod streak;
pub mod weights;

pub use ledger::{DailyTally, LedgerState, PointsCategory, ScoreKind, ScoreReason};
pub use rules::{Refusal, RefusalRule};
pub use settlement::{Award, ChecklistFacts, StepFacts, settlement};
pub use streak::Streaks;
pub use weights::ScoringWeights;
