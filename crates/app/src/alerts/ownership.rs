//! Owning an alert: acknowledging it stops the climb; resolving it (with a note) closes
//! it and frees its cause to open a new alert later. Both are conditional updates, so of
//! two people acknowledging at once one wins and the other is told who did. The
//! one-click link of an alert e-mail acknowledges without signing in: it is a random
//! 256-bit token (only its SHA-256 is stored) that works once and expires; the page it
//! opens asks for one click (a POST), so mail scanners that fetch links acknowledge
//! nothing.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use sentinelops_domain::alert::AlertStatus;
use sentinelops_domain::{Reason, SECTION_SUPERVISORS};
use sentinelops_store::Conn;
use sentinelops_store::repo::alerts::{self as repo, AlertRow};
use sentinelops_store::repo::users;

use super::{ALERT_CHANGED, announce, policy::policy_for, timeline_entry};
use crate::App;
use crate::access::can_use_section;
use crate::actor::Actor;
use crate::auth::token_hash;
use crate::error::{AppError, AppResult, forbidden, invalid, not_found};
use crate::tx::commit;

/// The longest resolution note.
pub const NOTE_MAX: usize = 2000;

/// An acknowledge link as its page shows it.
#[derive(Debug, Clone)]
pub struct LinkView {
    pub alert: AlertRow,
    /// Who the link was mailed to.
    pub address: String,
    pub used: bool,
    pub expired: bool,
}

fn status_of(alert: &AlertRow) -> AppResult<AlertStatus> {
    AlertStatus::parse(&alert.status)
        .ok_or_else(|| AppError::Internal(format!("alert {} has status {}", alert.id, alert.status)))
}

/// Whether `actor` may acknowledge and resolve alerts of the alert's section: its
/// supervisors, and the users its policy names.
pub(super) async fn can_own(c: &impl Conn, actor: &Actor, alert: &AlertRow) -> AppResult<()> {
    can_use_section(actor, alert.section_id)?;
    if SECTION_SUPERVISORS.supervises(actor.role, actor.section_id, alert.section_id) {
        return Ok(());
    }
    let policy = policy_for(c, alert.section_id).await?;
    if policy.levels.iter().any(|l| l.recipients.users.contains(&actor.user_id)) {
        return Ok(());
    }
    Err(forbidden("Only the section's supervisors and the people its escalation policy names can do this"))
}

/// Why an alert cannot be acknowledged now, naming who owns it.
fn already(alert: &AlertRow) -> AppError {
    match (alert.status.as_str(), alert.acknowledged_as.as_deref()) {
        ("RESOLVED", _) => AppError::Conflict("The alert is already resolved".into()),
        (_, Some(who)) => AppError::Conflict(format!("The alert is already acknowledged by {who}")),
        _ => AppError::Conflict("The alert changed; reload it".into()),
    }
}

/// Acknowledges `alert` as `actor` (shown as `name`): stops its climb.
async fn acknowledge(
    c: &impl Conn,
    now: DateTime<Utc>,
    actor: &Actor,
    name: String,
    alert: &AlertRow,
) -> AppResult<AlertRow> {
    if !status_of(alert)?.can_acknowledge() {
        return Err(already(alert));
    }
    let mut row = alert.clone();
    row.status = AlertStatus::Acknowledged.as_str().to_owned();
    row.acknowledged_by = actor.recorded_id();
    row.acknowledged_as = Some(name.clone());
    row.acknowledged_at = Some(now);
    row.next_step_at = None;
    row.updated_at = now;
    if !repo::transition(c, row.clone(), AlertStatus::Open, alert.next_step).await? {
        let fresh = repo::find(c, alert.id).await?.unwrap_or_else(|| alert.clone());
        return Err(already(&fresh));
    }
    repo::insert_event(c, timeline_entry(&row, now, "ACKNOWLEDGED", Some((actor, name)))).await?;
    announce(c, now, actor, &row, "ALERT_ACKNOWLEDGED", ALERT_CHANGED).await?;
    Ok(row)
}

/// The actor an acknowledge link acts as: the user it was mailed to, or the system
/// (for an on-call address, which is named on the alert instead).
async fn link_actor(c: &impl Conn, user_id: Option<Uuid>) -> AppResult<Option<Actor>> {
    let Some(user_id) = user_id else { return Ok(None) };
    let user = users::find(c, user_id).await?.filter(|u| u.is_active);
    Ok(user.map(|u| Actor {
        user_id: u.id,
        username: u.username.clone(),
        role: *u.role,
        section_id: u.section_id,
        department_id: u.department_id,
        session_id: Uuid::nil(),
    }))
}

fn invalid_link() -> AppError {
    not_found("This acknowledge link is not valid")
}

/// The stored link of a token; malformed and unknown tokens are not found.
async fn link_of(c: &impl Conn, token: &str) -> AppResult<sentinelops_store::repo::alerts::LinkRow> {
    if !plausible(token) {
        return Err(invalid_link());
    }
    repo::link_by_hash(c, &token_hash(token)).await?.ok_or_else(invalid_link)
}

/// A link's token as mailed: 43 characters of base64url; anything else is no link.
fn plausible(token: &str) -> bool {
    token.len() == 43 && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl App {
    async fn alert_in_tx(&self, c: &impl Conn, actor: &Actor, id: Uuid) -> AppResult<AlertRow> {
        let alert = repo::find(c, id).await?.ok_or_else(|| not_found("Alert not found"))?;
        can_own(c, actor, &alert).await?;
        Ok(alert)
    }

    /// Acknowledges an OPEN alert: its climb stops, and it is the actor's.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn acknowledge_alert(&self, actor: &Actor, id: Uuid) -> AppResult<AlertRow> {
        let tx = self.store.begin_write().await?;
        let now = self.clock.now();
        let alert = self.alert_in_tx(&tx, actor, id).await?;
        let row = acknowledge(&tx, now, actor, actor.username.clone(), &alert).await?;
        commit(tx).await?;
        Ok(row)
    }

    /// Resolves an alert that is not resolved yet, with a note saying what was done.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn resolve_alert(&self, actor: &Actor, id: Uuid, note: &str) -> AppResult<AlertRow> {
        let note = Reason::new(note, NOTE_MAX)
            .map_err(|_| invalid(format!("note is required: say what was done (at most {NOTE_MAX} characters)")))?;
        let tx = self.store.begin_write().await?;
        let now = self.clock.now();
        let alert = self.alert_in_tx(&tx, actor, id).await?;
        let from = status_of(&alert)?;
        if !from.can_resolve() {
            return Err(already(&alert));
        }
        let mut row = alert.clone();
        row.status = AlertStatus::Resolved.as_str().to_owned();
        row.open_key = None;
        row.next_step_at = None;
        row.resolved_by = actor.recorded_id();
        row.resolved_at = Some(now);
        row.resolution_note = Some(note.as_str().to_owned());
        row.updated_at = now;
        if !repo::transition(&tx, row.clone(), from, alert.next_step).await? {
            return Err(AppError::Conflict("The alert changed; reload it".into()));
        }
        let mut entry = timeline_entry(&row, now, "RESOLVED", Some((actor, actor.username.clone())));
        entry.detail = Some(note.as_str().to_owned());
        repo::insert_event(&tx, entry).await?;
        announce(&tx, now, actor, &row, "ALERT_RESOLVED", ALERT_CHANGED).await?;
        commit(tx).await?;
        Ok(row)
    }

    /// What an acknowledge link's page shows (no sign-in). Unknown or malformed tokens
    /// are not found.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn alert_link(&self, token: &str) -> AppResult<LinkView> {
        let reader = self.store.reader();
        let link = link_of(reader, token).await?;
        let alert = repo::find(reader, link.alert_id).await?.ok_or_else(invalid_link)?;
        let now = self.clock.now();
        Ok(LinkView { alert, address: link.address, used: link.used_at.is_some(), expired: link.expires_at <= now })
    }

    /// Acknowledges through a link: once, before it expires. A link whose alert someone
    /// else acknowledged first is used up all the same, and the answer names the owner.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn acknowledge_by_link(&self, token: &str) -> AppResult<AlertRow> {
        let tx = self.store.begin_write().await?;
        let now = self.clock.now();
        let link = link_of(&tx, token).await?;
        if link.used_at.is_some() {
            return Err(AppError::Conflict("This acknowledge link was already used".into()));
        }
        if link.expires_at <= now {
            return Err(AppError::Conflict("This acknowledge link has expired".into()));
        }
        if !repo::use_link(&tx, link.id, now).await? {
            // Another click used it first.
            return Err(AppError::Conflict("This acknowledge link was already used".into()));
        }
        let alert = repo::find(&tx, link.alert_id).await?.ok_or_else(|| not_found("Alert not found"))?;
        let actor = link_actor(&tx, link.user_id).await?;
        let (actor, name) = match actor {
            Some(a) => {
                let name = a.username.clone();
                (a, name)
            }
            None if link.user_id.is_some() => return Err(forbidden("The account this link was sent to is inactive")),
            None => (Actor::system(), link.address.clone()),
        };
        let row = match acknowledge(&tx, now, &actor, name, &alert).await {
            Ok(row) => row,
            Err(AppError::Conflict(message)) => {
                // The link is spent either way; say who owns the alert.
                commit(tx).await?;
                return Err(AppError::Conflict(message));
            }
            Err(e) => return Err(e),
        };
        commit(tx).await?;
        Ok(row)
    }
}
