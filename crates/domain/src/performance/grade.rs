//! The operational grade (0–100) and the tiers.

use super::metrics::{WindowMetrics, percent};
use super::window::Window;

/// The rates the grade weighs; `None` where the window holds no signal for it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Rates {
    /// 0.65 · clean% + 0.35 · on-time%, over the settled checklists the user acted in.
    pub checklist_quality: Option<f64>,
    /// On-time timed starts over all timed starts.
    pub timed_start: Option<f64>,
    /// Contribution days over elapsed days.
    pub consistency: Option<f64>,
    /// Staffed over rostered shifts (no roster yet: always absent).
    pub shift_adherence: Option<f64>,
    /// Tasks on time over tasks completed (no tasks yet: always absent).
    pub task_on_time: Option<f64>,
}

impl Rates {
    pub fn of(m: &WindowMetrics) -> Rates {
        let t = &m.tally;
        let quality = match (percent(t.clean_checklists, t.checklists), percent(t.on_time_checklists, t.checklists)) {
            (Some(clean), Some(on_time)) => Some(0.65 * clean + 0.35 * on_time),
            _ => None,
        };
        Rates {
            checklist_quality: quality,
            timed_start: percent(t.timed_on_time, t.timed_starts),
            consistency: percent(m.contribution_days, m.elapsed_days),
            shift_adherence: None,
            task_on_time: None,
        }
    }

    /// Each present rate with its weight (backend §4.7).
    fn weighted(&self) -> [(Option<f64>, f64); 5] {
        [
            (self.task_on_time, 0.28),
            (self.checklist_quality, 0.27),
            (self.shift_adherence, 0.12),
            (self.timed_start, 0.18),
            (self.consistency, 0.15),
        ]
    }
}

/// The weighted mean of the present rates, renormalised over their weights, rounded
/// to an integer in 0..=100; 0 when no rate is present.
pub fn operational_grade(rates: &Rates) -> i64 {
    let (mut sum, mut weight) = (0.0, 0.0);
    for (rate, w) in rates.weighted() {
        if let Some(r) = rate {
            sum += r.clamp(0.0, 100.0) * w;
            weight += w;
        }
    }
    if weight <= 0.0 {
        return 0;
    }
    // Finite and in 0..=100 by construction, so the cast cannot truncate.
    ((sum / weight).round() as i64).clamp(0, 100)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tier {
    Pulse,
    Vector,
    Command,
    Apex,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Pulse => "Pulse",
            Tier::Vector => "Vector",
            Tier::Command => "Command",
            Tier::Apex => "Apex",
        }
    }

    /// The exclusive upper bounds of Pulse, Vector and Command in `window` (contract §1.2).
    pub fn bounds(window: Window) -> [i64; 3] {
        match window {
            Window::Weekly => [160, 320, 540],
            Window::Monthly => [650, 1450, 2500],
            Window::Quarterly => [1450, 3200, 5600],
            Window::Yearly => [4200, 9200, 16000],
        }
    }

    pub fn of(window: Window, points: i64) -> Tier {
        let [vector, command, apex] = Tier::bounds(window);
        if points < vector {
            Tier::Pulse
        } else if points < command {
            Tier::Vector
        } else if points < apex {
            Tier::Command
        } else {
            Tier::Apex
        }
    }

    /// The next tier and the points it starts at (none above Apex).
    pub fn next(window: Window, points: i64) -> Option<(Tier, i64)> {
        let [vector, command, apex] = Tier::bounds(window);
        match Tier::of(window, points) {
            Tier::Pulse => Some((Tier::Vector, vector)),
            Tier::Vector => Some((Tier::Command, command)),
            Tier::Command => Some((Tier::Apex, apex)),
            Tier::Apex => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn tiers_follow_the_original_thresholds() {
        assert_eq!(Tier::of(Window::Weekly, 159), Tier::Pulse);
        assert_eq!(Tier::of(Window::Weekly, 160), Tier::Vector);
        assert_eq!(Tier::of(Window::Monthly, 2499), Tier::Command);
        assert_eq!(Tier::of(Window::Yearly, 16000), Tier::Apex);
        assert_eq!(Tier::next(Window::Quarterly, 0), Some((Tier::Vector, 1450)));
        assert_eq!(Tier::next(Window::Quarterly, 9000), None);
    }

    #[test]
    fn the_grade_renormalises_over_present_rates() {
        assert_eq!(operational_grade(&Rates::default()), 0);
        let only_quality = Rates { checklist_quality: Some(80.0), ..Rates::default() };
        assert_eq!(operational_grade(&only_quality), 80);
        // (100·0.27 + 50·0.15) / 0.42 = 82.14…
        let two = Rates { checklist_quality: Some(100.0), consistency: Some(50.0), ..Rates::default() };
        assert_eq!(operational_grade(&two), 82);
    }

    fn rate() -> impl Strategy<Value = Option<f64>> {
        proptest::option::of(-50.0f64..150.0)
    }

    proptest! {
        #[test]
        fn the_grade_stays_in_0_to_100(q in rate(), t in rate(), c in rate(), s in rate(), k in rate()) {
            let rates = Rates { checklist_quality: q, timed_start: t, consistency: c, shift_adherence: s, task_on_time: k };
            let g = operational_grade(&rates);
            prop_assert!((0..=100).contains(&g));
        }

        #[test]
        fn tiers_are_monotone_in_points(a in -100i64..20_000, b in -100i64..20_000) {
            for w in Window::ALL {
                let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
                prop_assert!(Tier::of(w, lo) <= Tier::of(w, hi));
            }
        }
    }
}
