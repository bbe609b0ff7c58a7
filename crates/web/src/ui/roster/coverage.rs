//! `/ui/roster/coverage`: a section's next 14 days of coverage (shift × day, the
//! rostered headcount against the minimum, short cells highlighted) and, for its
//! managers and admins, the form that sets each shift's minimum. The section's people
//! may look; admins pick the section.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use serde::Deserialize;
use uuid::Uuid;

use sentinelops_app::roster::{CoverageMinimum, RosterQuery, SetCoverageMinimum};
use sentinelops_domain::SECTION_SUPERVISORS;

use crate::state::AppState;
use crate::ui::error::UiResult;
use crate::ui::extract::{UiForm, UiQuery};
use crate::ui::outcome::{Refusal, outcome};
use crate::ui::render::{self, Layout};
use crate::ui::session::UiUser;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ui/roster/coverage", get(coverage_page))
        .route("/ui/roster/coverage/minimum", post(set_minimum))
}

/// One cell of the grid.
#[derive(Debug, Clone)]
pub struct GridCell {
    /// "2 / 3".
    pub text: String,
    pub short: bool,
    pub title: String,
}

/// One shift's row: its minimum and its days.
#[derive(Debug, Clone)]
pub struct GridRow {
    pub shift_id: i32,
    pub shift_name: String,
    pub minimum: u32,
    pub cells: Vec<GridCell>,
}

/// A section the admin may pick.
#[derive(Debug, Clone)]
pub struct SectionLink {
    pub id: Uuid,
    pub name: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "roster_coverage.html")]
pub struct CoveragePage {
    pub layout: Layout,
    pub csrf: String,
    /// The admin's section picker (empty for others).
    pub sections: Vec<SectionLink>,
    /// `None`: an admin who has not picked a section yet.
    pub section_id: Option<Uuid>,
    /// "Mon 07 Dec" per column.
    pub days: Vec<String>,
    pub rows: Vec<GridRow>,
    pub short_cells: usize,
    pub can_edit: bool,
    pub error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SectionQuery {
    pub section_id: Option<Uuid>,
}

fn back(section_id: Option<Uuid>) -> String {
    match section_id {
        Some(id) => format!("/ui/roster/coverage?section_id={id}"),
        None => "/ui/roster/coverage".to_owned(),
    }
}

async fn coverage_page(State(state): State<AppState>, user: UiUser, UiQuery(q): UiQuery<SectionQuery>) -> UiResult {
    render_page(&state, &user, q.section_id, StatusCode::OK, None).await
}

async fn render_page(
    state: &AppState,
    user: &UiUser,
    section_id: Option<Uuid>,
    status: StatusCode,
    error: Option<String>,
) -> UiResult {
    let chosen = section_id.or(user.actor.section_id);
    let sections = if user.is_admin() {
        state
            .app
            .list_sections(None)
            .await?
            .into_iter()
            .map(|s| SectionLink { current: Some(s.id) == chosen, id: s.id, name: s.name })
            .collect()
    } else {
        Vec::new()
    };
    let mut page = CoveragePage {
        layout: user.layout(state, "Coverage", "roster").await,
        csrf: user.csrf.clone(),
        sections,
        section_id: chosen,
        days: Vec::new(),
        rows: Vec::new(),
        short_cells: 0,
        can_edit: false,
        error,
    };
    let Some(section) = chosen else { return Ok(render::page_status(status, &page)) };
    let query = RosterQuery { section_id: Some(section), start_date: None, end_date: None };
    let report = state.app.coverage(&user.actor, query).await?;
    let (_, minimums) = state.app.coverage_minimums(&user.actor, Some(section)).await?;
    let dates: Vec<chrono::NaiveDate> = report.start_date.iter_days().take_while(|d| *d <= report.end_date).collect();
    page.days = dates.iter().map(|d| d.format("%a %d %b").to_string()).collect();
    page.rows = minimums
        .into_iter()
        .map(|CoverageMinimum { shift_id, shift_name, minimum }| {
            let cells = report
                .cells
                .iter()
                .filter(|c| c.shift_id == shift_id)
                .map(|c| GridCell {
                    text: if c.minimum > 0 {
                        format!("{} / {}", c.rostered, c.minimum)
                    } else {
                        c.rostered.to_string()
                    },
                    short: c.is_short(),
                    title: if c.is_short() {
                        format!("{shift_name} on {}: {} short", c.date, c.short_by)
                    } else {
                        format!("{shift_name} on {}: {} rostered", c.date, c.rostered)
                    },
                })
                .collect();
            GridRow { shift_id, shift_name, minimum, cells }
        })
        .collect();
    page.short_cells = report.cells.iter().filter(|c| c.is_short()).count();
    page.can_edit = SECTION_SUPERVISORS.supervises(user.actor.role, user.actor.section_id, section);
    Ok(render::page_status(status, &page))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MinimumForm {
    pub section_id: Option<Uuid>,
    pub shift_id: i32,
    pub minimum: String,
}

async fn set_minimum(
    State(state): State<AppState>,
    user: UiUser,
    headers: HeaderMap,
    UiForm(form): UiForm<MinimumForm>,
) -> UiResult {
    let section_id = form.section_id.or(user.actor.section_id);
    let rerender = |status, message| render_page(&state, &user, section_id, status, Some(message));
    let Some(section) = section_id else {
        return crate::ui::outcome::refused(&headers, Refusal::Input("Pick a section first.".into()), rerender).await;
    };
    let Ok(minimum) = form.minimum.trim().parse::<i64>() else {
        let refusal = Refusal::Input("The minimum must be a whole number.".into());
        return crate::ui::outcome::refused(&headers, refusal, rerender).await;
    };
    let input = SetCoverageMinimum { section_id: section, shift_id: form.shift_id, minimum };
    let result = state.app.set_coverage_minimum(&user.actor, input).await;
    let done = |m: CoverageMinimum| match m.minimum {
        0 => format!("{} has no minimum now.", m.shift_name),
        n => format!("{} needs at least {n} people now.", m.shift_name),
    };
    outcome(&headers, result, &back(Some(section)), done, rerender).await
}
