//! The checklist export's columns, and its pages as typed rows.

use axum::response::Response;

use sentinelops_app::AppError;
use sentinelops_app::exports::{ChecklistExport, ChecklistExportRow, InstanceCursor};

use super::{Cell, Column, FileType, Sheet, download, paged};
use crate::state::AppState;

const fn col(name: &'static str, width: f64) -> Column {
    Column { name, width }
}

pub const CHECKLISTS: Sheet = Sheet {
    name: "checklists",
    columns: &[
        col("checklist_id", 38.0),
        col("date", 12.0),
        col("shift", 11.0),
        col("section", 18.0),
        col("template", 28.0),
        col("checklist_status", 26.0),
        col("item", 36.0),
        col("subitem", 30.0),
        col("severity", 9.0),
        col("status", 12.0),
        col("by", 22.0),
        col("at_business_time", 20.0),
        col("at_iso", 27.0),
        col("skipped_reason", 30.0),
        col("failure_reason", 30.0),
        col("verdict", 30.0),
        col("verdict_by", 22.0),
        col("overrides", 40.0),
    ],
};

fn cells(r: ChecklistExportRow) -> Vec<Cell> {
    vec![
        Cell::Text(r.checklist_id.to_string()),
        Cell::Date(r.date),
        Cell::text(r.shift),
        Cell::text(r.section),
        Cell::text(r.template),
        Cell::text(r.checklist_status),
        Cell::text(r.item),
        Cell::text(r.subitem),
        Cell::Int(i64::from(r.severity)),
        Cell::text(r.status),
        Cell::text(r.by),
        r.at_local.map_or(Cell::Empty, Cell::DateTime),
        r.at.map_or(Cell::Empty, |t| Cell::Text(t.to_rfc3339())),
        Cell::text(r.skipped_reason),
        Cell::text(r.failure_reason),
        Cell::text(r.verdict),
        Cell::text(r.verdict_by),
        Cell::text(r.overrides),
    ]
}

/// The export as `checklists.csv` or `checklists.xlsx`, page by page.
/// (`export` was scoped to the caller when `App::checklist_export` checked it.)
pub async fn respond(state: &AppState, export: ChecklistExport, file_type: FileType) -> Result<Response, AppError> {
    let app = state.app.clone();
    let pages = paged(move |after: Option<InstanceCursor>| {
        let (app, export) = (app.clone(), export.clone());
        async move {
            let page = app.checklist_export_page(&export, after).await?;
            Ok((page.rows.into_iter().map(cells).collect(), page.next))
        }
    })
    .await?;
    download(file_type, CHECKLISTS, pages).await
}
