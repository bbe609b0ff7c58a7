//! Pure rules of SentinelOps: roles, time, auth policy, shifts. No IO lives here.

pub mod account;
pub mod activity;
pub mod alert;
pub mod auth;
pub mod calendar;
pub mod checklist;
pub mod clock;
pub mod coverage;
pub mod directory;
pub mod due;
pub mod escalation;
pub mod ids;
pub mod named;
pub mod outbox;
pub mod performance;
pub mod quiet;
pub mod reason;
pub mod role;
pub mod roster;
pub mod scoring;
pub mod secret;
pub mod shift;
pub mod spreadsheet;
pub mod step;
pub mod swap;

pub use account::{Email, InvalidName, Login, Username};
pub use activity::ActivityAction;
pub use clock::{Clock, ManualClock, SystemClock};
pub use named::Named;
pub use outbox::OutboxStatus;
pub use reason::{Reason, ReasonError};
pub use role::{Role, SECTION_SUPERVISORS, Supervisors};
