//! Changing an item: its status under the transition policy, work started on it, a
//! comment, a final verdict. Every change is written only if nobody changed the row
//! since it was read (else 409 with the current state), and is committed together
//! with its activity line, ops event and notifications.

use uuid::Uuid;

use serde_json::json;

use sentinelops_domain::checklist::{ItemStatus, TransitionError, TransitionPolicy};
use sentinelops_domain::{ActivityAction, Reason, ReasonError};
use sentinelops_store::repo::checklists::{self, InstanceItemRow};

use super::conflict::CurrentState;
use super::progress::{CommentActivity, SubitemProgress, WorkStarted};
use super::step::{item_step, item_with, step_change, worker};
use super::view::InstanceView;
use super::write::{ActivityEntry, Change, ChecklistWrite, Reached};
use crate::actor::Actor;
use crate::error::{AppError, AppResult, invalid, not_found};
use crate::gamification::{ActionScene, StepAction};
use crate::tx::commit;
use crate::{App, validate};

/// A change of an item's status.
#[derive(Debug, Clone)]
pub struct ItemUpdate {
    pub status: ItemStatus,
    pub comment: Option<String>,
    pub reason: Option<String>,
    pub final_verdict: Option<String>,
    /// The status the client saw; a different current status is a lost race.
    pub expected: Option<ItemStatus>,
}

#[derive(Debug, Clone, Default)]
pub struct StartWork {
    pub comment: Option<String>,
}

/// A status as clients name it; the 422 lists the names.
pub fn parse_item_status(value: &str) -> AppResult<ItemStatus> {
    ItemStatus::parse(value)
        .ok_or_else(|| invalid("status must be one of PENDING, IN_PROGRESS, COMPLETED, SKIPPED, FAILED"))
}

/// A free text the client may leave out (blank is none), at most `max` characters.
pub(crate) fn bounded(field: &str, value: Option<&str>, max: usize) -> AppResult<Option<String>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => Ok(Some(validate::text(field, v, 1, max)?)),
        None => Ok(None),
    }
}

/// The reason of a skip or failure: the one given, else the comment (a skip or
/// failure explained only in the comment still has its explanation).
pub(crate) fn step_reason(to: ItemStatus, given: Option<&str>, comment: Option<&String>) -> AppResult<Option<String>> {
    let given = Reason::optional(given, Reason::STEP_MAX).map_err(reason_refused)?.map(Reason::into_string);
    Ok(given.or_else(|| comment.filter(|_| to.is_exception()).cloned()))
}

pub(crate) fn reason_refused(err: ReasonError) -> AppError {
    invalid(err.to_string())
}

/// What the points ledger needs of a step that just moved (an item or subitem row, as
/// saved).
pub(crate) fn step_action<T: StepRowFields>(row: &T, is_subitem: bool, to: ItemStatus) -> StepAction<'_> {
    let f = row.step_fields();
    StepAction {
        id: f.id,
        title: f.title,
        is_subitem,
        to,
        severity: f.severity,
        required: f.required,
        scheduled_at: f.scheduled_at,
        lead_minutes: f.lead_minutes,
        started_at: f.started_at,
    }
}

/// The step columns items and subitems share, borrowed.
pub(crate) struct StepFields<'a> {
    id: Uuid,
    title: &'a str,
    severity: i32,
    required: bool,
    scheduled_at: Option<chrono::DateTime<chrono::Utc>>,
    lead_minutes: Option<i32>,
    started_at: Option<chrono::DateTime<chrono::Utc>>,
}

pub(crate) trait StepRowFields {
    fn step_fields(&self) -> StepFields<'_>;
}

macro_rules! step_row_fields {
    ($row:ty) => {
        impl StepRowFields for $row {
            fn step_fields(&self) -> StepFields<'_> {
                StepFields {
                    id: self.id,
                    title: &self.title,
                    severity: self.severity,
                    required: self.is_required,
                    scheduled_at: self.scheduled_at,
                    lead_minutes: self.notify_before_minutes,
                    started_at: self.started_at,
                }
            }
        }
    };
}
step_row_fields!(InstanceItemRow);
step_row_fields!(sentinelops_store::repo::checklists::InstanceSubitemRow);

fn item_state(item: &InstanceItemRow) -> Box<CurrentState> {
    CurrentState::of_item(item)
}

/// Maps a refused transition to the answer: a missing reason is 422; anything the
/// current state forbids is 409 with that state.
pub(crate) fn refused(err: TransitionError, current: Box<CurrentState>) -> AppError {
    match err {
        TransitionError::ReasonRequired { .. } => AppError::Validation(err.to_string()),
        other => AppError::StateConflict { message: other.to_string(), current },
    }
}

impl App {
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn update_item(
        &self,
        actor: &Actor,
        instance_id: Uuid,
        item_id: Uuid,
        update: ItemUpdate,
    ) -> AppResult<InstanceView> {
        let to = update.status;
        let comment = bounded("comment", update.comment.as_deref(), 2000)?;
        let reason = step_reason(to, update.reason.as_deref(), comment.as_ref())?;
        let verdict = bounded("final_verdict", update.final_verdict.as_deref(), 2000)?;
        let change = Change { to, reason, comment, verdict, expected: update.expected };
        // Lock, then load: the kept rows, when there are some, are this revision's, so
        // neither the item nor (after the change) every item's status is read again.
        let tx = self.store.begin_write().await?;
        let instance = self.workable_instance(&tx, actor, instance_id).await?;
        let write = ChecklistWrite { tx: &tx, actor, instance: &instance, now: self.clock.now() };
        let base = self.snapshots.take(instance_id, instance.revision);
        let item = match base.as_ref().and_then(|snapshot| snapshot.item(item_id)) {
            Some(item) => item.clone(),
            None => checklists::find_item(&tx, instance_id, item_id)
                .await?
                .ok_or_else(|| not_found("Checklist item not found"))?,
        };
        // Apply and save, with the change's consequences; then the checklist's roll-up.
        let policy = self.policy(&tx, "CHECKLIST_ITEM").await?;
        self.apply_item_change(&write, item, change, &policy).await?;
        let statuses = base.as_ref().map(|snapshot| snapshot.item_statuses_after(item_id, to));
        self.settle(&tx, actor, &instance, statuses, write.now).await?;
        commit(tx).await?;
        self.view_after_item_change(actor, base, instance_id, item_id).await
    }

    /// Applies one item change with its consequences (not the instance roll-up).
    #[tracing::instrument(level = "debug", skip_all)]
    pub(crate) async fn apply_item_change(
        &self,
        write: &ChecklistWrite<'_>,
        item: InstanceItemRow,
        change: Change,
        policy: &TransitionPolicy,
    ) -> AppResult<InstanceItemRow> {
        let (c, now) = (write.tx, write.now);
        let from = *item.status;
        if let Some(expected) = change.expected
            && expected != from
        {
            return Err(AppError::StateConflict {
                message: format!("Another update landed first: the item is now {}", from.as_str()),
                current: item_state(&item),
            });
        }
        let step = item_step(&item)
            .apply(policy, step_change(&change), worker(write.actor), now)
            .map_err(|e| refused(e, item_state(&item)))?;
        if change.to == ItemStatus::Completed {
            let subitems = checklists::subitems_of_item(c, item.id).await?;
            let open = subitems.iter().filter(|s| !s.status.is_actioned()).count();
            if open > 0 {
                return Err(AppError::StateConflict {
                    message: format!("Complete all subitems first. {open} still pending or in progress."),
                    current: item_state(&item),
                });
            }
            let failed = subitems.iter().any(|s| s.status == ItemStatus::Failed);
            if failed && change.verdict.is_none() && item.final_verdict.is_none() {
                return Err(invalid("A final verdict is required to complete an item with a failed subitem"));
            }
        }
        let mut next = item_with(&item, step, now);
        if !checklists::update_item_if_version(c, next.clone(), item.version).await? {
            let current = checklists::find_item(c, write.instance.id, item.id).await?.unwrap_or(item);
            return Err(AppError::StateConflict {
                message: format!("Another update landed first: the item is now {}", current.status),
                current: item_state(&current),
            });
        }
        next.version = item.version + 1;
        let duration_ms = item.started_at.map(|s| (now - s).num_milliseconds()).filter(|_| change.to.is_actioned());
        let Change { to, reason, comment, .. } = change;
        write
            .log_activity(ActivityEntry {
                item_id: item.id,
                subitem_id: None,
                action: ActivityAction::for_status(to),
                from: Some(from),
                to: Some(to),
                comment,
                reason: reason.clone(),
                duration_ms,
            })
            .await?;
        let reached = Reached { id: next.id, title: &next.title, to, reason: reason.as_deref(), parent: None };
        write.announce(reached).await?;
        if let Some(user) = write.actor.recorded_id() {
            let scene = ActionScene { tx: c, instance: write.instance, user, now };
            self.record_step_action(scene, step_action(&next, false, to)).await?;
        }
        let payload = json!({ "item_id": next.id, "status": to.as_str(), "previous_status": from.as_str() });
        write.live_event("ITEM_UPDATED", payload).await?;
        Ok(next)
    }

    /// `POST …/start-work`: the item goes IN_PROGRESS (from PENDING) and the answer
    /// lists its subitems.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn start_work(
        &self,
        actor: &Actor,
        instance_id: Uuid,
        item_id: Uuid,
        input: StartWork,
    ) -> AppResult<WorkStarted> {
        let comment = bounded("comment", input.comment.as_deref(), 2000)?;
        let tx = self.store.begin_write().await?;
        let instance = self.workable_instance(&tx, actor, instance_id).await?;
        let write = ChecklistWrite { tx: &tx, actor, instance: &instance, now: self.clock.now() };
        let item = checklists::find_item(&tx, instance_id, item_id)
            .await?
            .ok_or_else(|| not_found("Checklist item not found"))?;
        let item = if item.status == ItemStatus::Pending {
            let policy = self.policy(&tx, "CHECKLIST_ITEM").await?;
            let change = Change { comment, ..Change::to(ItemStatus::InProgress) };
            self.apply_item_change(&write, item, change, &policy).await?
        } else if item.status == ItemStatus::InProgress {
            item
        } else {
            return Err(AppError::StateConflict {
                message: format!("Work cannot start on an item that is {}", item.status),
                current: item_state(&item),
            });
        };
        self.settle(&tx, actor, &instance, None, write.now).await?;
        let subitems = checklists::subitems_of_item(&tx, item.id).await?;
        commit(tx).await?;
        Ok(WorkStarted {
            item_status: *item.status,
            progress: SubitemProgress { item_id: item.id, subitems },
            item_title: item.title,
        })
    }

    /// `POST …/comment`: a COMMENTED activity row.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn comment_item(
        &self,
        actor: &Actor,
        instance_id: Uuid,
        item_id: Uuid,
        comment: &str,
    ) -> AppResult<(InstanceView, CommentActivity)> {
        let comment = validate::text("comment", comment, 1, 2000)?;
        let tx = self.store.begin_write().await?;
        let instance = self.locked_instance(&tx, actor, instance_id).await?;
        let write = ChecklistWrite { tx: &tx, actor, instance: &instance, now: self.clock.now() };
        let base = self.snapshots.take(instance_id, instance.revision);
        let item = checklists::find_item(&tx, instance_id, item_id)
            .await?
            .ok_or_else(|| not_found("Checklist item not found"))?;
        write.log_activity(ActivityEntry::note(item.id, ActivityAction::Commented, comment.clone())).await?;
        write.live_event("ITEM_UPDATED", json!({ "item_id": item.id, "status": item.status, "comment": true })).await?;
        let now = write.now;
        checklists::touch_instance(&tx, instance.id, now).await?;
        commit(tx).await?;
        let activity = CommentActivity { comment, user_id: actor.recorded_id(), created_at: now };
        Ok((self.view_after_item_change(actor, base, instance_id, item_id).await?, activity))
    }

    /// `POST …/final-verdict`: allowed on an item with exception evidence (its own skip
    /// or failure, or exceptions among its subitems); written once.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn final_verdict(
        &self,
        actor: &Actor,
        instance_id: Uuid,
        item_id: Uuid,
        verdict: &str,
    ) -> AppResult<InstanceView> {
        let verdict = validate::text("final_verdict", verdict, 1, 2000)?;
        let tx = self.store.begin_write().await?;
        let instance = self.workable_instance(&tx, actor, instance_id).await?;
        let write = ChecklistWrite { tx: &tx, actor, instance: &instance, now: self.clock.now() };
        let base = self.snapshots.take(instance_id, instance.revision);
        let item = checklists::find_item(&tx, instance_id, item_id)
            .await?
            .ok_or_else(|| not_found("Checklist item not found"))?;
        if item.final_verdict.is_some() {
            return Err(AppError::StateConflict {
                message: "A final verdict is already recorded".into(),
                current: item_state(&item),
            });
        }
        let subitems = checklists::subitems_of_item(&tx, item.id).await?;
        let evidence = item.skipped_reason.is_some()
            || item.failure_reason.is_some()
            || item.status.is_exception()
            || subitems.iter().any(|s| s.status.is_exception());
        if !evidence {
            return Err(AppError::StateConflict {
                message: "A final verdict records the outcome of an exception; this item has none".into(),
                current: item_state(&item),
            });
        }
        let mut next = item.clone();
        next.final_verdict = Some(verdict.clone());
        next.final_verdict_by = actor.recorded_id();
        next.final_verdict_at = Some(write.now);
        next.updated_at = write.now;
        if !checklists::update_item_if_version(&tx, next, item.version).await? {
            return Err(AppError::StateConflict {
                message: "Another update landed first".into(),
                current: item_state(&item),
            });
        }
        write.log_activity(ActivityEntry::note(item.id, ActivityAction::Verdict, verdict)).await?;
        let payload = json!({ "item_id": item.id, "status": item.status, "final_verdict": true });
        write.live_event("ITEM_UPDATED", payload).await?;
        checklists::touch_instance(&tx, instance.id, write.now).await?;
        commit(tx).await?;
        self.view_after_item_change(actor, base, instance_id, item_id).await
    }
}
