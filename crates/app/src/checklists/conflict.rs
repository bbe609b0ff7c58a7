//! What a refused change tells the client about the state that refused it, so the
//! client can show that state instead of losing the user's intent.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use sentinelops_domain::checklist::{InstanceStatus, ItemStatus};
use sentinelops_store::repo::checklists::{InstanceItemRow, InstanceRow, InstanceSubitemRow};

/// An item's or subitem's status and stamps as they stand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepState {
    pub id: Uuid,
    pub status: ItemStatus,
    pub version: i32,
    pub completed_by: Option<Uuid>,
    pub completed_at: Option<DateTime<Utc>>,
    pub skipped_reason: Option<String>,
    pub failure_reason: Option<String>,
}

/// The current state of what refused a change (boxed in errors: it is large).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CurrentState {
    Item(StepState),
    Subitem(StepState),
    /// The checklist's status; with its id when the refusal is about the checklist
    /// being closed to item changes.
    Instance {
        instance_id: Option<Uuid>,
        status: InstanceStatus,
    },
}

impl CurrentState {
    pub(crate) fn of_item(item: &InstanceItemRow) -> Box<CurrentState> {
        Box::new(CurrentState::Item(StepState {
            id: item.id,
            status: *item.status,
            version: item.version,
            completed_by: item.completed_by,
            completed_at: item.completed_at,
            skipped_reason: item.skipped_reason.clone(),
            failure_reason: item.failure_reason.clone(),
        }))
    }

    pub(crate) fn of_subitem(subitem: &InstanceSubitemRow) -> Box<CurrentState> {
        Box::new(CurrentState::Subitem(StepState {
            id: subitem.id,
            status: *subitem.status,
            version: subitem.version,
            completed_by: subitem.completed_by,
            completed_at: subitem.completed_at,
            skipped_reason: subitem.skipped_reason.clone(),
            failure_reason: subitem.failure_reason.clone(),
        }))
    }

    /// The checklist's status alone.
    pub(crate) fn of_instance(instance: &InstanceRow) -> Box<CurrentState> {
        Box::new(CurrentState::Instance { instance_id: None, status: *instance.status })
    }

    /// The checklist's id and status.
    pub(crate) fn of_named_instance(instance: &InstanceRow) -> Box<CurrentState> {
        Box::new(CurrentState::Instance { instance_id: Some(instance.id), status: *instance.status })
    }
}
