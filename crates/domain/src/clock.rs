//! The clock is injected so that expiry, lockout, shift boundaries and reminders
//! can be tested at any instant (DST nights included).

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, SubsecRound, Utc};

pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> DateTime<Utc>;
}

/// Wall-clock time, truncated to microseconds so that every database keeps the
/// same precision (PostgreSQL stores microseconds; SQLite stores text).
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        // The one place that reads the wall clock (clippy.toml forbids it elsewhere).
        #[allow(clippy::disallowed_methods)]
        let now = Utc::now();
        now.trunc_subsecs(6)
    }
}

/// A clock that tests move by hand.
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<Mutex<DateTime<Utc>>>,
}

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        Self { now: Arc::new(Mutex::new(start.trunc_subsecs(6))) }
    }

    pub fn set(&self, to: DateTime<Utc>) {
        if let Ok(mut now) = self.now.lock() {
            *now = to.trunc_subsecs(6);
        }
    }

    pub fn advance(&self, by: Duration) {
        if let Ok(mut now) = self.now.lock() {
            *now += by;
        }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        match self.now.lock() {
            Ok(now) => *now,
            Err(poisoned) => *poisoned.into_inner(),
        }
    }
}
