//! Computed Performance Command decks, reused while nothing they were computed from
//! has changed.
//!
//! Correctness: a deck is reused only under the same fingerprint, and the fingerprint
//! is read from the database on every request (the visible users, their sections and
//! their streak rows: the three queries every deck starts with). Every ledger write
//! that changes a user's tallies bumps their streak row's `revision` in the same
//! transaction, so a write through any instance changes the fingerprint that every
//! instance reads next: no instance serves a deck that a committed write has made
//! stale. The operational day, the caller's role and
//! section (which decide the audience and the name hiding) are part of it too.
//! Badges are not cached: their claims are read on every request.
//!
//! When the fingerprint has changed (a write moved someone's tallies), the deck is
//! recomputed from parts kept per user under the same rule: a user's window sums, and
//! the caller's own days and recent rows, are reused while that user's streak-row
//! revision and the operational day are those they were read under. So a colleague's
//! write costs one user's sums, not the whole section's year.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use uuid::Uuid;

use sentinelops_domain::performance::Window;
use sentinelops_domain::performance::badges::YearFacts;
use sentinelops_domain::scoring::DailyTally;
use sentinelops_store::repo::gamification_read::{Visible, WindowSums};

use super::model::{PerformanceCommand, RecentEvent};
use crate::actor::Actor;

/// Decks kept at most; past that the cache starts over (one per user and window in
/// use, so this holds a large organisation's day).
const CAPACITY: usize = 4_096;

/// A computed deck (badges, profile badge count and `generated_at` are filled per
/// request) with the badge facts it was computed with.
#[derive(Debug)]
pub(crate) struct CachedDeck {
    pub fingerprint: u64,
    pub command: PerformanceCommand,
    pub facts: YearFacts,
}

/// What one user's part of a deck was read under: the operational day and their
/// streak row's revision (none before their first counting row).
pub(crate) type PartKey = (NaiveDate, Option<i64>);

/// The part key of `user` as `visible` was just read.
pub(crate) fn part_key(today: NaiveDate, visible: &Visible, user: Uuid) -> PartKey {
    (today, visible.streaks.get(&user).map(|s| s.revision))
}

/// Values kept under the part key they were read under.
#[derive(Debug)]
pub(crate) struct Parts<K, V> {
    entries: Mutex<HashMap<K, (PartKey, V)>>,
}

impl<K, V> Default for Parts<K, V> {
    fn default() -> Self {
        Parts { entries: Mutex::new(HashMap::new()) }
    }
}

impl<K: Hash + Eq, V: Clone> Parts<K, V> {
    /// The value kept for `k` if it was read under `key`.
    pub fn get(&self, k: &K, key: PartKey) -> Option<V> {
        let entries = self.entries.lock().ok()?;
        entries.get(k).filter(|(read_under, _)| *read_under == key).map(|(_, v)| v.clone())
    }

    pub fn put(&self, k: K, key: PartKey, value: V) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= CAPACITY {
                entries.clear();
            }
            entries.insert(k, (key, value));
        }
    }
}

/// A user's own daily tallies since the earliest window start, oldest first.
pub(crate) type OwnDays = Arc<Vec<(NaiveDate, DailyTally)>>;

#[derive(Debug, Default)]
pub(crate) struct DeckCache {
    entries: Mutex<HashMap<(Uuid, Window), Arc<CachedDeck>>>,
    /// Each user's window sums (none: no daily rows in the year).
    pub sums: Parts<Uuid, Option<WindowSums>>,
    /// Each caller's own days.
    pub days: Parts<Uuid, OwnDays>,
    /// Each caller's recent events per focus window.
    pub recent: Parts<(Uuid, Window), Arc<Vec<RecentEvent>>>,
}

impl DeckCache {
    /// The caller's deck for `focus` if it was computed under `fingerprint`.
    pub fn get(&self, user: Uuid, focus: Window, fingerprint: u64) -> Option<Arc<CachedDeck>> {
        let entries = self.entries.lock().ok()?;
        entries.get(&(user, focus)).filter(|d| d.fingerprint == fingerprint).cloned()
    }

    pub fn put(&self, user: Uuid, focus: Window, deck: Arc<CachedDeck>) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= CAPACITY {
                entries.clear();
            }
            entries.insert((user, focus), deck);
        }
    }
}

/// What a deck depends on besides the ledger's unchanged rows.
pub(crate) fn fingerprint(actor: &Actor, today: NaiveDate, visible: &Visible) -> u64 {
    let mut h = DefaultHasher::new();
    today.hash(&mut h);
    actor.role.as_str().hash(&mut h);
    actor.section_id.hash(&mut h);
    for u in &visible.users {
        (u.id, &u.username, &u.first_name, &u.last_name, u.section_id, u.is_active).hash(&mut h);
        match visible.streaks.get(&u.id) {
            Some(s) => (s.revision, s.current_streak_days, s.last_shift_date).hash(&mut h),
            None => 0u8.hash(&mut h),
        }
    }
    let mut sections: Vec<_> = visible.sections.values().map(|s| (s.id, &s.name, s.hide_leaderboard_names)).collect();
    sections.sort_unstable();
    sections.hash(&mut h);
    h.finish()
}
