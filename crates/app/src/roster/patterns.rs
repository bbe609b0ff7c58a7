//! Shift patterns: a section's weekly templates of shifts and off days, which bulk
//! assignment gives to people. Managers keep their section's; admins any.

use std::collections::HashMap;

use serde_json::json;
use uuid::Uuid;

use sentinelops_domain::ids::new_id;
use sentinelops_domain::roster::DAY_NAMES;
use sentinelops_store::repo::roster::{self as repo, PatternDayRow, PatternRow};
use sentinelops_store::repo::shifts::{self, ShiftRow};

use crate::access::{can_supervise_section, can_use_section, own_section};
use crate::actor::Actor;
use crate::audit::{OpsEvent, record_ops};
use crate::error::{AppError, AppResult, invalid, not_found};
use crate::tx::commit;
use crate::{App, validate};

pub const PATTERN_TYPES: [&str; 3] = ["FIXED", "ROTATING", "CUSTOM"];

/// One day of a pattern as sent: 0 = Sunday … 6 = Saturday.
#[derive(Debug, Clone, Default)]
pub struct PatternDayInput {
    pub day_of_week: i64,
    pub shift_id: Option<i32>,
    pub is_off_day: bool,
}

/// A new pattern, or a change to one (absent fields keep their value; the seven days
/// are replaced as a whole).
#[derive(Debug, Clone, Default)]
pub struct PatternInput {
    pub name: Option<String>,
    pub description: Option<String>,
    pub pattern_type: Option<String>,
    /// Admins name the section of a new pattern; others create in their own.
    pub section_id: Option<Uuid>,
    pub schedule_days: Option<Vec<PatternDayInput>>,
    pub metadata: Option<serde_json::Value>,
}

/// A pattern with its days and the shifts they name.
#[derive(Debug, Clone)]
pub struct PatternView {
    pub row: PatternRow,
    /// Sunday first; `None` where a working day's shift no longer exists.
    pub days: Vec<(&'static str, PatternDayRow, Option<ShiftRow>)>,
}

impl App {
    /// The patterns of a section: admins choose one (or all), others get their own.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn list_patterns(&self, actor: &Actor, section_id: Option<Uuid>) -> AppResult<Vec<PatternRow>> {
        let section = if actor.is_admin() { section_id } else { Some(own_section(actor)?) };
        Ok(repo::patterns(self.store.reader(), section).await?)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn pattern(&self, actor: &Actor, id: Uuid) -> AppResult<PatternView> {
        let c = self.store.reader();
        let row = repo::find_pattern(c, id).await?.ok_or_else(|| not_found("Pattern not found"))?;
        can_use_section(actor, row.section_id)?;
        let days = repo::pattern_days(c, vec![id]).await?;
        let shifts: HashMap<i32, ShiftRow> = shifts::list(c).await?.into_iter().map(|s| (s.id, s)).collect();
        let days = days
            .into_iter()
            .filter_map(|d| {
                let name = usize::try_from(d.day_of_week).ok().and_then(|i| DAY_NAMES.get(i))?;
                let shift = d.shift_id.and_then(|id| shifts.get(&id).cloned());
                Some((*name, d, shift))
            })
            .collect();
        Ok(PatternView { row, days })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn create_pattern(&self, actor: &Actor, input: PatternInput) -> AppResult<PatternRow> {
        let section_id = if actor.is_admin() {
            input.section_id.ok_or_else(|| invalid("section_id is required"))?
        } else {
            own_section(actor)?
        };
        can_supervise_section(actor, section_id)?;
        let name = validate::text("name", input.name.as_deref().unwrap_or_default(), 1, 200)?;
        let days_input = input.schedule_days.ok_or_else(|| invalid("schedule_days must list the 7 days"))?;
        let tx = self.store.begin_write().await?;
        let id = new_id();
        let days = checked_days(&tx, id, &days_input).await?;
        let now = self.clock.now();
        let row = PatternRow {
            id,
            section_id,
            name,
            description: description(input.description.as_deref())?,
            pattern_type: pattern_type(input.pattern_type.as_deref())?,
            metadata: input.metadata.unwrap_or_else(|| json!({})),
            created_by: actor.recorded_id(),
            created_at: now,
            updated_at: now,
        };
        repo::insert_pattern(&tx, row.clone(), days).await?;
        record_ops(&tx, now, actor, pattern_event("SHIFT_PATTERN_CREATED", &row)).await?;
        commit(tx).await?;
        Ok(row)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn update_pattern(&self, actor: &Actor, id: Uuid, input: PatternInput) -> AppResult<PatternRow> {
        let tx = self.store.begin_write().await?;
        let mut row = repo::find_pattern(&tx, id).await?.ok_or_else(|| not_found("Pattern not found"))?;
        can_supervise_section(actor, row.section_id)?;
        if let Some(name) = input.name.as_deref() {
            row.name = validate::text("name", name, 1, 200)?;
        }
        if input.description.is_some() {
            row.description = description(input.description.as_deref())?;
        }
        if input.pattern_type.is_some() {
            row.pattern_type = pattern_type(input.pattern_type.as_deref())?;
        }
        if let Some(metadata) = input.metadata {
            row.metadata = metadata;
        }
        let days = match &input.schedule_days {
            Some(days) => Some(checked_days(&tx, id, days).await?),
            None => None,
        };
        let now = self.clock.now();
        row.updated_at = now;
        repo::save_pattern(&tx, row.clone(), days).await?;
        record_ops(&tx, now, actor, pattern_event("SHIFT_PATTERN_UPDATED", &row)).await?;
        // Assignments read the pattern when asked, so today's and later days follow it.
        self.roster_to_participants(&tx, row.section_id, self.operational_today_in(&tx).await?.0, None).await?;
        commit(tx).await?;
        Ok(row)
    }

    /// Deletes a pattern and the assignments that give it (the days they covered
    /// become unscheduled; single scheduled shifts stay).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn delete_pattern(&self, actor: &Actor, id: Uuid) -> AppResult<()> {
        let tx = self.store.begin_write().await?;
        let row = repo::find_pattern(&tx, id).await?.ok_or_else(|| not_found("Pattern not found"))?;
        can_supervise_section(actor, row.section_id)?;
        repo::delete_pattern(&tx, id).await?;
        record_ops(&tx, self.clock.now(), actor, pattern_event("SHIFT_PATTERN_DELETED", &row)).await?;
        commit(tx).await
    }
}

fn description(value: Option<&str>) -> AppResult<Option<String>> {
    match value.map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => Ok(Some(validate::text("description", d, 1, 2000)?)),
        None => Ok(None),
    }
}

/// FIXED, ROTATING or CUSTOM in any case (default CUSTOM).
fn pattern_type(value: Option<&str>) -> AppResult<String> {
    match value.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok("CUSTOM".to_owned()),
        Some(t) => PATTERN_TYPES
            .iter()
            .find(|p| p.eq_ignore_ascii_case(t))
            .map(|p| (*p).to_owned())
            .ok_or_else(|| invalid("pattern_type must be FIXED, ROTATING or CUSTOM")),
    }
}

/// The seven days, checked as the original checks them — each day 0–6 once, all seven
/// present, a working day with a shift that exists — with every problem reported at once.
async fn checked_days(
    c: &impl sentinelops_store::Conn,
    pattern_id: Uuid,
    days: &[PatternDayInput],
) -> AppResult<Vec<PatternDayRow>> {
    let known: Vec<i32> = shifts::list(c).await?.into_iter().map(|s| s.id).collect();
    let mut problems: Vec<String> = Vec::new();
    let mut seen = [false; 7];
    let mut rows = Vec::with_capacity(7);
    for day in days {
        let Some(slot) = usize::try_from(day.day_of_week).ok().filter(|d| *d < 7) else {
            problems.push(format!("day_of_week must be 0 (Sunday) to 6 (Saturday), not {}", day.day_of_week));
            continue;
        };
        if seen.get(slot).copied().unwrap_or(true) {
            problems.push(format!("day_of_week {slot} is listed twice"));
            continue;
        }
        if let Some(flag) = seen.get_mut(slot) {
            *flag = true;
        }
        match day.shift_id {
            Some(shift) if !known.contains(&shift) => problems.push(format!("shift_id {shift} does not exist")),
            None if !day.is_off_day => {
                problems.push(format!("{} is a working day without a shift_id", DAY_NAMES.get(slot).unwrap_or(&"")))
            }
            _ => {}
        }
        rows.push(PatternDayRow {
            pattern_id,
            day_of_week: i32::try_from(slot).unwrap_or_default(),
            shift_id: day.shift_id,
            is_off_day: day.is_off_day,
        });
    }
    if seen.iter().any(|s| !s) && problems.is_empty() {
        problems.push("schedule_days must list all 7 days (0 = Sunday … 6 = Saturday)".to_owned());
    }
    if problems.is_empty() { Ok(rows) } else { Err(AppError::Validation(problems.join("; "))) }
}

fn pattern_event(event_type: &'static str, row: &PatternRow) -> OpsEvent {
    OpsEvent {
        event_type,
        entity_type: "SHIFT_PATTERN",
        entity_id: row.id.to_string(),
        section_id: Some(row.section_id),
        payload: json!({ "name": row.name, "pattern_type": row.pattern_type }),
    }
}
