//! One unit of checklist work (an item or a subitem) and the one rule for changing it:
//! the transition policy decides whether a change is allowed, and `apply` stamps who
//! started and completed it, why it was skipped or failed, and the supervisor's verdict.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::checklist::{ItemStatus, TransitionError, TransitionPolicy};
use crate::role::Role;

/// Who makes a change: a signed-in user (id and role) or the system (neither).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Worker {
    pub id: Option<Uuid>,
    pub role: Option<Role>,
}

/// The state of an item or subitem that changes when someone works it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub status: ItemStatus,
    pub started_by: Option<Uuid>,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_by: Option<Uuid>,
    pub completed_at: Option<DateTime<Utc>>,
    pub skipped_reason: Option<String>,
    pub failure_reason: Option<String>,
    /// The supervisor's final word on an item (subitems never carry one).
    pub final_verdict: Option<String>,
    pub final_verdict_by: Option<Uuid>,
    pub final_verdict_at: Option<DateTime<Utc>>,
    /// Optimistic-locking counter: every applied change adds one.
    pub version: i32,
}

/// What a change asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepChange<'a> {
    pub to: ItemStatus,
    /// Why it is skipped or failed (the policy may require one).
    pub reason: Option<&'a str>,
    /// A final verdict to record with the change (items only).
    pub verdict: Option<&'a str>,
}

impl Step {
    /// A step nobody has worked yet: PENDING, nothing stamped, version 1.
    pub fn pending() -> Step {
        Step {
            status: ItemStatus::Pending,
            started_by: None,
            started_at: None,
            completed_by: None,
            completed_at: None,
            skipped_reason: None,
            failure_reason: None,
            final_verdict: None,
            final_verdict_by: None,
            final_verdict_at: None,
            version: 1,
        }
    }

    /// The step after `change` by `worker` at `now`, or why the policy refuses it (the
    /// step itself is never modified). Starting stamps once, on the first move away
    /// from PENDING; completion stamps when the change reaches COMPLETED; a skip or
    /// failure keeps its reason; a verdict is stamped with who and when.
    pub fn apply(
        &self,
        policy: &TransitionPolicy,
        change: StepChange<'_>,
        worker: Worker,
        now: DateTime<Utc>,
    ) -> Result<Step, TransitionError> {
        policy.check(self.status.as_str(), change.to.as_str(), worker.role, change.reason)?;
        let mut next = self.clone();
        next.status = change.to;
        if change.to != ItemStatus::Pending && next.started_at.is_none() {
            next.started_at = Some(now);
            next.started_by = worker.id;
        }
        match change.to {
            ItemStatus::Completed => {
                next.completed_by = worker.id;
                next.completed_at = Some(now);
            }
            ItemStatus::Skipped => next.skipped_reason = change.reason.map(str::to_owned),
            ItemStatus::Failed => next.failure_reason = change.reason.map(str::to_owned),
            ItemStatus::Pending | ItemStatus::InProgress => {}
        }
        if let Some(text) = change.verdict {
            next.final_verdict = Some(text.to_owned());
            next.final_verdict_by = worker.id;
            next.final_verdict_at = Some(now);
        }
        next.version = self.version.saturating_add(1);
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};
    use proptest::prelude::*;

    use super::*;
    use crate::checklist::default_item_policy;

    fn t(minutes: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, 7, 0, 0).single().unwrap_or_default() + Duration::minutes(minutes)
    }

    #[test]
    #[allow(clippy::unwrap_used)] // a test: a refusal here is the failure
    fn a_skip_keeps_its_reason_and_a_completion_after_it_stamps_once() {
        let policy = default_item_policy();
        let ada = Worker { id: Some(Uuid::from_u128(1)), role: Some(Role::User) };
        let skip = StepChange { to: ItemStatus::Skipped, reason: Some("vendor down"), verdict: None };
        let skipped = Step::pending().apply(&policy, skip, ada, t(1)).unwrap();
        assert_eq!(skipped.skipped_reason.as_deref(), Some("vendor down"));
        assert_eq!((skipped.started_at, skipped.completed_at, skipped.version), (Some(t(1)), None, 2));
        let done = StepChange { to: ItemStatus::Completed, reason: None, verdict: Some("fixed") };
        let completed = skipped.apply(&policy, done, ada, t(5)).unwrap();
        assert_eq!((completed.started_at, completed.completed_at), (Some(t(1)), Some(t(5))));
        assert_eq!(
            (completed.final_verdict.as_deref(), completed.final_verdict_by, completed.final_verdict_at),
            (Some("fixed"), ada.id, Some(t(5)))
        );
        let refused = StepChange { to: ItemStatus::Skipped, reason: None, verdict: None };
        assert!(matches!(
            Step::pending().apply(&policy, refused, ada, t(1)),
            Err(TransitionError::ReasonRequired { .. })
        ));
    }

    fn status() -> impl Strategy<Value = ItemStatus> {
        prop::sample::select(ItemStatus::ALL.to_vec())
    }

    proptest! {
        /// Random change sequences: a refused change leaves the step as it was; an
        /// applied one adds one to the version; stamps never move back or vanish;
        /// completion is stamped exactly when a change reaches COMPLETED.
        #[test]
        fn applied_changes_keep_the_step_invariants(
            ops in prop::collection::vec((status(), any::<bool>(), any::<bool>(), 0i64..30), 0..40),
        ) {
            let policy = default_item_policy();
            let worker = Worker { id: Some(Uuid::from_u128(7)), role: Some(Role::User) };
            let mut step = Step::pending();
            let mut now = t(0);
            for (to, with_reason, with_verdict, later) in ops {
                now += Duration::minutes(later);
                let change = StepChange {
                    to,
                    reason: with_reason.then_some("because"),
                    verdict: with_verdict.then_some("checked"),
                };
                let before = step.clone();
                match step.apply(&policy, change, worker, now) {
                    Err(_) => prop_assert_eq!(&step, &before),
                    Ok(next) => {
                        prop_assert_eq!(next.status, to);
                        prop_assert_eq!(next.version, before.version + 1);
                        if before.started_at.is_some() {
                            prop_assert_eq!(next.started_at, before.started_at, "started once");
                        }
                        if to != ItemStatus::Pending {
                            prop_assert!(next.started_at.is_some());
                        }
                        if to == ItemStatus::Completed {
                            prop_assert_eq!(next.completed_at, Some(now));
                        } else {
                            prop_assert_eq!(next.completed_at, before.completed_at);
                        }
                        for (a, b) in [(before.started_at, next.started_at), (before.completed_at, next.completed_at)] {
                            if let (Some(a), Some(b)) = (a, b) {
                                prop_assert!(b >= a, "stamps never go backwards");
                            }
                        }
                        step = next;
                    }
                }
            }
        }
    }
}
