//! SentinelOps' PDF reports, typeset by typst: data in, PDF bytes out.
//!
//! The app gathers a report's facts, formats them as the reader will see them (names,
//! local times, labels) and hands this crate a [`ShiftReport`] or a [`PeriodReport`].
//! The crate serializes it to JSON, which the report's typst template reads as a file,
//! so nothing in the data is ever evaluated as markup. Rendering is CPU work: call it
//! off the async runtime.
//!
//! Why typst: it lays out what a shift record needs — tables whose header repeats on
//! every page, blocks that break across pages, "page N of M" footers — from a template
//! a reader can follow, and it embeds subsetted fonts. krilla (typst's PDF writer) would
//! leave all of that layout to us. Its cost is build time, which is why it lives in this
//! crate of its own.

mod fonts;
mod model;
mod world;

pub use fonts::{FontError, use_fonts_in};
pub use model::{
    ActivityLine, Counts, DayRow, ExceptionLine, HandoverLine, Item, OverrideLine, PeriodReport, PeriodTotals,
    ShiftCell, ShiftReport, Status, Subitem, Tone,
};

/// A report could not be typeset. Always our fault (the template or the data's shape),
/// never the reader's: the app answers it as a server error.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("the report's data could not be serialized: {0}")]
    Data(#[from] serde_json::Error),
    #[error("the report template failed: {0}")]
    Template(String),
}

/// The shift record of one checklist, as a PDF.
pub fn shift_report(report: &ShiftReport) -> Result<Vec<u8>, RenderError> {
    world::render(world::Template::Shift, serde_json::to_vec(report)?)
}

/// A section's week or month, as a PDF.
pub fn period_report(report: &PeriodReport) -> Result<Vec<u8>, RenderError> {
    world::render(world::Template::Period, serde_json::to_vec(report)?)
}

/// Drops what typst memoized between reports (the next report lays out from scratch,
/// its fonts already loaded): for an idle server, which should give memory back.
pub fn forget_caches() {
    typst::comemo::evict(0);
}
