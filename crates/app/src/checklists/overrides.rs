//! Supervisor overrides: one-time completion, reopen, forced close and date
//! correction. Each is recorded in `checklist_overrides` with its reason, emits
//! OVERRIDE_APPLIED and notifies the managers. No override rewrites an audit timestamp.

use std::collections::HashSet;

use chrono::NaiveDate;
use serde_json::{Value, json};
use uuid::Uuid;

use sentinelops_domain::checklist::{InstanceStatus, ItemStatus};
use sentinelops_domain::ids::new_id;
use sentinelops_domain::{ActivityAction, Reason};
use sentinelops_store::Tx;
use sentinelops_store::repo::checklists::{self, InstanceRow, OverrideRow};

use super::conflict::CurrentState;
use super::item_changes::reason_refused;
use super::progress::DateCorrection;
use super::view::{InstanceView, Loaded};
use super::write::{ActivityEntry, Change, ChecklistWrite, ManagersNotice, notify_managers};
use crate::App;
use crate::access::can_supervise_section;
use crate::actor::Actor;
use crate::audit::{OpsEvent, record_ops};
use crate::error::{AppError, AppResult, invalid};
use crate::gamification::{ActionScene, Target};
use crate::notifications::Priority;
use crate::tx::commit;

/// A supervisor override's reason (`reason` or the original's `comment`).
#[derive(Debug, Clone, Default)]
pub struct OverrideInput {
    pub reason: Option<String>,
    pub comment: Option<String>,
}

/// What a one-time completion without a reason gets. The original frontend's dialog has
/// no reason field and sends `{}`; our own UI always asks for one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingReason {
    /// Refused with 422, like every other override.
    Refuse,
    /// Recorded as "(no reason given)", flagged in the override row and its event.
    RecordAsNotGiven,
}

/// The reason recorded for an override given without one.
pub const NO_REASON_GIVEN: &str = "(no reason given)";

/// An override's reason as recorded.
#[derive(Debug, Clone)]
struct OverrideReason {
    text: String,
    /// False when the supervisor gave none and `NO_REASON_GIVEN` stands in.
    given: bool,
}

impl OverrideInput {
    /// The first of `reason` and `comment` that is not blank.
    fn given(&self) -> Option<&str> {
        [self.reason.as_deref(), self.comment.as_deref()].into_iter().flatten().find(|t| !t.trim().is_empty())
    }

    fn reason(&self) -> AppResult<OverrideReason> {
        self.reason_or(MissingReason::Refuse)
    }

    fn reason_or(&self, missing: MissingReason) -> AppResult<OverrideReason> {
        match (self.given(), missing) {
            (None, MissingReason::RecordAsNotGiven) => {
                Ok(OverrideReason { text: NO_REASON_GIVEN.to_owned(), given: false })
            }
            (text, _) => Reason::new(text.unwrap_or(""), Reason::OVERRIDE_MAX)
                .map(|reason| OverrideReason { text: reason.into_string(), given: true })
                .map_err(|_| invalid("A supervisor override needs a reason")),
        }
    }
}

/// A date correction: where the checklist moves, and why.
#[derive(Debug, Clone)]
pub struct ChangeDate {
    pub target_date: NaiveDate,
    pub reason: Option<String>,
}

/// An override as recorded: what was done, why, and to which status.
struct OverrideRecord<'a> {
    kind: &'static str,
    reason: &'a OverrideReason,
    to_status: &'a str,
    details: Value,
}

impl ChecklistWrite<'_> {
    /// Records an override with its event and the managers' notification.
    async fn record_override(&self, record: OverrideRecord<'_>) -> AppResult<()> {
        let OverrideRecord { kind, reason, to_status, mut details } = record;
        let (instance, actor, now) = (self.instance, self.actor, self.now);
        let Some(supervisor) = actor.recorded_id() else {
            return Err(invalid("Overrides are made by a signed-in supervisor"));
        };
        if let Value::Object(map) = &mut details {
            map.insert("no_reason_given".into(), json!(!reason.given));
        }
        let (no_reason_given, reason) = (!reason.given, reason.text.as_str());
        checklists::insert_override(
            self.tx,
            OverrideRow {
                id: new_id(),
                instance_id: instance.id,
                supervisor_id: supervisor,
                kind: kind.to_owned(),
                reason: reason.to_owned(),
                from_status: Some(instance.status.as_str().to_owned()),
                to_status: Some(to_status.to_owned()),
                details: details.clone(),
                created_at: now,
            },
        )
        .await?;
        let payload = json!({ "status": to_status, "previous_status": instance.status, "override": kind });
        self.live_event("CHECKLIST_UPDATE", payload).await?;
        record_ops(
            self.tx,
            now,
            actor,
            OpsEvent {
                event_type: "OVERRIDE_APPLIED",
                entity_type: "CHECKLIST_INSTANCE",
                entity_id: instance.id.to_string(),
                section_id: Some(instance.section_id),
                payload: json!({
                    "instance_id": instance.id, "override": kind, "reason": reason,
                    "no_reason_given": no_reason_given,
                    "from_status": instance.status, "to_status": to_status, "details": details,
                }),
            },
        )
        .await?;
        let notice = ManagersNotice {
            title: format!("Supervisor override - {} shift", instance.shift),
            message: format!(
                "{} applied {} on {} ({} - {}): {} → {}. Reason: {reason}",
                actor.username,
                kind.replace('_', " ").to_lowercase(),
                instance.template_name,
                instance.shift,
                instance.checklist_date,
                instance.status,
                to_status,
            ),
            priority: Priority::High,
            related_entity: "checklist_instance",
        };
        notify_managers(self.tx, now, instance, actor, notice).await.map(|_| ())
    }
}

impl App {
    /// One-time completion: a supervisor completes every open item and subitem at once
    /// (existing completions, skips and failures stay) and the checklist goes to review.
    /// `missing` says what becomes of a request without a reason.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn one_time_completion(
        &self,
        actor: &Actor,
        id: Uuid,
        input: OverrideInput,
        missing: MissingReason,
    ) -> AppResult<InstanceView> {
        let OverrideReason { text: reason, given } = input.reason_or(missing)?;
        let tx = self.store.begin_write().await?;
        let instance = self.workable_instance(&tx, actor, id).await?;
        let write = ChecklistWrite { tx: &tx, actor, instance: &instance, now: self.clock.now() };
        let now = write.now;
        can_supervise_section(actor, instance.section_id)?;
        let loaded = Loaded::read(&tx, instance.clone()).await?;
        let mut completed_subitems = 0;
        for s in loaded.subitems.iter().filter(|s| !s.status.is_actioned()) {
            let mut next = s.clone();
            next.status = ItemStatus::Completed.into();
            next.completed_by = actor.recorded_id();
            next.completed_at = Some(now);
            next.started_at = next.started_at.or(Some(now));
            next.started_by = next.started_by.or(actor.recorded_id());
            next.updated_at = now;
            if checklists::update_subitem_if_version(&tx, next.clone(), s.version).await? {
                completed_subitems += 1;
                if let Some(user) = actor.recorded_id() {
                    let scene = ActionScene { tx: &tx, instance: &instance, user, now };
                    let action = super::item_changes::step_action(&next, true, ItemStatus::Completed);
                    self.record_step_action(scene, action).await?;
                }
                write
                    .log_activity(ActivityEntry {
                        item_id: s.instance_item_id,
                        subitem_id: Some(s.id),
                        action: ActivityAction::for_status(ItemStatus::Completed),
                        from: Some(*s.status),
                        to: Some(ItemStatus::Completed),
                        comment: Some(reason.clone()),
                        reason: None,
                        duration_ms: None,
                    })
                    .await?;
            }
        }
        let policy = self.policy(&tx, "CHECKLIST_ITEM").await?;
        let failed_subitem_items: HashSet<Uuid> =
            loaded.subitems.iter().filter(|s| s.status == ItemStatus::Failed).map(|s| s.instance_item_id).collect();
        let mut completed_items = 0;
        for item in loaded.items.iter().filter(|i| !i.status.is_actioned()) {
            let verdict = (failed_subitem_items.contains(&item.id) && item.final_verdict.is_none())
                .then(|| format!("Completed by supervisor override: {reason}"));
            let change = Change { comment: Some(reason.clone()), verdict, ..Change::to(ItemStatus::Completed) };
            self.apply_item_change(&write, item.clone(), change, &policy).await?;
            completed_items += 1;
        }
        let details = json!({ "completed_items": completed_items, "completed_subitems": completed_subitems });
        let reason = OverrideReason { text: reason, given };
        let record = OverrideRecord {
            kind: "ONE_TIME_COMPLETION",
            reason: &reason,
            to_status: InstanceStatus::PendingReview.as_str(),
            details,
        };
        write.record_override(record).await?;
        self.settle(&tx, actor, &instance, None, now).await?;
        commit(tx).await?;
        self.instance_view(actor, id).await
    }

    /// Starts a supervisor's move of a checklist to `to`: the reason, the checklist
    /// locked in a write transaction, the actor supervising its section, and the move
    /// allowed by the transition rules.
    async fn begin_move(
        &self,
        actor: &Actor,
        id: Uuid,
        input: &OverrideInput,
        to: InstanceStatus,
    ) -> AppResult<(Tx, InstanceRow, OverrideReason)> {
        let reason = input.reason()?;
        let tx = self.store.begin_write().await?;
        let instance = self.locked_instance(&tx, actor, id).await?;
        can_supervise_section(actor, instance.section_id)?;
        self.check_instance_move(&tx, &instance, to, actor.role, Some(&reason.text)).await?;
        Ok((tx, instance, reason))
    }

    /// Reopens a closed checklist so items can change again (supervisors, with a reason).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn reopen_instance(&self, actor: &Actor, id: Uuid, input: OverrideInput) -> AppResult<InstanceView> {
        let to = InstanceStatus::InProgress;
        let (tx, instance, reason) = self.begin_move(actor, id, &input, to).await?;
        let write = ChecklistWrite { tx: &tx, actor, instance: &instance, now: self.clock.now() };
        let now = write.now;
        let details = json!({ "closed_at": instance.closed_at, "closed_by": instance.closed_by });
        write
            .record_override(OverrideRecord { kind: "REOPEN", reason: &reason, to_status: to.as_str(), details })
            .await?;
        let mut reopened = instance.clone();
        reopened.status = to.into();
        reopened.closed_at = None;
        reopened.closed_by = None;
        reopened.updated_at = now;
        checklists::save_instance(&tx, reopened.clone()).await?;
        self.settle(&tx, actor, &reopened, None, now).await?;
        // Open again: it pays nothing until it is signed off anew.
        self.settle_points(&tx, &reopened, actor, Target::CurrentState, now).await?;
        commit(tx).await?;
        self.instance_view(actor, id).await
    }

    /// Closes an open checklist as COMPLETED_WITH_EXCEPTIONS whatever its items say.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn force_close_instance(&self, actor: &Actor, id: Uuid, input: OverrideInput) -> AppResult<InstanceView> {
        let to = InstanceStatus::CompletedWithExceptions;
        let (tx, instance, reason) = self.begin_move(actor, id, &input, to).await?;
        let write = ChecklistWrite { tx: &tx, actor, instance: &instance, now: self.clock.now() };
        let now = write.now;
        let loaded = Loaded::read(&tx, instance.clone()).await?;
        let open = loaded.item_statuses().iter().filter(|s| !s.is_actioned()).count();
        let details = json!({ "open_items": open });
        write
            .record_override(OverrideRecord { kind: "FORCE_CLOSE", reason: &reason, to_status: to.as_str(), details })
            .await?;
        let exceptions = loaded
            .item_statuses()
            .iter()
            .chain(loaded.subitem_statuses().iter())
            .filter(|s| !matches!(s, ItemStatus::Completed))
            .count();
        let mut closed = instance.clone();
        closed.status = to.into();
        closed.closed_by = actor.recorded_id();
        closed.closed_at = Some(now);
        closed.exception_count = i32::try_from(exceptions).unwrap_or(i32::MAX);
        closed.updated_at = now;
        checklists::save_instance(&tx, closed.clone()).await?;
        checklists::touch_instance(&tx, id, now).await?;
        let closing = crate::report_mail::Closing::ForceClosed { by: &actor.username };
        crate::report_mail::queue_shift_report(&tx, now, &closed, closing).await?;
        self.settle_points(&tx, &closed, actor, Target::CurrentState, now).await?;
        commit(tx).await?;
        self.instance_view(actor, id).await
    }

    /// A date correction of a closed checklist: the checklist moves to another date (and
    /// its shift window with it) as a new, audited fact; no recorded timestamp changes.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn change_instance_date(
        &self,
        actor: &Actor,
        id: Uuid,
        input: ChangeDate,
    ) -> AppResult<(InstanceView, DateCorrection)> {
        let tx = self.store.begin_write().await?;
        let instance = self.locked_instance(&tx, actor, id).await?;
        let write = ChecklistWrite { tx: &tx, actor, instance: &instance, now: self.clock.now() };
        let now = write.now;
        can_supervise_section(actor, instance.section_id)?;
        if !instance.status.is_closed() {
            return Err(AppError::StateConflict {
                message: "Only a closed checklist can have its date corrected".into(),
                current: CurrentState::of_instance(&instance),
            });
        }
        crate::validate::date("target_date", input.target_date)?;
        if instance.checklist_date == input.target_date {
            return Err(invalid("target_date is the checklist's current date"));
        }
        if checklists::find_by_slot(&tx, instance.section_id, input.target_date, *instance.shift).await?.is_some() {
            return Err(AppError::Conflict(format!(
                "A {} checklist already exists for {}",
                instance.shift, input.target_date
            )));
        }
        let reason = input.reason.clone().unwrap_or_else(|| "Date correction".to_owned());
        let reason = Reason::new(&reason, Reason::OVERRIDE_MAX).map_err(reason_refused)?;
        let reason = OverrideReason { text: reason.into_string(), given: true };
        let tz = self.business_timezone_in(&tx).await?;
        let shift = *instance.shift;
        let window = crate::shifts::window_of(&tx, shift).await?;
        let (start, end) = window.bounds(input.target_date, tz);
        let correction = DateCorrection { from_date: instance.checklist_date, to_date: input.target_date };
        let details = json!({ "from_date": correction.from_date, "to_date": correction.to_date });
        let to_status = instance.status.as_str();
        write.record_override(OverrideRecord { kind: "DATE_CORRECTION", reason: &reason, to_status, details }).await?;
        let mut moved = instance.clone();
        moved.checklist_date = input.target_date;
        moved.shift_start = start;
        moved.shift_end = end;
        moved.updated_at = now;
        checklists::save_instance(&tx, moved.clone()).await?;
        checklists::touch_instance(&tx, id, now).await?;
        // The points move with it: reversed on the old date, confirmed on the new one.
        self.settle_points(&tx, &moved, actor, Target::CurrentState, now).await?;
        commit(tx).await?;
        Ok((self.instance_view(actor, id).await?, correction))
    }
}
