//! Template use cases: list, read, create, update, delete.

use chrono::{DateTime, Utc};
use serde_json::json;
use uuid::Uuid;

use sentinelops_domain::ids::new_id;
use sentinelops_domain::shift::ShiftType;
use sentinelops_store::Conn;
use sentinelops_store::repo::org;
use sentinelops_store::repo::templates::{self, TemplateFilter, TemplateItemRow, TemplateRow, TemplateSubitemRow};

use super::items::save_version;
use super::*;
use crate::access::{can_supervise_section, can_use_section, own_section};
use crate::actor::Actor;
use crate::audit::{OpsEvent, record_ops};
use crate::error::{AppResult, forbidden, invalid, not_found};
use crate::shifts::{parse_shift, window_of};
use crate::tx::commit;
use crate::{App, validate};

/// A template change: what happened, the template as it is now, and the message.
#[derive(Debug, Clone)]
pub struct TemplateChange {
    pub id: Uuid,
    pub action: &'static str,
    pub template: TemplateView,
    pub message: String,
}

/// Where a new template goes: its section and shift, under its (checked) name.
pub(crate) struct TemplateSlot {
    pub section_id: Uuid,
    pub shift: ShiftType,
    pub name: String,
}

impl App {
    pub(super) async fn frame(&self, c: &impl Conn, shift: ShiftType) -> AppResult<Frame> {
        Ok(Frame { shift, window: window_of(c, shift).await?, tz: self.business_timezone_in(c).await? })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn list_templates(
        &self,
        actor: &Actor,
        shift: Option<&str>,
        active_only: bool,
        section_id: Option<Uuid>,
    ) -> AppResult<Vec<TemplateView>> {
        let section = if actor.is_admin() {
            section_id
        } else {
            match actor.section_id {
                Some(own) => Some(own),
                None => return Ok(Vec::new()),
            }
        };
        let shift = shift.map(parse_shift).transpose()?;
        let filter = TemplateFilter { section_id: section, shift: shift.map(|s| s.as_str().to_owned()), active_only };
        let reader = self.store.reader();
        template_views(reader, templates::list_templates(reader, &filter).await?).await
    }

    /// A template row the actor may read.
    #[tracing::instrument(level = "debug", skip_all)]
    pub(crate) async fn readable_template(&self, c: &impl Conn, actor: &Actor, id: Uuid) -> AppResult<TemplateRow> {
        let row = templates::find_template(c, id).await?.ok_or_else(|| not_found("Template not found"))?;
        can_use_section(actor, row.section_id)?;
        Ok(row)
    }

    /// A template row the actor may change (admins; managers of its section).
    pub(super) async fn editable_template(&self, c: &impl Conn, actor: &Actor, id: Uuid) -> AppResult<TemplateRow> {
        let row = templates::find_template_for_update(c, id).await?.ok_or_else(|| not_found("Template not found"))?;
        can_use_section(actor, row.section_id)?;
        can_supervise_section(actor, row.section_id)?;
        Ok(row)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn get_template(&self, actor: &Actor, id: Uuid) -> AppResult<TemplateView> {
        let reader = self.store.reader();
        let row = self.readable_template(reader, actor, id).await?;
        first(template_views(reader, vec![row]).await?)
    }

    pub(super) async fn view_in(&self, c: &impl Conn, id: Uuid) -> AppResult<TemplateView> {
        let row = templates::find_template(c, id).await?.ok_or_else(|| not_found("Template not found"))?;
        first(template_views(c, vec![row]).await?)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn create_template(&self, actor: &Actor, input: TemplateInput) -> AppResult<TemplateChange> {
        if !actor.role.is_supervisor() {
            return Err(forbidden("Only managers and administrators can manage templates"));
        }
        let name = validate::text("name", input.name.as_deref().unwrap_or(""), 1, 200)?;
        let shift = parse_shift(input.shift.as_deref().ok_or_else(|| invalid("shift is required"))?)?;
        let section_id = match (actor.is_admin(), input.section_id) {
            (true, Some(s)) => s,
            (true, None) => return Err(invalid("section_id is required")),
            (false, _) => own_section(actor)?,
        };
        let tx = self.store.begin_write().await?;
        let now = self.clock.now();
        let slot = TemplateSlot { section_id, shift, name };
        let change = self.create_template_in(&tx, actor, slot, input, now).await?;
        commit(tx).await?;
        Ok(change)
    }

    /// Creates a template inside the caller's transaction (also used by the importer).
    #[tracing::instrument(level = "debug", skip_all)]
    pub(crate) async fn create_template_in(
        &self,
        tx: &impl Conn,
        actor: &Actor,
        slot: TemplateSlot,
        input: TemplateInput,
        now: DateTime<Utc>,
    ) -> AppResult<TemplateChange> {
        let TemplateSlot { section_id, shift, name } = slot;
        if org::find_section(tx, section_id).await?.is_none() {
            return Err(invalid("section_id does not exist"));
        }
        let frame = self.frame(tx, shift).await?;
        let id = new_id();
        let ctx = ItemContext { template_id: id, frame, actor, now };
        let mut checked = Vec::new();
        for (i, item) in input.items.unwrap_or_default().iter().enumerate() {
            let mut item = item.clone();
            item.id = None;
            checked.push(check_item(&item, None, &[], i, ctx)?);
        }
        let count = checked.len();
        templates::insert_template(
            tx,
            TemplateRow {
                id,
                name: name.clone(),
                description: optional_text("description", input.description.as_deref())?,
                shift: shift.into(),
                section_id,
                is_active: input.is_active.unwrap_or(true),
                version: 1,
                created_by: actor.recorded_id(),
                created_at: now,
                updated_by: actor.recorded_id(),
                updated_at: now,
            },
        )
        .await?;
        for item in checked {
            write_item(tx, item, true, &[]).await?;
        }
        record_ops(
            tx,
            now,
            actor,
            OpsEvent {
                event_type: "TEMPLATE_CREATED",
                entity_type: "TEMPLATE",
                entity_id: id.to_string(),
                section_id: Some(section_id),
                payload: json!({ "template_id": id, "name": name, "shift": shift.as_str(), "items": count }),
            },
        )
        .await?;
        let template = self.view_in(tx, id).await?;
        Ok(TemplateChange {
            id,
            action: "created",
            message: format!("Template '{name}' created successfully with {count} items"),
            template,
        })
    }

    /// Partial update. With `items`, the list is complete: listed items with a known id
    /// are updated, the others created, and unlisted ones retired (soft-deleted).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn update_template(&self, actor: &Actor, id: Uuid, input: TemplateInput) -> AppResult<TemplateChange> {
        let tx = self.store.begin_write().await?;
        let mut row = self.editable_template(&tx, actor, id).await?;
        let now = self.clock.now();
        if let Some(name) = &input.name {
            row.name = validate::text("name", name, 1, 200)?;
        }
        if let Some(d) = &input.description {
            row.description = optional_text("description", Some(d))?;
        }
        if let Some(shift) = &input.shift {
            row.shift = parse_shift(shift)?.into();
        }
        if let Some(active) = input.is_active {
            row.is_active = active;
        }
        if let Some(section) = input.section_id.filter(|s| *s != row.section_id) {
            if !actor.is_admin() {
                return Err(forbidden("Only administrators can move a template to another section"));
            }
            if org::find_section(&tx, section).await?.is_none() {
                return Err(invalid("section_id does not exist"));
            }
            row.section_id = section;
        }
        let shift = row.shift.get();
        let frame = self.frame(&tx, shift).await?;
        let ctx = ItemContext { template_id: id, frame, actor, now };
        if let Some(items) = &input.items {
            let current = templates::items_of(&tx, vec![id], true).await?;
            let current_subitems = templates::subitems_of(&tx, current.iter().map(|i| i.id).collect()).await?;
            let mut kept = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let existing = item.id.as_ref().and_then(|iid| current.iter().find(|c| c.id.to_string() == *iid));
                let own_subitems: Vec<TemplateSubitemRow> = existing
                    .map(|e| current_subitems.iter().filter(|s| s.template_item_id == e.id).cloned().collect())
                    .unwrap_or_default();
                let checked = check_item(item, existing, &own_subitems, i, ctx)?;
                kept.push(checked.row.id);
                write_item(&tx, checked, existing.is_none(), &own_subitems).await?;
            }
            for retired in current.into_iter().filter(|c| !kept.contains(&c.id)) {
                templates::save_item(&tx, TemplateItemRow { is_active: false, updated_at: now, ..retired }).await?;
            }
        }
        // Every item kept, listed or not, must still fit the (possibly new) shift window.
        let current = templates::items_of(&tx, vec![id], true).await?;
        let current_subitems = templates::subitems_of(&tx, current.iter().map(|i| i.id).collect()).await?;
        let times = current
            .iter()
            .map(|i| (i.title.as_str(), i.scheduled_time))
            .chain(current_subitems.iter().map(|s| (s.title.as_str(), s.scheduled_time)));
        for (title, time) in times {
            if let Some(t) = time.filter(|t| !frame.window.contains(*t)) {
                return Err(invalid(format!(
                    "{title:?} is scheduled at {} which is outside the {} shift window",
                    t.format("%H:%M"),
                    frame.shift
                )));
            }
        }
        let name = row.name.clone();
        let payload = |row: &TemplateRow| json!({ "template_id": id, "name": row.name, "version": row.version });
        save_version(&tx, (actor, now), row, "TEMPLATE_UPDATED", payload).await?;
        let template = self.view_in(&tx, id).await?;
        commit(tx).await?;
        Ok(TemplateChange {
            id,
            action: "updated",
            message: format!("Template '{name}' updated successfully"),
            template,
        })
    }

    /// Soft delete: the template is deactivated; instances made from it keep working.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn delete_template(&self, actor: &Actor, id: Uuid) -> AppResult<String> {
        let tx = self.store.begin_write().await?;
        let mut row = self.editable_template(&tx, actor, id).await?;
        let now = self.clock.now();
        let name = row.name.clone();
        row.is_active = false;
        let payload = |row: &TemplateRow| json!({ "template_id": id, "name": row.name });
        save_version(&tx, (actor, now), row, "TEMPLATE_DELETED", payload).await?;
        commit(tx).await?;
        Ok(format!("Template '{name}' deleted successfully"))
    }
}
