//! Checklist instances: creation from templates, the full view, item and subitem
//! work under the transition policy, the lifecycle with sign-off and overrides,
//! participants, listings and statistics.
//!
//! A write follows one path: lock the checklist (`access`), load the rows, apply the
//! domain step rule (`step`), save if the row is unchanged, then the consequences
//! (`write`: activity, events, alerts) and the roll-up (`lifecycle::settle`).

mod access;
pub mod cache;
mod conflict;
mod create;
mod item_changes;
mod lifecycle;
mod listing;
mod overrides;
mod participants;
mod policy;
mod progress;
mod signoff;
mod snapshot;
mod stats;
mod step;
mod subitems;
pub mod view;
mod write;

pub use conflict::{CurrentState, StepState};
pub use create::CreateInstance;
pub use item_changes::{ItemUpdate, StartWork, parse_item_status};
pub use listing::{InstanceListQuery, InstanceSummary, ShiftCoverage};
pub use overrides::{ChangeDate, MissingReason, NO_REASON_GIVEN, OverrideInput};
pub use progress::{
    CommentActivity, CompletionSummary, DateCorrection, InstanceStats, SubitemChanged, SubitemProgress, SubitemRow,
    WorkStarted,
};
pub use subitems::SubitemUpdate;
pub use view::InstanceView;

pub(crate) use create::active_template;
pub(crate) use policy::PolicyCache;
pub(crate) use snapshot::SnapshotCache;
