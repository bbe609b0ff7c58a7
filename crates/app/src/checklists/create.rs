//! Creating the one instance of a (section, date, shift): a snapshot of the template
//! with every scheduled time resolved in the business time zone. Concurrent creators
//! all receive the same instance.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;
use uuid::Uuid;

use sentinelops_domain::ids::new_id;
use sentinelops_domain::shift::ShiftType;
use sentinelops_store::repo::checklists::{self, InstanceEventRow, InstanceItemRow, InstanceRow, InstanceSubitemRow};
use sentinelops_store::repo::templates::{self, TemplateFilter, TemplateRow};
use sentinelops_store::{Conn, Tx};

use crate::App;
use crate::access::{can_use_section, own_section};
use crate::actor::Actor;
use crate::audit::{OpsEvent, record_ops};
use crate::error::{AppError, AppResult, invalid, not_found};
use crate::shifts::{parse_shift, window_of};
use crate::tx::commit;

/// Which checklist to find or start: a template, or a shift (and section) whose
/// active template is used; today's operational date unless a date is given.
#[derive(Debug, Clone, Default)]
pub struct CreateInstance {
    pub checklist_date: Option<NaiveDate>,
    pub shift: Option<String>,
    pub template_id: Option<Uuid>,
    pub section_id: Option<Uuid>,
}

/// The active template of a section and shift (the most recently edited one).
#[tracing::instrument(level = "debug", skip_all)]
pub(crate) async fn active_template(
    c: &impl Conn,
    section_id: Uuid,
    shift: ShiftType,
) -> AppResult<Option<TemplateRow>> {
    let filter =
        TemplateFilter { section_id: Some(section_id), shift: Some(shift.as_str().to_owned()), active_only: true };
    Ok(templates::list_templates(c, &filter).await?.into_iter().next())
}

impl App {
    /// Returns the instance of the slot, creating it from the template when missing.
    /// The second value says whether this call created it.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn create_instance(&self, actor: &Actor, input: CreateInstance) -> AppResult<(InstanceRow, bool)> {
        let reader = self.store.reader();
        let template = match input.template_id {
            Some(id) => {
                let template = self.readable_template(reader, actor, id).await?;
                if !template.is_active {
                    return Err(invalid("This template is deactivated; activate it to start checklists from it"));
                }
                template
            }
            None => {
                let shift = parse_shift(input.shift.as_deref().ok_or_else(|| invalid("shift is required"))?)?;
                let section = match (actor.is_admin(), input.section_id) {
                    (_, Some(s)) => s,
                    (true, None) => return Err(invalid("section_id is required for administrators")),
                    (false, None) => own_section(actor)?,
                };
                can_use_section(actor, section)?;
                active_template(reader, section, shift)
                    .await?
                    .ok_or_else(|| not_found(format!("No active {shift} template for this section")))?
            }
        };
        if let Some(shift) = &input.shift
            && parse_shift(shift)? != template.shift.get()
        {
            return Err(invalid(format!(
                "The template is for the {} shift, not {}",
                template.shift,
                shift.to_uppercase()
            )));
        }
        let date = match input.checklist_date {
            Some(d) => crate::validate::date("checklist_date", d)?,
            None => self.operational_today().await?.0,
        };
        self.ensure_instance(actor, &template, date).await
    }

    /// Finds or creates the instance of (template's section, date, template's shift).
    #[tracing::instrument(level = "debug", skip_all)]
    pub(crate) async fn ensure_instance(
        &self,
        actor: &Actor,
        template: &TemplateRow,
        date: NaiveDate,
    ) -> AppResult<(InstanceRow, bool)> {
        let shift = template.shift.get();
        if let Some(existing) = checklists::find_by_slot(self.store.reader(), template.section_id, date, shift).await? {
            return Ok((existing, false));
        }
        let tx = self.store.begin_write().await?;
        let now = self.clock.now();
        if let Some(existing) = checklists::find_by_slot(&tx, template.section_id, date, shift).await? {
            return Ok((existing, false));
        }
        let (row, created) = self.insert_snapshot(&tx, actor, template, shift, date, now).await?;
        commit(tx).await?;
        Ok((row, created))
    }

    /// The instance of a slot inside an open write transaction, created from the
    /// section's active template when missing (`None` when there is no template).
    #[tracing::instrument(level = "debug", skip_all)]
    pub(crate) async fn slot_instance_in(
        &self,
        c: &Tx,
        actor: &Actor,
        section_id: Uuid,
        shift: ShiftType,
        date: NaiveDate,
        now: DateTime<Utc>,
    ) -> AppResult<Option<InstanceRow>> {
        if let Some(existing) = checklists::find_by_slot(c, section_id, date, shift).await? {
            return Ok(Some(existing));
        }
        match active_template(c, section_id, shift).await? {
            Some(template) => Ok(Some(self.insert_snapshot(c, actor, &template, shift, date, now).await?.0)),
            None => Ok(None),
        }
    }

    /// Inserts the snapshot; when the slot was taken meanwhile, returns that instance
    /// instead (the second value says whether this call created it).
    #[tracing::instrument(level = "debug", skip_all)]
    pub(crate) async fn insert_snapshot(
        &self,
        c: &Tx,
        actor: &Actor,
        template: &TemplateRow,
        shift: ShiftType,
        date: NaiveDate,
        now: DateTime<Utc>,
    ) -> AppResult<(InstanceRow, bool)> {
        let tz = self.business_timezone_in(c).await?;
        let window = window_of(c, shift).await?;
        let row = InstanceRow {
            created_by: actor.recorded_id(),
            ..InstanceRow::open(new_id(), template, date, shift, window.bounds(date, tz), now)
        };
        if !checklists::insert_instance_if_free(c, row.clone()).await? {
            let existing = checklists::find_by_slot(c, template.section_id, date, shift)
                .await?
                .ok_or_else(|| AppError::Conflict("The checklist was being created concurrently; retry".into()))?;
            return Ok((existing, false));
        }
        let id = row.id;

        let items = templates::items_of(c, vec![template.id], true).await?;
        let item_ids: Vec<Uuid> = items.iter().map(|i| i.id).collect();
        let subitems = templates::subitems_of(c, item_ids.clone()).await?;
        let events = templates::events_of(c, item_ids).await?;
        let mut item_rows = Vec::with_capacity(items.len());
        let mut subitem_rows = Vec::new();
        let mut event_rows = Vec::new();
        for item in &items {
            let item_id = new_id();
            let scheduled_at = item.scheduled_time.map(|t| window.resolve(date, t, tz));
            item_rows.push(InstanceItemRow::pending(item_id, id, Some(item.id), item.fields(), scheduled_at, now));
            for s in subitems.iter().filter(|s| s.template_item_id == item.id) {
                let scheduled_at = s.scheduled_time.map(|t| window.resolve(date, t, tz));
                let snapshot =
                    InstanceSubitemRow::pending(new_id(), item_id, id, Some(s.id), s.fields(), scheduled_at, now);
                subitem_rows.push(snapshot);
            }
            for e in events.iter().filter(|e| e.template_item_id == item.id) {
                event_rows.push(InstanceEventRow {
                    id: new_id(),
                    instance_item_id: item_id,
                    instance_id: id,
                    template_event_id: Some(e.id),
                    event_datetime: e.event_datetime,
                    notify_before_minutes: e.notify_before_minutes,
                    remind_at: e.event_datetime - chrono::Duration::minutes(i64::from(e.notify_before_minutes)),
                    notify_all: e.notify_all,
                    notify_roles: e.notify_roles.clone(),
                    created_at: now,
                });
            }
        }
        let (item_count, subitem_count) = (item_rows.len(), subitem_rows.len());
        checklists::insert_items(c, item_rows).await?;
        checklists::insert_subitems(c, subitem_rows).await?;
        checklists::insert_events(c, event_rows).await?;
        // The people rostered for this section, date and shift work it from the start.
        self.add_rostered_participants(c, &row, now).await?;
        record_ops(
            c,
            now,
            actor,
            OpsEvent {
                event_type: "CHECKLIST_CREATED",
                entity_type: "CHECKLIST_INSTANCE",
                entity_id: id.to_string(),
                section_id: Some(template.section_id),
                payload: json!({
                    "instance_id": id, "checklist_date": date, "shift": shift.as_str(), "template_id": template.id,
                    "template_version": template.version, "items": item_count, "subitems": subitem_count,
                }),
            },
        )
        .await?;
        let payload = json!({ "shift": row.shift, "checklist_date": row.checklist_date });
        crate::live::checklist_event(c, now, &row, "INSTANCE_CREATED", actor, payload).await?;
        Ok((row, true))
    }
}
