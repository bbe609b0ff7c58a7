//! A supervisor's points adjustment: an ADJUSTMENT ledger row with its reason, an ops
//! event and a notification to the user, all in one transaction.

use serde_json::json;
use uuid::Uuid;

use sentinelops_domain::scoring::{LedgerState, ScoreKind};
use sentinelops_store::repo::gamification::LedgerRow;
use sentinelops_store::repo::users;

use super::entries::{self, note, plain_row};
use crate::access::can_supervise_section;
use crate::actor::Actor;
use crate::audit::{OpsEvent, record_ops};
use crate::error::{AppResult, forbidden, invalid, not_found};
use crate::notifications::{self, Audience, Draft, Priority};
use crate::tx::commit;
use crate::{App, validate};

/// The largest adjustment, either way.
pub const MAX_ADJUSTMENT: i32 = 1000;

/// What a supervisor asks for.
#[derive(Debug, Clone)]
pub struct Adjustment {
    pub user_id: Uuid,
    pub points: i32,
    pub reason: String,
}

impl App {
    /// Adjusts a user's points (a manager of their section or an admin, never their
    /// own) and returns the ledger row.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn adjust_points(&self, actor: &Actor, input: Adjustment) -> AppResult<LedgerRow> {
        let Some(supervisor) = actor.recorded_id().filter(|_| actor.role.is_supervisor()) else {
            return Err(forbidden("Only managers and administrators can adjust points"));
        };
        if input.points == 0 || input.points.unsigned_abs() > MAX_ADJUSTMENT.unsigned_abs() {
            return Err(invalid(format!("points must be non-zero and between -{MAX_ADJUSTMENT} and {MAX_ADJUSTMENT}")));
        }
        let reason = validate::text("reason", &input.reason, 3, 500)?;
        if input.user_id == supervisor {
            return Err(forbidden("You cannot adjust your own points"));
        }
        let tx = self.store.begin_write().await?;
        let now = self.clock.now();
        let user = users::find(&tx, input.user_id).await?.ok_or_else(|| not_found("User not found"))?;
        match user.section_id {
            Some(section) => can_supervise_section(actor, section)?,
            None if actor.is_admin() => {}
            None => return Err(forbidden("Only an administrator can adjust the points of a user without a section")),
        }
        let today = now.with_timezone(&self.business_timezone_in(&tx).await?).date_naive();
        let signed = format!("{:+}", input.points);
        let detail = format!("Adjusted by {}", actor.username);
        let mut row = plain_row(user.id, ScoreKind::Adjustment, LedgerState::Adjustment, today, &reason, &detail, now)
            .paying(input.points, 0);
        row.section_id = user.section_id;
        row.awarded_by = Some(supervisor);
        note(&mut row, "reason", json!(reason));
        entries::append(&tx, vec![row.clone()], now).await?;
        record_ops(
            &tx,
            now,
            actor,
            OpsEvent {
                event_type: "POINTS_ADJUSTED",
                entity_type: "USER",
                entity_id: user.id.to_string(),
                section_id: user.section_id,
                payload: json!({
                    "ledger_id": row.id, "user_id": user.id, "points": input.points, "reason": reason,
                    "adjusted_by": supervisor,
                }),
            },
        )
        .await?;
        notifications::send(
            &tx,
            now,
            Draft {
                title: format!("Points adjusted ({signed})"),
                message: format!("{} adjusted your points by {signed}. Reason: {reason}", actor.username),
                priority: Priority::Medium,
                related_entity: "points_adjustment",
                related_id: Some(row.id),
                section_id: user.section_id,
                audience: Audience::Users(vec![user.id]),
                exclude: Some(supervisor),
            },
        )
        .await?;
        commit(tx).await?;
        Ok(row)
    }
}
