//! The performance views computed from the points ledger's daily tallies: windows,
//! the operational grade, tiers, badges, trend buckets. Pure functions only.

pub mod badges;
pub mod grade;
pub mod metrics;
pub mod rank;
pub mod standing;
pub mod summary;
pub mod window;

pub use crate::scoring::PointsCategory;
pub use badges::{BADGES, BadgeDef, BadgeState};
pub use grade::{Rates, Tier, operational_grade};
pub use metrics::{Breakdown, WindowMetrics};
pub use rank::{RankKey, rank_order, ranks};
pub use window::{Bucket, Window};
