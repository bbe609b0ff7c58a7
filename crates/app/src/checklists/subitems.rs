//! Working an item's subitems: each change is checked against the subitem policy;
//! acting on a subitem starts its parent; skips and failures alert the managers.

use serde_json::json;
use uuid::Uuid;

use sentinelops_domain::ActivityAction;
use sentinelops_domain::checklist::ItemStatus;
use sentinelops_store::repo::checklists::{self, InstanceItemRow};

use super::conflict::CurrentState;
use super::item_changes::{bounded, refused, step_action, step_reason};
use super::progress::{CompletionSummary, SubitemChanged, SubitemProgress};
use super::step::{step_change, subitem_step, subitem_with, worker};
use super::write::{ActivityEntry, Change, ChecklistWrite, Reached};
use crate::App;
use crate::actor::Actor;
use crate::error::{AppError, AppResult, not_found};
use crate::gamification::ActionScene;
use crate::tx::commit;

/// A change of a subitem's status.
#[derive(Debug, Clone)]
pub struct SubitemUpdate {
    pub status: ItemStatus,
    pub reason: Option<String>,
    pub comment: Option<String>,
}

impl App {
    /// One item and its subitems, as the actor may see them.
    async fn visible_subitems(
        &self,
        actor: &Actor,
        instance_id: Uuid,
        item_id: Uuid,
    ) -> AppResult<(InstanceItemRow, SubitemProgress)> {
        let reader = self.store.reader();
        self.visible_instance(reader, actor, instance_id).await?;
        let item = checklists::find_item(reader, instance_id, item_id)
            .await?
            .ok_or_else(|| not_found("Checklist item not found"))?;
        let subitems = checklists::subitems_of_item(reader, item.id).await?;
        let progress = SubitemProgress { item_id: item.id, subitems };
        Ok((item, progress))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn list_subitems(&self, actor: &Actor, instance_id: Uuid, item_id: Uuid) -> AppResult<SubitemProgress> {
        Ok(self.visible_subitems(actor, instance_id, item_id).await?.1)
    }

    /// Whether the item's subitems let it be completed (the rule `update_item` enforces).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn completion_summary(
        &self,
        actor: &Actor,
        instance_id: Uuid,
        item_id: Uuid,
    ) -> AppResult<CompletionSummary> {
        let (item, progress) = self.visible_subitems(actor, instance_id, item_id).await?;
        let all_actioned = progress.all_actioned();
        let failed = progress.count(ItemStatus::Failed);
        Ok(CompletionSummary {
            all_completed: progress.subitems.iter().all(|s| s.status == ItemStatus::Completed),
            can_complete_item: all_actioned && (failed == 0 || item.final_verdict.is_some()),
            requires_final_verdict: failed > 0 && item.final_verdict.is_none(),
            progress,
        })
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
    ) -> AppResult<SubitemChanged> {
        let to = update.status;
        let comment = bounded("comment", update.comment.as_deref(), 2000)?;
        let reason = step_reason(to, update.reason.as_deref(), comment.as_ref())?;
        // Lock, then load the item and its subitems.
        let tx = self.store.begin_write().await?;
        let instance = self.workable_instance(&tx, actor, instance_id).await?;
        let write = ChecklistWrite { tx: &tx, actor, instance: &instance, now: self.clock.now() };
        let now = write.now;
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
                current: CurrentState::of_item(&item),
            });
        }
        // Apply the step rule and save it if nobody changed the subitem meanwhile.
        let from = *subitem.status;
        let policy = self.policy(&tx, "CHECKLIST_SUBITEM").await?;
        let change = Change { to, reason: reason.clone(), comment, verdict: None, expected: None };
        let step = subitem_step(&subitem)
            .apply(&policy, step_change(&change), worker(actor), now)
            .map_err(|e| refused(e, CurrentState::of_subitem(&subitem)))?;
        let saved = subitem_with(&subitem, step, now);
        if !checklists::update_subitem_if_version(&tx, saved.clone(), subitem.version).await? {
            return Err(AppError::StateConflict {
                message: "Another update landed first".into(),
                current: CurrentState::of_subitem(&subitem),
            });
        }
        // Consequences: the activity line, alerts, the parent started, the roll-up.
        let duration_ms = subitem.started_at.map(|s| (now - s).num_milliseconds()).filter(|_| to.is_actioned());
        write
            .log_activity(ActivityEntry {
                item_id: item.id,
                subitem_id: Some(subitem.id),
                action: ActivityAction::for_status(to),
                from: Some(from),
                to: Some(to),
                comment: change.comment,
                reason: change.reason,
                duration_ms,
            })
            .await?;
        let reached =
            Reached { id: subitem.id, title: &subitem.title, to, reason: reason.as_deref(), parent: Some(item.id) };
        write.announce(reached).await?;
        if let Some(user) = actor.recorded_id() {
            let scene = ActionScene { tx: &tx, instance: &instance, user, now };
            self.record_step_action(scene, step_action(&saved, true, to)).await?;
        }
        if item.status == ItemStatus::Pending {
            let item_policy = self.policy(&tx, "CHECKLIST_ITEM").await?;
            self.apply_item_change(&write, item.clone(), Change::to(ItemStatus::InProgress), &item_policy).await?;
        }
        self.settle(&tx, actor, &instance, None, now).await?;
        let progress =
            SubitemProgress { item_id: item.id, subitems: checklists::subitems_of_item(&tx, item.id).await? };
        let payload = json!({
            "subitem_id": subitem_id, "item_id": item.id, "status": to.as_str(),
            "previous_status": from.as_str(), "all_subitems_done": progress.all_actioned(),
        });
        write.live_event("SUBITEM_UPDATED", payload).await?;
        commit(tx).await?;
        Ok(SubitemChanged { subitem_id, status: to, progress })
    }
}
