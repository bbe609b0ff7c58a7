//! What one user did in one window, from their daily tallies, and the rates read off it.

use chrono::NaiveDate;

use crate::scoring::{DailyTally, streak};

/// Points per family (quality may be negative).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Breakdown {
    pub execution_points: i64,
    pub reliability_points: i64,
    pub collaboration_points: i64,
    pub quality_points: i64,
}

impl Breakdown {
    /// The families' points of a window's tally.
    pub fn of(tally: &DailyTally) -> Breakdown {
        Breakdown {
            execution_points: tally.execution_points,
            reliability_points: tally.reliability_points,
            collaboration_points: tally.collaboration_points,
            quality_points: tally.quality_points,
        }
    }
}

/// One user's sums over one window (or trend bucket).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WindowMetrics {
    pub tally: DailyTally,
    /// Distinct dates with any activity.
    pub contribution_days: i64,
    /// Days from the window's start to its end (today) inclusive.
    pub elapsed_days: i64,
    /// The live streak inside the window.
    pub current_streak: i64,
    /// The longest run inside the window.
    pub longest_streak: i64,
}

impl WindowMetrics {
    /// From the user's daily tallies of the window's dates (any order).
    pub fn of_days(days: &[(NaiveDate, DailyTally)], elapsed_days: i64, today: NaiveDate) -> WindowMetrics {
        let mut tally = DailyTally::default();
        let mut active = Vec::new();
        for (date, day) in days {
            tally.add(day);
            if day.is_active() {
                active.push(*date);
            }
        }
        active.sort_unstable();
        active.dedup();
        let runs = streak::runs(&active);
        WindowMetrics {
            tally,
            contribution_days: i64::try_from(active.len()).unwrap_or(i64::MAX),
            elapsed_days,
            current_streak: i64::from(runs.live(today)),
            longest_streak: i64::from(runs.longest),
        }
    }

    /// The window's command points: the ledger's sum, never below zero.
    pub fn command_points(&self) -> i64 {
        self.tally.points.max(0)
    }
}

/// `part / whole × 100`, capped at 100; `None` when `whole` is 0.
pub fn percent(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 / whole as f64 * 100.0).clamp(0.0, 100.0))
}

/// `min(x / n × 100, 100)`, 0 for nothing.
pub fn pct(x: i64, n: i64) -> f64 {
    percent(x, n).unwrap_or(0.0)
}

/// Rounded to one decimal place, as the wire shows rates.
pub fn one_dp(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}
