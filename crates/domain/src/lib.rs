//! Pure rules of SentinelOps: roles, time, auth policy, shifts. No IO lives here.

pub mod auth;
pub mod checklist;
pub mod clock;
pub mod ids;
pub mod role;
pub mod secret;
pub mod shift;

pub use clock::{Clock, ManualClock, SystemClock};
pub use role::Role;
