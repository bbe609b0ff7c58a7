//! Configuration: command-line flags, then environment variables, then an optional
//! TOML file (`--config` / `SENTINELOPS_CONFIG`), then built-in defaults.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use sentinelops_domain::secret::Secret;

#[derive(Debug, Parser)]
#[command(name = "sentinelops", version, about = "Shift checklists for operations centres")]
pub struct Cli {
    #[command(flatten)]
    pub settings: Settings,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (the default command).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Load the demo organisation (departments, sections, four users, three shift templates). Idempotent.
    Demo,
    /// Import the original's file-era templates (JSON/YAML) and instance files from DIR.
    ImportLegacy {
        /// Folder holding templates/{SHIFT}/*.json|yaml and instances/*.json.
        dir: PathBuf,
        /// Section the templates and checklists belong to.
        #[arg(long, default_value = "ICT Operations")]
        section: String,
        /// Report what would change without writing anything.
        #[arg(long)]
        dry_run: bool,
    },
    /// Directory sign-in tools.
    #[command(subcommand)]
    Directory(DirectoryCommand),
    /// Print the version.
    Version,
}

#[derive(Debug, Subcommand)]
pub enum DirectoryCommand {
    /// Check the LDAP / AD configuration for one person without signing in: connect,
    /// service bind, search, groups, and the role and section they would get.
    Test {
        /// E-mail, uid, sAMAccountName or userPrincipalName, as typed at sign-in.
        login: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; prints a generated password unless one is given.
    Create {
        #[arg(long)]
        username: String,
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "")]
        first_name: String,
        #[arg(long, default_value = "")]
        last_name: String,
        /// admin, manager or user.
        #[arg(long, default_value = "user")]
        role: String,
        /// Section name or id.
        #[arg(long)]
        section: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List users.
    List,
    /// Set a user's password (revokes their sessions); prints a generated one unless read from stdin.
    SetPassword {
        /// Username or e-mail.
        login: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Deactivate a user (revokes their sessions).
    Deactivate {
        /// Username or e-mail.
        login: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Settings shared by every subcommand.
#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Optional TOML file with any of these settings (keys as the long flag names, with underscores).
    #[arg(long, env = "SENTINELOPS_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// sqlite://FILE or postgres://USER@HOST/DB.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://sentinelops.db", global = true)]
    pub database_url: String,
    #[arg(long, env = "SENTINELOPS_DB_MAX_CONNECTIONS", default_value_t = 16, global = true)]
    pub db_max_connections: u32,
    /// Milliseconds a request waits for a database connection before it is answered 503
    /// (database unavailable): keeps a database that is down from holding requests.
    #[arg(long, env = "SENTINELOPS_DB_ACQUIRE_TIMEOUT_MS", default_value_t = 1000, global = true)]
    pub db_acquire_timeout_ms: u64,
    /// Address to listen on.
    #[arg(long, env = "SENTINELOPS_BIND", default_value = "127.0.0.1:8080", global = true)]
    pub bind: String,
    /// Business time zone (IANA name) until an admin sets one in the application.
    #[arg(long, env = "SENTINELOPS_TIMEZONE", default_value = "UTC", global = true)]
    pub timezone: String,
    /// A session unused this long ends.
    #[arg(long, env = "SENTINELOPS_SESSION_IDLE_MINUTES", default_value_t = 480, global = true)]
    pub session_idle_minutes: i64,
    /// A session ends this long after sign-in.
    #[arg(long, env = "SENTINELOPS_SESSION_ABSOLUTE_HOURS", default_value_t = 24, global = true)]
    pub session_absolute_hours: i64,
    /// Failed sign-ins per account within the window before sign-in locks.
    #[arg(long, env = "SENTINELOPS_LOCKOUT_THRESHOLD", default_value_t = 5, global = true)]
    pub lockout_threshold: u32,
    /// Failed sign-ins per client address within the window before sign-in locks.
    #[arg(long, env = "SENTINELOPS_LOCKOUT_IP_THRESHOLD", default_value_t = 20, global = true)]
    pub lockout_ip_threshold: u32,
    #[arg(long, env = "SENTINELOPS_LOCKOUT_WINDOW_MINUTES", default_value_t = 15, global = true)]
    pub lockout_window_minutes: i64,
    /// Argon2id memory cost in KiB.
    #[arg(long, env = "SENTINELOPS_ARGON2_MEMORY_KIB", default_value_t = 19_456, global = true)]
    pub argon2_memory_kib: u32,
    #[arg(long, env = "SENTINELOPS_ARGON2_ITERATIONS", default_value_t = 2, global = true)]
    pub argon2_iterations: u32,
    /// Comma-separated CIDRs whose X-Forwarded-For is trusted.
    #[arg(long, env = "SENTINELOPS_TRUSTED_PROXIES", default_value = "", global = true)]
    pub trusted_proxies: String,
    /// Comma-separated origins allowed by CORS ("*" for any).
    #[arg(long, env = "SENTINELOPS_CORS_ORIGINS", default_value = "", global = true)]
    pub cors_origins: String,
    /// Folder of a static frontend to serve at / (index.html fallback).
    #[arg(long, env = "SENTINELOPS_STATIC_DIR", global = true)]
    pub static_dir: Option<PathBuf>,
    #[arg(long, env = "SENTINELOPS_MAX_BODY_BYTES", default_value_t = 1_048_576, global = true)]
    pub max_body_bytes: usize,
    /// Seconds a client has to send a request's headers (and an idle keep-alive connection
    /// stays open) before it is disconnected: slow clients cannot hold connections.
    #[arg(long, env = "SENTINELOPS_HEADER_READ_TIMEOUT_SECONDS", default_value_t = 10, global = true)]
    pub header_read_timeout_seconds: u64,
    /// Connections served at once; further clients wait in the listen backlog until one ends.
    #[arg(long, env = "SENTINELOPS_MAX_CONNECTIONS", default_value_t = sentinelops_web::state::DEFAULT_MAX_CONNECTIONS, global = true)]
    pub max_connections: usize,
    #[arg(long, value_enum, env = "SENTINELOPS_LOG_FORMAT", default_value = "text", global = true)]
    pub log_format: LogFormat,
    /// Log filter, e.g. `info` or `sentinelops=debug,info`.
    #[arg(long, env = "SENTINELOPS_LOG", default_value = "info", global = true)]
    pub log: String,
    /// Run background jobs (daily checklists, reminders, stale shifts, outbox, retention) in this process.
    #[arg(long, env = "SENTINELOPS_JOBS", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub jobs: bool,
    /// Local time (business zone) at which each day's checklists are created.
    #[arg(long, env = "SENTINELOPS_DAILY_CREATION_AT", default_value = "06:00", global = true)]
    pub daily_creation_at: String,
    /// Minutes after a shift ends before an unsigned checklist becomes INCOMPLETE.
    #[arg(long, env = "SENTINELOPS_STALE_GRACE_MINUTES", default_value_t = 120, global = true)]
    pub stale_grace_minutes: i64,
    /// Days to keep auth events, ops events and notifications (0 keeps forever).
    #[arg(long, env = "SENTINELOPS_RETAIN_AUTH_EVENTS_DAYS", default_value_t = 0, global = true)]
    pub retain_auth_events_days: i64,
    #[arg(long, env = "SENTINELOPS_RETAIN_OPS_EVENTS_DAYS", default_value_t = 0, global = true)]
    pub retain_ops_events_days: i64,
    #[arg(long, env = "SENTINELOPS_RETAIN_NOTIFICATIONS_DAYS", default_value_t = 0, global = true)]
    pub retain_notifications_days: i64,
    /// Hours before a shift starts that its managers hear it is short of its minimum.
    #[arg(long, env = "SENTINELOPS_COVERAGE_ALERT_HOURS", default_value_t = 24, global = true)]
    pub coverage_alert_hours: i64,
    /// Minutes before a shift starts that they hear again if it is still short.
    #[arg(long, env = "SENTINELOPS_COVERAGE_FINAL_ALERT_MINUTES", default_value_t = 60, global = true)]
    pub coverage_final_alert_minutes: i64,
    /// SMTP server for e-mail (none: e-mail is not sent).
    #[arg(long, env = "SENTINELOPS_SMTP_HOST", global = true)]
    pub smtp_host: Option<String>,
    #[arg(long, env = "SENTINELOPS_SMTP_PORT", default_value_t = 587, global = true)]
    pub smtp_port: u16,
    #[arg(long, env = "SENTINELOPS_SMTP_USERNAME", global = true)]
    pub smtp_username: Option<String>,
    #[arg(long, env = "SENTINELOPS_SMTP_PASSWORD", hide_env_values = true, global = true)]
    pub smtp_password: Option<Secret>,
    #[arg(long, env = "SENTINELOPS_SMTP_FROM", default_value = "sentinelops@localhost", global = true)]
    pub smtp_from: String,
    /// none, starttls or tls.
    #[arg(long, env = "SENTINELOPS_SMTP_SECURITY", default_value = "starttls", global = true)]
    pub smtp_security: String,
    /// Public base URL of SentinelOps, for links in e-mail.
    #[arg(long, env = "SENTINELOPS_PUBLIC_URL", default_value = "http://127.0.0.1:8080", global = true)]
    pub public_url: String,
    /// Webhooks: comma-separated CLASS=URL pairs (classes: escalation, skip, completion, handover, reminder).
    #[arg(long, env = "SENTINELOPS_WEBHOOKS", default_value = "", global = true)]
    pub webhooks: String,
    /// Key of the HMAC-SHA256 signature of webhook bodies.
    #[arg(long, env = "SENTINELOPS_WEBHOOK_SECRET", hide_env_values = true, global = true)]
    pub webhook_secret: Option<Secret>,
    /// Scoring weights changed from their defaults: comma-separated KEY=N pairs, e.g.
    /// `min_seconds_per_item=0,checklist_clean=20` (keys in the README).
    #[arg(long, env = "SENTINELOPS_SCORING", default_value = "", global = true)]
    pub scoring: String,
    /// LDAP / Active Directory server, `ldap://host:389` or `ldaps://host:636` (directory sign-in is off without it).
    #[arg(long, env = "SENTINELOPS_LDAP_URL", global = true)]
    pub ldap_url: Option<String>,
    /// DN of the service account that searches for users (empty: anonymous search).
    #[arg(long, env = "SENTINELOPS_LDAP_BIND_DN", default_value = "", global = true)]
    pub ldap_bind_dn: String,
    #[arg(long, env = "SENTINELOPS_LDAP_BIND_PASSWORD", hide_env_values = true, global = true)]
    pub ldap_bind_password: Option<Secret>,
    /// Where users (and groups) are searched, e.g. `dc=bank,dc=example`.
    #[arg(long, env = "SENTINELOPS_LDAP_BASE_DN", default_value = "", global = true)]
    pub ldap_base_dn: String,
    /// Where groups are searched, when not under the base DN.
    #[arg(long, env = "SENTINELOPS_LDAP_GROUP_BASE_DN", global = true)]
    pub ldap_group_base_dn: Option<String>,
    /// User search filter; `{login}` stands for the typed login (escaped).
    #[arg(long, env = "SENTINELOPS_LDAP_USER_FILTER", default_value = sentinelops_domain::directory::DEFAULT_USER_FILTER, global = true)]
    pub ldap_user_filter: String,
    /// Group DN whose members are administrators (nested groups count).
    #[arg(long, env = "SENTINELOPS_LDAP_ADMIN_GROUP", global = true)]
    pub ldap_admin_group: Option<String>,
    /// Group DN whose members are managers.
    #[arg(long, env = "SENTINELOPS_LDAP_MANAGER_GROUP", global = true)]
    pub ldap_manager_group: Option<String>,
    /// Group DN whose members are operators; a directory user in none of the three cannot sign in.
    #[arg(long, env = "SENTINELOPS_LDAP_USER_GROUP", global = true)]
    pub ldap_user_group: Option<String>,
    /// Attribute of the user whose value is a section's name, e.g. `departmentNumber`.
    #[arg(long, env = "SENTINELOPS_LDAP_SECTION_ATTRIBUTE", global = true)]
    pub ldap_section_attribute: Option<String>,
    /// Sections by group: `SECTION NAME=GROUP DN;…` (a section group wins over the attribute).
    #[arg(long, env = "SENTINELOPS_LDAP_SECTION_GROUPS", default_value = "", global = true)]
    pub ldap_section_groups: String,
    /// Upgrade `ldap://` with StartTLS before any password is sent.
    #[arg(long, env = "SENTINELOPS_LDAP_STARTTLS", default_value_t = false, action = clap::ArgAction::Set, global = true)]
    pub ldap_starttls: bool,
    /// A folder of extra fonts for the PDF reports, read at start (subfolders too): the
    /// embedded fonts cover Latin, Greek and Cyrillic; add fonts for Arabic, Hebrew, CJK
    /// or Indic names, e.g. Debian's `/usr/share/fonts/truetype/noto`.
    #[arg(long, env = "SENTINELOPS_REPORT_FONTS", global = true)]
    pub report_fonts: Option<PathBuf>,
    /// PEM file of the CA that signs the directory's certificate (else the system's roots).
    #[arg(long, env = "SENTINELOPS_LDAP_CA_FILE", global = true)]
    pub ldap_ca_file: Option<PathBuf>,
    /// Seconds a connection or one directory operation may take.
    #[arg(long, env = "SENTINELOPS_LDAP_TIMEOUT_SECONDS", default_value_t = 5, global = true)]
    pub ldap_timeout_seconds: u64,
    /// Who may sign in with a SentinelOps password: all, admins (break-glass) or none.
    #[arg(long, env = "SENTINELOPS_LOCAL_SIGNIN", default_value = "all", global = true)]
    pub local_signin: String,
    /// OpenID Connect issuer URL (single sign-on is off without it).
    #[arg(long, env = "SENTINELOPS_OIDC_ISSUER", global = true)]
    pub oidc_issuer: Option<String>,
    #[arg(long, env = "SENTINELOPS_OIDC_CLIENT_ID", default_value = "", global = true)]
    pub oidc_client_id: String,
    #[arg(long, env = "SENTINELOPS_OIDC_CLIENT_SECRET", hide_env_values = true, global = true)]
    pub oidc_client_secret: Option<Secret>,
    /// Claim whose value(s) give the role (matched against the LDAP group settings and
    /// the role names admin, manager, user), e.g. `groups` or `roles`.
    #[arg(long, env = "SENTINELOPS_OIDC_ROLE_CLAIM", default_value = "groups", global = true)]
    pub oidc_role_claim: String,
    /// Claim whose value is a section's name.
    #[arg(long, env = "SENTINELOPS_OIDC_SECTION_CLAIM", global = true)]
    pub oidc_section_claim: Option<String>,
    /// Role of a person whose role claim names none (`user`, say, for Google Workspace,
    /// which sends no roles); unset refuses them.
    #[arg(long, env = "SENTINELOPS_OIDC_DEFAULT_ROLE", global = true)]
    pub oidc_default_role: Option<String>,
    /// Scopes asked for besides `openid`, comma-separated.
    #[arg(long, env = "SENTINELOPS_OIDC_SCOPES", default_value = "email,profile", global = true)]
    pub oidc_scopes: String,
    /// The provider's name on the sign-in button ("Sign in with …").
    #[arg(long, env = "SENTINELOPS_OIDC_NAME", default_value = "single sign-on", global = true)]
    pub oidc_name: String,
    /// E-mail of the administrator created on first run.
    #[arg(long, env = "SENTINELOPS_ADMIN_EMAIL", default_value = "admin@localhost", global = true)]
    pub admin_email: String,
    /// Password of the first administrator (else a random one is printed once).
    #[arg(long, env = "SENTINELOPS_ADMIN_PASSWORD", hide_env_values = true, global = true)]
    pub admin_password: Option<Secret>,
    /// Password of the demo users (else a random one is printed).
    #[arg(long, env = "SENTINELOPS_DEMO_PASSWORD", hide_env_values = true, global = true)]
    pub demo_password: Option<Secret>,
}

/// The scoring weights: the defaults with the `KEY=N` pairs of `text` applied (an unknown
/// key or a value that is not a whole number is an error, not ignored).
pub fn scoring_weights(text: &str) -> anyhow::Result<sentinelops_domain::scoring::ScoringWeights> {
    let mut table = toml::Table::new();
    for pair in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').with_context(|| format!("scoring weight {pair:?} must be KEY=N"))?;
        let value: i64 =
            value.trim().parse().with_context(|| format!("scoring weight {key:?} must be a whole number"))?;
        table.insert(key.trim().to_owned(), toml::Value::Integer(value));
    }
    table.try_into().context("invalid scoring weights")
}

/// Finds `--config FILE`, `--config=FILE` or `SENTINELOPS_CONFIG` before clap runs.
fn config_file_path() -> Option<PathBuf> {
    let args: Vec<String> = std::env::args().collect();
    for (i, arg) in args.iter().enumerate() {
        if let Some(path) = arg.strip_prefix("--config=") {
            return Some(PathBuf::from(path));
        }
        if arg == "--config" {
            return args.get(i + 1).map(PathBuf::from);
        }
    }
    std::env::var_os("SENTINELOPS_CONFIG").map(PathBuf::from)
}

/// Reads the TOML file into (flag id, value) pairs.
fn file_defaults(path: &PathBuf) -> anyhow::Result<Vec<(String, String)>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read config file {}", path.display()))?;
    let table: toml::Table = text.parse().with_context(|| format!("invalid TOML in {}", path.display()))?;
    let known: Vec<String> = Cli::command().get_arguments().map(|a| a.get_id().to_string()).collect();
    let mut pairs = Vec::new();
    for (key, value) in table {
        let id = key.replace('-', "_");
        if !known.contains(&id) || id == "config" {
            bail!("unknown setting {key:?} in {}", path.display());
        }
        let value = match value {
            toml::Value::Array(items) => items.iter().map(scalar).collect::<anyhow::Result<Vec<_>>>()?.join(","),
            other => scalar(&other)?,
        };
        pairs.push((id, value));
    }
    Ok(pairs)
}

fn scalar(value: &toml::Value) -> anyhow::Result<String> {
    Ok(match value {
        toml::Value::String(s) => s.clone(),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => f.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        _ => bail!("settings must be strings, numbers, booleans or lists of them"),
    })
}

/// Parses the command line; values from the TOML file become defaults, so flags and
/// environment variables still win.
pub fn parse_cli() -> Result<Cli, clap::Error> {
    let mut command = Cli::command();
    if let Some(path) = config_file_path() {
        match file_defaults(&path) {
            Ok(pairs) => {
                for (id, value) in pairs {
                    command = command.mut_arg(id, |arg| arg.default_value(value));
                }
            }
            Err(err) => {
                return Err(Cli::command().error(clap::error::ErrorKind::InvalidValue, format!("{err:#}")));
            }
        }
    }
    let matches = command.try_get_matches()?;
    Cli::from_arg_matches(&matches)
}

pub fn init_tracing(settings: &Settings) {
    let filter = tracing_subscriber::EnvFilter::try_new(&settings.log)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_target(false);
    let _ = match settings.log_format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn connection_limits_come_from_flags_and_the_toml_file() {
        let cli = Cli::try_parse_from(["sentinelops"]).unwrap();
        assert_eq!(
            (cli.settings.header_read_timeout_seconds, cli.settings.max_connections),
            (10, sentinelops_web::state::DEFAULT_MAX_CONNECTIONS)
        );
        let cli = Cli::try_parse_from(["sentinelops", "--header-read-timeout-seconds", "3", "--max-connections", "64"])
            .unwrap();
        assert_eq!((cli.settings.header_read_timeout_seconds, cli.settings.max_connections), (3, 64));

        let path = std::env::temp_dir().join(format!("sentinelops-config-{}.toml", std::process::id()));
        std::fs::write(&path, "header_read_timeout_seconds = 5\nmax-connections = 32\n").unwrap();
        let mut pairs = file_defaults(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        pairs.sort();
        let expected = [("header_read_timeout_seconds", "5"), ("max_connections", "32")];
        assert_eq!(pairs, expected.map(|(k, v)| (k.to_owned(), v.to_owned())));
    }

    #[test]
    fn scoring_weights_change_only_the_keys_given_and_refuse_unknown_ones() {
        let w = scoring_weights(" min_seconds_per_item = 0, checklist_clean=20 ").unwrap();
        assert_eq!((w.min_seconds_per_item, w.checklist_clean, w.item_base), (0, 20, 5));
        assert_eq!(scoring_weights("").unwrap(), sentinelops_domain::scoring::ScoringWeights::default());
        assert!(scoring_weights("checklist_cleen=20").is_err());
        assert!(scoring_weights("checklist_clean=lots").is_err());
    }
}
