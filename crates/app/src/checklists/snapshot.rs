//! The rows of checklists being worked on, kept by revision, so that the answer to an
//! item change (which is the whole checklist, as the original's is) reads that item's
//! rows and the instance row instead of the whole checklist again.
//!
//! Why a kept snapshot is exact: every change to a checklist bumps its revision while
//! holding the checklist's lock. A snapshot is labelled with the revision of the
//! instance row read before its other rows, so what it holds is that revision or
//! newer. A change takes the snapshot out of the cache after locking the checklist, and
//! uses it only if the label equals the revision it read under the lock: anything
//! newer would have been committed before the lock and so would show in that revision.
//! After its commit the change reads the instance row again and patches the snapshot
//! only if the revision is exactly one more (nobody else committed since); otherwise it
//! reads the whole checklist. The API tests compare every such answer with a full read.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use uuid::Uuid;

use sentinelops_domain::checklist::ItemStatus;
use sentinelops_store::repo::checklists::{InstanceItemRow, InstanceRow};

use super::view::{InstanceView, ItemRows, Loaded, Surroundings, assemble};
use crate::App;
use crate::actor::Actor;
use crate::error::AppResult;

/// A checklist's rows at one revision, with what its view needs besides.
pub(crate) struct Snapshot {
    loaded: Loaded,
    around: Surroundings,
}

impl Snapshot {
    fn revision(&self) -> i64 {
        self.loaded.instance.revision
    }

    /// One of its items. Taken under the checklist's lock at the revision read there,
    /// the row is the item as it stands: every change to an item bumps the revision.
    pub(crate) fn item(&self, id: Uuid) -> Option<&InstanceItemRow> {
        self.loaded.items.iter().find(|item| item.id == id)
    }

    /// Its items' statuses once item `id` has become `status`.
    pub(crate) fn item_statuses_after(&self, id: Uuid, status: ItemStatus) -> Vec<ItemStatus> {
        self.loaded.items.iter().map(|item| if item.id == id { status } else { *item.status }).collect()
    }
}

/// A snapshot not used for this long is let go (on the heartbeat, or when the cache fills).
const IDLE_FOR: Duration = Duration::from_secs(10);
/// Checklists kept at most: far more than a floor works on at once. A 40-item
/// checklist with its activity is ~50 KB of rows, so at most ~25 MB.
const CAPACITY: usize = 512;

#[derive(Clone, Default)]
pub(crate) struct SnapshotCache {
    entries: Arc<Mutex<HashMap<Uuid, (Snapshot, Instant)>>>,
}

impl std::fmt::Debug for SnapshotCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SnapshotCache").finish_non_exhaustive()
    }
}

impl SnapshotCache {
    /// Takes `id`'s snapshot out if it is at `revision` (read under the checklist's lock).
    pub(crate) fn take(&self, id: Uuid, revision: i64) -> Option<Snapshot> {
        let (snapshot, _) = self.entries.lock().ok()?.remove(&id)?;
        (snapshot.revision() == revision).then_some(snapshot)
    }

    fn keep(&self, id: Uuid, snapshot: Snapshot) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= CAPACITY {
                entries.retain(|_, (_, used)| used.elapsed() < IDLE_FOR);
                if entries.len() >= CAPACITY {
                    entries.clear();
                }
            }
            entries.insert(id, (snapshot, Instant::now()));
        }
    }

    /// Lets go of snapshots nobody changed for `IDLE_FOR`.
    pub(crate) fn drop_idle(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|_, (_, used)| used.elapsed() < IDLE_FOR);
        }
    }

    /// Lets go of every snapshot (the process is idle; the next change reads its
    /// checklist whole).
    pub(crate) fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            *entries = HashMap::new();
        }
    }
}

impl App {
    /// Lets go of what only helps under load (kept rows, expired documents, SQLite
    /// connections beyond one), so that an idle process holds little; the binary calls
    /// it when no request has come for a few seconds.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn release_idle_memory(&self) {
        self.snapshots.clear();
        self.instance_documents.drop_expired();
        crate::reports::forget_idle();
        self.store.close_idle_connections().await;
    }
}

impl App {
    /// Reads a whole checklist and what its view needs.
    async fn read_snapshot(&self, instance: InstanceRow) -> AppResult<Snapshot> {
        let reader = self.store.reader();
        let loaded = Loaded::read(reader, instance).await?;
        let online = self.online_among(loaded.participant_ids()).await?;
        let around = Surroundings::read(reader, &loaded, online).await?;
        Ok(Snapshot { loaded, around })
    }

    /// The full view of an instance row just read.
    #[tracing::instrument(level = "debug", skip_all)]
    pub(crate) async fn render_instance(&self, instance: InstanceRow) -> AppResult<InstanceView> {
        let snapshot = self.read_snapshot(instance).await?;
        Ok(assemble(snapshot.loaded, &snapshot.around, self.clock.now()))
    }

    /// The view after a committed change to one item, from `base` (taken under the
    /// checklist's lock before the change) patched with that item's rows when nobody
    /// else changed the checklist since; else read whole. Keeps the result for the
    /// next change.
    #[tracing::instrument(level = "debug", skip_all)]
    pub(crate) async fn view_after_item_change(
        &self,
        actor: &Actor,
        base: Option<Snapshot>,
        id: Uuid,
        item_id: Uuid,
    ) -> AppResult<InstanceView> {
        let reader = self.store.reader();
        let instance = self.visible_instance(reader, actor, id).await?;
        let changed_item = match &base {
            Some(snapshot) if instance.revision == snapshot.revision() + 1 => {
                ItemRows::read(reader, id, item_id).await?
            }
            _ => None,
        };
        // An item gone since the commit (deleted meanwhile) means a whole read, not an
        // error answering a change that was committed.
        let snapshot = match (base, changed_item) {
            (Some(mut snapshot), Some(item)) => {
                snapshot.loaded.replace_item(instance, item);
                if !snapshot.around.still_fit(&snapshot.loaded) {
                    let online = self.online_among(snapshot.loaded.participant_ids()).await?;
                    snapshot.around = Surroundings::read(reader, &snapshot.loaded, online).await?;
                }
                snapshot
            }
            _ => self.read_snapshot(instance).await?,
        };
        // The snapshot is kept for the next change, so the view gets a copy of its rows.
        let view = assemble(snapshot.loaded.clone(), &snapshot.around, self.clock.now());
        self.snapshots.keep(id, snapshot);
        Ok(view)
    }
}
