//! The Performance Command's read model (contract §1.1), built by `command.rs`. The
//! web layer turns it into the wire DTOs.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use sentinelops_domain::performance::badges::BadgeDef;
use sentinelops_domain::performance::{Breakdown, Tier, Window};
use sentinelops_domain::scoring::ScoreKind;

#[derive(Debug, Clone, PartialEq)]
pub struct PerformanceCommand {
    pub generated_at: DateTime<Utc>,
    pub focus_window: Window,
    pub scope_label: String,
    pub profile: Profile,
    /// All four windows in `Window::ALL` order.
    pub windows: Vec<WindowSnapshot>,
    /// The focus window's snapshot.
    pub active_window: WindowSnapshot,
    /// At most 8, rank order.
    pub leaderboard: Vec<LeaderboardEntry>,
    /// The 11 badges in definition order.
    pub badges: Vec<BadgeView>,
    pub next_badge: Option<BadgeView>,
    pub trend: Vec<TrendPoint>,
    /// At most 8, newest first.
    pub recent_events: Vec<RecentEvent>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub user_id: Uuid,
    pub username: String,
    pub display_name: String,
    pub section_name: Option<String>,
    /// Claimed badges.
    pub badge_count: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WindowSnapshot {
    pub window: Window,
    pub label: &'static str,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub command_points: i64,
    pub operational_grade: i64,
    pub tier: Tier,
    /// The next tier and the points it starts at (none at Apex): the UI's progress bar.
    pub next_tier: Option<(Tier, i64)>,
    pub rank: i64,
    pub total_users: i64,
    pub contribution_days: i64,
    pub current_streak: i64,
    pub longest_streak: i64,
    pub items_completed: i64,
    pub critical_items_completed: i64,
    pub checklists_joined: i64,
    pub clean_checklists: i64,
    pub tasks_completed: i64,
    pub tasks_completed_on_time: i64,
    pub critical_tasks_completed: i64,
    pub high_tasks_completed: i64,
    pub collaborative_tasks_completed: i64,
    pub handovers_created: i64,
    pub handovers_resolved: i64,
    pub overdue_open_tasks: i64,
    pub task_on_time_rate: f64,
    pub checklist_quality_rate: f64,
    pub shift_adherence_rate: f64,
    pub consistency_rate: f64,
    /// Timed starts on cue over all timed starts (not on the original's wire).
    pub timed_start_rate: f64,
    pub late_events: i64,
    pub summary: String,
    pub breakdown: Breakdown,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaderboardEntry {
    pub user_id: Uuid,
    /// Empty when names are hidden from the caller.
    pub username: String,
    pub display_name: String,
    pub section_name: Option<String>,
    pub command_points: i64,
    pub operational_grade: i64,
    pub rank: i64,
    pub current_streak: i64,
    pub tasks_completed: i64,
    pub clean_checklists: i64,
    pub tier: Tier,
    pub is_current_user: bool,
    /// Whether the name shown is a placeholder ("Operator #rank").
    pub name_hidden: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BadgeView {
    /// What the badge is (key, name, icon, theme, texts).
    pub def: &'static BadgeDef,
    pub earned: bool,
    pub claimed: bool,
    pub claimable: bool,
    /// 0–100, one decimal, exactly 100.0 when earned.
    pub progress: f64,
    pub unlocked_at: Option<DateTime<Utc>>,
    pub claimed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrendPoint {
    pub label: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub command_points: i64,
    pub operational_grade: i64,
    pub tasks_completed: i64,
    /// Items plus subitems.
    pub checklist_items_completed: i64,
    pub handovers_resolved: i64,
}

/// What a recent event is, as the original's page labels it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecentEventType {
    ChecklistItem,
    HandoverCreated,
    HandoverResolved,
    /// Any other paying ledger row, named by its kind (the page shows "Checklist action").
    Ledger(ScoreKind),
}

impl RecentEventType {
    pub fn of(kind: ScoreKind) -> RecentEventType {
        match kind {
            ScoreKind::Item => RecentEventType::ChecklistItem,
            ScoreKind::HandoverCreated => RecentEventType::HandoverCreated,
            ScoreKind::HandoverResolved => RecentEventType::HandoverResolved,
            other => RecentEventType::Ledger(other),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RecentEventType::ChecklistItem => "CHECKLIST_ITEM",
            RecentEventType::HandoverCreated => "HANDOVER_CREATED",
            RecentEventType::HandoverResolved => "HANDOVER_RESOLVED",
            RecentEventType::Ledger(kind) => kind.as_str(),
        }
    }

    /// The id prefix of the original (`checklist-`, `handover-created-`, …).
    pub fn id_prefix(self) -> &'static str {
        match self {
            RecentEventType::ChecklistItem => "checklist",
            RecentEventType::HandoverCreated => "handover-created",
            RecentEventType::HandoverResolved => "handover-resolved",
            RecentEventType::Ledger(_) => "ledger",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecentEvent {
    pub id: String,
    pub event_type: RecentEventType,
    pub title: String,
    pub detail: String,
    pub occurred_at: DateTime<Utc>,
    pub points: i64,
}
