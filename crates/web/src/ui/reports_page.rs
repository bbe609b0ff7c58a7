//! `/ui/reports`: the Reports page. The period report form (served by
//! `report_files`' `/ui/reports/period.pdf`), the checklist export (`/ui/reports/checklists.csv`
//! and `.xlsx`), the leaderboard export and, for supervisors, the audit exports.
//! Operators export their own section; managers theirs; admins any.
//! `static/ui/reports.js` runs each export in the page to show its progress.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use chrono::{Datelike, Days, NaiveDate};
use serde::Deserialize;
use uuid::Uuid;

use sentinelops_app::AppError;
use sentinelops_app::exports::ChecklistExportQuery;
use sentinelops_domain::performance::Window;

use crate::api::exports::parse_window;
use crate::export::{self, FileType};
use crate::state::AppState;
use crate::ui::checklists::Choice;
use crate::ui::error::UiResult;
use crate::ui::extract::UiQuery;
use crate::ui::render::{self, Layout};
use crate::ui::session::UiUser;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ui/reports", get(page))
        .route("/ui/reports/checklists.csv", get(checklists_csv))
        .route("/ui/reports/checklists.xlsx", get(checklists_xlsx))
        .route("/ui/reports/leaderboard.csv", get(leaderboard_csv))
        .route("/ui/reports/leaderboard.xlsx", get(leaderboard_xlsx))
}

#[derive(Template)]
#[template(path = "reports.html")]
pub struct ReportsPage {
    pub layout: Layout,
    pub is_admin: bool,
    pub is_supervisor: bool,
    /// Admins: every section; others: their own only.
    pub sections: Vec<Choice>,
    pub shifts: Vec<Choice>,
    pub statuses: Vec<Choice>,
    pub windows: Vec<Choice>,
    /// The checklist export's default range: the last 30 days.
    pub from: String,
    pub to: String,
    /// The period report's default start: this week's Monday.
    pub week_start: String,
}

async fn page(State(state): State<AppState>, user: UiUser) -> UiResult {
    let (today, _, _) = state.app.operational_today().await?;
    let all = state.app.list_sections(None).await?;
    let sections = all
        .iter()
        .filter(|s| user.is_admin() || user.actor.section_id == Some(s.id))
        .map(|s| Choice { value: s.id.to_string(), label: s.name.clone() })
        .collect();
    let monday = today - Days::new(u64::from(today.weekday().num_days_from_monday()));
    let page = ReportsPage {
        layout: user.layout(&state, "Reports", "reports").await,
        is_admin: user.is_admin(),
        is_supervisor: user.is_supervisor(),
        sections,
        shifts: Choice::shifts(),
        statuses: Choice::statuses(),
        windows: Window::ALL
            .iter()
            .map(|w| Choice { value: w.as_str().to_owned(), label: w.label().to_owned() })
            .collect(),
        from: (today - Days::new(29)).to_string(),
        to: today.to_string(),
        week_start: monday.to_string(),
    };
    Ok(render::page(&page))
}

/// The checklist export form, as the query string carries it ("" = no filter).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ChecklistExportForm {
    pub from: String,
    pub to: String,
    pub section_id: String,
    pub shift: String,
    pub status: String,
}

impl ChecklistExportForm {
    fn query(&self) -> Result<ChecklistExportQuery, AppError> {
        let day = |field: &str, value: &str| {
            NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
                .map_err(|_| AppError::Validation(format!("{field} must be a date (YYYY-MM-DD).")))
        };
        let section_id = match self.section_id.trim() {
            "" => None,
            s => Some(Uuid::parse_str(s).map_err(|_| AppError::Validation("Choose a section from the list.".into()))?),
        };
        let some = |v: &str| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
        Ok(ChecklistExportQuery {
            from: day("From", &self.from)?,
            to: day("To", &self.to)?,
            section_id,
            shift: some(&self.shift),
            status: some(&self.status),
        })
    }
}

async fn checklists(
    state: &AppState,
    user: &UiUser,
    form: &ChecklistExportForm,
    file_type: FileType,
) -> UiResult<Response> {
    let export = state.app.checklist_export(&user.actor, &form.query()?).await?;
    Ok(export::checklists::respond(state, export, file_type).await?)
}

async fn checklists_csv(
    State(state): State<AppState>,
    user: UiUser,
    UiQuery(form): UiQuery<ChecklistExportForm>,
) -> UiResult {
    checklists(&state, &user, &form, FileType::Csv).await
}

async fn checklists_xlsx(
    State(state): State<AppState>,
    user: UiUser,
    UiQuery(form): UiQuery<ChecklistExportForm>,
) -> UiResult {
    checklists(&state, &user, &form, FileType::Xlsx).await
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct LeaderboardForm {
    pub window: String,
}

async fn leaderboard(state: &AppState, user: &UiUser, form: &LeaderboardForm, file_type: FileType) -> UiResult {
    let window = parse_window(Some(&form.window))?;
    let board = state.app.leaderboard_export(&user.actor, window).await?;
    Ok(export::leaderboard::respond(board, file_type).await?)
}

async fn leaderboard_csv(
    State(state): State<AppState>,
    user: UiUser,
    UiQuery(form): UiQuery<LeaderboardForm>,
) -> UiResult {
    leaderboard(&state, &user, &form, FileType::Csv).await
}

async fn leaderboard_xlsx(
    State(state): State<AppState>,
    user: UiUser,
    UiQuery(form): UiQuery<LeaderboardForm>,
) -> UiResult {
    leaderboard(&state, &user, &form, FileType::Xlsx).await
}
