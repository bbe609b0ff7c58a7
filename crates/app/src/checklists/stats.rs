//! The counts and percentages of one checklist.

use uuid::Uuid;

use sentinelops_domain::checklist::{ItemStatus, completion_percentage};

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
        let items = loaded.item_statuses();
        let count = |s: ItemStatus| items.iter().filter(|x| **x == s).count();
        let required: Vec<ItemStatus> = loaded.items.iter().filter(|i| i.is_required).map(|i| *i.status).collect();
        let now = self.clock.now();
        let remaining = if instance.status.is_closed() { 0 } else { (instance.shift_end - now).num_minutes().max(0) };
        Ok(InstanceStats {
            instance_id: id,
            status: *instance.status,
            total_items: items.len(),
            completed_items: count(ItemStatus::Completed),
            skipped_items: count(ItemStatus::Skipped),
            failed_items: count(ItemStatus::Failed),
            pending_items: count(ItemStatus::Pending),
            in_progress_items: count(ItemStatus::InProgress),
            actioned_items: items.iter().filter(|s| s.is_actioned()).count(),
            total_subitems: loaded.subitems.len(),
            completed_subitems: loaded.subitem_statuses().iter().filter(|s| **s == ItemStatus::Completed).count(),
            completion_percentage: completion_percentage(&items),
            required_completion_percentage: completion_percentage(&required),
            estimated_time_remaining_minutes: remaining,
            participant_count: loaded.participants.len(),
        })
    }
}
