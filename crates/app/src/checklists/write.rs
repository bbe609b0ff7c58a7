//! One write to a checklist and what every step change writes besides its own row:
//! the activity line, the ops event and the managers' alerts.

use chrono::{DateTime, Utc};
use serde_json::json;
use uuid::Uuid;

use sentinelops_domain::ActivityAction;
use sentinelops_domain::alert::AlertCause;
use sentinelops_domain::checklist::ItemStatus;
use sentinelops_domain::ids::new_id;
use sentinelops_store::Tx;
use sentinelops_store::repo::checklists::{self, ActivityRow, InstanceRow};

use crate::actor::Actor;
use crate::alerts::Raise;
use crate::audit::{OpsEvent, record_ops};
use crate::error::AppResult;
use crate::notifications::{self, Audience, Draft, Priority};

/// One write to a checklist: its transaction, who writes, the checklist row locked
/// for it, and the time read once that lock was held (so stamps follow commit order).
pub(crate) struct ChecklistWrite<'a> {
    pub tx: &'a Tx,
    pub actor: &'a Actor,
    pub instance: &'a InstanceRow,
    pub now: DateTime<Utc>,
}

/// What a requested change of an item or subitem says.
pub(crate) struct Change {
    pub to: ItemStatus,
    pub reason: Option<String>,
    pub comment: Option<String>,
    pub verdict: Option<String>,
    /// The status the client saw; a different current status is a lost race.
    pub expected: Option<ItemStatus>,
}

impl Change {
    /// A move to `to` with nothing else said.
    pub(crate) fn to(to: ItemStatus) -> Change {
        Change { to, reason: None, comment: None, verdict: None, expected: None }
    }
}

/// A line of an item's activity.
pub(crate) struct ActivityEntry {
    pub item_id: Uuid,
    pub subitem_id: Option<Uuid>,
    pub action: ActivityAction,
    /// The status change, when the line records one.
    pub from: Option<ItemStatus>,
    pub to: Option<ItemStatus>,
    pub comment: Option<String>,
    /// Kept only on a move to an exception (skip, failure).
    pub reason: Option<String>,
    pub duration_ms: Option<i64>,
}

impl ActivityEntry {
    /// A line without a status change (a comment, a verdict).
    pub(crate) fn note(item_id: Uuid, action: ActivityAction, text: String) -> ActivityEntry {
        ActivityEntry {
            item_id,
            subitem_id: None,
            action,
            from: None,
            to: None,
            comment: Some(text),
            reason: None,
            duration_ms: None,
        }
    }
}

/// An item or subitem that reached a status.
pub(crate) struct Reached<'a> {
    pub id: Uuid,
    pub title: &'a str,
    pub to: ItemStatus,
    pub reason: Option<&'a str>,
    /// The item a subitem belongs to (none for an item).
    pub parent: Option<Uuid>,
}

impl ChecklistWrite<'_> {
    /// Writes an activity line (for signed-in users; the system leaves none).
    #[tracing::instrument(level = "debug", skip_all)]
    pub(crate) async fn log_activity(&self, entry: ActivityEntry) -> AppResult<()> {
        let Some(user_id) = self.actor.recorded_id() else {
            return Ok(());
        };
        let to = entry.to;
        checklists::insert_activity(
            self.tx,
            ActivityRow {
                id: new_id(),
                instance_id: self.instance.id,
                instance_item_id: entry.item_id,
                instance_subitem_id: entry.subitem_id,
                user_id,
                action: entry.action.as_str().to_owned(),
                from_status: entry.from.map(|s| s.as_str().to_owned()),
                to_status: to.map(|s| s.as_str().to_owned()),
                comment: entry.comment,
                reason: entry.reason.filter(|_| to.is_some_and(ItemStatus::is_exception)),
                duration_ms: entry.duration_ms,
                created_at: self.now,
            },
        )
        .await?;
        Ok(())
    }

    /// The ops event and manager alerts of an item or subitem reaching a status.
    #[tracing::instrument(level = "debug", skip_all)]
    pub(crate) async fn announce(&self, reached: Reached<'_>) -> AppResult<()> {
        let Reached { id, title, to, reason, parent } = reached;
        let is_subitem = parent.is_some();
        let (instance, actor) = (self.instance, self.actor);
        let what = if is_subitem { "Subitem" } else { "Item" };
        let event_type = match to {
            ItemStatus::Completed => Some("ITEM_COMPLETED"),
            ItemStatus::Skipped => Some("ITEM_SKIPPED"),
            ItemStatus::Failed => Some("ITEM_FAILED"),
            _ => None,
        };
        if let Some(event_type) = event_type.filter(|_| !is_subitem) {
            record_ops(
                self.tx,
                self.now,
                actor,
                OpsEvent {
                    event_type,
                    entity_type: "CHECKLIST_ITEM",
                    entity_id: id.to_string(),
                    section_id: Some(instance.section_id),
                    payload: json!({
                        "instance_id": instance.id, "item_id": id, "item_title": title, "status": to.as_str(),
                        "reason": reason, "shift": instance.shift, "checklist_date": instance.checklist_date,
                    }),
                },
            )
            .await?;
        }
        let alert = match to {
            ItemStatus::Skipped => Some((format!("Checklist {what} Skipped"), "skipped", Priority::High)),
            ItemStatus::Failed => {
                Some((format!("CRITICAL: Checklist {what} Escalated"), "marked failed", Priority::Critical))
            }
            _ => None,
        };
        if let Some((title_line, verb, priority)) = alert {
            let message = format!(
                "{what} '{title}' was {verb} by {} in {} ({} - {}). Reason: {}",
                actor.username,
                instance.template_name,
                instance.shift,
                instance.checklist_date,
                reason.unwrap_or("No reason provided"),
            );
            let headline = format!("{title_line} - {title}");
            let notice = ManagersNotice {
                title: headline,
                message: message.clone(),
                priority,
                related_entity: "checklist_manager_alert",
            };
            let told = notify_managers(self.tx, self.now, instance, actor, notice).await?;
            if to == ItemStatus::Failed {
                // A failure also opens (or repeats on) an alert that climbs until someone
                // owns it; those just told in the app are not told twice.
                let cause = Raise {
                    cause: AlertCause::ItemFailed,
                    subject: id.to_string(),
                    subject_id: Some(id),
                    section_id: instance.section_id,
                    instance_id: Some(instance.id),
                    item_id: Some(parent.unwrap_or(id)),
                    subitem_id: parent.map(|_| id),
                    title: format!("FAILED: {what} '{title}' in {} ({})", instance.template_name, instance.shift),
                    message,
                    already_told: told,
                };
                crate::alerts::raise(self.tx, self.now, cause).await?;
            }
        }
        Ok(())
    }

    /// A checklist live event of this write.
    pub(crate) async fn live_event(&self, kind: &str, payload: serde_json::Value) -> AppResult<()> {
        crate::live::checklist_event(self.tx, self.now, self.instance, kind, self.actor, payload).await
    }
}

/// What a checklist's managers are told.
pub(crate) struct ManagersNotice {
    pub title: String,
    pub message: String,
    pub priority: Priority,
    /// One of the original's values (see `Draft::related_entity`).
    pub related_entity: &'static str,
}

/// Notifies the managers of `instance`'s section and the admins, except `actor`, whose
/// change it reports; returns who was notified.
pub(crate) async fn notify_managers(
    tx: &Tx,
    now: DateTime<Utc>,
    instance: &InstanceRow,
    actor: &Actor,
    notice: ManagersNotice,
) -> AppResult<Vec<Uuid>> {
    let ManagersNotice { title, message, priority, related_entity } = notice;
    let draft = Draft {
        title,
        message,
        priority,
        related_entity,
        related_id: Some(instance.id),
        section_id: Some(instance.section_id),
        audience: Audience::SectionManagersAndAdmins { section_id: instance.section_id },
        exclude: actor.recorded_id(),
    };
    Ok(notifications::send(tx, now, draft).await?.recipients)
}
