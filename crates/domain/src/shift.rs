//! Shifts and the operational day, computed in the business time zone and stored in UTC.
//!
//! A shift window is a local start and end time; when the end is not after the start
//! the window runs overnight into the next day. Local times that do not exist (a DST
//! spring-forward gap) move forward by the gap; ambiguous ones (fall-back) take the
//! earlier instant.

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum ShiftType {
    Morning,
    Afternoon,
    Night,
}

impl ShiftType {
    pub const ALL: [ShiftType; 3] = [ShiftType::Morning, ShiftType::Afternoon, ShiftType::Night];

    pub fn as_str(self) -> &'static str {
        match self {
            ShiftType::Morning => "MORNING",
            ShiftType::Afternoon => "AFTERNOON",
            ShiftType::Night => "NIGHT",
        }
    }

    pub fn parse(name: &str) -> Option<ShiftType> {
        ShiftType::ALL.into_iter().find(|s| s.as_str().eq_ignore_ascii_case(name.trim()))
    }

    /// "Morning", "Afternoon", "Night".
    pub fn title(self) -> &'static str {
        match self {
            ShiftType::Morning => "Morning",
            ShiftType::Afternoon => "Afternoon",
            ShiftType::Night => "Night",
        }
    }

    /// The shift that takes over: MORNING → AFTERNOON → NIGHT (same date) → MORNING (next date).
    pub fn next(self, date: NaiveDate) -> (ShiftType, NaiveDate) {
        match self {
            ShiftType::Morning => (ShiftType::Afternoon, date),
            ShiftType::Afternoon => (ShiftType::Night, date),
            ShiftType::Night => (ShiftType::Morning, date.succ_opt().unwrap_or(date)),
        }
    }

    /// The built-in windows (07–15, 15–23, 23–07) used when no shift row exists.
    pub fn default_window(self) -> ShiftWindow {
        let at = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap_or(NaiveTime::MIN);
        match self {
            ShiftType::Morning => ShiftWindow { start: at(7), end: at(15) },
            ShiftType::Afternoon => ShiftWindow { start: at(15), end: at(23) },
            ShiftType::Night => ShiftWindow { start: at(23), end: at(7) },
        }
    }
}

crate::named::named!(ShiftType);

impl std::fmt::Display for ShiftType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Converts a local date and time in `tz` to UTC, resolving DST gaps and overlaps.
pub fn local_to_utc(date: NaiveDate, time: NaiveTime, tz: Tz) -> DateTime<Utc> {
    let naive = NaiveDateTime::new(date, time);
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(earlier, _) => earlier.with_timezone(&Utc),
        LocalResult::None => {
            // Inside a spring-forward gap: read the wall time with the offset in force
            // before the jump, which moves it forward by the gap (01:30 → 02:30).
            let before = tz.offset_from_utc_datetime(&(naive - Duration::hours(12))).fix().local_minus_utc();
            Utc.from_utc_datetime(&(naive - Duration::seconds(i64::from(before))))
        }
    }
}

/// A shift's local start and end times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShiftWindow {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl ShiftWindow {
    pub fn is_overnight(&self) -> bool {
        self.end <= self.start
    }

    /// Start inclusive, end exclusive, wrapping past midnight for overnight windows.
    pub fn contains(&self, time: NaiveTime) -> bool {
        if self.is_overnight() { time >= self.start || time < self.end } else { time >= self.start && time < self.end }
    }

    /// The window of the shift on `date`, in UTC.
    pub fn bounds(&self, date: NaiveDate, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
        let end_date = if self.is_overnight() { date.succ_opt().unwrap_or(date) } else { date };
        (local_to_utc(date, self.start, tz), local_to_utc(end_date, self.end, tz))
    }

    /// When a time of day falls during the shift of `date`: for an overnight window a
    /// time before the start belongs to the next day (NIGHT on D at 02:00 → D+1 02:00).
    pub fn resolve(&self, date: NaiveDate, time: NaiveTime, tz: Tz) -> DateTime<Utc> {
        let day = if self.is_overnight() && time < self.start { date.succ_opt().unwrap_or(date) } else { date };
        local_to_utc(day, time, tz)
    }
}

/// The operational day: it starts at `boundary` (the MORNING start) local time, so a
/// night shift that crosses midnight stays in the day it started.
pub fn operational_date(now: DateTime<Utc>, tz: Tz, boundary: NaiveTime) -> NaiveDate {
    let local = now.with_timezone(&tz);
    if local.time() < boundary {
        local.date_naive().pred_opt().unwrap_or(local.date_naive())
    } else {
        local.date_naive()
    }
}

/// The UTC window `[date boundary, date+1 boundary)` of an operational day.
pub fn operational_window(date: NaiveDate, tz: Tz, boundary: NaiveTime) -> (DateTime<Utc>, DateTime<Utc>) {
    (local_to_utc(date, boundary, tz), local_to_utc(date.succ_opt().unwrap_or(date), boundary, tz))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default()
    }

    fn utc(y: i32, m: u32, day: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, day, h, min, 0).single().unwrap_or_default()
    }

    #[test]
    fn night_shift_runs_overnight_in_harare() {
        let harare: Tz = "Africa/Harare".parse().unwrap_or(Tz::UTC);
        let night = ShiftType::Night.default_window();
        assert_eq!(night.bounds(d(2026, 11, 25), harare), (utc(2026, 11, 25, 21, 0), utc(2026, 11, 26, 5, 0)));
        assert_eq!(night.resolve(d(2026, 11, 25), t(2, 0), harare), utc(2026, 11, 26, 0, 0));
        assert_eq!(night.resolve(d(2026, 11, 25), t(23, 30), harare), utc(2026, 11, 25, 21, 30));
        assert!(night.contains(t(23, 0)) && night.contains(t(6, 59)) && !night.contains(t(7, 0)));
        let morning = ShiftType::Morning.default_window();
        assert!(morning.contains(t(7, 0)) && !morning.contains(t(15, 0)));
    }

    #[test]
    fn operational_day_starts_at_the_boundary() {
        let harare: Tz = "Africa/Harare".parse().unwrap_or(Tz::UTC);
        // 06:59 local on the 26th is still the 25th's operational day.
        assert_eq!(operational_date(utc(2026, 11, 26, 4, 59), harare, t(7, 0)), d(2026, 11, 25));
        assert_eq!(operational_date(utc(2026, 11, 26, 5, 0), harare, t(7, 0)), d(2026, 11, 26));
        assert_eq!(
            operational_window(d(2026, 11, 25), harare, t(7, 0)),
            (utc(2026, 11, 25, 5, 0), utc(2026, 11, 26, 5, 0))
        );
    }

    #[test]
    fn dst_gaps_move_forward_and_overlaps_take_the_earlier_instant() {
        let london: Tz = "Europe/London".parse().unwrap_or(Tz::UTC);
        // 2026-03-29 01:30 does not exist in London (clocks jump 01:00 → 02:00): it reads as 02:30 BST.
        assert_eq!(local_to_utc(d(2026, 3, 29), t(1, 30), london), utc(2026, 3, 29, 1, 30));
        // 2026-10-25 01:30 happens twice; the first is 00:30 UTC.
        assert_eq!(local_to_utc(d(2026, 10, 25), t(1, 30), london), utc(2026, 10, 25, 0, 30));
        // The night shift of the fall-back night is nine hours long.
        let (start, end) = ShiftType::Night.default_window().bounds(d(2026, 10, 24), london);
        assert_eq!(end - start, Duration::hours(9));
    }

    #[test]
    fn shifts_follow_each_other() {
        assert_eq!(ShiftType::Morning.next(d(2026, 1, 1)), (ShiftType::Afternoon, d(2026, 1, 1)));
        assert_eq!(ShiftType::Night.next(d(2026, 12, 31)), (ShiftType::Morning, d(2027, 1, 1)));
        assert_eq!(ShiftType::parse("night"), Some(ShiftType::Night));
    }
}
