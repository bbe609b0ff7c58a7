//! `/ui/roster`: a section's week as a grid — its people by days, each cell the shifts
//! worked (in the shift's colour) or why the day is off, days off awaiting a decision
//! marked, and per shift the headcount of each day with the gaps highlighted. Members
//! see their section's; administrators pick one. The section's managers also get the
//! tools: set one person's day, give a pattern to people over a date range, decide the
//! day-off requests.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use chrono::{Datelike, Days, NaiveDate};
use serde::Deserialize;
use uuid::Uuid;

use sentinelops_app::AppError;
use sentinelops_app::roster::{BulkAssign, DayOffDecision, ExceptionInput, GridCell, RosterGrid};

use super::{answer, required_date, section_field};
use crate::state::AppState;
use crate::ui::dashboard::SectionOption;
use crate::ui::error::UiResult;
use crate::ui::extract::{UiForm, UiPath, UiQuery};
use crate::ui::outcome::Refusal;
use crate::ui::render::{self, Layout};
use crate::ui::session::UiUser;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ui/roster", get(week_page))
        .route("/ui/roster/day", post(set_day))
        .route("/ui/roster/assign", post(assign))
        .route("/ui/roster/days-off/{id}/{decision}", post(decide_day_off))
}

/// `?section=` (administrators), `?week=` (any date of the first week; default this
/// week) and `?weeks=` (1 to 6 weeks shown; default 1 — 5 for a month at a glance).
#[derive(Debug, Default, Deserialize)]
pub struct WeekQuery {
    #[serde(default)]
    pub section: Option<String>,
    #[serde(default)]
    pub week: Option<String>,
    #[serde(default)]
    pub weeks: Option<String>,
}

/// The most weeks one grid shows.
const MAX_WEEKS: u64 = 6;

#[derive(Template)]
#[template(path = "roster_week.html")]
pub struct WeekPage {
    pub layout: Layout,
    pub csrf: String,
    pub sections: Vec<SectionOption>,
    pub week: WeekView,
}

#[derive(Debug, Clone)]
pub struct WeekView {
    pub section_id: String,
    pub section_name: String,
    pub label: String,
    /// Links to the weeks around, with the section kept.
    pub prev: String,
    pub next: String,
    pub this_week: String,
    /// One week shown (else several: the links say "weeks").
    pub one_week: bool,
    pub month_link: String,
    pub week_link: String,
    /// The link back to this page (forms come back to it).
    pub back: String,
    pub days: Vec<DayHead>,
    pub rows: Vec<RowView>,
    pub coverage: Vec<CoverageRow>,
    pub shifts: Vec<ShiftOption>,
    pub patterns: Vec<ShiftOption>,
    pub pending: Vec<PendingView>,
    pub can_edit: bool,
}

#[derive(Debug, Clone)]
pub struct DayHead {
    pub iso: String,
    pub label: String,
    pub today: bool,
    pub weekend: bool,
}

#[derive(Debug, Clone)]
pub struct RowView {
    pub user_id: String,
    pub name: String,
    pub role: String,
    pub cells: Vec<CellView>,
}

#[derive(Debug, Clone)]
pub struct CellView {
    /// "shift", "off", "rest" or "none".
    pub kind: &'static str,
    pub chips: Vec<ShiftOption>,
    pub text: String,
    pub pending: bool,
}

#[derive(Debug, Clone)]
pub struct CoverageRow {
    pub shift: ShiftOption,
    /// The section's minimum for the shift (0: none set).
    pub minimum: usize,
    /// Per day: the headcount and whether it is a gap (short of the minimum, or nobody).
    pub counts: Vec<(usize, bool)>,
}

/// A shift or a pattern to pick (`id`, `name`; `class` is the shift's colour class).
#[derive(Debug, Clone)]
pub struct ShiftOption {
    pub id: String,
    pub name: String,
    pub class: String,
}

#[derive(Debug, Clone)]
pub struct PendingView {
    pub id: String,
    pub name: String,
    pub dates: String,
    pub reason: String,
}

/// The Monday of `date`'s week.
pub fn monday_of(date: NaiveDate) -> NaiveDate {
    date.checked_sub_days(Days::new(u64::from(date.weekday().num_days_from_monday()))).unwrap_or(date)
}

async fn week_page(State(state): State<AppState>, user: UiUser, UiQuery(query): UiQuery<WeekQuery>) -> UiResult {
    let asked = section_field(query.section.as_deref())?;
    let (today, _, _) = state.app.operational_today().await?;
    let week = match query.week.as_deref().map(str::trim).filter(|w| !w.is_empty()) {
        Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map_err(|_| AppError::Validation("The week must be a date (YYYY-MM-DD).".to_owned()))?,
        None => today,
    };
    let monday = monday_of(week);
    let weeks = match query.weeks.as_deref().map(str::trim).filter(|w| !w.is_empty()) {
        Some(text) => text
            .parse::<u64>()
            .ok()
            .filter(|n| (1..=MAX_WEEKS).contains(n))
            .ok_or_else(|| AppError::Validation(format!("The number of weeks must be 1 to {MAX_WEEKS}.")))?,
        None => 1,
    };
    // An administrator of no section starts on the first section.
    let all = if user.is_admin() { state.app.list_sections(None).await? } else { Vec::new() };
    let chosen = asked.or(user.actor.section_id).or_else(|| all.first().map(|s| s.id));
    let Some(chosen) = chosen else {
        return Err(AppError::Forbidden("You are not assigned to a section, so you have no roster.".to_owned()).into());
    };
    let grid = state.app.roster_grid(&user.actor, Some(chosen), monday, 7 * weeks).await?;
    let can_edit = user.is_admin() || (user.is_supervisor() && user.actor.section_id == Some(chosen));
    let patterns = if can_edit {
        let rows = state.app.list_patterns(&user.actor, Some(chosen)).await?;
        rows.into_iter()
            .filter(|p| p.section_id == chosen)
            .map(|p| ShiftOption { id: p.id.to_string(), name: p.name, class: String::new() })
            .collect()
    } else {
        Vec::new()
    };
    let pending = if can_edit {
        let rows = state.app.list_days_off(&user.actor, Some(chosen), Some("PENDING".to_owned())).await?;
        rows.into_iter()
            .map(|d| PendingView {
                id: d.id.to_string(),
                name: grid
                    .rows
                    .iter()
                    .find(|r| r.user_id == d.user_id)
                    .map_or_else(|| d.user_id.to_string(), |r| r.name.clone()),
                dates: span(d.start_date, d.end_date),
                reason: d.reason,
            })
            .collect()
    } else {
        Vec::new()
    };
    let sections = all
        .into_iter()
        .map(|s| SectionOption { selected: s.id == chosen, id: s.id.to_string(), name: s.name })
        .collect();
    let page = WeekPage {
        layout: user.layout(&state, "Roster", "roster").await,
        csrf: user.csrf.clone(),
        sections,
        week: week_view(grid, Span { monday, weeks, today }, patterns, pending, can_edit),
    };
    Ok(render::page(&page))
}

/// "23 Nov 2026" or "23 – 25 Nov 2026".
pub fn span(from: NaiveDate, to: NaiveDate) -> String {
    if from == to {
        from.format("%-d %b %Y").to_string()
    } else {
        format!("{} – {}", from.format("%-d %b"), to.format("%-d %b %Y"))
    }
}

/// The weeks a grid shows.
#[derive(Debug, Clone, Copy)]
struct Span {
    monday: NaiveDate,
    weeks: u64,
    today: NaiveDate,
}

fn week_view(
    grid: RosterGrid,
    Span { monday, weeks, today }: Span,
    patterns: Vec<ShiftOption>,
    pending: Vec<PendingView>,
    can_edit: bool,
) -> WeekView {
    let link = |week: NaiveDate| format!("/ui/roster?section={}&week={week}&weeks={weeks}", grid.section_id);
    let shifts: Vec<ShiftOption> = grid
        .shifts
        .iter()
        .map(|s| ShiftOption { id: s.id.to_string(), name: s.name.clone(), class: format!("shift-{}", s.id) })
        .collect();
    let chip = |id: i32| {
        shifts.iter().find(|s| s.id == id.to_string()).cloned().unwrap_or_else(|| ShiftOption {
            id: id.to_string(),
            name: format!("Shift {id}"),
            class: String::new(),
        })
    };
    let rows = grid
        .rows
        .iter()
        .map(|r| RowView {
            user_id: r.user_id.to_string(),
            name: r.name.clone(),
            role: r.role.clone(),
            cells: r
                .cells
                .iter()
                .zip(&r.pending)
                .map(|(cell, pending)| {
                    let (kind, chips, text) = match cell {
                        GridCell::Shifts(ids) => ("shift", ids.iter().map(|id| chip(*id)).collect(), String::new()),
                        GridCell::Off(reason) => {
                            ("off", Vec::new(), if reason.is_empty() { "Off".to_owned() } else { reason.clone() })
                        }
                        GridCell::RestDay => ("rest", Vec::new(), "Rest day".to_owned()),
                        GridCell::Unscheduled => ("none", Vec::new(), String::new()),
                    };
                    CellView { kind, chips, text, pending: *pending }
                })
                .collect(),
        })
        .collect();
    let coverage = shifts
        .iter()
        .zip(&grid.headcount)
        .zip(&grid.minimums)
        .map(|((shift, counts), minimum)| CoverageRow {
            shift: shift.clone(),
            minimum: *minimum,
            // Short of the section's minimum; with none set, nobody at all.
            counts: counts.iter().map(|n| (*n, *n < (*minimum).max(1))).collect(),
        })
        .collect();
    let sunday = grid.days.last().copied().unwrap_or(monday);
    WeekView {
        section_id: grid.section_id.to_string(),
        section_name: grid.section_name.clone(),
        label: span(monday, sunday),
        prev: link(monday.checked_sub_days(Days::new(7 * weeks)).unwrap_or(monday)),
        next: link(monday.checked_add_days(Days::new(7 * weeks)).unwrap_or(monday)),
        one_week: weeks == 1,
        month_link: format!("/ui/roster?section={}&week={monday}&weeks=5", grid.section_id),
        week_link: format!("/ui/roster?section={}&week={monday}&weeks=1", grid.section_id),
        this_week: link(monday_of(today)),
        back: link(monday),
        days: grid
            .days
            .iter()
            .map(|d| DayHead {
                iso: d.to_string(),
                // The month where it changes, and on the first column.
                label: if d.day() == 1 || *d == monday { d.format("%a %-d %b") } else { d.format("%a %-d") }
                    .to_string(),
                today: *d == today,
                weekend: d.weekday().num_days_from_monday() >= 5,
            })
            .collect(),
        rows,
        coverage,
        shifts,
        patterns,
        pending,
        can_edit,
    }
}

/// Setting one person's day: a shift, the day off, or back to the plan.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DayForm {
    pub user_id: String,
    pub date: String,
    /// A shift id, "off", or "plan".
    pub what: String,
    pub reason: String,
    pub back: String,
}

/// Where a form goes back to: its own roster page, never elsewhere.
fn back_of(back: &str) -> String {
    if back.starts_with("/ui/roster") && !back.contains("//") { back.to_owned() } else { "/ui/roster".to_owned() }
}

async fn set_day(
    State(state): State<AppState>,
    user: UiUser,
    headers: HeaderMap,
    UiForm(form): UiForm<DayForm>,
) -> UiResult {
    let back = back_of(&form.back);
    let result = day_change(&state, &user, &form).await;
    answer(&headers, &back, result, |text| text).await
}

async fn day_change(state: &AppState, user: &UiUser, form: &DayForm) -> Result<String, Refusal> {
    let user_id: Uuid = form.user_id.trim().parse().map_err(|_| Refusal::Input("Pick a person.".to_owned()))?;
    let date = required_date("The date", &form.date)?;
    let reason = Some(form.reason.trim().to_owned()).filter(|r| !r.is_empty());
    match form.what.trim() {
        "plan" => {
            state.app.clear_shift_exception(&user.actor, user_id, date).await?;
            Ok(format!("{date} follows the plan again."))
        }
        "off" => {
            let input = ExceptionInput { user_id, date, shift_id: None, is_day_off: true, reason };
            state.app.set_shift_exception(&user.actor, input).await?;
            Ok(format!("{date} is a day off."))
        }
        shift => {
            let shift_id: i32 =
                shift.parse().map_err(|_| Refusal::Input("Pick a shift, a day off or the plan.".to_owned()))?;
            let input = ExceptionInput { user_id, date, shift_id: Some(shift_id), is_day_off: false, reason };
            state.app.set_shift_exception(&user.actor, input).await?;
            Ok(format!("{date} set."))
        }
    }
}

/// Giving a pattern to people over a date range.
#[derive(Debug, Default)]
pub struct AssignForm {
    pub section_id: String,
    pub pattern_id: String,
    /// The people ticked (repeated `users` fields).
    pub users: Vec<String>,
    pub start_date: String,
    pub end_date: String,
    pub back: String,
}

async fn assign(
    State(state): State<AppState>,
    user: UiUser,
    headers: HeaderMap,
    UiForm(pairs): UiForm<Vec<(String, String)>>,
) -> UiResult {
    // The people ticked are repeated `users` fields: read the pairs as they came.
    let mut form = AssignForm::default();
    for (key, value) in pairs {
        match key.as_str() {
            "section_id" => form.section_id = value,
            "pattern_id" => form.pattern_id = value,
            "users" => form.users.push(value),
            "start_date" => form.start_date = value,
            "end_date" => form.end_date = value,
            "back" => form.back = value,
            _ => {}
        }
    }
    let back = back_of(&form.back);
    let result = bulk_assign(&state, &user, &form).await;
    answer(&headers, &back, result, |text| text).await
}

async fn bulk_assign(state: &AppState, user: &UiUser, form: &AssignForm) -> Result<String, Refusal> {
    let section_id: Uuid =
        form.section_id.trim().parse().map_err(|_| Refusal::Input("The section is missing.".to_owned()))?;
    let pattern_id: Uuid = form.pattern_id.trim().parse().map_err(|_| Refusal::Input("Pick a pattern.".to_owned()))?;
    let users: Vec<Uuid> = form.users.iter().filter_map(|u| u.trim().parse().ok()).collect();
    if users.is_empty() {
        return Err(Refusal::Input("Tick at least one person.".to_owned()));
    }
    let start_date = required_date("The first day", &form.start_date)?;
    let end_date = super::date_field("The last day", &form.end_date)?;
    let done =
        state.app.bulk_assign(&user.actor, BulkAssign { users, pattern_id, start_date, end_date, section_id }).await?;
    let mut text = format!(
        "{} now works {} for {} people.",
        done.pattern_name,
        span_from(start_date, end_date),
        done.assignments_created
    );
    if !done.errors.is_empty() {
        text.push_str(&format!(" Left out: {}.", done.errors.join("; ")));
    }
    Ok(text)
}

fn span_from(start: NaiveDate, end: Option<NaiveDate>) -> String {
    match end {
        Some(end) => format!("from {} to {}", start.format("%-d %b %Y"), end.format("%-d %b %Y")),
        None => format!("from {} on", start.format("%-d %b %Y")),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BackForm {
    pub back: String,
}

async fn decide_day_off(
    State(state): State<AppState>,
    user: UiUser,
    headers: HeaderMap,
    UiPath((id, decision)): UiPath<(Uuid, String)>,
    UiForm(form): UiForm<BackForm>,
) -> UiResult {
    let back = back_of(&form.back);
    let decision = match decision.as_str() {
        "approve" => DayOffDecision::Approve,
        "reject" => DayOffDecision::Reject,
        "cancel" => DayOffDecision::Cancel,
        _ => return Err(AppError::NotFound("No such decision.".to_owned()).into()),
    };
    let result = state.app.decide_day_off(&user.actor, id, decision).await;
    answer(&headers, &back, result, |row| {
        format!("Day off {}: {}.", row.status.to_lowercase(), span(row.start_date, row.end_date))
    })
    .await
}
