use chrono::{Duration, TimeZone};
use proptest::prelude::*;

use super::*;
use crate::scoring::rules::RefusalRule;

fn t(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 7, 0, 0).single().unwrap_or_default() + Duration::minutes(minutes)
}

fn user(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn step(n: u128, status: ItemStatus, by: u128, severity: i32, required: bool) -> StepFacts {
    let worker = Some(user(by));
    StepFacts {
        id: Uuid::from_u128(1000 + n),
        title: format!("step {n}"),
        is_subitem: false,
        status,
        severity,
        required,
        started_by: None,
        started_at: None,
        completed_by: worker.filter(|_| status == ItemStatus::Completed),
        completed_at: Some(t(60)).filter(|_| status == ItemStatus::Completed),
        scheduled_at: None,
        lead_minutes: None,
        reported_by: worker.filter(|_| status.is_exception()),
        flag: None,
    }
}

fn closed(status: InstanceStatus, closed_by: u128, steps: Vec<StepFacts>) -> ChecklistFacts {
    ChecklistFacts {
        status,
        closed_by: Some(user(closed_by)),
        closed_at: Some(t(400)),
        shift_end: t(480),
        steps,
        rostered: BTreeSet::new(),
    }
}

fn total(awards: &[Award], who: u128) -> i32 {
    awards.iter().filter(|a| a.user == user(who)).map(|a| a.points).sum()
}

#[test]
fn a_shift_pays_each_person_by_the_table() {
    let mut timed = step(3, ItemStatus::Completed, 2, 2, false);
    timed.scheduled_at = Some(t(30));
    timed.started_at = Some(t(45));
    timed.started_by = Some(user(2));
    let facts = closed(
        InstanceStatus::CompletedWithExceptions,
        9,
        vec![
            step(1, ItemStatus::Completed, 1, 4, true),
            step(2, ItemStatus::Failed, 1, 3, true),
            timed,
            step(4, ItemStatus::Skipped, 2, 5, false),
        ],
    );
    let awards = settlement(&facts, &ScoringWeights::default());
    // User 1: item 22 + critical 10 + failure 7 + on time 14 + collaboration 8 + 2 actions × 2.
    assert_eq!(total(&awards, 1), 22 + 10 + 7 + 14 + 8 + 4);
    // User 2: item 11, start 15 min late −2, on time 14, collaboration 8, 1 action × 2.
    assert_eq!(total(&awards, 2), 11 - 2 + 14 + 8 + 2);
    let skip = awards.iter().find(|a| a.subject == Some(Uuid::from_u128(1004))).map(|a| a.refusal.clone());
    assert_eq!(skip.flatten().map(|r| r.rule), Some(RefusalRule::Skipped));
    assert_eq!(total(&awards, 9), 0);
}

#[test]
fn a_clean_checklist_pays_its_bonus_and_an_open_one_settles_to_nothing() {
    let steps = vec![step(1, ItemStatus::Completed, 1, 1, true)];
    let awards = settlement(&closed(InstanceStatus::Completed, 9, steps.clone()), &ScoringWeights::default());
    assert_eq!(total(&awards, 1), 8 + 2 + 14 + 18);
    assert!(settlement(&closed(InstanceStatus::InProgress, 9, steps), &ScoringWeights::default()).is_empty());
}

#[test]
fn an_incomplete_or_late_checklist_cuts_item_points() {
    let mut late = step(1, ItemStatus::Completed, 1, 1, false);
    late.completed_at = Some(t(500));
    let facts = ChecklistFacts {
        closed_by: None,
        closed_at: Some(t(600)),
        ..closed(InstanceStatus::Incomplete, 9, vec![late])
    };
    let awards = settlement(&facts, &ScoringWeights::default());
    // 8 → 4 (late) → 2 (incomplete); not on time, not clean, nobody else.
    assert_eq!(total(&awards, 1), 2);
}

#[test]
fn a_rostered_worker_is_paid_for_staffing_the_shift_and_an_absent_one_is_not() {
    let mut facts = closed(InstanceStatus::Completed, 9, vec![step(1, ItemStatus::Completed, 1, 1, false)]);
    // 1 worked the shift, 2 was rostered and never came, 3 worked without being rostered.
    facts.steps.push(step(2, ItemStatus::Completed, 3, 1, false));
    facts.rostered = [user(1), user(2)].into_iter().collect();
    let w = ScoringWeights::default();
    let staffed = |facts: &ChecklistFacts| -> Vec<(Uuid, i32)> {
        settlement(facts, &w).iter().filter(|a| a.kind == ScoreKind::ShiftStaffed).map(|a| (a.user, a.points)).collect()
    };
    assert_eq!(staffed(&facts), vec![(user(1), w.shift_staffed)]);
    let incomplete = ChecklistFacts { closed_by: None, ..closed(InstanceStatus::Incomplete, 9, facts.steps.clone()) };
    let incomplete = ChecklistFacts { rostered: facts.rostered.clone(), ..incomplete };
    assert_eq!(
        staffed(&incomplete),
        vec![(user(1), crate::scoring::weights::percent_of(w.shift_staffed, w.incomplete_percent))]
    );
}

#[test]
fn the_sign_off_actor_is_refused_and_told_why() {
    let facts = closed(InstanceStatus::Completed, 1, vec![step(1, ItemStatus::Completed, 1, 2, false)]);
    let awards = settlement(&facts, &ScoringWeights::default());
    assert_eq!(total(&awards, 1), 0);
    assert!(awards.iter().all(|a| a.refusal.as_ref().map(|r| r.rule) == Some(RefusalRule::SelfSignOff)));
}

#[test]
fn an_early_timed_item_pays_nothing_at_all() {
    let mut early = step(1, ItemStatus::Completed, 1, 4, false);
    early.scheduled_at = Some(t(120));
    early.started_at = Some(t(60));
    early.started_by = Some(user(1));
    let awards = settlement(&closed(InstanceStatus::Completed, 9, vec![early]), &ScoringWeights::default());
    let refused: Vec<_> = awards.iter().filter(|a| a.subject.is_some()).collect();
    assert_eq!(refused.len(), 3);
    assert!(refused.iter().all(|a| a.points == 0 && a.refusal.as_ref().map(|r| r.rule) == Some(RefusalRule::Early)));
}

fn any_status() -> impl Strategy<Value = ItemStatus> {
    prop::sample::select(ItemStatus::ALL.to_vec())
}

fn any_outcome() -> impl Strategy<Value = InstanceStatus> {
    prop::sample::select(InstanceStatus::ALL.to_vec())
}

fn any_step() -> impl Strategy<Value = StepFacts> {
    (
        (0u128..1_000_000, any_status(), 1u128..4, 0i32..6, any::<bool>(), any::<bool>()),
        (prop::option::of(0i64..600), prop::option::of(0i64..600), prop::option::of(0i32..60), any::<bool>()),
    )
        .prop_map(|((n, status, by, severity, required, sub), (sched, done, lead, burst))| {
            let mut s = step(n, status, by, severity, required);
            s.is_subitem = sub;
            s.scheduled_at = sched.map(t);
            s.started_at = sched.map(|m| t(m + 7));
            s.started_by = sched.map(|_| user(by));
            if status == ItemStatus::Completed {
                s.completed_at = done.map(t).or(Some(t(100)));
            }
            s.lead_minutes = lead;
            s.flag = burst.then(|| Refusal { rule: RefusalRule::Burst, sentence: "burst".into() });
            s
        })
}

fn any_checklist() -> impl Strategy<Value = ChecklistFacts> {
    let rostered = prop::collection::btree_set((1u128..6).prop_map(user), 0..4);
    (any_outcome(), 1u128..5, prop::collection::vec(any_step(), 0..12), rostered).prop_map(
        |(status, closer, steps, rostered)| ChecklistFacts {
            status,
            closed_by: Some(user(closer)),
            closed_at: Some(t(450)),
            shift_end: t(480),
            steps,
            rostered,
        },
    )
}

proptest! {
    #[test]
    fn only_late_starts_are_negative(facts in any_checklist()) {
        for a in settlement(&facts, &ScoringWeights::default()) {
            prop_assert!(a.points >= 0 || a.kind == ScoreKind::TimedStartLate);
        }
    }

    #[test]
    fn a_flagged_step_never_pays(facts in any_checklist()) {
        let flagged: BTreeSet<Uuid> = facts.steps.iter().filter(|s| s.flag.is_some()).map(|s| s.id).collect();
        for a in settlement(&facts, &ScoringWeights::default()) {
            if a.subject.is_some_and(|s| flagged.contains(&s)) {
                prop_assert_eq!((a.points, a.quantity), (0, 0));
            }
        }
    }

    #[test]
    fn the_sign_off_actor_is_never_paid(facts in any_checklist()) {
        for a in settlement(&facts, &ScoringWeights::default()) {
            if Some(a.user) == facts.closed_by {
                prop_assert_eq!((a.points, a.quantity), (0, 0));
            }
        }
    }

    #[test]
    fn only_rostered_people_who_worked_are_paid_for_staffing(facts in any_checklist()) {
        let worked: BTreeSet<Uuid> =
            facts.steps.iter().flat_map(|s| [s.started_by, s.completed_by, s.reported_by]).flatten().collect();
        for a in settlement(&facts, &ScoringWeights::default()).into_iter().filter(|a| a.kind == ScoreKind::ShiftStaffed) {
            prop_assert!(facts.rostered.contains(&a.user) && worked.contains(&a.user));
            prop_assert!(Some(a.user) != facts.closed_by);
        }
    }

    #[test]
    fn the_order_of_the_steps_does_not_matter(facts in any_checklist()) {
        let w = ScoringWeights::default();
        let mut reversed = facts.clone();
        reversed.steps.reverse();
        prop_assert_eq!(settlement(&facts, &w), settlement(&reversed, &w));
    }

    #[test]
    fn settling_twice_is_settling_once(facts in any_checklist()) {
        let w = ScoringWeights::default();
        prop_assert_eq!(settlement(&facts, &w), settlement(&facts, &w));
    }

    #[test]
    fn a_step_pays_at_most_once_per_kind(facts in any_checklist()) {
        let mut seen = BTreeSet::new();
        for a in settlement(&facts, &ScoringWeights::default()).into_iter().filter(|a| a.subject.is_some()) {
            prop_assert!(seen.insert((a.user, a.kind, a.subject)));
        }
    }
}
