//! The checklist contract: request bodies and queries, the views and answers as the
//! API shows them, and their conversions to and from `app`.

mod answers;
mod requests;
mod view;

pub use answers::{
    CommentActivity, CompletionSummary, CompletionVerdict, Coverage, InstanceStats, Subitem, SubitemChanged,
    SubitemList, SubitemStats, WorkStarted, current_state,
};
pub use requests::{
    ChangeDate, CommentBody, CompleteBody, CreateInstance, InstanceListQuery, ItemUpdate, OverrideInput, RangeQuery,
    StartWork, SubitemUpdate, VerdictBody,
};
pub use view::{
    ActivityView, EventView, InstanceSummary, InstanceTemplateView, InstanceView, ItemView, ParticipantView,
    SubitemView, TemplateItemSnapshot, UserRef,
};
