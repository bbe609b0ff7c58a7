//! Settlement: what a closed checklist pays, computed from its final state only, so an
//! item pays at most once however often it moved, and settling again gives the same
//! answer. An open checklist settles to nothing (a reopen takes everything back).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::ScoreKind;
use super::rules::{self, Refusal};
use super::weights::ScoringWeights;
use crate::checklist::{InstanceStatus, ItemStatus};

/// An item or subitem as it stands when its checklist settles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepFacts {
    pub id: Uuid,
    pub title: String,
    pub is_subitem: bool,
    pub status: ItemStatus,
    pub severity: i32,
    pub required: bool,
    pub started_by: Option<Uuid>,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_by: Option<Uuid>,
    pub completed_at: Option<DateTime<Utc>>,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub lead_minutes: Option<i32>,
    /// Who moved it to a skip or failure (not stamped on the row: from its action rows).
    pub reported_by: Option<Uuid>,
    /// A flag recorded with the completion (a burst); an early completion is also
    /// found from the times here.
    pub flag: Option<Refusal>,
}

/// A checklist as it stands when it settles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChecklistFacts {
    pub status: InstanceStatus,
    pub closed_by: Option<Uuid>,
    pub closed_at: Option<DateTime<Utc>>,
    pub shift_end: DateTime<Utc>,
    pub steps: Vec<StepFacts>,
    /// The people the roster put on this checklist's shift (issue 20): one of them who
    /// worked it staffed it.
    pub rostered: BTreeSet<Uuid>,
}

/// One thing a checklist pays a user, or refuses them and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Award {
    pub user: Uuid,
    pub kind: ScoreKind,
    /// The item or subitem; none for the checklist-wide awards.
    pub subject: Option<Uuid>,
    pub title: Option<String>,
    pub points: i32,
    pub quantity: i32,
    /// The rule's inputs (severity, required, minutes late, …) for `metadata`.
    pub inputs: Vec<(&'static str, i64)>,
    /// The cuts applied (`late`, `incomplete`).
    pub cuts: Vec<&'static str>,
    /// Set when the award is refused: then it pays 0 and counts 0.
    pub refusal: Option<Refusal>,
}

impl Award {
    fn paying(user: Uuid, kind: ScoreKind, points: i32, quantity: i32) -> Award {
        Award {
            user,
            kind,
            subject: None,
            title: None,
            points,
            quantity,
            inputs: Vec::new(),
            cuts: Vec::new(),
            refusal: None,
        }
    }

    fn about(self, step: &StepFacts) -> Award {
        Award { subject: Some(step.id), title: Some(step.title.clone()), ..self }
    }

    fn with(mut self, inputs: &[(&'static str, i64)]) -> Award {
        self.inputs.extend_from_slice(inputs);
        self
    }

    fn refused(self, refusal: Refusal) -> Award {
        Award { points: 0, quantity: 0, refusal: Some(refusal), ..self }
    }
}

/// The awards of a checklist from its final state, sorted by user, kind and subject.
pub fn settlement(facts: &ChecklistFacts, w: &ScoringWeights) -> Vec<Award> {
    if !facts.status.is_closed() {
        return Vec::new();
    }
    let mut awards = Vec::new();
    let mut acted: BTreeSet<Uuid> = BTreeSet::new();
    let mut actions: BTreeMap<Uuid, i32> = BTreeMap::new();
    for step in &facts.steps {
        let worker = match step.status {
            ItemStatus::Completed => step.completed_by,
            ItemStatus::Failed | ItemStatus::Skipped => step.reported_by.or(step.started_by),
            ItemStatus::Pending | ItemStatus::InProgress => None,
        };
        acted.extend(worker);
        acted.extend(step.started_by);
        let flag = flag_of(step);
        let action = matches!(step.status, ItemStatus::Completed | ItemStatus::Failed) && flag.is_none();
        if let Some(worker) = worker.filter(|_| action) {
            *actions.entry(worker).or_default() += 1;
        }
        awards.extend(step_awards(facts, step, worker, flag, w));
    }
    for user in &acted {
        awards.extend(checklist_awards(facts, *user, &acted, actions.get(user).copied().unwrap_or(0), w));
    }
    awards.sort_by_key(|a| (a.user, a.kind, a.subject));
    awards
}

/// Why a completion is flagged (recorded when it happened, or early by its times).
fn flag_of(step: &StepFacts) -> Option<Refusal> {
    let early = match (step.status, step.completed_at) {
        (ItemStatus::Completed, Some(at)) => {
            rules::not_early(&step.title, at, step.scheduled_at, step.lead_minutes).err()
        }
        _ => None,
    };
    step.flag.clone().filter(|f| f.rule.flags_completion()).or(early)
}

/// What one step pays (or refuses): its completion or failure, its critical bonus, its
/// timed start; nothing at all when it is flagged.
fn step_awards(
    facts: &ChecklistFacts,
    step: &StepFacts,
    worker: Option<Uuid>,
    flag: Option<Refusal>,
    w: &ScoringWeights,
) -> Vec<Award> {
    let kind = if step.is_subitem { ScoreKind::Subitem } else { ScoreKind::Item };
    let severity = i64::from(step.severity);
    let mut out = Vec::new();
    let cut = |a: Award| {
        let (points, cuts) = rules::after_cuts(a.points, step.completed_at, facts.shift_end, facts.status, w);
        Award { points, cuts, ..a }
    };
    match (step.status, worker) {
        (ItemStatus::Completed, Some(user)) => {
            let points = w.step_points(step.is_subitem, step.severity, step.required);
            let inputs = [("severity", severity), ("required", i64::from(step.required))];
            out.push(cut(Award::paying(user, kind, points, 1).about(step).with(&inputs)));
            if !step.is_subitem && w.is_critical(step.severity) {
                let bonus = Award::paying(user, ScoreKind::CriticalItem, w.critical_item, 1).about(step);
                out.push(cut(bonus.with(&[("severity", severity)])));
            }
        }
        (ItemStatus::Failed, Some(user)) => {
            let award = Award::paying(user, ScoreKind::FailureReported, w.failure_points(step.severity), 1);
            out.push(cut(award.about(step).with(&[("severity", severity)])));
        }
        (ItemStatus::Skipped, Some(user)) => {
            out.push(Award::paying(user, kind, 0, 0).about(step).refused(rules::skip(&step.title)));
        }
        _ => {}
    }
    if let (Some(scheduled_at), Some(started_at), Some(user)) = (step.scheduled_at, step.started_at, step.started_by) {
        let (on_time, points, late) = rules::timed_start(scheduled_at, started_at, w);
        let kind = if on_time { ScoreKind::TimedStartOnTime } else { ScoreKind::TimedStartLate };
        out.push(Award::paying(user, kind, points, 1).about(step).with(&[("minutes_late", late)]));
    }
    out.into_iter()
        .map(|a| match (&flag, a.refusal.is_some()) {
            (Some(flag), false) => a.refused(flag.clone()),
            _ => a,
        })
        .map(|a| match rules::not_self_sign_off(&step.title, a.user, facts.closed_by) {
            Err(refusal) if a.refusal.is_none() => a.refused(refusal),
            _ => a,
        })
        .collect()
}

/// What the checklist as a whole pays one user who acted in it.
fn checklist_awards(
    facts: &ChecklistFacts,
    user: Uuid,
    acted: &BTreeSet<Uuid>,
    actions: i32,
    w: &ScoringWeights,
) -> Vec<Award> {
    if let Err(refusal) = rules::not_self_sign_off("this checklist", user, facts.closed_by) {
        return vec![Award::paying(user, ScoreKind::ChecklistRun, 0, 0).refused(refusal)];
    }
    let mut out = vec![Award::paying(user, ScoreKind::ChecklistRun, 0, 1)];
    let signed = matches!(facts.status, InstanceStatus::Completed | InstanceStatus::CompletedWithExceptions);
    if signed && facts.closed_at.is_some_and(|at| at <= facts.shift_end) {
        out.push(Award::paying(user, ScoreKind::ChecklistOnTime, w.checklist_on_time, 1));
    }
    let clean = facts.status == InstanceStatus::Completed
        && facts.steps.iter().all(|s| !s.status.is_exception())
        && facts.steps.iter().filter(|s| !s.is_subitem && s.required).all(|s| s.status == ItemStatus::Completed);
    if clean {
        out.push(Award::paying(user, ScoreKind::ChecklistClean, w.checklist_clean, 1));
    }
    if facts.rostered.contains(&user) {
        // A rostered shift worked: cut like the items when the checklist ended INCOMPLETE.
        let (points, cuts) = rules::after_cuts(w.shift_staffed, None, facts.shift_end, facts.status, w);
        out.push(Award { cuts, ..Award::paying(user, ScoreKind::ShiftStaffed, points, 1) });
    }
    if acted.len() > 1 {
        let people = i64::try_from(acted.len()).unwrap_or(i64::MAX);
        out.push(Award::paying(user, ScoreKind::Collaboration, w.collaboration, 1).with(&[("people", people)]));
        if actions > 0 {
            let points = w.collaborative_action.saturating_mul(actions);
            out.push(Award::paying(user, ScoreKind::CollaborativeActions, points, actions));
        }
    }
    out
}

#[cfg(test)]
#[path = "settlement_tests.rs"]
mod tests;
