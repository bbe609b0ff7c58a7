//! Handover points, confirmed at once in the note's transaction (a note is not undone
//! by a sign-off): HANDOVER_CREATED for the author of a written (not automatic) note,
//! HANDOVER_RESOLVED for whoever resolves someone else's note. The activity date is
//! the source checklist's.

use chrono::{DateTime, Utc};
use serde_json::json;
use uuid::Uuid;

use sentinelops_domain::scoring::{LedgerState, ScoreKind, rules};
use sentinelops_store::Tx;
use sentinelops_store::repo::checklists::{self, InstanceRow};
use sentinelops_store::repo::handover::HandoverRow;

use super::entries::{self, checklist_row, note, refuse};
use crate::App;
use crate::error::AppResult;

/// A note's title in the ledger: the start of its text.
fn title_of(note: &HandoverRow) -> String {
    let text: String = note.content.chars().take(80).collect();
    format!("Handover: {text}")
}

impl App {
    /// The author's points for a note just written.
    pub(crate) async fn handover_created_points(
        &self,
        tx: &Tx,
        from: &InstanceRow,
        handover: &HandoverRow,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        if handover.is_automatic {
            return Ok(());
        }
        let kind = ScoreKind::HandoverCreated;
        let mut row = checklist_row(from, handover.created_by, kind, LedgerState::Confirmed, &title_of(handover), now)
            .paying(self.config.scoring.handover_created, 1);
        row.subject_id = Some(handover.id);
        entries::append(tx, vec![row], now).await
    }

    /// The resolver's points (or the refusal of a self-resolution).
    pub(crate) async fn handover_resolved_points(
        &self,
        tx: &Tx,
        handover: &HandoverRow,
        resolver: Uuid,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        let Some(from) = checklists::find_instance(tx, handover.from_instance_id).await? else {
            return Ok(());
        };
        let title = title_of(handover);
        let kind = ScoreKind::HandoverResolved;
        let mut row = match rules::not_self_resolve(&title, Some(handover.created_by), resolver) {
            Ok(()) => checklist_row(&from, resolver, kind, LedgerState::Confirmed, &title, now)
                .paying(self.config.scoring.handover_resolved, 1),
            Err(refusal) => {
                let mut row = checklist_row(&from, resolver, kind, LedgerState::Refused, &title, now);
                refuse(&mut row, &refusal);
                row
            }
        };
        row.subject_id = Some(handover.id);
        note(&mut row, "author", json!(handover.created_by));
        entries::append(tx, vec![row], now).await
    }
}
