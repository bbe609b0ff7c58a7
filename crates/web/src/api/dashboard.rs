//! Dashboards, policies and performance metrics under `/api/v1/checklists`.

use std::collections::HashMap;

use axum::{Json, extract::State};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;
use uuid::Uuid;

use sentinelops_app::dashboard::{
    ActiveChecklist, AuthorizationPolicy, PerformanceMetrics, RuleRow, StatePolicy, UserActivity,
};
use sentinelops_domain::ActivityAction;

use super::lenient::opt_uuid;

use super::error_responses::{QueryErrors, SessionErrors};
use crate::api::dashboard_summary::SummaryBody;
use crate::error::{ApiResult, Detail};
use crate::extract::{ApiQuery, AuthUser};
use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(summary))
        .routes(routes!(active))
        .routes(routes!(user_activity))
        .routes(routes!(state_policy))
        .routes(routes!(authorization_policy))
        .routes(routes!(performance_metrics))
}

/// The operational day at a glance (the original's shape).
#[utoipa::path(get, path = "/api/v1/checklists/dashboard/summary", tag = "dashboard",
    responses((status = 200, body = SummaryBody), SessionErrors))]
pub async fn summary(State(state): State<AppState>, auth: AuthUser) -> ApiResult<Json<SummaryBody>> {
    Ok(Json(SummaryBody::from(state.app.dashboard_summary(&auth.actor).await?)))
}

/// Active checklists of the shift running now, with item counts.
#[utoipa::path(get, path = "/api/v1/checklists/dashboard/active", tag = "dashboard",
    responses((status = 200), SessionErrors))]
pub async fn active(State(state): State<AppState>, auth: AuthUser) -> ApiResult<Json<Vec<ActiveJson>>> {
    Ok(Json(state.app.active_checklists(&auth.actor).await?.into_iter().map(ActiveJson::from).collect()))
}

/// A checklist of the shift running now.
#[derive(Debug, Serialize)]
pub struct ActiveJson {
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

impl From<ActiveChecklist> for ActiveJson {
    fn from(a: ActiveChecklist) -> ActiveJson {
        let (r, t) = (a.row, a.items);
        ActiveJson {
            id: r.id,
            shift: r.shift.as_str().to_owned(),
            checklist_date: r.checklist_date,
            status: r.status.as_str().to_owned(),
            template_name: r.template_name,
            participant_count: a.participant_count,
            completed_items: t.completed,
            in_progress_items: t.in_progress,
            pending_items: t.pending,
            skipped_items: t.skipped,
            failed_items: t.failed,
            total_items: t.total,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct ActivityQuery {
    pub since: Option<DateTime<Utc>>,
}

/// Per-user activity counts (your section; admins: everyone).
#[utoipa::path(get, path = "/api/v1/checklists/dashboard/user-activity", tag = "dashboard",
    params(("since" = Option<String>, Query,)),
    responses((status = 200), SessionErrors, QueryErrors))]
pub async fn user_activity(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(q): ApiQuery<ActivityQuery>,
) -> ApiResult<Json<Vec<UserActivityJson>>> {
    let list = state.app.user_activity_summary(&auth.actor, q.since).await?;
    Ok(Json(list.into_iter().map(UserActivityJson::from).collect()))
}

#[derive(Debug, Serialize)]
pub struct UserActivityJson {
    pub id: Uuid,
    pub username: String,
    pub email: Option<String>,
    pub total_activities: i64,
    pub completed_count: i64,
    pub skipped_count: i64,
    pub escalated_count: i64,
    pub last_activity: Option<DateTime<Utc>>,
}

impl From<UserActivity> for UserActivityJson {
    fn from(u: UserActivity) -> UserActivityJson {
        let t = u.activity;
        UserActivityJson {
            id: u.id,
            username: u.username,
            email: u.email,
            total_activities: t.total,
            completed_count: t.completed,
            skipped_count: t.skipped,
            escalated_count: t.escalated,
            last_activity: t.last,
        }
    }
}

/// The transition rules in force (read from `state_transition_rules`).
#[utoipa::path(get, path = "/api/v1/checklists/state-policy", tag = "dashboard",
    responses((status = 200), SessionErrors))]
pub async fn state_policy(State(state): State<AppState>, _auth: AuthUser) -> ApiResult<Json<StatePolicyJson>> {
    Ok(Json(state.app.state_policy().await?.into()))
}

#[derive(Debug, Serialize)]
pub struct StatePolicyJson {
    pub source: &'static str,
    pub rules: HashMap<String, Vec<RuleJson>>,
}

#[derive(Debug, Serialize)]
pub struct RuleJson {
    pub from: String,
    pub to: String,
    pub requires_reason: bool,
    pub requires_approval: bool,
    pub allowed_roles: Option<Value>,
    pub description: Option<String>,
}

impl From<StatePolicy> for StatePolicyJson {
    fn from(p: StatePolicy) -> StatePolicyJson {
        let rules =
            p.rules.into_iter().map(|(entity, rules)| (entity, rules.into_iter().map(RuleJson::from).collect()));
        StatePolicyJson { source: p.source, rules: rules.collect() }
    }
}

impl From<RuleRow> for RuleJson {
    fn from(r: RuleRow) -> RuleJson {
        RuleJson {
            from: r.from_status,
            to: r.to_status,
            requires_reason: r.requires_reason,
            requires_approval: r.requires_approval,
            allowed_roles: r.allowed_roles,
            description: r.description,
        }
    }
}

/// What each role may do.
#[utoipa::path(get, path = "/api/v1/checklists/authorization-policy", tag = "dashboard",
    responses((status = 200), SessionErrors))]
pub async fn authorization_policy(State(state): State<AppState>, _auth: AuthUser) -> Json<AuthorizationJson> {
    Json(state.app.authorization_policy().into())
}

#[derive(Debug, Serialize)]
pub struct AuthorizationJson {
    pub roles: RolesJson,
    /// An object: alias → role.
    #[serde(serialize_with = "as_object")]
    pub aliases: Vec<(&'static str, &'static str)>,
    pub section_scoped: Vec<&'static str>,
}

#[derive(Debug, Serialize)]
pub struct RolesJson {
    pub user: Vec<&'static str>,
    pub manager: Vec<&'static str>,
    pub admin: Vec<&'static str>,
}

fn as_object<S: Serializer>(pairs: &[(&'static str, &'static str)], s: S) -> Result<S::Ok, S::Error> {
    s.collect_map(pairs.iter().copied())
}

impl From<AuthorizationPolicy> for AuthorizationJson {
    fn from(p: AuthorizationPolicy) -> AuthorizationJson {
        AuthorizationJson {
            roles: RolesJson { user: p.user, manager: p.manager, admin: p.admin },
            aliases: p.aliases,
            section_scoped: p.section_scoped,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct MetricsQuery {
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    #[serde(default, deserialize_with = "opt_uuid")]
    pub user_id: Option<Uuid>,
}

/// A user's checklist work between two dates (yours unless you supervise).
#[utoipa::path(get, path = "/api/v1/checklists/performance/metrics", tag = "dashboard",
    params(("start_date" = Option<NaiveDate>, Query,), ("end_date" = Option<NaiveDate>, Query,), ("user_id" = Option<Uuid>, Query,)),
    responses((status = 200), SessionErrors, QueryErrors, (status = 404, description = "No such user", body = Detail)))]
pub async fn performance_metrics(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(q): ApiQuery<MetricsQuery>,
) -> ApiResult<Json<MetricsJson>> {
    Ok(Json(state.app.performance_metrics(&auth.actor, q.user_id, q.start_date, q.end_date).await?.into()))
}

#[derive(Debug, Serialize)]
pub struct MetricsJson {
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

impl From<PerformanceMetrics> for MetricsJson {
    fn from(m: PerformanceMetrics) -> MetricsJson {
        let count = |action: ActivityAction| m.count(action);
        MetricsJson {
            user_id: m.user_id,
            username: m.username.clone(),
            start_date: m.start_date,
            end_date: m.end_date,
            total_actions: m.total_actions(),
            completed: count(ActivityAction::Completed),
            started: count(ActivityAction::Started),
            skipped: count(ActivityAction::Skipped),
            escalated: count(ActivityAction::Escalated),
            commented: count(ActivityAction::Commented),
            last_activity: m.last_activity,
        }
    }
}
