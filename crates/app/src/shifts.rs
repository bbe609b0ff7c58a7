//! Shift definitions (name, local start and end) and the operational day.

use chrono::{NaiveDate, NaiveTime};
use chrono_tz::Tz;
use serde_json::json;

use sentinelops_domain::shift::{ShiftType, ShiftWindow, operational_date};
use sentinelops_store::Conn;
use sentinelops_store::repo::shifts;
pub use sentinelops_store::repo::shifts::ShiftRow;

use crate::actor::Actor;
use crate::audit::{OpsEvent, record_ops};
use crate::error::{AppError, AppResult, forbidden, invalid};
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
        let timezone = match input.timezone.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            Some(name) => {
                Some(name.parse::<Tz>().map_err(|_| invalid(format!("Unknown time zone {name:?}")))?.name().to_owned())
            }
            None => None,
        };
        let color = match input.color.as_deref() {
            Some(c) => Some(validate::text("color", c, 1, 32)?),
            None => None,
        };
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
        record_ops(
            &tx,
            now,
            actor,
            OpsEvent {
                event_type: "SHIFT_CREATED",
                entity_type: "SHIFT",
                entity_id: row.id.to_string(),
                section_id: None,
                payload: json!({ "name": row.name, "start_time": format_time(start), "end_time": format_time(end) }),
            },
        )
        .await?;
        commit(tx).await?;
        let tz = self.business_timezone().await?;
        Ok(self.shift_view(row, tz))
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
