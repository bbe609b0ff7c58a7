//! The checklist state machines: item and subitem statuses under a transition policy
//! (loaded from `state_transition_rules`), and the instance lifecycle derived from
//! the items.

use serde::{Deserialize, Serialize};

use crate::role::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ItemStatus {
    Pending,
    InProgress,
    Completed,
    Skipped,
    Failed,
}

impl ItemStatus {
    pub const ALL: [ItemStatus; 5] =
        [ItemStatus::Pending, ItemStatus::InProgress, ItemStatus::Completed, ItemStatus::Skipped, ItemStatus::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            ItemStatus::Pending => "PENDING",
            ItemStatus::InProgress => "IN_PROGRESS",
            ItemStatus::Completed => "COMPLETED",
            ItemStatus::Skipped => "SKIPPED",
            ItemStatus::Failed => "FAILED",
        }
    }

    /// Not yet actioned: what reminders and overdue checks look at.
    pub const OPEN: [ItemStatus; 2] = [ItemStatus::Pending, ItemStatus::InProgress];

    pub fn parse(name: &str) -> Option<ItemStatus> {
        ItemStatus::ALL.into_iter().find(|s| s.as_str().eq_ignore_ascii_case(name.trim()))
    }

    /// Completed, skipped or failed: someone acted on it.
    pub fn is_actioned(self) -> bool {
        matches!(self, ItemStatus::Completed | ItemStatus::Skipped | ItemStatus::Failed)
    }

    /// Skipped or failed: an exception on the record.
    pub fn is_exception(self) -> bool {
        matches!(self, ItemStatus::Skipped | ItemStatus::Failed)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum InstanceStatus {
    Open,
    InProgress,
    PendingReview,
    Completed,
    CompletedWithExceptions,
    Incomplete,
}

impl InstanceStatus {
    pub const ALL: [InstanceStatus; 6] = [
        InstanceStatus::Open,
        InstanceStatus::InProgress,
        InstanceStatus::PendingReview,
        InstanceStatus::Completed,
        InstanceStatus::CompletedWithExceptions,
        InstanceStatus::Incomplete,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InstanceStatus::Open => "OPEN",
            InstanceStatus::InProgress => "IN_PROGRESS",
            InstanceStatus::PendingReview => "PENDING_REVIEW",
            InstanceStatus::Completed => "COMPLETED",
            InstanceStatus::CompletedWithExceptions => "COMPLETED_WITH_EXCEPTIONS",
            InstanceStatus::Incomplete => "INCOMPLETE",
        }
    }

    /// Not closed: still worked, reviewed or waiting for sign-off.
    pub const OPEN: [InstanceStatus; 3] =
        [InstanceStatus::Open, InstanceStatus::InProgress, InstanceStatus::PendingReview];

    pub fn parse(name: &str) -> Option<InstanceStatus> {
        InstanceStatus::ALL.into_iter().find(|s| s.as_str().eq_ignore_ascii_case(name.trim()))
    }

    /// Signed off, force-closed or closed by the stale-shift job: items are frozen.
    pub fn is_closed(self) -> bool {
        matches!(self, InstanceStatus::Completed | InstanceStatus::CompletedWithExceptions | InstanceStatus::Incomplete)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ItemType {
    Routine,
    Timed,
    ScheduledEvent,
    Conditional,
    Informational,
}

impl ItemType {
    pub const ALL: [ItemType; 5] =
        [ItemType::Routine, ItemType::Timed, ItemType::ScheduledEvent, ItemType::Conditional, ItemType::Informational];

    pub fn as_str(self) -> &'static str {
        match self {
            ItemType::Routine => "ROUTINE",
            ItemType::Timed => "TIMED",
            ItemType::ScheduledEvent => "SCHEDULED_EVENT",
            ItemType::Conditional => "CONDITIONAL",
            ItemType::Informational => "INFORMATIONAL",
        }
    }

    /// "Routine", "Timed", "Scheduled event", "Conditional", "Informational".
    pub fn label(self) -> &'static str {
        match self {
            ItemType::Routine => "Routine",
            ItemType::Timed => "Timed",
            ItemType::ScheduledEvent => "Scheduled event",
            ItemType::Conditional => "Conditional",
            ItemType::Informational => "Informational",
        }
    }

    pub fn parse(name: &str) -> Option<ItemType> {
        ItemType::ALL.into_iter().find(|s| s.as_str().eq_ignore_ascii_case(name.trim()))
    }
}

crate::named::named!(ItemStatus, InstanceStatus, ItemType);

/// One allowed transition, as stored in `state_transition_rules`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionRule {
    pub from: String,
    pub to: String,
    pub requires_reason: bool,
    /// `None`: any role; `Some(roles)`: only these (role names, or "system").
    pub allowed_roles: Option<Vec<String>>,
}

/// Why a transition is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransitionError {
    /// No rule allows `from → to`.
    NotAllowed { from: String, to: String },
    /// The rule needs a non-empty reason.
    ReasonRequired { to: String },
    /// The rule is restricted to other roles.
    RoleNotAllowed { from: String, to: String },
}

impl std::fmt::Display for TransitionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TransitionError::NotAllowed { from, to } if from == to => write!(f, "Status is already {to}"),
            TransitionError::NotAllowed { from, to } => write!(f, "Invalid transition from {from} to {to}"),
            TransitionError::ReasonRequired { to } => write!(f, "A reason is required to mark this {to}"),
            TransitionError::RoleNotAllowed { from, to } => {
                write!(f, "Your role may not change the status from {from} to {to}")
            }
        }
    }
}

/// The transitions of one entity type.
#[derive(Debug, Clone, Default)]
pub struct TransitionPolicy {
    rules: Vec<TransitionRule>,
}

impl TransitionPolicy {
    pub fn new(rules: Vec<TransitionRule>) -> Self {
        TransitionPolicy { rules }
    }

    pub fn rules(&self) -> &[TransitionRule] {
        &self.rules
    }

    /// Checks `from → to` for a role (`None` for the system) with an optional reason.
    pub fn check(&self, from: &str, to: &str, role: Option<Role>, reason: Option<&str>) -> Result<(), TransitionError> {
        let Some(rule) = self.rules.iter().find(|r| r.from == from && r.to == to) else {
            return Err(TransitionError::NotAllowed { from: from.to_owned(), to: to.to_owned() });
        };
        if let Some(roles) = &rule.allowed_roles {
            let name = role.map_or("system", Role::as_str);
            if !roles.iter().any(|r| r == name) {
                return Err(TransitionError::RoleNotAllowed { from: from.to_owned(), to: to.to_owned() });
            }
        }
        if rule.requires_reason && reason.is_none_or(|r| r.trim().is_empty()) {
            return Err(TransitionError::ReasonRequired { to: to.to_owned() });
        }
        Ok(())
    }

    pub fn allows(&self, from: &str, to: &str) -> bool {
        self.rules.iter().any(|r| r.from == from && r.to == to)
    }
}

/// The working status of an open checklist from its items: every item actioned →
/// PENDING_REVIEW; anything started or actioned → IN_PROGRESS; otherwise OPEN.
pub fn progress_status(items: &[ItemStatus]) -> InstanceStatus {
    if !items.is_empty() && items.iter().all(|s| s.is_actioned()) {
        InstanceStatus::PendingReview
    } else if items.iter().any(|s| *s != ItemStatus::Pending) {
        InstanceStatus::InProgress
    } else {
        InstanceStatus::Open
    }
}

/// The sign-off outcome from the evidence: any skipped or failed item or subitem, or
/// any item not completed, means COMPLETED_WITH_EXCEPTIONS.
pub fn sign_off_outcome(items: &[ItemStatus], subitems: &[ItemStatus]) -> InstanceStatus {
    let clean = items.iter().all(|s| *s == ItemStatus::Completed) && !subitems.iter().any(|s| s.is_exception());
    if clean { InstanceStatus::Completed } else { InstanceStatus::CompletedWithExceptions }
}

/// Completed items over all items, in percent with two decimals (items only, as the original).
pub fn completion_percentage(items: &[ItemStatus]) -> f64 {
    if items.is_empty() {
        return 0.0;
    }
    let completed = items.iter().filter(|s| **s == ItemStatus::Completed).count() as f64;
    (completed * 10_000.0 / items.len() as f64).round() / 100.0
}

/// The roll-up of an item's subitems (`None` when it has none).
pub fn subitems_status(subitems: &[ItemStatus]) -> Option<&'static str> {
    if subitems.is_empty() {
        return None;
    }
    Some(if subitems.iter().all(|s| *s == ItemStatus::Completed) {
        "COMPLETED"
    } else if subitems.iter().all(|s| s.is_actioned()) {
        "COMPLETED_WITH_EXCEPTIONS"
    } else if subitems.iter().any(|s| *s != ItemStatus::Pending) {
        "IN_PROGRESS"
    } else {
        "PENDING"
    })
}

/// The item policy of decisions.md §4, as seeded into `state_transition_rules`
/// (used by tests and as the reference the seed must match).
pub fn default_item_policy() -> TransitionPolicy {
    use ItemStatus::*;
    let rule = |from: ItemStatus, to: ItemStatus| TransitionRule {
        from: from.as_str().to_owned(),
        to: to.as_str().to_owned(),
        requires_reason: matches!(to, Skipped | Failed),
        allowed_roles: None,
    };
    TransitionPolicy::new(vec![
        rule(Pending, InProgress),
        rule(Pending, Completed),
        rule(Pending, Skipped),
        rule(Pending, Failed),
        rule(InProgress, Completed),
        rule(InProgress, Skipped),
        rule(InProgress, Failed),
        rule(Skipped, Completed),
        rule(Failed, Completed),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_item_policy_allows_exactly_the_decided_transitions() {
        let policy = default_item_policy();
        let allowed: Vec<(ItemStatus, ItemStatus)> = ItemStatus::ALL
            .into_iter()
            .flat_map(|f| ItemStatus::ALL.into_iter().map(move |t| (f, t)))
            .filter(|(f, t)| policy.allows(f.as_str(), t.as_str()))
            .collect();
        assert_eq!(allowed.len(), 9);
        assert!(policy.check("COMPLETED", "PENDING", Some(Role::Admin), None).is_err());
        assert_eq!(
            policy.check("PENDING", "SKIPPED", Some(Role::User), Some("  ")),
            Err(TransitionError::ReasonRequired { to: "SKIPPED".into() })
        );
        assert!(policy.check("PENDING", "SKIPPED", Some(Role::User), Some("vendor down")).is_ok());
        assert!(policy.check("FAILED", "COMPLETED", Some(Role::User), None).is_ok());
    }

    #[test]
    fn restricted_rules_check_the_role() {
        let policy = TransitionPolicy::new(vec![TransitionRule {
            from: "PENDING_REVIEW".into(),
            to: "COMPLETED".into(),
            requires_reason: false,
            allowed_roles: Some(vec!["admin".into(), "manager".into()]),
        }]);
        assert!(policy.check("PENDING_REVIEW", "COMPLETED", Some(Role::Manager), None).is_ok());
        assert!(matches!(
            policy.check("PENDING_REVIEW", "COMPLETED", Some(Role::User), None),
            Err(TransitionError::RoleNotAllowed { .. })
        ));
    }

    #[test]
    fn lifecycle_and_outcome_follow_the_evidence() {
        use ItemStatus::*;
        assert_eq!(progress_status(&[]), InstanceStatus::Open);
        assert_eq!(progress_status(&[Pending, Pending]), InstanceStatus::Open);
        assert_eq!(progress_status(&[InProgress, Pending]), InstanceStatus::InProgress);
        assert_eq!(progress_status(&[Completed, Skipped, Failed]), InstanceStatus::PendingReview);
        assert_eq!(sign_off_outcome(&[Completed, Completed], &[Completed]), InstanceStatus::Completed);
        assert_eq!(sign_off_outcome(&[Completed, Completed], &[Skipped]), InstanceStatus::CompletedWithExceptions);
        assert_eq!(sign_off_outcome(&[Completed, Failed], &[]), InstanceStatus::CompletedWithExceptions);
        assert_eq!(completion_percentage(&[Completed, Skipped, Failed]), 33.33);
        assert_eq!(subitems_status(&[Completed, Skipped]), Some("COMPLETED_WITH_EXCEPTIONS"));
        assert_eq!(subitems_status(&[]), None);
    }

    fn status() -> impl Strategy<Value = ItemStatus> {
        prop::sample::select(ItemStatus::ALL.to_vec())
    }

    proptest! {
        /// Random operation sequences on a checklist: only allowed transitions apply;
        /// COMPLETED stays terminal; the instance never moves backwards; PENDING_REVIEW
        /// holds exactly when every item is actioned.
        #[test]
        fn random_operations_keep_the_invariants(
            n in 1usize..8,
            ops in prop::collection::vec((0usize..8, status(), any::<bool>()), 0..60),
        ) {
            let policy = default_item_policy();
            let mut items = vec![ItemStatus::Pending; n];
            let mut instance = InstanceStatus::Open;
            let rank = |s: InstanceStatus| match s {
                InstanceStatus::Open => 0,
                InstanceStatus::InProgress => 1,
                _ => 2,
            };
            for (index, target, with_reason) in ops {
                let Some(current) = items.get(index % n).copied() else { continue };
                let reason = with_reason.then_some("because");
                let result = policy.check(current.as_str(), target.as_str(), Some(Role::User), reason);
                if current == ItemStatus::Completed {
                    prop_assert!(result.is_err(), "COMPLETED is terminal");
                }
                if result.is_ok() {
                    if let Some(slot) = items.get_mut(index % n) {
                        *slot = target;
                    }
                    let next = progress_status(&items);
                    prop_assert!(rank(next) >= rank(instance), "{instance:?} -> {next:?}");
                    instance = next;
                }
                prop_assert_eq!(instance == InstanceStatus::PendingReview, items.iter().all(|s| s.is_actioned()));
            }
        }
    }
}
