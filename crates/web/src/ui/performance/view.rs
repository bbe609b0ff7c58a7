//! The Performance page's numbers, laid out for its template from the app's read model
//! (`App::performance_command`) and the caller's refused ledger rows.

use chrono::{Datelike, NaiveDate};
use chrono_tz::Tz;

use sentinelops_app::AppError;
use sentinelops_app::gamification::{
    BadgeView, LeaderboardEntry, LedgerQuery, PerformanceCommand, RecentEvent, WindowSnapshot,
};
use sentinelops_domain::performance::Window;
use sentinelops_domain::performance::standing::TierProgress;
use sentinelops_domain::scoring::LedgerState;

use crate::state::AppState;
use crate::ui::performance::chart::{self, Bar};
use crate::ui::session::UiUser;
use crate::ui::timefmt;

/// Refusals listed under "Why didn't I get points?".
const REFUSALS_SHOWN: usize = 10;

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
    /// The caller's refused ledger rows in the window, newest first.
    pub refusals: Vec<RefusalRow>,
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

/// The page's numbers for `window`: the performance command (one read model, the same
/// numbers as the JSON API's) and the caller's refusals.
pub async fn load(state: &AppState, user: &UiUser, window: Window) -> Result<PerformanceView, AppError> {
    let command = state.app.performance_command(&user.actor, window).await?;
    let tz = state.app.business_timezone().await?;
    let refusals = refusals(state, user, &command.active_window, tz).await?;
    Ok(of_command(command, tz, refusals))
}

/// "Why didn't I get points?": the caller's REFUSED rows in the window with their
/// sentences, newest first.
async fn refusals(
    state: &AppState,
    user: &UiUser,
    window: &WindowSnapshot,
    tz: Tz,
) -> Result<Vec<RefusalRow>, AppError> {
    let query = LedgerQuery { start_date: Some(window.start_date), end_date: Some(window.end_date), limit: Some(500) };
    let entries = state.app.my_ledger(&user.actor, query).await?;
    let rows = entries
        .into_iter()
        .filter(|e| e.row.state == LedgerState::Refused.as_str())
        .take(REFUSALS_SHOWN)
        .map(|e| RefusalRow {
            title: e.title.unwrap_or_else(|| "Checklist action".to_owned()),
            when: timefmt::minute(tz, e.row.awarded_at),
            sentence: e.refusal.unwrap_or_default(),
        })
        .collect();
    Ok(rows)
}

/// The read model laid out for the template.
pub fn of_command(c: PerformanceCommand, tz: Tz, refusals: Vec<RefusalRow>) -> PerformanceView {
    let active = &c.active_window;
    let progress = TierProgress::of(active.window, active.command_points);
    // The live streak runs across the whole year, not just the window shown.
    let year = c.windows.iter().find(|w| w.window == Window::Yearly).unwrap_or(active);
    let windows = c.windows.iter().map(|w| window_card(w, c.focus_window)).collect();
    let chart = trend_chart(active.label, c.trend.iter().map(|t| (t.label.clone(), t.command_points)));
    PerformanceView {
        window: active.window.as_str(),
        window_label: active.label,
        range: range_text(active.start_date, active.end_date),
        scope_label: c.scope_label.clone(),
        points: active.command_points,
        points_text: thousands(active.command_points),
        grade: active.operational_grade,
        tier: active.tier.as_str(),
        next_tier: progress.next.map(|(next, _)| NextTier {
            name: next.as_str(),
            remaining: progress.remaining,
            percent: progress.percent,
        }),
        streak: year.current_streak,
        longest_streak: year.longest_streak,
        rank: active.rank,
        total_users: active.total_users,
        summary: active.summary.clone(),
        windows,
        chart,
        claimed_count: c.profile.badge_count,
        badges: c.badges.iter().map(badge_card).collect(),
        events: c.recent_events.iter().map(|e| event_row(e, tz)).collect(),
        leaderboard: c.leaderboard.iter().map(leader_row).collect(),
        refusals,
    }
}

fn window_card(w: &WindowSnapshot, focus: Window) -> WindowCard {
    WindowCard {
        key: w.window.as_str(),
        label: w.label,
        current: w.window == focus,
        tier: w.tier.as_str(),
        points_text: thousands(w.command_points),
        grade: w.operational_grade,
        rank: w.rank,
        contribution_days: w.contribution_days,
    }
}

fn badge_card(b: &BadgeView) -> BadgeCard {
    BadgeCard {
        key: b.def.key.to_owned(),
        name: b.def.name.to_owned(),
        theme: b.def.theme.to_owned(),
        description: b.def.description.to_owned(),
        hint: b.def.hint.to_owned(),
        target: b.def.target.to_owned(),
        // Whole percent, never shown as 100 before it is earned.
        progress: if b.earned { 100 } else { (b.progress.clamp(0.0, 99.0)).floor() as i64 },
        earned: b.earned,
        claimed: b.claimed,
        claimable: b.claimable,
    }
}

fn event_row(e: &RecentEvent, tz: Tz) -> EventRow {
    EventRow {
        title: e.title.clone(),
        detail: e.detail.clone(),
        when: timefmt::minute(tz, e.occurred_at),
        points: e.points,
    }
}

fn leader_row(e: &LeaderboardEntry) -> LeaderRow {
    LeaderRow {
        rank: e.rank,
        name: e.display_name.clone(),
        section: e.section_name.clone(),
        points_text: thousands(e.command_points),
        tier: e.tier.as_str().to_owned(),
        is_me: e.is_current_user,
    }
}

/// "12,345": points as the original page shows them (en-US thousands separators).
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
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
