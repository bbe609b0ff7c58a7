//! Exports (issue 19): the use cases behind the CSV and Excel downloads. They return
//! typed rows in pages; the web layer writes them as it reads them.

pub mod checklists;
pub mod leaderboard;

pub use checklists::{ChecklistExport, ChecklistExportPage, ChecklistExportQuery, ChecklistExportRow, MAX_RANGE_DAYS};
pub use leaderboard::LeaderboardExport;
pub use sentinelops_store::repo::checklist_export::InstanceCursor;
