//! Settings the use cases need (parsed by the binary from flags, environment and file).

use chrono::Duration;
use chrono_tz::Tz;
use sentinelops_domain::auth::{LockoutPolicy, SessionPolicy};

use std::path::PathBuf;

use sentinelops_domain::directory::{GroupMapping, LocalSignIn};
use sentinelops_domain::secret::Secret;

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
    pub jobs: JobsConfig,
    pub mail: MailConfig,
    pub webhooks: WebhookConfig,
    /// What each scoring action pays (issue 18); the original's numbers by default.
    pub scoring: sentinelops_domain::scoring::ScoringWeights,
    /// Directory sign-in (LDAP / AD, OpenID Connect) and who may still sign in locally.
    pub directory: DirectoryConfig,
}

/// Directory sign-in (issue 22). Both directories are off by default.
#[derive(Debug, Clone, Default)]
pub struct DirectoryConfig {
    pub local_sign_in: LocalSignIn,
    pub ldap: Option<LdapConfig>,
    pub oidc: Option<OidcConfig>,
}

/// An LDAP or Active Directory server.
#[derive(Debug, Clone)]
pub struct LdapConfig {
    /// `ldap://host:port` or `ldaps://host:port`.
    pub url: String,
    /// The service account that searches for users (empty: anonymous search).
    pub bind_dn: String,
    pub bind_password: Option<Secret>,
    /// Where users (and, unless `group_base_dn` says otherwise, groups) are searched.
    pub base_dn: String,
    pub group_base_dn: Option<String>,
    /// The user search filter; `{login}` stands for the escaped login.
    pub user_filter: String,
    pub mapping: GroupMapping,
    /// Upgrade `ldap://` with StartTLS before any bind.
    pub starttls: bool,
    /// PEM file of the CA(s) that sign the server's certificate (else the system's roots).
    pub ca_file: Option<PathBuf>,
    /// Longest a connection, or one operation, may take.
    pub timeout: std::time::Duration,
    /// How long `/auth/ad/status` reuses its last probe.
    pub status_ttl: std::time::Duration,
}

impl LdapConfig {
    /// A configuration for `url` with the defaults of everything else.
    pub fn new(url: impl Into<String>, base_dn: impl Into<String>) -> LdapConfig {
        LdapConfig {
            url: url.into(),
            bind_dn: String::new(),
            bind_password: None,
            base_dn: base_dn.into(),
            group_base_dn: None,
            user_filter: sentinelops_domain::directory::DEFAULT_USER_FILTER.to_owned(),
            mapping: GroupMapping::default(),
            starttls: false,
            ca_file: None,
            timeout: std::time::Duration::from_secs(5),
            status_ttl: std::time::Duration::from_secs(10),
        }
    }
}

/// An OpenID Connect provider (Entra ID, Keycloak, Google Workspace, …).
#[derive(Debug, Clone)]
pub struct OidcConfig {
    /// The issuer URL; its `/.well-known/openid-configuration` is read at first use.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<Secret>,
    /// The claim whose value (or values) give the role, matched against the group
    /// settings and the role names; e.g. `groups` or `roles`.
    pub role_claim: String,
    /// Role values matched against its groups; its `section_attribute` is the claim
    /// whose value is a section's name (sections are unmanaged without one).
    pub mapping: GroupMapping,
    /// The role of a person whose role claim names none (Google Workspace sends no
    /// roles); `None` refuses them.
    pub default_role: Option<sentinelops_domain::Role>,
    /// Scopes asked for besides `openid`.
    pub scopes: Vec<String>,
    /// The provider's name on the sign-in page ("Sign in with …").
    pub display_name: String,
    /// Where the provider sends the browser back: `{public URL}/ui/login/oidc/callback`.
    pub redirect_url: String,
    /// Longest a call to the provider may take.
    pub timeout: std::time::Duration,
}

impl OidcConfig {
    pub fn new(issuer: impl Into<String>, client_id: impl Into<String>) -> OidcConfig {
        OidcConfig {
            issuer: issuer.into(),
            client_id: client_id.into(),
            client_secret: None,
            role_claim: "groups".into(),
            mapping: GroupMapping::default(),
            default_role: None,
            scopes: vec!["email".into(), "profile".into()],
            display_name: "single sign-on".into(),
            redirect_url: String::new(),
            timeout: std::time::Duration::from_secs(10),
        }
    }
}

/// Background jobs (each runs on one instance at a time, under a lease).
#[derive(Debug, Clone)]
pub struct JobsConfig {
    /// Run the jobs in this process at all (tests drive them by hand).
    pub enabled: bool,
    /// Local time (business zone) at which the day's checklists are created.
    pub daily_creation_at: chrono::NaiveTime,
    /// An open checklist becomes INCOMPLETE this long after its shift ended.
    pub stale_grace: Duration,
    /// How often the reminder, stale-shift and outbox jobs look for work.
    pub tick: std::time::Duration,
    /// Longest one outbox delivery may take in all (an SMTP conversation is several
    /// exchanges, each with its own timeout); claims are sized from it.
    pub outbox_send_limit: std::time::Duration,
    /// Retention per class; `None` keeps forever (the default).
    pub retain_auth_events: Option<Duration>,
    pub retain_ops_events: Option<Duration>,
    pub retain_notifications: Option<Duration>,
    /// A shift short of its minimum is reported this long before it starts…
    pub coverage_alert_ahead: Duration,
    /// …and again this long before, if still short.
    pub coverage_alert_final: Duration,
}

impl Default for JobsConfig {
    fn default() -> Self {
        JobsConfig {
            enabled: true,
            daily_creation_at: chrono::NaiveTime::from_hms_opt(6, 0, 0).unwrap_or(chrono::NaiveTime::MIN),
            stale_grace: Duration::hours(2),
            tick: std::time::Duration::from_secs(30),
            outbox_send_limit: std::time::Duration::from_secs(30),
            retain_auth_events: None,
            retain_ops_events: None,
            retain_notifications: None,
            coverage_alert_ahead: Duration::hours(24),
            coverage_alert_final: Duration::hours(1),
        }
    }
}

/// SMTP delivery of e-mail (off when `host` is empty).
#[derive(Debug, Clone, Default)]
pub struct MailConfig {
    pub host: Option<String>,
    pub port: u16,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub from: String,
    /// `none` (plain, for loopback test servers), `starttls` or `tls`.
    pub security: String,
    /// Base URL of the UI for links in mails, e.g. `https://ops.bank.example`.
    pub public_url: String,
}

/// Outbound webhooks per event class (`escalation`, `skip`, `completion`, `handover`, `reminder`).
#[derive(Debug, Clone, Default)]
pub struct WebhookConfig {
    /// (event class, URL) pairs; a class may have several URLs.
    pub targets: Vec<(String, String)>,
    /// HMAC-SHA256 key for the `X-SentinelOps-Signature` header.
    pub secret: Option<Secret>,
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
            jobs: JobsConfig::default(),
            mail: MailConfig {
                port: 587,
                from: "sentinelops@localhost".into(),
                security: "starttls".into(),
                ..MailConfig::default()
            },
            webhooks: WebhookConfig::default(),
            scoring: sentinelops_domain::scoring::ScoringWeights::default(),
            directory: DirectoryConfig::default(),
        }
    }
}
