//! Serialized checklist views, reused while the checklist's revision is unchanged.
//!
//! Every change to a checklist bumps its `revision` in the same transaction. An entry
//! is used without a query while no write has committed in this process since its
//! revision was last confirmed (`sentinelops_store::commit_count`), so this process's
//! own changes are read at once; otherwise the request reads the current revision
//! first. Changes made through another instance of the server, and what a revision
//! does not cover (participants' presence, the time left in the shift, display
//! names), are at most `MAX_AGE` old: entries are rebuilt after that.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use uuid::Uuid;

const MAX_AGE: Duration = Duration::from_secs(1);
/// Checklists kept at most. Entries expire after `MAX_AGE` and expired ones are
/// dropped when the cache fills, so memory holds what was read in about a second:
/// 128 typical checklists (60 KB) are ~8 MB, 128 of the largest (300 KB) ~40 MB.
const CAPACITY: usize = 128;

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
    /// The checklist's section, for the access check of a hit that skips the query.
    section_id: Uuid,
    built_at: Instant,
    /// `commit_count()` when `revision` was last read from the database.
    confirmed_at_commit: u64,
    document: Arc<InstanceDocument>,
}

/// What a build is keyed by: the checklist row's revision and section, and the
/// commit count read before that row.
#[derive(Debug, Clone, Copy)]
pub struct Revision {
    pub revision: i64,
    pub section_id: Uuid,
    pub commit: u64,
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
    /// The document and its section if nothing was committed in this process since
    /// its revision was confirmed: no query needed.
    pub fn unchanged(&self, id: Uuid) -> Option<(Uuid, Arc<InstanceDocument>)> {
        let entries = self.entries.lock().ok()?;
        let entry = entries.get(&id)?;
        let current =
            entry.confirmed_at_commit == sentinelops_store::commit_count() && entry.built_at.elapsed() < MAX_AGE;
        current.then(|| (entry.section_id, Arc::clone(&entry.document)))
    }

    /// The document for `seen` (just read from the database), marking it confirmed.
    pub fn get(&self, id: Uuid, seen: Revision) -> Option<Arc<InstanceDocument>> {
        let mut entries = self.entries.lock().ok()?;
        let entry = entries.get_mut(&id)?;
        if entry.revision != seen.revision || entry.built_at.elapsed() >= MAX_AGE {
            return None;
        }
        entry.confirmed_at_commit = entry.confirmed_at_commit.max(seen.commit);
        Some(Arc::clone(&entry.document))
    }

    /// Waits for the right to build `id`'s document; `None` only if the lanes are missing.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn build_lane(&self, id: Uuid) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        let lane = (id.as_u128() % BUILD_LANES as u128) as usize;
        Some(self.builds.get(lane)?.lock().await)
    }

    /// Lets go of expired entries (run on the heartbeat), so that an idle process does
    /// not hold the last burst's documents until the cache next fills.
    pub fn drop_expired(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|_, e| e.built_at.elapsed() < MAX_AGE);
        }
    }

    /// Stores a view built at `built_at` (taken before its rows were read) for `seen`.
    pub fn put(&self, id: Uuid, seen: Revision, built_at: Instant, document: Arc<InstanceDocument>) {
        if let Ok(mut entries) = self.entries.lock() {
            // A newer revision already stored stays: requests may finish out of order.
            if entries.get(&id).is_some_and(|e| e.revision > seen.revision) {
                return;
            }
            if entries.len() >= CAPACITY {
                // Expired entries go first; a full cache of live ones starts over.
                entries.retain(|_, e| e.built_at.elapsed() < MAX_AGE);
                if entries.len() >= CAPACITY {
                    entries.clear();
                }
            }
            let entry = Entry {
                revision: seen.revision,
                section_id: seen.section_id,
                built_at,
                confirmed_at_commit: seen.commit,
                document,
            };
            entries.insert(id, entry);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(revision: i64) -> Revision {
        Revision { revision, section_id: Uuid::nil(), commit: sentinelops_store::commit_count() }
    }

    fn stored(cache: &DocumentCache) -> usize {
        cache.entries.lock().map_or(0, |entries| entries.len())
    }

    #[test]
    fn expired_documents_are_dropped_and_fresh_ones_kept() {
        let cache = DocumentCache::default();
        let (old, new) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let long_ago = Instant::now().checked_sub(MAX_AGE * 2).unwrap_or_else(Instant::now);
        cache.put(old, seen(1), long_ago, Arc::new(InstanceDocument::new(b"{}".to_vec())));
        cache.put(new, seen(1), Instant::now(), Arc::new(InstanceDocument::new(b"[]".to_vec())));
        assert_eq!(stored(&cache), 2);

        cache.drop_expired();

        assert_eq!(stored(&cache), 1);
        assert!(cache.get(old, seen(1)).is_none());
        assert_eq!(cache.get(new, seen(1)).map(|d| d.body.clone()), Some(b"[]".to_vec()));
    }
}
