//! Alerts with escalation and acknowledgement (issue 21). Something that needs an
//! owner — a CRITICAL failure, a missed critical timed step, a checklist unsigned past
//! its grace, a short-staffed shift — [`raise`]s an alert in the transaction of the
//! change or job that found it. An OPEN alert climbs its section's escalation policy
//! (`policy`) step by step (`climb`) until someone acknowledges it (`ownership`), from
//! the UI, the API or a one-click link in its e-mail; resolving it needs a note.
//! `watch` finds the causes nobody's action reports (missed steps, unsigned checklists).

mod climb;
mod ownership;
mod policy;
mod read;
mod watch;

use chrono::{DateTime, Utc};
use serde_json::json;
use uuid::Uuid;

use sentinelops_domain::alert::{AlertCause, AlertStatus};
use sentinelops_domain::ids::new_id;
use sentinelops_store::Conn;
use sentinelops_store::repo::alerts as repo;

pub use ownership::LinkView;
pub use policy::PolicyView;
pub(crate) use policy::{due_graces, policy_for};
pub use read::{AlertDetail, AlertQuery};
pub use sentinelops_domain::escalation::{Level, Policy, Recipients};
pub use sentinelops_store::repo::alerts::{AlertEventRow, AlertRow};

use crate::actor::Actor;
use crate::audit::{OpsEvent, record_ops};
use crate::error::AppResult;
use crate::live;
use crate::notifications::Priority;

/// The `related_entity` of alert notifications (the UI links them to the alert).
pub const ALERT_ENTITY: &str = "alert";
/// Live event kinds of alerts (on the section's checklist channel).
pub const ALERT_OPENED: &str = "ALERT_OPENED";
pub const ALERT_CHANGED: &str = "ALERT_UPDATED";

/// A cause found: what `raise` opens an alert for (or attaches to the open one).
#[derive(Debug, Clone)]
pub struct Raise {
    pub cause: AlertCause,
    /// What the cause is about, folded into its key (a step, a checklist, a shift).
    pub subject: String,
    /// The step or checklist it is about, when it is one.
    pub subject_id: Option<Uuid>,
    pub section_id: Uuid,
    pub instance_id: Option<Uuid>,
    pub item_id: Option<Uuid>,
    pub subitem_id: Option<Uuid>,
    pub title: String,
    pub message: String,
    /// Users the caller already notified of this cause in the app (they get the alert's
    /// e-mail with its acknowledge link, not a second in-app notification).
    pub already_told: Vec<Uuid>,
}

/// The notification priority of an alert of `cause`.
fn priority_of(cause: AlertCause) -> Priority {
    if cause.is_critical() { Priority::Critical } else { Priority::High }
}

/// A line of an alert's timeline.
pub(crate) fn timeline_entry(
    alert: &AlertRow,
    now: DateTime<Utc>,
    kind: &str,
    who: Option<(&Actor, String)>,
) -> AlertEventRow {
    AlertEventRow {
        id: new_id(),
        alert_id: alert.id,
        at: now,
        kind: kind.to_owned(),
        level: alert.level,
        actor_id: who.as_ref().and_then(|(a, _)| a.recorded_id()),
        actor_name: who.map(|(_, name)| name),
        detail: None,
    }
}

/// Writes the ops event and the live event of an alert's change.
pub(crate) async fn announce(
    c: &impl Conn,
    now: DateTime<Utc>,
    actor: &Actor,
    alert: &AlertRow,
    event_type: &'static str,
    live_kind: &str,
) -> AppResult<()> {
    let payload = json!({
        "alert_id": alert.id, "cause": alert.cause, "status": alert.status, "level": alert.level,
        "instance_id": alert.instance_id, "item_id": alert.item_id, "title": alert.title,
    });
    record_ops(
        c,
        now,
        actor,
        OpsEvent {
            event_type,
            entity_type: "ALERT",
            entity_id: alert.id.to_string(),
            section_id: Some(alert.section_id),
            payload: payload.clone(),
        },
    )
    .await?;
    let scope = live::LiveScope {
        topic: live::Topic::Checklist,
        section_id: Some(alert.section_id),
        instance_id: alert.instance_id,
    };
    live::record(c, now, scope, live_kind, actor.recorded_id(), payload).await
}

/// Counts a repeat of an open alert's cause, on its timeline and the live channels.
async fn attach_repeat(c: &impl Conn, now: DateTime<Utc>, open: &AlertRow) -> AppResult<Uuid> {
    repo::count_repeat(c, open.id, now).await?;
    repo::insert_event(c, timeline_entry(open, now, "REPEATED", None)).await?;
    announce(c, now, &Actor::system(), open, "ALERT_REPEATED", ALERT_CHANGED).await?;
    Ok(open.id)
}

/// Opens an alert for `raise` with the caller's transaction and notifies level 1 of
/// its section's policy at once; when the cause already has an alert that is not
/// resolved, counts a repeat on it instead. Returns the alert's id.
#[tracing::instrument(level = "debug", skip_all)]
pub(crate) async fn raise(c: &impl Conn, now: DateTime<Utc>, raise: Raise) -> AppResult<Uuid> {
    let key = raise.cause.key(&raise.subject);
    if let Some(open) = repo::find_open(c, &key).await? {
        return attach_repeat(c, now, &open).await;
    }
    let policy = policy::policy_for(c, raise.section_id).await?;
    let raise_told = raise.already_told;
    let next = policy.step(now, 1);
    let row = AlertRow {
        id: new_id(),
        cause: raise.cause.as_str().to_owned(),
        cause_key: key.clone(),
        subject_id: raise.subject_id,
        open_key: Some(key.clone()),
        status: AlertStatus::Open.as_str().to_owned(),
        priority: priority_of(raise.cause).as_str().to_owned(),
        title: raise.title,
        message: raise.message,
        section_id: raise.section_id,
        instance_id: raise.instance_id,
        item_id: raise.item_id,
        subitem_id: raise.subitem_id,
        level: 1,
        next_step: 1,
        next_step_at: next.map(|s| s.at),
        repeats: 0,
        opened_at: now,
        last_seen_at: now,
        acknowledged_by: None,
        acknowledged_as: None,
        acknowledged_at: None,
        resolved_by: None,
        resolved_at: None,
        resolution_note: None,
        updated_at: now,
    };
    if !repo::insert_open(c, row.clone()).await? {
        // Another transaction opened it between our look and our insert: attach to it.
        let open = repo::find_open(c, &key)
            .await?
            .ok_or_else(|| crate::AppError::Conflict("The alert changed; try again".into()))?;
        return attach_repeat(c, now, &open).await;
    }
    repo::insert_event(c, timeline_entry(&row, now, "OPENED", None)).await?;
    announce(c, now, &Actor::system(), &row, "ALERT_OPENED", ALERT_OPENED).await?;
    climb::notify_level(c, now, &row, &policy, 1, &raise_told).await?;
    Ok(row.id)
}
