//! Excel downloads: the pages are handed to a blocking task that writes them into a
//! constant-memory worksheet (rows go to a temporary file as they come, not into a
//! sheet held in memory), then zips the workbook. Typed cells: dates and times as
//! Excel dates, numbers as numbers; a bold frozen header row with filters.

use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use tokio::sync::mpsc;

use sentinelops_app::AppError;

use super::{Cell, Column, RowPages, Sheet, attachment};

pub const CONTENT_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/// Rows an Excel sheet holds, the header included.
const EXCEL_MAX_ROWS: u32 = 1_048_576;

/// The download: `sheet.name`.xlsx, built off the async runtime.
pub async fn download(sheet: Sheet, mut pages: RowPages) -> Result<Response, AppError> {
    let (tx, rx) = mpsc::channel::<Vec<Vec<Cell>>>(2);
    let writer = tokio::task::spawn_blocking(move || write_workbook(sheet, rx));
    let mut failure = None;
    while let Some(page) = pages.next().await {
        match page {
            Ok(rows) => {
                if tx.send(rows).await.is_err() {
                    break; // the writer stopped; its error says why
                }
            }
            Err(err) => {
                failure = Some(err);
                break;
            }
        }
    }
    drop(tx);
    let written = writer.await.map_err(|e| AppError::Internal(format!("xlsx writer: {e}")))?;
    if let Some(err) = failure {
        return Err(err);
    }
    let bytes = written?;
    Ok(attachment(bytes.into_response(), CONTENT_TYPE, &format!("{}.xlsx", sheet.name)))
}

fn xlsx_failure(e: XlsxError) -> AppError {
    AppError::Internal(format!("xlsx: {e}"))
}

/// The cell formats of a sheet.
struct Formats {
    header: Format,
    date: Format,
    datetime: Format,
}

fn write_workbook(sheet: Sheet, mut pages: mpsc::Receiver<Vec<Vec<Cell>>>) -> Result<Vec<u8>, AppError> {
    let formats = Formats {
        header: Format::new().set_bold(),
        date: Format::new().set_num_format("yyyy-mm-dd"),
        datetime: Format::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
    };
    let mut workbook = Workbook::new();
    let worksheet = workbook.add_worksheet_with_constant_memory().map_err(xlsx_failure)?;
    worksheet.set_name(sheet.name).map_err(xlsx_failure)?;
    write_header(worksheet, sheet.columns, &formats).map_err(xlsx_failure)?;
    let mut row: u32 = 0;
    while let Some(page) = pages.blocking_recv() {
        for cells in page {
            row += 1;
            if row >= EXCEL_MAX_ROWS {
                return Err(AppError::Validation(
                    "Too many rows for one Excel sheet; narrow the filters or export CSV".into(),
                ));
            }
            for (col, cell) in (0u16..).zip(&cells) {
                write_cell(worksheet, row, col, cell, &formats).map_err(xlsx_failure)?;
            }
        }
    }
    let last_col = u16::try_from(sheet.columns.len().saturating_sub(1)).unwrap_or(0);
    worksheet.autofilter(0, 0, row, last_col).map_err(xlsx_failure)?;
    workbook.save_to_buffer().map_err(xlsx_failure)
}

fn write_header(worksheet: &mut Worksheet, columns: &[Column], formats: &Formats) -> Result<(), XlsxError> {
    for (col, column) in (0u16..).zip(columns) {
        worksheet.write_string_with_format(0, col, column.name, &formats.header)?;
        worksheet.set_column_width(col, column.width)?;
    }
    worksheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// Excel holds at most 32,767 UTF-16 units in a cell and refuses the whole workbook
/// otherwise; a longer text (a checklist's many override reasons) is cut with a marker
/// saying so, rather than failing the export. The CSV export keeps it whole.
const EXCEL_MAX_CELL_UNITS: usize = 32_767;
const CUT_MARKER: &str = " … [cut at Excel's cell limit; the CSV export has it whole]";

fn fit_cell(text: &str) -> std::borrow::Cow<'_, str> {
    // UTF-8 never takes fewer bytes than UTF-16 takes units: a short text needs no count.
    if text.len() <= EXCEL_MAX_CELL_UNITS || text.encode_utf16().count() <= EXCEL_MAX_CELL_UNITS {
        return std::borrow::Cow::Borrowed(text);
    }
    let budget = EXCEL_MAX_CELL_UNITS - CUT_MARKER.encode_utf16().count();
    let mut units = 0;
    let mut end = 0;
    for (at, ch) in text.char_indices() {
        if units + ch.len_utf16() > budget {
            break;
        }
        units += ch.len_utf16();
        end = at + ch.len_utf8();
    }
    std::borrow::Cow::Owned(format!("{}{CUT_MARKER}", text.get(..end).unwrap_or_default()))
}

fn write_cell(worksheet: &mut Worksheet, row: u32, col: u16, cell: &Cell, formats: &Formats) -> Result<(), XlsxError> {
    match cell {
        // Typed string cells: Excel never runs them as formulas.
        Cell::Text(text) => worksheet.write_string(row, col, fit_cell(text).as_ref())?,
        Cell::Int(n) => worksheet.write_number(row, col, *n as f64)?,
        Cell::Date(d) => worksheet.write_date_with_format(row, col, d, &formats.date)?,
        Cell::DateTime(t) => worksheet.write_datetime_with_format(row, col, t, &formats.datetime)?,
        Cell::Empty => worksheet,
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_within_the_limit_is_kept_whole() {
        let text = "é".repeat(EXCEL_MAX_CELL_UNITS);
        assert_eq!(fit_cell(&text), text);
    }

    #[test]
    fn a_longer_text_is_cut_to_the_limit_with_a_marker() {
        // '𝄞' is two UTF-16 units: the cut must count units and keep whole characters.
        let text = "𝄞".repeat(EXCEL_MAX_CELL_UNITS);
        let cut = fit_cell(&text);
        assert!(cut.encode_utf16().count() <= EXCEL_MAX_CELL_UNITS);
        assert!(cut.encode_utf16().count() >= EXCEL_MAX_CELL_UNITS - 1);
        assert!(cut.ends_with(CUT_MARKER));
        assert!(cut.trim_end_matches(CUT_MARKER).chars().all(|c| c == '𝄞'));
    }
}
