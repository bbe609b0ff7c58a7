//! The anti-gaming rules: each a pure function that says what an action pays or why it
//! pays nothing (a `Refusal`, whose sentence answers "why didn't I get points?").

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::weights::{ScoringWeights, percent_of};
use crate::checklist::InstanceStatus;

/// Which rule refused an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RefusalRule {
    /// A skip pays nothing.
    Skipped,
    /// A timed step completed before its window opened.
    Early,
    /// A completion faster than the plausible minimum after the previous one.
    Burst,
    /// The supervisor who signed the checklist off is not paid for it.
    SelfSignOff,
    /// A handover note resolved by its own author.
    SelfResolve,
}

impl RefusalRule {
    pub const ALL: [RefusalRule; 5] = [
        RefusalRule::Skipped,
        RefusalRule::Early,
        RefusalRule::Burst,
        RefusalRule::SelfSignOff,
        RefusalRule::SelfResolve,
    ];

    /// The short code kept in `metadata.rule`.
    pub fn as_str(self) -> &'static str {
        match self {
            RefusalRule::Skipped => "skipped",
            RefusalRule::Early => "early",
            RefusalRule::Burst => "burst",
            RefusalRule::SelfSignOff => "self_sign_off",
            RefusalRule::SelfResolve => "self_resolve",
        }
    }

    pub fn parse(code: &str) -> Option<RefusalRule> {
        RefusalRule::ALL.into_iter().find(|r| r.as_str() == code)
    }

    /// Whether the rule flags the completion itself, so that nothing about the step pays
    /// at settlement either.
    pub fn flags_completion(self) -> bool {
        matches!(self, RefusalRule::Early | RefusalRule::Burst)
    }
}

/// Why an action pays nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub rule: RefusalRule,
    pub sentence: String,
}

impl Refusal {
    fn new(rule: RefusalRule, sentence: String) -> Refusal {
        Refusal { rule, sentence }
    }
}

/// A skip pays nothing, whatever the step.
pub fn skip(title: &str) -> Refusal {
    Refusal::new(
        RefusalRule::Skipped,
        format!("'{title}' was skipped: a skip earns no points (a failure reported with its reason does)."),
    )
}

/// When a timed step's window opens: its reminder lead before `scheduled_at` (or
/// `scheduled_at` itself without a lead).
pub fn window_opens(scheduled_at: DateTime<Utc>, lead_minutes: Option<i32>) -> DateTime<Utc> {
    scheduled_at - Duration::minutes(i64::from(lead_minutes.unwrap_or(0).max(0)))
}

/// A timed step completed before its window opens is flagged and not paid.
pub fn not_early(
    title: &str,
    completed_at: DateTime<Utc>,
    scheduled_at: Option<DateTime<Utc>>,
    lead_minutes: Option<i32>,
) -> Result<(), Refusal> {
    let Some(scheduled_at) = scheduled_at else {
        return Ok(());
    };
    let opens = window_opens(scheduled_at, lead_minutes);
    if completed_at < opens {
        return Err(Refusal::new(
            RefusalRule::Early,
            format!(
                "'{title}' was completed at {} UTC, before its window opened at {} UTC: an early timed item earns no points.",
                completed_at.format("%H:%M"),
                opens.format("%H:%M")
            ),
        ));
    }
    Ok(())
}

/// A completion less than `min_seconds_per_item` after the same user's previous
/// completion in the same checklist is a burst, flagged and not paid.
pub fn not_burst(
    title: &str,
    completed_at: DateTime<Utc>,
    previous: Option<DateTime<Utc>>,
    w: &ScoringWeights,
) -> Result<(), Refusal> {
    let Some(previous) = previous.filter(|_| w.min_seconds_per_item > 0) else {
        return Ok(());
    };
    let gap = (completed_at - previous).num_seconds();
    if (0..w.min_seconds_per_item).contains(&gap) {
        return Err(Refusal::new(
            RefusalRule::Burst,
            format!(
                "'{title}' was completed {gap} s after your previous item; under {} s per item is treated as a burst and earns no points.",
                w.min_seconds_per_item
            ),
        ));
    }
    Ok(())
}

/// The supervisor who signs a checklist off is paid nothing for it.
pub fn not_self_sign_off(title: &str, worker: Uuid, closed_by: Option<Uuid>) -> Result<(), Refusal> {
    if closed_by == Some(worker) {
        return Err(Refusal::new(
            RefusalRule::SelfSignOff,
            format!("'{title}': you signed this checklist off yourself, so your own work in it earns no points."),
        ));
    }
    Ok(())
}

/// A handover note resolved by its own author pays nothing.
pub fn not_self_resolve(title: &str, author: Option<Uuid>, resolver: Uuid) -> Result<(), Refusal> {
    if author == Some(resolver) {
        return Err(Refusal::new(
            RefusalRule::SelfResolve,
            format!("'{title}': you resolved your own handover note, which earns no points."),
        ));
    }
    Ok(())
}

/// What a completion pays after the cuts: late completions (after the shift end) and a
/// checklist that ended INCOMPLETE each pay their percentage.
pub fn after_cuts(
    points: i32,
    completed_at: Option<DateTime<Utc>>,
    shift_end: DateTime<Utc>,
    outcome: InstanceStatus,
    w: &ScoringWeights,
) -> (i32, Vec<&'static str>) {
    let mut cuts = Vec::new();
    let mut paid = points;
    if completed_at.is_some_and(|at| at > shift_end) {
        paid = percent_of(paid, w.late_completion_percent);
        cuts.push("late");
    }
    if outcome == InstanceStatus::Incomplete {
        paid = percent_of(paid, w.incomplete_percent);
        cuts.push("incomplete");
    }
    (paid, cuts)
}

/// A timed start: on time pays `timed_on_time`, a late one its penalty (negative).
/// Returns whether it was on time, the points and the minutes late.
pub fn timed_start(scheduled_at: DateTime<Utc>, started_at: DateTime<Utc>, w: &ScoringWeights) -> (bool, i32, i64) {
    // Whole minutes, rounded up: a start 5 min 1 s late is 6 minutes late.
    let late = ((started_at - scheduled_at).num_seconds().max(0) + 59) / 60;
    let on_time = started_at <= scheduled_at + Duration::minutes(w.timed_grace_minutes);
    if on_time { (true, w.timed_on_time, late) } else { (false, -w.late_start_penalty(late), late) }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use proptest::prelude::*;

    use super::*;

    fn t(seconds: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 7, 0, 0).single().unwrap_or_default() + Duration::seconds(seconds)
    }

    #[test]
    fn an_early_timed_item_is_refused_and_one_in_its_window_is_not() {
        let at = Some(t(3600));
        assert_eq!(not_early("x", t(600), at, Some(30)).map_err(|r| r.rule), Err(RefusalRule::Early));
        assert_eq!(not_early("x", t(1800), at, Some(30)), Ok(()));
        assert_eq!(not_early("x", t(3599), at, None).map_err(|r| r.rule), Err(RefusalRule::Early));
        assert_eq!(not_early("x", t(0), None, None), Ok(()));
    }

    #[test]
    fn a_burst_is_refused_unless_the_rule_is_off() {
        let w = ScoringWeights::default();
        assert_eq!(not_burst("x", t(4), Some(t(0)), &w).map_err(|r| r.rule), Err(RefusalRule::Burst));
        assert_eq!(not_burst("x", t(5), Some(t(0)), &w), Ok(()));
        assert_eq!(not_burst("x", t(4), None, &w), Ok(()));
        let off = ScoringWeights { min_seconds_per_item: 0, ..w };
        assert_eq!(not_burst("x", t(0), Some(t(0)), &off), Ok(()));
    }

    #[test]
    fn cuts_compound_and_timed_starts_pay_or_cost() {
        let w = ScoringWeights::default();
        let end = t(0);
        assert_eq!(after_cuts(20, Some(t(1)), end, InstanceStatus::Completed, &w), (10, vec!["late"]));
        assert_eq!(after_cuts(20, Some(t(1)), end, InstanceStatus::Incomplete, &w), (5, vec!["late", "incomplete"]));
        assert_eq!(after_cuts(20, Some(t(0)), end, InstanceStatus::Completed, &w).0, 20);
        assert_eq!(timed_start(t(0), t(300), &w), (true, 4, 5));
        assert_eq!(timed_start(t(0), t(600), &w), (false, -2, 10));
        assert_eq!(timed_start(t(0), t(3600 * 2), &w), (false, -7, 120));
    }

    #[test]
    fn self_sign_off_and_self_resolve_refuse_only_the_same_person() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        assert!(not_self_sign_off("x", a, Some(a)).is_err());
        assert!(not_self_sign_off("x", a, Some(b)).is_ok());
        assert!(not_self_sign_off("x", a, None).is_ok());
        assert!(not_self_resolve("x", Some(a), a).is_err());
        assert!(not_self_resolve("x", Some(b), a).is_ok());
        for rule in RefusalRule::ALL {
            assert_eq!(RefusalRule::parse(rule.as_str()), Some(rule));
        }
    }

    proptest! {
        #[test]
        fn the_burst_rule_refuses_exactly_the_gaps_under_the_threshold(gap in 0i64..30, min in 0i64..20) {
            let w = ScoringWeights { min_seconds_per_item: min, ..ScoringWeights::default() };
            let refused = not_burst("x", t(gap), Some(t(0)), &w).is_err();
            prop_assert_eq!(refused, min > 0 && gap < min);
        }

        #[test]
        fn the_early_rule_refuses_exactly_before_the_window(done in 0i64..7200, lead in 0i32..60) {
            let refused = not_early("x", t(done), Some(t(3600)), Some(lead)).is_err();
            prop_assert_eq!(refused, done < 3600 - i64::from(lead) * 60);
        }

        #[test]
        fn only_late_starts_cost_points(start in -3600i64..14_400) {
            let w = ScoringWeights::default();
            let (on_time, points, _) = timed_start(t(0), t(start), &w);
            prop_assert_eq!(on_time, points > 0);
            prop_assert!(on_time || points < 0);
        }
    }
}
