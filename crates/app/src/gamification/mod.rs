//! Points and performance (issue 18).
//!
//! Write side, with the work: `actions` (a provisional or refused row per item/subitem
//! action), `settle` (what a closed checklist pays, reconciled with what it paid),
//! `handover_points`, `adjust` (a supervisor's adjustment) and `my_ledger` ("why didn't
//! I get points?"); `entries` builds the rows and appends them with their live message.
//!
//! Read side, from the ledger's daily tallies: the Performance Command (`command`,
//! `model`, `scope`), `badges`, the `legacy` answers and the leaderboard's section
//! `settings`.

mod actions;
mod adjust;
pub(crate) mod deck_cache;
mod entries;
mod handover_points;
mod my_ledger;
mod settle;

pub mod badges;
pub mod command;
pub mod legacy;
pub mod model;
pub mod scope;
pub mod section_view;
pub mod settings;

pub use adjust::{Adjustment, MAX_ADJUSTMENT};
pub use entries::POINTS_UPDATED;
pub use model::{
    BadgeView, LeaderboardEntry, PerformanceCommand, Profile, RecentEvent, RecentEventType, TrendPoint, WindowSnapshot,
};
pub use my_ledger::{LedgerEntry, LedgerQuery};
pub use sentinelops_domain::performance::{Breakdown, Tier, Window};
pub use sentinelops_store::repo::gamification::{LedgerRow, StreakRow};

pub(crate) use actions::{ActionScene, StepAction};
pub(crate) use settle::Target;
