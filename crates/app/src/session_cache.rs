//! A short-lived cache of authenticated sessions, so that a read request does not
//! pay two database lookups before its own work.
//!
//! Correctness: an entry is used only while the session it holds is live and needs
//! no touch, for at most `MAX_AGE`, and only if no session or account changed in this
//! process since it was read (an epoch bumped after every such commit, so a reader
//! that raced with a revocation cannot store a stale entry under the new epoch).
//! A revocation made by another instance therefore takes effect here within
//! `MAX_AGE`; one made here takes effect at once.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sentinelops_store::repo::sessions::SessionRow;
use sentinelops_store::repo::users::UserRow;

/// Longest time an entry is trusted without reading the database again.
pub const MAX_AGE: Duration = Duration::from_secs(1);
/// Entries kept at most; past that the cache starts over (a flood of distinct
/// tokens must not grow memory).
const CAPACITY: usize = 10_000;

#[derive(Clone)]
struct Entry {
    session: SessionRow,
    user: UserRow,
    epoch: u64,
    read_at: Instant,
}

#[derive(Clone, Default)]
pub struct SessionCache {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    epoch: AtomicU64,
    entries: Mutex<HashMap<String, Entry>>,
}

impl std::fmt::Debug for SessionCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionCache").field("epoch", &self.epoch()).finish_non_exhaustive()
    }
}

impl SessionCache {
    /// Read before the database is: an entry stored with it is dropped if a
    /// session or account changes meanwhile.
    pub fn epoch(&self) -> u64 {
        self.inner.epoch.load(Ordering::Acquire)
    }

    /// A session or account changed (call after the commit).
    pub fn invalidate(&self) {
        self.inner.epoch.fetch_add(1, Ordering::AcqRel);
        if let Ok(mut entries) = self.inner.entries.lock() {
            entries.clear();
        }
    }

    pub fn get(&self, token_hash: &str) -> Option<(SessionRow, UserRow)> {
        let epoch = self.epoch();
        let entries = self.inner.entries.lock().ok()?;
        let entry = entries.get(token_hash)?;
        (entry.epoch == epoch && entry.read_at.elapsed() < MAX_AGE).then(|| (entry.session.clone(), entry.user.clone()))
    }

    /// Stores what was read under `epoch` (taken before the read).
    pub fn put(&self, token_hash: String, session: SessionRow, user: UserRow, epoch: u64, read_at: Instant) {
        if epoch != self.epoch() {
            return;
        }
        if let Ok(mut entries) = self.inner.entries.lock() {
            if entries.len() >= CAPACITY {
                entries.clear();
            }
            entries.insert(token_hash, Entry { session, user, epoch, read_at });
        }
    }
}
