//! The original's validation of template items, subitems and scheduled events.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde_json::json;
use uuid::Uuid;

use sentinelops_domain::checklist::ItemType;
use sentinelops_domain::ids::new_id;
use sentinelops_domain::shift::{ShiftType, ShiftWindow};
use sentinelops_store::Conn;
use sentinelops_store::repo::templates::{self, TemplateEventRow, TemplateItemRow, TemplateSubitemRow};

use super::*;
use crate::actor::Actor;
use crate::error::{AppResult, invalid};
use crate::shifts::{format_time, parse_time};
use crate::validate;

/// What validation needs to know about the template an item belongs to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Frame {
    pub shift: ShiftType,
    pub window: ShiftWindow,
    pub tz: Tz,
}

pub(super) fn check_severity(value: Option<i32>) -> AppResult<i32> {
    let severity = value.unwrap_or(1);
    if (1..=5).contains(&severity) { Ok(severity) } else { Err(invalid("severity must be between 1 and 5")) }
}

pub(super) fn check_lead(value: Option<i32>) -> AppResult<Option<i32>> {
    match value {
        Some(m) if !(0..=1440).contains(&m) => Err(invalid("notify_before_minutes must be between 0 and 1440")),
        other => Ok(other),
    }
}

pub(super) fn check_sort(value: Option<i32>, fallback: i32) -> AppResult<i32> {
    match value {
        Some(s) if s < 0 => Err(invalid("sort_order must be 0 or more")),
        Some(s) => Ok(s),
        None => Ok(fallback),
    }
}

pub(super) fn check_type(value: Option<&str>) -> AppResult<ItemType> {
    match value {
        None => Ok(ItemType::Routine),
        Some(t) => ItemType::parse(t).ok_or_else(|| {
            invalid("item_type must be one of ROUTINE, TIMED, SCHEDULED_EVENT, CONDITIONAL, INFORMATIONAL")
        }),
    }
}

/// A TIMED entry needs a time inside the shift window; other types keep none.
pub(super) fn check_schedule(
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

pub(super) fn parse_event_time(value: &str, tz: Tz) -> AppResult<DateTime<Utc>> {
    validate::instant("event_datetime", parse_event_instant(value, tz)?)
}

pub(super) fn parse_event_instant(value: &str, tz: Tz) -> AppResult<DateTime<Utc>> {
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
pub(super) struct CheckedItem {
    pub(super) row: TemplateItemRow,
    pub(super) subitems: Option<Vec<TemplateSubitemRow>>,
    pub(super) events: Option<Vec<TemplateEventRow>>,
}

pub(super) fn check_subitem(
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
        item_type: kind.into(),
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

pub(super) fn optional_text(field: &str, value: Option<&str>) -> AppResult<Option<String>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => Ok(Some(validate::text(field, v, 1, 5000)?)),
        None => Ok(None),
    }
}

/// Where an item being checked belongs, and who writes it when.
#[derive(Clone, Copy)]
pub(super) struct ItemContext<'a> {
    pub template_id: Uuid,
    pub frame: Frame,
    pub actor: &'a Actor,
    pub now: DateTime<Utc>,
}

/// Checks an item (merged with its current row when updating) at `index` in its template.
pub(super) fn check_item(
    input: &ItemInput,
    existing: Option<&TemplateItemRow>,
    existing_subitems: &[TemplateSubitemRow],
    index: usize,
    ctx: ItemContext<'_>,
) -> AppResult<CheckedItem> {
    let ItemContext { template_id, frame, actor, now } = ctx;
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
        item_type: kind.into(),
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
    let was_event_item = existing.is_some_and(|e| e.item_type == ItemType::ScheduledEvent);
    if kind == ItemType::ScheduledEvent && !was_event_item && event_count.is_none() {
        return Err(invalid(format!("{what} is a SCHEDULED_EVENT and needs at least one scheduled event")));
    }
    Ok(CheckedItem { row, subitems, events })
}

pub(super) fn merge_subitem(input: &SubitemInput, existing: Option<&TemplateSubitemRow>) -> SubitemInput {
    let Some(e) = existing else {
        return input.clone();
    };
    SubitemInput {
        id: input.id.clone(),
        title: input.title.clone().or_else(|| Some(e.title.clone())),
        description: input.description.clone().or_else(|| e.description.clone()),
        item_type: input.item_type.clone().or_else(|| Some(e.item_type.as_str().to_owned())),
        is_required: input.is_required.or(Some(e.is_required)),
        has_exe_time: input.has_exe_time.or(Some(e.has_exe_time)),
        scheduled_time: input.scheduled_time.clone().or_else(|| e.scheduled_time.map(format_time)),
        notify_before_minutes: input.notify_before_minutes.or(e.notify_before_minutes),
        severity: input.severity.or(Some(e.severity)),
        sort_order: input.sort_order.or(Some(e.sort_order)),
        ..SubitemInput::default()
    }
}

/// Writes a checked item and replaces its subitems/events where given.
pub(super) async fn write_item(
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
