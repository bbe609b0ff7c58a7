//! `checklist_template_items`: items of a checklist template.
//! The step columns it shares with the other step tables, and its row builders, are
//! written by `item_table!` (see `item_columns`).

use sea_orm::entity::prelude::*;

use super::item_columns::item_table;

item_table!(template "checklist_template_items" {
    keys { template_id: Uuid }
    own { pub is_active: bool = true }
});
