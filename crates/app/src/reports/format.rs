//! How reports print times, durations, statuses and names: in the business time zone,
//! in the original report's formats (`09 Apr 2026`, `09 Apr 2026 07:41`, `1h 5m`).

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use sentinelops_domain::checklist::{InstanceStatus, ItemStatus};
use sentinelops_reports::{Status, Tone};

/// Prints instants in one time zone.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    pub tz: Tz,
}

impl Clock {
    /// "09 Apr 2026 07:41".
    pub fn at(&self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.tz).format("%d %b %Y %H:%M").to_string()
    }

    /// "07:41".
    pub fn time(&self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.tz).format("%H:%M").to_string()
    }

    /// "07:00 – 15:00".
    pub fn window(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> String {
        format!("{} – {}", self.time(start), self.time(end))
    }
}

/// "09 Apr 2026".
pub(crate) fn date(d: NaiveDate) -> String {
    d.format("%d %b %Y").to_string()
}

/// "Morning shift, 09 Apr 2026": a checklist named by its slot (`shift` as stored).
pub(crate) fn slot(shift: &str, d: NaiveDate) -> String {
    let shift = sentinelops_domain::shift::ShiftType::parse(shift).map_or(shift, |s| s.title());
    format!("{shift} shift, {}", date(d))
}

/// "Thu 09 Apr".
pub(crate) fn day(d: NaiveDate) -> String {
    d.format("%a %d %b").to_string()
}

/// `1h 5m`, `4m 10s` or `35s` (seconds dropped once there are hours); nothing for a
/// negative span (clocks disagreeing is not an execution time).
pub(crate) fn duration(from: DateTime<Utc>, to: DateTime<Utc>) -> Option<String> {
    let seconds = (to - from).num_seconds();
    if seconds < 0 {
        return None;
    }
    let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    Some(match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, _) => format!("{m}m {s}s"),
        _ => format!("{h}h {m}m"),
    })
}

/// "92 %" (one decimal below 100 when not whole).
pub(crate) fn percent(part: u32, whole: u32) -> String {
    if whole == 0 {
        return "—".to_owned();
    }
    let value = f64::from(part) * 100.0 / f64::from(whole);
    if (value - value.round()).abs() < 0.05 { format!("{value:.0} %") } else { format!("{value:.1} %") }
}

pub(crate) fn item_status(status: ItemStatus) -> Status {
    let tone = match status {
        ItemStatus::Completed => Tone::Green,
        ItemStatus::Skipped => Tone::Amber,
        ItemStatus::InProgress => Tone::Blue,
        ItemStatus::Failed => Tone::Red,
        ItemStatus::Pending => Tone::Grey,
    };
    Status::of(status.as_str(), tone)
}

pub(crate) fn instance_status(status: InstanceStatus) -> Status {
    let tone = match status {
        InstanceStatus::Completed => Tone::Green,
        InstanceStatus::CompletedWithExceptions | InstanceStatus::PendingReview => Tone::Amber,
        InstanceStatus::InProgress => Tone::Blue,
        InstanceStatus::Incomplete => Tone::Red,
        InstanceStatus::Open => Tone::Grey,
    };
    Status::of(status.as_str(), tone)
}
