//! The shift roster (issue 20): who works which shift. Patterns (`patterns`), their
//! assignment and single shifts and exceptions (`assign`), days off (`days_off`), the
//! resolved views (`schedule`), shift swaps (`swaps`), read and resolved by `book`. The roster fills the
//! participants of checklists: when a checklist is created and whenever the roster of
//! today or later changes.

mod assign;
mod book;
mod calendar;
mod coverage;
mod days_off;
mod grid;
mod on_shift;
mod patterns;
mod schedule;
mod swaps;

use std::collections::HashMap;

use chrono::{DateTime, Days, NaiveDate, Utc};
use uuid::Uuid;

use sentinelops_domain::ids::new_id;
use sentinelops_domain::shift::ShiftType;
use sentinelops_store::Conn;
use sentinelops_store::repo::checklists::{self, InstanceFilter, InstanceRow, ParticipantRow};
use sentinelops_store::repo::shifts::{self, ShiftRow};
use sentinelops_store::repo::users::{self, UserFilter};

pub use assign::{BulkAssign, BulkAssigned, ExceptionInput, NewScheduledShift};
pub use calendar::{CalendarFeed, FEED_DAYS_AHEAD, FEED_DAYS_BACK, feed_path};
pub use coverage::{COVERAGE_ALERT, CoverageMinimum, CoverageReport, DEFAULT_COVERAGE_DAYS, SetCoverageMinimum};
pub use days_off::{DayOffDecision, DayOffInput, DayOffRequested};
pub use grid::{GridCell, GridRow, RosterGrid};
pub use on_shift::{Crew, CrewMember};
pub use patterns::{PATTERN_TYPES, PatternDayInput, PatternInput, PatternView};
pub use schedule::{MyDay, RosterEntry, RosterQuery};
pub use sentinelops_store::repo::roster::{DayOffRow, PatternRow};
pub use swaps::{
    OfferableShift, RosterSettings, SWAP_NOTICE, SWAPS_NEED_APPROVAL_DEFAULT, SwapDecision, SwapOffer, SwapQuery,
    SwapRow, SwapView,
};

use crate::App;
use crate::error::AppResult;
use book::RosterBook;

/// The longest range one roster read covers.
pub const MAX_RANGE_DAYS: u64 = 366;
/// Checklists a roster change looks at, at most (a section's next months).
const MAX_SYNCED_INSTANCES: u64 = 400;

/// The active users of a section.
async fn section_people(c: &impl Conn, section_id: Uuid) -> AppResult<Vec<Uuid>> {
    let filter = UserFilter { section_id: Some(section_id), role: None, active_only: true };
    Ok(users::list(c, &filter).await?.into_iter().map(|u| u.id).collect())
}

/// The shift row checklists of `shift` run by (the shift definitions by code).
fn shift_of_type(shifts: &[ShiftRow], shift: ShiftType) -> Option<&ShiftRow> {
    shifts.iter().find(|s| s.name.eq_ignore_ascii_case(shift.as_str()))
}

impl App {
    /// Adds the people rostered for `instance` (its section, date and shift) to its
    /// participants; returns whether anyone was added.
    pub(crate) async fn add_rostered_participants(
        &self,
        c: &impl Conn,
        instance: &InstanceRow,
        now: DateTime<Utc>,
    ) -> AppResult<bool> {
        let date = instance.checklist_date;
        let roster = SectionRoster::read(c, instance.section_id, date, date).await?;
        roster.join(c, instance, now).await
    }

    /// After a roster change in a section from `from` (to `to`, or on), adds the newly
    /// rostered people to that section's open checklists of those days. Never removes
    /// anyone: whoever joined or worked a checklist stays on it.
    pub(crate) async fn roster_to_participants(
        &self,
        c: &impl Conn,
        section_id: Uuid,
        from: NaiveDate,
        to: Option<NaiveDate>,
    ) -> AppResult<()> {
        let today = self.operational_today_in(c).await?.0;
        let from = from.max(today);
        let to = to.unwrap_or_else(|| from.checked_add_days(Days::new(MAX_RANGE_DAYS)).unwrap_or(from));
        if to < from {
            return Ok(());
        }
        let filter = InstanceFilter {
            section_id: Some(section_id),
            start_date: Some(from),
            end_date: Some(to),
            ..InstanceFilter::default()
        };
        let open: Vec<InstanceRow> = checklists::all_instances(c, &filter, MAX_SYNCED_INSTANCES)
            .await?
            .into_iter()
            .filter(|i| !i.status.is_closed())
            .collect();
        let Some(last) = open.iter().map(|i| i.checklist_date).max() else { return Ok(()) };
        // One read of the section's roster for every checklist it reaches.
        let roster = SectionRoster::read(c, section_id, from, last).await?;
        let now = self.clock.now();
        for instance in open {
            if roster.join(c, &instance, now).await? {
                // The checklist's view names its participants: a new revision.
                checklists::touch_instance(c, instance.id, now).await?;
            }
        }
        Ok(())
    }
}

/// A section's people, the shift definitions and their roster over a range: what
/// deciding who joins the section's checklists of those days needs.
struct SectionRoster {
    shifts: Vec<ShiftRow>,
    people: Vec<Uuid>,
    book: RosterBook,
}

impl SectionRoster {
    async fn read(c: &impl Conn, section_id: Uuid, from: NaiveDate, to: NaiveDate) -> AppResult<SectionRoster> {
        let people = section_people(c, section_id).await?;
        let book = RosterBook::read(c, people.clone(), from, to).await?;
        Ok(SectionRoster { shifts: shifts::list(c).await?, people, book })
    }

    /// The people rostered for `instance` (a checklist of the range read).
    fn rostered(&self, instance: &InstanceRow) -> Vec<Uuid> {
        let Some(shift) = shift_of_type(&self.shifts, *instance.shift) else { return Vec::new() };
        let date = instance.checklist_date;
        self.people.iter().copied().filter(|u| self.book.day(*u, date).works(shift.id)).collect()
    }

    /// Adds the people rostered for `instance` (a checklist of the range read) to its
    /// participants; returns whether anyone was added.
    async fn join(&self, c: &impl Conn, instance: &InstanceRow, now: DateTime<Utc>) -> AppResult<bool> {
        let mut added = false;
        for user_id in self.rostered(instance) {
            let row = ParticipantRow { id: new_id(), instance_id: instance.id, user_id, joined_at: now };
            added |= checklists::add_participant(c, row).await?;
        }
        Ok(added)
    }
}

/// The people the roster puts on `instance`'s shift (its section, date and shift):
/// whom its reminders go to first and who is paid for staffing it.
pub(crate) async fn rostered_for(c: &impl Conn, instance: &InstanceRow) -> AppResult<Vec<Uuid>> {
    let date = instance.checklist_date;
    Ok(SectionRoster::read(c, instance.section_id, date, date).await?.rostered(instance))
}

/// The shift rows by id.
async fn shifts_by_id(c: &impl Conn) -> AppResult<HashMap<i32, ShiftRow>> {
    Ok(shifts::list(c).await?.into_iter().map(|s| (s.id, s)).collect())
}
