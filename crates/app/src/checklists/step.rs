//! Items and subitems as `domain::step::Step`s: what the one change rule reads from a
//! row and writes back to it.

use chrono::{DateTime, Utc};
use sentinelops_domain::step::{Step, StepChange, Worker};
use sentinelops_store::repo::checklists::{InstanceItemRow, InstanceSubitemRow};

use super::write::Change;
use crate::actor::Actor;

pub(crate) fn worker(actor: &Actor) -> Worker {
    Worker { id: actor.recorded_id(), role: Some(actor.role) }
}

pub(crate) fn step_change(change: &Change) -> StepChange<'_> {
    StepChange { to: change.to, reason: change.reason.as_deref(), verdict: change.verdict.as_deref() }
}

/// A row's step: the fields items and subitems share, plus the verdict fields given.
macro_rules! read_step {
    ($row:expr, $verdict:expr, $by:expr, $at:expr) => {
        Step {
            status: *$row.status,
            started_by: $row.started_by,
            started_at: $row.started_at,
            completed_by: $row.completed_by,
            completed_at: $row.completed_at,
            skipped_reason: $row.skipped_reason.clone(),
            failure_reason: $row.failure_reason.clone(),
            final_verdict: $verdict,
            final_verdict_by: $by,
            final_verdict_at: $at,
            version: $row.version,
        }
    };
}

/// Writes the shared step fields into a row, changed at `now`.
macro_rules! write_step {
    ($next:ident, $step:ident, $now:ident) => {
        ($next.status, $next.started_by, $next.started_at) = ($step.status.into(), $step.started_by, $step.started_at);
        ($next.completed_by, $next.completed_at) = ($step.completed_by, $step.completed_at);
        ($next.skipped_reason, $next.failure_reason) = ($step.skipped_reason, $step.failure_reason);
        $next.updated_at = $now;
    };
}

pub(crate) fn item_step(row: &InstanceItemRow) -> Step {
    read_step!(row, row.final_verdict.clone(), row.final_verdict_by, row.final_verdict_at)
}

/// The row after the change.
pub(crate) fn item_with(row: &InstanceItemRow, step: Step, now: DateTime<Utc>) -> InstanceItemRow {
    let mut next = row.clone();
    (next.final_verdict, next.final_verdict_by, next.final_verdict_at) =
        (step.final_verdict, step.final_verdict_by, step.final_verdict_at);
    write_step!(next, step, now);
    next
}

pub(crate) fn subitem_step(row: &InstanceSubitemRow) -> Step {
    read_step!(row, None, None, None)
}

pub(crate) fn subitem_with(row: &InstanceSubitemRow, step: Step, now: DateTime<Utc>) -> InstanceSubitemRow {
    let mut next = row.clone();
    write_step!(next, step, now);
    next
}
