//! Where a user stands: the way from their tier to the next one (the Performance page)
//! and whether a team member needs help (the section view).

use super::grade::Tier;
use super::window::Window;

/// The way from the tier `points` is in to the next one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TierProgress {
    pub tier: Tier,
    /// The next tier and the points it starts at; none at Apex.
    pub next: Option<(Tier, i64)>,
    /// Points still missing to the next tier (0 at Apex).
    pub remaining: i64,
    /// 0..=100: the share of the span between this tier's floor and the next one's
    /// already earned, rounded down (100 at Apex).
    pub percent: i64,
}

impl TierProgress {
    pub fn of(window: Window, points: i64) -> TierProgress {
        let points = points.max(0);
        let tier = Tier::of(window, points);
        let [vector, command, apex] = Tier::bounds(window);
        let floor = match tier {
            Tier::Pulse => 0,
            Tier::Vector => vector,
            Tier::Command => command,
            Tier::Apex => apex,
        };
        match Tier::next(window, points) {
            Some((next, ceiling)) => {
                let span = (ceiling - floor).max(1);
                TierProgress {
                    tier,
                    next: Some((next, ceiling)),
                    remaining: ceiling - points,
                    percent: ((points - floor) * 100 / span).clamp(0, 99),
                }
            }
            None => TierProgress { tier, next: None, remaining: 0, percent: 100 },
        }
    }
}

/// Below this grade a team member is flagged in the section view.
pub const LOW_GRADE: i64 = 60;

/// Why a team member is flagged as needing help, if they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HelpFlag {
    /// Timed items started late in the window (the most concrete thing to act on).
    LateStarts,
    /// A grade below `LOW_GRADE`.
    LowGrade,
}

impl HelpFlag {
    pub fn label(self) -> &'static str {
        match self {
            HelpFlag::LateStarts => "Late timed starts",
            HelpFlag::LowGrade => "Low grade",
        }
    }
}

/// Late timed starts flag first; then a low grade.
pub fn needs_help(grade: i64, late_events: i64) -> Option<HelpFlag> {
    if late_events > 0 {
        Some(HelpFlag::LateStarts)
    } else if grade < LOW_GRADE {
        Some(HelpFlag::LowGrade)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn progress_runs_from_this_tiers_floor_to_the_next_ones() {
        // Monthly: Vector 650, Command 1450, Apex 2500.
        let p = TierProgress::of(Window::Monthly, 480);
        assert_eq!((p.tier, p.next, p.remaining, p.percent), (Tier::Pulse, Some((Tier::Vector, 650)), 170, 73));
        let p = TierProgress::of(Window::Weekly, 180);
        assert_eq!((p.tier, p.next, p.remaining, p.percent), (Tier::Vector, Some((Tier::Command, 320)), 140, 12));
        let p = TierProgress::of(Window::Yearly, 16_000);
        assert_eq!((p.tier, p.next, p.remaining, p.percent), (Tier::Apex, None, 0, 100));
        assert_eq!(TierProgress::of(Window::Monthly, -40).percent, 0);
    }

    #[test]
    fn late_starts_flag_before_a_low_grade() {
        assert_eq!(needs_help(95, 1), Some(HelpFlag::LateStarts));
        assert_eq!(needs_help(LOW_GRADE - 1, 0), Some(HelpFlag::LowGrade));
        assert_eq!(needs_help(LOW_GRADE, 0), None);
    }

    proptest! {
        #[test]
        fn progress_stays_in_range_and_below_the_next_tier(points in -100i64..30_000, w in 0usize..4) {
            let window = Window::ALL.get(w).copied().unwrap_or(Window::Monthly);
            let p = TierProgress::of(window, points);
            prop_assert!((0..=100).contains(&p.percent));
            prop_assert_eq!(p.percent == 100, p.next.is_none());
            if let Some((next, at)) = p.next {
                prop_assert!(next > p.tier);
                prop_assert_eq!(p.remaining, at - points.max(0));
                prop_assert!(p.remaining > 0);
            }
        }
    }
}
