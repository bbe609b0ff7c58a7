//! Times as the UI shows them: in the business time zone, to the minute (seconds only
//! where an audit trail needs them).

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

/// "2026-11-26 07:41" in `tz`.
pub fn minute(tz: Tz, at: DateTime<Utc>) -> String {
    at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

/// "2026-11-26 07:41:09" in `tz`.
pub fn second(tz: Tz, at: DateTime<Utc>) -> String {
    at.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// `minute`, or "—" for never.
pub fn minute_or_never(tz: Tz, at: Option<DateTime<Utc>>) -> String {
    at.map_or_else(|| "—".to_owned(), |at| minute(tz, at))
}

/// The instant a calendar day starts in `tz` (the earliest, if a clock change makes it
/// ambiguous; the next valid time if a gap swallows midnight).
pub fn day_start(tz: Tz, day: NaiveDate) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    (0..4)
        .find_map(|hour| tz.from_local_datetime(&(midnight + chrono::Duration::hours(hour))).earliest())
        .map_or_else(|| midnight.and_utc(), |local| local.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_start_at_local_midnight() {
        let tz: Tz = "Africa/Harare".parse().unwrap_or(Tz::UTC);
        let day = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap_or_default();
        assert_eq!(day_start(tz, day).to_rfc3339(), "2026-11-25T22:00:00+00:00");
        assert_eq!(minute(tz, day_start(tz, day)), "2026-11-26 00:00");
    }
}
