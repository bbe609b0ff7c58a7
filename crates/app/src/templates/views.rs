//! Templates as read: the view of a template with its items, subitems and events.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use sentinelops_store::Conn;
use sentinelops_store::repo::templates::{self, TemplateEventRow, TemplateItemRow, TemplateRow, TemplateSubitemRow};

use crate::error::AppResult;
use crate::shifts::format_time;

#[derive(Debug, Clone)]
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

#[derive(Debug, Clone)]
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

#[derive(Debug, Clone)]
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

#[derive(Debug, Clone)]
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

pub(super) fn subitem_view(s: TemplateSubitemRow) -> TemplateSubitemView {
    TemplateSubitemView {
        id: s.id,
        template_item_id: s.template_item_id,
        title: s.title,
        description: s.description,
        item_type: s.item_type.as_str().to_owned(),
        is_required: s.is_required,
        has_exe_time: s.has_exe_time,
        scheduled_time: s.scheduled_time.map(format_time),
        notify_before_minutes: s.notify_before_minutes,
        severity: s.severity,
        sort_order: s.sort_order,
        created_at: s.created_at,
    }
}

pub(super) fn event_view(e: TemplateEventRow) -> TemplateEventView {
    TemplateEventView {
        id: e.id,
        template_item_id: e.template_item_id,
        event_datetime: e.event_datetime,
        notify_before_minutes: e.notify_before_minutes,
        notify_roles: e.notify_roles.unwrap_or_else(|| json!([])),
        notify_all: e.notify_all,
        created_by: e.created_by,
        created_at: e.created_at,
    }
}

pub(super) fn item_view(
    i: TemplateItemRow,
    subitems: Vec<TemplateSubitemView>,
    events: Vec<TemplateEventView>,
) -> TemplateItemView {
    TemplateItemView {
        id: i.id,
        template_id: i.template_id,
        title: i.title,
        description: i.description,
        item_type: i.item_type.as_str().to_owned(),
        is_required: i.is_required,
        has_exe_time: i.has_exe_time,
        scheduled_time: i.scheduled_time.map(format_time),
        notify_before_minutes: i.notify_before_minutes,
        severity: i.severity,
        sort_order: i.sort_order,
        created_at: i.created_at,
        subitems,
        scheduled_events: events,
    }
}

/// Full views of several templates in three queries (items, subitems, events).
#[tracing::instrument(level = "debug", skip_all)]
pub(crate) async fn template_views(c: &impl Conn, rows: Vec<TemplateRow>) -> AppResult<Vec<TemplateView>> {
    let ids: Vec<Uuid> = rows.iter().map(|t| t.id).collect();
    let items = templates::items_of(c, ids, true).await?;
    let item_ids: Vec<Uuid> = items.iter().map(|i| i.id).collect();
    let mut subitems: HashMap<Uuid, Vec<TemplateSubitemView>> = HashMap::new();
    for s in templates::subitems_of(c, item_ids.clone()).await? {
        subitems.entry(s.template_item_id).or_default().push(subitem_view(s));
    }
    let mut events: HashMap<Uuid, Vec<TemplateEventView>> = HashMap::new();
    for e in templates::events_of(c, item_ids).await? {
        events.entry(e.template_item_id).or_default().push(event_view(e));
    }
    let mut by_template: HashMap<Uuid, Vec<TemplateItemView>> = HashMap::new();
    for i in items {
        let id = i.id;
        let template = i.template_id;
        let view = item_view(i, subitems.remove(&id).unwrap_or_default(), events.remove(&id).unwrap_or_default());
        by_template.entry(template).or_default().push(view);
    }
    Ok(rows
        .into_iter()
        .map(|t| TemplateView {
            items: by_template.remove(&t.id).unwrap_or_default(),
            id: t.id,
            name: t.name,
            description: t.description,
            shift: t.shift.as_str().to_owned(),
            is_active: t.is_active,
            version: t.version,
            created_by: t.created_by,
            created_at: t.created_at,
            updated_at: t.updated_at,
            section_id: t.section_id,
        })
        .collect())
}
