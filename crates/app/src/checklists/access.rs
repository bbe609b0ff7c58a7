//! Which checklist an actor may see, change or work on.

use uuid::Uuid;

use sentinelops_store::Conn;
use sentinelops_store::repo::checklists::{self, InstanceRow};

use super::conflict::CurrentState;
use crate::App;
use crate::access::can_use_section;
use crate::actor::Actor;
use crate::error::{AppError, AppResult, not_found};

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
                current: CurrentState::of_named_instance(&instance),
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
}
