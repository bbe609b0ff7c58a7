//! A roster read for some users over a date range (a handful of queries), resolved day
//! by day with `domain::roster`.

use std::collections::HashMap;

use chrono::NaiveDate;
use uuid::Uuid;

use sentinelops_domain::roster::{
    self, Assignment, DayOff, Exception, Parts, PatternDay, Planned, Scheduled, Swap, SwapSide, Week,
};
use sentinelops_store::Conn;
use sentinelops_store::repo::roster::{self as repo, AssignmentRow, DayOffRow, ExceptionRow, ScheduledRow};
use sentinelops_store::repo::swaps::{self, SwapRow};

use crate::error::AppResult;

/// Statuses of a day off that take the day off the roster.
pub(crate) const APPROVED: &str = "APPROVED";
/// A scheduled shift in this status is kept for the record but not worked.
pub(crate) const CANCELLED: &str = "CANCELLED";

const OFF: PatternDay = PatternDay { shift_id: None, is_off_day: true };

/// Everything that decides some users' days in a range.
#[derive(Debug, Default)]
pub(crate) struct RosterBook {
    pub assignments: Vec<AssignmentRow>,
    pub weeks: HashMap<Uuid, Week>,
    pub scheduled: Vec<ScheduledRow>,
    pub days_off: Vec<DayOffRow>,
    pub exceptions: Vec<ExceptionRow>,
    /// Approved swaps giving or taking a shift of these users.
    pub swaps: Vec<SwapRow>,
}

impl RosterBook {
    pub(crate) async fn read(c: &impl Conn, users: Vec<Uuid>, from: NaiveDate, to: NaiveDate) -> AppResult<RosterBook> {
        let assignments = repo::assignments_of(c, users.clone(), from, to).await?;
        let mut pattern_ids: Vec<Uuid> = assignments.iter().map(|a| a.pattern_id).collect();
        pattern_ids.sort_unstable();
        pattern_ids.dedup();
        let weeks = weeks_of(repo::pattern_days(c, pattern_ids).await?);
        Ok(RosterBook {
            assignments,
            weeks,
            scheduled: repo::scheduled_of(c, users.clone(), from, to).await?,
            days_off: repo::days_off_of(c, users.clone(), from, to, &[APPROVED]).await?,
            exceptions: repo::exceptions_of(c, users.clone(), from, to).await?,
            swaps: swaps::approved_of(c, users, from, to).await?,
        })
    }

    /// `user`'s day on `date` (a date inside the range read).
    pub(crate) fn day(&self, user: Uuid, date: NaiveDate) -> Planned {
        let assignments: Vec<Assignment<'_>> = self
            .assignments
            .iter()
            .filter(|a| a.user_id == user)
            .filter_map(|a| {
                let week = self.weeks.get(&a.pattern_id)?;
                Some(Assignment { pattern_id: a.pattern_id, start: a.start_date, end: a.end_date, week })
            })
            .collect();
        let scheduled: Vec<Scheduled> = self
            .scheduled
            .iter()
            .filter(|s| s.user_id == user && s.date == date)
            .map(|s| Scheduled {
                id: s.id,
                shift_id: s.shift_id,
                date: s.date,
                cancelled: s.status.eq_ignore_ascii_case(CANCELLED),
            })
            .collect();
        let days_off: Vec<DayOff> = self
            .days_off
            .iter()
            .filter(|d| d.user_id == user)
            .map(|d| DayOff { id: d.id, start: d.start_date, end: d.end_date })
            .collect();
        let exceptions: Vec<Exception> = self
            .exceptions
            .iter()
            .filter(|e| e.user_id == user && e.date == date)
            .map(|e| Exception { id: e.id, date: e.date, shift_id: e.shift_id, is_day_off: e.is_day_off })
            .collect();
        let swaps: Vec<Swap> = self
            .swaps
            .iter()
            .filter(|s| s.date == date)
            .filter_map(|s| {
                let side = if s.offered_by == user {
                    SwapSide::Out
                } else if s.taken_by == Some(user) {
                    SwapSide::In
                } else {
                    return None;
                };
                let completed_at = s.decided_at.unwrap_or(s.updated_at);
                Some(Swap { id: s.id, date: s.date, shift_id: s.shift_id, side, completed_at })
            })
            .collect();
        roster::resolve(
            date,
            &Parts {
                assignments: &assignments,
                scheduled: &scheduled,
                days_off: &days_off,
                exceptions: &exceptions,
                swaps: &swaps,
            },
        )
    }
}

/// Each pattern's week from its day rows (a missing day is off).
pub(crate) fn weeks_of(days: Vec<repo::PatternDayRow>) -> HashMap<Uuid, Week> {
    let mut weeks: HashMap<Uuid, Week> = HashMap::new();
    for day in days {
        let week = weeks.entry(day.pattern_id).or_insert([OFF; 7]);
        if let Some(slot) = usize::try_from(day.day_of_week).ok().and_then(|d| week.get_mut(d)) {
            *slot = PatternDay { shift_id: day.shift_id, is_off_day: day.is_off_day };
        }
    }
    weeks
}
