//! Checklist templates: items, subitems and scheduled events, with the original's
//! validation. Every edit bumps the template's version; instances keep their own
//! snapshot, so history never changes.

mod edit;
mod inputs;
mod items;
mod validation;
mod views;

pub use edit::TemplateChange;
pub(crate) use edit::TemplateSlot;
pub use inputs::{EventInput, ItemInput, SubitemInput, TemplateInput};
use items::*;
pub(crate) use validation::*;
pub use views::*;
