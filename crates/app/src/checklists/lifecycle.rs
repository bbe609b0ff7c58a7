//! The instance lifecycle: OPEN → IN_PROGRESS → PENDING_REVIEW as work is done, then
//! sign-off by a manager or admin (COMPLETED or COMPLETED_WITH_EXCEPTIONS from the
//! evidence). Supervisor overrides (one-time completion, reopen, forced close, date
//! correction) are recorded in `checklist_overrides`, emit OVERRIDE_APPLIED and notify
//! the managers. No endpoint rewrites an audit timestamp.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use sentinelops_domain::SECTION_SUPERVISORS;
use sentinelops_domain::checklist::{
    InstanceStatus, ItemStatus, completion_percentage, progress_status, sign_off_outcome,
};
use sentinelops_domain::ids::new_id;
use sentinelops_store::repo::checklists::{self, InstanceRow, OverrideRow, ParticipantRow};
use sentinelops_store::{Conn, Tx};

use super::items::Change;
use super::view::{InstanceView, Loaded};
use crate::access::{can_supervise_section, can_use_section};
use crate::actor::Actor;
use crate::audit::{OpsEvent, record_ops};
use crate::error::{AppError, AppResult, invalid};
use crate::live;
use crate::notifications::{self, Audience, Draft, Priority};
use crate::tx::commit;
use crate::{App, validate};

/// A supervisor override's reason (`reason` or the original's `comment`).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
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
struct Reason {
    text: String,
    /// False when the supervisor gave none and `NO_REASON_GIVEN` stands in.
    given: bool,
}

impl OverrideInput {
    /// The first of `reason` and `comment` that is not blank.
    fn given(&self) -> Option<&str> {
        [self.reason.as_deref(), self.comment.as_deref()].into_iter().flatten().find(|t| !t.trim().is_empty())
    }

    fn reason(&self) -> AppResult<Reason> {
        self.reason_or(MissingReason::Refuse)
    }

    fn reason_or(&self, missing: MissingReason) -> AppResult<Reason> {
        match (self.given(), missing) {
            (None, MissingReason::RecordAsNotGiven) => Ok(Reason { text: NO_REASON_GIVEN.to_owned(), given: false }),
            (text, _) => validate::text("reason", text.unwrap_or(""), 1, 2000)
                .map(|text| Reason { text, given: true })
                .map_err(|_| invalid("A supervisor override needs a reason")),
        }
    }
}

/// `POST …/change-date` body.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ChangeDate {
    pub target_date: NaiveDate,
    pub reason: Option<String>,
}

fn status_of(row: &InstanceRow) -> InstanceStatus {
    *row.status
}

impl App {
    /// The full view of an instance the actor may see.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn instance_view(&self, actor: &Actor, id: Uuid) -> AppResult<InstanceView> {
        let reader = self.store.reader();
        let instance = self.visible_instance(reader, actor, id).await?;
        self.render_instance(instance).await
    }

    /// The view of an instance the actor may see, as JSON, from the cache while the
    /// instance's revision is unchanged: without a query while nothing was written in
    /// this process since the revision was confirmed, else after reading the instance
    /// row (which the access check needs anyway). `fresh` renders it anew.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn instance_document(
        &self,
        actor: &Actor,
        id: Uuid,
        fresh: bool,
    ) -> AppResult<std::sync::Arc<super::cache::InstanceDocument>> {
        if !fresh && let Some((section_id, document)) = self.instance_documents.unchanged(id) {
            can_use_section(actor, section_id)?;
            return Ok(document);
        }
        let commit = sentinelops_store::commit_count();
        let instance = self.visible_instance(self.store.reader(), actor, id).await?;
        let seen = super::cache::Revision { revision: instance.revision, section_id: instance.section_id, commit };
        let _building = if fresh {
            None
        } else {
            if let Some(document) = self.instance_documents.get(id, seen) {
                return Ok(document);
            }
            let lane = self.instance_documents.build_lane(id).await;
            // Whoever held the lane may just have built it.
            if let Some(document) = self.instance_documents.get(id, seen) {
                return Ok(document);
            }
            lane
        };
        let built_at = std::time::Instant::now();
        let view = self.render_instance(instance).await?;
        let body =
            serde_json::to_vec(&view).map_err(|e| AppError::Internal(format!("serialising a checklist: {e}")))?;
        let document = std::sync::Arc::new(super::cache::InstanceDocument::new(body));
        self.instance_documents.put(id, seen, built_at, std::sync::Arc::clone(&document));
        Ok(document)
    }

    /// Recomputes the working status after a change, and acts on reaching review:
    /// the managers are asked to sign off and failed work is carried over. `current`
    /// is the instance row as it stands in this transaction (read under its lock, or
    /// as just saved): it is written back whole when the status moves. `statuses` are
    /// the items' statuses after the change when the caller knows them; else they are
    /// read.
    #[tracing::instrument(level = "debug", skip_all)]
    pub(crate) async fn settle(
        &self,
        c: &Tx,
        actor: &Actor,
        current: &InstanceRow,
        statuses: Option<Vec<ItemStatus>>,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        let from = status_of(current);
        if from.is_closed() {
            checklists::touch_instance(c, current.id, now).await?;
            return Ok(());
        }
        let statuses = match statuses {
            Some(statuses) => statuses,
            None => checklists::item_statuses(c, current.id).await?,
        };
        let to = progress_status(&statuses);
        let mut current = current.clone();
        if to != from {
            // One write for the new status and the revision bump every change makes.
            current.status = to.into();
            current.updated_at = now;
            current.revision += 1;
            checklists::save_instance(c, current.clone()).await?;
            let payload = json!({ "status": to.as_str(), "previous_status": from.as_str() });
            live::checklist_event(c, now, &current, "CHECKLIST_UPDATE", actor, payload).await?;
        } else {
            checklists::touch_instance(c, current.id, now).await?;
        }
        if to == InstanceStatus::PendingReview && from != InstanceStatus::PendingReview {
            let completion = completion_percentage(&statuses);
            notifications::send(
                c,
                now,
                Draft {
                    title: format!("Checklist pending approval - {} shift", current.shift),
                    message: format!(
                        "{} ({} - {}) has every item actioned ({completion}% completed) and awaits sign-off.",
                        current.template_name, current.shift, current.checklist_date
                    ),
                    priority: Priority::Medium,
                    related_entity: "checklist_manager_review",
                    related_id: Some(current.id),
                    section_id: Some(current.section_id),
                    audience: Audience::SectionManagersAndAdmins { section_id: current.section_id },
                    exclude: actor.recorded_id(),
                },
            )
            .await?;
            self.carry_over_failed_work(c, actor, &current, now).await?;
        }
        Ok(())
    }

    /// `POST …/join`: idempotent; PARTICIPANT_JOINED and the managers' notification on
    /// the first join only.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn join_instance(&self, actor: &Actor, id: Uuid) -> AppResult<(InstanceView, bool)> {
        let tx = self.store.begin_write().await?;
        let instance = self.locked_instance(&tx, actor, id).await?;
        // Read the time once the lock is held, so stamps follow commit order.
        let now = self.clock.now();
        if status_of(&instance).is_closed() {
            return Err(AppError::BadRequest("This checklist is no longer open for joining".into()));
        }
        let Some(user_id) = actor.recorded_id() else {
            return Err(invalid("Only users can join a checklist"));
        };
        let joined =
            checklists::add_participant(&tx, ParticipantRow { id: new_id(), instance_id: id, user_id, joined_at: now })
                .await?;
        if joined {
            record_ops(
                &tx,
                now,
                actor,
                OpsEvent {
                    event_type: "PARTICIPANT_JOINED",
                    entity_type: "CHECKLIST_INSTANCE",
                    entity_id: id.to_string(),
                    section_id: Some(instance.section_id),
                    payload: json!({ "instance_id": id, "user_id": user_id, "username": actor.username }),
                },
            )
            .await?;
            checklists::touch_instance(&tx, id, now).await?;
            live::checklist_event(&tx, now, &instance, "INSTANCE_JOINED", actor, json!({})).await?;
            // The original's "joined" notice to the managers, worded as it was.
            notifications::send(
                &tx,
                now,
                Draft {
                    title: format!("\u{1F44B} {} joined the shift", actor.username),
                    message: format!(
                        "{} joined the {} shift checklist for {}.\nTeam collaboration is now active.",
                        actor.username, instance.shift, instance.checklist_date
                    ),
                    priority: Priority::Medium,
                    related_entity: "checklist_instance",
                    related_id: Some(id),
                    section_id: Some(instance.section_id),
                    audience: Audience::SectionManagersAndAdmins { section_id: instance.section_id },
                    exclude: Some(user_id),
                },
            )
            .await?;
        }
        commit(tx).await?;
        Ok((self.instance_view(actor, id).await?, joined))
    }

    /// `POST …/complete`: sign-off from PENDING_REVIEW by a manager or admin; the outcome
    /// comes from the evidence.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn complete_instance(&self, actor: &Actor, id: Uuid, comment: Option<String>) -> AppResult<InstanceView> {
        let comment = match comment.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            Some(c) => Some(validate::text("comment", c, 1, 2000)?),
            None => None,
        };
        let tx = self.store.begin_write().await?;
        let instance = self.locked_instance(&tx, actor, id).await?;
        // Read the time once the lock is held, so stamps follow commit order.
        let now = self.clock.now();
        can_supervise_section(actor, instance.section_id)?;
        if status_of(&instance) != InstanceStatus::PendingReview {
            return Err(AppError::StateConflict {
                message: "Checklist must reach pending approval before it can be completed.".into(),
                current: json!({ "instance_id": id, "status": instance.status }),
            });
        }
        let loaded = Loaded::read(&tx, instance.clone()).await?;
        let (items, subitems) = (loaded.item_statuses(), loaded.subitem_statuses());
        let outcome = sign_off_outcome(&items, &subitems);
        let policy = self.policy(&tx, "CHECKLIST_INSTANCE").await?;
        policy.check(instance.status.as_str(), outcome.as_str(), Some(actor.role), None).map_err(|e| {
            AppError::StateConflict { message: e.to_string(), current: json!({ "status": instance.status }) }
        })?;
        let exceptions = items.iter().chain(subitems.iter()).filter(|s| s.is_exception()).count();
        let mut closed = instance.clone();
        closed.status = outcome.into();
        closed.closed_by = actor.recorded_id();
        closed.closed_at = Some(now);
        closed.exception_count = i32::try_from(exceptions).unwrap_or(i32::MAX);
        closed.completion_time_seconds = i32::try_from((now - instance.created_at).num_seconds()).ok();
        closed.updated_at = now;
        checklists::save_instance(&tx, closed.clone()).await?;
        checklists::touch_instance(&tx, id, now).await?;
        let payload = json!({ "status": outcome.as_str(), "previous_status": instance.status });
        live::checklist_event(&tx, now, &instance, "CHECKLIST_UPDATE", actor, payload).await?;
        let count = |s: ItemStatus, list: &[ItemStatus]| list.iter().filter(|x| **x == s).count();
        let stats = json!({
            "instance_id": id,
            "status": outcome.as_str(),
            "completion_percentage": completion_percentage(&items),
            "total_items": items.len(),
            "completed_items": count(ItemStatus::Completed, &items),
            "skipped_items": count(ItemStatus::Skipped, &items),
            "failed_items": count(ItemStatus::Failed, &items),
            "skipped_subitems": count(ItemStatus::Skipped, &subitems),
            "failed_subitems": count(ItemStatus::Failed, &subitems),
            "exception_count": exceptions,
            "comment": comment,
        });
        let event_type = if outcome == InstanceStatus::Completed {
            "CHECKLIST_COMPLETED"
        } else {
            "CHECKLIST_COMPLETED_WITH_EXCEPTIONS"
        };
        record_ops(
            &tx,
            now,
            actor,
            OpsEvent {
                event_type,
                entity_type: "CHECKLIST_INSTANCE",
                entity_id: id.to_string(),
                section_id: Some(instance.section_id),
                payload: stats.clone(),
            },
        )
        .await?;
        let percentage = completion_percentage(&items);
        let label = if outcome == InstanceStatus::Completed { "Completed" } else { "Completed with exceptions" };
        let message = format!(
            "{} ({} - {}) was signed off by {}: {label}. {percentage}% of {} items completed, {} skipped, {} failed; {exceptions} exception(s) in all.",
            instance.template_name,
            instance.shift,
            instance.checklist_date,
            actor.username,
            items.len(),
            count(ItemStatus::Skipped, &items),
            count(ItemStatus::Failed, &items),
        );
        let mut audience: Vec<Uuid> = loaded.participants.iter().map(|p| p.user_id).collect();
        audience.extend(
            sentinelops_store::repo::notifications::section_supervisors(&tx, SECTION_SUPERVISORS, instance.section_id)
                .await?,
        );
        notifications::send(
            &tx,
            now,
            Draft {
                title: format!("Checklist Completed ({percentage}%) - {} Shift", instance.shift),
                message,
                priority: if outcome == InstanceStatus::Completed { Priority::Low } else { Priority::Medium },
                related_entity: "checklist_completion",
                related_id: Some(id),
                section_id: Some(instance.section_id),
                audience: Audience::Users(audience),
                exclude: actor.recorded_id(),
            },
        )
        .await?;
        commit(tx).await?;
        self.instance_view(actor, id).await
    }

    /// Records an override with its event and the managers' notification.
    #[allow(clippy::too_many_arguments)]
    async fn record_override(
        &self,
        c: &impl Conn,
        actor: &Actor,
        instance: &InstanceRow,
        kind: &'static str,
        reason: &Reason,
        to_status: &str,
        mut details: Value,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        let Some(supervisor) = actor.recorded_id() else {
            return Err(invalid("Overrides are made by a signed-in supervisor"));
        };
        if let Value::Object(map) = &mut details {
            map.insert("no_reason_given".into(), json!(!reason.given));
        }
        let (no_reason_given, reason) = (!reason.given, reason.text.as_str());
        checklists::insert_override(
            c,
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
        live::checklist_event(c, now, instance, "CHECKLIST_UPDATE", actor, payload).await?;
        record_ops(
            c,
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
        notifications::send(
            c,
            now,
            Draft {
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
                related_id: Some(instance.id),
                section_id: Some(instance.section_id),
                audience: Audience::SectionManagersAndAdmins { section_id: instance.section_id },
                exclude: actor.recorded_id(),
            },
        )
        .await?;
        Ok(())
    }

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
        let Reason { text: reason, given } = input.reason_or(missing)?;
        let tx = self.store.begin_write().await?;
        let instance = self.workable_instance(&tx, actor, id).await?;
        // Read the time once the lock is held, so stamps follow commit order.
        let now = self.clock.now();
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
            if checklists::update_subitem_if_version(&tx, next, s.version).await? {
                completed_subitems += 1;
                let from = Some(*s.status);
                let change = Change {
                    to: ItemStatus::Completed,
                    reason: None,
                    comment: Some(reason.clone()),
                    verdict: None,
                    expected: None,
                };
                self.log_activity(
                    &tx,
                    actor,
                    &instance,
                    s.instance_item_id,
                    Some(s.id),
                    "COMPLETED",
                    from,
                    Some(ItemStatus::Completed),
                    &change,
                    None,
                    now,
                )
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
            let change = Change {
                to: ItemStatus::Completed,
                reason: None,
                comment: Some(reason.clone()),
                verdict,
                expected: None,
            };
            self.apply_item_change(&tx, actor, &instance, item.clone(), change, &policy, now).await?;
            completed_items += 1;
        }
        let details = json!({ "completed_items": completed_items, "completed_subitems": completed_subitems });
        let reason = Reason { text: reason, given };
        self.record_override(&tx, actor, &instance, "ONE_TIME_COMPLETION", &reason, "PENDING_REVIEW", details, now)
            .await?;
        self.settle(&tx, actor, &instance, None, now).await?;
        commit(tx).await?;
        self.instance_view(actor, id).await
    }

    /// Reopens a closed checklist so items can change again (supervisors, with a reason).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn reopen_instance(&self, actor: &Actor, id: Uuid, input: OverrideInput) -> AppResult<InstanceView> {
        let reason = input.reason()?;
        let tx = self.store.begin_write().await?;
        let instance = self.locked_instance(&tx, actor, id).await?;
        // Read the time once the lock is held, so stamps follow commit order.
        let now = self.clock.now();
        can_supervise_section(actor, instance.section_id)?;
        let to = InstanceStatus::InProgress;
        let policy = self.policy(&tx, "CHECKLIST_INSTANCE").await?;
        policy.check(instance.status.as_str(), to.as_str(), Some(actor.role), Some(&reason.text)).map_err(|e| {
            AppError::StateConflict { message: e.to_string(), current: json!({ "status": instance.status }) }
        })?;
        self.record_override(
            &tx,
            actor,
            &instance,
            "REOPEN",
            &reason,
            to.as_str(),
            json!({ "closed_at": instance.closed_at, "closed_by": instance.closed_by }),
            now,
        )
        .await?;
        let mut reopened = instance.clone();
        reopened.status = to.into();
        reopened.closed_at = None;
        reopened.closed_by = None;
        reopened.updated_at = now;
        checklists::save_instance(&tx, reopened.clone()).await?;
        self.settle(&tx, actor, &reopened, None, now).await?;
        commit(tx).await?;
        self.instance_view(actor, id).await
    }

    /// Closes an open checklist as COMPLETED_WITH_EXCEPTIONS whatever its items say.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn force_close_instance(&self, actor: &Actor, id: Uuid, input: OverrideInput) -> AppResult<InstanceView> {
        let reason = input.reason()?;
        let tx = self.store.begin_write().await?;
        let instance = self.locked_instance(&tx, actor, id).await?;
        // Read the time once the lock is held, so stamps follow commit order.
        let now = self.clock.now();
        can_supervise_section(actor, instance.section_id)?;
        let to = InstanceStatus::CompletedWithExceptions;
        let policy = self.policy(&tx, "CHECKLIST_INSTANCE").await?;
        policy.check(instance.status.as_str(), to.as_str(), Some(actor.role), Some(&reason.text)).map_err(|e| {
            AppError::StateConflict { message: e.to_string(), current: json!({ "status": instance.status }) }
        })?;
        let loaded = Loaded::read(&tx, instance.clone()).await?;
        let open = loaded.item_statuses().iter().filter(|s| !s.is_actioned()).count();
        self.record_override(
            &tx,
            actor,
            &instance,
            "FORCE_CLOSE",
            &reason,
            to.as_str(),
            json!({ "open_items": open }),
            now,
        )
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
        checklists::save_instance(&tx, closed).await?;
        checklists::touch_instance(&tx, id, now).await?;
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
    ) -> AppResult<(InstanceView, Value)> {
        let tx = self.store.begin_write().await?;
        let instance = self.locked_instance(&tx, actor, id).await?;
        // Read the time once the lock is held, so stamps follow commit order.
        let now = self.clock.now();
        can_supervise_section(actor, instance.section_id)?;
        if !status_of(&instance).is_closed() {
            return Err(AppError::StateConflict {
                message: "Only a closed checklist can have its date corrected".into(),
                current: json!({ "status": instance.status }),
            });
        }
        validate::date("target_date", input.target_date)?;
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
        let reason = Reason { text: validate::text("reason", &reason, 1, 2000)?, given: true };
        let tz = self.business_timezone_in(&tx).await?;
        let shift = *instance.shift;
        let window = crate::shifts::window_of(&tx, shift).await?;
        let (start, end) = window.bounds(input.target_date, tz);
        let details = json!({ "from_date": instance.checklist_date, "to_date": input.target_date });
        self.record_override(
            &tx,
            actor,
            &instance,
            "DATE_CORRECTION",
            &reason,
            instance.status.as_str(),
            details.clone(),
            now,
        )
        .await?;
        let mut moved = instance.clone();
        moved.checklist_date = input.target_date;
        moved.shift_start = start;
        moved.shift_end = end;
        moved.updated_at = now;
        checklists::save_instance(&tx, moved).await?;
        checklists::touch_instance(&tx, id, now).await?;
        commit(tx).await?;
        Ok((self.instance_view(actor, id).await?, details))
    }

    /// Deletes an instance and everything in it (admins; managers of its section), audited.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn delete_instance(&self, actor: &Actor, id: Uuid) -> AppResult<()> {
        let tx = self.store.begin_write().await?;
        let instance = self.locked_instance(&tx, actor, id).await?;
        // Read the time once the lock is held, so stamps follow commit order.
        let now = self.clock.now();
        can_supervise_section(actor, instance.section_id)?;
        if status_of(&instance).is_closed() && !actor.is_admin() {
            return Err(crate::error::forbidden(
                "A closed checklist is part of the audit record: only an administrator may delete it",
            ));
        }
        record_ops(
            &tx,
            now,
            actor,
            OpsEvent {
                event_type: "CHECKLIST_INSTANCE_DELETED",
                entity_type: "CHECKLIST_INSTANCE",
                entity_id: id.to_string(),
                section_id: Some(instance.section_id),
                payload: json!({
                    "instance_id": id, "checklist_date": instance.checklist_date, "shift": instance.shift,
                    "status": instance.status, "template_name": instance.template_name,
                }),
            },
        )
        .await?;
        checklists::delete_instance(&tx, id).await?;
        let payload = json!({ "status": "DELETED", "previous_status": instance.status, "deleted": true });
        live::checklist_event(&tx, now, &instance, "CHECKLIST_UPDATE", actor, payload).await?;
        commit(tx).await
    }

    /// `GET …/stats`.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn instance_stats(&self, actor: &Actor, id: Uuid) -> AppResult<Value> {
        let reader = self.store.reader();
        let instance = self.visible_instance(reader, actor, id).await?;
        let loaded = Loaded::read(reader, instance.clone()).await?;
        let items = loaded.item_statuses();
        let count = |s: ItemStatus| items.iter().filter(|x| **x == s).count();
        let required: Vec<ItemStatus> = loaded.items.iter().filter(|i| i.is_required).map(|i| *i.status).collect();
        let now = self.clock.now();
        let remaining =
            if status_of(&instance).is_closed() { 0 } else { (instance.shift_end - now).num_minutes().max(0) };
        Ok(json!({
            "instance_id": id,
            "status": instance.status,
            "total_items": items.len(),
            "completed_items": count(ItemStatus::Completed),
            "skipped_items": count(ItemStatus::Skipped),
            "failed_items": count(ItemStatus::Failed),
            "pending_items": count(ItemStatus::Pending),
            "in_progress_items": count(ItemStatus::InProgress),
            "actioned_items": items.iter().filter(|s| s.is_actioned()).count(),
            "total_subitems": loaded.subitems.len(),
            "completed_subitems": loaded.subitem_statuses().iter().filter(|s| **s == ItemStatus::Completed).count(),
            "completion_percentage": completion_percentage(&items),
            "required_completion_percentage": completion_percentage(&required),
            "estimated_time_remaining_minutes": remaining,
            "participant_count": loaded.participants.len(),
        }))
    }
}
