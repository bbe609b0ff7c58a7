//! Shift definitions (name, local start and end) and the operational day.

use chrono::{NaiveDate, NaiveTime};
use chrono_tz::Tz;
use serde_json::json;

use sentinelops_domain::shift::{ShiftType, ShiftWindow, operational_date};
use sentinelops_store::Conn;
pub use sentinelops_store::repo::shifts::ShiftRow;
use sentinelops_store::repo::templates::{self, TemplateFilter};
use sentinelops_store::repo::{roster, shifts};

use crate::actor::Actor;
use crate::audit::{OpsEvent, record_ops};
use crate::error::{AppError, AppResult, forbidden, invalid, not_found};
use crate::tx::commit;
use crate::{App, validate};

/// A shift definition as stored, with the time zone it runs in.
#[derive(Debug, Clone)]
pub struct ShiftView {
    pub row: ShiftRow,
    /// The row's own zone, else the business time zone.
    pub timezone: String,
}

/// A new shift definition.
#[derive(Debug, Clone)]
pub struct ShiftInput {
    pub name: String,
    pub start_time: String,
    pub end_time: String,
    pub timezone: Option<String>,
    pub color: Option<String>,
}

/// A change to a shift definition: each field given replaces the stored one.
#[derive(Debug, Clone, Default)]
pub struct ShiftChange {
    /// A shift's name is its code: it may be sent (the original frontend sends every
    /// field) but must not differ.
    pub name: Option<String>,
    pub start_time: Option<String>,
    pub end_time: Option<String>,
    /// `Some("")` clears the zone (the business time zone applies).
    pub timezone: Option<String>,
    /// `Some("")` clears the colour.
    pub color: Option<String>,
}

/// Parses "HH:MM" or "HH:MM:SS".
pub fn parse_time(field: &str, value: &str) -> AppResult<NaiveTime> {
    let v = value.trim();
    NaiveTime::parse_from_str(v, "%H:%M:%S")
        .or_else(|_| NaiveTime::parse_from_str(v, "%H:%M"))
        .map_err(|_| invalid(format!("{field} must be a time of day as HH:MM")))
}

pub fn format_time(t: NaiveTime) -> String {
    t.format("%H:%M:%S").to_string()
}

/// The window of a shift: its configured row, else the built-in default.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn window_of(c: &impl Conn, shift: ShiftType) -> AppResult<ShiftWindow> {
    Ok(match shifts::find_by_name(c, shift.as_str()).await? {
        Some(row) => ShiftWindow { start: row.start_time, end: row.end_time },
        None => shift.default_window(),
    })
}

/// The operational-day boundary: the MORNING start time.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn day_boundary(c: &impl Conn) -> AppResult<NaiveTime> {
    Ok(window_of(c, ShiftType::Morning).await?.start)
}

/// A time zone name, or none for blank.
fn zone(value: Option<&str>) -> AppResult<Option<String>> {
    match value.map(str::trim).filter(|t| !t.is_empty()) {
        Some(name) => {
            Ok(Some(name.parse::<Tz>().map_err(|_| invalid(format!("Unknown time zone {name:?}")))?.name().to_owned()))
        }
        None => Ok(None),
    }
}

/// A colour (free text, as the original frontend sends it), or none for blank.
fn colour(value: Option<&str>) -> AppResult<Option<String>> {
    match value.map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) => Ok(Some(validate::text("color", c, 1, 32)?)),
        None => Ok(None),
    }
}

fn shift_event(event_type: &'static str, id: i32, payload: serde_json::Value) -> OpsEvent {
    OpsEvent { event_type, entity_type: "SHIFT", entity_id: id.to_string(), section_id: None, payload }
}

pub fn parse_shift(value: &str) -> AppResult<ShiftType> {
    ShiftType::parse(value).ok_or_else(|| invalid("shift must be one of MORNING, AFTERNOON, NIGHT"))
}

impl App {
    fn shift_view(&self, row: ShiftRow, tz: Tz) -> ShiftView {
        ShiftView { timezone: row.timezone.clone().unwrap_or_else(|| tz.name().to_owned()), row }
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn list_shifts(&self) -> AppResult<Vec<ShiftView>> {
        let tz = self.business_timezone().await?;
        Ok(shifts::list(self.store.reader()).await?.into_iter().map(|r| self.shift_view(r, tz)).collect())
    }

    /// Admins create shifts; the name must be one of the three shift codes that
    /// checklists use, each defined once.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn create_shift(&self, actor: &Actor, input: ShiftInput) -> AppResult<ShiftView> {
        if !actor.is_admin() {
            return Err(forbidden("Only administrators can define shifts"));
        }
        let shift = parse_shift(&input.name)?;
        let start = parse_time("start_time", &input.start_time)?;
        let end = parse_time("end_time", &input.end_time)?;
        if start == end {
            return Err(invalid("start_time and end_time must differ"));
        }
        let timezone = zone(input.timezone.as_deref())?;
        let color = colour(input.color.as_deref())?;
        let tx = self.store.begin_write().await?;
        let now = self.clock.now();
        if shifts::find_by_name(&tx, shift.as_str()).await?.is_some() {
            return Err(AppError::Conflict(format!("Shift {shift} is already defined")));
        }
        let row = shifts::insert(
            &tx,
            ShiftRow {
                id: 0,
                name: shift.as_str().to_owned(),
                start_time: start,
                end_time: end,
                timezone,
                color,
                created_at: now,
            },
        )
        .await?;
        let payload = json!({ "name": row.name, "start_time": format_time(start), "end_time": format_time(end) });
        record_ops(&tx, now, actor, shift_event("SHIFT_CREATED", row.id, payload)).await?;
        commit(tx).await?;
        let tz = self.business_timezone().await?;
        Ok(self.shift_view(row, tz))
    }

    /// One shift definition.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn shift(&self, id: i32) -> AppResult<ShiftView> {
        let row = shifts::find(self.store.reader(), id).await?.ok_or_else(|| not_found("Shift not found"))?;
        let tz = self.business_timezone().await?;
        Ok(self.shift_view(row, tz))
    }

    /// Admins change a shift's window, zone or colour. Checklists created afterwards
    /// use the new window; existing ones keep the window they were created with.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn update_shift(&self, actor: &Actor, id: i32, change: ShiftChange) -> AppResult<ShiftView> {
        if !actor.is_admin() {
            return Err(forbidden("Only administrators can define shifts"));
        }
        let tx = self.store.begin_write().await?;
        let mut row = shifts::find(&tx, id).await?.ok_or_else(|| not_found("Shift not found"))?;
        if let Some(name) = change.name.as_deref()
            && !name.trim().eq_ignore_ascii_case(&row.name)
        {
            return Err(invalid(format!("A shift's name is its code and cannot change (this is {})", row.name)));
        }
        let before = (format_time(row.start_time), format_time(row.end_time));
        if let Some(start) = &change.start_time {
            row.start_time = parse_time("start_time", start)?;
        }
        if let Some(end) = &change.end_time {
            row.end_time = parse_time("end_time", end)?;
        }
        if row.start_time == row.end_time {
            return Err(invalid("start_time and end_time must differ"));
        }
        if let Some(timezone) = &change.timezone {
            row.timezone = zone(Some(timezone))?;
        }
        if let Some(color) = &change.color {
            row.color = colour(Some(color))?;
        }
        shifts::save(&tx, row.clone()).await?;
        let now = self.clock.now();
        let payload = json!({
            "name": row.name,
            "before": { "start_time": before.0, "end_time": before.1 },
            "start_time": format_time(row.start_time),
            "end_time": format_time(row.end_time),
            "timezone": row.timezone,
            "color": row.color,
        });
        record_ops(&tx, now, actor, shift_event("SHIFT_UPDATED", row.id, payload)).await?;
        commit(tx).await?;
        let tz = self.business_timezone().await?;
        Ok(self.shift_view(row, tz))
    }

    /// Admins delete a shift definition no active template or roster uses (its checklists then
    /// fall back to the built-in window). The MORNING shift starts the operational
    /// day, so it stays while anything runs on it.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn delete_shift(&self, actor: &Actor, id: i32) -> AppResult<()> {
        if !actor.is_admin() {
            return Err(forbidden("Only administrators can define shifts"));
        }
        let tx = self.store.begin_write().await?;
        let row = shifts::find(&tx, id).await?.ok_or_else(|| not_found("Shift not found"))?;
        let filter = TemplateFilter { section_id: None, shift: Some(row.name.clone()), active_only: true };
        let in_use = templates::list_templates(&tx, &filter).await?.len();
        if in_use > 0 {
            return Err(AppError::Conflict(format!(
                "Shift {} is used by {in_use} active template(s); deactivate or move them first",
                row.name
            )));
        }
        let rostered = roster::shift_references(&tx, id).await?;
        if rostered > 0 {
            return Err(AppError::Conflict(format!(
                "Shift {} is on the roster ({rostered} pattern day(s), scheduled shift(s) or exception(s)); take it off first",
                row.name
            )));
        }
        shifts::delete(&tx, id).await?;
        let payload = json!({ "name": row.name, "start_time": format_time(row.start_time), "end_time": format_time(row.end_time) });
        record_ops(&tx, self.clock.now(), actor, shift_event("SHIFT_DELETED", row.id, payload)).await?;
        commit(tx).await
    }

    /// Today's operational date in the business time zone.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn operational_today(&self) -> AppResult<(NaiveDate, Tz, NaiveTime)> {
        self.operational_today_in(self.store.reader()).await
    }

    /// `operational_today` read through `c` (the transaction's own connection).
    #[tracing::instrument(level = "debug", skip_all)]
    pub(crate) async fn operational_today_in(&self, c: &impl Conn) -> AppResult<(NaiveDate, Tz, NaiveTime)> {
        let tz = self.business_timezone_in(c).await?;
        let boundary = day_boundary(c).await?;
        Ok((operational_date(self.clock.now(), tz, boundary), tz, boundary))
    }
}
