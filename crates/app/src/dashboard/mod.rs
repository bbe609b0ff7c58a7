//! The dashboards: the active checklists of the current shift, the per-user activity
//! summary, policies and metrics; the operational-day summary is in `summary`.

mod day;
mod summary;

pub use day::{CurrentShift, DashboardDay, IncomingNote};

pub use summary::{
    AttentionEntry, CommandMetrics, DashboardSummary, HandoverFeedRow, InstanceTally, OperationalDay, Posture,
    ShiftCard, ShiftCardStatus, ThreadSummary, Tone, whole_percent,
};

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use sentinelops_domain::checklist::ItemStatus;
use sentinelops_domain::shift::operational_window;
use sentinelops_domain::{ActivityAction, Named};
pub use sentinelops_store::repo::checklists::InstanceRow;
use sentinelops_store::repo::checklists::{self, InstanceFilter};
pub use sentinelops_store::repo::rules::RuleRow;
use sentinelops_store::repo::users::{self, UserFilter};

use crate::App;
use crate::actor::Actor;
use crate::error::AppResult;

/// A checklist of the shift running now, with its item counts.
#[derive(Debug, Clone)]
pub struct ActiveChecklist {
    pub row: InstanceRow,
    pub participant_count: usize,
    pub items: ItemTally,
}

/// One user's activity counts, as the dashboard lists them.
#[derive(Debug, Clone)]
pub struct UserActivity {
    pub id: Uuid,
    pub username: String,
    pub email: Option<String>,
    pub activity: ActivityTally,
}

/// The transition rules in force (stored rows), by entity type.
#[derive(Debug, Clone)]
pub struct StatePolicy {
    /// Where the rules are read from.
    pub source: &'static str,
    pub rules: HashMap<String, Vec<RuleRow>>,
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
    /// Activity lines by action name.
    pub by_action: HashMap<String, i64>,
    pub last_activity: Option<DateTime<Utc>>,
}

impl PerformanceMetrics {
    /// Every activity line, whatever its action.
    pub fn total_actions(&self) -> i64 {
        self.by_action.values().sum()
    }

    pub fn count(&self, action: ActivityAction) -> i64 {
        self.by_action.get(action.as_str()).copied().unwrap_or(0)
    }
}

/// One user's activity counts.
#[derive(Debug, Default, Clone, Copy)]
pub struct ActivityTally {
    pub total: i64,
    pub completed: i64,
    pub skipped: i64,
    pub escalated: i64,
    pub last: Option<DateTime<Utc>>,
}

/// Counts of one checklist's items (or, summed, of a day's).
#[derive(Debug, Clone, Copy, Default)]
pub struct ItemTally {
    pub total: usize,
    pub completed: usize,
    /// Completed, skipped or failed.
    pub actioned: usize,
    pub in_progress: usize,
    pub pending: usize,
    pub skipped: usize,
    pub failed: usize,
    /// Severity 4 or 5.
    pub critical: usize,
    /// Critical and neither completed nor skipped.
    pub open_critical: usize,
}

impl ItemTally {
    /// Skipped or failed.
    pub fn exceptions(&self) -> usize {
        self.skipped + self.failed
    }

    /// Actioned items out of all, whole percent.
    pub fn execution_rate(&self) -> u8 {
        whole_percent(self.actioned, self.total)
    }

    /// Completed items out of all, whole percent.
    pub fn completion_rate(&self) -> u8 {
        whole_percent(self.completed, self.total)
    }

    /// Critical items contained (not open), whole percent; 100 when there is none.
    pub fn critical_containment(&self) -> u8 {
        if self.critical == 0 { 100 } else { whole_percent(self.critical - self.open_critical, self.critical) }
    }

    /// Adds another checklist's counts (the day's totals).
    fn add(&mut self, other: &ItemTally) {
        self.total += other.total;
        self.completed += other.completed;
        self.actioned += other.actioned;
        self.in_progress += other.in_progress;
        self.pending += other.pending;
        self.skipped += other.skipped;
        self.failed += other.failed;
        self.critical += other.critical;
        self.open_critical += other.open_critical;
    }
}

impl App {
    fn scope(actor: &Actor) -> Option<Option<Uuid>> {
        if actor.is_admin() { Some(None) } else { actor.section_id.map(Some) }
    }

    async fn day_instances(
        &self,
        actor: &Actor,
    ) -> AppResult<(Vec<InstanceRow>, HashMap<Uuid, ItemTally>, HashMap<Uuid, Vec<Uuid>>)> {
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
        let mut tallies: HashMap<Uuid, ItemTally> = HashMap::new();
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
        let list = rows
            .into_iter()
            .filter(|r| !r.status.is_closed())
            .filter(|r| r.shift_start <= now && now < r.shift_end)
            .map(|row| ActiveChecklist {
                participant_count: people.get(&row.id).map_or(0, Vec::len),
                items: tallies.get(&row.id).copied().unwrap_or_default(),
                row,
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
        let mut per_user: HashMap<Uuid, ActivityTally> = HashMap::new();
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
            .map(|u| UserActivity {
                activity: per_user.get(&u.id).copied().unwrap_or_default(),
                id: u.id,
                username: u.username,
                email: u.email,
            })
            .collect();
        list.sort_by_key(|v| std::cmp::Reverse(v.activity.total));
        Ok(list)
    }

    /// The transition rules in force, by entity type.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn state_policy(&self) -> AppResult<StatePolicy> {
        let rules = sentinelops_store::repo::rules::all(self.store.reader()).await?;
        let mut by_entity: HashMap<String, Vec<RuleRow>> = HashMap::new();
        for r in rules {
            by_entity.entry(r.entity_type.clone()).or_default().push(r);
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
        Ok(PerformanceMetrics {
            user_id: target,
            username: person.username,
            start_date: start,
            end_date: end,
            by_action,
            last_activity: last,
        })
    }
}
