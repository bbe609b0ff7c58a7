//! `checklist_template_subitems`: sub-items of a template item.
//! The step columns it shares with the other step tables, and its row builders, are
//! written by `item_table!` (see `item_columns`).

use sea_orm::entity::prelude::*;

use super::item_columns::item_table;

item_table!(template "checklist_template_subitems" {
    keys { template_item_id: Uuid }
    own {}
});
