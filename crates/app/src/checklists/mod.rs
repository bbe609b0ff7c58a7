//! Checklist instances: creation from templates, the full view, item and subitem
//! work under the transition policy, the lifecycle with sign-off and overrides,
//! participants, listings and statistics.

pub mod cache;
mod create;
mod items;
mod lifecycle;
mod listing;
mod policy;
mod snapshot;
mod step;
pub mod view;

pub use create::CreateInstance;
pub use items::{ItemUpdate, StartWork, SubitemUpdate};
pub use lifecycle::{ChangeDate, MissingReason, NO_REASON_GIVEN, OverrideInput};
pub use listing::{InstanceListQuery, InstanceSummary};
pub use view::InstanceView;

pub(crate) use create::active_template;
pub(crate) use policy::PolicyCache;
pub(crate) use snapshot::SnapshotCache;
