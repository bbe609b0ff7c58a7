//! The instance lifecycle: OPEN → IN_PROGRESS → PENDING_REVIEW as work is done (the
//! roll-up after every change), the full view and its cached document, and deletion.
//! Sign-off, overrides and participants have modules of their own.

use chrono::{DateTime, Utc};
use serde_json::json;
use uuid::Uuid;

use sentinelops_domain::checklist::{InstanceStatus, ItemStatus, completion_percentage, progress_status};
use sentinelops_store::Tx;
use sentinelops_store::repo::checklists::{self, InstanceRow};

use super::view::InstanceView;
use super::write::{ManagersNotice, notify_managers};
use crate::App;
use crate::access::{can_supervise_section, can_use_section};
use crate::actor::Actor;
use crate::audit::{OpsEvent, record_ops};
use crate::error::AppResult;
use crate::live;
use crate::notifications::Priority;
use crate::tx::commit;

impl App {
    /// The full view of an instance the actor may see.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn instance_view(&self, actor: &Actor, id: Uuid) -> AppResult<InstanceView> {
        let reader = self.store.reader();
        let instance = self.visible_instance(reader, actor, id).await?;
        self.render_instance(instance).await
    }

    /// The view of an instance the actor may see, serialized by `serialize` (the
    /// caller's wire format), from the cache while the instance's revision is
    /// unchanged: without a query while nothing was written in this process since the
    /// revision was confirmed, else after reading the instance row (which the access
    /// check needs anyway). `fresh` renders it anew. A process serves one wire format,
    /// so the cache holds one document per checklist.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn instance_document(
        &self,
        actor: &Actor,
        id: Uuid,
        fresh: bool,
        serialize: impl FnOnce(InstanceView) -> AppResult<Vec<u8>>,
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
        let body = serialize(view)?;
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
        let from = *current.status;
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
            let notice = ManagersNotice {
                title: format!("Checklist pending approval - {} shift", current.shift),
                message: format!(
                    "{} ({} - {}) has every item actioned ({completion}% completed) and awaits sign-off.",
                    current.template_name, current.shift, current.checklist_date
                ),
                priority: Priority::Medium,
                related_entity: "checklist_manager_review",
            };
            notify_managers(c, now, &current, actor, notice).await?;
            self.carry_over_failed_work(c, actor, &current, now).await?;
        }
        Ok(())
    }

    /// Deletes an instance and everything in it (admins; managers of its section), audited.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn delete_instance(&self, actor: &Actor, id: Uuid) -> AppResult<()> {
        let tx = self.store.begin_write().await?;
        let instance = self.locked_instance(&tx, actor, id).await?;
        // Read the time once the lock is held, so stamps follow commit order.
        let now = self.clock.now();
        can_supervise_section(actor, instance.section_id)?;
        if instance.status.is_closed() && !actor.is_admin() {
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
        // Everything it paid is taken back first (the rows then lose their checklist).
        self.settle_points(&tx, &instance, actor, crate::gamification::Target::Nothing, now).await?;
        checklists::delete_instance(&tx, id).await?;
        let payload = json!({ "status": "DELETED", "previous_status": instance.status, "deleted": true });
        live::checklist_event(&tx, now, &instance, "CHECKLIST_UPDATE", actor, payload).await?;
        commit(tx).await
    }
}
