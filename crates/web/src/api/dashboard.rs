//! Dashboards, policies and performance metrics under `/api/v1/checklists`.

use axum::routing::get;
use axum::{Json, Router, extract::State};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use sentinelops_app::lenient::opt_uuid;

use super::error_responses::{QueryErrors, SessionErrors};
use crate::api::dashboard_summary::SummaryBody;
use crate::error::{ApiResult, Detail};
use crate::extract::{ApiQuery, AuthUser};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/checklists/dashboard/summary", get(summary))
        .route("/api/v1/checklists/dashboard/active", get(active))
        .route("/api/v1/checklists/dashboard/user-activity", get(user_activity))
        .route("/api/v1/checklists/state-policy", get(state_policy))
        .route("/api/v1/checklists/authorization-policy", get(authorization_policy))
        .route("/api/v1/checklists/performance/metrics", get(performance_metrics))
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
pub async fn active(State(state): State<AppState>, auth: AuthUser) -> ApiResult<Json<Value>> {
    Ok(Json(state.app.active_checklists(&auth.actor).await?))
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
) -> ApiResult<Json<Value>> {
    Ok(Json(state.app.user_activity_summary(&auth.actor, q.since).await?))
}

/// The transition rules in force (read from `state_transition_rules`).
#[utoipa::path(get, path = "/api/v1/checklists/state-policy", tag = "dashboard",
    responses((status = 200), SessionErrors))]
pub async fn state_policy(State(state): State<AppState>, _auth: AuthUser) -> ApiResult<Json<Value>> {
    Ok(Json(state.app.state_policy().await?))
}

/// What each role may do.
#[utoipa::path(get, path = "/api/v1/checklists/authorization-policy", tag = "dashboard",
    responses((status = 200), SessionErrors))]
pub async fn authorization_policy(State(state): State<AppState>, _auth: AuthUser) -> Json<Value> {
    Json(state.app.authorization_policy())
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
) -> ApiResult<Json<Value>> {
    Ok(Json(state.app.performance_metrics(&auth.actor, q.user_id, q.start_date, q.end_date).await?))
}
