//! The Performance page's numbers, laid out for its template from the app's read model
//! (`App::performance_command`) and the caller's refused ledger rows.

use chrono::{Datelike, NaiveDate};

use crate::ui::performance::chart::{self, Bar};

/// Everything `partials/performance_live.html` shows.
#[derive(Debug, Clone)]
pub struct PerformanceView {
    /// The window key (`monthly`) and its label (`Month to date`).
    pub window: &'static str,
    pub window_label: &'static str,
    /// "1 Dec – 4 Dec 2026".
    pub range: String,
    pub scope_label: String,
    pub points: i64,
    pub points_text: String,
    pub grade: i64,
    pub tier: &'static str,
    pub next_tier: Option<NextTier>,
    pub streak: i64,
    pub longest_streak: i64,
    pub rank: i64,
    pub total_users: i64,
    pub summary: String,
    pub windows: Vec<WindowCard>,
    /// The trend's SVG markup (escaped inside `chart::bar_chart`).
    pub chart: String,
    pub badges: Vec<BadgeCard>,
    pub claimed_count: i64,
    pub events: Vec<EventRow>,
    pub leaderboard: Vec<LeaderRow>,
    /// The caller's refusals in the window; `None` when the ledger read is not there.
    pub refusals: Option<Vec<RefusalRow>>,
}

/// The way from this tier to the next: the points still missing and how far along.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextTier {
    pub name: &'static str,
    pub remaining: i64,
    /// 0..=100: the points earned between this tier's floor and the next one's.
    pub percent: i64,
}

#[derive(Debug, Clone)]
pub struct WindowCard {
    pub key: &'static str,
    pub label: &'static str,
    pub current: bool,
    pub tier: &'static str,
    pub points_text: String,
    pub grade: i64,
    pub rank: i64,
    pub contribution_days: i64,
}

#[derive(Debug, Clone)]
pub struct BadgeCard {
    pub key: String,
    pub name: String,
    pub theme: String,
    pub description: String,
    pub hint: String,
    pub target: String,
    /// Whole percent, 100 once earned.
    pub progress: i64,
    pub earned: bool,
    pub claimed: bool,
    pub claimable: bool,
}

#[derive(Debug, Clone)]
pub struct EventRow {
    pub title: String,
    pub detail: String,
    pub when: String,
    pub points: i64,
}

#[derive(Debug, Clone)]
pub struct LeaderRow {
    pub rank: i64,
    pub name: String,
    pub section: Option<String>,
    pub points_text: String,
    pub tier: String,
    pub is_me: bool,
}

#[derive(Debug, Clone)]
pub struct RefusalRow {
    pub title: String,
    pub when: String,
    pub sentence: String,
}

/// "12,345": points as the original page shows them (en-US thousands separators).
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "1 Nov – 25 Nov 2026" (the year once, at the end, when both days share it).
pub fn range_text(start: NaiveDate, end: NaiveDate) -> String {
    if start.year() == end.year() {
        format!("{} – {}", start.format("%-d %b"), end.format("%-d %b %Y"))
    } else {
        format!("{} – {}", start.format("%-d %b %Y"), end.format("%-d %b %Y"))
    }
}

/// The trend chart for `(label, points)` buckets.
pub fn trend_chart(window_label: &str, buckets: impl IntoIterator<Item = (String, i64)>) -> String {
    let bars: Vec<Bar> = buckets.into_iter().map(|(label, points)| Bar { label, points }).collect();
    chart::bar_chart(&format!("Points per period, {}", window_label.to_lowercase()), &bars)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_read_with_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(-4200), "-4,200");
    }

    #[test]
    fn a_range_names_the_year_once() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
        assert_eq!(range_text(day(2026, 11, 1), day(2026, 11, 25)), "1 Nov – 25 Nov 2026");
        assert_eq!(range_text(day(2025, 12, 29), day(2026, 1, 2)), "29 Dec 2025 – 2 Jan 2026");
    }
}
