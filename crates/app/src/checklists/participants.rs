//! Joining a checklist as a participant.

use serde_json::json;
use uuid::Uuid;

use sentinelops_domain::ids::new_id;
use sentinelops_store::repo::checklists::{self, ParticipantRow};

use super::view::InstanceView;
use super::write::{ManagersNotice, notify_managers};
use crate::App;
use crate::actor::Actor;
use crate::audit::{OpsEvent, record_ops};
use crate::error::{AppError, AppResult, invalid};
use crate::live;
use crate::notifications::Priority;
use crate::tx::commit;

impl App {
    /// `POST …/join`: idempotent; PARTICIPANT_JOINED and the managers' notification on
    /// the first join only.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn join_instance(&self, actor: &Actor, id: Uuid) -> AppResult<(InstanceView, bool)> {
        let tx = self.store.begin_write().await?;
        let instance = self.locked_instance(&tx, actor, id).await?;
        // Read the time once the lock is held, so stamps follow commit order.
        let now = self.clock.now();
        if instance.status.is_closed() {
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
            let notice = ManagersNotice {
                title: format!("\u{1F44B} {} joined the shift", actor.username),
                message: format!(
                    "{} joined the {} shift checklist for {}.\nTeam collaboration is now active.",
                    actor.username, instance.shift, instance.checklist_date
                ),
                priority: Priority::Medium,
                related_entity: "checklist_instance",
            };
            notify_managers(&tx, now, &instance, actor, notice).await?;
        }
        commit(tx).await?;
        Ok((self.instance_view(actor, id).await?, joined))
    }
}
