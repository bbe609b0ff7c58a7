//! The answers about subitems, statistics, coverage and comments, and the current
//! state a 409 shows, as the original API writes them.

use chrono::{DateTime, NaiveTime, Utc};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use sentinelops_app::checklists::{self as app, CurrentState, StepState, SubitemProgress, SubitemRow};
use sentinelops_domain::checklist::ItemStatus;

/// A subitem as the subitem answers show it (its row, with people as ids).
#[derive(Debug, Serialize)]
pub struct Subitem {
    pub id: Uuid,
    pub instance_item_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub item_type: &'static str,
    pub is_required: bool,
    pub has_exe_time: bool,
    pub severity: i32,
    pub sort_order: i32,
    pub status: &'static str,
    pub scheduled_time: Option<String>,
    pub notify_before_minutes: Option<i32>,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub remind_at: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    pub started_by: Option<Uuid>,
    pub completed_by: Option<Uuid>,
    pub completed_at: Option<DateTime<Utc>>,
    pub skipped_reason: Option<String>,
    pub failure_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub version: i32,
}

fn format_time(t: NaiveTime) -> String {
    sentinelops_app::shifts::format_time(t)
}

impl From<&SubitemRow> for Subitem {
    fn from(s: &SubitemRow) -> Self {
        Subitem {
            id: s.id,
            instance_item_id: s.instance_item_id,
            title: s.title.clone(),
            description: s.description.clone(),
            item_type: s.item_type.as_str(),
            is_required: s.is_required,
            has_exe_time: s.has_exe_time,
            severity: s.severity,
            sort_order: s.sort_order,
            status: s.status.as_str(),
            scheduled_time: s.scheduled_time.map(format_time),
            notify_before_minutes: s.notify_before_minutes,
            scheduled_at: s.scheduled_at,
            remind_at: s.remind_at,
            started_at: s.started_at,
            started_by: s.started_by,
            completed_by: s.completed_by,
            completed_at: s.completed_at,
            skipped_reason: s.skipped_reason.clone(),
            failure_reason: s.failure_reason.clone(),
            created_at: s.created_at,
            version: s.version,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct SubitemStats {
    pub total: usize,
    pub completed: usize,
    pub skipped: usize,
    pub failed: usize,
    pub pending: usize,
    pub in_progress: usize,
    pub all_actioned: bool,
    pub status: Option<&'static str>,
}

impl From<&SubitemProgress> for SubitemStats {
    fn from(p: &SubitemProgress) -> Self {
        SubitemStats {
            total: p.subitems.len(),
            completed: p.completed(),
            skipped: p.count(ItemStatus::Skipped),
            failed: p.count(ItemStatus::Failed),
            pending: p.count(ItemStatus::Pending),
            in_progress: p.count(ItemStatus::InProgress),
            all_actioned: p.all_actioned(),
            status: p.status(),
        }
    }
}

fn subitems(progress: &SubitemProgress) -> Vec<Subitem> {
    progress.subitems.iter().map(Subitem::from).collect()
}

fn next_subitem(progress: &SubitemProgress) -> Option<Subitem> {
    progress.next().map(Subitem::from)
}

/// `GET …/subitems`.
#[derive(Debug, Serialize)]
pub struct SubitemList {
    pub item_id: Uuid,
    pub subitems: Vec<Subitem>,
    pub next_subitem: Option<Subitem>,
    pub stats: SubitemStats,
}

impl From<SubitemProgress> for SubitemList {
    fn from(p: SubitemProgress) -> Self {
        SubitemList {
            item_id: p.item_id,
            subitems: subitems(&p),
            next_subitem: next_subitem(&p),
            stats: SubitemStats::from(&p),
        }
    }
}

/// `GET …/completion-summary`.
#[derive(Debug, Serialize)]
pub struct CompletionSummary {
    pub item_id: Uuid,
    pub has_subitems: bool,
    pub subitems: Vec<Subitem>,
    pub stats: SubitemStats,
    pub summary: CompletionVerdict,
}

#[derive(Debug, Serialize)]
pub struct CompletionVerdict {
    pub all_completed: bool,
    pub all_actioned: bool,
    pub status: Option<&'static str>,
    pub can_complete_item: bool,
    pub requires_final_verdict: bool,
}

impl From<app::CompletionSummary> for CompletionSummary {
    fn from(c: app::CompletionSummary) -> Self {
        let p = &c.progress;
        CompletionSummary {
            item_id: p.item_id,
            has_subitems: !p.subitems.is_empty(),
            subitems: subitems(p),
            stats: SubitemStats::from(p),
            summary: CompletionVerdict {
                all_completed: c.all_completed,
                all_actioned: p.all_actioned(),
                status: p.status(),
                can_complete_item: c.can_complete_item,
                requires_final_verdict: c.requires_final_verdict,
            },
        }
    }
}

/// `POST …/start-work`.
#[derive(Debug, Serialize)]
pub struct WorkStarted {
    pub item_id: Uuid,
    pub item_title: String,
    pub item_status: &'static str,
    pub has_subitems: bool,
    pub subitems: Vec<Subitem>,
    pub next_subitem: Option<Subitem>,
    pub subitem_count: usize,
    pub completed_subitem_count: usize,
    pub subitem_status: Option<&'static str>,
}

impl From<app::WorkStarted> for WorkStarted {
    fn from(w: app::WorkStarted) -> Self {
        let p = &w.progress;
        WorkStarted {
            item_id: p.item_id,
            item_status: w.item_status.as_str(),
            has_subitems: !p.subitems.is_empty(),
            subitems: subitems(p),
            next_subitem: next_subitem(p),
            subitem_count: p.subitems.len(),
            completed_subitem_count: p.completed(),
            subitem_status: p.status(),
            item_title: w.item_title,
        }
    }
}

/// `PATCH …/subitems/{id}`.
#[derive(Debug, Serialize)]
pub struct SubitemChanged {
    pub subitem_id: Uuid,
    pub status: &'static str,
    pub next_subitem: Option<Subitem>,
    pub all_subitems_done: bool,
    pub subitems: Vec<Subitem>,
    pub stats: SubitemStats,
}

impl From<app::SubitemChanged> for SubitemChanged {
    fn from(c: app::SubitemChanged) -> Self {
        let p = &c.progress;
        SubitemChanged {
            subitem_id: c.subitem_id,
            status: c.status.as_str(),
            next_subitem: next_subitem(p),
            all_subitems_done: p.all_actioned(),
            subitems: subitems(p),
            stats: SubitemStats::from(p),
        }
    }
}

/// `GET …/stats`.
#[derive(Debug, Serialize)]
pub struct InstanceStats {
    pub instance_id: Uuid,
    pub status: &'static str,
    pub total_items: usize,
    pub completed_items: usize,
    pub skipped_items: usize,
    pub failed_items: usize,
    pub pending_items: usize,
    pub in_progress_items: usize,
    pub actioned_items: usize,
    pub total_subitems: usize,
    pub completed_subitems: usize,
    pub completion_percentage: f64,
    pub required_completion_percentage: f64,
    pub estimated_time_remaining_minutes: i64,
    pub participant_count: usize,
}

impl From<app::InstanceStats> for InstanceStats {
    fn from(s: app::InstanceStats) -> Self {
        InstanceStats {
            instance_id: s.instance_id,
            status: s.status.as_str(),
            total_items: s.items.len(),
            completed_items: s.items_in(ItemStatus::Completed),
            skipped_items: s.items_in(ItemStatus::Skipped),
            failed_items: s.items_in(ItemStatus::Failed),
            pending_items: s.items_in(ItemStatus::Pending),
            in_progress_items: s.items_in(ItemStatus::InProgress),
            actioned_items: s.actioned_items(),
            total_subitems: s.subitems.len(),
            completed_subitems: s.completed_subitems(),
            completion_percentage: s.completion_percentage(),
            required_completion_percentage: s.required_completion_percentage(),
            estimated_time_remaining_minutes: s.estimated_time_remaining_minutes,
            participant_count: s.participant_count,
        }
    }
}

/// `GET /instances/today/coverage`: `{MORNING: n, AFTERNOON: n, NIGHT: n}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub struct Coverage {
    pub morning: usize,
    pub afternoon: usize,
    pub night: usize,
}

impl From<app::ShiftCoverage> for Coverage {
    fn from(c: app::ShiftCoverage) -> Self {
        Coverage { morning: c.morning, afternoon: c.afternoon, night: c.night }
    }
}

/// The COMMENTED activity in the answer to a comment.
#[derive(Debug, Serialize)]
pub struct CommentActivity {
    pub action: &'static str,
    pub comment: String,
    pub user_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl From<app::CommentActivity> for CommentActivity {
    fn from(a: app::CommentActivity) -> Self {
        CommentActivity { action: "COMMENTED", comment: a.comment, user_id: a.user_id, created_at: a.created_at }
    }
}

/// An item's or subitem's state in a 409 (`item_id` or `subitem_id` first).
#[derive(Debug, Serialize)]
struct StepBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    item_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subitem_id: Option<Uuid>,
    status: &'static str,
    version: i32,
    completed_by: Option<Uuid>,
    completed_at: Option<DateTime<Utc>>,
    skipped_reason: Option<String>,
    failure_reason: Option<String>,
}

impl StepBody {
    fn of(s: StepState, item_id: Option<Uuid>, subitem_id: Option<Uuid>) -> StepBody {
        StepBody {
            item_id,
            subitem_id,
            status: s.status.as_str(),
            version: s.version,
            completed_by: s.completed_by,
            completed_at: s.completed_at,
            skipped_reason: s.skipped_reason,
            failure_reason: s.failure_reason,
        }
    }
}

/// A checklist's status in a 409 (with its id when the refusal names it).
#[derive(Debug, Serialize)]
struct InstanceBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    instance_id: Option<Uuid>,
    status: &'static str,
}

/// The `current` of a 409 body.
pub fn current_state(current: CurrentState) -> Value {
    let body = match current {
        CurrentState::Item(s) => {
            let id = s.id;
            serde_json::to_value(StepBody::of(s, Some(id), None))
        }
        CurrentState::Subitem(s) => {
            let id = s.id;
            serde_json::to_value(StepBody::of(s, None, Some(id)))
        }
        CurrentState::Instance { instance_id, status } => {
            serde_json::to_value(InstanceBody { instance_id, status: status.as_str() })
        }
    };
    body.unwrap_or(Value::Null)
}
