//! Templates as read: the stored template with its items, subitems and events. The rows
//! are kept as stored; the API's field list and formatting are `web/src/api/templates/wire.rs`.

use std::collections::HashMap;

use uuid::Uuid;

use sentinelops_store::Conn;
use sentinelops_store::repo::templates;
pub use sentinelops_store::repo::templates::{TemplateEventRow, TemplateItemRow, TemplateRow, TemplateSubitemRow};

use crate::error::AppResult;

/// A template with its active items.
#[derive(Debug, Clone)]
pub struct TemplateView {
    pub row: TemplateRow,
    pub items: Vec<TemplateItemView>,
}

/// An item with its subitems and scheduled events.
#[derive(Debug, Clone)]
pub struct TemplateItemView {
    pub row: TemplateItemRow,
    pub subitems: Vec<TemplateSubitemRow>,
    pub scheduled_events: Vec<TemplateEventRow>,
}

/// Full views of several templates in three queries (items, subitems, events).
#[tracing::instrument(level = "debug", skip_all)]
pub(crate) async fn template_views(c: &impl Conn, rows: Vec<TemplateRow>) -> AppResult<Vec<TemplateView>> {
    let ids: Vec<Uuid> = rows.iter().map(|t| t.id).collect();
    let items = templates::items_of(c, ids, true).await?;
    let item_ids: Vec<Uuid> = items.iter().map(|i| i.id).collect();
    let mut subitems: HashMap<Uuid, Vec<TemplateSubitemRow>> = HashMap::new();
    for s in templates::subitems_of(c, item_ids.clone()).await? {
        subitems.entry(s.template_item_id).or_default().push(s);
    }
    let mut events: HashMap<Uuid, Vec<TemplateEventRow>> = HashMap::new();
    for e in templates::events_of(c, item_ids).await? {
        events.entry(e.template_item_id).or_default().push(e);
    }
    let mut by_template: HashMap<Uuid, Vec<TemplateItemView>> = HashMap::new();
    for row in items {
        let id = row.id;
        let subitems = subitems.remove(&id).unwrap_or_default();
        let scheduled_events = events.remove(&id).unwrap_or_default();
        by_template.entry(row.template_id).or_default().push(TemplateItemView { row, subitems, scheduled_events });
    }
    Ok(rows
        .into_iter()
        .map(|row| TemplateView { items: by_template.remove(&row.id).unwrap_or_default(), row })
        .collect())
}
