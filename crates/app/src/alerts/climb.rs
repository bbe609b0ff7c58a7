//! The climb: each step of an OPEN alert notifies one level of its section's policy —
//! in the app, by e-mail with a one-click acknowledge link, to an on-call address, to a
//! webhook class. The escalation job takes the steps that are due; each step is a
//! conditional update of the alert (`repo::transition`) in the transaction that
//! notifies, so two instances never send a level twice, and a restart resumes at the
//! step the database says is next.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use uuid::Uuid;

use sentinelops_domain::Role;
use sentinelops_domain::alert::AlertStatus;
use sentinelops_domain::escalation::Policy;
use sentinelops_domain::ids::new_id;
use sentinelops_store::Conn;
use sentinelops_store::repo::alerts::{self as repo, AlertRow, LinkRow};
use sentinelops_store::repo::outbox as outbox_repo;
use sentinelops_store::repo::users::{self, UserFilter};

use super::{ALERT_CHANGED, ALERT_ENTITY, announce, policy::policy_for, timeline_entry};
use crate::App;
use crate::actor::Actor;
use crate::auth::{new_token, token_hash};
use crate::error::AppResult;
use crate::mail;
use crate::notifications::{self, Audience, Draft, Priority};
use crate::tx::commit;

/// How long an acknowledge link in an e-mail works.
pub const LINK_LIFETIME: Duration = Duration::hours(24);
/// Alerts stepped per run, at most (the rest wait for the next tick).
const BATCH: u64 = 100;

async fn ids_of(c: &impl Conn, section_id: Option<Uuid>, role: Role) -> AppResult<Vec<Uuid>> {
    let filter = UserFilter { section_id, role: Some(role), active_only: true };
    Ok(users::list(c, &filter).await?.into_iter().map(|u| u.id).collect())
}

/// The users a level names: the section's managers, every admin, named users.
async fn people_of(c: &impl Conn, alert: &AlertRow, recipients: &super::Recipients) -> AppResult<Vec<Uuid>> {
    let mut people = Vec::new();
    // A section without managers falls to the admins, as every managers' notice does.
    let managers =
        if recipients.section_managers { ids_of(c, Some(alert.section_id), Role::Manager).await? } else { Vec::new() };
    if (recipients.section_managers && managers.is_empty()) || recipients.all_admins {
        people.extend(ids_of(c, None, Role::Admin).await?);
    }
    people.extend(managers);
    people.extend(recipients.users.iter().copied());
    let mut seen = HashSet::new();
    people.retain(|id| seen.insert(*id));
    Ok(people)
}

/// Queues one alert e-mail with its own single-use acknowledge link.
async fn mail_with_link(
    c: &impl Conn,
    now: DateTime<Utc>,
    alert: &AlertRow,
    to: (Option<Uuid>, String),
    title: &str,
    priority: Priority,
) -> AppResult<()> {
    let (user_id, address) = to;
    let token = new_token();
    let link = LinkRow {
        id: new_id(),
        alert_id: alert.id,
        token_hash: token_hash(&token),
        user_id,
        address: address.clone(),
        expires_at: now + LINK_LIFETIME,
        used_at: None,
        created_at: now,
    };
    repo::insert_links(c, vec![link]).await?;
    let mut payload = mail::compose(
        &address,
        user_id,
        title,
        &alert.message,
        priority.as_str(),
        Some(format!("/ui/alerts/{}", alert.id)),
    );
    payload.acknowledge = Some(format!("/alerts/ack/{token}"));
    crate::outbox::queue_email(c, now, user_id, priority, payload).await
}

/// Notifies level `level` of `policy` of `alert` (1-based; beyond the last level, the
/// last) and records it on the alert's timeline.
#[tracing::instrument(level = "debug", skip_all)]
pub(crate) async fn notify_level(
    c: &impl Conn,
    now: DateTime<Utc>,
    alert: &AlertRow,
    policy: &Policy,
    level: u32,
    already_told: &[Uuid],
) -> AppResult<()> {
    let Some(recipients) = policy.recipients(level) else { return Ok(()) };
    let priority = Priority::parse(&alert.priority).unwrap_or(Priority::High);
    let title = if level <= 1 { alert.title.clone() } else { format!("Escalated (level {level}): {}", alert.title) };
    let people = people_of(c, alert, recipients).await?;
    let (told, to_tell): (Vec<Uuid>, Vec<Uuid>) = people.into_iter().partition(|p| already_told.contains(p));
    let draft = Draft {
        title: title.clone(),
        message: alert.message.clone(),
        priority,
        related_entity: ALERT_ENTITY,
        related_id: Some(alert.id),
        section_id: Some(alert.section_id),
        audience: Audience::Users(to_tell),
        exclude: None,
    };
    let sent = notifications::send(c, now, draft).await?;
    let mut mailed = 0;
    let reached: Vec<Uuid> = sent.recipients.iter().chain(&told).copied().collect();
    for (user_id, address) in outbox_repo::email_recipients(c, &reached).await? {
        mail_with_link(c, now, alert, (Some(user_id), address), &title, priority).await?;
        mailed += 1;
    }
    if let Some(address) = &recipients.email {
        mail_with_link(c, now, alert, (None, address.clone()), &title, priority).await?;
    }
    if let Some(class) = &recipients.webhook {
        let body = json!({
            "alert_id": alert.id, "cause": alert.cause, "status": alert.status, "level": level,
            "title": title, "message": alert.message, "priority": alert.priority, "section_id": alert.section_id,
            "instance_id": alert.instance_id, "item_id": alert.item_id, "opened_at": alert.opened_at,
        });
        crate::outbox::queue_webhook(c, now, class, body).await?;
    }
    let mut told =
        vec![format!("{} people in the app", sent.recipients.len() + told.len()), format!("{mailed} by e-mail")];
    told.extend(recipients.email.iter().map(|a| format!("on-call {a}")));
    told.extend(recipients.webhook.iter().map(|w| format!("webhook {w}")));
    let mut entry = timeline_entry(alert, now, "NOTIFIED", None);
    entry.level = i32::try_from(level).unwrap_or(i32::MAX);
    entry.detail = Some(told.join(", "));
    Ok(repo::insert_event(c, entry).await?)
}

impl App {
    /// The escalation job: opens the alerts nobody's action reports (`watch`), then
    /// takes every due step of every OPEN alert. Returns how many steps it sent.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn run_escalations(&self) -> AppResult<usize> {
        self.watch_for_causes().await?;
        let due = repo::due_steps(self.store.reader(), self.clock.now(), BATCH).await?;
        let mut sent = 0;
        for alert in due {
            if self.step_alert(alert.id).await? {
                sent += 1;
            }
        }
        Ok(sent)
    }

    /// Takes the next step of one alert if it is still OPEN and due; true when a level
    /// was notified.
    async fn step_alert(&self, id: Uuid) -> AppResult<bool> {
        let tx = self.store.begin_write().await?;
        let now = self.clock.now();
        let Some(current) = repo::find(&tx, id).await? else { return Ok(false) };
        if current.status != AlertStatus::Open.as_str() || current.next_step_at.is_none_or(|at| at > now) {
            return Ok(false);
        }
        let policy = policy_for(&tx, current.section_id).await?;
        let index = u32::try_from(current.next_step).unwrap_or(u32::MAX);
        let mut row = current.clone();
        row.updated_at = now;
        let step = policy.step(current.opened_at, index).filter(|s| s.at <= now);
        match step {
            // The policy changed since this step was planned: plan it anew.
            None => row.next_step_at = policy.step(current.opened_at, index).map(|s| s.at),
            Some(step) => {
                row.level = i32::try_from(step.level).unwrap_or(i32::MAX);
                row.next_step = current.next_step.saturating_add(1);
                row.next_step_at = policy.step(current.opened_at, index.saturating_add(1)).map(|s| s.at);
            }
        }
        if !repo::transition(&tx, row.clone(), AlertStatus::Open, current.next_step).await? {
            return Ok(false);
        }
        let Some(step) = step else {
            commit(tx).await?;
            return Ok(false);
        };
        notify_level(&tx, now, &row, &policy, step.level, &[]).await?;
        announce(&tx, now, &Actor::system(), &row, "ALERT_ESCALATED", ALERT_CHANGED).await?;
        commit(tx).await?;
        Ok(true)
    }
}
