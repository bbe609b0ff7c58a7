//! The roster as it is read: a section's rostered shifts over a range (every source
//! resolved: patterns, single shifts, exceptions; days off removed), and one person's
//! own schedule day by day.

use chrono::{DateTime, Days, NaiveDate, Utc};
use uuid::Uuid;

use sentinelops_domain::roster::{OffBecause, Planned, Source};
use sentinelops_domain::shift::ShiftWindow;
use sentinelops_store::repo::shifts::ShiftRow;

use super::assign::check_range;
use super::book::RosterBook;
use super::{section_people, shifts_by_id};
use crate::access::{can_use_section, own_section};
use crate::actor::Actor;
use crate::error::AppResult;
use crate::{App, validate};

/// The status of a shift taken over, or given away, by a swap.
const SWAPPED: &str = "SWAPPED";

/// Days a schedule shows when no end is given (the original's 91 days).
const DEFAULT_DAYS: u64 = 90;

#[derive(Debug, Clone, Copy, Default)]
pub struct RosterQuery {
    pub section_id: Option<Uuid>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
}

/// One rostered shift of one person on one date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterEntry {
    /// The scheduled shift's or exception's id; for a day a pattern gives, an id made
    /// from the pattern, the person and the date (stable across reads).
    pub id: Uuid,
    pub shift_id: i32,
    pub user_id: Uuid,
    pub date: NaiveDate,
    pub start_ts: Option<DateTime<Utc>>,
    pub end_ts: Option<DateTime<Utc>>,
    pub assigned_by: Option<Uuid>,
    pub status: String,
}

/// A day of one's own schedule.
#[derive(Debug, Clone, PartialEq)]
pub enum MyDay {
    Shift { date: NaiveDate, entry_id: Uuid, shift: ShiftRow, status: String },
    Off { date: NaiveDate, reason: String, status: String },
    Unscheduled { date: NaiveDate },
}

/// The id of a day a pattern gives: the pattern's, mixed with the person's and the day
/// number, so each (pattern, person, date) has its own and it reads the same each time.
fn pattern_entry_id(pattern: Uuid, user: Uuid, date: NaiveDate) -> Uuid {
    let day = u128::from(date.to_epoch_days().unsigned_abs());
    Uuid::from_u128(pattern.as_u128() ^ user.as_u128().rotate_left(64) ^ day)
}

impl App {
    /// The rostered shifts of a section (admins: any, or every section's people;
    /// others: their own section) from `start_date` (today) to `end_date` (30 days on).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn roster_entries(&self, actor: &Actor, q: RosterQuery) -> AppResult<Vec<RosterEntry>> {
        let c = self.store.reader();
        let (today, tz, _) = self.operational_today().await?;
        let from = validate::date("start_date", q.start_date.unwrap_or(today))?;
        let to = validate::date(
            "end_date",
            q.end_date.unwrap_or_else(|| from.checked_add_days(Days::new(30)).unwrap_or(from)),
        )?;
        check_range(from, to)?;
        let people = match (q.section_id, actor.is_admin()) {
            (Some(section), _) => {
                can_use_section(actor, section)?;
                section_people(c, section).await?
            }
            (None, true) => self.sectioned_people().await?,
            (None, false) => section_people(c, own_section(actor)?).await?,
        };
        let book = RosterBook::read(c, people.clone(), from, to).await?;
        let shifts = shifts_by_id(c).await?;
        let mut entries = Vec::new();
        for date in from.iter_days().take_while(|d| *d <= to) {
            for user in &people {
                let Planned::Shifts(planned) = book.day(*user, date) else { continue };
                for (shift_id, source) in planned {
                    let (id, assigned_by, status) = match source {
                        Source::Scheduled(id) => {
                            let row = book.scheduled.iter().find(|s| s.id == id);
                            (id, row.and_then(|r| r.assigned_by), row.map_or_else(String::new, |r| r.status.clone()))
                        }
                        Source::Exception(id) => {
                            let row = book.exceptions.iter().find(|e| e.id == id);
                            (id, row.and_then(|r| r.created_by), "ASSIGNED".to_owned())
                        }
                        Source::Swap(id) => {
                            let row = book.swaps.iter().find(|s| s.id == id);
                            (id, row.and_then(|r| r.decided_by), SWAPPED.to_owned())
                        }
                        Source::Pattern(pattern) => {
                            let assignment =
                                book.assignments.iter().find(|a| a.pattern_id == pattern && a.user_id == *user);
                            (
                                pattern_entry_id(pattern, *user, date),
                                assignment.and_then(|a| a.assigned_by),
                                "ASSIGNED".to_owned(),
                            )
                        }
                    };
                    let window = shifts
                        .get(&shift_id)
                        .map(|s| ShiftWindow { start: s.start_time, end: s.end_time }.bounds(date, tz));
                    entries.push(RosterEntry {
                        id,
                        shift_id,
                        user_id: *user,
                        date,
                        start_ts: window.map(|w| w.0),
                        end_ts: window.map(|w| w.1),
                        assigned_by,
                        status,
                    });
                }
            }
        }
        Ok(entries)
    }

    /// Every active user who belongs to a section (an admin's roster of everyone).
    async fn sectioned_people(&self) -> AppResult<Vec<Uuid>> {
        let filter = sentinelops_store::repo::users::UserFilter { section_id: None, role: None, active_only: true };
        Ok(sentinelops_store::repo::users::list(self.store.reader(), &filter)
            .await?
            .into_iter()
            .filter(|u| u.section_id.is_some())
            .map(|u| u.id)
            .collect())
    }

    /// The caller's own days from `start_date` (today) to `end_date` (90 days on).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn my_schedule(
        &self,
        actor: &Actor,
        start_date: Option<NaiveDate>,
        end_date: Option<NaiveDate>,
    ) -> AppResult<(NaiveDate, NaiveDate, Vec<MyDay>)> {
        let c = self.store.reader();
        let (today, _, _) = self.operational_today().await?;
        let from = validate::date("start_date", start_date.unwrap_or(today))?;
        let to = validate::date(
            "end_date",
            end_date.unwrap_or_else(|| from.checked_add_days(Days::new(DEFAULT_DAYS)).unwrap_or(from)),
        )?;
        check_range(from, to)?;
        let me = actor.user_id;
        let book = RosterBook::read(c, vec![me], from, to).await?;
        let shifts = shifts_by_id(c).await?;
        let days = from
            .iter_days()
            .take_while(|d| *d <= to)
            .map(|date| match book.day(me, date) {
                Planned::Shifts(planned) => {
                    let first = planned.first().and_then(|(id, source)| Some((shifts.get(id)?.clone(), *source)));
                    match first {
                        Some((shift, source)) => {
                            let (entry_id, status) = match source {
                                Source::Scheduled(id) => {
                                    let status = book.scheduled.iter().find(|s| s.id == id).map(|s| s.status.clone());
                                    (id, status.unwrap_or_default())
                                }
                                Source::Exception(id) => (id, "ASSIGNED".to_owned()),
                                Source::Swap(id) => (id, SWAPPED.to_owned()),
                                Source::Pattern(pattern) => {
                                    (pattern_entry_id(pattern, me, date), "ASSIGNED".to_owned())
                                }
                            };
                            MyDay::Shift { date, entry_id, shift, status }
                        }
                        None => MyDay::Unscheduled { date },
                    }
                }
                Planned::Off(why) => {
                    let (reason, status) = match why {
                        OffBecause::DayOff(id) => (
                            book.days_off
                                .iter()
                                .find(|d| d.id == id)
                                .map_or_else(|| "Time Off".to_owned(), |d| d.reason.clone()),
                            "APPROVED",
                        ),
                        OffBecause::Exception(id) => (
                            book.exceptions
                                .iter()
                                .find(|e| e.id == id)
                                .and_then(|e| e.reason.clone())
                                .unwrap_or_else(|| "Day off".to_owned()),
                            "APPROVED",
                        ),
                        OffBecause::PatternOffDay => ("Rest day".to_owned(), "SCHEDULED"),
                        OffBecause::SwappedAway(_) => ("Shift swapped to a colleague".to_owned(), SWAPPED),
                    };
                    MyDay::Off { date, reason, status: status.to_owned() }
                }
                Planned::Unscheduled => MyDay::Unscheduled { date },
            })
            .collect();
        Ok((from, to, days))
    }
}
