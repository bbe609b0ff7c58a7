//! Spreadsheet safety of exported text.
//!
//! Excel, LibreOffice and Google Sheets run a CSV cell that starts with `=`, `+`, `-` or
//! `@` as a formula (and strip a leading tab or carriage return before looking). Users
//! control usernames, user agents, reasons and titles, so every CSV writer passes each
//! text cell through [`neutralise_formula`]: such a cell gets a leading apostrophe,
//! which the spreadsheet shows as text and does not run.

use std::borrow::Cow;

/// The characters that make a spreadsheet read a cell as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `cell`, with a leading `'` when it would start a formula; unchanged (borrowed) otherwise.
pub fn neutralise_formula(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some(first) if FORMULA_STARTS.contains(&first) => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

#[cfg(test)]
mod tests {
    use super::neutralise_formula;

    #[test]
    fn formula_starts_get_an_apostrophe() {
        for cell in ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "=HYPERLINK(\"http://x\")"] {
            assert_eq!(neutralise_formula(cell), format!("'{cell}"), "{cell:?}");
        }
    }

    #[test]
    fn other_cells_are_unchanged() {
        for cell in ["", "alice", "1-2", " =x", "'=x", "Ærøskøbing", "a=b"] {
            assert_eq!(neutralise_formula(cell), cell, "{cell:?}");
        }
    }
}
