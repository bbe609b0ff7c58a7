//! Points and performance: the Performance Command read model, badges, the legacy
//! gamification answers and the leaderboard's section settings.

pub mod badges;
pub mod command;
pub mod legacy;
pub mod model;
pub mod scope;
pub mod settings;

pub use model::{
    BadgeView, LeaderboardEntry, PerformanceCommand, Profile, RecentEvent, RecentEventType, TrendPoint, WindowSnapshot,
};
pub use sentinelops_domain::performance::{Breakdown, Tier, Window};
pub use sentinelops_store::repo::gamification::{LedgerRow, StreakRow};
