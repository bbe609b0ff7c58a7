//! Working items and subitems: every change is checked against the transition policy,
//! written only if nobody changed the row since it was read (else 409 with the current
//! state), and committed together with its activity row, ops event and notifications.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use sentinelops_domain::checklist::{ItemStatus, TransitionError, TransitionPolicy};
use sentinelops_domain::ids::new_id;
use sentinelops_store::Conn;
use sentinelops_store::repo::checklists::{self, ActivityRow, InstanceItemRow, InstanceRow, InstanceSubitemRow};

use super::step::{item_step, item_with, step_change, subitem_step, subitem_with, worker};
use super::view::InstanceView;
use crate::access::can_use_section;
use crate::actor::Actor;
use crate::audit::{OpsEvent, record_ops};
use crate::error::{AppError, AppResult, invalid, not_found};
use crate::live;
use crate::notifications::{self, Audience, Draft, Priority};
use crate::tx::commit;
use crate::{App, validate};

/// `PATCH …/items/{id}` body (the original's fields; `evidence_data`, `action_type`
/// and `metadata` are accepted, and `metadata.previous_status` guards against races).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ItemUpdate {
    pub status: String,
    pub comment: Option<String>,
    pub notes: Option<String>,
    pub reason: Option<String>,
    pub final_verdict: Option<String>,
    pub evidence_data: Option<Value>,
    pub action_type: Option<String>,
    pub metadata: Option<Value>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct StartWork {
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct SubitemUpdate {
    pub status: String,
    pub reason: Option<String>,
    pub comment: Option<String>,
}

fn parse_status(value: &str) -> AppResult<ItemStatus> {
    ItemStatus::parse(value)
        .ok_or_else(|| invalid("status must be one of PENDING, IN_PROGRESS, COMPLETED, SKIPPED, FAILED"))
}

fn bounded(field: &str, value: Option<&str>, max: usize) -> AppResult<Option<String>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => Ok(Some(validate::text(field, v, 1, max)?)),
        None => Ok(None),
    }
}

fn activity_action(to: ItemStatus) -> &'static str {
    match to {
        ItemStatus::InProgress => "STARTED",
        ItemStatus::Completed => "COMPLETED",
        ItemStatus::Skipped => "SKIPPED",
        ItemStatus::Failed => "ESCALATED",
        ItemStatus::Pending => "UPDATED",
    }
}

fn item_state(item: &InstanceItemRow) -> Value {
    json!({
        "item_id": item.id, "status": item.status, "version": item.version,
        "completed_by": item.completed_by, "completed_at": item.completed_at,
        "skipped_reason": item.skipped_reason, "failure_reason": item.failure_reason,
    })
}

fn subitem_state(s: &InstanceSubitemRow) -> Value {
    json!({
        "subitem_id": s.id, "status": s.status, "version": s.version,
        "completed_by": s.completed_by, "completed_at": s.completed_at,
        "skipped_reason": s.skipped_reason, "failure_reason": s.failure_reason,
    })
}

/// Maps a refused transition to the answer: a missing reason is 422; anything the
/// current state forbids is 409 with that state.
fn refused(err: TransitionError, current: Value) -> AppError {
    match err {
        TransitionError::ReasonRequired { .. } => AppError::Validation(err.to_string()),
        other => AppError::StateConflict { message: other.to_string(), current },
    }
}

/// What a requested change says.
pub(crate) struct Change {
    pub to: ItemStatus,
    pub reason: Option<String>,
    pub comment: Option<String>,
    pub verdict: Option<String>,
    /// The status the client saw; a different current status is a lost race.
    pub expected: Option<ItemStatus>,
}

impl App {
    /// An instance the actor may work on: it exists, is in their section, and is not closed.
    #[tracing::instrument(level = "debug", skip_all)]
    pub(crate) async fn workable_instance(&self, c: &impl Conn, actor: &Actor, id: Uuid) -> AppResult<InstanceRow> {
        let instance = self.locked_instance(c, actor, id).await?;
        if instance.status.is_closed() {
            return Err(AppError::StateConflict {
                message: format!(
                    "Checklist is closed ({}); a supervisor must reopen it before items can change",
                    instance.status
                ),
                current: json!({ "instance_id": instance.id, "status": instance.status }),
            });
        }
        Ok(instance)
    }

    /// An instance the actor may change, locked for the rest of the transaction.
    #[tracing::instrument(level = "debug", skip_all)]
    pub(crate) async fn locked_instance(&self, c: &impl Conn, actor: &Actor, id: Uuid) -> AppResult<InstanceRow> {
        let instance = checklists::find_instance_for_update(c, id)
            .await?
            .ok_or_else(|| not_found("Checklist instance not found"))?;
        can_use_section(actor, instance.section_id)?;
        Ok(instance)
    }

    /// An instance the actor may see (404 unknown, 403 another section).
    #[tracing::instrument(level = "debug", skip_all)]
    pub(crate) async fn visible_instance(&self, c: &impl Conn, actor: &Actor, id: Uuid) -> AppResult<InstanceRow> {
        let instance =
            checklists::find_instance(c, id).await?.ok_or_else(|| not_found("Checklist instance not found"))?;
        can_use_section(actor, instance.section_id)?;
        Ok(instance)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn update_item(
        &self,
        actor: &Actor,
        instance_id: Uuid,
        item_id: Uuid,
        update: ItemUpdate,
    ) -> AppResult<InstanceView> {
        let to = parse_status(&update.status)?;
        let comment = bounded("comment", update.comment.as_deref().or(update.notes.as_deref()), 2000)?;
        let reason = bounded("reason", update.reason.as_deref(), 1000)?;
        // A skip or failure explained only in the comment still has its explanation.
        let reason =
            reason.or_else(|| comment.clone().filter(|_| matches!(to, ItemStatus::Skipped | ItemStatus::Failed)));
        let verdict = bounded("final_verdict", update.final_verdict.as_deref(), 2000)?;
        let expected = update
            .metadata
            .as_ref()
            .and_then(|m| m.get("previous_status"))
            .and_then(Value::as_str)
            .and_then(ItemStatus::parse);
        let tx = self.store.begin_write().await?;
        let instance = self.workable_instance(&tx, actor, instance_id).await?;
        // Read the time once the lock is held, so stamps follow commit order.
        let now = self.clock.now();
        let base = self.snapshots.take(instance_id, instance.revision);
        // The kept rows, when there are some, are this revision's: no need to read
        // the item or (after the change) every item's status inside the write.
        let item = match base.as_ref().and_then(|snapshot| snapshot.item(item_id)) {
            Some(item) => item.clone(),
            None => checklists::find_item(&tx, instance_id, item_id)
                .await?
                .ok_or_else(|| not_found("Checklist item not found"))?,
        };
        let policy = self.policy(&tx, "CHECKLIST_ITEM").await?;
        self.apply_item_change(
            &tx,
            actor,
            &instance,
            item,
            Change { to, reason, comment, verdict, expected },
            &policy,
            now,
        )
        .await?;
        let statuses = base.as_ref().map(|snapshot| snapshot.item_statuses_after(item_id, to));
        self.settle(&tx, actor, &instance, statuses, now).await?;
        commit(tx).await?;
        self.view_after_item_change(actor, base, instance_id, item_id).await
    }

    /// Applies one item change with its consequences (not the instance roll-up).
    #[allow(clippy::too_many_arguments)]
    #[tracing::instrument(level = "debug", skip_all)]
    pub(crate) async fn apply_item_change(
        &self,
        c: &impl Conn,
        actor: &Actor,
        instance: &InstanceRow,
        item: InstanceItemRow,
        change: Change,
        policy: &TransitionPolicy,
        now: DateTime<Utc>,
    ) -> AppResult<InstanceItemRow> {
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
            .apply(policy, step_change(&change), worker(actor), now)
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
            let current = checklists::find_item(c, instance.id, item.id).await?.unwrap_or(item);
            return Err(AppError::StateConflict {
                message: format!("Another update landed first: the item is now {}", current.status),
                current: item_state(&current),
            });
        }
        next.version = item.version + 1;
        let duration_ms = item.started_at.map(|s| (now - s).num_milliseconds()).filter(|_| change.to.is_actioned());
        self.log_activity(
            c,
            actor,
            instance,
            item.id,
            None,
            activity_action(change.to),
            Some(from),
            Some(change.to),
            &change,
            duration_ms,
            now,
        )
        .await?;
        self.item_consequences(
            c,
            actor,
            instance,
            &next.title,
            next.id,
            change.to,
            change.reason.as_deref(),
            false,
            now,
        )
        .await?;
        let payload = json!({ "item_id": next.id, "status": change.to.as_str(), "previous_status": from.as_str() });
        live::checklist_event(c, now, instance, "ITEM_UPDATED", actor, payload).await?;
        Ok(next)
    }

    #[allow(clippy::too_many_arguments)]
    #[tracing::instrument(level = "debug", skip_all)]
    pub(crate) async fn log_activity(
        &self,
        c: &impl Conn,
        actor: &Actor,
        instance: &InstanceRow,
        item_id: Uuid,
        subitem_id: Option<Uuid>,
        action: &str,
        from: Option<ItemStatus>,
        to: Option<ItemStatus>,
        change: &Change,
        duration_ms: Option<i64>,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        let Some(user_id) = actor.recorded_id() else {
            return Ok(());
        };
        checklists::insert_activity(
            c,
            ActivityRow {
                id: new_id(),
                instance_id: instance.id,
                instance_item_id: item_id,
                instance_subitem_id: subitem_id,
                user_id,
                action: action.to_owned(),
                from_status: from.map(|s| s.as_str().to_owned()),
                to_status: to.map(|s| s.as_str().to_owned()),
                comment: change.comment.clone(),
                reason: change.reason.clone().filter(|_| to.is_some_and(ItemStatus::is_exception)),
                duration_ms,
                created_at: now,
            },
        )
        .await?;
        Ok(())
    }

    /// The ops event and manager alerts of an item or subitem reaching a status.
    #[allow(clippy::too_many_arguments)]
    async fn item_consequences(
        &self,
        c: &impl Conn,
        actor: &Actor,
        instance: &InstanceRow,
        title: &str,
        id: Uuid,
        to: ItemStatus,
        reason: Option<&str>,
        is_subitem: bool,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        let what = if is_subitem { "Subitem" } else { "Item" };
        let event_type = match to {
            ItemStatus::Completed => Some("ITEM_COMPLETED"),
            ItemStatus::Skipped => Some("ITEM_SKIPPED"),
            ItemStatus::Failed => Some("ITEM_FAILED"),
            _ => None,
        };
        if let Some(event_type) = event_type.filter(|_| !is_subitem) {
            record_ops(
                c,
                now,
                actor,
                OpsEvent {
                    event_type,
                    entity_type: "CHECKLIST_ITEM",
                    entity_id: id.to_string(),
                    section_id: Some(instance.section_id),
                    payload: json!({
                        "instance_id": instance.id, "item_id": id, "item_title": title, "status": to.as_str(),
                        "reason": reason, "shift": instance.shift, "checklist_date": instance.checklist_date,
                    }),
                },
            )
            .await?;
        }
        let alert = match to {
            ItemStatus::Skipped => Some((format!("Checklist {what} Skipped"), "skipped", Priority::High)),
            ItemStatus::Failed => {
                Some((format!("CRITICAL: Checklist {what} Escalated"), "marked failed", Priority::Critical))
            }
            _ => None,
        };
        if let Some((title_line, verb, priority)) = alert {
            let message = format!(
                "{what} '{title}' was {verb} by {} in {} ({} - {}). Reason: {}",
                actor.username,
                instance.template_name,
                instance.shift,
                instance.checklist_date,
                reason.unwrap_or("No reason provided"),
            );
            notifications::send(
                c,
                now,
                Draft {
                    title: format!("{title_line} - {title}"),
                    message,
                    priority,
                    related_entity: "checklist_manager_alert",
                    related_id: Some(instance.id),
                    section_id: Some(instance.section_id),
                    audience: Audience::SectionManagersAndAdmins { section_id: instance.section_id },
                    exclude: actor.recorded_id(),
                },
            )
            .await?;
        }
        Ok(())
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
    ) -> AppResult<Value> {
        let comment = bounded("comment", input.comment.as_deref(), 2000)?;
        let tx = self.store.begin_write().await?;
        let instance = self.workable_instance(&tx, actor, instance_id).await?;
        // Read the time once the lock is held, so stamps follow commit order.
        let now = self.clock.now();
        let item = checklists::find_item(&tx, instance_id, item_id)
            .await?
            .ok_or_else(|| not_found("Checklist item not found"))?;
        let item = if item.status == ItemStatus::Pending {
            let policy = self.policy(&tx, "CHECKLIST_ITEM").await?;
            let change = Change { to: ItemStatus::InProgress, reason: None, comment, verdict: None, expected: None };
            self.apply_item_change(&tx, actor, &instance, item, change, &policy, now).await?
        } else if item.status == ItemStatus::InProgress {
            item
        } else {
            return Err(AppError::StateConflict {
                message: format!("Work cannot start on an item that is {}", item.status),
                current: item_state(&item),
            });
        };
        self.settle(&tx, actor, &instance, None, now).await?;
        let subitems = checklists::subitems_of_item(&tx, item.id).await?;
        commit(tx).await?;
        let done = subitems.iter().filter(|s| s.status == ItemStatus::Completed).count();
        let statuses: Vec<ItemStatus> = subitems.iter().map(|s| *s.status).collect();
        Ok(json!({
            "item_id": item.id,
            "item_title": item.title,
            "item_status": item.status,
            "has_subitems": !subitems.is_empty(),
            "subitems": subitems.iter().map(subitem_json).collect::<Vec<_>>(),
            "next_subitem": next_subitem(&subitems),
            "subitem_count": subitems.len(),
            "completed_subitem_count": done,
            "subitem_status": sentinelops_domain::checklist::subitems_status(&statuses),
        }))
    }

    /// `POST …/comment`: a COMMENTED activity row.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn comment_item(
        &self,
        actor: &Actor,
        instance_id: Uuid,
        item_id: Uuid,
        comment: &str,
    ) -> AppResult<(InstanceView, Value)> {
        let comment = validate::text("comment", comment, 1, 2000)?;
        let tx = self.store.begin_write().await?;
        let instance = self.locked_instance(&tx, actor, instance_id).await?;
        // Read the time once the lock is held, so stamps follow commit order.
        let now = self.clock.now();
        let base = self.snapshots.take(instance_id, instance.revision);
        let item = checklists::find_item(&tx, instance_id, item_id)
            .await?
            .ok_or_else(|| not_found("Checklist item not found"))?;
        let change = Change {
            to: ItemStatus::Pending,
            reason: None,
            comment: Some(comment.clone()),
            verdict: None,
            expected: None,
        };
        self.log_activity(&tx, actor, &instance, item.id, None, "COMMENTED", None, None, &change, None, now).await?;
        let payload = json!({ "item_id": item.id, "status": item.status, "comment": true });
        live::checklist_event(&tx, now, &instance, "ITEM_UPDATED", actor, payload).await?;
        checklists::touch_instance(&tx, instance.id, now).await?;
        commit(tx).await?;
        let activity =
            json!({ "action": "COMMENTED", "comment": comment, "user_id": actor.recorded_id(), "created_at": now });
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
        // Read the time once the lock is held, so stamps follow commit order.
        let now = self.clock.now();
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
        next.final_verdict_at = Some(now);
        next.updated_at = now;
        if !checklists::update_item_if_version(&tx, next, item.version).await? {
            return Err(AppError::StateConflict {
                message: "Another update landed first".into(),
                current: item_state(&item),
            });
        }
        let change =
            Change { to: ItemStatus::Pending, reason: None, comment: Some(verdict), verdict: None, expected: None };
        self.log_activity(&tx, actor, &instance, item.id, None, "VERDICT", None, None, &change, None, now).await?;
        let payload = json!({ "item_id": item.id, "status": item.status, "final_verdict": true });
        live::checklist_event(&tx, now, &instance, "ITEM_UPDATED", actor, payload).await?;
        checklists::touch_instance(&tx, instance.id, now).await?;
        commit(tx).await?;
        self.view_after_item_change(actor, base, instance_id, item_id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn list_subitems(&self, actor: &Actor, instance_id: Uuid, item_id: Uuid) -> AppResult<Value> {
        let reader = self.store.reader();
        self.visible_instance(reader, actor, instance_id).await?;
        let item = checklists::find_item(reader, instance_id, item_id)
            .await?
            .ok_or_else(|| not_found("Checklist item not found"))?;
        let subitems = checklists::subitems_of_item(reader, item.id).await?;
        Ok(json!({
            "item_id": item.id,
            "subitems": subitems.iter().map(subitem_json).collect::<Vec<_>>(),
            "next_subitem": next_subitem(&subitems),
            "stats": subitem_stats(&subitems),
        }))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn completion_summary(&self, actor: &Actor, instance_id: Uuid, item_id: Uuid) -> AppResult<Value> {
        let reader = self.store.reader();
        self.visible_instance(reader, actor, instance_id).await?;
        let item = checklists::find_item(reader, instance_id, item_id)
            .await?
            .ok_or_else(|| not_found("Checklist item not found"))?;
        let subitems = checklists::subitems_of_item(reader, item.id).await?;
        let stats = subitem_stats(&subitems);
        let statuses: Vec<ItemStatus> = subitems.iter().map(|s| *s.status).collect();
        let all_actioned = statuses.iter().all(|s| s.is_actioned());
        let failed = statuses.iter().filter(|s| **s == ItemStatus::Failed).count();
        Ok(json!({
            "item_id": item.id,
            "has_subitems": !subitems.is_empty(),
            "subitems": subitems.iter().map(subitem_json).collect::<Vec<_>>(),
            "stats": stats,
            "summary": {
                "all_completed": subitems.iter().all(|s| s.status == ItemStatus::Completed),
                "all_actioned": all_actioned,
                "status": sentinelops_domain::checklist::subitems_status(&statuses),
                // The rule the server enforces: every subitem actioned, and a verdict when one failed.
                "can_complete_item": all_actioned && (failed == 0 || item.final_verdict.is_some()),
                "requires_final_verdict": failed > 0 && item.final_verdict.is_none(),
            },
        }))
    }

    /// `PATCH …/subitems/{id}`: the subitem policy applies; acting on a subitem starts
    /// its parent; skips and failures alert the managers.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn update_subitem(
        &self,
        actor: &Actor,
        instance_id: Uuid,
        item_id: Uuid,
        subitem_id: Uuid,
        update: SubitemUpdate,
    ) -> AppResult<Value> {
        let to = parse_status(&update.status)?;
        let comment = bounded("comment", update.comment.as_deref(), 2000)?;
        let reason = bounded("reason", update.reason.as_deref(), 1000)?
            .or_else(|| comment.clone().filter(|_| matches!(to, ItemStatus::Skipped | ItemStatus::Failed)));
        let tx = self.store.begin_write().await?;
        let instance = self.workable_instance(&tx, actor, instance_id).await?;
        // Read the time once the lock is held, so stamps follow commit order.
        let now = self.clock.now();
        let item = checklists::find_item(&tx, instance_id, item_id)
            .await?
            .ok_or_else(|| not_found("Checklist item not found"))?;
        let subitems = checklists::subitems_of_item(&tx, item.id).await?;
        let subitem = subitems
            .iter()
            .find(|s| s.id == subitem_id)
            .cloned()
            .ok_or_else(|| not_found("Checklist subitem not found"))?;
        if item.status == ItemStatus::Completed {
            return Err(AppError::StateConflict {
                message: "The item is already completed; its subitems are frozen".into(),
                current: item_state(&item),
            });
        }
        let from = *subitem.status;
        let policy = self.policy(&tx, "CHECKLIST_SUBITEM").await?;
        let change = Change { to, reason: reason.clone(), comment, verdict: None, expected: None };
        let step = subitem_step(&subitem)
            .apply(&policy, step_change(&change), worker(actor), now)
            .map_err(|e| refused(e, subitem_state(&subitem)))?;
        if !checklists::update_subitem_if_version(&tx, subitem_with(&subitem, step, now), subitem.version).await? {
            return Err(AppError::StateConflict {
                message: "Another update landed first".into(),
                current: subitem_state(&subitem),
            });
        }
        let duration_ms = subitem.started_at.map(|s| (now - s).num_milliseconds()).filter(|_| to.is_actioned());
        self.log_activity(
            &tx,
            actor,
            &instance,
            item.id,
            Some(subitem.id),
            activity_action(to),
            Some(from),
            Some(to),
            &change,
            duration_ms,
            now,
        )
        .await?;
        self.item_consequences(&tx, actor, &instance, &subitem.title, subitem.id, to, reason.as_deref(), true, now)
            .await?;
        if item.status == ItemStatus::Pending {
            let item_policy = self.policy(&tx, "CHECKLIST_ITEM").await?;
            let start =
                Change { to: ItemStatus::InProgress, reason: None, comment: None, verdict: None, expected: None };
            self.apply_item_change(&tx, actor, &instance, item.clone(), start, &item_policy, now).await?;
        }
        self.settle(&tx, actor, &instance, None, now).await?;
        let subitems = checklists::subitems_of_item(&tx, item.id).await?;
        let done = subitems.iter().all(|s| s.status.is_actioned());
        let payload = json!({
            "subitem_id": subitem_id, "item_id": item.id, "status": to.as_str(),
            "previous_status": from.as_str(), "all_subitems_done": done,
        });
        live::checklist_event(&tx, now, &instance, "SUBITEM_UPDATED", actor, payload).await?;
        commit(tx).await?;
        let all_done = subitems.iter().all(|s| s.status.is_actioned());
        Ok(json!({
            "subitem_id": subitem_id,
            "status": to.as_str(),
            "next_subitem": next_subitem(&subitems),
            "all_subitems_done": all_done,
            "subitems": subitems.iter().map(subitem_json).collect::<Vec<_>>(),
            "stats": subitem_stats(&subitems),
        }))
    }
}

pub(crate) fn subitem_json(s: &InstanceSubitemRow) -> Value {
    json!({
        "id": s.id, "instance_item_id": s.instance_item_id, "title": s.title, "description": s.description,
        "item_type": s.item_type, "is_required": s.is_required, "has_exe_time": s.has_exe_time, "severity": s.severity,
        "sort_order": s.sort_order, "status": s.status,
        "scheduled_time": s.scheduled_time.map(crate::shifts::format_time), "notify_before_minutes": s.notify_before_minutes,
        "scheduled_at": s.scheduled_at, "remind_at": s.remind_at, "started_at": s.started_at, "started_by": s.started_by,
        "completed_by": s.completed_by, "completed_at": s.completed_at, "skipped_reason": s.skipped_reason,
        "failure_reason": s.failure_reason, "created_at": s.created_at, "version": s.version,
    })
}

/// The lowest-ordered subitem still PENDING.
fn next_subitem(subitems: &[InstanceSubitemRow]) -> Value {
    subitems.iter().find(|s| s.status == ItemStatus::Pending).map_or(Value::Null, subitem_json)
}

fn subitem_stats(subitems: &[InstanceSubitemRow]) -> Value {
    let count = |status: ItemStatus| subitems.iter().filter(|s| s.status == status).count();
    let statuses: Vec<ItemStatus> = subitems.iter().map(|s| *s.status).collect();
    json!({
        "total": subitems.len(),
        "completed": count(ItemStatus::Completed),
        "skipped": count(ItemStatus::Skipped),
        "failed": count(ItemStatus::Failed),
        "pending": count(ItemStatus::Pending),
        "in_progress": count(ItemStatus::InProgress),
        "all_actioned": statuses.iter().all(|s| s.is_actioned()),
        "status": sentinelops_domain::checklist::subitems_status(&statuses),
    })
}
