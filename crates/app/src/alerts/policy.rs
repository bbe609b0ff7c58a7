//! Each section's escalation policy: read by supervisors, edited by admins. A section
//! that never saved one has `Policy::default()`, so alerts escalate sensibly with no
//! configuration at all.

use chrono::{DateTime, Utc};
use serde_json::json;
use uuid::Uuid;

use sentinelops_domain::Email;
use sentinelops_domain::escalation::Policy;
use sentinelops_store::Conn;
use sentinelops_store::repo::alerts::{self as repo, PolicyRow};
use sentinelops_store::repo::{org, users};

use crate::App;
use crate::access::can_supervise_section;
use crate::actor::Actor;
use crate::audit::{OpsEvent, record_ops};
use crate::error::{AppResult, forbidden, invalid, not_found};
use crate::tx::commit;

/// A section's policy as shown: the stored one, or the default.
#[derive(Debug, Clone)]
pub struct PolicyView {
    pub section_id: Uuid,
    pub policy: Policy,
    /// No policy was saved: the default applies.
    pub is_default: bool,
    pub updated_by: Option<Uuid>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// A stored policy read back; one that no longer reads (written by a newer version)
/// gives the default, which is never worse than no escalation.
fn read(row: &PolicyRow) -> Option<Policy> {
    serde_json::from_value::<Policy>(row.policy.clone()).ok().and_then(|p| p.validated().ok())
}

/// The policy alerts of `section_id` climb.
pub(crate) async fn policy_for(c: &impl Conn, section_id: Uuid) -> AppResult<Policy> {
    Ok(repo::policy_of(c, section_id).await?.as_ref().and_then(read).unwrap_or_default())
}

/// Every grace after a timed step's time that some section uses (the default's too).
pub(crate) async fn due_graces(c: &impl Conn) -> AppResult<Vec<chrono::Duration>> {
    let mut graces = vec![Policy::default().due_grace()];
    graces.extend(repo::all_policies(c).await?.iter().filter_map(read).map(|p| p.due_grace()));
    graces.sort();
    graces.dedup();
    Ok(graces)
}

fn view_of(section_id: Uuid, row: Option<PolicyRow>) -> PolicyView {
    let stored = row.as_ref().and_then(|r| read(r).map(|p| (p, r.updated_by, r.updated_at)));
    match stored {
        Some((policy, updated_by, updated_at)) => {
            PolicyView { section_id, policy, is_default: false, updated_by, updated_at: Some(updated_at) }
        }
        None => {
            PolicyView { section_id, policy: Policy::default(), is_default: true, updated_by: None, updated_at: None }
        }
    }
}

/// Checks what the domain cannot: addresses and named users.
async fn checked(c: &impl Conn, policy: Policy) -> AppResult<Policy> {
    let policy = policy.validated().map_err(|e| invalid(e.0))?;
    for (n, level) in policy.levels.iter().enumerate() {
        if let Some(address) = &level.recipients.email
            && Email::parse(address).is_err()
        {
            return Err(invalid(format!("levels[{n}].recipients.email is not an e-mail address")));
        }
        for user in &level.recipients.users {
            if !users::find(c, *user).await?.is_some_and(|u| u.is_active) {
                return Err(invalid(format!("levels[{n}].recipients.users: no active user {user}")));
            }
        }
    }
    Ok(policy)
}

impl App {
    /// A section's escalation policy (its supervisors and admins).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn escalation_policy(&self, actor: &Actor, section_id: Uuid) -> AppResult<PolicyView> {
        let reader = self.store.reader();
        org::find_section(reader, section_id).await?.ok_or_else(|| not_found("Section not found"))?;
        can_supervise_section(actor, section_id)?;
        Ok(view_of(section_id, repo::policy_of(reader, section_id).await?))
    }

    /// Replaces a section's escalation policy (admins). Open alerts climb the new
    /// policy from their next step on.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn put_escalation_policy(
        &self,
        actor: &Actor,
        section_id: Uuid,
        policy: Policy,
    ) -> AppResult<PolicyView> {
        if !actor.is_admin() {
            return Err(forbidden("Only administrators can change escalation policies"));
        }
        let tx = self.store.begin_write().await?;
        let now = self.clock.now();
        org::find_section(&tx, section_id).await?.ok_or_else(|| not_found("Section not found"))?;
        let policy = checked(&tx, policy).await?;
        let stored = serde_json::to_value(&policy).map_err(|e| crate::AppError::Internal(e.to_string()))?;
        let row = PolicyRow { section_id, policy: stored.clone(), updated_by: actor.recorded_id(), updated_at: now };
        repo::save_policy(&tx, row.clone()).await?;
        record_ops(
            &tx,
            now,
            actor,
            OpsEvent {
                event_type: "ESCALATION_POLICY_UPDATED",
                entity_type: "SECTION",
                entity_id: section_id.to_string(),
                section_id: Some(section_id),
                payload: json!({ "section_id": section_id, "policy": stored }),
            },
        )
        .await?;
        commit(tx).await?;
        Ok(view_of(section_id, Some(row)))
    }
}
