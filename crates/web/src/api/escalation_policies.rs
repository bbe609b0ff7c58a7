//! Escalation policies (issue 21): `/api/v1/escalation-policies/{section_id}`. The
//! section's supervisors read it; admins replace it. A section that never saved one
//! answers the default (`is_default: true`).

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use sentinelops_app::alerts::{Level, Policy, PolicyView, Recipients};

use super::error_responses::{BodyErrors, PathErrors, SessionErrors, WriteErrors};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, AuthUser};
use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_policy, put_policy))
}

/// Who one level notifies.
#[derive(Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RecipientsDoc {
    /// The section's active managers.
    pub section_managers: bool,
    /// Named users (ids of active users).
    pub users: Vec<Uuid>,
    /// Every active admin.
    pub all_admins: bool,
    /// An on-call address, e-mailed with a one-click acknowledge link.
    pub email: Option<String>,
    /// A webhook class: escalation, skip, completion, handover or reminder.
    pub webhook: Option<String>,
}

/// One level of a policy.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LevelDoc {
    /// Minutes an unacknowledged alert waits at this level before the next (1–1440). The
    /// last level's delay is its repeat interval.
    pub delay_minutes: u32,
    #[serde(default)]
    pub recipients: RecipientsDoc,
}

/// A section's escalation policy.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PolicyDoc {
    pub section_id: Uuid,
    /// No policy was saved: these are the defaults.
    pub is_default: bool,
    /// Level 1 is notified when an alert opens; each next level after the previous one's delay.
    pub levels: Vec<LevelDoc>,
    /// How many more times the last level is notified, its delay apart (0–20).
    pub repeat: u32,
    /// Minutes after a timed step's time before it is MISSED (0–240).
    pub due_grace_minutes: u32,
    /// Minutes after a shift's end before an unsigned checklist opens an alert (0–1440).
    pub signoff_grace_minutes: u32,
    pub updated_by: Option<Uuid>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// A new policy for a section.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PolicyBody {
    /// 1–10 levels.
    pub levels: Vec<LevelDoc>,
    /// Default 0.
    #[serde(default)]
    pub repeat: u32,
    /// Default 15.
    pub due_grace_minutes: Option<u32>,
    /// Default 60.
    pub signoff_grace_minutes: Option<u32>,
}

impl From<Recipients> for RecipientsDoc {
    fn from(r: Recipients) -> Self {
        let Recipients { section_managers, users, all_admins, email, webhook } = r;
        RecipientsDoc { section_managers, users, all_admins, email, webhook }
    }
}

impl From<RecipientsDoc> for Recipients {
    fn from(r: RecipientsDoc) -> Self {
        let RecipientsDoc { section_managers, users, all_admins, email, webhook } = r;
        Recipients { section_managers, users, all_admins, email, webhook }
    }
}

impl From<PolicyView> for PolicyDoc {
    fn from(v: PolicyView) -> Self {
        let levels = v
            .policy
            .levels
            .into_iter()
            .map(|l| LevelDoc { delay_minutes: l.delay_minutes, recipients: l.recipients.into() })
            .collect();
        PolicyDoc {
            section_id: v.section_id,
            is_default: v.is_default,
            levels,
            repeat: v.policy.repeat,
            due_grace_minutes: v.policy.due_grace_minutes,
            signoff_grace_minutes: v.policy.signoff_grace_minutes,
            updated_by: v.updated_by,
            updated_at: v.updated_at,
        }
    }
}

impl From<PolicyBody> for Policy {
    fn from(b: PolicyBody) -> Self {
        let defaults = Policy::default();
        let levels = b
            .levels
            .into_iter()
            .map(|l| Level { delay_minutes: l.delay_minutes, recipients: l.recipients.into() })
            .collect();
        Policy {
            levels,
            repeat: b.repeat,
            due_grace_minutes: b.due_grace_minutes.unwrap_or(defaults.due_grace_minutes),
            signoff_grace_minutes: b.signoff_grace_minutes.unwrap_or(defaults.signoff_grace_minutes),
        }
    }
}

/// The section's escalation policy (its supervisors, admins).
#[utoipa::path(get, path = "/api/v1/escalation-policies/{section_id}", tag = "alerts",
    params(("section_id" = Uuid, Path, description = "The section's id")),
    responses((status = 200, body = PolicyDoc), SessionErrors, PathErrors))]
pub async fn get_policy(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(section_id): ApiPath<Uuid>,
) -> ApiResult<Json<PolicyDoc>> {
    Ok(Json(state.app.escalation_policy(&auth.actor, section_id).await?.into()))
}

/// Replace the section's escalation policy (admins). Open alerts climb it from their next step.
#[utoipa::path(put, path = "/api/v1/escalation-policies/{section_id}", tag = "alerts", request_body = PolicyBody,
    params(("section_id" = Uuid, Path, description = "The section's id")),
    responses((status = 200, body = PolicyDoc), SessionErrors, PathErrors, BodyErrors, WriteErrors))]
pub async fn put_policy(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(section_id): ApiPath<Uuid>,
    ApiJson(b): ApiJson<PolicyBody>,
) -> ApiResult<Json<PolicyDoc>> {
    Ok(Json(state.app.put_escalation_policy(&auth.actor, section_id, b.into()).await?.into()))
}
