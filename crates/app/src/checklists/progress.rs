//! An item's subitems as they stand, and what the subitem answers derive from them.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use sentinelops_domain::checklist::{InstanceStatus, ItemStatus, completion_percentage, subitems_status};

/// A subitem row as stored (the answers about subitems show it as it is).
pub use sentinelops_store::repo::checklists::InstanceSubitemRow as SubitemRow;

/// One item's subitems, in their order.
#[derive(Debug, Clone)]
pub struct SubitemProgress {
    pub item_id: Uuid,
    pub subitems: Vec<SubitemRow>,
}

impl SubitemProgress {
    fn statuses(&self) -> Vec<ItemStatus> {
        self.subitems.iter().map(|s| *s.status).collect()
    }

    /// How many subitems are `status`.
    pub fn count(&self, status: ItemStatus) -> usize {
        self.subitems.iter().filter(|s| s.status == status).count()
    }

    /// The lowest-ordered subitem still PENDING.
    pub fn next(&self) -> Option<&SubitemRow> {
        self.subitems.iter().find(|s| s.status == ItemStatus::Pending)
    }

    /// Every subitem completed, skipped or failed.
    pub fn all_actioned(&self) -> bool {
        self.subitems.iter().all(|s| s.status.is_actioned())
    }

    pub fn completed(&self) -> usize {
        self.count(ItemStatus::Completed)
    }

    /// The subitems' overall status (`None` without subitems).
    pub fn status(&self) -> Option<&'static str> {
        subitems_status(&self.statuses())
    }
}

/// The answer to `start_work`: the item as it now stands and its subitems.
#[derive(Debug, Clone)]
pub struct WorkStarted {
    pub item_title: String,
    pub item_status: ItemStatus,
    pub progress: SubitemProgress,
}

/// The answer to a subitem change.
#[derive(Debug, Clone)]
pub struct SubitemChanged {
    pub subitem_id: Uuid,
    pub status: ItemStatus,
    pub progress: SubitemProgress,
}

/// Whether an item's subitems let it be completed.
#[derive(Debug, Clone)]
pub struct CompletionSummary {
    pub progress: SubitemProgress,
    pub all_completed: bool,
    /// The rule the server enforces: every subitem actioned, and a verdict when one failed.
    pub can_complete_item: bool,
    pub requires_final_verdict: bool,
}

/// The COMMENTED activity a comment wrote.
#[derive(Debug, Clone)]
pub struct CommentActivity {
    pub comment: String,
    pub user_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// `GET …/stats`: one checklist's statuses, from which its counts and percentages
/// are taken.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceStats {
    pub instance_id: Uuid,
    pub status: InstanceStatus,
    /// The items' statuses.
    pub items: Vec<ItemStatus>,
    /// The required items' statuses.
    pub required_items: Vec<ItemStatus>,
    /// The subitems' statuses.
    pub subitems: Vec<ItemStatus>,
    pub participant_count: usize,
    pub estimated_time_remaining_minutes: i64,
}

impl InstanceStats {
    /// How many items are `status`.
    pub fn items_in(&self, status: ItemStatus) -> usize {
        self.items.iter().filter(|s| **s == status).count()
    }

    pub fn actioned_items(&self) -> usize {
        self.items.iter().filter(|s| s.is_actioned()).count()
    }

    pub fn completed_subitems(&self) -> usize {
        self.subitems.iter().filter(|s| **s == ItemStatus::Completed).count()
    }

    pub fn completion_percentage(&self) -> f64 {
        completion_percentage(&self.items)
    }

    pub fn required_completion_percentage(&self) -> f64 {
        completion_percentage(&self.required_items)
    }
}

/// A date correction: the checklist moved from one date to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateCorrection {
    pub from_date: chrono::NaiveDate,
    pub to_date: chrono::NaiveDate,
}
