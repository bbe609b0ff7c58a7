//! The template contract: request bodies (with the original frontend's loose ids) and
//! the views as the API shows them, with their conversions to and from `app`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use sentinelops_app::shifts::format_time;
use sentinelops_app::templates as app;

use crate::api::lenient::{opt_any_id, opt_uuid};

/// A template as sent by clients (create: `name` and `shift` required; update: all optional).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct TemplateInput {
    pub name: Option<String>,
    pub description: Option<String>,
    pub shift: Option<String>,
    pub is_active: Option<bool>,
    #[serde(default, deserialize_with = "opt_uuid")]
    pub section_id: Option<Uuid>,
    pub items: Option<Vec<ItemInput>>,
}

/// Declares a request body with the fields an item and a subitem share (written once
/// here, in wire order) followed by `$extra` (lists of nested bodies), and its
/// conversion into the app's input, which has the same field names.
macro_rules! entry_input {
    ($(#[$attr:meta])* $name:ident { $(pub $extra:ident: $extra_ty:ty),* $(,)? }) => {
        $(#[$attr])*
        #[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
        pub struct $name {
            #[serde(default, deserialize_with = "opt_any_id")]
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
            $(pub $extra: $extra_ty,)*
        }

        impl From<$name> for app::ItemInput {
            // The item body names every field; the subitem body leaves the item-only lists unset.
            #[allow(clippy::needless_update)]
            fn from(i: $name) -> Self {
                app::ItemInput {
                    id: i.id,
                    title: i.title,
                    description: i.description,
                    item_type: i.item_type,
                    is_required: i.is_required,
                    has_exe_time: i.has_exe_time,
                    scheduled_time: i.scheduled_time,
                    notify_before_minutes: i.notify_before_minutes,
                    severity: i.severity,
                    sort_order: i.sort_order,
                    $($extra: i.$extra.map(|list| list.into_iter().map(Into::into).collect()),)*
                    ..app::ItemInput::default()
                }
            }
        }
    };
}

entry_input!(
    /// An item; `id` names an existing item (anything that is not one of the template's
    /// item ids is treated as new, so clients may send temporary ids).
    ItemInput {
        pub subitems: Option<Vec<SubitemInput>>,
        pub scheduled_events: Option<Vec<EventInput>>,
    }
);

entry_input!(SubitemInput {});

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct EventInput {
    #[serde(default, deserialize_with = "opt_any_id")]
    pub id: Option<String>,
    /// RFC 3339, or a local date-time (`2026-11-25T10:00`) in the business time zone.
    pub event_datetime: Option<String>,
    pub notify_before_minutes: Option<i32>,
    pub notify_roles: Option<Vec<String>>,
    pub notify_all: Option<bool>,
}

impl From<TemplateInput> for app::TemplateInput {
    fn from(t: TemplateInput) -> Self {
        app::TemplateInput {
            name: t.name,
            description: t.description,
            shift: t.shift,
            is_active: t.is_active,
            section_id: t.section_id,
            items: t.items.map(|items| items.into_iter().map(app::ItemInput::from).collect()),
        }
    }
}

impl From<EventInput> for app::EventInput {
    fn from(e: EventInput) -> Self {
        app::EventInput {
            id: e.id,
            event_datetime: e.event_datetime,
            notify_before_minutes: e.notify_before_minutes,
            notify_roles: e.notify_roles,
            notify_all: e.notify_all,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TemplateView {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub shift: String,
    pub is_active: bool,
    pub version: i32,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub section_id: Uuid,
    pub items: Vec<TemplateItemView>,
}

/// Declares a view with the fields an item and a subitem share (written once here, in
/// wire order: `id`, the parent's id, …, `created_at`) followed by `$extra`, and `of`,
/// which formats a stored row (`$row`, with the same field names) as the wire shows it.
macro_rules! entry_view {
    ($name:ident of $row:ty, parent $parent:ident { $(pub $extra:ident: $extra_ty:ty),* $(,)? }) => {
        #[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
        pub struct $name {
            pub id: Uuid,
            pub $parent: Uuid,
            pub title: String,
            pub description: Option<String>,
            pub item_type: String,
            pub is_required: bool,
            pub has_exe_time: bool,
            pub scheduled_time: Option<String>,
            pub notify_before_minutes: Option<i32>,
            pub severity: i32,
            pub sort_order: i32,
            pub created_at: DateTime<Utc>,
            $(pub $extra: $extra_ty,)*
        }

        impl $name {
            fn of(r: $row, $($extra: $extra_ty),*) -> Self {
                $name {
                    id: r.id,
                    $parent: r.$parent,
                    title: r.title,
                    description: r.description,
                    item_type: r.item_type.as_str().to_owned(),
                    is_required: r.is_required,
                    has_exe_time: r.has_exe_time,
                    scheduled_time: r.scheduled_time.map(format_time),
                    notify_before_minutes: r.notify_before_minutes,
                    severity: r.severity,
                    sort_order: r.sort_order,
                    created_at: r.created_at,
                    $($extra,)*
                }
            }
        }
    };
}

entry_view!(TemplateItemView of app::TemplateItemRow, parent template_id {
    pub subitems: Vec<TemplateSubitemView>,
    pub scheduled_events: Vec<TemplateEventView>,
});

entry_view!(TemplateSubitemView of app::TemplateSubitemRow, parent template_item_id {});

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TemplateEventView {
    pub id: Uuid,
    pub template_item_id: Uuid,
    pub event_datetime: DateTime<Utc>,
    pub notify_before_minutes: i32,
    pub notify_roles: Value,
    pub notify_all: bool,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// A template change's message and view, as the original answered.
#[derive(Debug, Clone, Serialize)]
pub struct TemplateChange {
    pub id: Uuid,
    pub action: &'static str,
    pub template: TemplateView,
    pub message: String,
}

impl From<app::TemplateView> for TemplateView {
    fn from(t: app::TemplateView) -> Self {
        let r = t.row;
        TemplateView {
            id: r.id,
            name: r.name,
            description: r.description,
            shift: r.shift.as_str().to_owned(),
            is_active: r.is_active,
            version: r.version,
            created_by: r.created_by,
            created_at: r.created_at,
            updated_at: r.updated_at,
            section_id: r.section_id,
            items: t.items.into_iter().map(TemplateItemView::from).collect(),
        }
    }
}

impl From<app::TemplateItemView> for TemplateItemView {
    fn from(i: app::TemplateItemView) -> Self {
        let subitems = i.subitems.into_iter().map(TemplateSubitemView::from).collect();
        let events = i.scheduled_events.into_iter().map(TemplateEventView::from).collect();
        TemplateItemView::of(i.row, subitems, events)
    }
}

impl From<app::TemplateSubitemRow> for TemplateSubitemView {
    fn from(r: app::TemplateSubitemRow) -> Self {
        TemplateSubitemView::of(r)
    }
}

impl From<app::TemplateEventRow> for TemplateEventView {
    fn from(r: app::TemplateEventRow) -> Self {
        TemplateEventView {
            id: r.id,
            template_item_id: r.template_item_id,
            event_datetime: r.event_datetime,
            notify_before_minutes: r.notify_before_minutes,
            notify_roles: r.notify_roles.unwrap_or_else(|| json!([])),
            notify_all: r.notify_all,
            created_by: r.created_by,
            created_at: r.created_at,
        }
    }
}

impl From<app::TemplateChange> for TemplateChange {
    fn from(c: app::TemplateChange) -> Self {
        TemplateChange { id: c.id, action: c.action, template: c.template.into(), message: c.message }
    }
}
