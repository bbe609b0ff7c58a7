//! Fonts beyond the embedded ones. The embedded fonts (typst's assets: Libertinus Serif,
//! New Computer Modern, DejaVu Sans Mono) cover Latin, Greek and Cyrillic. A centre whose
//! people write their names in Arabic, Hebrew, Chinese, Japanese, Korean or an Indic
//! script points the server at a folder of fonts for them (`--report-fonts`), read once
//! at start; typst falls back to them for any character the embedded fonts lack.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use typst::foundations::Bytes;
use typst::text::Font;

/// The extra fonts, set at most once, before the first report.
static EXTRA: OnceLock<Vec<Font>> = OnceLock::new();

/// Why a font folder was not taken.
#[derive(Debug, thiserror::Error)]
pub enum FontError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{0} holds no font file (.ttf, .otf, .ttc or .otc) that could be read")]
    Empty(PathBuf),
    #[error("report fonts are set once, before the first report")]
    AlreadySet,
}

/// Loads every font file under `dir` (and its subfolders) for the reports to fall back
/// on. Answers the family names found, for the start-up log. Call before the first
/// report: typesetting reads its fonts once. Each file is held in memory for the
/// process's life, so point this at the fonts needed, not at all of `/usr/share/fonts`.
pub fn use_fonts_in(dir: &Path) -> Result<Vec<String>, FontError> {
    let mut files = Vec::new();
    font_files(dir, &mut files)?;
    files.sort();
    let mut fonts = Vec::new();
    for path in files {
        let data = std::fs::read(&path).map_err(|source| FontError::Read { path: path.clone(), source })?;
        fonts.extend(Font::iter(Bytes::new(data)));
    }
    if fonts.is_empty() {
        return Err(FontError::Empty(dir.to_owned()));
    }
    let mut families: Vec<String> = fonts.iter().map(|f| f.info().family.clone()).collect();
    families.sort();
    families.dedup();
    EXTRA.set(fonts).map_err(|_| FontError::AlreadySet)?;
    Ok(families)
}

/// The extra fonts (none unless [`use_fonts_in`] ran).
pub(crate) fn extra() -> Vec<Font> {
    EXTRA.get().cloned().unwrap_or_default()
}

fn font_files(dir: &Path, found: &mut Vec<PathBuf>) -> Result<(), FontError> {
    let entries = std::fs::read_dir(dir).map_err(|source| FontError::Read { path: dir.to_owned(), source })?;
    for entry in entries {
        let entry = entry.map_err(|source| FontError::Read { path: dir.to_owned(), source })?;
        let path = entry.path();
        // Subfolders are read, but not through symbolic links (a link back up would loop).
        let is_folder = entry.file_type().map_err(|source| FontError::Read { path: path.clone(), source })?.is_dir();
        if is_folder {
            font_files(&path, found)?;
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| ["ttf", "otf", "ttc", "otc"].contains(&e.to_ascii_lowercase().as_str()))
        {
            found.push(path);
        }
    }
    Ok(())
}
