//! The PDF downloads of the built-in UI: a checklist's shift record (the "Download PDF"
//! action on its page) and the Reports page's period report. The same use cases as the
//! API's, so the same scoping.

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;

use sentinelops_app::AppError;
use sentinelops_app::reports::PeriodQuery;

use crate::api::pdf::{Disposition, parse_period, pdf_response};
use crate::state::AppState;
use crate::ui::error::UiResult;
use crate::ui::extract::{UiPath, UiQuery};
use crate::ui::session::UiUser;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ui/checklists/{id}/report.pdf", get(shift_report))
        .route("/ui/reports/period.pdf", get(period_report))
}

async fn shift_report(State(state): State<AppState>, user: UiUser, UiPath(id): UiPath<Uuid>) -> UiResult {
    let pdf = state.app.shift_report_pdf(&user.actor, id).await?;
    Ok(pdf_response(&pdf, Disposition::Attachment))
}

/// The period form as the query string carries it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PeriodForm {
    pub section_id: String,
    pub period: String,
    pub start: String,
}

impl PeriodForm {
    fn query(&self) -> Result<PeriodQuery, AppError> {
        let section_id = Uuid::parse_str(self.section_id.trim())
            .map_err(|_| AppError::Validation("Choose a section from the list.".into()))?;
        let start = NaiveDate::parse_from_str(self.start.trim(), "%Y-%m-%d")
            .map_err(|_| AppError::Validation("Starting must be a date (YYYY-MM-DD).".into()))?;
        Ok(PeriodQuery { section_id, period: parse_period(&self.period)?, start })
    }
}

async fn period_report(State(state): State<AppState>, user: UiUser, UiQuery(form): UiQuery<PeriodForm>) -> UiResult {
    let pdf = state.app.period_report_pdf(&user.actor, form.query()?).await?;
    Ok(pdf_response(&pdf, Disposition::Attachment))
}
