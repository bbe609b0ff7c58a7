//! The operational-day dashboard (the original's `/dashboard/summary` shape), the
//! active checklists of the current shift, and the per-user activity summary.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use sentinelops_domain::checklist::{InstanceStatus, ItemStatus};
use sentinelops_domain::shift::{ShiftType, operational_window};
use sentinelops_store::repo::handover;
use sentinelops_store::repo::instances::{self, InstanceFilter, InstanceRow};
use sentinelops_store::repo::users::{self, UserFilter};

use crate::App;
use crate::actor::Actor;
use crate::error::AppResult;
use crate::shifts::{format_time, window_of};

fn pct(part: usize, whole: usize) -> f64 {
    if whole == 0 { 0.0 } else { (part as f64 * 10_000.0 / whole as f64).round() / 100.0 }
}

/// One user's activity counts.
#[derive(Default, Clone, Copy)]
struct UserTally {
    total: i64,
    completed: i64,
    skipped: i64,
    escalated: i64,
    last: Option<DateTime<Utc>>,
}

/// Counts of one checklist's items.
#[derive(Default)]
struct Tally {
    total: usize,
    completed: usize,
    actioned: usize,
    in_progress: usize,
    pending: usize,
    skipped: usize,
    failed: usize,
    critical: usize,
    open_critical: usize,
}

impl App {
    fn scope(actor: &Actor) -> Option<Option<Uuid>> {
        if actor.is_admin() { Some(None) } else { actor.section_id.map(Some) }
    }

    async fn day_instances(
        &self,
        actor: &Actor,
    ) -> AppResult<(Vec<InstanceRow>, HashMap<Uuid, Tally>, HashMap<Uuid, Vec<Uuid>>)> {
        let reader = self.store.reader();
        let Some(section) = Self::scope(actor) else {
            return Ok((Vec::new(), HashMap::new(), HashMap::new()));
        };
        let (today, _, _) = self.operational_today().await?;
        let filter = InstanceFilter {
            section_id: section,
            start_date: Some(today),
            end_date: Some(today),
            ..InstanceFilter::default()
        };
        let rows = instances::all_instances(reader, &filter, 500).await?;
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let mut tallies: HashMap<Uuid, Tally> = HashMap::new();
        for item in instances::items_of_many(reader, ids.clone()).await? {
            let t = tallies.entry(item.instance_id).or_default();
            let status = ItemStatus::parse(&item.status).unwrap_or(ItemStatus::Pending);
            t.total += 1;
            match status {
                ItemStatus::Completed => t.completed += 1,
                ItemStatus::InProgress => t.in_progress += 1,
                ItemStatus::Pending => t.pending += 1,
                ItemStatus::Skipped => t.skipped += 1,
                ItemStatus::Failed => t.failed += 1,
            }
            if status.is_actioned() {
                t.actioned += 1;
            }
            if item.severity >= 4 {
                t.critical += 1;
                if !matches!(status, ItemStatus::Completed | ItemStatus::Skipped) {
                    t.open_critical += 1;
                }
            }
        }
        let mut people: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
        for p in instances::participants_of_many(reader, ids).await? {
            people.entry(p.instance_id).or_default().push(p.user_id);
        }
        Ok((rows, tallies, people))
    }

    /// `GET /checklists/dashboard/summary`.
    pub async fn dashboard_summary(&self, actor: &Actor) -> AppResult<Value> {
        let reader = self.store.reader();
        let (today, tz, boundary) = self.operational_today().await?;
        let (window_start, window_end) = operational_window(today, tz, boundary);
        let (rows, tallies, people) = self.day_instances(actor).await?;
        let empty = Tally::default();
        let notes = handover::for_instances(reader, rows.iter().map(|r| r.id).collect(), 50).await?;

        let mut threads = Vec::new();
        let mut attention = Vec::new();
        let (mut active, mut in_progress, mut pending_review, mut completed, mut exception, mut coverage_gap) =
            (0, 0, 0, 0, 0, 0);
        let (mut total_items, mut completed_items, mut actioned_items, mut critical_items, mut open_critical) =
            (0, 0, 0, 0, 0);
        for r in &rows {
            let t = tallies.get(&r.id).unwrap_or(&empty);
            let participants = people.get(&r.id).map_or(0, Vec::len);
            let status = InstanceStatus::parse(&r.status).unwrap_or(InstanceStatus::Open);
            let exceptions = t.skipped + t.failed;
            let pressure = matches!(status, InstanceStatus::CompletedWithExceptions | InstanceStatus::Incomplete)
                || exceptions > 0;
            if !status.is_closed() {
                active += 1;
                if participants == 0 {
                    coverage_gap += 1;
                    attention.push(json!({
                        "title": format!("{} shift has nobody on it", r.shift),
                        "detail": format!("{} has no participants yet", r.template_name),
                        "tone": "warning", "instance_id": r.id,
                    }));
                }
            }
            match status {
                InstanceStatus::InProgress => in_progress += 1,
                InstanceStatus::PendingReview => {
                    pending_review += 1;
                    attention.push(json!({
                        "title": format!("{} checklist awaits sign-off", r.shift),
                        "detail": format!("{}: every item actioned", r.template_name),
                        "tone": "warning", "instance_id": r.id,
                    }));
                }
                InstanceStatus::Completed => completed += 1,
                InstanceStatus::CompletedWithExceptions => {
                    completed += 1;
                    exception += 1;
                }
                _ => {}
            }
            if t.open_critical > 0 && !status.is_closed() {
                attention.push(json!({
                    "title": format!("{} critical item(s) open on {}", t.open_critical, r.shift),
                    "detail": r.template_name, "tone": "critical", "instance_id": r.id,
                }));
            } else if exceptions > 0 && !status.is_closed() {
                attention.push(json!({
                    "title": format!("{exceptions} exception(s) on {}", r.shift),
                    "detail": r.template_name, "tone": "critical", "instance_id": r.id,
                }));
            }
            total_items += t.total;
            completed_items += t.completed;
            actioned_items += t.actioned;
            critical_items += t.critical;
            open_critical += t.open_critical;
            threads.push(json!({
                "instance_id": r.id, "id": r.id, "template_name": r.template_name, "shift": r.shift, "status": r.status,
                "checklist_date": r.checklist_date, "shift_start": r.shift_start, "shift_end": r.shift_end,
                "participant_count": participants,
                "user_joined": people.get(&r.id).is_some_and(|p| p.contains(&actor.user_id)),
                "total_items": t.total, "completed_items": t.completed, "actioned_items": t.actioned,
                "in_progress_items": t.in_progress, "pending_items": t.pending,
                "critical_items": t.critical, "open_critical_items": t.open_critical, "exception_items": exceptions,
                "handover_count": notes.iter().filter(|n| n.from_instance_id == r.id).count(),
                "execution_percentage": pct(t.actioned, t.total),
                "has_exception_pressure": pressure,
            }));
        }
        attention.sort_by_key(|a| a["tone"] != "critical");
        attention.truncate(8);

        let mut cards = Vec::new();
        for shift in ShiftType::ALL {
            let window = window_of(reader, shift).await?;
            let of_shift: Vec<&InstanceRow> = rows.iter().filter(|r| r.shift == shift.as_str()).collect();
            let (mut total, mut actioned, mut exceptions, mut participants) = (0, 0, 0, 0);
            for r in &of_shift {
                let t = tallies.get(&r.id).unwrap_or(&empty);
                total += t.total;
                actioned += t.actioned;
                exceptions += t.skipped + t.failed;
                participants += people.get(&r.id).map_or(0, Vec::len);
            }
            let readiness = pct(actioned, total);
            let label = if of_shift.is_empty() {
                "No active thread"
            } else if exceptions > 0 {
                "Exceptions tracked"
            } else if readiness >= 80.0 {
                "On cadence"
            } else {
                "Building momentum"
            };
            cards.push(json!({
                "shift": shift.as_str(),
                "window": format!("{}–{}", window.start.format("%H:%M"), window.end.format("%H:%M")),
                "start_time": format_time(window.start), "end_time": format_time(window.end),
                "operations": of_shift.len(), "participants": participants, "exceptions": exceptions,
                "readiness": readiness, "status": label, "label": label,
            }));
        }

        let mut notes_feed = self.handover_views(reader, notes.into_iter().take(4).collect(), None).await?;
        // The feed reads newest first.
        notes_feed.sort_by_key(|n| std::cmp::Reverse(n.created_at));
        let posture = if exception > 0
            || open_critical > 0
            || rows.iter().any(|r| tallies.get(&r.id).is_some_and(|t| t.failed + t.skipped > 0))
        {
            "Elevated"
        } else if coverage_gap > 0 || pending_review > 0 {
            "Guarded"
        } else if active > 0 {
            "Stable"
        } else {
            "Standby"
        };
        let unread = match actor.recorded_id() {
            Some(user) => sentinelops_store::repo::notifications::count_unread(reader, user).await?,
            None => 0,
        };
        Ok(json!({
            "operational_day": {
                "checklist_date": today, "window_start": window_start, "window_end": window_end,
                "timezone": tz.name(), "boundary_time": format_time(boundary),
            },
            "command_metrics": {
                "active": active, "in_progress": in_progress, "pending_review": pending_review, "completed": completed,
                "exception": exception, "coverage_gap": coverage_gap, "total_items": total_items,
                "completed_items": completed_items, "actioned_items": actioned_items, "critical_items": critical_items,
                "open_critical_items": open_critical,
                "execution_rate": pct(actioned_items, total_items),
                "completion_rate": pct(completed_items, total_items),
                "critical_containment": if critical_items == 0 { 100.0 } else { pct(critical_items - open_critical, critical_items) },
                "posture_label": posture,
            },
            "shift_cards": cards,
            "checklist_threads": threads,
            "attention_queue": attention,
            "handover_feed": notes_feed,
            "notifications_unread": unread,
            "generated_at": self.clock.now(),
        }))
    }

    /// Active checklists of the shift running now, with their item counts.
    pub async fn active_checklists(&self, actor: &Actor) -> AppResult<Value> {
        let (rows, tallies, people) = self.day_instances(actor).await?;
        let now = self.clock.now();
        let empty = Tally::default();
        let list: Vec<Value> = rows
            .iter()
            .filter(|r| !InstanceStatus::parse(&r.status).is_some_and(InstanceStatus::is_closed))
            .filter(|r| r.shift_start <= now && now < r.shift_end)
            .map(|r| {
                let t = tallies.get(&r.id).unwrap_or(&empty);
                json!({
                    "id": r.id, "shift": r.shift, "checklist_date": r.checklist_date, "status": r.status,
                    "template_name": r.template_name, "participant_count": people.get(&r.id).map_or(0, Vec::len),
                    "completed_items": t.completed, "in_progress_items": t.in_progress, "pending_items": t.pending,
                    "skipped_items": t.skipped, "failed_items": t.failed, "total_items": t.total,
                })
            })
            .collect();
        Ok(json!(list))
    }

    /// Per user: activity counts (all, completed, skipped, escalated) and the last one.
    pub async fn user_activity_summary(&self, actor: &Actor, since: Option<DateTime<Utc>>) -> AppResult<Value> {
        let reader = self.store.reader();
        let people = match (actor.is_admin(), actor.section_id) {
            (true, _) => users::list(reader, &UserFilter::default()).await?,
            (false, Some(section)) => {
                users::list(reader, &UserFilter { section_id: Some(section), ..UserFilter::default() }).await?
            }
            (false, None) => Vec::new(),
        };
        let ids: Vec<Uuid> = people.iter().map(|u| u.id).collect();
        let rows = instances::activity_by_user(reader, since, None, (!actor.is_admin()).then_some(ids)).await?;
        let mut per_user: HashMap<Uuid, UserTally> = HashMap::new();
        for (user, action, n, last) in rows {
            let e = per_user.entry(user).or_default();
            e.total += n;
            match action.as_str() {
                "COMPLETED" => e.completed += n,
                "SKIPPED" => e.skipped += n,
                "ESCALATED" => e.escalated += n,
                _ => {}
            }
            e.last = e.last.max(last);
        }
        let mut list: Vec<Value> = people
            .iter()
            .map(|u| {
                let t = per_user.get(&u.id).copied().unwrap_or_default();
                json!({
                    "id": u.id, "username": u.username, "email": u.email, "total_activities": t.total,
                    "completed_count": t.completed, "skipped_count": t.skipped, "escalated_count": t.escalated,
                    "last_activity": t.last,
                })
            })
            .collect();
        list.sort_by_key(|v| std::cmp::Reverse(v["total_activities"].as_i64().unwrap_or(0)));
        Ok(json!(list))
    }

    /// The transition rules in force, by entity type.
    pub async fn state_policy(&self) -> AppResult<Value> {
        let rules = sentinelops_store::repo::rules::all(self.store.reader()).await?;
        let mut by_entity: HashMap<String, Vec<Value>> = HashMap::new();
        for r in rules {
            by_entity.entry(r.entity_type.clone()).or_default().push(json!({
                "from": r.from_status, "to": r.to_status, "requires_reason": r.requires_reason,
                "requires_approval": r.requires_approval, "allowed_roles": r.allowed_roles, "description": r.description,
            }));
        }
        Ok(json!({ "source": "state_transition_rules", "rules": by_entity }))
    }

    /// What each role may do (enforced on the server, whatever a client shows).
    pub fn authorization_policy(&self) -> Value {
        let user = [
            "PARTICIPANT_JOIN_CHECKLIST",
            "PARTICIPANT_UPDATE_ITEM",
            "VIEW_OWN_SCORES",
            "MANAGE_OWN_NOTIFICATIONS",
            "CREATE_HANDOVER",
        ];
        let manager = [
            "MANAGE_TEMPLATES",
            "SUPERVISOR_COMPLETE_CHECKLIST",
            "SUPERVISOR_REVIEW_CHECKLIST",
            "SUPERVISOR_OVERRIDE",
            "DELETE_INSTANCE",
            "VIEW_LEADERBOARD",
            "VIEW_OPS_EVENTS",
        ];
        let admin = [
            "MANAGE_USERS",
            "MANAGE_ORGANISATION",
            "MANAGE_SHIFTS",
            "MANAGE_SETTINGS",
            "VIEW_AUTH_EVENTS",
            "ALL_SECTIONS",
        ];
        let user_caps: Vec<&str> = user.to_vec();
        let manager_caps: Vec<&str> = user.iter().chain(manager.iter()).copied().collect();
        let admin_caps: Vec<&str> = user.iter().chain(manager.iter()).chain(admin.iter()).copied().collect();
        json!({
            "roles": { "user": user_caps, "manager": manager_caps, "admin": admin_caps },
            "aliases": { "supervisor": "manager", "operator": "user", "participant": "user", "staff": "user" },
            "section_scoped": ["user", "manager"],
        })
    }

    /// A user's checklist work between two dates (inclusive), in the business time zone.
    pub async fn performance_metrics(
        &self,
        actor: &Actor,
        user_id: Option<Uuid>,
        start: Option<chrono::NaiveDate>,
        end: Option<chrono::NaiveDate>,
    ) -> AppResult<Value> {
        let reader = self.store.reader();
        let target = user_id.unwrap_or(actor.user_id);
        let person = users::find(reader, target).await?.ok_or_else(|| crate::error::not_found("User not found"))?;
        if target != actor.user_id {
            match person.section_id {
                Some(section) => crate::access::can_supervise_section(actor, section)?,
                None if actor.is_admin() => {}
                None => return Err(crate::error::forbidden("You can only read your own metrics")),
            }
        }
        let (today, tz, boundary) = self.operational_today().await?;
        let end = crate::validate::date("end_date", end.unwrap_or(today))?;
        let start = match start {
            Some(d) => crate::validate::date("start_date", d)?,
            None => end.checked_sub_days(chrono::Days::new(30)).unwrap_or(end),
        };
        if start > end {
            return Err(crate::error::invalid("start_date must not be after end_date"));
        }
        let since = operational_window(start, tz, boundary).0;
        let until = operational_window(end, tz, boundary).1;
        let rows = instances::activity_by_user(reader, Some(since), Some(until), Some(vec![target])).await?;
        let mut by_action: HashMap<String, i64> = HashMap::new();
        let mut last: Option<DateTime<Utc>> = None;
        for (_, action, n, at) in rows {
            *by_action.entry(action).or_default() += n;
            last = last.max(at);
        }
        let total: i64 = by_action.values().sum();
        Ok(json!({
            "user_id": target, "username": person.username, "start_date": start, "end_date": end,
            "total_actions": total,
            "completed": by_action.get("COMPLETED").copied().unwrap_or(0),
            "started": by_action.get("STARTED").copied().unwrap_or(0),
            "skipped": by_action.get("SKIPPED").copied().unwrap_or(0),
            "escalated": by_action.get("ESCALATED").copied().unwrap_or(0),
            "commented": by_action.get("COMMENTED").copied().unwrap_or(0),
            "last_activity": last,
        }))
    }
}
