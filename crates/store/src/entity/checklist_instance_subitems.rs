//! `checklist_instance_subitems`: sub-items of a checklist instance item.

use sea_orm::entity::prelude::*;

use super::item_columns::item_table;

item_table!(instance "checklist_instance_subitems" {
    keys { instance_item_id: Uuid, instance_id: Uuid, template_subitem_id: Option<Uuid> }
    own {}
});
