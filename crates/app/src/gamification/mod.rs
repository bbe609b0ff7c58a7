//! Points (issue 18). The write side keeps the append-only ledger with the work:
//! `actions` (a provisional or refused row per item/subitem action), `settle` (what a
//! closed checklist pays, reconciled with what it paid), `handover_points`, `adjust`
//! (a supervisor's adjustment) and `my_ledger` ("why didn't I get points?"); `entries`
//! builds the rows and appends them with their live message.

mod actions;
mod adjust;
mod entries;
mod handover_points;
mod my_ledger;
mod settle;

pub use adjust::{Adjustment, MAX_ADJUSTMENT};
pub use entries::POINTS_UPDATED;
pub use my_ledger::{LedgerEntry, LedgerQuery};

pub(crate) use actions::{ActionScene, StepAction};
pub(crate) use settle::Target;
