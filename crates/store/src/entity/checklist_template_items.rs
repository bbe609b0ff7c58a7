//! `checklist_template_items`: items of a checklist template.

use sea_orm::entity::prelude::*;

use super::item_columns::item_table;

item_table!(template "checklist_template_items" {
    keys { template_id: Uuid }
    own { pub is_active: bool = true }
});
