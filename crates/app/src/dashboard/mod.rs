//! The dashboards: the active checklists of the current shift, the per-user activity
//! summary, policies and metrics; the operational-day summary is in `summary`.

mod day;
mod summary;

pub use day::{CurrentShift, DashboardDay, IncomingNote};

pub use summary::{
    AttentionEntry, CommandMetrics, DashboardSummary, HandoverFeedRow, OperationalDay, Posture, ShiftCard,
    ShiftCardStatus, ThreadSummary, Tone,
};

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use uuid::Uuid;

use sentinelops_domain::checklist::ItemStatus;
use sentinelops_domain::shift::operational_window;
use sentinelops_domain::{ActivityAction, Named};
use sentinelops_store::repo::checklists::{self, InstanceFilter, InstanceRow};
use sentinelops_store::repo::users::{self, UserFilter};

use crate::App;
use crate::actor::Actor;
use crate::error::AppResult;

/// A checklist of the shift running now, with its item counts.
#[derive(Debug, Clone)]
pub struct ActiveChecklist {
    pub id: Uuid,
    pub shift: String,
    pub checklist_date: NaiveDate,
    pub status: String,
    pub template_name: String,
    pub participant_count: usize,
    pub completed_items: usize,
    pub in_progress_items: usize,
    pub pending_items: usize,
    pub skipped_items: usize,
    pub failed_items: usize,
    pub total_items: usize,
}

/// One user's activity counts, as the dashboard lists them.
#[derive(Debug, Clone)]
pub struct UserActivity {
    pub id: Uuid,
    pub username: String,
    pub email: Option<String>,
    pub total_activities: i64,
    pub completed_count: i64,
    pub skipped_count: i64,
    pub escalated_count: i64,
    pub last_activity: Option<DateTime<Utc>>,
}

/// One transition rule in force.
#[derive(Debug, Clone)]
pub struct TransitionRule {
    pub from: String,
    pub to: String,
    pub requires_reason: bool,
    pub requires_approval: bool,
    /// The stored JSON array of role names; `None`: any role.
    pub allowed_roles: Option<Value>,
    pub description: Option<String>,
}

/// The transition rules in force, by entity type.
#[derive(Debug, Clone)]
pub struct StatePolicy {
    /// Where the rules are read from.
    pub source: &'static str,
    pub rules: HashMap<String, Vec<TransitionRule>>,
}

/// What each role may do, and the role names the original also accepted.
#[derive(Debug, Clone)]
pub struct AuthorizationPolicy {
    pub user: Vec<&'static str>,
    pub manager: Vec<&'static str>,
    pub admin: Vec<&'static str>,
    /// (alias, role) pairs.
    pub aliases: Vec<(&'static str, &'static str)>,
    /// Roles whose reach is their own section.
    pub section_scoped: Vec<&'static str>,
}

/// A user's checklist work between two dates (inclusive).
#[derive(Debug, Clone)]
pub struct PerformanceMetrics {
    pub user_id: Uuid,
    pub username: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub total_actions: i64,
    pub completed: i64,
    pub started: i64,
    pub skipped: i64,
    pub escalated: i64,
    pub commented: i64,
    pub last_activity: Option<DateTime<Utc>>,
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

impl Tally {
    fn exceptions(&self) -> usize {
        self.skipped + self.failed
    }
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
        let rows = checklists::all_instances(reader, &filter, 500).await?;
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let mut tallies: HashMap<Uuid, Tally> = HashMap::new();
        for item in checklists::items_of_many(reader, ids.clone()).await? {
            let t = tallies.entry(item.instance_id).or_default();
            let status = *item.status;
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
        for p in checklists::participants_of_many(reader, ids).await? {
            people.entry(p.instance_id).or_default().push(p.user_id);
        }
        Ok((rows, tallies, people))
    }

    /// Active checklists of the shift running now, with their item counts.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn active_checklists(&self, actor: &Actor) -> AppResult<Vec<ActiveChecklist>> {
        let (rows, tallies, people) = self.day_instances(actor).await?;
        let now = self.clock.now();
        let empty = Tally::default();
        let list = rows
            .iter()
            .filter(|r| !r.status.is_closed())
            .filter(|r| r.shift_start <= now && now < r.shift_end)
            .map(|r| {
                let t = tallies.get(&r.id).unwrap_or(&empty);
                ActiveChecklist {
                    id: r.id,
                    shift: r.shift.as_str().to_owned(),
                    checklist_date: r.checklist_date,
                    status: r.status.as_str().to_owned(),
                    template_name: r.template_name.clone(),
                    participant_count: people.get(&r.id).map_or(0, Vec::len),
                    completed_items: t.completed,
                    in_progress_items: t.in_progress,
                    pending_items: t.pending,
                    skipped_items: t.skipped,
                    failed_items: t.failed,
                    total_items: t.total,
                }
            })
            .collect();
        Ok(list)
    }

    /// Per user: activity counts (all, completed, skipped, escalated) and the last one.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn user_activity_summary(
        &self,
        actor: &Actor,
        since: Option<DateTime<Utc>>,
    ) -> AppResult<Vec<UserActivity>> {
        let reader = self.store.reader();
        let people = match (actor.is_admin(), actor.section_id) {
            (true, _) => users::list(reader, &UserFilter::default()).await?,
            (false, Some(section)) => {
                users::list(reader, &UserFilter { section_id: Some(section), ..UserFilter::default() }).await?
            }
            (false, None) => Vec::new(),
        };
        let ids: Vec<Uuid> = people.iter().map(|u| u.id).collect();
        let rows = checklists::activity_by_user(reader, since, None, (!actor.is_admin()).then_some(ids)).await?;
        let mut per_user: HashMap<Uuid, UserTally> = HashMap::new();
        for (user, action, n, last) in rows {
            let e = per_user.entry(user).or_default();
            e.total += n;
            match ActivityAction::from_name(&action) {
                Some(ActivityAction::Completed) => e.completed += n,
                Some(ActivityAction::Skipped) => e.skipped += n,
                Some(ActivityAction::Escalated) => e.escalated += n,
                _ => {}
            }
            e.last = e.last.max(last);
        }
        let mut list: Vec<UserActivity> = people
            .into_iter()
            .map(|u| {
                let t = per_user.get(&u.id).copied().unwrap_or_default();
                UserActivity {
                    id: u.id,
                    username: u.username,
                    email: u.email,
                    total_activities: t.total,
                    completed_count: t.completed,
                    skipped_count: t.skipped,
                    escalated_count: t.escalated,
                    last_activity: t.last,
                }
            })
            .collect();
        list.sort_by_key(|v| std::cmp::Reverse(v.total_activities));
        Ok(list)
    }

    /// The transition rules in force, by entity type.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn state_policy(&self) -> AppResult<StatePolicy> {
        let rules = sentinelops_store::repo::rules::all(self.store.reader()).await?;
        let mut by_entity: HashMap<String, Vec<TransitionRule>> = HashMap::new();
        for r in rules {
            by_entity.entry(r.entity_type).or_default().push(TransitionRule {
                from: r.from_status,
                to: r.to_status,
                requires_reason: r.requires_reason,
                requires_approval: r.requires_approval,
                allowed_roles: r.allowed_roles,
                description: r.description,
            });
        }
        Ok(StatePolicy { source: "state_transition_rules", rules: by_entity })
    }

    /// What each role may do (enforced on the server, whatever a client shows).
    pub fn authorization_policy(&self) -> AuthorizationPolicy {
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
        AuthorizationPolicy {
            user: user.to_vec(),
            manager: user.iter().chain(manager.iter()).copied().collect(),
            admin: user.iter().chain(manager.iter()).chain(admin.iter()).copied().collect(),
            aliases: vec![("supervisor", "manager"), ("operator", "user"), ("participant", "user"), ("staff", "user")],
            section_scoped: vec!["user", "manager"],
        }
    }

    /// A user's checklist work between two dates (inclusive), in the business time zone.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn performance_metrics(
        &self,
        actor: &Actor,
        user_id: Option<Uuid>,
        start: Option<chrono::NaiveDate>,
        end: Option<chrono::NaiveDate>,
    ) -> AppResult<PerformanceMetrics> {
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
        let rows = checklists::activity_by_user(reader, Some(since), Some(until), Some(vec![target])).await?;
        let mut by_action: HashMap<String, i64> = HashMap::new();
        let mut last: Option<DateTime<Utc>> = None;
        for (_, action, n, at) in rows {
            *by_action.entry(action).or_default() += n;
            last = last.max(at);
        }
        let count = |action: ActivityAction| by_action.get(action.as_str()).copied().unwrap_or(0);
        Ok(PerformanceMetrics {
            user_id: target,
            username: person.username,
            start_date: start,
            end_date: end,
            total_actions: by_action.values().sum(),
            completed: count(ActivityAction::Completed),
            started: count(ActivityAction::Started),
            skipped: count(ActivityAction::Skipped),
            escalated: count(ActivityAction::Escalated),
            commented: count(ActivityAction::Commented),
            last_activity: last,
        })
    }
}
