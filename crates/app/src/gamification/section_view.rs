//! The section view for managers: the team's points and grade over a window and, per
//! operator, what "who needs help" looks at — grade, live streak, late timed starts,
//! refused items, checklists run, on time and clean. Read from the daily tallies (the
//! performance command's window sums) plus one grouped count of refusals: a fixed
//! number of queries whatever the history.

use chrono::NaiveDate;
use uuid::Uuid;

use sentinelops_domain::Role;
use sentinelops_domain::performance::standing::{HelpFlag, needs_help};
use sentinelops_domain::performance::{Rates, Window, WindowMetrics, operational_grade};
use sentinelops_domain::scoring::streak::Streaks;
use sentinelops_store::repo::gamification_read::{self, Audience, SectionRow, UserRow};
use sentinelops_store::repo::{gamification_team, org};

use crate::App;
use crate::actor::Actor;
use crate::error::{AppResult, forbidden, not_found};

/// A section's performance over one window.
#[derive(Debug, Clone)]
pub struct SectionPerformance {
    pub section: SectionRow,
    pub window: Window,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub team_points: i64,
    /// The mean of the operators' grades, rounded down (0 without operators).
    pub team_grade: i64,
    /// Lowest grade first (then fewest points, then name): who needs help on top.
    pub operators: Vec<OperatorPerformance>,
}

/// One operator's numbers in the window.
#[derive(Debug, Clone)]
pub struct OperatorPerformance {
    pub user: UserRow,
    pub points: i64,
    pub grade: i64,
    /// The streak running today (0 once a day was missed).
    pub live_streak: i64,
    pub late_events: i64,
    pub refused: i64,
    pub checklists: i64,
    pub on_time_checklists: i64,
    pub clean_checklists: i64,
    pub help: Option<HelpFlag>,
}

impl App {
    /// The section view of `section_id` (a manager's own section when omitted) for
    /// `window`. Managers see their own section, administrators any; operators none.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn section_performance(
        &self,
        actor: &Actor,
        section_id: Option<Uuid>,
        window: Window,
    ) -> AppResult<SectionPerformance> {
        let refusal = "The section view is for the section's managers and administrators.";
        if !actor.role.is_supervisor() {
            return Err(forbidden(refusal));
        }
        let c = self.store.reader();
        let Some(id) = section_id.or(actor.section_id) else {
            return Err(crate::error::invalid("Choose a section."));
        };
        let section = org::find_section(c, id).await?.ok_or_else(|| not_found("Section not found"))?;
        let manages = actor.section_id == Some(section.id) || section.manager_id == Some(actor.user_id);
        if !actor.is_admin() && !manages {
            return Err(forbidden(refusal));
        }

        let (today, _, _) = self.operational_today().await?;
        let start = window.start(today);
        let visible = gamification_read::visible_users(c, Audience::Section(section.id), actor.user_id).await?;
        let members: Vec<UserRow> = visible
            .users
            .into_iter()
            .filter(|u| u.section_id == Some(section.id) && u.is_active && *u.role == Role::User)
            .collect();
        let ids: Vec<Uuid> = members.iter().map(|u| u.id).collect();
        let sums = gamification_read::window_sums(c, &ids, &[start], today).await?;
        let refusals = gamification_team::refusals_by_user(c, &ids, start, today).await?;

        let mut operators: Vec<OperatorPerformance> = members
            .into_iter()
            .map(|user| {
                let sum = sums.get(&user.id);
                let tally = sum.and_then(|s| s.tallies.first().copied()).unwrap_or_default();
                let streak = visible.streaks.get(&user.id).map_or(0, |s| {
                    let runs = Streaks {
                        current: u32::try_from(s.current_streak_days).unwrap_or(0),
                        longest: u32::try_from(s.longest_streak_days).unwrap_or(0),
                        last: s.last_shift_date,
                    };
                    i64::from(runs.live(today))
                });
                let metrics = WindowMetrics {
                    tally,
                    contribution_days: sum.and_then(|s| s.active_days.first().copied()).unwrap_or(0),
                    elapsed_days: window.elapsed_days(today),
                    current_streak: streak,
                    longest_streak: 0,
                };
                let grade = operational_grade(&Rates::of(&metrics));
                OperatorPerformance {
                    points: metrics.command_points(),
                    grade,
                    live_streak: streak,
                    late_events: tally.late_events,
                    refused: refusals.get(&user.id).copied().unwrap_or(0),
                    checklists: tally.checklists,
                    on_time_checklists: tally.on_time_checklists,
                    clean_checklists: tally.clean_checklists,
                    help: needs_help(grade, tally.late_events),
                    user,
                }
            })
            .collect();
        operators.sort_by(|a, b| (a.grade, a.points, &a.user.username).cmp(&(b.grade, b.points, &b.user.username)));
        let team_points = operators.iter().map(|o| o.points).sum();
        let count = i64::try_from(operators.len()).unwrap_or(i64::MAX);
        let team_grade = if count == 0 { 0 } else { operators.iter().map(|o| o.grade).sum::<i64>() / count };
        Ok(SectionPerformance { section, window, start, end: today, team_points, team_grade, operators })
    }
}
