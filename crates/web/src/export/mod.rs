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
    headers.insert(header::CONTENT_DISPOSITION, content_disposition("attachment", filename));
    response
}

/// `kind; filename="…"` for a name of ours. A name with characters beyond ASCII (a
/// section called "Käyttö") also goes as RFC 6266's `filename*=UTF-8''…`, which browsers
/// prefer; the plain `filename` then carries it with those characters as `_`.
pub fn content_disposition(kind: &str, filename: &str) -> HeaderValue {
    let plain: String = filename
        .chars()
        .map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' })
        .collect();
    let mut value = format!("{kind}; filename=\"{plain}\"");
    if plain != filename {
        value.push_str("; filename*=UTF-8''");
        for byte in filename.bytes() {
            // RFC 5987 attr-char goes as it is; everything else percent-encoded.
            if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
                value.push(char::from(byte));
            } else {
                value.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

#[cfg(test)]
mod tests {
    use super::content_disposition;

    #[test]
    fn an_ascii_name_goes_plain() {
        assert_eq!(
            content_disposition("attachment", "SentinelOps_Night_Shift_09_04_2026.pdf"),
            "attachment; filename=\"SentinelOps_Night_Shift_09_04_2026.pdf\""
        );
    }

    #[test]
    fn a_name_beyond_ascii_also_goes_encoded() {
        assert_eq!(
            content_disposition("inline", "SentinelOps_Käyttö_Week.pdf"),
            "inline; filename=\"SentinelOps_K_ytt__Week.pdf\"; filename*=UTF-8''SentinelOps_K%C3%A4ytt%C3%B6_Week.pdf"
        );
        assert_eq!(content_disposition("attachment", "a\"b"), "attachment; filename=\"a_b\"; filename*=UTF-8''a%22b");
    }
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
