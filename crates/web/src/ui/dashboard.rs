//! `/ui/dashboard`: the operational day at a glance for the user's scope — one card
//! per shift checklist (or a "Start" form for a shift without one), the attention
//! queue, incoming handover notes for the shift running now, and the time left in it.
//! `/ui/dashboard/live` is the same content as a fragment; `dashboard.js` refetches it
//! on live events.

use std::collections::{HashMap, HashSet};

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use uuid::Uuid;

use sentinelops_app::AppError;
use sentinelops_app::checklists::view::InstanceView;
use sentinelops_app::dashboard::Tone;
use sentinelops_domain::checklist::ItemStatus;
use sentinelops_domain::shift::ShiftType;

use crate::state::AppState;
use crate::ui::error::UiResult;
use crate::ui::extract::UiQuery;
use crate::ui::render::{self, Layout};
use crate::ui::session::UiUser;

pub fn routes() -> Router<AppState> {
    Router::new().route("/ui/dashboard", get(dashboard)).route("/ui/dashboard/live", get(live))
}

/// `?section=` (administrators only: narrows the day to one section).
#[derive(Debug, Default, Deserialize)]
pub struct DashboardQuery {
    #[serde(default)]
    pub section: Option<String>,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
pub struct DashboardPage {
    pub layout: Layout,
    pub day: Day,
    pub sections: Vec<SectionOption>,
    pub live_url: String,
    /// For the "Start" forms of the included live fragment.
    pub csrf: String,
}

/// `partials/dashboard_live.html`: everything that changes while the page is open.
#[derive(Template)]
#[template(path = "partials/dashboard_live.html")]
pub struct DashboardLive {
    pub day: Day,
    pub csrf: String,
}

/// `partials/dashboard_card.html`: one shift's checklist.
#[derive(Template)]
#[template(path = "partials/dashboard_card.html")]
pub struct CardPartial<'a> {
    pub card: &'a ChecklistCard,
}

#[derive(Debug, Clone)]
pub struct SectionOption {
    pub id: String,
    pub name: String,
    pub selected: bool,
}

/// The operational day as the dashboard shows it.
#[derive(Debug, Clone, Default)]
pub struct Day {
    pub date: String,
    /// The shift running now ("Morning"), if any window contains the current time.
    pub current_shift: Option<String>,
    /// RFC 3339 end of the current shift, for the `data-deadline` countdown.
    pub shift_ends_at: Option<String>,
    pub shift_ends_local: String,
    pub cards: Vec<ChecklistCard>,
    pub starts: Vec<StartSlot>,
    /// Why there are no "Start" forms (an administrator without a section filter).
    pub start_hint: Option<String>,
    pub attention: Vec<AttentionEntry>,
    pub notes: Vec<IncomingNote>,
    /// Who the roster puts on the shift running now and on the next one.
    pub crews: Vec<CrewCard>,
}

/// A shift's rostered people.
#[derive(Debug, Clone)]
pub struct CrewCard {
    /// "Now: Morning" or "Next: Afternoon".
    pub title: String,
    /// "07:00 – 15:00" (the next one's date when it is another day).
    pub window: String,
    pub people: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct ChecklistCard {
    pub id: String,
    pub section: String,
    pub shift: String,
    pub template: String,
    pub status: String,
    pub status_label: String,
    pub total: usize,
    pub actioned: usize,
    pub completed: usize,
    pub skipped: usize,
    pub failed: usize,
    pub participants: Vec<String>,
    pub is_current: bool,
}

impl ChecklistCard {
    pub fn exceptions(&self) -> usize {
        self.skipped + self.failed
    }
}

/// A shift of the day without a checklist yet: the "Start" form's fields.
#[derive(Debug, Clone)]
pub struct StartSlot {
    pub shift: &'static str,
    pub title: &'static str,
    pub window: String,
    pub section_id: Option<String>,
    pub date: String,
}

#[derive(Debug, Clone)]
pub struct AttentionEntry {
    pub title: String,
    pub detail: String,
    pub critical: bool,
    pub instance_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct IncomingNote {
    pub instance_id: String,
    pub content: String,
    pub priority: i64,
    pub author: String,
    pub from: String,
    pub acknowledged: bool,
}

async fn dashboard(State(state): State<AppState>, user: UiUser, UiQuery(query): UiQuery<DashboardQuery>) -> UiResult {
    let section = section_filter(&user, &query).map_err(|message| AppError::Validation(message.to_owned()))?;
    let day = load_day(&state, &user, section).await?;
    let sections = if user.is_admin() {
        (state.app.list_sections(None).await?)
            .into_iter()
            .map(|s| SectionOption { selected: Some(s.id) == section, id: s.id.to_string(), name: s.name })
            .collect()
    } else {
        Vec::new()
    };
    let live_url = match section {
        Some(id) => format!("/ui/dashboard/live?section={id}"),
        None => "/ui/dashboard/live".to_owned(),
    };
    let layout = user.layout(&state, "Today", "dashboard").await;
    Ok(render::page(&DashboardPage { layout, day, sections, live_url, csrf: user.csrf.clone() }))
}

async fn live(State(state): State<AppState>, user: UiUser, UiQuery(query): UiQuery<DashboardQuery>) -> UiResult {
    let section = match section_filter(&user, &query) {
        Ok(section) => section,
        // A fragment even without `ui.js`: only `dashboard.js` asks for this one.
        Err(message) => return Ok(render::fragment_status(StatusCode::UNPROCESSABLE_ENTITY, message)),
    };
    let day = load_day(&state, &user, section).await?;
    Ok(render::page(&DashboardLive { day, csrf: user.csrf.clone() }))
}

/// Only administrators see several sections, so only they may narrow to one.
fn section_filter(user: &UiUser, query: &DashboardQuery) -> Result<Option<Uuid>, &'static str> {
    let Some(text) = query.section.as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if !user.is_admin() {
        return Ok(None);
    }
    text.parse::<Uuid>().map(Some).map_err(|_| "The section filter is not a valid section.")
}

/// Everything the dashboard shows: the day's use case, laid out for the page.
async fn load_day(state: &AppState, user: &UiUser, section: Option<Uuid>) -> Result<Day, AppError> {
    let day = state.app.dashboard_day(&user.actor, section).await?;
    let current = day.current.map(|c| c.shift);

    let mut cards: Vec<ChecklistCard> =
        day.checklists.iter().map(|i| card_of(i, &day.section_names, current)).collect();
    cards.sort_by_key(|c| (c.section.clone(), shift_rank(&c.shift)));

    // "Start" forms: shifts of the day without a checklist, for one section.
    let start_section = if user.is_admin() { section } else { user.actor.section_id };
    let (starts, start_hint) = match start_section {
        Some(section_id) => {
            let taken: HashSet<&str> = day
                .checklists
                .iter()
                .filter(|i| i.row.section_id == section_id)
                .map(|i| i.row.shift.as_str())
                .collect();
            let starts = day
                .windows
                .iter()
                .filter(|(s, _)| !taken.contains(s.as_str()))
                .map(|(s, w)| StartSlot {
                    shift: s.as_str(),
                    title: s.title(),
                    window: format!("{}–{}", w.start.format("%H:%M"), w.end.format("%H:%M")),
                    section_id: user.is_admin().then(|| section_id.to_string()),
                    date: day.date.to_string(),
                })
                .collect();
            (starts, None)
        }
        None if user.is_admin() => (Vec::new(), Some("Choose a section to start its checklists.".to_owned())),
        None => (Vec::new(), Some("You are not assigned to a section, so you cannot start checklists.".to_owned())),
    };

    let mut attention: Vec<AttentionEntry> = day
        .attention
        .into_iter()
        .map(|entry| AttentionEntry {
            title: entry.title,
            detail: entry.detail,
            critical: entry.tone == Tone::Critical,
            instance_id: Some(entry.instance_id.to_string()),
        })
        .collect();
    // The shift running now without any checklist is the widest gap of all.
    if let Some(shift) = current
        && starts.iter().any(|s| s.shift == shift.as_str())
    {
        attention.insert(
            0,
            AttentionEntry {
                title: format!("{} shift has no checklist", shift.title()),
                detail: "The shift is running and nobody has started its checklist.".to_owned(),
                critical: false,
                instance_id: None,
            },
        );
    }

    let notes = day.incoming.into_iter().map(incoming_note).collect();
    let shift_end = day.current.map(|c| c.ends_at);
    // A member of no section has no roster to show.
    let crews = if user.is_admin() || user.actor.section_id.is_some() {
        state.app.on_shift(&user.actor, section).await?.into_iter().map(|c| crew_card(c, day.date, day.tz)).collect()
    } else {
        Vec::new()
    };
    Ok(Day {
        date: long_date(day.date),
        current_shift: current.map(|s| s.title().to_owned()),
        shift_ends_at: shift_end.map(|t| t.to_rfc3339()),
        shift_ends_local: shift_end.map(|t| local_time(t, day.tz)).unwrap_or_default(),
        cards,
        starts,
        start_hint,
        attention,
        notes,
        crews,
    })
}

fn crew_card(crew: sentinelops_app::roster::Crew, today: NaiveDate, tz: Tz) -> CrewCard {
    let when = if crew.running { "Now" } else { "Next" };
    let mut window = format!("{} – {}", local_time(crew.starts_at, tz), local_time(crew.ends_at, tz));
    if crew.date != today {
        window = format!("{} {window}", crew.date.format("%a %-d %b"));
    }
    CrewCard {
        title: format!("{when}: {}", crew.shift.title()),
        window,
        people: crew.people.into_iter().map(|p| p.name).collect(),
    }
}

fn card_of(i: &InstanceView, sections: &HashMap<Uuid, String>, current: Option<ShiftType>) -> ChecklistCard {
    let count = |status: ItemStatus| i.items.iter().filter(|item| item.row.status == status).count();
    let (completed, skipped, failed) =
        (count(ItemStatus::Completed), count(ItemStatus::Skipped), count(ItemStatus::Failed));
    let (row, shift) = (&i.row, *i.row.shift);
    ChecklistCard {
        id: row.id.to_string(),
        section: sections.get(&row.section_id).cloned().unwrap_or_else(|| "Unknown section".to_owned()),
        shift: shift.title().to_owned(),
        template: row.template_name.clone(),
        status: row.status.as_str().to_ascii_lowercase(),
        status_label: status_label(row.status.as_str()),
        total: i.items.len(),
        actioned: completed + skipped + failed,
        completed,
        skipped,
        failed,
        participants: i.participants.iter().map(|p| p.user.username.clone()).collect(),
        is_current: current == Some(shift),
    }
}

fn incoming_note(note: sentinelops_app::dashboard::IncomingNote) -> IncomingNote {
    IncomingNote {
        instance_id: note.instance_id.to_string(),
        content: note.content,
        priority: i64::from(note.priority),
        author: note.author.unwrap_or_else(|| "system".to_owned()),
        from: match note.from {
            Some((shift, date)) => format!("{} shift, {date}", title_of(&shift)),
            None => "an earlier shift".to_owned(),
        },
        acknowledged: note.acknowledged_at.is_some(),
    }
}

fn shift_rank(title: &str) -> usize {
    ShiftType::ALL.iter().position(|s| s.title() == title).unwrap_or(ShiftType::ALL.len())
}

fn title_of(shift: &str) -> String {
    ShiftType::parse(shift).map_or_else(|| shift.to_owned(), |s| s.title().to_owned())
}

/// "PENDING_REVIEW" → "Pending review".
pub fn status_label(status: &str) -> String {
    let lower = status.to_ascii_lowercase().replace('_', " ");
    let mut chars = lower.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn long_date(date: NaiveDate) -> String {
    date.format("%A %-d %B %Y").to_string()
}

/// A UTC instant as wall-clock time in the business time zone.
pub fn local_time(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%H:%M").to_string()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_checklist_card_renders_its_counts_exceptions_and_people() {
        let card = ChecklistCard {
            id: "11111111-2222-3333-4444-555555555555".to_owned(),
            section: "Core Banking".to_owned(),
            shift: "Morning".to_owned(),
            template: "Morning <checks>".to_owned(),
            status: "in_progress".to_owned(),
            status_label: status_label("IN_PROGRESS"),
            total: 5,
            actioned: 3,
            completed: 1,
            skipped: 1,
            failed: 1,
            participants: vec!["olu.operator".to_owned(), "mary.manager".to_owned()],
            is_current: true,
        };
        insta::assert_snapshot!(CardPartial { card: &card }.render().unwrap());
    }

    #[test]
    fn status_labels_read_as_words() {
        assert_eq!(status_label("PENDING_REVIEW"), "Pending review");
        assert_eq!(status_label("COMPLETED_WITH_EXCEPTIONS"), "Completed with exceptions");
        assert_eq!(status_label(""), "");
    }
}
