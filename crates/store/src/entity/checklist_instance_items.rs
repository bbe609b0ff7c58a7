//! `checklist_instance_items`: items of a checklist instance.
//! The step columns it shares with the other step tables, and its row builders, are
//! written by `item_table!` (see `item_columns`).

use sea_orm::entity::prelude::*;

use super::item_columns::item_table;

item_table!(instance "checklist_instance_items" {
    keys { instance_id: Uuid, template_item_id: Option<Uuid> }
    own {
        pub final_verdict: Option<String> = None,
        pub final_verdict_by: Option<Uuid> = None,
        pub final_verdict_at: Option<DateTimeUtc> = None
    }
});
