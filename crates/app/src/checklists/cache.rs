//! Serialized checklist views, reused while the checklist's revision is unchanged.
//!
//! Every change to a checklist bumps its `revision` in the same transaction, and each
//! request reads the current revision (with the access check) before using an entry,
//! so a change is visible to the next read on every instance of the server. What a
//! revision does not cover, participants' presence, the time left in the shift and
//! display names, is at most `MAX_AGE` old.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use uuid::Uuid;

const MAX_AGE: Duration = Duration::from_secs(1);
/// Checklists kept at most (a day has a few per section); past that the cache starts over.
const CAPACITY: usize = 512;

/// A checklist view as JSON, with its validator.
#[derive(Debug)]
pub struct InstanceDocument {
    pub body: Vec<u8>,
    /// A strong validator of `body`, quoted as the `ETag` header wants it.
    pub etag: String,
}

impl InstanceDocument {
    pub fn new(body: Vec<u8>) -> InstanceDocument {
        // The same bytes give the same tag on every instance of this build, so a
        // browser's `If-None-Match` works whichever instance answers.
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        body.hash(&mut hasher);
        let etag = format!("\"{:016x}-{:x}\"", hasher.finish(), body.len());
        InstanceDocument { body, etag }
    }
}

struct Entry {
    revision: i64,
    built_at: Instant,
    document: Arc<InstanceDocument>,
}

/// Builds run one at a time per checklist (spread over this many locks): when a
/// checklist changes or its entry ages out under load, one request renders it and
/// the others wait for that result instead of all rendering it at once.
const BUILD_LANES: usize = 64;

#[derive(Clone)]
pub struct DocumentCache {
    entries: Arc<Mutex<HashMap<Uuid, Entry>>>,
    builds: Arc<[tokio::sync::Mutex<()>; BUILD_LANES]>,
}

impl Default for DocumentCache {
    fn default() -> Self {
        DocumentCache {
            entries: Arc::default(),
            builds: Arc::new(std::array::from_fn(|_| tokio::sync::Mutex::new(()))),
        }
    }
}

impl std::fmt::Debug for DocumentCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DocumentCache").finish_non_exhaustive()
    }
}

impl DocumentCache {
    pub fn get(&self, id: Uuid, revision: i64) -> Option<Arc<InstanceDocument>> {
        let entries = self.entries.lock().ok()?;
        let entry = entries.get(&id)?;
        (entry.revision == revision && entry.built_at.elapsed() < MAX_AGE).then(|| Arc::clone(&entry.document))
    }

    /// Waits for the right to build `id`'s document; `None` only if the lanes are missing.
    pub async fn build_lane(&self, id: Uuid) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        let lane = (id.as_u128() % BUILD_LANES as u128) as usize;
        Some(self.builds.get(lane)?.lock().await)
    }

    /// Stores a view built at `built_at` (taken before its rows were read) for `revision`.
    pub fn put(&self, id: Uuid, revision: i64, built_at: Instant, document: Arc<InstanceDocument>) {
        if let Ok(mut entries) = self.entries.lock() {
            // A newer revision already stored stays: requests may finish out of order.
            if entries.get(&id).is_some_and(|e| e.revision > revision) {
                return;
            }
            if entries.len() >= CAPACITY {
                entries.clear();
            }
            entries.insert(id, Entry { revision, built_at, document });
        }
    }
}
