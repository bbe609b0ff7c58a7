//! The 11 badges (contract §1.3): definitions, unlock rules and progress, all read off
//! the yearly window. Tasks are not tracked yet, so task counts are 0 (Flow Keeper
//! stays at its floor and Sentinel Prime cannot unlock until they are).

use super::metrics::{WindowMetrics, one_dp, pct};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadgeDef {
    pub key: &'static str,
    pub name: &'static str,
    pub icon: &'static str,
    pub theme: &'static str,
    pub description: &'static str,
    pub hint: &'static str,
    pub target: &'static str,
}

const fn def(
    key: &'static str,
    name: &'static str,
    icon_theme: (&'static str, &'static str),
    description: &'static str,
    hint: &'static str,
    target: &'static str,
) -> BadgeDef {
    BadgeDef { key, name, icon: icon_theme.0, theme: icon_theme.1, description, hint, target }
}

/// In the original's definition order (the order the deck lists them).
pub const BADGES: [BadgeDef; 11] = [
    def(
        "flow_keeper",
        "Flow Keeper",
        ("flow", "azure"),
        "Recognises steady, on-time task delivery.",
        "Close assigned tasks before their due time and keep late closes rare.",
        "12 completed tasks, 85% on time, no more than 2 late closes",
    ),
    def(
        "checklist_vanguard",
        "Checklist Vanguard",
        ("shield", "emerald"),
        "Recognises clean, complete checklist runs.",
        "Complete checklist items and sign off runs with every required item done.",
        "90 checklist actions and 6 clean runs",
    ),
    def(
        "critical_shield",
        "Critical Shield",
        ("bolt", "amber"),
        "Recognises handling of critical work.",
        "Take on the severity 4 and 5 items of your shifts.",
        "18 critical actions handled",
    ),
    def(
        "relay_architect",
        "Relay Architect",
        ("relay", "violet"),
        "Recognises a clean handover flow between shifts.",
        "Log handover notes for the next shift and resolve the ones left for you.",
        "10 handovers touched, 4 resolved",
    ),
    def(
        "tempo_builder",
        "Tempo Builder",
        ("orbit", "cyan"),
        "Recognises steady contribution over the year.",
        "Contribute on many days and keep a run of consecutive days going.",
        "45 contribution days and a 7-day streak",
    ),
    def(
        "night_owl",
        "Night Owl",
        ("moon", "violet"),
        "Recognises night-shift execution.",
        "Complete items on night-shift checklists.",
        "36 night-shift actions across 6 runs",
    ),
    def(
        "first_light",
        "First Light",
        ("sunrise", "amber"),
        "Recognises morning-shift execution.",
        "Complete items on morning-shift checklists.",
        "36 morning-shift actions across 6 runs",
    ),
    def(
        "swing_captain",
        "Swing Captain",
        ("sun", "azure"),
        "Recognises afternoon-shift execution.",
        "Complete items on afternoon-shift checklists.",
        "36 afternoon-shift actions across 6 runs",
    ),
    def(
        "sync_catalyst",
        "Sync Catalyst",
        ("allies", "emerald"),
        "Recognises shared checklist work.",
        "Work checklists together with teammates.",
        "24 shared actions across 6 collaborative runs",
    ),
    def(
        "clockwork",
        "Clockwork",
        ("clock", "cyan"),
        "Recognises timed items started on cue.",
        "Start timed items within five minutes of their scheduled time.",
        "18 on-time timed starts and 85% discipline",
    ),
    def(
        "sentinel_prime",
        "Sentinel Prime",
        ("crown", "rose"),
        "Recognises balanced elite performance.",
        "Combine high points, a strong grade, clean runs and disciplined timing.",
        "2,800 points, grade 88, low overdue load, disciplined lateness",
    ),
];

/// A key as the claim call names it (trimmed, lower-cased), if it is one of the 11.
pub fn find(key: &str) -> Option<&'static BadgeDef> {
    let wanted = key.trim().to_lowercase();
    BADGES.iter().find(|b| b.key == wanted)
}

/// What the yearly metrics say about a badge.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BadgeState {
    pub unlocked_by_metrics: bool,
    /// 0–100 by the badge's formula, one decimal; not yet forced to 100 when earned.
    pub progress: f64,
}

/// The facts the badge rules read beyond the tally: the yearly grade and the current
/// count of overdue open tasks (no tasks yet: 0).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct YearFacts {
    pub metrics: WindowMetrics,
    pub grade: i64,
    pub overdue_open_tasks: i64,
}

fn lateness(late: i64, allowed: i64, per: f64) -> f64 {
    if late <= allowed { 100.0 } else { (100.0 - per * (late - allowed) as f64).max(0.0) }
}

/// The badge's unlock rule and progress formula.
pub fn evaluate(badge: &BadgeDef, facts: &YearFacts) -> BadgeState {
    let m = &facts.metrics;
    let t = &m.tally;
    // Tasks are out of scope: no tasks, no late tasks.
    let (tasks, task_on_time_rate, late_tasks, critical_tasks) = (0i64, 0.0f64, 0i64, 0i64);
    let late = late_tasks + t.late_events;
    let shift = |actions: i64, runs: i64| (runs >= 6 && actions >= 36, pct(runs, 6) * 0.45 + pct(actions, 36) * 0.55);
    let (unlocked, progress) = match badge.key {
        "flow_keeper" => (
            tasks >= 12 && task_on_time_rate >= 85.0 && late_tasks <= 2,
            pct(tasks, 12) * 0.45 + task_on_time_rate * 0.35 + lateness(late_tasks, 2, 18.0) * 0.20,
        ),
        "checklist_vanguard" => {
            (t.actions >= 90 && t.clean_checklists >= 6, pct(t.actions, 90) * 0.55 + pct(t.clean_checklists, 6) * 0.45)
        }
        "critical_shield" => {
            let critical = t.critical_items + critical_tasks;
            (critical >= 18, pct(critical, 18))
        }
        "relay_architect" => {
            let total = t.handovers_created + t.handovers_resolved;
            (total >= 10 && t.handovers_resolved >= 4, pct(total, 10) * 0.6 + pct(t.handovers_resolved, 4) * 0.4)
        }
        "tempo_builder" => (
            m.contribution_days >= 45 && m.longest_streak >= 7,
            pct(m.contribution_days, 45) * 0.65 + pct(m.longest_streak, 7) * 0.35,
        ),
        "night_owl" => shift(t.night_actions, t.night_runs),
        "first_light" => shift(t.morning_actions, t.morning_runs),
        "swing_captain" => shift(t.afternoon_actions, t.afternoon_runs),
        "sync_catalyst" => (
            t.collab_checklists >= 6 && t.collab_actions >= 24,
            pct(t.collab_checklists, 6) * 0.45 + pct(t.collab_actions, 24) * 0.55,
        ),
        "clockwork" => {
            let rate = super::metrics::percent(t.timed_on_time, t.timed_starts).unwrap_or(0.0);
            (t.timed_on_time >= 18 && rate >= 85.0, pct(t.timed_on_time, 18) * 0.55 + rate * 0.45)
        }
        "sentinel_prime" => {
            let points = m.command_points();
            (
                points >= 2800
                    && facts.grade >= 88
                    && facts.overdue_open_tasks <= 2
                    && late <= 3
                    && tasks >= 15
                    && t.clean_checklists >= 6,
                pct(points, 2800) * 0.40
                    + facts.grade.clamp(0, 100) as f64 * 0.25
                    + (if facts.overdue_open_tasks <= 2 {
                        100.0
                    } else {
                        (100.0 - 20.0 * facts.overdue_open_tasks as f64).max(0.0)
                    }) * 0.15
                    + lateness(late, 3, 12.0) * 0.20,
            )
        }
        _ => (false, 0.0),
    };
    BadgeState { unlocked_by_metrics: unlocked, progress: one_dp(progress.clamp(0.0, 100.0)) }
}

/// The progress shown: exactly 100.0 when earned, else the formula's value below 100.
pub fn shown_progress(state: &BadgeState, earned: bool) -> f64 {
    if earned { 100.0 } else { state.progress.min(99.9) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::DailyTally;
    use proptest::prelude::*;

    fn facts(tally: DailyTally) -> YearFacts {
        YearFacts { metrics: WindowMetrics { tally, ..WindowMetrics::default() }, ..YearFacts::default() }
    }

    fn state(key: &str, f: &YearFacts) -> BadgeState {
        find(key).map(|b| evaluate(b, f)).unwrap_or(BadgeState { unlocked_by_metrics: false, progress: -1.0 })
    }

    #[test]
    fn a_new_user_shows_the_original_floors() {
        let f = YearFacts::default();
        assert_eq!(state("flow_keeper", &f).progress, 20.0);
        assert_eq!(state("sentinel_prime", &f).progress, 35.0);
        assert_eq!(state("checklist_vanguard", &f).progress, 0.0);
        assert!(BADGES.iter().all(|b| !evaluate(b, &f).unlocked_by_metrics));
    }

    #[test]
    fn keys_are_found_trimmed_and_lower_cased() {
        assert_eq!(find("  Night_Owl ").map(|b| b.name), Some("Night Owl"));
        assert!(find("night owl").is_none());
        assert_eq!(BADGES.len(), 11);
    }

    #[test]
    fn shift_badges_need_both_runs_and_actions() {
        let f = facts(DailyTally { night_actions: 36, night_runs: 5, ..DailyTally::default() });
        // 5/6·100·0.45 + 100·0.55 = 92.5
        assert_eq!(state("night_owl", &f), BadgeState { unlocked_by_metrics: false, progress: 92.5 });
        let f = facts(DailyTally { night_actions: 36, night_runs: 6, ..DailyTally::default() });
        assert!(state("night_owl", &f).unlocked_by_metrics);
        assert!(!state("first_light", &f).unlocked_by_metrics);
    }

    proptest! {
        #[test]
        fn progress_is_100_exactly_when_earned(actions in 0i64..200, clean in 0i64..12, critical in 0i64..40,
                                               resolved in 0i64..10, created in 0i64..10, earned_by_claim in any::<bool>()) {
            let f = facts(DailyTally { actions, clean_checklists: clean, critical_items: critical,
                handovers_resolved: resolved, handovers_created: created, ..DailyTally::default() });
            for b in BADGES.iter() {
                let s = evaluate(b, &f);
                prop_assert!((0.0..=100.0).contains(&s.progress));
                let earned = s.unlocked_by_metrics || earned_by_claim;
                let shown = shown_progress(&s, earned);
                prop_assert_eq!(shown == 100.0, earned);
            }
        }
    }
}
