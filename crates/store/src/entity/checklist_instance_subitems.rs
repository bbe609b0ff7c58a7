//! `checklist_instance_subitems`: sub-items of a checklist instance item.
//! The step columns it shares with the other step tables, and its row builders, are
//! written by `item_table!` (see `item_columns`).

use sea_orm::entity::prelude::*;

use super::item_columns::item_table;

item_table!(instance "checklist_instance_subitems" {
    keys { instance_item_id: Uuid, instance_id: Uuid, template_subitem_id: Option<Uuid> }
    own {}
});
