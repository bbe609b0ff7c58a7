//! `/auth/ad/status`: does the directory answer a service bind? Probed at most once per
//! `status_ttl` per instance, with the operation timeouts of the configuration, and
//! never on the sign-in path of a local account.

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};

use crate::App;
use crate::directory::ldap;

/// The original's status answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryStatus {
    pub available: bool,
    /// `active_directory` when a directory is configured, else `sentinel`.
    pub source: &'static str,
    pub checked_at: DateTime<Utc>,
    pub reason: Option<String>,
}

/// The last probe, a lock so that one probe runs at a time, and when the directory last
/// failed to answer (a sign-in or a probe).
#[derive(Debug, Clone, Default)]
pub struct StatusCache {
    last: Arc<std::sync::Mutex<Option<(Instant, DirectoryStatus)>>>,
    probing: Arc<tokio::sync::Mutex<()>>,
    failed_at: Arc<std::sync::Mutex<Option<Instant>>>,
}

impl StatusCache {
    /// Whether the directory failed to answer within `window`: sign-ins then fail at once
    /// instead of each waiting out the timeouts of a directory that hangs.
    pub(crate) fn recently_failed(&self, window: std::time::Duration) -> bool {
        self.failed_at.lock().ok().and_then(|f| *f).is_some_and(|at| at.elapsed() < window)
    }

    /// Notes the directory's answer: `false` opens the breaker for a while.
    pub(crate) fn note(&self, answered: bool) {
        if let Ok(mut failed_at) = self.failed_at.lock() {
            *failed_at = if answered { None } else { Some(Instant::now()) };
        }
    }

    fn fresh(&self, ttl: std::time::Duration) -> Option<DirectoryStatus> {
        let last = self.last.lock().ok()?;
        last.as_ref().filter(|(at, _)| at.elapsed() < ttl).map(|(_, status)| status.clone())
    }

    fn store(&self, status: &DirectoryStatus) {
        if let Ok(mut last) = self.last.lock() {
            *last = Some((Instant::now(), status.clone()));
        }
    }
}

impl App {
    /// Whether directory sign-in works right now.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn directory_status(&self) -> DirectoryStatus {
        let now = self.clock.now();
        let Some(config) = self.config.directory.ldap.as_ref() else {
            return DirectoryStatus {
                available: false,
                source: "sentinel",
                checked_at: now,
                reason: Some("Directory sign-in is not configured; use your SentinelOps credentials".into()),
            };
        };
        let cache = &self.directory.status;
        if let Some(status) = cache.fresh(config.status_ttl) {
            return status;
        }
        // Callers arriving during a probe wait for its answer instead of probing again.
        let _probing = cache.probing.lock().await;
        if let Some(status) = cache.fresh(config.status_ttl) {
            return status;
        }
        let probe = ldap::probe(config).await;
        cache.note(probe.is_ok());
        let status = match probe {
            Ok(()) => DirectoryStatus { available: true, source: "active_directory", checked_at: now, reason: None },
            Err(failure) => {
                tracing::warn!(cause = %failure, "directory status: the directory did not answer");
                DirectoryStatus {
                    available: false,
                    source: "active_directory",
                    checked_at: now,
                    reason: Some("The directory does not answer; directory accounts cannot sign in".into()),
                }
            }
        };
        cache.store(&status);
        status
    }
}
