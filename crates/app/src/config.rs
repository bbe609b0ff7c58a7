//! Settings the use cases need (parsed by the binary from flags, environment and file).

use chrono::Duration;
use chrono_tz::Tz;
use sentinelops_domain::auth::{LockoutPolicy, SessionPolicy};

use crate::password::HashCost;

#[derive(Debug, Clone)]
pub struct AppConfig {
    pub sessions: SessionPolicy,
    /// Failures per account before sign-in locks.
    pub account_lockout: LockoutPolicy,
    /// Failures per client address before sign-in locks (password spraying).
    pub ip_lockout: LockoutPolicy,
    /// INVALID_TOKEN rows recorded per client address per window; more are dropped.
    pub invalid_token_limit: u64,
    pub invalid_token_window: Duration,
    /// How often a session's last-seen time is written (reads stay reads in between).
    pub session_touch_granularity: Duration,
    pub password_hashing: HashCost,
    /// The business time zone used until an admin sets one.
    pub default_timezone: Tz,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            sessions: SessionPolicy { idle: Duration::hours(8), absolute: Duration::hours(24) },
            account_lockout: LockoutPolicy {
                threshold: 5,
                window: Duration::minutes(15),
                base_delay: Duration::seconds(30),
                max_delay: Duration::minutes(15),
            },
            ip_lockout: LockoutPolicy {
                threshold: 20,
                window: Duration::minutes(15),
                base_delay: Duration::seconds(30),
                max_delay: Duration::minutes(15),
            },
            invalid_token_limit: 20,
            invalid_token_window: Duration::minutes(10),
            session_touch_granularity: Duration::seconds(60),
            password_hashing: HashCost::default(),
            default_timezone: Tz::UTC,
        }
    }
}
