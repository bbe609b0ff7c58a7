//! What a checklist activity row records: the action someone took on an item.

use crate::checklist::ItemStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActivityAction {
    Started,
    Completed,
    Commented,
    Acknowledged,
    Skipped,
    Escalated,
    Updated,
    Verdict,
}

impl ActivityAction {
    pub const ALL: [ActivityAction; 8] = [
        ActivityAction::Started,
        ActivityAction::Completed,
        ActivityAction::Commented,
        ActivityAction::Acknowledged,
        ActivityAction::Skipped,
        ActivityAction::Escalated,
        ActivityAction::Updated,
        ActivityAction::Verdict,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActivityAction::Started => "STARTED",
            ActivityAction::Completed => "COMPLETED",
            ActivityAction::Commented => "COMMENTED",
            ActivityAction::Acknowledged => "ACKNOWLEDGED",
            ActivityAction::Skipped => "SKIPPED",
            ActivityAction::Escalated => "ESCALATED",
            ActivityAction::Updated => "UPDATED",
            ActivityAction::Verdict => "VERDICT",
        }
    }

    /// The action that records a move to `status` (a failure is an escalation; a move
    /// back to PENDING an update).
    pub fn for_status(status: ItemStatus) -> ActivityAction {
        match status {
            ItemStatus::InProgress => ActivityAction::Started,
            ItemStatus::Completed => ActivityAction::Completed,
            ItemStatus::Skipped => ActivityAction::Skipped,
            ItemStatus::Failed => ActivityAction::Escalated,
            ItemStatus::Pending => ActivityAction::Updated,
        }
    }
}

crate::named::named!(ActivityAction);

#[cfg(test)]
mod tests {
    use super::ActivityAction;
    use crate::Named;

    #[test]
    fn every_action_round_trips() {
        for action in ActivityAction::ALL {
            assert_eq!(ActivityAction::from_name(action.as_str()), Some(action));
        }
        assert_eq!(ActivityAction::from_name("completed"), None);
    }
}
