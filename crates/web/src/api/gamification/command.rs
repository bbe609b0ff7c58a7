//! `GET /performance/command` and `POST /performance/badges/{key}/claim` (contract §1.1, §1.4).

use axum::{Json, extract::State};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use sentinelops_app::error::AppError;
use sentinelops_app::gamification::{
    BadgeView, Breakdown, LeaderboardEntry, PerformanceCommand, Profile, RecentEvent, TrendPoint, Window,
    WindowSnapshot,
};

use crate::api::error_responses::{PathErrors, QueryErrors, SessionErrors, WriteErrors};
use crate::error::ApiResult;
use crate::extract::{ApiPath, ApiQuery, AuthUser};
use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(performance_command)).routes(routes!(claim_badge))
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct CommandParams {
    pub focus_window: Option<String>,
}

/// The window asked for (default monthly); anything but the four keys is a 422.
fn focus_of(params: &CommandParams) -> Result<Window, AppError> {
    match params.focus_window.as_deref() {
        None => Ok(Window::Monthly),
        Some(key) => Window::parse(key).ok_or_else(|| {
            AppError::Validation("focus_window must be one of weekly, monthly, quarterly, yearly".into())
        }),
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProfileJson {
    pub user_id: Uuid,
    pub username: String,
    pub display_name: String,
    pub section_name: Option<String>,
    pub badge_count: i64,
}

impl From<Profile> for ProfileJson {
    fn from(p: Profile) -> Self {
        ProfileJson {
            user_id: p.user_id,
            username: p.username,
            display_name: p.display_name,
            section_name: p.section_name,
            badge_count: p.badge_count,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BreakdownJson {
    pub execution_points: i64,
    pub reliability_points: i64,
    pub collaboration_points: i64,
    pub quality_points: i64,
}

impl From<Breakdown> for BreakdownJson {
    fn from(b: Breakdown) -> Self {
        BreakdownJson {
            execution_points: b.execution_points,
            reliability_points: b.reliability_points,
            collaboration_points: b.collaboration_points,
            quality_points: b.quality_points,
        }
    }
}

/// `PerformanceWindowSnapshot`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SnapshotJson {
    pub key: &'static str,
    pub label: &'static str,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub command_points: i64,
    pub operational_grade: i64,
    pub tier: &'static str,
    /// Ours: the next tier and the points it starts at (null at Apex).
    pub next_tier: Option<&'static str>,
    pub next_tier_points: Option<i64>,
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
    pub summary: String,
    pub breakdown: BreakdownJson,
}

impl From<WindowSnapshot> for SnapshotJson {
    fn from(s: WindowSnapshot) -> Self {
        SnapshotJson {
            key: s.window.as_str(),
            label: s.label,
            start_date: s.start_date,
            end_date: s.end_date,
            command_points: s.command_points,
            operational_grade: s.operational_grade,
            tier: s.tier.as_str(),
            next_tier: s.next_tier.map(|(t, _)| t.as_str()),
            next_tier_points: s.next_tier.map(|(_, p)| p),
            rank: s.rank,
            total_users: s.total_users,
            contribution_days: s.contribution_days,
            current_streak: s.current_streak,
            longest_streak: s.longest_streak,
            items_completed: s.items_completed,
            critical_items_completed: s.critical_items_completed,
            checklists_joined: s.checklists_joined,
            clean_checklists: s.clean_checklists,
            tasks_completed: s.tasks_completed,
            tasks_completed_on_time: s.tasks_completed_on_time,
            critical_tasks_completed: s.critical_tasks_completed,
            high_tasks_completed: s.high_tasks_completed,
            collaborative_tasks_completed: s.collaborative_tasks_completed,
            handovers_created: s.handovers_created,
            handovers_resolved: s.handovers_resolved,
            overdue_open_tasks: s.overdue_open_tasks,
            task_on_time_rate: s.task_on_time_rate,
            checklist_quality_rate: s.checklist_quality_rate,
            shift_adherence_rate: s.shift_adherence_rate,
            consistency_rate: s.consistency_rate,
            summary: s.summary,
            breakdown: s.breakdown.into(),
        }
    }
}

/// The four windows, always all keys in this order.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WindowsJson {
    pub weekly: SnapshotJson,
    pub monthly: SnapshotJson,
    pub quarterly: SnapshotJson,
    pub yearly: SnapshotJson,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LeaderboardEntryJson {
    pub user_id: Uuid,
    pub username: String,
    pub display_name: String,
    pub section_name: Option<String>,
    pub command_points: i64,
    pub operational_grade: i64,
    pub rank: i64,
    pub current_streak: i64,
    pub tasks_completed: i64,
    pub clean_checklists: i64,
    pub tier: &'static str,
    pub is_current_user: bool,
}

impl From<LeaderboardEntry> for LeaderboardEntryJson {
    fn from(e: LeaderboardEntry) -> Self {
        LeaderboardEntryJson {
            user_id: e.user_id,
            username: e.username,
            display_name: e.display_name,
            section_name: e.section_name,
            command_points: e.command_points,
            operational_grade: e.operational_grade,
            rank: e.rank,
            current_streak: e.current_streak,
            tasks_completed: e.tasks_completed,
            clean_checklists: e.clean_checklists,
            tier: e.tier.as_str(),
            is_current_user: e.is_current_user,
        }
    }
}

/// `PerformanceBadge`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BadgeJson {
    pub key: &'static str,
    pub name: &'static str,
    pub icon: &'static str,
    pub theme: &'static str,
    pub description: &'static str,
    pub hint: &'static str,
    pub earned: bool,
    pub claimed: bool,
    pub claimable: bool,
    pub progress: f64,
    pub target: &'static str,
    pub claimed_at: Option<DateTime<Utc>>,
}

impl From<BadgeView> for BadgeJson {
    fn from(b: BadgeView) -> Self {
        BadgeJson {
            key: b.def.key,
            name: b.def.name,
            icon: b.def.icon,
            theme: b.def.theme,
            description: b.def.description,
            hint: b.def.hint,
            earned: b.earned,
            claimed: b.claimed,
            claimable: b.claimable,
            progress: b.progress,
            target: b.def.target,
            claimed_at: b.claimed_at,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TrendPointJson {
    pub label: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub command_points: i64,
    pub operational_grade: i64,
    pub tasks_completed: i64,
    pub checklist_items_completed: i64,
    pub handovers_resolved: i64,
}

impl From<TrendPoint> for TrendPointJson {
    fn from(t: TrendPoint) -> Self {
        TrendPointJson {
            label: t.label,
            period_start: t.period_start,
            period_end: t.period_end,
            command_points: t.command_points,
            operational_grade: t.operational_grade,
            tasks_completed: t.tasks_completed,
            checklist_items_completed: t.checklist_items_completed,
            handovers_resolved: t.handovers_resolved,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RecentEventJson {
    pub id: String,
    pub event_type: &'static str,
    pub title: String,
    pub detail: String,
    pub occurred_at: DateTime<Utc>,
    pub points: i64,
}

impl From<RecentEvent> for RecentEventJson {
    fn from(e: RecentEvent) -> Self {
        RecentEventJson {
            id: e.id,
            event_type: e.event_type.as_str(),
            title: e.title,
            detail: e.detail,
            occurred_at: e.occurred_at,
            points: e.points,
        }
    }
}

/// `PerformanceCommandResponse`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CommandJson {
    /// UTC, with `Z` (the original sent a naive time the browser misread as local).
    pub generated_at: DateTime<Utc>,
    pub focus_window: &'static str,
    pub scope_label: String,
    pub profile: ProfileJson,
    pub windows: WindowsJson,
    pub active_window: SnapshotJson,
    pub leaderboard: Vec<LeaderboardEntryJson>,
    pub badges: Vec<BadgeJson>,
    pub next_badge: Option<BadgeJson>,
    pub trend: Vec<TrendPointJson>,
    pub recent_events: Vec<RecentEventJson>,
}

impl TryFrom<PerformanceCommand> for CommandJson {
    type Error = AppError;

    fn try_from(c: PerformanceCommand) -> Result<Self, AppError> {
        let mut windows = c.windows.into_iter().map(SnapshotJson::from);
        let missing = || AppError::Internal("the deck lacks a window".into());
        let windows = WindowsJson {
            weekly: windows.next().ok_or_else(missing)?,
            monthly: windows.next().ok_or_else(missing)?,
            quarterly: windows.next().ok_or_else(missing)?,
            yearly: windows.next().ok_or_else(missing)?,
        };
        Ok(CommandJson {
            generated_at: c.generated_at,
            focus_window: c.focus_window.as_str(),
            scope_label: c.scope_label,
            profile: c.profile.into(),
            windows,
            active_window: c.active_window.into(),
            leaderboard: c.leaderboard.into_iter().map(Into::into).collect(),
            badges: c.badges.into_iter().map(Into::into).collect(),
            next_badge: c.next_badge.map(Into::into),
            trend: c.trend.into_iter().map(Into::into).collect(),
            recent_events: c.recent_events.into_iter().map(Into::into).collect(),
        })
    }
}

/// The caller's Performance Command deck. Records and notifies newly unlocked badges.
#[utoipa::path(get, path = "/api/v1/gamification/performance/command", tag = "gamification",
    params(("focus_window" = Option<String>, Query, description = "weekly | monthly (default) | quarterly | yearly")),
    responses((status = 200, body = CommandJson), SessionErrors, QueryErrors))]
pub async fn performance_command(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(params): ApiQuery<CommandParams>,
) -> ApiResult<Json<CommandJson>> {
    let focus = focus_of(&params)?;
    let deck = state.app.performance_command(&auth.actor, focus).await?;
    Ok(Json(deck.try_into()?))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ClaimJson {
    pub badge: BadgeJson,
    pub claimed_badge_count: i64,
}

/// Claims an earned badge (idempotent); 400 for an unknown or unearned badge.
#[utoipa::path(post, path = "/api/v1/gamification/performance/badges/{badge_key}/claim", tag = "gamification",
    params(("badge_key" = String, Path,)),
    responses((status = 200, body = ClaimJson), SessionErrors, PathErrors, WriteErrors))]
pub async fn claim_badge(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(badge_key): ApiPath<String>,
) -> ApiResult<Json<ClaimJson>> {
    let (badge, count) = state.app.claim_badge(&auth.actor, &badge_key).await?;
    Ok(Json(ClaimJson { badge: badge.into(), claimed_badge_count: count }))
}
