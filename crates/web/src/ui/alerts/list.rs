//! `/ui/alerts`: a tab per status (`?status=open|acknowledged|resolved`), newest first,
//! a page at a time. Supervisors and operators see their section's alerts; admins every
//! section's, or one section's with the picker (`?section=`).

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use chrono_tz::Tz;
use serde::Deserialize;
use uuid::Uuid;

use sentinelops_app::AppError;
use sentinelops_app::Window;
use sentinelops_app::alerts::{AlertQuery, AlertRow};
use sentinelops_domain::alert::AlertStatus;

use super::cause_words;
use crate::state::AppState;
use crate::ui::error::UiResult;
use crate::ui::extract::UiQuery;
use crate::ui::render::{self, Layout};
use crate::ui::session::UiUser;
use crate::ui::timefmt;

pub fn routes() -> Router<AppState> {
    Router::new().route("/ui/alerts", get(list_page))
}

const PER_PAGE: u64 = 25;
/// The deepest page offered (offsets stay in what databases accept).
const MAX_PAGE: u64 = 10_000;

/// The tabs, in order: (query value, label, status).
const TABS: [(&str, &str, AlertStatus); 3] = [
    ("open", "Open", AlertStatus::Open),
    ("acknowledged", "Acknowledged", AlertStatus::Acknowledged),
    ("resolved", "Resolved", AlertStatus::Resolved),
];

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    pub status: String,
    pub section: String,
    pub page: String,
}

/// One tab of the page.
pub struct Tab {
    pub label: &'static str,
    pub href: String,
    pub current: bool,
}

/// A section in the admins' picker.
pub struct SectionChoice {
    pub id: Uuid,
    pub name: String,
    pub selected: bool,
}

/// One alert as a table row shows it.
pub struct AlertLine {
    pub id: Uuid,
    pub title: String,
    pub cause: &'static str,
    pub level: i32,
    pub section: String,
    pub opened: String,
    /// "acknowledged by mary.manager at 2026-11-25 12:05", when someone owns it.
    pub owner: Option<String>,
    pub resolved: Option<String>,
    pub checklist: Option<Uuid>,
}

#[derive(Template)]
#[template(path = "alerts.html")]
pub struct AlertsPage {
    pub layout: Layout,
    pub tabs: Vec<Tab>,
    /// The current tab's label, for its empty state.
    pub tab_label: &'static str,
    /// The admins' section picker (empty for others).
    pub sections: Vec<SectionChoice>,
    pub status_value: &'static str,
    pub rows: Vec<AlertLine>,
    pub total: u64,
    pub page: u64,
    pub pages: u64,
    pub prev_href: Option<String>,
    pub next_href: Option<String>,
}

/// "acknowledged by X at T", when someone acknowledged the alert.
pub fn owner_line(tz: Tz, alert: &AlertRow) -> Option<String> {
    let who = alert.acknowledged_as.as_deref()?;
    let at = timefmt::minute_or_never(tz, alert.acknowledged_at);
    Some(format!("acknowledged by {who} at {at}"))
}

fn line(tz: Tz, names: &HashMap<Uuid, String>, alert: AlertRow) -> AlertLine {
    AlertLine {
        id: alert.id,
        cause: cause_words(&alert.cause),
        level: alert.level,
        section: names.get(&alert.section_id).cloned().unwrap_or_default(),
        opened: timefmt::minute(tz, alert.opened_at),
        owner: owner_line(tz, &alert),
        resolved: alert.resolved_at.map(|at| format!("resolved at {}", timefmt::minute(tz, at))),
        checklist: alert.instance_id,
        title: alert.title,
    }
}

fn href(status: &str, section: Option<Uuid>, page: u64) -> String {
    let mut href = format!("/ui/alerts?status={status}");
    if let Some(section) = section {
        href.push_str(&format!("&section={section}"));
    }
    if page > 1 {
        href.push_str(&format!("&page={page}"));
    }
    href
}

async fn list_page(State(state): State<AppState>, user: UiUser, UiQuery(q): UiQuery<ListQuery>) -> UiResult {
    let tab = match q.status.trim() {
        "" => TABS.first(),
        wanted => TABS.iter().find(|(value, ..)| value.eq_ignore_ascii_case(wanted)),
    };
    let &(status_value, tab_label, status) =
        tab.ok_or_else(|| AppError::Validation("status must be open, acknowledged or resolved".into()))?;
    let page = match q.page.trim() {
        "" => 1,
        n => n
            .parse::<u64>()
            .ok()
            .filter(|p| (1..=MAX_PAGE).contains(p))
            .ok_or_else(|| AppError::Validation("No such page.".into()))?,
    };
    let section = crate::ui::roster::section_field(Some(&q.section))?;
    let window = Window { offset: (page - 1) * PER_PAGE, limit: PER_PAGE };
    let query = AlertQuery { statuses: vec![status], section_id: section, window };
    let found = if user.is_admin() || user.actor.section_id.is_some() {
        state.app.list_alerts(&user.actor, query).await?
    } else {
        // Nobody's section: nothing to show rather than a refusal.
        sentinelops_app::Page { rows: Vec::new(), total: 0 }
    };
    let tz = state.app.business_timezone().await?;
    let all_sections = state.app.list_sections(None).await?;
    let names: HashMap<Uuid, String> = all_sections.iter().map(|s| (s.id, s.name.clone())).collect();
    let sections = if user.is_admin() {
        all_sections
            .into_iter()
            .map(|s| SectionChoice { selected: Some(s.id) == section, id: s.id, name: s.name })
            .collect()
    } else {
        Vec::new()
    };
    let pages = found.total.div_ceil(PER_PAGE).max(1);
    let view = AlertsPage {
        layout: user.layout(&state, "Alerts", "alerts").await,
        tabs: TABS
            .iter()
            .map(|&(value, label, _)| Tab { label, href: href(value, section, 1), current: value == status_value })
            .collect(),
        tab_label,
        sections,
        status_value,
        rows: found.rows.into_iter().map(|a| line(tz, &names, a)).collect(),
        total: found.total,
        page,
        pages,
        prev_href: (page > 1).then(|| href(status_value, section, page - 1)),
        next_href: (page < pages && page < MAX_PAGE).then(|| href(status_value, section, page + 1)),
    };
    Ok(render::page(&view))
}
