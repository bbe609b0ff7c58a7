//! What a template and its items are created or changed with. Deserialize reads the
//! demo data file (`bootstrap`); the API's bodies are `web/src/api/templates/wire.rs`.

use serde::Deserialize;
use uuid::Uuid;

/// A template as sent by clients (create: `name` and `shift` required; update: all optional).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TemplateInput {
    pub name: Option<String>,
    pub description: Option<String>,
    pub shift: Option<String>,
    pub is_active: Option<bool>,
    pub section_id: Option<Uuid>,
    pub items: Option<Vec<ItemInput>>,
}

/// An item or a subitem; `id` names an existing one (anything that is not one of the
/// template's ids is treated as new, so clients may send temporary ids). `subitems` and
/// `scheduled_events` are an item's only: a subitem's are not read.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ItemInput {
    pub id: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub item_type: Option<String>,
    pub is_required: Option<bool>,
    pub has_exe_time: Option<bool>,
    pub scheduled_time: Option<String>,
    pub notify_before_minutes: Option<i32>,
    pub severity: Option<i32>,
    pub sort_order: Option<i32>,
    pub subitems: Option<Vec<SubitemInput>>,
    pub scheduled_events: Option<Vec<EventInput>>,
}

/// A subitem is written with an item's fields (one list for both).
pub type SubitemInput = ItemInput;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct EventInput {
    pub id: Option<String>,
    /// RFC 3339, or a local date-time (`2026-11-25T10:00`) in the business time zone.
    pub event_datetime: Option<String>,
    pub notify_before_minutes: Option<i32>,
    pub notify_roles: Option<Vec<String>>,
    pub notify_all: Option<bool>,
}
