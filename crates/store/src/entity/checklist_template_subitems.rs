//! `checklist_template_subitems`: sub-items of a template item.

use sea_orm::entity::prelude::*;

use super::item_columns::item_table;

item_table!(template "checklist_template_subitems" {
    keys { template_item_id: Uuid }
    own {}
});
