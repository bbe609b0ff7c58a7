//! Editing the items of a template: add, change, delete, reorder, and their
//! subitems and scheduled events. Every edit bumps the template version.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use sentinelops_domain::checklist::ItemType;
use sentinelops_store::Conn;
use sentinelops_store::repo::templates::{self, TemplateEventRow, TemplateItemRow, TemplateRow, TemplateSubitemRow};

use super::*;
use crate::App;
use crate::actor::Actor;
use crate::audit::{OpsEvent, record_ops};
use crate::error::{AppError, AppResult, invalid, not_found};
use crate::tx::commit;

impl App {
    /// Adds one item (with subitems and events) to a template.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn add_template_item(
        &self,
        actor: &Actor,
        template_id: Uuid,
        input: ItemInput,
    ) -> AppResult<TemplateItemView> {
        let mut input = input;
        input.id = None;
        self.change_items(actor, template_id, "TEMPLATE_ITEM_ADDED", |_| Ok(ItemChange::Upsert(input))).await
    }

    /// Updates one item of a template (fields not given are kept).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn update_template_item(
        &self,
        actor: &Actor,
        template_id: Uuid,
        item_id: Uuid,
        input: ItemInput,
    ) -> AppResult<TemplateItemView> {
        let mut input = input;
        input.id = Some(item_id.to_string());
        self.change_items(actor, template_id, "TEMPLATE_ITEM_UPDATED", |items| {
            if items.iter().any(|i| i.id == item_id) {
                Ok(ItemChange::Upsert(input))
            } else {
                Err(not_found("Template item not found"))
            }
        })
        .await
    }

    /// Retires (soft-deletes) one item.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn delete_template_item(
        &self,
        actor: &Actor,
        template_id: Uuid,
        item_id: Uuid,
    ) -> AppResult<TemplateItemView> {
        self.change_items(actor, template_id, "TEMPLATE_ITEM_SOFT_DELETED", |items| {
            if items.iter().any(|i| i.id == item_id) {
                Ok(ItemChange::Retire(item_id))
            } else {
                Err(not_found("Template item not found"))
            }
        })
        .await
    }

    /// Sets the order of a template's items to the order of `item_ids` (all of them).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn reorder_template_items(
        &self,
        actor: &Actor,
        template_id: Uuid,
        item_ids: Vec<Uuid>,
    ) -> AppResult<TemplateView> {
        let tx = self.store.begin_write().await?;
        let row = self.editable_template(&tx, actor, template_id).await?;
        let now = self.clock.now();
        let items = templates::items_of(&tx, vec![template_id], true).await?;
        let mut wanted = item_ids.clone();
        wanted.sort();
        wanted.dedup();
        let mut have: Vec<Uuid> = items.iter().map(|i| i.id).collect();
        have.sort();
        if wanted != have || wanted.len() != item_ids.len() {
            return Err(invalid("item_ids must list every active item of the template exactly once"));
        }
        for item in items {
            let position = item_ids.iter().position(|id| *id == item.id).unwrap_or(0);
            let sort_order = i32::try_from(position).unwrap_or(i32::MAX).saturating_add(1).saturating_mul(100);
            templates::save_item(&tx, TemplateItemRow { sort_order, updated_at: now, ..item }).await?;
        }
        self.bump_template(&tx, actor, row, now, "TEMPLATE_UPDATED", json!({ "reordered": item_ids.len() })).await?;
        let view = self.view_in(&tx, template_id).await?;
        commit(tx).await?;
        Ok(view)
    }

    /// Saves a template whose items changed as its next version, recording `event_type`.
    pub(super) async fn bump_template(
        &self,
        c: &impl Conn,
        actor: &Actor,
        row: TemplateRow,
        now: DateTime<Utc>,
        event_type: &'static str,
        detail: Value,
    ) -> AppResult<()> {
        let payload = |row: &TemplateRow| json!({ "template_id": row.id, "name": row.name, "version": row.version, "detail": detail });
        save_version(c, (actor, now), row, event_type, payload).await
    }

    pub(super) async fn change_items(
        &self,
        actor: &Actor,
        template_id: Uuid,
        event_type: &'static str,
        decide: impl FnOnce(&[TemplateItemRow]) -> AppResult<ItemChange>,
    ) -> AppResult<TemplateItemView> {
        let tx = self.store.begin_write().await?;
        let row = self.editable_template(&tx, actor, template_id).await?;
        let now = self.clock.now();
        let frame = self.frame(&tx, row.shift.get()).await?;
        let items = templates::items_of(&tx, vec![template_id], true).await?;
        // Subitem and event edits rewrite their item's list from what this transaction
        // reads, so concurrent edits apply one after the other instead of erasing each other.
        let change = match decide(&items)? {
            ItemChange::Subitem { item, subitem, input } => {
                let current = templates::subitems_of(&tx, vec![item]).await?;
                ItemChange::Upsert(ItemInput {
                    id: Some(item.to_string()),
                    subitems: Some(subitem_list(&current, subitem, input)?),
                    ..ItemInput::default()
                })
            }
            ItemChange::Event { item, event, input } => {
                let kind = items.iter().find(|i| i.id == item).map(|i| i.item_type.get());
                if kind != Some(ItemType::ScheduledEvent) {
                    return Err(invalid("Scheduled events belong to SCHEDULED_EVENT items only"));
                }
                let current = templates::events_of(&tx, vec![item]).await?;
                ItemChange::Upsert(ItemInput {
                    id: Some(item.to_string()),
                    scheduled_events: Some(event_list(&current, event, input)?),
                    ..ItemInput::default()
                })
            }
            other => other,
        };
        let item_id = match change {
            ItemChange::Subitem { item, .. } | ItemChange::Event { item, .. } => item,
            ItemChange::Upsert(input) => {
                let existing = input.id.as_ref().and_then(|iid| items.iter().find(|i| i.id.to_string() == *iid));
                let own = match existing {
                    Some(e) => templates::subitems_of(&tx, vec![e.id]).await?,
                    None => Vec::new(),
                };
                let next_position = items.len();
                let ctx = ItemContext { template_id, frame, actor, now };
                let checked = check_item(&input, existing, &own, next_position, ctx)?;
                let id = checked.row.id;
                write_item(&tx, checked, existing.is_none(), &own).await?;
                id
            }
            ItemChange::Retire(item_id) => {
                if let Some(item) = items.iter().find(|i| i.id == item_id).cloned() {
                    templates::save_item(&tx, TemplateItemRow { is_active: false, updated_at: now, ..item }).await?;
                }
                item_id
            }
        };
        self.bump_template(&tx, actor, row, now, event_type, json!({ "item_id": item_id })).await?;
        let row = templates::find_item(&tx, item_id).await?.ok_or_else(|| not_found("Template item not found"))?;
        let subitems = templates::subitems_of(&tx, vec![item_id]).await?;
        let scheduled_events = templates::events_of(&tx, vec![item_id]).await?;
        commit(tx).await?;
        Ok(TemplateItemView { row, subitems, scheduled_events })
    }

    /// Adds, updates or removes one subitem of an item (its list is rewritten).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn change_template_subitem(
        &self,
        actor: &Actor,
        template_id: Uuid,
        item_id: Uuid,
        subitem_id: Option<Uuid>,
        input: Option<SubitemInput>,
    ) -> AppResult<TemplateItemView> {
        let event = if input.is_none() { "TEMPLATE_SUBITEM_DELETED" } else { "TEMPLATE_SUBITEM_CHANGED" };
        self.change_items(actor, template_id, event, |items| {
            if items.iter().any(|i| i.id == item_id) {
                Ok(ItemChange::Subitem { item: item_id, subitem: subitem_id, input })
            } else {
                Err(not_found("Template item not found"))
            }
        })
        .await
    }

    /// Adds (`event_id` None) or removes (`input` None) one scheduled event of a
    /// SCHEDULED_EVENT item; the item's event list is rewritten with the change.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn change_template_event(
        &self,
        actor: &Actor,
        template_id: Uuid,
        item_id: Uuid,
        event_id: Option<Uuid>,
        input: Option<EventInput>,
    ) -> AppResult<TemplateItemView> {
        self.change_items(actor, template_id, "TEMPLATE_ITEM_UPDATED", |items| {
            if items.iter().any(|i| i.id == item_id) {
                Ok(ItemChange::Event { item: item_id, event: event_id, input })
            } else {
                Err(not_found("Template item not found"))
            }
        })
        .await
    }
}

/// An item's subitem list with one subitem added, changed or removed.
pub(super) fn subitem_list(
    current: &[TemplateSubitemRow],
    subitem_id: Option<Uuid>,
    input: Option<SubitemInput>,
) -> AppResult<Vec<SubitemInput>> {
    if let Some(sid) = subitem_id
        && !current.iter().any(|s| s.id == sid)
    {
        return Err(not_found("Template subitem not found"));
    }
    let mut list: Vec<SubitemInput> = current
        .iter()
        .filter(|s| Some(s.id) != subitem_id || input.is_some())
        .map(|s| {
            let as_input = SubitemInput { id: Some(s.id.to_string()), ..SubitemInput::default() };
            match (&input, Some(s.id) == subitem_id) {
                (Some(patch), true) => SubitemInput { id: as_input.id, ..patch.clone() },
                _ => as_input,
            }
        })
        .collect();
    if subitem_id.is_none()
        && let Some(new) = input
    {
        list.push(SubitemInput { id: None, ..new });
    }
    Ok(list)
}

/// An item's scheduled events with one added or removed.
pub(super) fn event_list(
    current: &[TemplateEventRow],
    event_id: Option<Uuid>,
    input: Option<EventInput>,
) -> AppResult<Vec<EventInput>> {
    if let Some(eid) = event_id
        && !current.iter().any(|e| e.id == eid)
    {
        return Err(not_found("Scheduled event not found"));
    }
    let mut list: Vec<EventInput> = current
        .iter()
        .filter(|e| Some(e.id) != event_id)
        .map(|e| EventInput {
            id: Some(e.id.to_string()),
            event_datetime: Some(e.event_datetime.to_rfc3339()),
            notify_before_minutes: Some(e.notify_before_minutes),
            notify_roles: e.notify_roles.clone().and_then(|v| serde_json::from_value(v).ok()),
            notify_all: Some(e.notify_all),
        })
        .collect();
    if let Some(new) = input {
        list.push(new);
    }
    Ok(list)
}

pub(super) enum ItemChange {
    Upsert(ItemInput),
    Retire(Uuid),
    /// Add (`subitem` None), change or remove (`input` None) one subitem.
    Subitem {
        item: Uuid,
        subitem: Option<Uuid>,
        input: Option<SubitemInput>,
    },
    /// Add (`event` None) or remove (`input` None) one scheduled event.
    Event {
        item: Uuid,
        event: Option<Uuid>,
        input: Option<EventInput>,
    },
}

pub(super) fn first(mut views: Vec<TemplateView>) -> AppResult<TemplateView> {
    views.pop().ok_or_else(|| AppError::Internal("template view missing".into()))
}

/// Saves `row` as its next version, edited by `actor` at `now`, and records `event_type`
/// with `payload` (made from the saved row).
pub(super) async fn save_version(
    c: &impl Conn,
    (actor, now): (&Actor, DateTime<Utc>),
    mut row: TemplateRow,
    event_type: &'static str,
    payload: impl FnOnce(&TemplateRow) -> Value,
) -> AppResult<()> {
    row.version += 1;
    row.updated_at = now;
    row.updated_by = actor.recorded_id();
    let payload = payload(&row);
    let (id, section) = (row.id, row.section_id);
    templates::save_template(c, row).await?;
    let event =
        OpsEvent { event_type, entity_type: "TEMPLATE", entity_id: id.to_string(), section_id: Some(section), payload };
    record_ops(c, now, actor, event).await
}
