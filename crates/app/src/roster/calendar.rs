//! Calendar feeds (issue 20 item 6): a private iCalendar URL per user with their own
//! shifts, and one per section for its managers with everyone's, so people subscribe
//! from Outlook or Google Calendar. The URL holds a secret token; only its SHA-256 is
//! stored, so the URL is shown when the feed is made (or made anew) and never again.
//! Rotating replaces the token, revoking deletes the feed: the old URL then answers 404.

use chrono::{DateTime, Days, NaiveDate, Utc};
use uuid::Uuid;

use sentinelops_domain::SECTION_SUPERVISORS;
use sentinelops_domain::calendar::{self, Event, When};
use sentinelops_domain::ids::new_id;
use sentinelops_domain::roster::Planned;
use sentinelops_domain::shift::ShiftWindow;
use sentinelops_store::Conn;
use sentinelops_store::repo::calendar::{self as repo, FeedRow};
use sentinelops_store::repo::org;
use sentinelops_store::repo::users::{self, UserFilter};

use super::book::RosterBook;
use super::shifts_by_id;
use crate::access::can_supervise_section;
use crate::actor::Actor;
use crate::auth::{new_token, token_hash};
use crate::error::{AppResult, not_found};
use crate::gamification::scope::display_name;
use crate::tx::commit;
use crate::{App, UserRow};

/// Days a feed reaches back, and ahead.
pub const FEED_DAYS_BACK: u64 = 30;
pub const FEED_DAYS_AHEAD: u64 = 90;
/// The scope of a user's own feed (a section feed's scope is the section's id).
const MINE: &str = "me";

/// A feed as its owner sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarFeed {
    /// `None`: the owner's own shifts; else the section's roster.
    pub section_id: Option<Uuid>,
    /// The secret URL path (`/calendar/<token>.ics`): only when the token was just
    /// made, since only its hash is kept.
    pub path: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The feed's path for a token.
pub fn feed_path(token: &str) -> String {
    format!("/calendar/{token}.ics")
}

fn scope_of(section_id: Option<Uuid>) -> String {
    section_id.map_or_else(|| MINE.to_owned(), |s| s.to_string())
}

/// A section feed is for the section's managers and admins.
async fn check_scope(c: &impl Conn, actor: &Actor, section_id: Option<Uuid>) -> AppResult<()> {
    if let Some(section) = section_id {
        can_supervise_section(actor, section)?;
        org::find_section(c, section).await?.ok_or_else(|| not_found("Section not found"))?;
    }
    Ok(())
}

/// Whether a token could be one we made (43 characters of base64url), before any query.
fn plausible(token: &str) -> bool {
    token.len() == 43 && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// One person's resolved days as events: each shift (UID stable per person, date and
/// shift) and each approved day off (all day).
struct Feeder<'a> {
    tz: chrono_tz::Tz,
    shifts: &'a std::collections::HashMap<i32, sentinelops_store::repo::shifts::ShiftRow>,
    book: &'a RosterBook,
    from: NaiveDate,
    to: NaiveDate,
}

impl Feeder<'_> {
    /// `name`: the person's name in a section feed (`None` in their own).
    fn events(&self, user: &UserRow, section: &str, name: Option<&str>, out: &mut Vec<Event>) {
        let who = |what: String| match name {
            Some(name) => format!("{name}: {what}"),
            None => what,
        };
        for date in self.from.iter_days().take_while(|d| *d <= self.to) {
            let Planned::Shifts(worked) = self.book.day(user.id, date) else { continue };
            for (shift_id, _) in worked {
                let Some(shift) = self.shifts.get(&shift_id) else { continue };
                let (start, end) = ShiftWindow { start: shift.start_time, end: shift.end_time }.bounds(date, self.tz);
                let summary = if section.is_empty() {
                    format!("{} shift", shift.name)
                } else {
                    format!("{} shift — {section}", shift.name)
                };
                out.push(Event {
                    uid: format!("shift-{}-{}-{}@sentinelops", user.id, date.format("%Y%m%d"), shift_id),
                    when: When::Timed { start, end },
                    summary: who(summary),
                    description: None,
                });
            }
        }
        for off in self.book.days_off.iter().filter(|d| d.user_id == user.id) {
            out.push(Event {
                uid: format!("dayoff-{}@sentinelops", off.id),
                when: When::AllDay { first: off.start_date, last: off.end_date },
                summary: who("Day off".to_owned()),
                description: Some(off.reason.clone()).filter(|r| !r.trim().is_empty()),
            });
        }
    }
}

impl App {
    /// The caller's feed (`section_id`: that section's, for its managers and admins),
    /// made on the first ask; its URL path is given only then.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn calendar_feed(&self, actor: &Actor, section_id: Option<Uuid>) -> AppResult<CalendarFeed> {
        let tx = self.store.begin_write().await?;
        check_scope(&tx, actor, section_id).await?;
        let scope = scope_of(section_id);
        if let Some(row) = repo::feed_of(&tx, actor.user_id, &scope).await? {
            return Ok(CalendarFeed { section_id, path: None, created_at: row.created_at });
        }
        let (row, token) = self.new_feed(actor, section_id, scope);
        if !repo::insert_feed(&tx, row.clone()).await? {
            // Made by a request at the same moment: that one showed the URL.
            return Ok(CalendarFeed { section_id, path: None, created_at: row.created_at });
        }
        commit(tx).await?;
        Ok(CalendarFeed { section_id, path: Some(feed_path(&token)), created_at: row.created_at })
    }

    /// The caller's feed as it stands, without making one (for pages that show it).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn calendar_feed_status(
        &self,
        actor: &Actor,
        section_id: Option<Uuid>,
    ) -> AppResult<Option<CalendarFeed>> {
        let c = self.store.reader();
        check_scope(c, actor, section_id).await?;
        Ok(repo::feed_of(c, actor.user_id, &scope_of(section_id)).await?.map(|row| CalendarFeed {
            section_id,
            path: None,
            created_at: row.created_at,
        }))
    }

    /// A new token for the caller's feed (made if there was none): the old URL stops working.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn rotate_calendar_feed(&self, actor: &Actor, section_id: Option<Uuid>) -> AppResult<CalendarFeed> {
        let tx = self.store.begin_write().await?;
        check_scope(&tx, actor, section_id).await?;
        let scope = scope_of(section_id);
        repo::delete_feed(&tx, actor.user_id, &scope).await?;
        let (row, token) = self.new_feed(actor, section_id, scope);
        if !repo::insert_feed(&tx, row.clone()).await? {
            return Err(crate::error::AppError::Conflict("The feed changed meanwhile; try again".to_owned()));
        }
        commit(tx).await?;
        Ok(CalendarFeed { section_id, path: Some(feed_path(&token)), created_at: row.created_at })
    }

    /// Revokes the caller's feed: its URL answers 404 from now on. `false`: there was none.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn revoke_calendar_feed(&self, actor: &Actor, section_id: Option<Uuid>) -> AppResult<bool> {
        let tx = self.store.begin_write().await?;
        check_scope(&tx, actor, section_id).await?;
        let revoked = repo::delete_feed(&tx, actor.user_id, &scope_of(section_id)).await?;
        commit(tx).await?;
        Ok(revoked)
    }

    fn new_feed(&self, actor: &Actor, section_id: Option<Uuid>, scope: String) -> (FeedRow, String) {
        let token = new_token();
        let row = FeedRow {
            id: new_id(),
            user_id: actor.user_id,
            section_id,
            scope,
            token_hash: token_hash(&token),
            created_at: self.clock.now(),
        };
        (row, token)
    }

    /// The iCalendar text of the feed whose token this is, from 30 days back to 90
    /// ahead. Not found for an unknown or revoked token, an inactive owner, or a
    /// section feed whose owner no longer supervises the section.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn calendar_ics(&self, token: &str) -> AppResult<String> {
        let gone = || not_found("Not Found");
        if !plausible(token) {
            return Err(gone());
        }
        let c = self.store.reader();
        let feed = repo::feed_by_hash(c, &token_hash(token)).await?.ok_or_else(gone)?;
        let owner = users::find(c, feed.user_id).await?.filter(|u| u.is_active).ok_or_else(gone)?;
        let (today, tz, _) = self.operational_today().await?;
        let from = today.checked_sub_days(Days::new(FEED_DAYS_BACK)).unwrap_or(today);
        let to = today.checked_add_days(Days::new(FEED_DAYS_AHEAD)).unwrap_or(today);
        let shifts = shifts_by_id(c).await?;
        let mut events = Vec::new();
        let name = match feed.section_id {
            Some(section_id) => {
                if !SECTION_SUPERVISORS.supervises(*owner.role, owner.section_id, section_id) {
                    return Err(gone());
                }
                let section = org::find_section(c, section_id).await?.ok_or_else(gone)?;
                let filter = UserFilter { section_id: Some(section_id), role: None, active_only: true };
                let people = users::list(c, &filter).await?;
                let book = RosterBook::read(c, people.iter().map(|u| u.id).collect(), from, to).await?;
                let feeder = Feeder { tz, shifts: &shifts, book: &book, from, to };
                for person in &people {
                    feeder.events(person, &section.name, Some(&display_name(person)), &mut events);
                }
                format!("SentinelOps — {} roster", section.name)
            }
            None => {
                let section = match owner.section_id {
                    Some(id) => org::find_section(c, id).await?.map(|s| s.name).unwrap_or_default(),
                    None => String::new(),
                };
                let book = RosterBook::read(c, vec![owner.id], from, to).await?;
                Feeder { tz, shifts: &shifts, book: &book, from, to }.events(&owner, &section, None, &mut events);
                format!("SentinelOps — {}'s shifts", display_name(&owner))
            }
        };
        Ok(calendar::render(&name, self.clock.now(), &events))
    }
}
