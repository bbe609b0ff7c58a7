//! Downloads written as they are read: typed rows in pages (from keyset reads of the
//! store), written as CSV chunk by chunk, or as an Excel workbook built off the async
//! runtime in rust_xlsxwriter's constant-memory mode. Every CSV of the server goes
//! through `csv_stream`, which neutralises spreadsheet formulas in text cells.

pub mod checklists;
pub mod csv_stream;
pub mod leaderboard;
pub mod pages;
pub mod xlsx;

use axum::http::{HeaderValue, header};
use axum::response::Response;
use chrono::{NaiveDate, NaiveDateTime};

pub use pages::{RowPages, paged};

/// One typed value of an exported row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Date(NaiveDate),
    /// A wall-clock time (the business time zone's).
    DateTime(NaiveDateTime),
    Empty,
}

impl Cell {
    /// Text, or `Empty` for "".
    pub fn text(value: impl Into<String>) -> Cell {
        let value = value.into();
        if value.is_empty() { Cell::Empty } else { Cell::Text(value) }
    }
}

/// A column of an export: its header and its width in an Excel sheet (characters).
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub width: f64,
}

/// What a download is called and what it holds.
#[derive(Debug, Clone, Copy)]
pub struct Sheet {
    /// The file name without its extension (`checklists`, `auth-events`).
    pub name: &'static str,
    pub columns: &'static [Column],
}

/// Marks `response` as a download of `filename`.
pub fn attachment(mut response: Response, content_type: &'static str, filename: &str) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// The two file types of a download.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    Csv,
    Xlsx,
}

/// `pages` as a download of `file_type`.
pub async fn download(
    file_type: FileType,
    sheet: Sheet,
    pages: RowPages,
) -> Result<Response, sentinelops_app::AppError> {
    match file_type {
        FileType::Csv => csv_stream::download(sheet, pages),
        FileType::Xlsx => xlsx::download(sheet, pages).await,
    }
}
