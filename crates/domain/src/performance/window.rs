//! The four windows (week, month, quarter and year to date) and the trend buckets
//! each is split into.

use chrono::{Datelike, Duration, NaiveDate};

/// A "to date" window ending today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Window {
    Weekly,
    Monthly,
    Quarterly,
    Yearly,
}

impl Window {
    /// In the order the command deck lists them.
    pub const ALL: [Window; 4] = [Window::Weekly, Window::Monthly, Window::Quarterly, Window::Yearly];

    pub fn as_str(self) -> &'static str {
        match self {
            Window::Weekly => "weekly",
            Window::Monthly => "monthly",
            Window::Quarterly => "quarterly",
            Window::Yearly => "yearly",
        }
    }

    /// The key as the wire spells it (case-sensitive, like the original's enum).
    pub fn parse(key: &str) -> Option<Window> {
        Window::ALL.into_iter().find(|w| w.as_str() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            Window::Weekly => "Week to date",
            Window::Monthly => "Month to date",
            Window::Quarterly => "Quarter to date",
            Window::Yearly => "Year to date",
        }
    }

    /// The first day of the window that ends on `today`.
    pub fn start(self, today: NaiveDate) -> NaiveDate {
        let first_of = |month: u32| NaiveDate::from_ymd_opt(today.year(), month, 1).unwrap_or(today);
        match self {
            Window::Weekly => today - Duration::days(i64::from(today.weekday().num_days_from_monday())),
            Window::Monthly => first_of(today.month()),
            Window::Quarterly => first_of((today.month0() / 3) * 3 + 1),
            Window::Yearly => first_of(1),
        }
    }

    /// Days from the start to today inclusive (at least 1).
    pub fn elapsed_days(self, today: NaiveDate) -> i64 {
        (today - self.start(today)).num_days() + 1
    }

    /// The trend buckets: days of the week, calendar weeks of the month, months of the
    /// quarter or year, each clipped to the window and to today.
    pub fn buckets(self, today: NaiveDate) -> Vec<Bucket> {
        let start = self.start(today);
        let mut out = Vec::new();
        let mut cursor = start;
        while cursor <= today {
            let (end, label) = match self {
                Window::Weekly => (cursor, cursor.format("%a").to_string()),
                Window::Monthly => {
                    let sunday = cursor + Duration::days(6 - i64::from(cursor.weekday().num_days_from_monday()));
                    (sunday, cursor.format("Week of %d %b").to_string())
                }
                Window::Quarterly | Window::Yearly => (month_end(cursor), cursor.format("%b").to_string()),
            };
            let end = end.min(today);
            out.push(Bucket { label, start: cursor, end });
            cursor = end + Duration::days(1);
        }
        out
    }
}

/// The last day of `day`'s month.
fn month_end(day: NaiveDate) -> NaiveDate {
    let (y, m) = if day.month() == 12 { (day.year() + 1, 1) } else { (day.year(), day.month() + 1) };
    NaiveDate::from_ymd_opt(y, m, 1).map_or(day, |first| first - Duration::days(1))
}

/// One trend bucket: its label and its dates (inclusive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    pub label: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Bucket {
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.start <= day && day <= self.end
    }

    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn windows_start_on_monday_the_first_the_quarter_and_new_year() {
        let today = d(2026, 5, 14); // a Thursday
        assert_eq!(Window::Weekly.start(today), d(2026, 5, 11));
        assert_eq!(Window::Monthly.start(today), d(2026, 5, 1));
        assert_eq!(Window::Quarterly.start(today), d(2026, 4, 1));
        assert_eq!(Window::Yearly.start(today), d(2026, 1, 1));
        assert_eq!(Window::Weekly.elapsed_days(today), 4);
        assert_eq!(Window::parse("Weekly"), None);
        assert_eq!(Window::parse("quarterly"), Some(Window::Quarterly));
    }

    #[test]
    fn buckets_cover_the_window_without_gaps() {
        let today = d(2026, 5, 14);
        let week: Vec<String> = Window::Weekly.buckets(today).into_iter().map(|b| b.label).collect();
        assert_eq!(week, ["Mon", "Tue", "Wed", "Thu"]);
        let month = Window::Monthly.buckets(today);
        let labels: Vec<&str> = month.iter().map(|b| b.label.as_str()).collect();
        assert_eq!(labels, ["Week of 01 May", "Week of 04 May", "Week of 11 May"]);
        assert_eq!(month.first().map(|b| (b.start, b.end)), Some((d(2026, 5, 1), d(2026, 5, 3))));
        assert_eq!(month.last().map(|b| b.end), Some(today));
        let quarter: Vec<String> = Window::Quarterly.buckets(today).into_iter().map(|b| b.label).collect();
        assert_eq!(quarter, ["Apr", "May"]);
        assert_eq!(Window::Yearly.buckets(d(2026, 12, 31)).len(), 12);
        for w in Window::ALL {
            let b = w.buckets(today);
            let total: i64 = b.iter().map(Bucket::days).sum();
            assert_eq!(total, w.elapsed_days(today));
        }
    }
}
