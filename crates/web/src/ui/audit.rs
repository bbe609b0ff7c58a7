//! `/ui/audit`: the two audit trails with filters, pages and CSV export.
//! Ops events (`/ui/audit`) for supervisors — the `ops_events` use case narrows a
//! manager to their own section; auth events (`/ui/audit/auth`) for administrators.
//! The CSV downloads (`…/ops.csv`, `…/auth.csv`) take the same filters and reuse the
//! API's streamed export (every match, no cap; formulas neutralised).

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use chrono::{DateTime, Days, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use sentinelops_app::{AppError, AuthEventQuery, AuthEventRow, OpsEventQuery, OpsEventRow, Window};
use sentinelops_domain::auth::AuthEventType;

use crate::api::audit_export;
use crate::state::AppState;
use crate::ui::error::UiResult;
use crate::ui::extract::UiQuery;
use crate::ui::render::{self, Layout};
use crate::ui::roles::{Admin, OpsAudit, SignInAudit, Supervisor};
use crate::ui::session::UiUser;
use crate::ui::timefmt;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ui/audit", get(ops_page))
        .route("/ui/audit/ops.csv", get(ops_csv))
        .route("/ui/audit/auth", get(auth_page))
        .route("/ui/audit/auth.csv", get(auth_csv))
}

const PER_PAGE: u64 = 50;
/// Deepest page offered (offsets stay in what databases accept).
const MAX_PAGE: u64 = 100_000;

/// The filters of both trails, as the query string carries them ("" = no filter).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct AuditFilters {
    pub event_type: String,
    /// The username (auth: the subject; ops: who acted).
    pub user: String,
    /// Auth: the client address.
    pub ip: String,
    /// Ops: a section id (administrators; a manager always sees their own).
    pub section: String,
    /// Ops: the entity type (CHECKLIST_INSTANCE, USER, …).
    pub entity_type: String,
    /// Calendar days in the business time zone, both included.
    pub from: String,
    pub to: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub page: String,
}

/// From (included) and to (excluded), either open.
type TimeRange = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

fn trimmed(value: &str) -> Option<String> {
    Some(value.trim()).filter(|v| !v.is_empty()).map(str::to_owned)
}

impl AuditFilters {
    fn page(&self) -> Result<u64, String> {
        match self.page.trim() {
            "" => Ok(1),
            n => n.parse::<u64>().ok().filter(|p| (1..=MAX_PAGE).contains(p)).ok_or_else(|| "No such page.".to_owned()),
        }
    }

    fn window(&self) -> Result<Window, String> {
        Ok(Window { offset: (self.page()? - 1) * PER_PAGE, limit: PER_PAGE })
    }

    /// The time range: from the start of `from` to the end of `to`, business time.
    fn range(&self, tz: Tz) -> Result<TimeRange, String> {
        let day = |field: &str, value: &str| -> Result<Option<NaiveDate>, String> {
            match trimmed(value) {
                None => Ok(None),
                Some(v) => NaiveDate::parse_from_str(&v, "%Y-%m-%d")
                    .ok()
                    .and_then(|d| sentinelops_app::validate::date(field, d).ok())
                    .map(Some)
                    .ok_or_else(|| format!("{field} must be a date (YYYY-MM-DD) between 1970 and 2200.")),
            }
        };
        let from = day("From", &self.from)?;
        let to = day("To", &self.to)?;
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            return Err("From must not be after To.".to_owned());
        }
        let end = to.map(|t| timefmt::day_start(tz, t.checked_add_days(Days::new(1)).unwrap_or(t)));
        Ok((from.map(|f| timefmt::day_start(tz, f)), end))
    }

    fn auth_query(&self, tz: Tz) -> Result<AuthEventQuery, String> {
        let (from, to) = self.range(tz)?;
        let event_types = match trimmed(&self.event_type) {
            None => Vec::new(),
            Some(t) => match AuthEventType::parse(&t) {
                Some(kind) => vec![kind.as_str().to_owned()],
                None => return Err(format!("Unknown event type {t:?}.")),
            },
        };
        Ok(AuthEventQuery {
            event_types,
            user_id: None,
            username: trimmed(&self.user).map(|u| u.to_lowercase()),
            ip: trimmed(&self.ip),
            from,
            to,
        })
    }

    /// `actor_id`: the "user" filter, resolved by `actor_filter`.
    fn ops_query(&self, tz: Tz, actor_id: Option<Uuid>) -> Result<OpsEventQuery, String> {
        let (from, to) = self.range(tz)?;
        let section_id = match trimmed(&self.section) {
            None => None,
            Some(s) => Some(Uuid::parse_str(&s).map_err(|_| "Choose a section from the list.".to_owned())?),
        };
        Ok(OpsEventQuery {
            event_types: trimmed(&self.event_type).map(|t| vec![t.to_ascii_uppercase()]).unwrap_or_default(),
            entity_type: trimmed(&self.entity_type).map(|t| t.to_ascii_uppercase()),
            entity_id: None,
            section_id,
            actor_id,
            from,
            to,
        })
    }

    /// This query string on another page.
    fn href(&self, base: &str, page: u64) -> String {
        let mut filters = self.clone();
        filters.page = page.to_string();
        format!("{base}?{}", serde_urlencoded::to_string(&filters).unwrap_or_default())
    }

    /// The query string for the CSV link (no page: the export has every match).
    fn csv_href(&self, base: &str) -> String {
        let mut filters = self.clone();
        filters.page = String::new();
        format!("{base}?{}", serde_urlencoded::to_string(&filters).unwrap_or_default())
    }

    pub fn is_event_type(&self, kind: &str) -> bool {
        self.event_type.eq_ignore_ascii_case(kind)
    }

    pub fn is_section(&self, id: &Uuid) -> bool {
        self.section == id.to_string()
    }
}

/// The ops trail's "user" filter as an actor id. An unknown name matches nothing (the
/// nil id: no one acts as it; the system is recorded without an id) rather than being
/// an error, so the filter does not tell a manager which names exist elsewhere.
async fn actor_filter(state: &AppState, user: &str) -> Result<Option<Uuid>, AppError> {
    let Some(login) = trimmed(user) else {
        return Ok(None);
    };
    match state.app.find_user_by_login(&login).await {
        Ok(found) => Ok(Some(found.id)),
        Err(AppError::NotFound(_)) => Ok(Some(Uuid::nil())),
        Err(err) => Err(err),
    }
}

/// One auth event as a table row shows it.
#[derive(Debug, Clone)]
pub struct AuthRow {
    pub time: String,
    pub event_type: String,
    pub username: String,
    pub ip: String,
    pub user_agent: String,
    pub detail: String,
}

impl AuthRow {
    pub fn new(row: AuthEventRow, tz: Tz) -> AuthRow {
        AuthRow {
            time: timefmt::second(tz, row.event_time),
            event_type: row.event_type,
            username: row.username.unwrap_or_default(),
            ip: row.ip.unwrap_or_default(),
            user_agent: row.user_agent.unwrap_or_default(),
            detail: detail(&row.metadata, &["reason", "login_type", "source"]),
        }
    }

    /// The badge colour of the event type.
    pub fn tone(&self) -> &'static str {
        match self.event_type.as_str() {
            "LOGIN_FAILURE" | "INVALID_TOKEN" => "status-failed",
            "SESSION_REVOKED" | "LOGOUT" => "status-skipped",
            _ => "status-completed",
        }
    }
}

/// One ops event as a table row shows it.
#[derive(Debug, Clone)]
pub struct OpsRow {
    pub time: String,
    pub event_type: String,
    pub entity: String,
    pub actor: String,
    pub section: String,
    pub detail: String,
}

impl OpsRow {
    pub fn new(row: OpsEventRow, tz: Tz, section_name: &dyn Fn(Option<Uuid>) -> String) -> OpsRow {
        let actor = row.payload.get("actor_username").and_then(Value::as_str).unwrap_or("").to_owned();
        OpsRow {
            time: timefmt::second(tz, row.created_at),
            section: section_name(row.section_id),
            entity: format!("{} {}", row.entity_type, row.entity_id),
            event_type: row.event_type,
            actor,
            detail: detail(&row.payload, &["username", "name", "title", "reason", "status", "key", "to"]),
        }
    }
}

/// A short summary of an event's JSON: the first few telling fields, as `key: value`.
fn detail(json: &Value, keys: &[&str]) -> String {
    let parts: Vec<String> = keys
        .iter()
        .filter_map(|key| {
            let value = json.get(*key)?;
            let text = match value {
                Value::String(s) if !s.is_empty() => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                _ => return None,
            };
            Some(format!("{key}: {}", text.chars().take(80).collect::<String>()))
        })
        .take(3)
        .collect();
    parts.join(", ")
}

/// One row of each table on its own (snapshot tests; the pages include the same partials).
#[derive(Template)]
#[template(path = "partials/audit_auth_row.html")]
pub struct AuthRowPartial {
    pub event: AuthRow,
}

#[derive(Template)]
#[template(path = "partials/audit_ops_row.html")]
pub struct OpsRowPartial {
    pub event: OpsRow,
}

/// A section in the filter's picker.
#[derive(Debug, Clone)]
pub struct SectionChoice {
    pub id: Uuid,
    pub name: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
pub struct AuditPage {
    pub layout: Layout,
    /// "ops" or "auth".
    pub tab: &'static str,
    pub show_auth_tab: bool,
    pub filters: AuditFilters,
    /// The filters' error, shown above the table (and no rows).
    pub error: Option<String>,
    pub auth_rows: Vec<AuthRow>,
    pub ops_rows: Vec<OpsRow>,
    pub event_types: Vec<&'static str>,
    pub sections: Vec<SectionChoice>,
    pub total: u64,
    pub page: u64,
    pub pages: u64,
    pub prev_href: Option<String>,
    pub next_href: Option<String>,
    pub csv_href: String,
}

async fn ops_page(
    State(state): State<AppState>,
    Supervisor(user, ..): Supervisor<OpsAudit>,
    UiQuery(filters): UiQuery<AuditFilters>,
) -> UiResult {
    let tz = state.app.business_timezone().await?;
    let sections = state.app.list_sections(None).await?;
    let actor_id = actor_filter(&state, &filters.user).await?;
    let mut page = new_page(&state, &user, "ops", &filters).await;
    page.sections = sections.iter().map(|s| SectionChoice { id: s.id, name: s.name.clone() }).collect();
    page.csv_href = filters.csv_href("/ui/audit/ops.csv");
    let query = filters.ops_query(tz, actor_id).and_then(|q| Ok((q, filters.window()?)));
    let (query, window) = match query {
        Ok(ok) => ok,
        Err(message) => return Ok(filter_error(page, message)),
    };
    let found = state.app.ops_events(&user.actor, &query, window).await?;
    let section_name =
        |id: Option<Uuid>| sections.iter().find(|s| Some(s.id) == id).map(|s| s.name.clone()).unwrap_or_default();
    page.ops_rows = found.rows.into_iter().map(|r| OpsRow::new(r, tz, &section_name)).collect();
    paginate(&mut page, &filters, "/ui/audit", found.total, window);
    Ok(render::page(&page))
}

async fn auth_page(
    State(state): State<AppState>,
    Admin(user, ..): Admin<SignInAudit>,
    UiQuery(filters): UiQuery<AuditFilters>,
) -> UiResult {
    let tz = state.app.business_timezone().await?;
    let mut page = new_page(&state, &user, "auth", &filters).await;
    page.csv_href = filters.csv_href("/ui/audit/auth.csv");
    let query = filters.auth_query(tz).and_then(|q| Ok((q, filters.window()?)));
    let (query, window) = match query {
        Ok(ok) => ok,
        Err(message) => return Ok(filter_error(page, message)),
    };
    let found = state.app.auth_events(&user.actor, &query, window).await?;
    page.auth_rows = found.rows.into_iter().map(|r| AuthRow::new(r, tz)).collect();
    paginate(&mut page, &filters, "/ui/audit/auth", found.total, window);
    Ok(render::page(&page))
}

async fn new_page(state: &AppState, user: &UiUser, tab: &'static str, filters: &AuditFilters) -> AuditPage {
    let title = if tab == "auth" { "Audit: sign-ins" } else { "Audit: operations" };
    AuditPage {
        layout: user.layout(state, title, "audit").await,
        tab,
        show_auth_tab: user.is_admin(),
        filters: filters.clone(),
        error: None,
        auth_rows: Vec::new(),
        ops_rows: Vec::new(),
        event_types: AuthEventType::ALL.iter().map(|t| t.as_str()).collect(),
        sections: Vec::new(),
        total: 0,
        page: 1,
        pages: 0,
        prev_href: None,
        next_href: None,
        csv_href: String::new(),
    }
}

fn filter_error(mut page: AuditPage, message: String) -> Response {
    page.error = Some(message);
    render::page_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

fn paginate(page: &mut AuditPage, filters: &AuditFilters, base: &str, total: u64, window: Window) {
    let current = window.offset / PER_PAGE + 1;
    page.total = total;
    page.page = current;
    page.pages = total.div_ceil(PER_PAGE);
    page.prev_href = (current > 1).then(|| filters.href(base, current - 1));
    page.next_href = (current < page.pages && current < MAX_PAGE).then(|| filters.href(base, current + 1));
}

/// Every match, streamed (see `api::audit_export`).
async fn ops_csv(State(state): State<AppState>, user: UiUser, UiQuery(filters): UiQuery<AuditFilters>) -> UiResult {
    let tz = state.app.business_timezone().await?;
    let actor_id = actor_filter(&state, &filters.user).await?;
    let query = filters.ops_query(tz, actor_id).map_err(AppError::Validation)?;
    Ok(audit_export::ops_events_csv(&state, &user.actor, query).await?)
}

async fn auth_csv(State(state): State<AppState>, user: UiUser, UiQuery(filters): UiQuery<AuditFilters>) -> UiResult {
    let tz = state.app.business_timezone().await?;
    let query = filters.auth_query(tz).map_err(AppError::Validation)?;
    Ok(audit_export::auth_events_csv(&state, &user.actor, query).await?)
}
