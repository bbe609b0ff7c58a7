//! The counts and percentages of one checklist.

use uuid::Uuid;

use super::progress::InstanceStats;
use super::view::Loaded;
use crate::App;
use crate::actor::Actor;
use crate::error::AppResult;

impl App {
    /// `GET …/stats`.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn instance_stats(&self, actor: &Actor, id: Uuid) -> AppResult<InstanceStats> {
        let reader = self.store.reader();
        let instance = self.visible_instance(reader, actor, id).await?;
        let loaded = Loaded::read(reader, instance.clone()).await?;
        let now = self.clock.now();
        let remaining = if instance.status.is_closed() { 0 } else { (instance.shift_end - now).num_minutes().max(0) };
        Ok(InstanceStats {
            instance_id: id,
            status: *instance.status,
            items: loaded.item_statuses(),
            required_items: loaded.items.iter().filter(|i| i.is_required).map(|i| *i.status).collect(),
            subitems: loaded.subitem_statuses(),
            participant_count: loaded.participants.len(),
            estimated_time_remaining_minutes: remaining,
        })
    }
}
