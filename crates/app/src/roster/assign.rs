//! Rostering people: single scheduled shifts, a pattern assigned to several people at
//! once (a rule from a start date, open-ended or not), and single-day exceptions.
//! Managers roster their section; admins any. Each change reaches the checklists of
//! those days (`roster_to_participants`) and the people rostered (a notification).

use chrono::NaiveDate;
use serde_json::json;
use uuid::Uuid;

use sentinelops_domain::ids::new_id;
use sentinelops_store::Conn;
use sentinelops_store::repo::roster::{self as repo, AssignmentRow, ExceptionRow, ScheduledRow};
use sentinelops_store::repo::shifts::{self, ShiftRow};
use sentinelops_store::repo::users;

use super::MAX_RANGE_DAYS;
use crate::access::can_supervise_section;
use crate::actor::Actor;
use crate::audit::{OpsEvent, record_ops};
use crate::error::{AppError, AppResult, invalid, not_found};
use crate::notifications::{self, Audience, Draft, Priority};
use crate::tx::commit;
use crate::{App, UserRow, validate};

#[derive(Debug, Clone)]
pub struct NewScheduledShift {
    pub shift_id: i32,
    pub user_id: Uuid,
    pub date: NaiveDate,
    /// Free text (the original frontend sends "scheduled"); default ASSIGNED.
    pub status: Option<String>,
}

#[derive(Debug, Clone)]
pub struct BulkAssign {
    pub users: Vec<Uuid>,
    pub pattern_id: Uuid,
    pub start_date: NaiveDate,
    /// `None`: open-ended.
    pub end_date: Option<NaiveDate>,
    pub section_id: Uuid,
}

#[derive(Debug, Clone)]
pub struct BulkAssigned {
    pub pattern_name: String,
    /// New assignments (one per user; a repeat of an existing one is not new).
    pub assignments_created: usize,
    /// "User <id>: <why>" for each user left out.
    pub errors: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct ExceptionInput {
    pub user_id: Uuid,
    pub date: NaiveDate,
    pub shift_id: Option<i32>,
    pub is_day_off: bool,
    pub reason: Option<String>,
}

/// The user a roster change is for, and their section (which the actor must supervise).
async fn rostered_user(c: &impl Conn, actor: &Actor, user_id: Uuid) -> AppResult<(UserRow, Uuid)> {
    let user = users::find(c, user_id).await?.ok_or_else(|| not_found("User not found"))?;
    let section = user.section_id.ok_or_else(|| invalid("The user belongs to no section, so has no roster"))?;
    can_supervise_section(actor, section)?;
    Ok((user, section))
}

pub(crate) async fn known_shift(c: &impl Conn, shift_id: i32) -> AppResult<ShiftRow> {
    shifts::find(c, shift_id).await?.ok_or_else(|| invalid(format!("shift_id {shift_id} does not exist")))
}

fn roster_event(event_type: &'static str, entity_id: Uuid, section: Uuid, payload: serde_json::Value) -> OpsEvent {
    OpsEvent { event_type, entity_type: "ROSTER", entity_id: entity_id.to_string(), section_id: Some(section), payload }
}

fn schedule_notice(title: String, message: String, section: Uuid, users: Vec<Uuid>, actor: &Actor) -> Draft {
    Draft {
        title,
        message,
        priority: Priority::Medium,
        related_entity: "schedule",
        related_id: None,
        section_id: Some(section),
        audience: Audience::Users(users),
        exclude: actor.recorded_id(),
    }
}

impl App {
    /// Rosters one person for one shift on one date.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn create_scheduled_shift(&self, actor: &Actor, input: NewScheduledShift) -> AppResult<ScheduledRow> {
        let date = validate::date("date", input.date)?;
        let status = match input.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => validate::text("status", s, 1, 32)?,
            None => "ASSIGNED".to_owned(),
        };
        let tx = self.store.begin_write().await?;
        let (user, section) = rostered_user(&tx, actor, input.user_id).await?;
        let shift = known_shift(&tx, input.shift_id).await?;
        let now = self.clock.now();
        let row = ScheduledRow {
            id: new_id(),
            shift_id: shift.id,
            user_id: user.id,
            section_id: section,
            date,
            status,
            assigned_by: actor.recorded_id(),
            created_at: now,
        };
        repo::insert_scheduled(&tx, row.clone()).await.map_err(|e| match e {
            sentinelops_store::StoreError::Conflict(_) => {
                AppError::Conflict(format!("{} already has the {} shift on {date}", user.username, shift.name))
            }
            other => other.into(),
        })?;
        let payload = json!({ "user_id": user.id, "shift": shift.name, "date": date, "status": row.status });
        record_ops(&tx, now, actor, roster_event("SHIFT_SCHEDULED", row.id, section, payload)).await?;
        let title = format!("{} shift assigned for {}", title_case(&shift.name), date.format("%d %b %Y"));
        let message =
            format!("You are rostered for the {} shift on {}.", title_case(&shift.name), date.format("%A %d %B %Y"));
        notifications::send(&tx, now, schedule_notice(title, message, section, vec![user.id], actor)).await?;
        self.roster_to_participants(&tx, section, date, Some(date)).await?;
        commit(tx).await?;
        Ok(row)
    }

    /// Takes a single scheduled shift off the roster. (A day a pattern gives is
    /// changed with an exception for that day.)
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn delete_scheduled_shift(&self, actor: &Actor, id: Uuid) -> AppResult<()> {
        let tx = self.store.begin_write().await?;
        let row = repo::find_scheduled(&tx, id).await?.ok_or_else(|| {
            not_found("Scheduled shift not found (a day a pattern gives is changed with an exception for that day)")
        })?;
        can_supervise_section(actor, row.section_id)?;
        repo::delete_scheduled(&tx, id).await?;
        let payload = json!({ "user_id": row.user_id, "shift_id": row.shift_id, "date": row.date });
        record_ops(&tx, self.clock.now(), actor, roster_event("SHIFT_UNSCHEDULED", id, row.section_id, payload))
            .await?;
        commit(tx).await
    }

    /// Gives a pattern to people of its section from a date. Users outside the section
    /// are left out and named in `errors`; assigning the same again changes nothing.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn bulk_assign(&self, actor: &Actor, input: BulkAssign) -> AppResult<BulkAssigned> {
        can_supervise_section(actor, input.section_id)?;
        let start = validate::date("start_date", input.start_date)?;
        let end = match input.end_date {
            Some(end) => Some(validate::date("end_date", end)?),
            None => None,
        };
        if end.is_some_and(|end| end < start) {
            return Err(invalid("end_date must not be before start_date"));
        }
        if input.users.is_empty() {
            return Err(invalid("users must name at least one user"));
        }
        let tx = self.store.begin_write().await?;
        let pattern = repo::find_pattern(&tx, input.pattern_id)
            .await?
            .filter(|p| p.section_id == input.section_id)
            .ok_or_else(|| invalid("Pattern not found in this section"))?;
        let existing = repo::assignments_of(&tx, input.users.clone(), start, end.unwrap_or(start)).await?;
        let found = users::find_many(&tx, input.users.clone()).await?;
        let now = self.clock.now();
        let (mut rows, mut errors, mut notified) = (Vec::new(), Vec::new(), Vec::new());
        for user_id in &input.users {
            let user = found.iter().find(|u| u.id == *user_id);
            match user {
                None => errors.push(format!("User {user_id}: not found")),
                Some(u) if u.section_id != Some(input.section_id) => {
                    errors.push(format!("User {user_id}: not in this section"))
                }
                Some(u) if !u.is_active => errors.push(format!("User {user_id}: inactive")),
                Some(u) => {
                    let repeat = existing.iter().any(|a: &AssignmentRow| {
                        a.user_id == u.id && a.pattern_id == pattern.id && a.start_date == start && a.end_date == end
                    });
                    if !repeat && !rows.iter().any(|r: &AssignmentRow| r.user_id == u.id) {
                        rows.push(AssignmentRow {
                            id: new_id(),
                            user_id: u.id,
                            section_id: input.section_id,
                            pattern_id: pattern.id,
                            start_date: start,
                            end_date: end,
                            assigned_by: actor.recorded_id(),
                            created_at: now,
                        });
                        notified.push(u.id);
                    }
                }
            }
        }
        let created = rows.len();
        repo::insert_assignments(&tx, rows).await?;
        if created > 0 {
            let payload = json!({ "pattern": pattern.name, "users": notified, "start_date": start, "end_date": end });
            record_ops(&tx, now, actor, roster_event("PATTERN_ASSIGNED", pattern.id, input.section_id, payload))
                .await?;
            let until =
                end.map_or_else(|| "until further notice".to_owned(), |e| format!("to {}", e.format("%d %b %Y")));
            let title = format!("Schedule updated: {}", pattern.name);
            let message = format!("From {} {until} you work the {} pattern.", start.format("%d %b %Y"), pattern.name);
            notifications::send(&tx, now, schedule_notice(title, message, input.section_id, notified, actor)).await?;
            self.roster_to_participants(&tx, input.section_id, start, end).await?;
        }
        commit(tx).await?;
        Ok(BulkAssigned { pattern_name: pattern.name, assignments_created: created, errors })
    }

    /// Sets one person's day by hand: off, or one shift instead of what the roster
    /// gives. Replaces an earlier exception for that day.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn set_shift_exception(&self, actor: &Actor, input: ExceptionInput) -> AppResult<ExceptionRow> {
        let date = validate::date("exception_date", input.date)?;
        if !input.is_day_off && input.shift_id.is_none() {
            return Err(invalid("An exception is a day off or names a shift_id"));
        }
        let reason = match input.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            Some(r) => Some(validate::text("reason", r, 1, 500)?),
            None => None,
        };
        let tx = self.store.begin_write().await?;
        let (user, section) = rostered_user(&tx, actor, input.user_id).await?;
        let shift = match input.shift_id.filter(|_| !input.is_day_off) {
            Some(id) => Some(known_shift(&tx, id).await?),
            None => None,
        };
        let now = self.clock.now();
        let row = ExceptionRow {
            id: new_id(),
            user_id: user.id,
            section_id: section,
            date,
            shift_id: shift.as_ref().map(|s| s.id),
            is_day_off: input.is_day_off,
            reason,
            created_by: actor.recorded_id(),
            created_at: now,
        };
        repo::upsert_exception(&tx, row.clone()).await?;
        let payload = json!({ "user_id": user.id, "date": date, "is_day_off": row.is_day_off,
                              "shift": shift.as_ref().map(|s| s.name.clone()), "reason": row.reason });
        record_ops(&tx, now, actor, roster_event("ROSTER_EXCEPTION_SET", row.id, section, payload)).await?;
        self.roster_to_participants(&tx, section, date, Some(date)).await?;
        commit(tx).await?;
        Ok(row)
    }

    /// Takes back a day set by hand: the day follows the roster's other parts again.
    /// Nothing to take back is a 404.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn clear_shift_exception(&self, actor: &Actor, user_id: Uuid, date: NaiveDate) -> AppResult<()> {
        let date = validate::date("exception_date", date)?;
        let tx = self.store.begin_write().await?;
        let (user, section) = rostered_user(&tx, actor, user_id).await?;
        if !repo::delete_exception(&tx, user.id, date).await? {
            return Err(not_found("This day was not set by hand"));
        }
        let now = self.clock.now();
        let payload = json!({ "user_id": user.id, "date": date });
        record_ops(&tx, now, actor, roster_event("ROSTER_EXCEPTION_CLEARED", user.id, section, payload)).await?;
        self.roster_to_participants(&tx, section, date, Some(date)).await?;
        commit(tx).await
    }
}

/// "MORNING" → "Morning".
pub(crate) fn title_case(code: &str) -> String {
    let lower = code.to_lowercase();
    let mut chars = lower.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// The longest range a bulk read may cover, for the schedule views.
pub(crate) fn check_range(from: NaiveDate, to: NaiveDate) -> AppResult<()> {
    if to < from {
        return Err(invalid("end_date must not be before start_date"));
    }
    if (to - from).num_days() >= i64::try_from(MAX_RANGE_DAYS).unwrap_or(i64::MAX) {
        return Err(invalid(format!("the range must be at most {MAX_RANGE_DAYS} days")));
    }
    Ok(())
}
