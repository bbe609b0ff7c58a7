//! Days off: an operator requests theirs (PENDING, their managers are told); a manager
//! or admin files them for their people, approved at once if they say so; a supervisor
//! approves or rejects a request; the person or a supervisor cancels one. Only an
//! approved day off takes the days off the roster.

use chrono::NaiveDate;
use serde_json::json;
use uuid::Uuid;

use sentinelops_domain::ids::new_id;
use sentinelops_store::repo::roster::{self as repo, DayOffRow};
use sentinelops_store::repo::users;

use super::assign::check_range;
use super::book::APPROVED;
use crate::access::{can_supervise_section, own_section};
use crate::actor::Actor;
use crate::audit::{OpsEvent, record_ops};
use crate::error::{AppError, AppResult, forbidden, invalid, not_found};
use crate::gamification::scope::display_name;
use crate::notifications::{self, Audience, Draft, Priority};
use crate::tx::commit;
use crate::{App, validate};

const PENDING: &str = "PENDING";
const REJECTED: &str = "REJECTED";
const CANCELLED: &str = "CANCELLED";
/// Days off listed at most.
const LIST_LIMIT: u64 = 500;

#[derive(Debug, Clone)]
pub struct DayOffInput {
    /// Whose days off; `None`: the caller's own.
    pub user_id: Option<Uuid>,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub reason: Option<String>,
    /// Honoured for a supervisor of the person's section; otherwise it is a request.
    pub approved: bool,
}

#[derive(Debug, Clone)]
pub struct DayOffRequested {
    pub row: DayOffRow,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayOffDecision {
    Approve,
    Reject,
    Cancel,
}

fn day_off_event(event_type: &'static str, row: &DayOffRow) -> OpsEvent {
    OpsEvent {
        event_type,
        entity_type: "DAY_OFF",
        entity_id: row.id.to_string(),
        section_id: Some(row.section_id),
        payload: json!({ "user_id": row.user_id, "start_date": row.start_date, "end_date": row.end_date,
                         "reason": row.reason, "status": row.status }),
    }
}

fn dates(row: &DayOffRow) -> String {
    if row.start_date == row.end_date {
        row.start_date.format("%d %b %Y").to_string()
    } else {
        format!("{} to {}", row.start_date.format("%d %b %Y"), row.end_date.format("%d %b %Y"))
    }
}

impl App {
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn request_day_off(&self, actor: &Actor, input: DayOffInput) -> AppResult<DayOffRequested> {
        let start = validate::date("start_date", input.start_date)?;
        let end = validate::date("end_date", input.end_date)?;
        check_range(start, end)?;
        let reason = validate::text(
            "reason",
            input.reason.as_deref().filter(|r| !r.trim().is_empty()).unwrap_or("Time Off"),
            1,
            500,
        )?;
        let tx = self.store.begin_write().await?;
        let target = input.user_id.unwrap_or(actor.user_id);
        let user = users::find(&tx, target).await?.ok_or_else(|| not_found("Target user not found"))?;
        let section = user.section_id.ok_or_else(|| invalid("The user belongs to no section, so has no roster"))?;
        let supervises = can_supervise_section(actor, section).is_ok();
        if target != actor.user_id && !supervises {
            return Err(forbidden("You can only register days off for yourself"));
        }
        let active = repo::days_off_of(&tx, vec![target], start, end, &[PENDING, APPROVED]).await?;
        if !active.is_empty() {
            return Err(AppError::Conflict("Days off already registered for this period".into()));
        }
        let now = self.clock.now();
        let approved = input.approved && supervises;
        let row = DayOffRow {
            id: new_id(),
            user_id: target,
            section_id: section,
            start_date: start,
            end_date: end,
            reason,
            status: if approved { APPROVED } else { PENDING }.to_owned(),
            requested_by: actor.recorded_id(),
            decided_by: approved.then_some(actor.user_id).filter(|id| !id.is_nil()),
            decided_at: approved.then_some(now),
            created_at: now,
        };
        repo::insert_day_off(&tx, row.clone()).await?;
        record_ops(&tx, now, actor, day_off_event("DAY_OFF_REQUESTED", &row)).await?;
        let draft = if approved {
            Draft {
                title: "Days off registered".into(),
                message: format!("Your days off ({}, {}) are approved.", dates(&row), row.reason),
                priority: Priority::Medium,
                related_entity: "schedule",
                related_id: Some(row.id),
                section_id: Some(section),
                audience: Audience::Users(vec![target]),
                exclude: actor.recorded_id(),
            }
        } else {
            Draft {
                title: format!("Day off requested: {}", display_name(&user)),
                message: format!("{} asks for {} off ({}).", display_name(&user), dates(&row), row.reason),
                priority: Priority::Medium,
                related_entity: "schedule",
                related_id: Some(row.id),
                section_id: Some(section),
                audience: Audience::SectionManagersAndAdmins { section_id: section },
                exclude: actor.recorded_id(),
            }
        };
        notifications::send(&tx, now, draft).await?;
        commit(tx).await?;
        Ok(DayOffRequested { row })
    }

    /// Days off to see: operators their own, managers their section's, admins a
    /// section's or everyone's; newest first.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn list_days_off(
        &self,
        actor: &Actor,
        section_id: Option<Uuid>,
        status: Option<String>,
    ) -> AppResult<Vec<DayOffRow>> {
        let status = match status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => Some(
                [PENDING, APPROVED, REJECTED, CANCELLED]
                    .into_iter()
                    .find(|known| known.eq_ignore_ascii_case(s))
                    .ok_or_else(|| invalid("status must be PENDING, APPROVED, REJECTED or CANCELLED"))?,
            ),
            None => None,
        };
        let c = self.store.reader();
        let (section, user) = if actor.is_admin() {
            (section_id, None)
        } else if actor.role.is_supervisor() {
            let own = own_section(actor)?;
            if section_id.is_some_and(|s| s != own) {
                return Err(forbidden("This resource belongs to another section"));
            }
            (Some(own), None)
        } else {
            (None, Some(actor.user_id))
        };
        Ok(repo::list_days_off(c, section, user, status, LIST_LIMIT).await?)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn decide_day_off(&self, actor: &Actor, id: Uuid, decision: DayOffDecision) -> AppResult<DayOffRow> {
        let tx = self.store.begin_write().await?;
        let mut row = repo::find_day_off(&tx, id).await?.ok_or_else(|| not_found("Day off not found"))?;
        let supervises = can_supervise_section(actor, row.section_id);
        let (allowed_from, to, event) = match decision {
            DayOffDecision::Approve => (&[PENDING][..], APPROVED, "DAY_OFF_APPROVED"),
            DayOffDecision::Reject => (&[PENDING][..], REJECTED, "DAY_OFF_REJECTED"),
            DayOffDecision::Cancel => (&[PENDING, APPROVED][..], CANCELLED, "DAY_OFF_CANCELLED"),
        };
        match decision {
            DayOffDecision::Cancel if row.user_id == actor.user_id => {}
            _ => supervises?,
        }
        if !allowed_from.contains(&row.status.as_str()) {
            return Err(AppError::Conflict(format!(
                "This day off is {}; it cannot be {}",
                row.status,
                to.to_lowercase()
            )));
        }
        let now = self.clock.now();
        row.status = to.to_owned();
        row.decided_by = actor.recorded_id();
        row.decided_at = Some(now);
        repo::save_day_off(&tx, row.clone()).await?;
        record_ops(&tx, now, actor, day_off_event(event, &row)).await?;
        let draft = Draft {
            title: format!("Day off {}", to.to_lowercase()),
            message: format!("Your days off ({}, {}) are {}.", dates(&row), row.reason, to.to_lowercase()),
            priority: Priority::Medium,
            related_entity: "schedule",
            related_id: Some(row.id),
            section_id: Some(row.section_id),
            audience: Audience::Users(vec![row.user_id]),
            exclude: actor.recorded_id(),
        };
        notifications::send(&tx, now, draft).await?;
        // A cancelled day off gives the days back to the roster.
        if decision == DayOffDecision::Cancel {
            self.roster_to_participants(&tx, row.section_id, row.start_date, Some(row.end_date)).await?;
        }
        commit(tx).await?;
        Ok(row)
    }
}
