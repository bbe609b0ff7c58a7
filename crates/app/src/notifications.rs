//! In-app notifications with one receipt per recipient.
//!
//! `send` is called by the use cases that cause notifications, with their own
//! transaction, so a notification commits together with the change it reports. A
//! role-targeted audience is resolved to active users at send time; each recipient
//! then has their own read state, and unread counts come from receipts. The actor of
//! a change is never notified of it.

use std::collections::HashSet;

use chrono::{DateTime, NaiveTime, Timelike, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use sentinelops_domain::ids::new_id;
use sentinelops_store::Conn;
use sentinelops_store::repo::Window;
use sentinelops_store::repo::notifications::{self, NewNotification, NewReceipt};
/// A notification as its recipient has it: the receipt (read state) and the notification.
pub use sentinelops_store::repo::notifications::{PreferencesRow, ReceivedNotification};

use crate::App;
use crate::actor::Actor;
use crate::error::{AppResult, invalid, not_found};
use crate::tx::commit;

/// Page size of the notification list: default and bounds.
pub const DEFAULT_LIMIT: u64 = 50;
pub const MAX_LIMIT: u64 = 100;
/// Deeper offsets are refused (they must stay within what databases accept).
pub const MAX_OFFSET: u64 = 1_000_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Priority {
    Low,
    Medium,
    High,
    Critical,
}

impl Priority {
    /// Lowest first.
    pub const ALL: [Priority; 4] = [Priority::Low, Priority::Medium, Priority::High, Priority::Critical];

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Medium => "medium",
            Priority::High => "high",
            Priority::Critical => "critical",
        }
    }

    /// The stored spelling read back (any case); `None` for anything else.
    pub fn parse(text: &str) -> Option<Priority> {
        Priority::ALL.into_iter().find(|p| p.as_str().eq_ignore_ascii_case(text.trim()))
    }

    /// The level as the original's channels spell it: they know low, medium and high
    /// only (its frontend shows anything else as medium), so critical goes out as high.
    pub fn on_original_channels(self) -> Priority {
        match self {
            Priority::Critical => Priority::High,
            other => other,
        }
    }
}

impl std::fmt::Display for Priority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who a notification is for, resolved to users when it is sent.
#[derive(Debug, Clone)]
pub enum Audience {
    /// Active managers whose section_id is this section, plus every active admin.
    SectionManagersAndAdmins { section_id: Uuid },
    /// Exactly these users (inactive users are skipped).
    Users(Vec<Uuid>),
}

/// A notification about to be sent.
#[derive(Debug, Clone)]
pub struct Draft {
    pub title: String,
    pub message: String,
    pub priority: Priority,
    /// The original's values, which its frontend styles and links by: `checklist_manager_alert`,
    /// `checklist_manager_review`, `checklist_instance`, `checklist_completion`, `handover_note`, …
    pub related_entity: &'static str,
    pub related_id: Option<Uuid>,
    pub section_id: Option<Uuid>,
    pub audience: Audience,
    /// Never notified even if in the audience (the actor of the change); recorded as the author.
    pub exclude: Option<Uuid>,
}

/// What `send` wrote.
#[derive(Debug, Clone)]
pub struct Sent {
    /// The new notification; nil when nothing was written.
    pub notification_id: Uuid,
    /// Who received it, each once.
    pub recipients: Vec<Uuid>,
}

/// Writes the notification and its receipts with the caller's connection or transaction
/// (so they commit together with the change that caused them). With no recipients left
/// after resolution and exclusion, writes nothing and returns an empty `recipients`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn send(c: &impl Conn, now: DateTime<Utc>, draft: Draft) -> AppResult<Sent> {
    let recipients = resolve(c, &draft.audience, draft.exclude).await?;
    // E-mails and webhooks leave through the outbox and commit with the change; the
    // webhook is queued even when nobody is notified in-app.
    crate::outbox::enqueue_for(c, now, &draft, &recipients).await?;
    if recipients.is_empty() {
        return Ok(Sent { notification_id: Uuid::nil(), recipients });
    }
    let notification_id = new_id();
    // The recipients' live clients hear of it after commit (ids and the shown fields).
    let live_payload = serde_json::json!({
        "notification_id": notification_id, "recipients": recipients, "title": draft.title, "message": draft.message,
        "priority": draft.priority.as_str(), "related_entity": draft.related_entity, "related_id": draft.related_id,
    });
    let scope = crate::live::LiveScope::section(crate::live::Topic::Notification, draft.section_id);
    crate::live::record(c, now, scope, "new_notification", draft.exclude, live_payload).await?;
    notifications::insert(
        c,
        NewNotification {
            id: notification_id,
            title: draft.title,
            message: draft.message,
            priority: draft.priority.as_str(),
            related_entity: Some(draft.related_entity.to_owned()),
            related_id: draft.related_id,
            section_id: draft.section_id,
            created_by: draft.exclude.filter(|id| !id.is_nil()),
            created_at: now,
        },
    )
    .await?;
    let receipts: Vec<NewReceipt> = recipients.iter().map(|&user_id| NewReceipt { id: new_id(), user_id }).collect();
    notifications::insert_receipts(c, notification_id, now, &receipts).await?;
    Ok(Sent { notification_id, recipients })
}

/// The active users of an audience, each once, without the excluded one.
async fn resolve(c: &impl Conn, audience: &Audience, exclude: Option<Uuid>) -> AppResult<Vec<Uuid>> {
    let candidates = match audience {
        Audience::SectionManagersAndAdmins { section_id } => {
            notifications::section_supervisors(c, sentinelops_domain::SECTION_SUPERVISORS, *section_id).await?
        }
        Audience::Users(ids) => {
            let mut seen = HashSet::new();
            let wanted: Vec<Uuid> = ids.iter().copied().filter(|id| Some(*id) != exclude && seen.insert(*id)).collect();
            let active: HashSet<Uuid> = notifications::active_users_among(c, &wanted).await?.into_iter().collect();
            wanted.into_iter().filter(|id| active.contains(id)).collect()
        }
    };
    Ok(candidates.into_iter().filter(|id| Some(*id) != exclude).collect())
}

/// What a user without saved preferences has (a row that is not stored).
fn default_preferences(user_id: Uuid, now: DateTime<Utc>) -> PreferencesRow {
    PreferencesRow {
        user_id,
        email_enabled: true,
        push_enabled: true,
        desktop_enabled: true,
        sms_enabled: false,
        quiet_hours_start: None,
        quiet_hours_end: None,
        categories: json!({}),
        shift_report_email: None,
        daily_digest_email: None,
        email_priorities: None,
        updated_at: now,
    }
}

/// The row as its owner sees it: the report-mail choices never made read as the
/// defaults of the owner's role (the stored row keeps `None`, so a later change of
/// role brings the new role's default).
fn with_role_defaults(mut row: PreferencesRow, role: sentinelops_domain::Role) -> PreferencesRow {
    row.shift_report_email =
        Some(row.shift_report_email.unwrap_or_else(|| crate::report_mail::shift_report_default(role)));
    row.daily_digest_email = Some(row.daily_digest_email.unwrap_or(crate::report_mail::DIGEST_DEFAULT));
    row
}

/// A change of preferences: absent fields keep their value; `Some(None)` clears quiet hours.
#[derive(Debug, Clone, Default)]
pub struct PreferencesUpdate {
    pub email_notifications: Option<bool>,
    pub push_notifications: Option<bool>,
    pub desktop_notifications: Option<bool>,
    pub sms_notifications: Option<bool>,
    pub quiet_hours_start: Option<Option<String>>,
    pub quiet_hours_end: Option<Option<String>>,
    /// Per-category settings (a JSON object); kept as they are when absent.
    pub categories: Option<Value>,
    /// The shift report mailed when a checklist of a section one supervises closes.
    pub shift_report_email: Option<bool>,
    /// The daily shift digest.
    pub daily_digest_email: Option<bool>,
    /// The priorities e-mailed ("low", "medium", "high", "critical"); CRITICAL is
    /// e-mailed whatever the choice while e-mail is on (see `crate::quiet`).
    pub email_priorities: Option<Vec<String>>,
}

/// A quiet hour as clients send it: "HH:MM", or "HH:MM:SS" when it has seconds.
pub fn format_quiet_hour(t: NaiveTime) -> String {
    if t.second() == 0 { t.format("%H:%M").to_string() } else { t.format("%H:%M:%S").to_string() }
}

/// "HH:MM" or "HH:MM:SS" (24-hour, two digits each); an empty string means none.
fn parse_quiet_hour(field: &str, value: Option<&str>) -> AppResult<Option<NaiveTime>> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let error = || invalid(format!("{field} must be a time of day as HH:MM or HH:MM:SS, not {value:?}"));
    let parts: Vec<&str> = value.split(':').collect();
    if !matches!(parts.len(), 2 | 3) || parts.iter().any(|p| p.len() != 2 || !p.bytes().all(|b| b.is_ascii_digit())) {
        return Err(error());
    }
    let numbers: Vec<u32> = parts.iter().filter_map(|p| p.parse().ok()).collect();
    let (hour, minute, second) = match numbers.as_slice() {
        [h, m] => (*h, *m, 0),
        [h, m, s] => (*h, *m, *s),
        _ => return Err(error()),
    };
    NaiveTime::from_hms_opt(hour, minute, second).map(Some).ok_or_else(error)
}

fn check_window(limit: u64, offset: u64) -> AppResult<Window> {
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(invalid(format!("limit must be between 1 and {MAX_LIMIT}")));
    }
    if offset > MAX_OFFSET {
        return Err(invalid(format!("offset must be between 0 and {MAX_OFFSET}")));
    }
    Ok(Window { offset, limit })
}

/// Tells the actor's other live clients (other tabs, other instances) that their read
/// state changed, so their unread badges follow: `notification_id` is the one read, or
/// none for mark-all; `origin` is the client that did it.
async fn read_state_changed(
    c: &impl Conn,
    now: DateTime<Utc>,
    actor: &Actor,
    notification_id: Option<Uuid>,
    origin: Option<Uuid>,
) -> AppResult<()> {
    let payload = json!({ "recipients": [actor.user_id], "notification_id": notification_id, "origin": origin });
    let kind = crate::live::NOTIFICATION_READ;
    let scope = crate::live::LiveScope::section(crate::live::Topic::Notification, None);
    crate::live::record(c, now, scope, kind, Some(actor.user_id), payload).await
}

impl App {
    /// The actor's notifications, newest first; unread ones only unless `unread_only` is false.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn list_notifications(
        &self,
        actor: &Actor,
        unread_only: bool,
        limit: u64,
        offset: u64,
    ) -> AppResult<Vec<ReceivedNotification>> {
        let window = check_window(limit, offset)?;
        Ok(notifications::list_for_user(self.store.reader(), actor.user_id, unread_only, window).await?)
    }

    /// How many of the actor's notifications are unread.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn unread_notification_count(&self, actor: &Actor) -> AppResult<u64> {
        Ok(notifications::count_unread(self.store.reader(), actor.user_id).await?)
    }

    /// Marks one of the actor's notifications read (again, harmlessly, if it already was).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn mark_notification_read(&self, actor: &Actor, notification_id: Uuid) -> AppResult<()> {
        self.mark_notification_read_from(actor, notification_id, None).await
    }

    /// As `mark_notification_read`, from the live client `origin` (which answers for
    /// itself, so the update is not echoed to it).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn mark_notification_read_from(
        &self,
        actor: &Actor,
        notification_id: Uuid,
        origin: Option<Uuid>,
    ) -> AppResult<()> {
        let tx = self.store.begin_write().await?;
        let now = self.clock.now();
        if !notifications::mark_read(&tx, notification_id, actor.user_id, now).await? {
            return Err(not_found("Notification not found or unauthorized"));
        }
        read_state_changed(&tx, now, actor, Some(notification_id), origin).await?;
        commit(tx).await
    }

    /// Marks every unread notification of the actor read; returns how many there were.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn mark_all_notifications_read(&self, actor: &Actor) -> AppResult<u64> {
        let tx = self.store.begin_write().await?;
        let now = self.clock.now();
        let updated = notifications::mark_all_read(&tx, actor.user_id, now).await?;
        if updated > 0 {
            read_state_changed(&tx, now, actor, None, None).await?;
        }
        commit(tx).await?;
        Ok(updated)
    }

    /// The actor's preferences, or the defaults when none were saved.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn notification_preferences(&self, actor: &Actor) -> AppResult<PreferencesRow> {
        let row = notifications::get_preferences(self.store.reader(), actor.user_id).await?;
        let row = row.unwrap_or_else(|| default_preferences(actor.user_id, self.clock.now()));
        Ok(with_role_defaults(row, actor.role))
    }

    /// Changes the actor's preferences and answers them as stored.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn put_notification_preferences(
        &self,
        actor: &Actor,
        update: PreferencesUpdate,
    ) -> AppResult<PreferencesRow> {
        let start = match &update.quiet_hours_start {
            Some(value) => Some(parse_quiet_hour("quiet_hours_start", value.as_deref())?),
            None => None,
        };
        let end = match &update.quiet_hours_end {
            Some(value) => Some(parse_quiet_hour("quiet_hours_end", value.as_deref())?),
            None => None,
        };
        if update.categories.as_ref().is_some_and(|c| !c.is_object()) {
            return Err(invalid("categories must be a JSON object"));
        }
        let email_priorities =
            update.email_priorities.as_deref().map(crate::quiet::store_email_priorities).transpose()?;
        let tx = self.store.begin_write().await?;
        let now = self.clock.now();
        let base = notifications::get_preferences(&tx, actor.user_id)
            .await?
            .unwrap_or_else(|| default_preferences(actor.user_id, now));
        let row = PreferencesRow {
            user_id: actor.user_id,
            email_enabled: update.email_notifications.unwrap_or(base.email_enabled),
            push_enabled: update.push_notifications.unwrap_or(base.push_enabled),
            desktop_enabled: update.desktop_notifications.unwrap_or(base.desktop_enabled),
            sms_enabled: update.sms_notifications.unwrap_or(base.sms_enabled),
            quiet_hours_start: start.unwrap_or(base.quiet_hours_start),
            quiet_hours_end: end.unwrap_or(base.quiet_hours_end),
            categories: update.categories.unwrap_or(base.categories),
            shift_report_email: update.shift_report_email.or(base.shift_report_email),
            daily_digest_email: update.daily_digest_email.or(base.daily_digest_email),
            email_priorities: email_priorities.or(base.email_priorities),
            updated_at: now,
        };
        let row = notifications::put_preferences(&tx, row).await?;
        commit(tx).await?;
        Ok(with_role_defaults(row, actor.role))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_hours_are_hh_mm_or_hh_mm_ss() {
        let t = |h, m, s| NaiveTime::from_hms_opt(h, m, s);
        assert_eq!(parse_quiet_hour("q", Some("22:00")).ok(), Some(t(22, 0, 0)));
        assert_eq!(parse_quiet_hour("q", Some("06:30:15")).ok(), Some(t(6, 30, 15)));
        assert_eq!(parse_quiet_hour("q", Some("")).ok(), Some(None));
        assert_eq!(parse_quiet_hour("q", None).ok(), Some(None));
        for bad in ["24:00", "7:00", "07:60", "07:00:60", "07-00", "07:00:00:00", "noon", "07:0a", "+7:00"] {
            assert!(parse_quiet_hour("q", Some(bad)).is_err(), "{bad} accepted");
        }
        assert_eq!(format_quiet_hour(NaiveTime::from_hms_opt(22, 0, 0).unwrap_or_default()), "22:00");
        assert_eq!(format_quiet_hour(NaiveTime::from_hms_opt(6, 30, 15).unwrap_or_default()), "06:30:15");
    }

    #[test]
    fn priorities_are_spelled_as_stored() {
        let all = [Priority::Low, Priority::Medium, Priority::High, Priority::Critical];
        assert_eq!(all.map(Priority::as_str), ["low", "medium", "high", "critical"]);
        assert_eq!(all.map(|p| Priority::parse(&p.as_str().to_uppercase())), all.map(Some));
        assert_eq!(Priority::parse("urgent"), None);
        assert_eq!(all.map(|p| p.on_original_channels().as_str()), ["low", "medium", "high", "high"]);
    }
}
