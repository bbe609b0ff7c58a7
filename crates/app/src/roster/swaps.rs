//! Shift swaps (issue 20 item 3). An operator offers one shift they are rostered for
//! (today or later), to one colleague or to the section; a colleague of the section
//! who is free that day accepts it; a manager of the section (or an admin) approves or
//! rejects it — unless the section's roster settings let acceptance complete it. The
//! offerer or a manager cancels it until it is decided. Each step is one conditional
//! update (`repo::swaps::transition`), so of two racers exactly one wins and the other
//! gets a conflict; each is an ops event and a notification (in-app and e-mail).
//!
//! An approved swap is a roster part (`domain::roster::Swap`): the shift leaves the
//! offerer's day and joins the taker's, and the taker joins that day's checklists.

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde_json::json;
use uuid::Uuid;

use sentinelops_domain::Role;
use sentinelops_domain::ids::new_id;
use sentinelops_domain::roster::{OffBecause, Planned, Source};
use sentinelops_domain::swap::{self, SwapAction, SwapStatus};
use sentinelops_store::Conn;
use sentinelops_store::repo::shifts::ShiftRow;
use sentinelops_store::repo::swaps::{self as repo, RosterSettingsRow, SwapFilter};
use sentinelops_store::repo::users::{self, UserFilter};

pub use sentinelops_store::repo::swaps::SwapRow;

use super::assign::{check_range, known_shift, title_case};
use super::book::RosterBook;
use super::shifts_by_id;
use crate::access::{can_supervise_section, can_use_section, own_section};
use crate::actor::Actor;
use crate::audit::{OpsEvent, record_ops};
use crate::error::{AppError, AppResult, forbidden, invalid, not_found};
use crate::gamification::scope::display_name;
use crate::notifications::{self, Audience, Draft, Priority};
use crate::tx::commit;
use crate::{App, UserRow, validate};

/// Swaps listed at most.
const LIST_LIMIT: u64 = 500;
/// The related entity of swap notifications (e-mailed as well, see `outbox`).
pub const SWAP_NOTICE: &str = "shift_swap";
/// Whether a section's swaps need a manager's approval when it has no settings yet.
pub const SWAPS_NEED_APPROVAL_DEFAULT: bool = true;

/// An offer of one of the caller's rostered shifts.
#[derive(Debug, Clone)]
pub struct SwapOffer {
    pub date: NaiveDate,
    pub shift_id: i32,
    /// A colleague of the section the offer is for alone; `None`: the whole section.
    pub to_user_id: Option<Uuid>,
    pub note: Option<String>,
}

/// Which swaps to list.
#[derive(Debug, Clone, Default)]
pub struct SwapQuery {
    /// Admins: one section (default all); others: their own.
    pub section_id: Option<Uuid>,
    /// OFFERED, ACCEPTED, APPROVED, REJECTED or CANCELLED (any case).
    pub status: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// What someone does to a swap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SwapDecision {
    /// A colleague takes it.
    Accept,
    /// A manager of the section or an admin.
    Approve,
    /// A manager of the section or an admin.
    Reject,
    /// The offerer, a manager of the section or an admin.
    Cancel,
}

/// A swap with the names its views show.
#[derive(Debug, Clone)]
pub struct SwapView {
    pub row: SwapRow,
    pub shift_name: String,
    pub offered_by_name: String,
    pub offered_to_name: Option<String>,
    pub taken_by_name: Option<String>,
}

/// A section's roster settings (the defaults when never set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterSettings {
    pub section_id: Uuid,
    pub swaps_need_approval: bool,
    pub updated_by: Option<Uuid>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// One of the caller's rostered shifts that may be offered, and their open offer of it.
#[derive(Debug, Clone)]
pub struct OfferableShift {
    pub date: NaiveDate,
    pub shift: ShiftRow,
    pub open_offer: Option<Uuid>,
}

fn settings_of(section_id: Uuid, row: Option<RosterSettingsRow>) -> RosterSettings {
    match row {
        Some(r) => RosterSettings {
            section_id,
            swaps_need_approval: r.swaps_need_approval,
            updated_by: r.updated_by,
            updated_at: Some(r.updated_at),
        },
        None => RosterSettings {
            section_id,
            swaps_need_approval: SWAPS_NEED_APPROVAL_DEFAULT,
            updated_by: None,
            updated_at: None,
        },
    }
}

fn swap_event(event_type: &'static str, row: &SwapRow) -> OpsEvent {
    OpsEvent {
        event_type,
        entity_type: "SHIFT_SWAP",
        entity_id: row.id.to_string(),
        section_id: Some(row.section_id),
        payload: json!({ "date": row.date, "shift_id": row.shift_id, "offered_by": row.offered_by,
                         "offered_to": row.offered_to, "taken_by": row.taken_by, "status": row.status.as_str(),
                         "auto_approved": row.auto_approved, "reason": row.decision_reason }),
    }
}

fn notice(row: &SwapRow, title: String, message: String, audience: Audience, actor: &Actor) -> Draft {
    Draft {
        title,
        message,
        priority: Priority::Medium,
        related_entity: SWAP_NOTICE,
        related_id: Some(row.id),
        section_id: Some(row.section_id),
        audience,
        exclude: actor.recorded_id(),
    }
}

fn optional_text(field: &str, value: Option<&str>) -> AppResult<Option<String>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => Ok(Some(validate::text(field, v, 1, 500)?)),
        None => Ok(None),
    }
}

/// Why `planned` (the would-be taker's day) cannot take `shift`, if it cannot.
fn unfit_taker(planned: &Planned, shift: &ShiftRow) -> Option<&'static str> {
    match planned {
        Planned::Off(OffBecause::DayOff(_)) => Some("is off that day (an approved day off)"),
        Planned::Off(OffBecause::Exception(_)) => Some("is off that day (a day-off exception)"),
        Planned::Shifts(shifts) if shifts.iter().any(|(_, s)| matches!(s, Source::Exception(_))) => {
            Some("has that day set by a manager's exception")
        }
        p if p.works(shift.id) => Some("already works that shift that day"),
        _ => None,
    }
}

/// Why a rostered day has no shift to give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CannotGive {
    NotRostered,
    /// Set by an exception, which would win over the swap.
    ByException,
}

/// Whether `planned` (the offerer's day) has `shift` to give: rostered, and not by an
/// exception (which would win over the swap).
fn can_give(planned: &Planned, shift: &ShiftRow) -> Result<(), CannotGive> {
    match planned {
        Planned::Shifts(shifts) => match shifts.iter().find(|(id, _)| *id == shift.id) {
            Some((_, Source::Exception(_))) => Err(CannotGive::ByException),
            Some(_) => Ok(()),
            None => Err(CannotGive::NotRostered),
        },
        _ => Err(CannotGive::NotRostered),
    }
}

fn day_words(date: NaiveDate) -> String {
    date.format("%a %d %b %Y").to_string()
}

impl App {
    /// A section's roster settings: its people and admins read them.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn roster_settings(&self, actor: &Actor, section_id: Uuid) -> AppResult<RosterSettings> {
        let c = self.store.reader();
        self.known_section(c, section_id).await?;
        can_use_section(actor, section_id)?;
        Ok(settings_of(section_id, repo::settings_of(c, section_id).await?))
    }

    /// Sets whether the section's swaps need a manager's approval (its managers, admins).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn set_roster_settings(
        &self,
        actor: &Actor,
        section_id: Uuid,
        swaps_need_approval: bool,
    ) -> AppResult<RosterSettings> {
        let tx = self.store.begin_write().await?;
        self.known_section(&tx, section_id).await?;
        can_supervise_section(actor, section_id)?;
        let now = self.clock.now();
        let row =
            RosterSettingsRow { section_id, swaps_need_approval, updated_by: actor.recorded_id(), updated_at: now };
        repo::save_settings(&tx, row.clone()).await?;
        let event = OpsEvent {
            event_type: "ROSTER_SETTINGS_UPDATED",
            entity_type: "ROSTER",
            entity_id: section_id.to_string(),
            section_id: Some(section_id),
            payload: json!({ "swaps_need_approval": swaps_need_approval }),
        };
        record_ops(&tx, now, actor, event).await?;
        commit(tx).await?;
        Ok(settings_of(section_id, Some(row)))
    }

    async fn known_section(&self, c: &impl Conn, section_id: Uuid) -> AppResult<()> {
        sentinelops_store::repo::org::find_section(c, section_id)
            .await?
            .map(|_| ())
            .ok_or_else(|| not_found("Section not found"))
    }

    /// The swaps of a section (admins: any, or all; others: their own), by date.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn list_shift_swaps(&self, actor: &Actor, q: SwapQuery) -> AppResult<Vec<SwapView>> {
        let statuses = match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(text) => vec![
                SwapStatus::parse(text)
                    .ok_or_else(|| invalid("status must be OFFERED, ACCEPTED, APPROVED, REJECTED or CANCELLED"))?,
            ],
            None => Vec::new(),
        };
        let from = q.from.map(|d| validate::date("from", d)).transpose()?;
        let to = q.to.map(|d| validate::date("to", d)).transpose()?;
        if let (Some(from), Some(to)) = (from, to) {
            check_range(from, to)?;
        }
        let section_id = match (q.section_id, actor.is_admin()) {
            (Some(section), _) => {
                can_use_section(actor, section)?;
                Some(section)
            }
            (None, true) => None,
            (None, false) => Some(own_section(actor)?),
        };
        let c = self.store.reader();
        let filter = SwapFilter { section_id, statuses, from, to };
        let rows = repo::list(c, &filter, LIST_LIMIT).await?;
        views(c, rows).await
    }

    /// One swap (its section's people and admins).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn shift_swap(&self, actor: &Actor, id: Uuid) -> AppResult<SwapView> {
        let c = self.store.reader();
        let row = repo::find(c, id).await?.ok_or_else(|| not_found("Shift swap not found"))?;
        can_use_section(actor, row.section_id)?;
        one_view(c, row).await
    }

    /// The caller's rostered shifts of the next `days` days (today included) and their
    /// open offers of them: what the swaps page offers.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn my_offerable_shifts(&self, actor: &Actor, days: u64) -> AppResult<Vec<OfferableShift>> {
        let c = self.store.reader();
        let today = self.operational_today().await?.0;
        let to = today.checked_add_days(Days::new(days.saturating_sub(1))).unwrap_or(today);
        check_range(today, to)?;
        let me = actor.user_id;
        let book = RosterBook::read(c, vec![me], today, to).await?;
        let shifts = shifts_by_id(c).await?;
        let open = repo::list(
            c,
            &SwapFilter {
                section_id: actor.section_id,
                statuses: vec![SwapStatus::Offered, SwapStatus::Accepted],
                from: Some(today),
                to: Some(to),
            },
            LIST_LIMIT,
        )
        .await?;
        let mut out = Vec::new();
        for date in today.iter_days().take_while(|d| *d <= to) {
            let planned = book.day(me, date);
            let Planned::Shifts(planned_shifts) = &planned else { continue };
            for (shift_id, _) in planned_shifts {
                let Some(shift) = shifts.get(shift_id) else { continue };
                if can_give(&planned, shift).is_err() {
                    continue;
                }
                let open_offer =
                    open.iter().find(|s| s.offered_by == me && s.date == date && s.shift_id == *shift_id).map(|s| s.id);
                out.push(OfferableShift { date, shift: shift.clone(), open_offer });
            }
        }
        Ok(out)
    }

    /// Offers one of the caller's rostered shifts (today or later) to a colleague or to
    /// the section.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn offer_shift_swap(&self, actor: &Actor, offer: SwapOffer) -> AppResult<SwapView> {
        let date = validate::date("date", offer.date)?;
        let note = optional_text("note", offer.note.as_deref())?;
        let section = own_section(actor)?;
        let tx = self.store.begin_write().await?;
        let today = self.operational_today_in(&tx).await?.0;
        if date < today {
            return Err(invalid(format!("{date} is in the past: only today's and later shifts can be offered")));
        }
        let shift = known_shift(&tx, offer.shift_id).await?;
        let me = actor.user_id;
        let to = match offer.to_user_id {
            Some(id) if id == me => return Err(invalid("to_user_id must be a colleague, not yourself")),
            Some(id) => {
                let user = users::find(&tx, id).await?.filter(|u| u.section_id == Some(section) && u.is_active);
                Some(user.ok_or_else(|| invalid("to_user_id must be an active colleague of your section"))?)
            }
            None => None,
        };
        let people: Vec<Uuid> = std::iter::once(me).chain(to.as_ref().map(|u| u.id)).collect();
        let book = RosterBook::read(&tx, people, date, date).await?;
        can_give(&book.day(me, date), &shift).map_err(|why| match why {
            CannotGive::NotRostered => {
                not_found(format!("You are not rostered for the {} shift on {date}", title_case(&shift.name)))
            }
            CannotGive::ByException => {
                invalid("This shift is set by a manager's exception for the day; ask a manager to change it".to_owned())
            }
        })?;
        if let Some(user) = &to
            && let Some(why) = unfit_taker(&book.day(user.id, date), &shift)
        {
            return Err(AppError::Conflict(format!("{} {why}", display_name(user))));
        }
        let offered_already = || AppError::Conflict(format!("You already offered the {} shift on {date}", shift.name));
        if !repo::open_offers_of(&tx, me, date, shift.id).await?.is_empty() {
            return Err(offered_already());
        }
        let now = self.clock.now();
        let row = SwapRow {
            id: new_id(),
            section_id: section,
            date,
            shift_id: shift.id,
            offered_by: me,
            offered_to: to.as_ref().map(|u| u.id),
            taken_by: None,
            status: SwapStatus::Offered.into(),
            note,
            auto_approved: false,
            decided_by: None,
            decision_reason: None,
            created_at: now,
            accepted_at: None,
            decided_at: None,
            updated_at: now,
        };
        repo::insert(&tx, row.clone()).await.map_err(|e| match e {
            sentinelops_store::StoreError::Conflict(_) => offered_already(),
            other => other.into(),
        })?;
        record_ops(&tx, now, actor, swap_event("SHIFT_SWAP_OFFERED", &row)).await?;
        let offerer = users::find(&tx, me).await?.map(|u| display_name(&u)).unwrap_or_else(|| actor.username.clone());
        let what = format!("the {} shift on {}", title_case(&shift.name), day_words(date));
        let (audience, message) = match &to {
            Some(user) => (Audience::Users(vec![user.id]), format!("{offerer} offers you {what}.")),
            None => {
                let filter = UserFilter { section_id: Some(section), role: Some(Role::User), active_only: true };
                let operators = users::list(&tx, &filter).await?.into_iter().map(|u| u.id).collect();
                (Audience::Users(operators), format!("{offerer} offers {what} to the section."))
            }
        };
        let title = format!("Shift offered: {} {}", title_case(&shift.name), date.format("%d %b"));
        notifications::send(&tx, now, notice(&row, title, message, audience, actor)).await?;
        commit(tx).await?;
        one_view(self.store.reader(), row).await
    }

    /// Accepts, approves, rejects or cancels a swap (`reason`: a rejection's or
    /// cancellation's words). A swap another request moved first is a conflict.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn decide_shift_swap(
        &self,
        actor: &Actor,
        id: Uuid,
        decision: SwapDecision,
        reason: Option<String>,
    ) -> AppResult<SwapView> {
        let reason = optional_text("reason", reason.as_deref())?;
        if decision == SwapDecision::Reject && reason.is_none() {
            return Err(invalid("reason is required to reject a swap"));
        }
        let tx = self.store.begin_write().await?;
        let mut row = repo::find(&tx, id).await?.ok_or_else(|| not_found("Shift swap not found"))?;
        let from = row.status.get();
        match decision {
            SwapDecision::Accept => {
                can_use_section(actor, row.section_id)?;
                if actor.section_id != Some(row.section_id) {
                    return Err(forbidden("Only colleagues of the section can take a shift"));
                }
                if row.offered_by == actor.user_id {
                    return Err(invalid("You cannot take your own shift"));
                }
                if row.offered_to.is_some_and(|to| to != actor.user_id) {
                    return Err(forbidden("This shift is offered to someone else"));
                }
            }
            SwapDecision::Approve | SwapDecision::Reject => can_supervise_section(actor, row.section_id)?,
            SwapDecision::Cancel if row.offered_by == actor.user_id => {}
            SwapDecision::Cancel => can_supervise_section(actor, row.section_id)?,
        }
        let needs_approval = match decision {
            SwapDecision::Accept => {
                settings_of(row.section_id, repo::settings_of(&tx, row.section_id).await?).swaps_need_approval
            }
            _ => true,
        };
        let action = match decision {
            SwapDecision::Accept => SwapAction::Accept { needs_approval },
            SwapDecision::Approve => SwapAction::Approve,
            SwapDecision::Reject => SwapAction::Reject,
            SwapDecision::Cancel => SwapAction::Cancel,
        };
        let to = swap::next(from, action).ok_or_else(|| {
            AppError::Conflict(format!(
                "This swap is {}; it cannot be {}",
                from.as_str().to_lowercase(),
                action.past_participle()
            ))
        })?;
        let today = self.operational_today_in(&tx).await?.0;
        let shift = known_shift(&tx, row.shift_id).await?;
        let taker = if decision == SwapDecision::Accept { Some(actor.user_id) } else { row.taken_by };
        if to == SwapStatus::Accepted || to == SwapStatus::Approved {
            if row.date < today {
                return Err(invalid(format!(
                    "{} is in the past: the swap can no longer be {}",
                    row.date,
                    action.past_participle()
                )));
            }
            self.check_still_swappable(&tx, &row, taker, &shift).await?;
        }
        let now = self.clock.now();
        row.status = to.into();
        row.updated_at = now;
        if decision == SwapDecision::Accept {
            row.taken_by = Some(actor.user_id);
            row.accepted_at = Some(now);
        }
        if to.is_final() {
            // Completed on acceptance: decided by the section's setting, not by anyone.
            let automatic = decision == SwapDecision::Accept;
            row.decided_at = Some(now);
            row.decided_by = if automatic { None } else { actor.recorded_id() };
            row.auto_approved = automatic;
        }
        if matches!(decision, SwapDecision::Reject | SwapDecision::Cancel) {
            row.decision_reason = reason;
        }
        if !repo::transition(&tx, row.clone(), from).await? {
            return Err(AppError::Conflict("Someone else changed this swap first; reload and try again".into()));
        }
        let events: &[&'static str] = match (decision, to) {
            (SwapDecision::Accept, SwapStatus::Approved) => &["SHIFT_SWAP_ACCEPTED", "SHIFT_SWAP_APPROVED"],
            (SwapDecision::Accept, _) => &["SHIFT_SWAP_ACCEPTED"],
            (SwapDecision::Approve, _) => &["SHIFT_SWAP_APPROVED"],
            (SwapDecision::Reject, _) => &["SHIFT_SWAP_REJECTED"],
            (SwapDecision::Cancel, _) => &["SHIFT_SWAP_CANCELLED"],
        };
        for event in events {
            record_ops(&tx, now, actor, swap_event(event, &row)).await?;
        }
        self.notify_swap(&tx, actor, &row, decision, &shift, now).await?;
        if to == SwapStatus::Approved {
            // The taker joins that day's checklists (the offerer stays where they are).
            self.roster_to_participants(&tx, row.section_id, row.date, Some(row.date)).await?;
        }
        commit(tx).await?;
        one_view(self.store.reader(), row).await
    }

    /// The roster still allows the swap: the offerer works the shift, the taker (if
    /// any yet) is a free, active colleague of the section.
    async fn check_still_swappable(
        &self,
        c: &impl Conn,
        row: &SwapRow,
        taker: Option<Uuid>,
        shift: &ShiftRow,
    ) -> AppResult<()> {
        let people: Vec<Uuid> = std::iter::once(row.offered_by).chain(taker).collect();
        let book = RosterBook::read(c, people, row.date, row.date).await?;
        if can_give(&book.day(row.offered_by, row.date), shift).is_err() {
            return Err(AppError::Conflict(format!(
                "The offerer is no longer rostered for the {} shift on {}",
                shift.name, row.date
            )));
        }
        let Some(taker) = taker else { return Ok(()) };
        let user = users::find(c, taker).await?.filter(|u| u.is_active && u.section_id == Some(row.section_id));
        let user =
            user.ok_or_else(|| AppError::Conflict("The taker is no longer an active colleague of the section".into()))?;
        if let Some(why) = unfit_taker(&book.day(taker, row.date), shift) {
            return Err(AppError::Conflict(format!("{} {why}", display_name(&user))));
        }
        Ok(())
    }

    async fn notify_swap(
        &self,
        c: &impl Conn,
        actor: &Actor,
        row: &SwapRow,
        decision: SwapDecision,
        shift: &ShiftRow,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        let named = users::find_many(c, [Some(row.offered_by), row.taken_by].into_iter().flatten().collect()).await?;
        let name = |id: Option<Uuid>| {
            id.and_then(|id| named.iter().find(|u| u.id == id)).map_or_else(|| "A colleague".to_owned(), display_name)
        };
        let (offerer, taker) = (name(Some(row.offered_by)), name(row.taken_by));
        let what = format!("the {} shift on {}", title_case(&shift.name), day_words(row.date));
        let short = format!("{} {}", title_case(&shift.name), row.date.format("%d %b"));
        let both: Vec<Uuid> = [Some(row.offered_by), row.taken_by].into_iter().flatten().collect();
        let managers = Audience::SectionManagersAndAdmins { section_id: row.section_id };
        let reason = row.decision_reason.as_deref().map(|r| format!(" Reason: {r}")).unwrap_or_default();
        let drafts = match (decision, row.status.get()) {
            (SwapDecision::Accept, SwapStatus::Approved) => vec![
                notice(
                    row,
                    format!("Swap completed: {short}"),
                    format!("{taker} took {what} from you. It is theirs now."),
                    Audience::Users(vec![row.offered_by]),
                    actor,
                ),
                notice(
                    row,
                    format!("Swap completed: {short}"),
                    format!("{taker} took {what} from {offerer} (no approval needed in this section)."),
                    managers,
                    actor,
                ),
            ],
            (SwapDecision::Accept, _) => vec![
                notice(
                    row,
                    format!("Swap accepted: {short}"),
                    format!("{taker} accepted {what}. It now waits for a manager's approval."),
                    Audience::Users(vec![row.offered_by]),
                    actor,
                ),
                notice(
                    row,
                    format!("Swap awaiting approval: {short}"),
                    format!("{offerer} gives {what} to {taker}. Approve or reject the swap."),
                    managers,
                    actor,
                ),
            ],
            (SwapDecision::Approve, _) => vec![notice(
                row,
                format!("Swap approved: {short}"),
                format!("The swap of {what} from {offerer} to {taker} is approved."),
                Audience::Users(both),
                actor,
            )],
            (SwapDecision::Reject, _) => vec![notice(
                row,
                format!("Swap rejected: {short}"),
                format!("The swap of {what} from {offerer} to {taker} is rejected.{reason}"),
                Audience::Users(both),
                actor,
            )],
            (SwapDecision::Cancel, _) => {
                let told: Vec<Uuid> = row.taken_by.or(row.offered_to).into_iter().collect();
                let cancelled_by =
                    if actor.user_id == row.offered_by { offerer.clone() } else { actor.username.clone() };
                let mut drafts = vec![notice(
                    row,
                    format!("Swap cancelled: {short}"),
                    format!("{cancelled_by} cancelled the offer of {what}.{reason}"),
                    Audience::Users(told),
                    actor,
                )];
                if actor.user_id != row.offered_by {
                    drafts.push(notice(
                        row,
                        format!("Swap cancelled: {short}"),
                        format!("Your offer of {what} was cancelled by {cancelled_by}.{reason}"),
                        Audience::Users(vec![row.offered_by]),
                        actor,
                    ));
                }
                drafts
            }
        };
        for draft in drafts {
            notifications::send(c, now, draft).await?;
        }
        Ok(())
    }
}

async fn one_view(c: &impl Conn, row: SwapRow) -> AppResult<SwapView> {
    let mut all = views(c, vec![row]).await?;
    all.pop().ok_or_else(|| AppError::Internal("a swap without its view".into()))
}

/// The rows with their shift's and people's names.
async fn views(c: &impl Conn, rows: Vec<SwapRow>) -> AppResult<Vec<SwapView>> {
    let mut ids: Vec<Uuid> =
        rows.iter().flat_map(|r| [Some(r.offered_by), r.offered_to, r.taken_by]).flatten().collect();
    ids.sort_unstable();
    ids.dedup();
    let people: Vec<UserRow> = users::find_many(c, ids).await?;
    let name = |id: Option<Uuid>| id.and_then(|id| people.iter().find(|u| u.id == id)).map(display_name);
    let shifts = shifts_by_id(c).await?;
    Ok(rows
        .into_iter()
        .map(|row| SwapView {
            shift_name: shifts.get(&row.shift_id).map_or_else(|| row.shift_id.to_string(), |s| s.name.clone()),
            offered_by_name: name(Some(row.offered_by)).unwrap_or_default(),
            offered_to_name: name(row.offered_to),
            taken_by_name: name(row.taken_by),
            row,
        })
        .collect())
}
