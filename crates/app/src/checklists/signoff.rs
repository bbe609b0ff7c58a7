//! Sign-off: a manager or admin closes a checklist in review as COMPLETED or
//! COMPLETED_WITH_EXCEPTIONS, as the evidence says, and the participants and
//! supervisors are told.

use serde_json::json;
use uuid::Uuid;

use sentinelops_domain::SECTION_SUPERVISORS;
use sentinelops_domain::checklist::{InstanceStatus, ItemStatus, completion_percentage, sign_off_outcome};
use sentinelops_store::repo::checklists;

use super::conflict::CurrentState;
use super::view::{InstanceView, Loaded};
use crate::access::can_supervise_section;
use crate::actor::Actor;
use crate::audit::{OpsEvent, record_ops};
use crate::error::{AppError, AppResult};
use crate::gamification::Target;
use crate::live;
use crate::notifications::{self, Audience, Draft, Priority};
use crate::report_mail::{Closing, queue_shift_report};
use crate::tx::commit;
use crate::{App, validate};

impl App {
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
        if instance.status != InstanceStatus::PendingReview {
            return Err(AppError::StateConflict {
                message: "Checklist must reach pending approval before it can be completed.".into(),
                current: CurrentState::of_named_instance(&instance),
            });
        }
        let loaded = Loaded::read(&tx, instance.clone()).await?;
        let (items, subitems) = (loaded.item_statuses(), loaded.subitem_statuses());
        let outcome = sign_off_outcome(&items, &subitems);
        self.check_instance_move(&tx, &instance, outcome, actor.role, None).await?;
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
        let closing = Closing::SignedOff { by: &actor.username };
        queue_shift_report(&tx, now, &closed, closing).await?;
        self.settle_points(&tx, &closed, actor, Target::CurrentState, now).await?;
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
}
