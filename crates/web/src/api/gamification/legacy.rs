//! The original's legacy endpoints (contract §1.6): `/scores`, `/streak`,
//! `/leaderboard`, `/achievements`, `/dashboard`, answered from the ledger.

use axum::{Json, extract::State};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use sentinelops_app::error::AppError;
use sentinelops_app::gamification::BadgeView;
use sentinelops_app::gamification::LedgerRow;
use sentinelops_app::gamification::legacy::{LegacyDashboard, LegacyRank, Milestone, Timeframe};

use crate::api::error_responses::{QueryErrors, SessionErrors};
use crate::error::ApiResult;
use crate::extract::{ApiQuery, AuthUser};
use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(scores))
        .routes(routes!(streak))
        .routes(routes!(leaderboard))
        .routes(routes!(achievements))
        .routes(routes!(dashboard))
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ScoreParams {
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub limit: Option<u64>,
}

/// A ledger row as the original's `GamificationScore`, plus our kind, state and date.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ScoreJson {
    pub id: Uuid,
    pub user_id: Uuid,
    pub shift_instance_id: Option<Uuid>,
    pub points: i32,
    /// `ScoreReason`.
    pub reason: String,
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<Value>,
    pub awarded_by: Option<Uuid>,
    pub awarded_at: DateTime<Utc>,
    pub kind: String,
    pub state: String,
    pub activity_date: NaiveDate,
}

impl From<LedgerRow> for ScoreJson {
    fn from(r: LedgerRow) -> Self {
        ScoreJson {
            id: r.id,
            user_id: r.user_id,
            shift_instance_id: r.instance_id,
            points: r.points,
            reason: r.reason,
            metadata: Some(r.metadata),
            awarded_by: r.awarded_by,
            awarded_at: r.awarded_at,
            kind: r.kind,
            state: r.state,
            activity_date: r.activity_date,
        }
    }
}

/// The caller's ledger rows, newest first.
#[utoipa::path(get, path = "/api/v1/gamification/scores", tag = "gamification",
    params(("start_date" = Option<NaiveDate>, Query,), ("end_date" = Option<NaiveDate>, Query,),
           ("limit" = Option<u64>, Query, description = "1-500, default 100")),
    responses((status = 200, body = [ScoreJson]), SessionErrors, QueryErrors))]
pub async fn scores(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(p): ApiQuery<ScoreParams>,
) -> ApiResult<Json<Vec<ScoreJson>>> {
    let rows = state.app.my_scores(&auth.actor, p.start_date, p.end_date, p.limit).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StreakJson {
    pub user_id: Uuid,
    pub current_streak_days: i64,
    pub longest_streak_days: i64,
    pub perfect_shifts_count: i64,
    pub total_points: i64,
    pub shift_completion_rate: f64,
    pub last_shift_date: Option<NaiveDate>,
}

/// The caller's streak (zeros before their first points).
#[utoipa::path(get, path = "/api/v1/gamification/streak", tag = "gamification",
    responses((status = 200, body = StreakJson), SessionErrors))]
pub async fn streak(State(state): State<AppState>, auth: AuthUser) -> ApiResult<Json<StreakJson>> {
    let s = state.app.my_streak(&auth.actor).await?;
    let row = s.row.as_ref();
    Ok(Json(StreakJson {
        user_id: s.user_id,
        current_streak_days: row.map_or(0, |r| i64::from(r.current_streak_days)),
        longest_streak_days: row.map_or(0, |r| i64::from(r.longest_streak_days)),
        perfect_shifts_count: row.map_or(0, |r| i64::from(r.perfect_shifts_count)),
        total_points: row.map_or(0, |r| i64::from(r.total_points)),
        shift_completion_rate: s.shift_completion_rate,
        last_shift_date: row.and_then(|r| r.last_shift_date),
    }))
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct BoardParams {
    pub timeframe: Option<String>,
    pub limit: Option<u64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BoardRowJson {
    pub user_id: Uuid,
    pub username: String,
    pub total_points: i64,
    pub current_streak: i64,
    pub perfect_shifts: i64,
    pub rank: i64,
    pub avatar_url: String,
}

fn avatar_url(username: &str) -> String {
    let mut name = String::new();
    for byte in username.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            name.push(char::from(byte));
        } else {
            name.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("https://ui-avatars.com/api/?name={name}&background=random")
}

impl From<LegacyRank> for BoardRowJson {
    fn from(r: LegacyRank) -> Self {
        BoardRowJson {
            user_id: r.user.id,
            avatar_url: avatar_url(&r.user.username),
            username: r.user.username,
            total_points: r.total_points,
            current_streak: r.current_streak,
            perfect_shifts: r.perfect_shifts,
            rank: r.rank,
        }
    }
}

/// Every visible active user ranked by points in the timeframe.
#[utoipa::path(get, path = "/api/v1/gamification/leaderboard", tag = "gamification",
    params(("timeframe" = Option<String>, Query, description = "daily | weekly (default) | monthly | all_time"),
           ("limit" = Option<u64>, Query, description = "1-100, default 50")),
    responses((status = 200, body = [BoardRowJson]), SessionErrors, QueryErrors))]
pub async fn leaderboard(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(p): ApiQuery<BoardParams>,
) -> ApiResult<Json<Vec<BoardRowJson>>> {
    let timeframe = match p.timeframe.as_deref() {
        None => Timeframe::Weekly,
        Some(t) => Timeframe::parse(t)
            .ok_or_else(|| AppError::Validation("timeframe must be one of daily, weekly, monthly, all_time".into()))?,
    };
    let rows = state.app.legacy_leaderboard(&auth.actor, timeframe, p.limit).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AchievementJson {
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub icon: &'static str,
    pub points_required: i64,
    pub unlocked_at: Option<DateTime<Utc>>,
}

impl From<BadgeView> for AchievementJson {
    fn from(b: BadgeView) -> Self {
        AchievementJson {
            id: b.def.key,
            name: b.def.name,
            description: b.def.description,
            icon: b.def.icon,
            points_required: 0,
            unlocked_at: b.unlocked_at,
        }
    }
}

/// The caller's earned badges.
#[utoipa::path(get, path = "/api/v1/gamification/achievements", tag = "gamification",
    responses((status = 200, body = [AchievementJson]), SessionErrors))]
pub async fn achievements(State(state): State<AppState>, auth: AuthUser) -> ApiResult<Json<Vec<AchievementJson>>> {
    let earned = state.app.my_achievements(&auth.actor).await?;
    Ok(Json(earned.into_iter().map(Into::into).collect()))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DashboardUserJson {
    pub username: String,
    pub rank: Option<i64>,
    pub total_points: i64,
    pub current_streak: i64,
    pub perfect_shifts: i64,
    pub weekly_points: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PreviewJson {
    pub user_id: Uuid,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub total_points: i64,
    pub current_streak: i64,
    pub perfect_shifts: i64,
    pub shift_count: i64,
    pub rank: i64,
    pub avg_points_per_shift: f64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RecentScoreJson {
    #[serde(flatten)]
    pub score: ScoreJson,
    pub checklist_date: NaiveDate,
    pub shift: Option<String>,
    pub awarded_by_username: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DashboardAchievementJson {
    pub name: &'static str,
    pub description: &'static str,
    pub icon: &'static str,
    pub unlocked_date: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MilestoneJson {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub target: i64,
    pub current: i64,
    pub remaining: i64,
    pub reward: i64,
}

impl From<Milestone> for MilestoneJson {
    fn from(m: Milestone) -> Self {
        MilestoneJson {
            kind: m.kind.as_str(),
            target: m.target,
            current: m.current,
            remaining: m.remaining,
            reward: m.reward,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DashboardJson {
    pub user: DashboardUserJson,
    pub leaderboard_preview: Vec<PreviewJson>,
    pub recent_scores: Vec<RecentScoreJson>,
    pub achievements: Vec<DashboardAchievementJson>,
    /// Only when the caller has a streak row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_milestones: Option<Vec<MilestoneJson>>,
}

impl From<LegacyDashboard> for DashboardJson {
    fn from(d: LegacyDashboard) -> Self {
        let streak = d.streak.as_ref();
        let preview = d
            .preview
            .into_iter()
            .map(|(r, runs)| PreviewJson {
                avg_points_per_shift: if runs > 0 {
                    ((r.total_points as f64 / runs as f64) * 10.0).round() / 10.0
                } else {
                    0.0
                },
                user_id: r.user.id,
                username: r.user.username,
                first_name: r.user.first_name,
                last_name: r.user.last_name,
                total_points: r.total_points,
                current_streak: r.current_streak,
                perfect_shifts: r.perfect_shifts,
                shift_count: runs,
                rank: r.rank,
            })
            .collect();
        DashboardJson {
            user: DashboardUserJson {
                username: d.me.username,
                rank: d.weekly_rank,
                total_points: streak.map_or(0, |s| i64::from(s.total_points)),
                current_streak: streak.map_or(0, |s| i64::from(s.current_streak_days)),
                perfect_shifts: streak.map_or(0, |s| i64::from(s.perfect_shifts_count)),
                weekly_points: d.weekly_points,
            },
            leaderboard_preview: preview,
            recent_scores: d
                .recent
                .into_iter()
                .map(|(row, by)| RecentScoreJson {
                    checklist_date: row.activity_date,
                    shift: row.shift.clone(),
                    awarded_by_username: by,
                    score: row.into(),
                })
                .collect(),
            achievements: d
                .achievements
                .into_iter()
                .map(|b| DashboardAchievementJson {
                    name: b.def.name,
                    description: b.def.description,
                    icon: b.def.icon,
                    unlocked_date: b.unlocked_at,
                })
                .collect(),
            next_milestones: d.streak.is_some().then(|| d.milestones.into_iter().map(Into::into).collect()),
        }
    }
}

/// The legacy gamification dashboard, with real data.
#[utoipa::path(get, path = "/api/v1/gamification/dashboard", tag = "gamification",
    responses((status = 200, body = DashboardJson), SessionErrors))]
pub async fn dashboard(State(state): State<AppState>, auth: AuthUser) -> ApiResult<Json<DashboardJson>> {
    Ok(Json(state.app.legacy_dashboard(&auth.actor).await?.into()))
}
