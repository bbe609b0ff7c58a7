//! The generator's only source of randomness: a seeded `StdRng`, so one seed always
//! produces the same database (ids included).

use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

pub struct Gen {
    rng: StdRng,
}

impl Gen {
    pub fn new(seed: u64) -> Self {
        Gen { rng: StdRng::seed_from_u64(seed) }
    }

    /// The stream of one checklist slot: a slot's rows depend only on the seed and the
    /// slot, so runs at different times of day differ only in the last, unfinished shifts.
    pub fn for_slot(seed: u64, slot: u64) -> Gen {
        Gen { rng: StdRng::seed_from_u64(seed ^ slot.wrapping_mul(0x9E37_79B9_7F4A_7C15)) }
    }

    /// An independent stream for one phase, so phases do not shift each other's draws.
    pub fn fork(&mut self) -> Gen {
        Gen { rng: StdRng::seed_from_u64(self.rng.random()) }
    }

    /// A UUIDv7 stamped with `at`, like the app's `new_id()`: ids stay time-ordered,
    /// which keeps the B-tree inserts as local as the real ones.
    pub fn id_at(&mut self, at: DateTime<Utc>) -> Uuid {
        let millis = u64::try_from(at.timestamp_millis()).unwrap_or(0);
        let random: [u8; 10] = self.rng.random();
        uuid::Builder::from_unix_timestamp_millis(millis, &random).into_uuid()
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p.clamp(0.0, 1.0))
    }

    pub fn unit(&mut self) -> f64 {
        self.rng.random()
    }

    /// A value in `low..high` (or `low` when the range is empty).
    pub fn between(&mut self, low: i64, high: i64) -> i64 {
        if high <= low { low } else { self.rng.random_range(low..high) }
    }

    pub fn index(&mut self, len: usize) -> usize {
        if len == 0 { 0 } else { self.rng.random_range(0..len) }
    }

    pub fn seconds(&mut self, low: i64, high: i64) -> Duration {
        Duration::seconds(self.between(low, high))
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.choose(&mut self.rng)
    }

    /// `count` distinct elements, in random order.
    pub fn sample<T: Copy>(&mut self, items: &[T], count: usize) -> Vec<T> {
        items.choose_multiple(&mut self.rng, count).copied().collect()
    }
}
