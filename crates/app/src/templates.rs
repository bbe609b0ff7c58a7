//! Checklist templates: items, subitems and scheduled events, with the original's
//! validation. Every edit bumps the template's version; instances keep their own
//! snapshot, so history never changes.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use sentinelops_domain::checklist::ItemType;
use sentinelops_domain::ids::new_id;
use sentinelops_domain::shift::{ShiftType, ShiftWindow};
use sentinelops_store::Conn;
use sentinelops_store::repo::org;
use sentinelops_store::repo::templates::{
    self, TemplateEventRow, TemplateFilter, TemplateItemRow, TemplateRow, TemplateSubitemRow,
};

use crate::access::{can_supervise_section, can_use_section, own_section};
use crate::actor::Actor;
use crate::audit::{OpsEvent, record_ops};
use crate::auth::commit;
use crate::error::{AppError, AppResult, forbidden, invalid, not_found};
use crate::shifts::{format_time, parse_shift, parse_time, window_of};
use crate::{App, validate};

// ---------- inputs ----------

/// A template as sent by clients (create: `name` and `shift` required; update: all optional).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct TemplateInput {
    pub name: Option<String>,
    pub description: Option<String>,
    pub shift: Option<String>,
    pub is_active: Option<bool>,
    #[serde(default, deserialize_with = "crate::lenient::opt_uuid")]
    pub section_id: Option<Uuid>,
    pub items: Option<Vec<ItemInput>>,
}

/// An item; `id` names an existing item (anything that is not one of the template's
/// item ids is treated as new, so clients may send temporary ids).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ItemInput {
    #[serde(default, deserialize_with = "crate::lenient::opt_any_id")]
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
    #[serde(default, deserialize_with = "crate::lenient::opt_any_id")]
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
    #[serde(default, deserialize_with = "crate::lenient::opt_any_id")]
    pub id: Option<String>,
    /// RFC 3339, or a local date-time (`2026-11-25T10:00`) in the business time zone.
    pub event_datetime: Option<String>,
    pub notify_before_minutes: Option<i32>,
    pub notify_roles: Option<Vec<String>>,
    pub notify_all: Option<bool>,
}

// ---------- views ----------

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

fn subitem_view(s: TemplateSubitemRow) -> TemplateSubitemView {
    TemplateSubitemView {
        id: s.id,
        template_item_id: s.template_item_id,
        title: s.title,
        description: s.description,
        item_type: s.item_type,
        is_required: s.is_required,
        has_exe_time: s.has_exe_time,
        scheduled_time: s.scheduled_time.map(format_time),
        notify_before_minutes: s.notify_before_minutes,
        severity: s.severity,
        sort_order: s.sort_order,
        created_at: s.created_at,
    }
}

fn event_view(e: TemplateEventRow) -> TemplateEventView {
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

fn item_view(
    i: TemplateItemRow,
    subitems: Vec<TemplateSubitemView>,
    events: Vec<TemplateEventView>,
) -> TemplateItemView {
    TemplateItemView {
        id: i.id,
        template_id: i.template_id,
        title: i.title,
        description: i.description,
        item_type: i.item_type,
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
            shift: t.shift,
            is_active: t.is_active,
            version: t.version,
            created_by: t.created_by,
            created_at: t.created_at,
            updated_at: t.updated_at,
            section_id: t.section_id,
        })
        .collect())
}

// ---------- validation ----------

/// What validation needs to know about the template an item belongs to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Frame {
    pub shift: ShiftType,
    pub window: ShiftWindow,
    pub tz: Tz,
}

fn check_severity(value: Option<i32>) -> AppResult<i32> {
    let severity = value.unwrap_or(1);
    if (1..=5).contains(&severity) { Ok(severity) } else { Err(invalid("severity must be between 1 and 5")) }
}

fn check_lead(value: Option<i32>) -> AppResult<Option<i32>> {
    match value {
        Some(m) if !(0..=1440).contains(&m) => Err(invalid("notify_before_minutes must be between 0 and 1440")),
        other => Ok(other),
    }
}

fn check_sort(value: Option<i32>, fallback: i32) -> AppResult<i32> {
    match value {
        Some(s) if s < 0 => Err(invalid("sort_order must be 0 or more")),
        Some(s) => Ok(s),
        None => Ok(fallback),
    }
}

fn check_type(value: Option<&str>) -> AppResult<ItemType> {
    match value {
        None => Ok(ItemType::Routine),
        Some(t) => ItemType::parse(t).ok_or_else(|| {
            invalid("item_type must be one of ROUTINE, TIMED, SCHEDULED_EVENT, CONDITIONAL, INFORMATIONAL")
        }),
    }
}

/// A TIMED entry needs a time inside the shift window; other types keep none.
fn check_schedule(
    what: &str,
    kind: ItemType,
    time: Option<&str>,
    lead: Option<i32>,
    frame: Frame,
) -> AppResult<(Option<NaiveTime>, Option<i32>)> {
    if kind != ItemType::Timed {
        return Ok((None, None));
    }
    let Some(time) = time.filter(|t| !t.trim().is_empty()) else {
        return Err(invalid(format!("{what} is TIMED and needs a scheduled_time")));
    };
    let time = parse_time("scheduled_time", time)?;
    if !frame.window.contains(time) {
        return Err(invalid(format!(
            "{what} is scheduled at {} which is outside the {} shift window ({}–{})",
            time.format("%H:%M"),
            frame.shift,
            frame.window.start.format("%H:%M"),
            frame.window.end.format("%H:%M"),
        )));
    }
    Ok((Some(time), check_lead(lead)?))
}

fn parse_event_time(value: &str, tz: Tz) -> AppResult<DateTime<Utc>> {
    validate::instant("event_datetime", parse_event_instant(value, tz)?)
}

fn parse_event_instant(value: &str, tz: Tz) -> AppResult<DateTime<Utc>> {
    let v = value.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Ok(t.with_timezone(&Utc));
    }
    let naive = NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M"))
        .or_else(|_| NaiveDateTime::parse_from_str(v, "%Y-%m-%d %H:%M"))
        .map_err(|_| invalid("event_datetime must be a date and time, e.g. 2026-11-25T10:00"))?;
    Ok(tz
        .from_local_datetime(&naive)
        .earliest()
        .map_or_else(|| Utc.from_utc_datetime(&naive), |t| t.with_timezone(&Utc)))
}

/// A checked item with its checked subitems and events (ids resolved by the caller).
struct CheckedItem {
    row: TemplateItemRow,
    subitems: Option<Vec<TemplateSubitemRow>>,
    events: Option<Vec<TemplateEventRow>>,
}

fn check_subitem(
    input: &SubitemInput,
    id: Uuid,
    item_id: Uuid,
    index: usize,
    frame: Frame,
    created_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> AppResult<TemplateSubitemRow> {
    let title = validate::text("subitem title", input.title.as_deref().unwrap_or(""), 1, 500)?;
    let kind = check_type(input.item_type.as_deref())?;
    let what = format!("Subitem {title:?}");
    let (time, lead) =
        check_schedule(&what, kind, input.scheduled_time.as_deref(), input.notify_before_minutes, frame)?;
    let position = i32::try_from(index).unwrap_or(i32::MAX).saturating_add(1).saturating_mul(100);
    Ok(TemplateSubitemRow {
        id,
        template_item_id: item_id,
        title,
        description: optional_text("subitem description", input.description.as_deref())?,
        item_type: kind.as_str().to_owned(),
        is_required: input.is_required.unwrap_or(true),
        has_exe_time: input.has_exe_time.unwrap_or(false),
        severity: check_severity(input.severity)?,
        sort_order: check_sort(input.sort_order, position)?,
        scheduled_time: time,
        notify_before_minutes: lead,
        created_at,
        updated_at: now,
    })
}

fn optional_text(field: &str, value: Option<&str>) -> AppResult<Option<String>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => Ok(Some(validate::text(field, v, 1, 5000)?)),
        None => Ok(None),
    }
}

/// Checks an item (merged with its current row when updating).
#[allow(clippy::too_many_arguments)]
fn check_item(
    input: &ItemInput,
    existing: Option<&TemplateItemRow>,
    existing_subitems: &[TemplateSubitemRow],
    template_id: Uuid,
    index: usize,
    frame: Frame,
    actor: &Actor,
    now: DateTime<Utc>,
) -> AppResult<CheckedItem> {
    let id = existing.map_or_else(new_id, |e| e.id);
    let title = input.title.clone().or_else(|| existing.map(|e| e.title.clone())).unwrap_or_default();
    let title = validate::text("title", &title, 1, 500)?;
    let kind = check_type(input.item_type.as_deref().or(existing.map(|e| e.item_type.as_str())))?;
    let what = format!("Item {title:?}");
    let time = input.scheduled_time.clone().or_else(|| existing.and_then(|e| e.scheduled_time.map(format_time)));
    let lead = input.notify_before_minutes.or(existing.and_then(|e| e.notify_before_minutes));
    let (scheduled_time, notify_before_minutes) = check_schedule(&what, kind, time.as_deref(), lead, frame)?;
    let description = match &input.description {
        Some(d) => optional_text("description", Some(d))?,
        None => existing.and_then(|e| e.description.clone()),
    };
    let position = i32::try_from(index).unwrap_or(i32::MAX).saturating_add(1).saturating_mul(100);
    let row = TemplateItemRow {
        id,
        template_id,
        title,
        description,
        item_type: kind.as_str().to_owned(),
        is_required: input.is_required.or(existing.map(|e| e.is_required)).unwrap_or(true),
        has_exe_time: input.has_exe_time.or(existing.map(|e| e.has_exe_time)).unwrap_or(false),
        severity: check_severity(input.severity.or(existing.map(|e| e.severity)))?,
        sort_order: check_sort(input.sort_order.or(existing.map(|e| e.sort_order)), position)?,
        scheduled_time,
        notify_before_minutes,
        is_active: true,
        created_at: existing.map_or(now, |e| e.created_at),
        updated_at: now,
    };
    let subitems = match &input.subitems {
        Some(list) => {
            let known: HashMap<String, &TemplateSubitemRow> =
                existing_subitems.iter().map(|s| (s.id.to_string(), s)).collect();
            let mut rows = Vec::with_capacity(list.len());
            for (i, s) in list.iter().enumerate() {
                let found = s.id.as_ref().and_then(|sid| known.get(sid)).copied();
                let merged = merge_subitem(s, found);
                rows.push(check_subitem(
                    &merged,
                    found.map_or_else(new_id, |f| f.id),
                    id,
                    i,
                    frame,
                    found.map_or(now, |f| f.created_at),
                    now,
                )?);
            }
            Some(rows)
        }
        None => None,
    };
    let events = match (&input.scheduled_events, kind) {
        (_, k) if k != ItemType::ScheduledEvent => Some(Vec::new()),
        (Some(list), _) => {
            let mut rows = Vec::with_capacity(list.len());
            for e in list {
                let when = e
                    .event_datetime
                    .as_deref()
                    .ok_or_else(|| invalid(format!("{what}: every scheduled event needs an event_datetime")))?;
                rows.push(TemplateEventRow {
                    // A known id keeps naming the same event; `write_item` replaces unknown ones.
                    id: e.id.as_deref().and_then(|i| i.parse().ok()).unwrap_or_else(new_id),
                    template_item_id: id,
                    event_datetime: parse_event_time(when, frame.tz)?,
                    notify_before_minutes: check_lead(Some(e.notify_before_minutes.unwrap_or(30)))?.unwrap_or(30),
                    notify_roles: e.notify_roles.as_ref().map(|r| json!(r)),
                    notify_all: e.notify_all.unwrap_or(false),
                    created_by: actor.recorded_id(),
                    created_at: now,
                });
            }
            Some(rows)
        }
        (None, _) => None,
    };
    let event_count = events.as_ref().map(Vec::len);
    if kind == ItemType::ScheduledEvent && event_count == Some(0) {
        return Err(invalid(format!("{what} is a SCHEDULED_EVENT and needs at least one scheduled event")));
    }
    let was_event_item = existing.is_some_and(|e| e.item_type == ItemType::ScheduledEvent.as_str());
    if kind == ItemType::ScheduledEvent && !was_event_item && event_count.is_none() {
        return Err(invalid(format!("{what} is a SCHEDULED_EVENT and needs at least one scheduled event")));
    }
    Ok(CheckedItem { row, subitems, events })
}

fn merge_subitem(input: &SubitemInput, existing: Option<&TemplateSubitemRow>) -> SubitemInput {
    let Some(e) = existing else {
        return input.clone();
    };
    SubitemInput {
        id: input.id.clone(),
        title: input.title.clone().or_else(|| Some(e.title.clone())),
        description: input.description.clone().or_else(|| e.description.clone()),
        item_type: input.item_type.clone().or_else(|| Some(e.item_type.clone())),
        is_required: input.is_required.or(Some(e.is_required)),
        has_exe_time: input.has_exe_time.or(Some(e.has_exe_time)),
        scheduled_time: input.scheduled_time.clone().or_else(|| e.scheduled_time.map(format_time)),
        notify_before_minutes: input.notify_before_minutes.or(e.notify_before_minutes),
        severity: input.severity.or(Some(e.severity)),
        sort_order: input.sort_order.or(Some(e.sort_order)),
    }
}

/// Writes a checked item and replaces its subitems/events where given.
async fn write_item(
    c: &impl Conn,
    checked: CheckedItem,
    is_new: bool,
    current_subitems: &[TemplateSubitemRow],
) -> AppResult<()> {
    let item_id = checked.row.id;
    if is_new {
        templates::insert_items(c, vec![checked.row]).await?;
    } else {
        templates::save_item(c, checked.row).await?;
    }
    if let Some(subitems) = checked.subitems {
        let keep: Vec<Uuid> = subitems.iter().map(|s| s.id).collect();
        let gone: Vec<Uuid> = current_subitems.iter().map(|s| s.id).filter(|id| !keep.contains(id)).collect();
        templates::delete_subitems(c, gone).await?;
        let (old, new): (Vec<_>, Vec<_>) =
            subitems.into_iter().partition(|s| current_subitems.iter().any(|c| c.id == s.id));
        for s in old {
            templates::save_subitem(c, s).await?;
        }
        templates::insert_subitems(c, new).await?;
    }
    if let Some(events) = checked.events {
        let current: Vec<Uuid> = templates::events_of(c, vec![item_id]).await?.into_iter().map(|e| e.id).collect();
        let keep: Vec<Uuid> = events.iter().map(|e| e.id).filter(|id| current.contains(id)).collect();
        templates::delete_events(c, current.iter().copied().filter(|id| !keep.contains(id)).collect()).await?;
        let (kept, new): (Vec<_>, Vec<_>) = events.into_iter().partition(|e| keep.contains(&e.id));
        for e in kept {
            templates::save_event(c, e).await?;
        }
        let fresh = new.into_iter().map(|e| TemplateEventRow { id: new_id(), ..e }).collect();
        templates::insert_events(c, fresh).await?;
    }
    Ok(())
}

// ---------- use cases ----------

/// A template change's message and view, as the original answered.
#[derive(Debug, Clone, Serialize)]
pub struct TemplateChange {
    pub id: Uuid,
    pub action: &'static str,
    pub template: TemplateView,
    pub message: String,
}

impl App {
    async fn frame(&self, c: &impl Conn, shift: ShiftType) -> AppResult<Frame> {
        Ok(Frame { shift, window: window_of(c, shift).await?, tz: self.business_timezone_in(c).await? })
    }

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
    pub(crate) async fn readable_template(&self, c: &impl Conn, actor: &Actor, id: Uuid) -> AppResult<TemplateRow> {
        let row = templates::find_template(c, id).await?.ok_or_else(|| not_found("Template not found"))?;
        can_use_section(actor, row.section_id)?;
        Ok(row)
    }

    /// A template row the actor may change (admins; managers of its section).
    async fn editable_template(&self, c: &impl Conn, actor: &Actor, id: Uuid) -> AppResult<TemplateRow> {
        let row = templates::find_template_for_update(c, id).await?.ok_or_else(|| not_found("Template not found"))?;
        can_use_section(actor, row.section_id)?;
        can_supervise_section(actor, row.section_id)?;
        Ok(row)
    }

    pub async fn get_template(&self, actor: &Actor, id: Uuid) -> AppResult<TemplateView> {
        let reader = self.store.reader();
        let row = self.readable_template(reader, actor, id).await?;
        first(template_views(reader, vec![row]).await?)
    }

    async fn view_in(&self, c: &impl Conn, id: Uuid) -> AppResult<TemplateView> {
        let row = templates::find_template(c, id).await?.ok_or_else(|| not_found("Template not found"))?;
        first(template_views(c, vec![row]).await?)
    }

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
        let change = self.create_template_in(&tx, actor, section_id, shift, name, input, now).await?;
        commit(tx).await?;
        Ok(change)
    }

    /// Creates a template inside the caller's transaction (also used by the importer).
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn create_template_in(
        &self,
        tx: &impl Conn,
        actor: &Actor,
        section_id: Uuid,
        shift: ShiftType,
        name: String,
        input: TemplateInput,
        now: DateTime<Utc>,
    ) -> AppResult<TemplateChange> {
        if org::find_section(tx, section_id).await?.is_none() {
            return Err(invalid("section_id does not exist"));
        }
        let frame = self.frame(tx, shift).await?;
        let id = new_id();
        let mut checked = Vec::new();
        for (i, item) in input.items.unwrap_or_default().iter().enumerate() {
            let mut item = item.clone();
            item.id = None;
            checked.push(check_item(&item, None, &[], id, i, frame, actor, now)?);
        }
        let count = checked.len();
        templates::insert_template(
            tx,
            TemplateRow {
                id,
                name: name.clone(),
                description: optional_text("description", input.description.as_deref())?,
                shift: shift.as_str().to_owned(),
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
            row.shift = parse_shift(shift)?.as_str().to_owned();
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
        let shift = parse_shift(&row.shift)?;
        let frame = self.frame(&tx, shift).await?;
        if let Some(items) = &input.items {
            let current = templates::items_of(&tx, vec![id], true).await?;
            let current_subitems = templates::subitems_of(&tx, current.iter().map(|i| i.id).collect()).await?;
            let mut kept = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let existing = item.id.as_ref().and_then(|iid| current.iter().find(|c| c.id.to_string() == *iid));
                let own_subitems: Vec<TemplateSubitemRow> = existing
                    .map(|e| current_subitems.iter().filter(|s| s.template_item_id == e.id).cloned().collect())
                    .unwrap_or_default();
                let checked = check_item(item, existing, &own_subitems, id, i, frame, actor, now)?;
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
        row.version += 1;
        row.updated_at = now;
        row.updated_by = actor.recorded_id();
        let name = row.name.clone();
        let section = row.section_id;
        let version = row.version;
        templates::save_template(&tx, row).await?;
        record_ops(
            &tx,
            now,
            actor,
            OpsEvent {
                event_type: "TEMPLATE_UPDATED",
                entity_type: "TEMPLATE",
                entity_id: id.to_string(),
                section_id: Some(section),
                payload: json!({ "template_id": id, "name": name, "version": version }),
            },
        )
        .await?;
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
    pub async fn delete_template(&self, actor: &Actor, id: Uuid) -> AppResult<String> {
        let tx = self.store.begin_write().await?;
        let mut row = self.editable_template(&tx, actor, id).await?;
        let now = self.clock.now();
        let name = row.name.clone();
        let section = row.section_id;
        row.is_active = false;
        row.version += 1;
        row.updated_at = now;
        row.updated_by = actor.recorded_id();
        templates::save_template(&tx, row).await?;
        record_ops(
            &tx,
            now,
            actor,
            OpsEvent {
                event_type: "TEMPLATE_DELETED",
                entity_type: "TEMPLATE",
                entity_id: id.to_string(),
                section_id: Some(section),
                payload: json!({ "template_id": id, "name": name }),
            },
        )
        .await?;
        commit(tx).await?;
        Ok(format!("Template '{name}' deleted successfully"))
    }

    /// Adds one item (with subitems and events) to a template.
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

    async fn bump_template(
        &self,
        c: &impl Conn,
        actor: &Actor,
        mut row: TemplateRow,
        now: DateTime<Utc>,
        event_type: &'static str,
        detail: Value,
    ) -> AppResult<()> {
        row.version += 1;
        row.updated_at = now;
        row.updated_by = actor.recorded_id();
        let payload = json!({ "template_id": row.id, "name": row.name, "version": row.version, "detail": detail });
        let (id, section) = (row.id, row.section_id);
        templates::save_template(c, row).await?;
        record_ops(
            c,
            now,
            actor,
            OpsEvent {
                event_type,
                entity_type: "TEMPLATE",
                entity_id: id.to_string(),
                section_id: Some(section),
                payload,
            },
        )
        .await
    }

    async fn change_items(
        &self,
        actor: &Actor,
        template_id: Uuid,
        event_type: &'static str,
        decide: impl FnOnce(&[TemplateItemRow]) -> AppResult<ItemChange>,
    ) -> AppResult<TemplateItemView> {
        let tx = self.store.begin_write().await?;
        let row = self.editable_template(&tx, actor, template_id).await?;
        let now = self.clock.now();
        let frame = self.frame(&tx, parse_shift(&row.shift)?).await?;
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
                let kind = items.iter().find(|i| i.id == item).map(|i| i.item_type.clone()).unwrap_or_default();
                if kind != ItemType::ScheduledEvent.as_str() {
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
                let checked = check_item(&input, existing, &own, template_id, next_position, frame, actor, now)?;
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
        let item = templates::find_item(&tx, item_id).await?.ok_or_else(|| not_found("Template item not found"))?;
        let subitems = templates::subitems_of(&tx, vec![item_id]).await?.into_iter().map(subitem_view).collect();
        let events = templates::events_of(&tx, vec![item_id]).await?.into_iter().map(event_view).collect();
        commit(tx).await?;
        Ok(item_view(item, subitems, events))
    }

    /// Adds, updates or removes one subitem of an item (its list is rewritten).
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
fn subitem_list(
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
fn event_list(
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

enum ItemChange {
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

fn first(mut views: Vec<TemplateView>) -> AppResult<TemplateView> {
    views.pop().ok_or_else(|| AppError::Internal("template view missing".into()))
}
