//! CSV bodies: the header, then each page of rows as one chunk, written as it is read.
//! The body has no length; the client sees rows as they come.

use axum::body::Body;
use axum::response::Response;
use futures::StreamExt;

use sentinelops_app::AppError;
use sentinelops_domain::spreadsheet::neutralise_formula;

use super::{Cell, Column, RowPages, Sheet, attachment};

/// A cell as CSV text: text neutralised against spreadsheet formulas, dates as ISO
/// 8601, numbers as they are (a negative number is a number, not a formula).
pub fn cell_text(cell: &Cell) -> std::borrow::Cow<'_, str> {
    match cell {
        Cell::Text(text) => neutralise_formula(text),
        Cell::Int(n) => n.to_string().into(),
        Cell::Date(d) => d.format("%Y-%m-%d").to_string().into(),
        Cell::DateTime(t) => t.format("%Y-%m-%d %H:%M:%S").to_string().into(),
        Cell::Empty => "".into(),
    }
}

/// Rows as CSV bytes (one chunk of the body).
pub fn chunk<'a>(rows: impl IntoIterator<Item = &'a [Cell]>) -> Result<Vec<u8>, AppError> {
    let mut writer = csv::Writer::from_writer(Vec::with_capacity(64 * 1024));
    for row in rows {
        for cell in row {
            writer.write_field(cell_text(cell).as_bytes()).map_err(csv_failure)?;
        }
        writer.write_record(std::iter::empty::<&[u8]>()).map_err(csv_failure)?;
    }
    writer.into_inner().map_err(|e| AppError::Internal(format!("csv: {e}")))
}

fn header(columns: &[Column]) -> Result<Vec<u8>, AppError> {
    let names: Vec<Cell> = columns.iter().map(|c| Cell::text(c.name)).collect();
    chunk([names.as_slice()])
}

fn csv_failure(e: csv::Error) -> AppError {
    AppError::Internal(format!("csv: {e}"))
}

/// The download: `sheet.name`.csv, streamed page by page. A failure after the first
/// page (the database going away) ends the body early, which the client sees as a
/// broken download rather than a silently short file.
pub fn download(sheet: Sheet, pages: RowPages) -> Result<Response, AppError> {
    let head = header(sheet.columns)?;
    let body = futures::stream::once(async move { Ok(head) }).chain(pages.map(|page| {
        let page = page?;
        chunk(page.iter().map(Vec::as_slice))
    }));
    let body = body.map(|chunk| {
        chunk.map_err(|err| {
            tracing::error!(error = %err, "export stopped");
            std::io::Error::other(err.to_string())
        })
    });
    let response = Response::new(Body::from_stream(body));
    Ok(attachment(response, "text/csv; charset=utf-8", &format!("{}.csv", sheet.name)))
}
