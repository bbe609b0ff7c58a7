//! Use cases of SentinelOps and their transaction boundaries.
//!
//! Every function takes an explicit actor (who is acting) and reads time from the
//! injected clock. A use case that writes opens one transaction for the change and
//! everything it causes (audit rows, events), and commits it before answering.

pub mod access;
pub mod actor;
pub mod alerts;
pub mod audit;
pub mod auth;
pub mod bootstrap;
pub mod checklists;
pub mod config;
pub mod dashboard;
pub mod directory;
pub mod due_states;
pub mod error;
pub mod exports;
pub mod gamification;
pub mod handover;
pub mod health;
pub mod idempotency;
pub mod jobs;
pub mod legacy;
pub mod live;
pub mod mail;
pub mod notifications;
pub mod org;
pub mod outbox;
pub mod password;
pub mod presence;
pub mod quiet;
pub mod report_mail;
pub mod reports;
pub mod roster;
pub mod session_cache;
pub mod settings;
pub mod shifts;
pub mod templates;
mod tx;
pub mod users;
pub mod validate;
pub mod webhooks;

use std::sync::Arc;

use sentinelops_domain::Clock;

pub use actor::{Actor, RequestMeta};
pub use config::AppConfig;
pub use error::{AppError, AppResult, AuthError};
/// Storage types the outer layers name (queries, pages, rows) without touching the store.
pub use sentinelops_store::repo::auth_events::{AuthEventQuery, AuthEventRow};
pub use sentinelops_store::repo::ops_events::{OpsEventQuery, OpsEventRow};
pub use sentinelops_store::repo::sessions::SessionRow;
pub use sentinelops_store::repo::users::UserRow;
pub use sentinelops_store::repo::{After, Page, Window};
pub use sentinelops_store::{Backend, PoolConfig, PoolStats, Store};

/// The application: storage, clock and configuration, cheap to clone.
#[derive(Clone, Debug)]
pub struct App {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<AppConfig>,
    /// Live connections per user (WebSockets and event streams).
    pub presence: presence::Presence,
    /// Committed changes broadcast to this process's live clients.
    pub live: live::LiveHub,
    /// Recently authenticated sessions (see `session_cache` for when one is trusted).
    pub(crate) sessions: session_cache::SessionCache,
    /// Serialized checklist views by revision (see `checklists::cache`).
    pub(crate) instance_documents: checklists::cache::DocumentCache,
    /// Transition rules as last read (see `checklists::policy`).
    pub(crate) policies: checklists::PolicyCache,
    pub(crate) snapshots: checklists::SnapshotCache,
    /// Computed Performance Command decks by fingerprint (see `gamification::deck_cache`).
    pub(crate) decks: Arc<gamification::deck_cache::DeckCache>,
    /// The last database check, which `/health` reports without waiting on the database.
    pub(crate) health: health::HealthProbe,
    /// The directory status probe and the OpenID provider's discovery document.
    pub(crate) directory: directory::Directories,
    /// A real hash of a random password, verified when the user is unknown so that
    /// a missing account costs the same time as a wrong password.
    dummy_hash: Arc<str>,
}

impl App {
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn new(store: Store, clock: Arc<dyn Clock>, config: AppConfig) -> AppResult<App> {
        settings::register_default_timezone(config.default_timezone);
        let hasher = config.password_hashing;
        let dummy_hash = password::hash(hasher, password::random_secret()).await?;
        let directory = directory::Directories::new(&config.directory);
        Ok(App {
            directory,
            store,
            clock,
            config: Arc::new(config),
            presence: presence::Presence::default(),
            live: live::LiveHub::default(),
            sessions: session_cache::SessionCache::default(),
            instance_documents: checklists::cache::DocumentCache::default(),
            policies: checklists::PolicyCache::default(),
            snapshots: checklists::SnapshotCache::default(),
            decks: Arc::default(),
            health: health::HealthProbe::default(),
            dummy_hash: dummy_hash.into(),
        })
    }
}
