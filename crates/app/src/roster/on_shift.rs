//! Who is on shift now and who comes next, from the roster: the dashboard's crew panel
//! and `GET /api/v1/checklists/on-shift`.

use chrono::{DateTime, Days, NaiveDate, Utc};
use uuid::Uuid;

use sentinelops_domain::shift::ShiftType;
use sentinelops_store::repo::shifts;
use sentinelops_store::repo::users::{self, UserFilter};

use super::book::RosterBook;
use super::shift_of_type;
use crate::App;
use crate::access::{can_use_section, own_section};
use crate::actor::Actor;
use crate::error::AppResult;
use crate::gamification::scope::display_name;
use crate::shifts::window_of;

/// One shift's rostered people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crew {
    pub shift: ShiftType,
    /// The operational date the shift belongs to.
    pub date: NaiveDate,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Running now; otherwise it is the next shift to start.
    pub running: bool,
    /// By name.
    pub people: Vec<CrewMember>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrewMember {
    pub user_id: Uuid,
    pub name: String,
    pub section_id: Uuid,
}

/// A shift of a date with its window.
#[derive(Debug, Clone, Copy)]
struct Slot {
    shift: ShiftType,
    date: NaiveDate,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
}

impl App {
    /// The shift running now (if any) and the next one to start, each with the people
    /// rostered on it: of `section` (a member's own, any for an admin), or of every
    /// section for an admin who names none.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn on_shift(&self, actor: &Actor, section: Option<Uuid>) -> AppResult<Vec<Crew>> {
        let c = self.store.reader();
        let section = match (section, actor.is_admin()) {
            (Some(section), _) => {
                can_use_section(actor, section)?;
                Some(section)
            }
            (None, true) => None,
            (None, false) => Some(own_section(actor)?),
        };
        let (today, tz, _) = self.operational_today().await?;
        let tomorrow = today.checked_add_days(Days::new(1)).unwrap_or(today);
        let now = self.clock.now();
        // Today's and tomorrow's shifts in time order: the running one is among them,
        // and so is the next (a night shift runs into the next calendar day).
        let mut slots = Vec::with_capacity(2 * ShiftType::ALL.len());
        for shift in ShiftType::ALL {
            let window = window_of(c, shift).await?;
            for date in [today, tomorrow] {
                let (starts_at, ends_at) = window.bounds(date, tz);
                slots.push(Slot { shift, date, starts_at, ends_at });
            }
        }
        slots.sort_by_key(|s| s.starts_at);
        let running = slots.iter().find(|s| s.starts_at <= now && now < s.ends_at);
        let next = slots.iter().find(|s| s.starts_at > now);

        let filter = UserFilter { section_id: section, role: None, active_only: true };
        let people: Vec<_> = users::list(c, &filter).await?.into_iter().filter(|u| u.section_id.is_some()).collect();
        let book = RosterBook::read(c, people.iter().map(|u| u.id).collect(), today, tomorrow).await?;
        let shift_rows = shifts::list(c).await?;
        let mut crews = Vec::new();
        for (slot, running) in [(running, true), (next, false)] {
            let Some(slot) = slot.copied() else { continue };
            let on = shift_of_type(&shift_rows, slot.shift).map(|row| row.id);
            let mut crew: Vec<CrewMember> = people
                .iter()
                .filter(|u| on.is_some_and(|shift_id| book.day(u.id, slot.date).works(shift_id)))
                .filter_map(|u| Some(CrewMember { user_id: u.id, name: display_name(u), section_id: u.section_id? }))
                .collect();
            crew.sort_by(|a, b| a.name.cmp(&b.name));
            let Slot { shift, date, starts_at, ends_at } = slot;
            crews.push(Crew { shift, date, starts_at, ends_at, running, people: crew });
        }
        Ok(crews)
    }
}
