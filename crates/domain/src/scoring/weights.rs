//! What each scoring action pays: the original's numbers (backend §4.7) as defaults,
//! every one of them configuration (`AppConfig.scoring`).

use serde::{Deserialize, Serialize};

/// The points of every rule. `Default` is the original's numbers; a configuration
/// file may override any of them (unknown keys are refused so a typo is not silently
/// ignored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScoringWeights {
    /// A completed item: `item_base + item_per_severity × severity`, plus
    /// `item_required` if required and `item_critical` if critical.
    pub item_base: i32,
    pub item_per_severity: i32,
    pub item_required: i32,
    pub item_critical: i32,
    /// A completed subitem, likewise.
    pub subitem_base: i32,
    pub subitem_per_severity: i32,
    pub subitem_required: i32,
    pub subitem_critical: i32,
    /// Severity from which an item is critical.
    pub critical_severity: i32,
    /// The quality bonus of a completed critical item.
    pub critical_item: i32,
    /// A failure reported with its reason: `failure_reported + failure_per_severity × severity`
    /// (a skip pays nothing).
    pub failure_reported: i32,
    pub failure_per_severity: i32,
    /// A timed start within `timed_grace_minutes` of its scheduled time.
    pub timed_on_time: i32,
    pub timed_grace_minutes: i64,
    /// Late starts (as penalties, positive numbers): up to 15 minutes, up to an hour, later.
    pub late_start_15: i32,
    pub late_start_60: i32,
    pub late_start_later: i32,
    pub checklist_on_time: i32,
    pub checklist_clean: i32,
    /// Per settled checklist in which more than one person acted.
    pub collaboration: i32,
    /// Per action of the user in such a checklist.
    pub collaborative_action: i32,
    pub handover_created: i32,
    pub handover_resolved: i32,
    /// A rostered shift staffed (not written until a roster exists).
    pub shift_staffed: i32,
    /// What an item completed after its checklist's shift end pays, in percent.
    pub late_completion_percent: i32,
    /// What the items of a checklist that ended INCOMPLETE pay, in percent.
    pub incomplete_percent: i32,
    /// A completion this soon after the same user's previous one in the same checklist is
    /// a burst (0 disables the rule).
    pub min_seconds_per_item: i64,
}

impl Default for ScoringWeights {
    fn default() -> Self {
        ScoringWeights {
            item_base: 5,
            item_per_severity: 3,
            item_required: 2,
            item_critical: 3,
            subitem_base: 2,
            subitem_per_severity: 1,
            subitem_required: 1,
            subitem_critical: 2,
            critical_severity: 4,
            critical_item: 10,
            failure_reported: 4,
            failure_per_severity: 1,
            timed_on_time: 4,
            timed_grace_minutes: 5,
            late_start_15: 2,
            late_start_60: 4,
            late_start_later: 7,
            checklist_on_time: 14,
            checklist_clean: 18,
            collaboration: 8,
            collaborative_action: 2,
            handover_created: 6,
            handover_resolved: 12,
            shift_staffed: 9,
            late_completion_percent: 50,
            incomplete_percent: 50,
            min_seconds_per_item: 5,
        }
    }
}

impl ScoringWeights {
    pub fn is_critical(&self, severity: i32) -> bool {
        severity >= self.critical_severity
    }

    /// What a completed item (or subitem) of this severity pays before any cut.
    pub fn step_points(&self, is_subitem: bool, severity: i32, required: bool) -> i32 {
        let critical = self.is_critical(severity);
        let (base, per, req, crit) = if is_subitem {
            (self.subitem_base, self.subitem_per_severity, self.subitem_required, self.subitem_critical)
        } else {
            (self.item_base, self.item_per_severity, self.item_required, self.item_critical)
        };
        let severity = severity.max(0);
        base.saturating_add(per.saturating_mul(severity))
            .saturating_add(if required { req } else { 0 })
            .saturating_add(if critical { crit } else { 0 })
            .max(0)
    }

    /// What an honestly reported failure of this severity pays.
    pub fn failure_points(&self, severity: i32) -> i32 {
        self.failure_reported.saturating_add(self.failure_per_severity.saturating_mul(severity.max(0))).max(0)
    }

    /// The penalty (a positive number) of a start this many minutes after its
    /// scheduled time; 0 within the grace.
    pub fn late_start_penalty(&self, minutes_late: i64) -> i32 {
        if minutes_late <= self.timed_grace_minutes {
            0
        } else if minutes_late <= 15 {
            self.late_start_15
        } else if minutes_late <= 60 {
            self.late_start_60
        } else {
            self.late_start_later
        }
    }
}

/// `percent` % of `points`, rounded toward zero.
pub fn percent_of(points: i32, percent: i32) -> i32 {
    let scaled = i64::from(points) * i64::from(percent.clamp(0, 100)) / 100;
    i32::try_from(scaled).unwrap_or(points)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn the_defaults_are_the_originals_numbers() {
        let w = ScoringWeights::default();
        // 5 + 3×4 + 2 + 3
        assert_eq!(w.step_points(false, 4, true), 22);
        assert_eq!(w.step_points(false, 1, false), 8);
        // 2 + 5 + 1 + 2
        assert_eq!(w.step_points(true, 5, true), 10);
        assert_eq!(w.failure_points(3), 7);
        assert_eq!([0, 5, 6, 15, 16, 60, 61].map(|m| w.late_start_penalty(m)), [0, 0, 2, 2, 4, 4, 7]);
        assert_eq!(percent_of(15, 50), 7);
    }

    proptest! {
        #[test]
        fn points_never_go_negative_and_grow_with_severity(sev in 0i32..6, req: bool, sub: bool) {
            let w = ScoringWeights::default();
            prop_assert!(w.step_points(sub, sev, req) > 0);
            prop_assert!(w.step_points(sub, sev + 1, req) > w.step_points(sub, sev, req));
            prop_assert!(w.failure_points(sev) > 0);
        }

        #[test]
        fn a_later_start_never_costs_less(a in 0i64..200, b in 0i64..200) {
            let w = ScoringWeights::default();
            let (early, late) = (a.min(b), a.max(b));
            prop_assert!(w.late_start_penalty(early) <= w.late_start_penalty(late));
        }

        #[test]
        fn a_cut_never_pays_more(points in 0i32..10_000, pct in 0i32..=100) {
            let cut = percent_of(points, pct);
            prop_assert!((0..=points).contains(&cut));
        }
    }
}
