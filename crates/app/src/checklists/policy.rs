//! The transition policy, read from `state_transition_rules` (the data is the law).

use sentinelops_domain::checklist::{TransitionPolicy, TransitionRule};
use sentinelops_store::Conn;
use sentinelops_store::repo::rules;

use crate::error::AppResult;

/// The rules of one entity type: CHECKLIST_ITEM, CHECKLIST_SUBITEM or CHECKLIST_INSTANCE.
pub(crate) async fn policy_for(c: &impl Conn, entity_type: &str) -> AppResult<TransitionPolicy> {
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
