//! The typst "world" a report is compiled in: the report's template, the shared
//! styles, one data file, the embedded fonts and any configured at start (`fonts`).
//! Nothing is read from disk or network while a report is made.

use std::sync::LazyLock;

use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

use crate::RenderError;

/// The path the templates read their data from (`json("/data.json")`).
const DATA_PATH: &str = "/data.json";
/// How many compilations typst's memo cache keeps entries for once unused: enough to
/// reuse the laid-out styles between reports, few enough to bound memory.
const CACHE_MAX_AGE: usize = 8;

/// The templates, compiled into the binary.
const COMMON: (&str, &str) = ("/common.typ", include_str!("../templates/common.typ"));
const SHIFT: (&str, &str) = ("/shift.typ", include_str!("../templates/shift.typ"));
const PERIOD: (&str, &str) = ("/period.typ", include_str!("../templates/period.typ"));

#[derive(Debug, Clone, Copy)]
pub enum Template {
    Shift,
    Period,
}

/// What every report shares, built once: the standard library, the fonts and the
/// template sources.
struct Assets {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    sources: Vec<Source>,
    data: Option<FileId>,
}

static ASSETS: LazyLock<Assets> = LazyLock::new(|| {
    // The embedded fonts first, so they are preferred; the configured ones fill their gaps.
    let fonts: Vec<Font> =
        typst_assets::fonts().flat_map(|data| Font::iter(Bytes::new(data))).chain(crate::fonts::extra()).collect();
    let sources = [COMMON, SHIFT, PERIOD]
        .into_iter()
        .filter_map(|(path, text)| Some(Source::new(file_id(path)?, text.to_owned())))
        .collect();
    Assets {
        library: LazyHash::new(Library::default()),
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
        sources,
        data: file_id(DATA_PATH),
    }
});

fn file_id(path: &str) -> Option<FileId> {
    VirtualPath::new(path).ok().map(|vpath| RootedPath::new(VirtualRoot::Project, vpath).intern())
}

/// One compilation: a template and its data.
struct ReportWorld {
    main: FileId,
    data: Bytes,
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &ASSETS.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &ASSETS.book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        ASSETS.sources.iter().find(|s| s.id() == id).cloned().ok_or_else(|| not_found(id))
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if ASSETS.data == Some(id) {
            return Ok(self.data.clone());
        }
        self.source(id).map(|s| Bytes::from_string(s.text().to_owned()))
    }

    fn font(&self, index: usize) -> Option<Font> {
        ASSETS.fonts.get(index).cloned()
    }

    /// Reports print the times the app gives them; the template never asks for "today".
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(format!("{:?}", id.vpath()).into())
}

/// Compiles `template` over `data` (JSON) and exports the PDF.
pub fn render(template: Template, data: Vec<u8>) -> Result<Vec<u8>, RenderError> {
    let path = match template {
        Template::Shift => SHIFT.0,
        Template::Period => PERIOD.0,
    };
    let main = file_id(path).ok_or_else(|| RenderError::Template(format!("bad template path {path}")))?;
    let world = ReportWorld { main, data: Bytes::new(data) };
    let document: PagedDocument = typst::compile(&world).output.map_err(|errors| failure(&world, &errors))?;
    let pdf = typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default()).map_err(|errors| failure(&world, &errors));
    typst::comemo::evict(CACHE_MAX_AGE);
    pdf
}

/// The first diagnostics with where they point, for the log.
fn failure(world: &ReportWorld, errors: &[SourceDiagnostic]) -> RenderError {
    use typst::WorldExt;
    let text = errors
        .iter()
        .take(3)
        .map(|e| {
            let at = world.range(e.span).map(|r| format!(" at {r:?}")).unwrap_or_default();
            format!("{}{at}", e.message)
        })
        .collect::<Vec<_>>()
        .join("; ");
    RenderError::Template(text)
}
