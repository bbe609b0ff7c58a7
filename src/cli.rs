//! The subcommands.

use std::io::BufRead;
use std::sync::Arc;

use anyhow::{Context, anyhow};
use chrono::Duration;
use uuid::Uuid;

use sentinelops_app::users::{CreateUser, UpdateUser};
use sentinelops_app::{Actor, App, AppConfig, PoolConfig, RequestMeta, Store};
use sentinelops_domain::SystemClock;
use sentinelops_web::{AppState, WebConfig};

use crate::config::{Cli, Command, DirectoryCommand, Settings, UserCommand};

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Version => {
            println!("sentinelops {}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
        Command::Migrate => {
            let store = open_store(&cli.settings).await?;
            println!("Database is up to date ({}).", store.backend().name());
            Ok(())
        }
        Command::Serve => serve(&cli.settings).await,
        Command::Demo => demo(&cli.settings).await,
        Command::ImportLegacy { dir, section, dry_run } => import_legacy(&cli.settings, &dir, &section, dry_run).await,
        Command::User(command) => user(&cli.settings, command).await,
        Command::Directory(DirectoryCommand::Test { login }) => crate::directory::test(&cli.settings, &login).await,
    }
}

/// Connects and applies pending migrations (under an advisory lock on PostgreSQL).
async fn open_store(settings: &Settings) -> anyhow::Result<Store> {
    let pool = PoolConfig {
        max_connections: settings.db_max_connections,
        acquire_timeout: std::time::Duration::from_millis(settings.db_acquire_timeout_ms.max(1)),
    };
    let store = Store::connect(&settings.database_url, pool).await.context("cannot open the database")?;
    store.migrate().await.context("cannot apply database migrations")?;
    Ok(store)
}

fn app_config(settings: &Settings) -> anyhow::Result<AppConfig> {
    let default_timezone = settings
        .timezone
        .parse()
        .map_err(|_| anyhow!("unknown time zone {:?} (use an IANA name)", settings.timezone))?;
    let mut config = AppConfig { default_timezone, ..AppConfig::default() };
    config.sessions.idle = Duration::minutes(settings.session_idle_minutes.max(1));
    config.sessions.absolute = Duration::hours(settings.session_absolute_hours.max(1));
    config.account_lockout.threshold = settings.lockout_threshold;
    config.account_lockout.window = Duration::minutes(settings.lockout_window_minutes.max(1));
    config.ip_lockout.threshold = settings.lockout_ip_threshold;
    config.ip_lockout.window = Duration::minutes(settings.lockout_window_minutes.max(1));
    config.password_hashing.memory_kib = settings.argon2_memory_kib;
    config.password_hashing.iterations = settings.argon2_iterations;
    config.jobs.enabled = settings.jobs;
    config.jobs.daily_creation_at = chrono::NaiveTime::parse_from_str(&settings.daily_creation_at, "%H:%M")
        .map_err(|_| anyhow!("daily creation time must be HH:MM, got {:?}", settings.daily_creation_at))?;
    config.jobs.stale_grace = Duration::minutes(settings.stale_grace_minutes.max(0));
    let days = |d: i64| (d > 0).then(|| Duration::days(d));
    config.jobs.retain_auth_events = days(settings.retain_auth_events_days);
    config.jobs.retain_ops_events = days(settings.retain_ops_events_days);
    config.jobs.retain_notifications = days(settings.retain_notifications_days);
    config.jobs.coverage_alert_ahead = Duration::hours(settings.coverage_alert_hours.clamp(1, 24 * 14));
    config.jobs.coverage_alert_final = Duration::minutes(settings.coverage_final_alert_minutes.clamp(1, 24 * 60));
    config.mail.host = settings.smtp_host.clone().filter(|h| !h.trim().is_empty());
    config.mail.port = settings.smtp_port;
    config.mail.username = settings.smtp_username.clone();
    config.mail.password = settings.smtp_password.clone();
    config.mail.from = settings.smtp_from.clone();
    config.mail.security = settings.smtp_security.to_lowercase();
    config.mail.public_url = settings.public_url.trim_end_matches('/').to_owned();
    for pair in settings.webhooks.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (class, url) = pair.split_once('=').ok_or_else(|| anyhow!("webhook {pair:?} must be CLASS=URL"))?;
        config.webhooks.targets.push((class.trim().to_lowercase(), url.trim().to_owned()));
    }
    config.webhooks.secret = settings.webhook_secret.clone();
    config.scoring = crate::config::scoring_weights(&settings.scoring)?;
    config.directory = crate::directory::directory_config(settings, &config.mail.public_url)?;
    Ok(config)
}

fn web_config(settings: &Settings) -> anyhow::Result<WebConfig> {
    let list = |s: &str| s.split(',').map(str::trim).filter(|p| !p.is_empty()).map(str::to_owned).collect::<Vec<_>>();
    let trusted_proxies = list(&settings.trusted_proxies)
        .iter()
        .map(|p| {
            p.parse::<ipnet::IpNet>()
                .or_else(|_| p.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| anyhow!("invalid trusted proxy {p:?} (use an address or CIDR)"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(WebConfig {
        trusted_proxies,
        cors_origins: list(&settings.cors_origins),
        max_body_bytes: settings.max_body_bytes,
        static_dir: settings.static_dir.clone(),
        header_read_timeout: std::time::Duration::from_secs(settings.header_read_timeout_seconds.max(1)),
        max_connections: settings.max_connections.max(1),
        ..WebConfig::default()
    })
}

async fn build_app(settings: &Settings) -> anyhow::Result<App> {
    let store = open_store(settings).await?;
    Ok(App::new(store, Arc::new(SystemClock), app_config(settings)?).await?)
}

async fn serve(settings: &Settings) -> anyhow::Result<()> {
    let web = web_config(settings)?;
    if let Some(dir) = &settings.report_fonts {
        let families = sentinelops_reports::use_fonts_in(dir).context("--report-fonts")?;
        tracing::info!(folder = %dir.display(), families = %families.join(", "), "report fonts added");
    }
    let app = build_app(settings).await?;
    let listener = tokio::net::TcpListener::bind(&settings.bind)
        .await
        .with_context(|| format!("cannot listen on {}", settings.bind))?;
    let address = listener.local_addr().context("cannot read the listening address")?;
    if let Some(admin) = app
        .ensure_first_admin(&settings.admin_email, settings.admin_password.as_ref().map(|p| p.expose().to_owned()))
        .await?
    {
        println!("First run: created administrator {} (username {}).", admin.email, admin.username);
        match admin.generated_password {
            Some(password) => {
                println!("  Password (shown once): {password}");
                println!(
                    "  Sign in with: curl -X POST http://{address}/auth/signin -H 'Content-Type: application/json' \\"
                );
                println!("    -d '{{\"email\":\"{}\",\"password\":\"{password}\"}}'", admin.email);
            }
            None => println!("  Password: the value of SENTINELOPS_ADMIN_PASSWORD"),
        }
    }
    tracing::info!(%address, backend = app.store.backend().name(), "SentinelOps is serving");
    println!("SentinelOps is listening on http://{address} ({} database).", app.store.backend().name());
    let background = app.start_background().await?;
    let idle_app = app.clone();
    let idle_collector = crate::allocator::spawn_idle_collector(move || {
        let app = idle_app.clone();
        async move { app.release_idle_memory().await }
    });
    sentinelops_web::serve(listener, AppState::new(app.clone(), web), shutdown_signal()).await?;
    idle_collector.abort();
    for task in background {
        let _ = task.await;
    }
    let _ = app.clear_presence().await;
    tracing::info!("shut down cleanly");
    Ok(())
}

/// Resolves on SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown requested; draining in-flight requests");
}

async fn demo(settings: &Settings) -> anyhow::Result<()> {
    let app = build_app(settings).await?;
    let report = app.load_demo(settings.demo_password.as_ref().map(|p| p.expose().to_owned())).await?;
    if report.changed_nothing() {
        println!("The demo organisation is already loaded; nothing changed.");
        return Ok(());
    }
    println!("Demo organisation loaded:");
    println!("  departments: {}", report.departments_created.join(", "));
    println!("  sections:    {}", report.sections_created.join(", "));
    if !report.users_created.is_empty() {
        println!("  users:       {}", report.users_created.join(", "));
        match &report.generated_password {
            Some(p) => println!("  password of the new demo users (shown once): {p}"),
            None => {
                println!("  password of the new demo users: the value of SENTINELOPS_DEMO_PASSWORD")
            }
        }
    }
    if !report.templates_created.is_empty() {
        println!("  templates:   {}", report.templates_created.join("; "));
    }
    if let Some(tz) = &report.timezone_set {
        println!("  business time zone: {tz}");
    }
    Ok(())
}

async fn import_legacy(settings: &Settings, dir: &std::path::Path, section: &str, dry_run: bool) -> anyhow::Result<()> {
    let app = build_app(settings).await?;
    let report = app.import_legacy(dir, section, dry_run).await?;
    let verb = if dry_run { "would create" } else { "created" };
    let show = |label: &str, list: &[String]| {
        if !list.is_empty() {
            println!("  {label}: {}", list.join(", "));
        }
    };
    println!("{} {}:", if dry_run { "Dry run of the import from" } else { "Imported from" }, dir.display());
    show(&format!("templates {verb}"), &report.templates_created);
    show("templates already imported", &report.templates_unchanged);
    show(&format!("checklists {verb}"), &report.instances_created);
    show("checklists already imported", &report.instances_unchanged);
    show(&format!("inactive users {verb} for authors"), &report.users_created);
    show("files ignored", &report.files_ignored);
    if report.templates_created.is_empty() && report.instances_created.is_empty() {
        println!("  nothing to change");
    }
    Ok(())
}

fn read_password_line() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("cannot read the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

async fn user(settings: &Settings, command: UserCommand) -> anyhow::Result<()> {
    let app = build_app(settings).await?;
    let system = Actor::system();
    let meta = RequestMeta { ip: None, user_agent: Some("sentinelops-cli".into()) };
    match command {
        UserCommand::List => {
            let users = app.list_users(&system).await?;
            println!("{:<24} {:<32} {:<8} {:<6} SECTION", "USERNAME", "EMAIL", "ROLE", "ACTIVE");
            for u in users {
                println!("{:<24} {:<32} {:<8} {:<6} {}", u.username, u.email, u.role, u.is_active, u.section_name);
            }
        }
        UserCommand::Create { username, email, first_name, last_name, role, section, password_stdin } => {
            let section_id = match section {
                Some(s) => Some(resolve_section(&app, &s).await?),
                None => None,
            };
            let (password, generated) = choose_password(password_stdin)?;
            let first = if first_name.is_empty() { username.clone() } else { first_name };
            let last = if last_name.is_empty() { "-".to_owned() } else { last_name };
            let input = CreateUser {
                username,
                email,
                first_name: first,
                last_name: last,
                position: None,
                password: password.clone(),
                role,
                department_id: None,
                section_id,
            };
            let user = app.create_user(&system, input).await?;
            println!("Created {} <{}> as {}.", user.username, user.email, user.role);
            if generated {
                println!("Password (shown once): {password}");
            }
        }
        UserCommand::SetPassword { login, password_stdin } => {
            let user = app.find_user_by_login(&login).await?;
            let (password, generated) = choose_password(password_stdin)?;
            let patch = UpdateUser { password: Some(password.clone()), ..UpdateUser::default() };
            app.update_user(&system, user.id, patch, &meta).await?;
            println!("Password of {} changed; their sessions were revoked.", user.username);
            if generated {
                println!("New password (shown once): {password}");
            }
        }
        UserCommand::Deactivate { login } => {
            let user = app.find_user_by_login(&login).await?;
            let patch = UpdateUser { is_active: Some(false), ..UpdateUser::default() };
            app.update_user(&system, user.id, patch, &meta).await?;
            println!("{} is deactivated; their sessions were revoked.", user.username);
        }
    }
    Ok(())
}

fn choose_password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if from_stdin { Ok((read_password_line()?, false)) } else { Ok((sentinelops_app::password::random_secret(), true)) }
}

async fn resolve_section(app: &App, name_or_id: &str) -> anyhow::Result<Uuid> {
    let sections = app.list_sections(None).await?;
    sections
        .iter()
        .find(|s| s.id.to_string() == name_or_id || s.name.eq_ignore_ascii_case(name_or_id))
        .map(|s| s.id)
        .ok_or_else(|| anyhow!("no section named {name_or_id:?}"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use clap::Parser;

    use super::*;

    #[test]
    fn the_connection_limits_reach_the_web_layer() {
        let args = ["sentinelops", "--header-read-timeout-seconds", "4", "--max-connections", "50"];
        let web = web_config(&Cli::try_parse_from(args).unwrap().settings).unwrap();
        assert_eq!((web.header_read_timeout, web.max_connections), (std::time::Duration::from_secs(4), 50));
        // Zero would close every connection at once, or accept none: the least is one.
        let args = ["sentinelops", "--header-read-timeout-seconds", "0", "--max-connections", "0"];
        let web = web_config(&Cli::try_parse_from(args).unwrap().settings).unwrap();
        assert_eq!((web.header_read_timeout, web.max_connections), (std::time::Duration::from_secs(1), 1));
    }
}
