//! The original's legacy gamification answers (contract §1.6), now from the ledger:
//! `/scores`, `/streak`, `/leaderboard`, `/achievements`, `/dashboard`.

use chrono::{Datelike, Duration, NaiveDate};
use uuid::Uuid;

use sentinelops_domain::performance::Window;
use sentinelops_store::repo::gamification::{self, LedgerRow, StreakRow};
use sentinelops_store::repo::gamification_read::{self as read, UserRow};

use super::model::BadgeView;
use super::scope;
use crate::App;
use crate::actor::Actor;
use crate::error::{AppResult, invalid};

/// `/scores` page size: default and bounds.
pub const SCORES_DEFAULT: u64 = 100;
pub const SCORES_MAX: u64 = 500;
/// `/leaderboard` size: default and bounds.
pub const BOARD_DEFAULT: u64 = 50;
pub const BOARD_MAX: u64 = 100;

/// The legacy leaderboard's periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timeframe {
    Daily,
    /// Monday to Sunday of this week.
    Weekly,
    /// The whole calendar month.
    Monthly,
    AllTime,
}

impl Timeframe {
    pub const ALL: [Timeframe; 4] = [Timeframe::Daily, Timeframe::Weekly, Timeframe::Monthly, Timeframe::AllTime];

    pub fn as_str(self) -> &'static str {
        match self {
            Timeframe::Daily => "daily",
            Timeframe::Weekly => "weekly",
            Timeframe::Monthly => "monthly",
            Timeframe::AllTime => "all_time",
        }
    }

    pub fn parse(key: &str) -> Option<Timeframe> {
        Timeframe::ALL.into_iter().find(|t| t.as_str() == key)
    }

    /// First and last day (no first day: all time).
    fn bounds(self, today: NaiveDate) -> (Option<NaiveDate>, NaiveDate) {
        match self {
            Timeframe::Daily => (Some(today), today),
            Timeframe::Weekly => {
                let monday = Window::Weekly.start(today);
                (Some(monday), monday + Duration::days(6))
            }
            Timeframe::Monthly => {
                let first = Window::Monthly.start(today);
                let next = if first.month() == 12 {
                    NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
                } else {
                    NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
                };
                (Some(first), next.map_or(today, |n| n - Duration::days(1)))
            }
            Timeframe::AllTime => (None, today),
        }
    }
}

/// One row of the legacy leaderboard.
#[derive(Debug, Clone)]
pub struct LegacyRank {
    pub user: UserRow,
    pub total_points: i64,
    pub current_streak: i64,
    pub perfect_shifts: i64,
    pub rank: i64,
}

/// The caller's streak row (absent before their first counting row) and clean
/// checklists over checklist runs this year, in percent.
#[derive(Debug, Clone)]
pub struct StreakSummary {
    pub user_id: Uuid,
    pub row: Option<StreakRow>,
    pub shift_completion_rate: f64,
}

/// What `/dashboard` shows.
#[derive(Debug, Clone)]
pub struct LegacyDashboard {
    pub me: UserRow,
    /// Position in this week's top 10, if in it.
    pub weekly_rank: Option<i64>,
    pub weekly_points: i64,
    pub streak: Option<StreakRow>,
    /// All-time top 5 with their checklist runs.
    pub preview: Vec<(LegacyRank, i64)>,
    /// The 5 newest ledger rows with who awarded them.
    pub recent: Vec<(LedgerRow, Option<String>)>,
    pub achievements: Vec<BadgeView>,
    pub milestones: Vec<Milestone>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MilestoneKind {
    Streak,
    Points,
}

impl MilestoneKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MilestoneKind::Streak => "STREAK",
            MilestoneKind::Points => "POINTS",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Milestone {
    pub kind: MilestoneKind,
    pub target: i64,
    pub current: i64,
    pub remaining: i64,
    pub reward: i64,
}

/// The original's next milestones: streak 3/7/14/30 (reward ×10) and points
/// 100…2500 (reward ÷10); none past the last target.
pub fn milestones(streak: &StreakRow) -> Vec<Milestone> {
    let mut out = Vec::new();
    let current = i64::from(streak.current_streak_days);
    if let Some(target) = [3i64, 7, 14, 30].into_iter().find(|t| *t > current) {
        out.push(Milestone {
            kind: MilestoneKind::Streak,
            target,
            current,
            remaining: target - current,
            reward: target * 10,
        });
    }
    let points = i64::from(streak.total_points);
    if let Some(target) = [100i64, 250, 500, 1000, 2500].into_iter().find(|t| *t > points) {
        out.push(Milestone {
            kind: MilestoneKind::Points,
            target,
            current: points,
            remaining: target - points,
            reward: target / 10,
        });
    }
    out
}

/// The streak row's value if it is still live today.
fn live_streak(row: Option<&StreakRow>, today: NaiveDate) -> i64 {
    row.filter(|s| s.last_shift_date.is_some_and(|d| d == today || d + Duration::days(1) == today))
        .map_or(0, |s| i64::from(s.current_streak_days))
}

/// The first day the legacy all-time sums start from.
fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
}

impl App {
    /// The caller's ledger rows, newest first, optionally within activity dates.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn my_scores(
        &self,
        actor: &Actor,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        limit: Option<u64>,
    ) -> AppResult<Vec<LedgerRow>> {
        let limit = limit.unwrap_or(SCORES_DEFAULT);
        if !(1..=SCORES_MAX).contains(&limit) {
            return Err(invalid(format!("limit must be between 1 and {SCORES_MAX}")));
        }
        Ok(read::rows_of_user(self.store.reader(), actor.user_id, from, to, limit).await?)
    }

    /// The caller's streak row and this year's clean-checklist rate.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn my_streak(&self, actor: &Actor) -> AppResult<StreakSummary> {
        let (today, _, _) = self.operational_today().await?;
        let c = self.store.reader();
        let row = gamification::streak_of(c, actor.user_id).await?;
        let sums = read::window_sums(c, &[actor.user_id], &[Window::Yearly.start(today)], today).await?;
        let year = sums.get(&actor.user_id).and_then(|s| s.tallies.first()).copied().unwrap_or_default();
        let rate = sentinelops_domain::performance::metrics::percent(year.clean_checklists, year.checklists)
            .map_or(0.0, sentinelops_domain::performance::metrics::one_dp);
        Ok(StreakSummary { user_id: actor.user_id, row, shift_completion_rate: rate })
    }

    /// Every visible user ranked by points in the timeframe (then by name), cut to `limit`.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn legacy_leaderboard(
        &self,
        actor: &Actor,
        timeframe: Timeframe,
        limit: Option<u64>,
    ) -> AppResult<Vec<LegacyRank>> {
        let limit = limit.unwrap_or(BOARD_DEFAULT);
        if !(1..=BOARD_MAX).contains(&limit) {
            return Err(invalid(format!("limit must be between 1 and {BOARD_MAX}")));
        }
        let (today, _, _) = self.operational_today().await?;
        let board = self.ranked(actor, timeframe, today).await?;
        Ok(board.into_iter().map(|(r, _)| r).take(usize::try_from(limit).unwrap_or(usize::MAX)).collect())
    }

    /// Visible users ranked in a timeframe, each with their checklist runs in it.
    async fn ranked(&self, actor: &Actor, timeframe: Timeframe, today: NaiveDate) -> AppResult<Vec<(LegacyRank, i64)>> {
        let c = self.store.reader();
        let visible = read::visible_users(c, scope::audience_of(actor), actor.user_id).await?;
        let ids: Vec<Uuid> = visible.users.iter().map(|u| u.id).collect();
        let (start, end) = timeframe.bounds(today);
        let sums = read::window_sums(c, &ids, &[start.unwrap_or_else(epoch)], end).await?;
        let mut rows: Vec<(LegacyRank, i64, String)> = visible
            .users
            .into_iter()
            .filter(|u| u.is_active || u.id == actor.user_id)
            .map(|user| {
                let tally = sums.get(&user.id).and_then(|s| s.tallies.first()).copied().unwrap_or_default();
                let streak = visible.streaks.get(&user.id);
                let name = scope::display_name(&user).to_lowercase();
                let rank = LegacyRank {
                    total_points: tally.points,
                    current_streak: live_streak(streak, today),
                    perfect_shifts: streak.map_or(0, |s| i64::from(s.perfect_shifts_count)),
                    rank: 0,
                    user,
                };
                (rank, tally.checklists, name)
            })
            .collect();
        rows.sort_by(|a, b| b.0.total_points.cmp(&a.0.total_points).then_with(|| a.2.cmp(&b.2)));
        Ok(rows
            .into_iter()
            .enumerate()
            .map(|(i, (mut r, runs, _))| {
                r.rank = i64::try_from(i).unwrap_or(i64::MAX - 1) + 1;
                (r, runs)
            })
            .collect())
    }

    /// The caller's earned badges (what `/achievements` lists).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn my_achievements(&self, actor: &Actor) -> AppResult<Vec<BadgeView>> {
        let deck = self.performance_command(actor, Window::Yearly).await?;
        Ok(deck.badges.into_iter().filter(|b| b.earned).collect())
    }

    /// The legacy dashboard, with real data.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn legacy_dashboard(&self, actor: &Actor) -> AppResult<LegacyDashboard> {
        let (today, _, _) = self.operational_today().await?;
        let weekly = self.ranked(actor, Timeframe::Weekly, today).await?;
        let mine = weekly.iter().find(|(r, _)| r.user.id == actor.user_id);
        let me = mine.map(|(r, _)| r.user.clone()).ok_or_else(|| invalid("Your account is not visible"))?;
        let weekly_points = mine.map_or(0, |(r, _)| r.total_points);
        let weekly_rank = mine.map(|(r, _)| r.rank).filter(|r| *r <= 10);
        let preview: Vec<(LegacyRank, i64)> =
            self.ranked(actor, Timeframe::AllTime, today).await?.into_iter().take(5).collect();
        let c = self.store.reader();
        let streak = gamification::streak_of(c, actor.user_id).await?;
        let rows = read::rows_of_user(c, actor.user_id, None, None, 5).await?;
        let awarders: Vec<Uuid> = rows.iter().filter_map(|r| r.awarded_by).collect();
        let names = sentinelops_store::repo::users::find_many(c, awarders).await?;
        let recent = rows
            .into_iter()
            .map(|r| {
                let by = r.awarded_by.and_then(|id| names.iter().find(|u| u.id == id)).map(|u| u.username.clone());
                (r, by)
            })
            .collect();
        let achievements = self.my_achievements(actor).await?;
        let milestones = streak.as_ref().map(milestones).unwrap_or_default();
        Ok(LegacyDashboard { me, weekly_rank, weekly_points, streak, preview, recent, achievements, milestones })
    }
}
