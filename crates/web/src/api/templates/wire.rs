//! The template contract: request bodies (with the original frontend's loose ids) and
//! the views as the API shows them, with their conversions to and from `app`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

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

/// An item; `id` names an existing item (anything that is not one of the template's
/// item ids is treated as new, so clients may send temporary ids).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ItemInput {
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
    pub subitems: Option<Vec<SubitemInput>>,
    pub scheduled_events: Option<Vec<EventInput>>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct SubitemInput {
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
}

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

impl From<ItemInput> for app::ItemInput {
    fn from(i: ItemInput) -> Self {
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
            subitems: i.subitems.map(|list| list.into_iter().map(app::SubitemInput::from).collect()),
            scheduled_events: i.scheduled_events.map(|list| list.into_iter().map(app::EventInput::from).collect()),
        }
    }
}

impl From<SubitemInput> for app::SubitemInput {
    fn from(s: SubitemInput) -> Self {
        app::SubitemInput {
            id: s.id,
            title: s.title,
            description: s.description,
            item_type: s.item_type,
            is_required: s.is_required,
            has_exe_time: s.has_exe_time,
            scheduled_time: s.scheduled_time,
            notify_before_minutes: s.notify_before_minutes,
            severity: s.severity,
            sort_order: s.sort_order,
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

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TemplateItemView {
    pub id: Uuid,
    pub template_id: Uuid,
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
    pub subitems: Vec<TemplateSubitemView>,
    pub scheduled_events: Vec<TemplateEventView>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TemplateSubitemView {
    pub id: Uuid,
    pub template_item_id: Uuid,
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
}

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
        TemplateView {
            id: t.id,
            name: t.name,
            description: t.description,
            shift: t.shift,
            is_active: t.is_active,
            version: t.version,
            created_by: t.created_by,
            created_at: t.created_at,
            updated_at: t.updated_at,
            section_id: t.section_id,
            items: t.items.into_iter().map(TemplateItemView::from).collect(),
        }
    }
}

impl From<app::TemplateItemView> for TemplateItemView {
    fn from(i: app::TemplateItemView) -> Self {
        TemplateItemView {
            id: i.id,
            template_id: i.template_id,
            title: i.title,
            description: i.description,
            item_type: i.item_type,
            is_required: i.is_required,
            has_exe_time: i.has_exe_time,
            scheduled_time: i.scheduled_time,
            notify_before_minutes: i.notify_before_minutes,
            severity: i.severity,
            sort_order: i.sort_order,
            created_at: i.created_at,
            subitems: i.subitems.into_iter().map(TemplateSubitemView::from).collect(),
            scheduled_events: i.scheduled_events.into_iter().map(TemplateEventView::from).collect(),
        }
    }
}

impl From<app::TemplateSubitemView> for TemplateSubitemView {
    fn from(s: app::TemplateSubitemView) -> Self {
        TemplateSubitemView {
            id: s.id,
            template_item_id: s.template_item_id,
            title: s.title,
            description: s.description,
            item_type: s.item_type,
            is_required: s.is_required,
            has_exe_time: s.has_exe_time,
            scheduled_time: s.scheduled_time,
            notify_before_minutes: s.notify_before_minutes,
            severity: s.severity,
            sort_order: s.sort_order,
            created_at: s.created_at,
        }
    }
}

impl From<app::TemplateEventView> for TemplateEventView {
    fn from(e: app::TemplateEventView) -> Self {
        TemplateEventView {
            id: e.id,
            template_item_id: e.template_item_id,
            event_datetime: e.event_datetime,
            notify_before_minutes: e.notify_before_minutes,
            notify_roles: e.notify_roles,
            notify_all: e.notify_all,
            created_by: e.created_by,
            created_at: e.created_at,
        }
    }
}

impl From<app::TemplateChange> for TemplateChange {
    fn from(c: app::TemplateChange) -> Self {
        TemplateChange { id: c.id, action: c.action, template: c.template.into(), message: c.message }
    }
}
