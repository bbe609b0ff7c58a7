//! A section's leaderboard setting: whether operators see other operators' names.

use serde_json::json;
use uuid::Uuid;

use sentinelops_store::repo::org;

use crate::App;
use crate::access::{can_supervise_section, can_use_section};
use crate::actor::Actor;
use crate::audit::{OpsEvent, record_ops};
use crate::error::{AppResult, not_found};
use crate::tx::commit;

/// The ops event of a change of the setting.
pub const SETTINGS_CHANGED: &str = "LEADERBOARD_SETTINGS_CHANGED";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeaderboardSettings {
    pub section_id: Uuid,
    pub hide_leaderboard_names: bool,
}

impl App {
    /// The section's setting (its members and admins may read it).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn leaderboard_settings(&self, actor: &Actor, section_id: Uuid) -> AppResult<LeaderboardSettings> {
        can_use_section(actor, section_id)?;
        let section =
            org::find_section(self.store.reader(), section_id).await?.ok_or_else(|| not_found("Section not found"))?;
        Ok(LeaderboardSettings { section_id, hide_leaderboard_names: section.hide_leaderboard_names.unwrap_or(false) })
    }

    /// Sets whether the section's operators see ranks without names: by the section's
    /// manager or an admin, audited as an ops event.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn set_leaderboard_settings(
        &self,
        actor: &Actor,
        section_id: Uuid,
        hide_leaderboard_names: bool,
    ) -> AppResult<LeaderboardSettings> {
        can_supervise_section(actor, section_id)?;
        let now = self.clock.now();
        let tx = self.store.begin_write().await?;
        let mut section = org::find_section(&tx, section_id).await?.ok_or_else(|| not_found("Section not found"))?;
        let before = section.hide_leaderboard_names.unwrap_or(false);
        section.hide_leaderboard_names = Some(hide_leaderboard_names);
        org::save_section(&tx, section).await?;
        let event = OpsEvent {
            event_type: SETTINGS_CHANGED,
            entity_type: "SECTION",
            entity_id: section_id.to_string(),
            section_id: Some(section_id),
            payload: json!({ "hide_leaderboard_names": hide_leaderboard_names, "previous": before }),
        };
        record_ops(&tx, now, actor, event).await?;
        commit(tx).await?;
        Ok(LeaderboardSettings { section_id, hide_leaderboard_names })
    }
}
