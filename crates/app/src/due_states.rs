//! The due-state job (issue 21, item 1): a timed item's due state (`domain::due`) moves
//! at known instants — its reminder, its time, the end of its section's grace — without anyone
//! touching it, so each tick gives every checklist with a step that crossed one of them
//! since the last tick a new revision (its document shows the state: clients that
//! cache by revision see the change) and tells its live channel.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use sentinelops_domain::checklist::{InstanceStatus, ItemStatus};
use sentinelops_store::repo::checklists;
use sentinelops_store::repo::reminders::{self, Scan};

use crate::App;
use crate::actor::Actor;
use crate::error::AppResult;
use crate::live;
use crate::tx::commit;

/// The live event a checklist gets when a step's due state changed.
pub const DUE_STATE_CHANGED: &str = "ITEM_DUE_STATE";
/// How far back a first run (or one after a long stop) looks.
const LOOKBACK: Duration = Duration::hours(1);

impl App {
    /// Announces the due-state changes since the last run (`state`: its time, RFC 3339);
    /// returns how many checklists were told and the new state.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn announce_due_changes(&self, state: Option<Value>) -> AppResult<(usize, Option<Value>)> {
        let now = self.clock.now();
        let last = state
            .as_ref()
            .and_then(Value::as_str)
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            .map(|t| t.with_timezone(&Utc))
            .filter(|t| *t <= now)
            .map_or(now - Duration::minutes(1), |t| t.max(now - LOOKBACK));
        let scan = Scan {
            from: last,
            to: now,
            limit: 500,
            open_items: &ItemStatus::OPEN,
            open_checklists: &InstanceStatus::OPEN,
        };
        // Each section may have its own grace: look at the boundaries of every grace in
        // use (a checklist told at another section's boundary only gets a spare revision).
        let mut changed = Vec::new();
        for grace in crate::alerts::due_graces(self.store.reader()).await? {
            changed.extend(reminders::checklists_with_due_changes(self.store.reader(), scan, grace).await?);
        }
        changed.sort();
        changed.dedup();
        if !changed.is_empty() {
            let tx = self.store.begin_write().await?;
            let system = Actor::system();
            for id in &changed {
                let Some(instance) = checklists::find_instance(&tx, *id).await? else { continue };
                checklists::touch_instance(&tx, instance.id, now).await?;
                live::checklist_event(&tx, now, &instance, DUE_STATE_CHANGED, &system, json!({ "instance_id": id }))
                    .await?;
            }
            commit(tx).await?;
        }
        Ok((changed.len(), Some(json!(now.to_rfc3339()))))
    }
}
