//! `/ui/performance/section`: the section view for managers (their own section) and
//! administrators (any, `?section=`): the team's grade and points for the window and,
//! per operator, who needs help — lowest grade first, flagged for late timed starts or
//! a low grade. Operators get the 403 page.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde::Deserialize;
use uuid::Uuid;

use sentinelops_app::AppError;
use sentinelops_app::gamification::section_view::{OperatorPerformance, SectionPerformance};
use sentinelops_domain::performance::Window;
use sentinelops_domain::performance::standing::LOW_GRADE;

use crate::state::AppState;
use crate::ui::dashboard::SectionOption;
use crate::ui::error::UiResult;
use crate::ui::extract::UiQuery;
use crate::ui::performance::view::{range_text, thousands};
use crate::ui::performance::window_of;
use crate::ui::render::{self, Layout};
use crate::ui::roles::{Area, Supervisor};

pub fn routes() -> Router<AppState> {
    Router::new().route("/ui/performance/section", get(section_page))
}

/// The gate's refusal for operators.
pub struct SectionPerformanceArea;

impl Area for SectionPerformanceArea {
    const REFUSAL: &'static str = "The section view is for the section's managers and administrators.";
}

/// `?window=` and, for administrators, `?section=`.
#[derive(Debug, Default, Deserialize)]
pub struct SectionQuery {
    #[serde(default)]
    pub window: Option<String>,
    #[serde(default)]
    pub section: Option<String>,
}

#[derive(Template)]
#[template(path = "performance_section.html")]
pub struct SectionPage {
    pub layout: Layout,
    pub view: SectionView,
    /// (key, label) of the four windows.
    pub windows: Vec<(&'static str, &'static str)>,
    /// `&section=…` for the window links of an administrator's chosen section.
    pub section_param: String,
    /// Administrators choose the section; empty for managers.
    pub sections: Vec<SectionOption>,
}

#[derive(Debug, Clone)]
pub struct SectionView {
    pub section_name: String,
    pub window: &'static str,
    pub window_label: &'static str,
    pub range: String,
    pub team_grade: i64,
    pub team_points_text: String,
    pub needs_help: usize,
    pub low_grade: i64,
    pub rows: Vec<OperatorRow>,
}

#[derive(Debug, Clone)]
pub struct OperatorRow {
    pub username: String,
    pub name: String,
    pub grade: i64,
    pub points_text: String,
    pub streak: i64,
    pub late_events: i64,
    pub refused: i64,
    pub checklists: i64,
    pub on_time: i64,
    pub clean: i64,
    pub needs_help: bool,
    pub flag: &'static str,
}

async fn section_page(
    State(state): State<AppState>,
    Supervisor(user, _): Supervisor<SectionPerformanceArea>,
    UiQuery(query): UiQuery<SectionQuery>,
) -> UiResult {
    let window = window_of(query.window.as_deref())?;
    let asked = match query.section.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(text) => Some(
            text.parse::<Uuid>().map_err(|_| AppError::Validation("The section is not a valid section.".to_owned()))?,
        ),
        None => None,
    };
    // An administrator of no section starts on the first section.
    let all = if user.is_admin() { state.app.list_sections(None).await? } else { Vec::new() };
    let chosen = asked.or(user.actor.section_id).or_else(|| all.first().map(|s| s.id));
    let result = state.app.section_performance(&user.actor, chosen, window).await?;
    let sections = all
        .into_iter()
        .map(|s| SectionOption { selected: s.id == result.section.id, id: s.id.to_string(), name: s.name })
        .collect();
    let section_param = if user.is_admin() { format!("&section={}", result.section.id) } else { String::new() };
    let page = SectionPage {
        layout: user.layout(&state, "Section performance", "performance").await,
        view: section_view(result),
        windows: Window::ALL.iter().map(|w| (w.as_str(), w.label())).collect(),
        section_param,
        sections,
    };
    Ok(render::page(&page))
}

fn section_view(s: SectionPerformance) -> SectionView {
    let rows: Vec<OperatorRow> = s.operators.into_iter().map(operator_row).collect();
    SectionView {
        section_name: s.section.name,
        window: s.window.as_str(),
        window_label: s.window.label(),
        range: range_text(s.start, s.end),
        team_grade: s.team_grade,
        team_points_text: thousands(s.team_points),
        needs_help: rows.iter().filter(|r| r.needs_help).count(),
        low_grade: LOW_GRADE,
        rows,
    }
}

fn operator_row(o: OperatorPerformance) -> OperatorRow {
    let full = format!("{} {}", o.user.first_name.trim(), o.user.last_name.trim()).trim().to_owned();
    OperatorRow {
        name: if full.is_empty() { o.user.username.clone() } else { format!("{full} ({})", o.user.username) },
        username: o.user.username,
        grade: o.grade,
        points_text: thousands(o.points),
        streak: o.live_streak,
        late_events: o.late_events,
        refused: o.refused,
        checklists: o.checklists,
        on_time: o.on_time_checklists,
        clean: o.clean_checklists,
        needs_help: o.help.is_some(),
        flag: o.help.map_or("", |h| h.label()),
    }
}
