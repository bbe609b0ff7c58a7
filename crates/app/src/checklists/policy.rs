//! The transition policy, read from `state_transition_rules` (the data is the law).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sentinelops_domain::checklist::{TransitionPolicy, TransitionRule};
use sentinelops_store::Conn;
use sentinelops_store::repo::rules;

use sentinelops_domain::Role;
use sentinelops_domain::checklist::InstanceStatus;
use sentinelops_store::repo::checklists::InstanceRow;

use super::conflict::CurrentState;
use crate::App;
use crate::error::{AppError, AppResult};

/// How long a process keeps the rules it read. They change only by migration or by a
/// direct edit of the table, and every item change needs them inside the write
/// transaction; an edit takes effect on every instance within this time.
const MAX_AGE: Duration = Duration::from_secs(1);

/// The rules of each entity type as last read.
#[derive(Debug, Clone, Default)]
pub(crate) struct PolicyCache {
    entries: Arc<Mutex<HashMap<&'static str, Kept>>>,
}

#[derive(Debug)]
struct Kept {
    read_at: Instant,
    policy: Arc<TransitionPolicy>,
}

impl PolicyCache {
    fn fresh(&self, entity_type: &str) -> Option<Arc<TransitionPolicy>> {
        let entries = self.entries.lock().ok()?;
        let kept = entries.get(entity_type)?;
        (kept.read_at.elapsed() < MAX_AGE).then(|| Arc::clone(&kept.policy))
    }

    fn keep(&self, entity_type: &'static str, read_at: Instant, policy: &Arc<TransitionPolicy>) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.insert(entity_type, Kept { read_at, policy: Arc::clone(policy) });
        }
    }
}

impl App {
    /// The rules of one entity type (CHECKLIST_ITEM, CHECKLIST_SUBITEM or
    /// CHECKLIST_INSTANCE), read through `c` when this process's copy is older than
    /// `MAX_AGE`.
    #[tracing::instrument(level = "debug", skip_all)]
    /// Refuses a checklist move to `to` that the rules forbid for `role` (a 409 with the
    /// checklist's status); `reason` is the supervisor's, where the move needs one.
    pub(crate) async fn check_instance_move(
        &self,
        c: &impl Conn,
        instance: &InstanceRow,
        to: InstanceStatus,
        role: Role,
        reason: Option<&str>,
    ) -> AppResult<()> {
        let policy = self.policy(c, "CHECKLIST_INSTANCE").await?;
        policy.check(instance.status.as_str(), to.as_str(), Some(role), reason).map_err(|e| AppError::StateConflict {
            message: e.to_string(),
            current: CurrentState::of_instance(instance),
        })
    }

    pub(crate) async fn policy(&self, c: &impl Conn, entity_type: &'static str) -> AppResult<Arc<TransitionPolicy>> {
        if let Some(policy) = self.policies.fresh(entity_type) {
            return Ok(policy);
        }
        let read_at = Instant::now();
        let policy = Arc::new(read_policy(c, entity_type).await?);
        self.policies.keep(entity_type, read_at, &policy);
        Ok(policy)
    }
}

async fn read_policy(c: &impl Conn, entity_type: &str) -> AppResult<TransitionPolicy> {
    let rows = rules::for_entity(c, entity_type).await?;
    Ok(TransitionPolicy::new(
        rows.into_iter()
            .map(|r| TransitionRule {
                from: r.from_status,
                to: r.to_status,
                requires_reason: r.requires_reason,
                allowed_roles: r.allowed_roles.and_then(|v| serde_json::from_value::<Vec<String>>(v).ok()),
            })
            .collect(),
    ))
}
