//! A section's roster as a grid: its people by days, each cell resolved (the shifts
//! worked, or why the day is off), days off still waiting for a decision marked, and
//! each shift's headcount per day against the section's minimum — the built-in UI's
//! week grid.

use std::collections::HashMap;

use chrono::{Days, NaiveDate};
use uuid::Uuid;

use sentinelops_domain::roster::{OffBecause, Planned};
use sentinelops_store::repo::roster as repo;
use sentinelops_store::repo::shifts::{self, ShiftRow};
use sentinelops_store::repo::users::{self, UserFilter};
use sentinelops_store::repo::{coverage, org};

use super::assign::check_range;
use super::book::RosterBook;
use crate::App;
use crate::access::{can_use_section, own_section};
use crate::actor::Actor;
use crate::error::{AppResult, not_found};
use crate::gamification::scope::display_name;

const PENDING: &[&str] = &["PENDING"];

/// One person's day in the grid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GridCell {
    /// The shift ids worked that day.
    Shifts(Vec<i32>),
    /// An approved day off or a day-off exception, with its reason.
    Off(String),
    /// An off day of the person's pattern.
    RestDay,
    Unscheduled,
}

#[derive(Debug, Clone)]
pub struct GridRow {
    pub user_id: Uuid,
    pub name: String,
    pub role: String,
    /// One cell per day of the grid.
    pub cells: Vec<GridCell>,
    /// Per day: a day off is requested and not decided yet.
    pub pending: Vec<bool>,
}

#[derive(Debug, Clone)]
pub struct RosterGrid {
    pub section_id: Uuid,
    pub section_name: String,
    pub days: Vec<NaiveDate>,
    pub shifts: Vec<ShiftRow>,
    pub rows: Vec<GridRow>,
    /// Per shift (in `shifts` order), the people on it each day.
    pub headcount: Vec<Vec<usize>>,
    /// Per shift (in `shifts` order), the section's minimum headcount (0: none set).
    pub minimums: Vec<usize>,
}

impl App {
    /// `section`'s roster from `from` for `days` days (its members and admins; a
    /// member who names none gets their own section).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn roster_grid(
        &self,
        actor: &Actor,
        section: Option<Uuid>,
        from: NaiveDate,
        days: u64,
    ) -> AppResult<RosterGrid> {
        let c = self.store.reader();
        let section_id = match section {
            Some(section) => section,
            None => own_section(actor)?,
        };
        can_use_section(actor, section_id)?;
        let section = org::find_section(c, section_id).await?.ok_or_else(|| not_found("Section not found"))?;
        let to = from.checked_add_days(Days::new(days.saturating_sub(1))).unwrap_or(from);
        check_range(from, to)?;
        let dates: Vec<NaiveDate> = from.iter_days().take_while(|d| *d <= to).collect();

        let filter = UserFilter { section_id: Some(section_id), role: None, active_only: true };
        let mut people = users::list(c, &filter).await?;
        people.sort_by_key(display_name);
        let ids: Vec<Uuid> = people.iter().map(|u| u.id).collect();
        let book = RosterBook::read(c, ids.clone(), from, to).await?;
        let pending = repo::days_off_of(c, ids, from, to, PENDING).await?;
        let shifts = shifts::list(c).await?;
        let set = coverage::minimums(c, Some(section_id)).await?;
        let minimums = shifts
            .iter()
            .map(|s| {
                let minimum = set.iter().find(|m| m.shift_id == s.id).map_or(0, |m| m.minimum);
                usize::try_from(minimum).unwrap_or(0)
            })
            .collect();
        let column: HashMap<i32, usize> = shifts.iter().enumerate().map(|(i, s)| (s.id, i)).collect();
        let mut headcount = vec![vec![0; dates.len()]; shifts.len()];

        let mut rows = Vec::with_capacity(people.len());
        for person in &people {
            let mut cells = Vec::with_capacity(dates.len());
            for (day, date) in dates.iter().enumerate() {
                let cell = match book.day(person.id, *date) {
                    Planned::Shifts(worked) => {
                        let ids: Vec<i32> = worked.into_iter().map(|(id, _)| id).collect();
                        for id in &ids {
                            if let Some(count) =
                                column.get(id).and_then(|i| headcount.get_mut(*i)).and_then(|c| c.get_mut(day))
                            {
                                *count += 1;
                            }
                        }
                        GridCell::Shifts(ids)
                    }
                    Planned::Off(OffBecause::PatternOffDay) => GridCell::RestDay,
                    Planned::Off(OffBecause::SwappedAway(_)) => GridCell::Off("Swapped away".to_owned()),
                    Planned::Off(OffBecause::DayOff(id)) => GridCell::Off(
                        book.days_off.iter().find(|d| d.id == id).map_or_else(String::new, |d| d.reason.clone()),
                    ),
                    Planned::Off(OffBecause::Exception(id)) => GridCell::Off(
                        book.exceptions.iter().find(|e| e.id == id).and_then(|e| e.reason.clone()).unwrap_or_default(),
                    ),
                    Planned::Unscheduled => GridCell::Unscheduled,
                };
                cells.push(cell);
            }
            let pending = dates
                .iter()
                .map(|date| {
                    pending.iter().any(|d| d.user_id == person.id && d.start_date <= *date && *date <= d.end_date)
                })
                .collect();
            rows.push(GridRow {
                user_id: person.id,
                name: display_name(person),
                role: person.role.as_str().to_owned(),
                cells,
                pending,
            });
        }
        Ok(RosterGrid { section_id, section_name: section.name, days: dates, shifts, rows, headcount, minimums })
    }
}
