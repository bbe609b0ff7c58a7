//! At each item or subitem action, in the action's transaction: a PROVISIONAL row (what
//! it would pay once its checklist is signed off) or a REFUSED row (why it will not).
//! Nothing here counts: settlement pays.

use chrono::{DateTime, Utc};
use serde_json::json;
use uuid::Uuid;

use sentinelops_domain::checklist::ItemStatus;
use sentinelops_domain::scoring::{LedgerState, Refusal, ScoreKind, rules};
use sentinelops_store::Tx;
use sentinelops_store::repo::checklists::InstanceRow;
use sentinelops_store::repo::gamification::{self, LedgerRow};

use super::entries::{self, checklist_row, note, refuse};
use crate::App;
use crate::error::AppResult;

/// An item or subitem that just moved, as saved.
pub(crate) struct StepAction<'a> {
    pub id: Uuid,
    pub title: &'a str,
    pub is_subitem: bool,
    pub to: ItemStatus,
    pub severity: i32,
    pub required: bool,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub lead_minutes: Option<i32>,
    /// When the step was first started (set by this action if it was the first).
    pub started_at: Option<DateTime<Utc>>,
}

/// Where the action happens: its transaction, checklist, user and time.
pub(crate) struct ActionScene<'a> {
    pub tx: &'a Tx,
    pub instance: &'a InstanceRow,
    pub user: Uuid,
    pub now: DateTime<Utc>,
}

impl App {
    /// Writes the provisional or refused rows of one action (none for the system).
    #[tracing::instrument(level = "debug", skip_all)]
    pub(crate) async fn record_step_action(&self, scene: ActionScene<'_>, action: StepAction<'_>) -> AppResult<()> {
        let w = &self.config.scoring;
        let ActionScene { tx, instance, user, now } = scene;
        let kind = if action.is_subitem { ScoreKind::Subitem } else { ScoreKind::Item };
        let row = |kind, state| {
            let mut row = checklist_row(instance, user, kind, state, action.title, now);
            row.subject_id = Some(action.id);
            note(&mut row, "status", json!(action.to.as_str()));
            note(&mut row, "at", json!("action"));
            row
        };
        let provisional = |kind, points: i32| {
            let mut r = row(kind, LedgerState::Provisional);
            note(&mut r, "provisional_points", json!(points));
            note(&mut r, "inputs", json!({ "severity": action.severity, "required": action.required }));
            r
        };
        let refused = |refusal: &Refusal| {
            let mut r = row(kind, LedgerState::Refused);
            refuse(&mut r, refusal);
            r
        };
        let mut rows: Vec<LedgerRow> = Vec::new();
        match action.to {
            ItemStatus::Completed => {
                let previous = if w.min_seconds_per_item > 0 {
                    gamification::last_completion_by(tx, instance.id, user, action.id).await?
                } else {
                    None
                };
                let verdict = rules::not_burst(action.title, now, previous, w)
                    .and_then(|()| rules::not_early(action.title, now, action.scheduled_at, action.lead_minutes));
                match verdict {
                    Err(refusal) => rows.push(refused(&refusal)),
                    Ok(()) => {
                        let mut points = w.step_points(action.is_subitem, action.severity, action.required);
                        if !action.is_subitem && w.is_critical(action.severity) {
                            points = points.saturating_add(w.critical_item);
                        }
                        rows.push(provisional(kind, points));
                    }
                }
            }
            ItemStatus::Failed => rows.push(provisional(ScoreKind::FailureReported, w.failure_points(action.severity))),
            ItemStatus::Skipped => rows.push(refused(&rules::skip(action.title))),
            ItemStatus::Pending | ItemStatus::InProgress => {}
        }
        // The first start of a timed step (this action stamped it).
        if let (Some(scheduled_at), Some(started_at)) = (action.scheduled_at, action.started_at)
            && started_at == now
        {
            let (on_time, points, late) = rules::timed_start(scheduled_at, started_at, w);
            let kind = if on_time { ScoreKind::TimedStartOnTime } else { ScoreKind::TimedStartLate };
            let mut r = row(kind, LedgerState::Provisional);
            note(&mut r, "provisional_points", json!(points));
            note(&mut r, "inputs", json!({ "minutes_late": late }));
            rows.push(r);
        }
        entries::append(tx, rows, now).await
    }
}
