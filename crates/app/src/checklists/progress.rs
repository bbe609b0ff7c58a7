//! An item's subitems as they stand, and what the subitem answers derive from them.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use sentinelops_domain::checklist::{InstanceStatus, ItemStatus, subitems_status};

/// A subitem row as stored (the answers about subitems show it as it is).
pub use sentinelops_store::repo::checklists::InstanceSubitemRow as SubitemRow;

/// One item's subitems, in their order.
#[derive(Debug, Clone)]
pub struct SubitemProgress {
    pub item_id: Uuid,
    pub subitems: Vec<SubitemRow>,
}

/// Counts of an item's subitems by status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubitemStats {
    pub total: usize,
    pub completed: usize,
    pub skipped: usize,
    pub failed: usize,
    pub pending: usize,
    pub in_progress: usize,
    pub all_actioned: bool,
    pub status: Option<&'static str>,
}

impl SubitemProgress {
    fn statuses(&self) -> Vec<ItemStatus> {
        self.subitems.iter().map(|s| *s.status).collect()
    }

    fn count(&self, status: ItemStatus) -> usize {
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

    pub fn stats(&self) -> SubitemStats {
        SubitemStats {
            total: self.subitems.len(),
            completed: self.completed(),
            skipped: self.count(ItemStatus::Skipped),
            failed: self.count(ItemStatus::Failed),
            pending: self.count(ItemStatus::Pending),
            in_progress: self.count(ItemStatus::InProgress),
            all_actioned: self.all_actioned(),
            status: self.status(),
        }
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

/// `GET …/stats`: counts and percentages of one checklist.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceStats {
    pub instance_id: Uuid,
    pub status: InstanceStatus,
    pub total_items: usize,
    pub completed_items: usize,
    pub skipped_items: usize,
    pub failed_items: usize,
    pub pending_items: usize,
    pub in_progress_items: usize,
    pub actioned_items: usize,
    pub total_subitems: usize,
    pub completed_subitems: usize,
    pub completion_percentage: f64,
    pub required_completion_percentage: f64,
    pub estimated_time_remaining_minutes: i64,
    pub participant_count: usize,
}

/// A date correction: the checklist moved from one date to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateCorrection {
    pub from_date: chrono::NaiveDate,
    pub to_date: chrono::NaiveDate,
}
