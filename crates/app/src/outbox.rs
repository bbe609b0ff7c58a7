//! The transactional outbox: e-mails and webhooks leave the process from here.
//!
//! `notifications::send` queues them with [`enqueue_for`] in the transaction of the
//! change that causes them, so they commit (or vanish) with it. The job loop then calls
//! [`App::deliver_outbox_once`]: it claims due rows in a short write transaction, sends
//! them with no transaction open, and records each result in its own short transaction.
//! Delivery is at least once: a deliverer that dies after sending but before recording
//! sends again when its claim lapses (webhook receivers dedupe by the
//! `X-SentinelOps-Delivery` header). A slow receiver cannot make a claim lapse: each
//! delivery is cut at `jobs.outbox_send_limit` (and retried), and a claim lasts for every
//! wave of its batch at that limit plus time to record the results.
//!
//! What is queued, decided without configuration (none is at hand inside `send`):
//! - e-mail, one per recipient with an address, active and with e-mail on, for skip
//!   alerts, sign-off requests, completions, handovers and reminders (a failure is
//!   e-mailed by the alert it opens, with an acknowledge link: `alerts::climb`); a
//!   priority the recipient did not choose is not mailed, and a non-critical one in
//!   their quiet hours is held for their quiet-hours digest (see `crate::quiet`);
//! - one webhook per event (not per recipient) of the classes escalation, skip,
//!   completion, handover and reminder, queued even when nobody is notified in-app.
//!
//! What delivery decides from the configuration:
//! - no SMTP host: e-mail rows become DEAD ("mail not configured"), so they do not pile
//!   up while mail is off; an unusable mail configuration is retried (it may be fixed);
//! - no URL for a webhook's class: the row becomes DEAD ("no webhook target configured");
//! - a failure is retried after 30 s × 2^(attempts so far), at most an hour apart; the
//!   8th failed attempt makes the row DEAD; an SMTP permanent rejection (5xx) or an
//!   invalid address is DEAD at once.

use chrono::{DateTime, Duration, Utc};
use futures::StreamExt;
use serde_json::json;
use uuid::Uuid;

use sentinelops_domain::ids::new_id;
use sentinelops_store::Conn;
use sentinelops_store::repo::outbox::{self, NewOutbox};

pub use sentinelops_store::repo::outbox::OutboxRow;

use crate::App;
use crate::error::AppResult;
use crate::mail::{self, EmailPayload, MailError, Mailer};
use crate::notifications::{Draft, Priority};
use crate::report_mail::{self, Rendered};
use crate::tx::commit;
use crate::webhooks::{self, WebhookPayload};

/// A row is given up (DEAD) after this many failed attempts.
pub const MAX_ATTEMPTS: i32 = 8;
/// Rows claimed at once, and sent at once.
const BATCH: u64 = 25;
const CONCURRENCY: usize = 8;
/// Time to record a batch's results after its last send (the writer may be busy).
const RECORD_MARGIN: Duration = Duration::seconds(60);

/// How long a claim holds its rows before another deliverer may take them: every wave
/// of a batch may use its whole send limit and the results still be recorded in time,
/// so a slow server never lets a claim lapse mid-batch and the row be sent twice.
fn claim_for(send_limit: std::time::Duration) -> Duration {
    let waves = BATCH.div_ceil(CONCURRENCY as u64);
    let sending = Duration::from_std(send_limit).unwrap_or(Duration::minutes(1)) * i32::try_from(waves).unwrap_or(4);
    sending + RECORD_MARGIN
}
/// One call stops claiming new batches after this long (the rest waits for the next tick).
const BUDGET: std::time::Duration = std::time::Duration::from_secs(60);
/// Longest stored error text.
const MAX_ERROR_CHARS: usize = 1000;

/// The wait before retrying a row that has failed `failed_before` times before this
/// failure: 30 s, 1 min, 2 min, … capped at one hour.
pub fn backoff(failed_before: i32) -> Duration {
    let exponent = u32::try_from(failed_before.clamp(0, 7)).unwrap_or(0);
    Duration::seconds(30 * (1_i64 << exponent)).min(Duration::hours(1))
}

/// Whether a notification is also e-mailed. A failure's notice is not: the alert it
/// opens e-mails its escalation policy's people with a one-click acknowledge link.
fn emailed(draft: &Draft) -> bool {
    let failure = draft.related_entity == "checklist_manager_alert" && draft.priority == Priority::Critical;
    !failure
        && matches!(
            draft.related_entity,
            "checklist_manager_alert"
                | "checklist_manager_review"
                | "checklist_completion"
                | "handover_note"
                | "checklist_reminder"
                | crate::roster::COVERAGE_ALERT
                | crate::roster::SWAP_NOTICE
        )
}

/// The webhook class of a notification, if it has one. A handover sends two
/// notifications (to the outgoing and to the incoming shift); only the incoming one
/// is the handover event.
pub fn webhook_class(draft: &Draft) -> Option<&'static str> {
    match draft.related_entity {
        "checklist_manager_alert" if draft.priority == Priority::Critical => Some("escalation"),
        "checklist_manager_alert" => Some("skip"),
        "checklist_completion" => Some("completion"),
        "handover_note" if draft.title.starts_with("Handover Logged") => None,
        "handover_note" => Some("handover"),
        "checklist_reminder" => Some("reminder"),
        // An alert's webhooks are its policy's to choose (`alerts::climb`).
        crate::alerts::ALERT_ENTITY => None,
        _ if draft.priority == Priority::Critical => Some("escalation"),
        _ => None,
    }
}

/// Queues the e-mails and the webhook a notification causes, with the caller's
/// transaction. `recipients` are the resolved in-app recipients; each one's e-mail
/// follows their priority choice and quiet hours (`quiet::queue_user_email`).
#[tracing::instrument(level = "debug", skip_all)]
pub(crate) async fn enqueue_for(
    c: &impl Conn,
    now: DateTime<Utc>,
    draft: &Draft,
    recipients: &[Uuid],
) -> AppResult<()> {
    if emailed(draft) && !recipients.is_empty() {
        let link = match draft.related_entity {
            crate::roster::SWAP_NOTICE => Some("/ui/roster/swaps".to_owned()),
            _ => draft.related_id.map(|id| format!("/checklists/{id}")),
        };
        for (user_id, address) in outbox::email_recipients(c, recipients).await? {
            let payload = mail::compose(
                &address,
                Some(user_id),
                &draft.title,
                &draft.message,
                draft.priority.as_str(),
                link.clone(),
            );
            crate::quiet::queue_user_email(c, now, user_id, draft.priority, payload).await?;
        }
    }
    // Not held in quiet hours: a webhook is per event, for the listening systems, not
    // for a user (see `crate::quiet`).
    if let Some(class) = webhook_class(draft) {
        let body = json!({
            "title": draft.title,
            "message": draft.message,
            "priority": draft.priority.as_str(),
            "related_entity": draft.related_entity,
            "related_id": draft.related_id,
            "section_id": draft.section_id,
        });
        queue_webhook(c, now, class, body).await?;
    }
    Ok(())
}

/// Queues one e-mail of the given priority with the caller's transaction: a user's
/// follows their preferences and quiet hours (`quiet`); an address of no user (an
/// on-call list) is sent as it is.
pub(crate) async fn queue_email(
    c: &impl Conn,
    now: DateTime<Utc>,
    user_id: Option<Uuid>,
    priority: Priority,
    payload: EmailPayload,
) -> AppResult<()> {
    match user_id {
        Some(user_id) => crate::quiet::queue_user_email(c, now, user_id, priority, payload).await,
        None => crate::quiet::enqueue_email(c, now, serde_json::to_value(payload).map_err(internal)?).await,
    }
}

/// Queues one webhook of `class` with `body` (its `id`, `class` and `created_at` are
/// added), with the caller's transaction.
pub(crate) async fn queue_webhook(
    c: &impl Conn,
    now: DateTime<Utc>,
    class: &str,
    mut body: serde_json::Value,
) -> AppResult<()> {
    let id = new_id();
    if let serde_json::Value::Object(map) = &mut body {
        map.insert("id".into(), json!(id));
        map.insert("class".into(), json!(class));
        map.insert("created_at".into(), json!(now));
    }
    let payload = WebhookPayload { class: class.to_owned(), body, delivered: Vec::new() };
    let row = NewOutbox {
        id,
        kind: outbox::WEBHOOK,
        dedupe_key: None,
        payload: serde_json::to_value(payload).map_err(internal)?,
    };
    outbox::enqueue(c, now, vec![row]).await?;
    Ok(())
}

fn internal(e: serde_json::Error) -> crate::AppError {
    crate::AppError::Internal(format!("cannot encode an outbox payload: {e}"))
}

/// The result of one attempt at one row.
#[derive(Debug)]
enum Outcome {
    Sent { payload: Option<serde_json::Value> },
    Retry { error: String, payload: Option<serde_json::Value> },
    Dead { error: String, payload: Option<serde_json::Value> },
}

fn truncate(error: &str) -> String {
    error.chars().take(MAX_ERROR_CHARS).collect()
}

impl App {
    /// Delivers due outbox rows; returns how many were sent. Never call it inside a
    /// transaction or a request: it does network IO (the job loop and tests call it).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn deliver_outbox_once(&self) -> AppResult<usize> {
        let started = std::time::Instant::now();
        let mailer = Mailer::from_config(&self.config.mail);
        let mut sent = 0;
        let mut first_error = None;
        loop {
            let holder = format!("{}:{}", std::process::id(), new_id());
            let tx = self.store.begin_write().await?;
            let now = self.clock.now();
            let until = now + claim_for(self.config.jobs.outbox_send_limit);
            let rows = outbox::claim_due(&tx, &holder, now, until, BATCH).await?;
            commit(tx).await?;
            let claimed = rows.len();
            let results: Vec<AppResult<bool>> = futures::stream::iter(rows)
                .map(|row| self.deliver_row(row, &holder, &mailer))
                .buffer_unordered(CONCURRENCY)
                .collect()
                .await;
            for result in results {
                match result {
                    Ok(true) => sent += 1,
                    Ok(false) => {}
                    Err(e) => {
                        tracing::error!(error = %e, "recording an outbox delivery failed");
                        first_error.get_or_insert(e);
                    }
                }
            }
            if u64::try_from(claimed).unwrap_or(0) < BATCH || first_error.is_some() || started.elapsed() > BUDGET {
                break;
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(sent),
        }
    }

    /// Outbox rows of a kind and/or status, oldest first (diagnostics and tests).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn outbox_messages(
        &self,
        kind: Option<&str>,
        status: Option<sentinelops_domain::OutboxStatus>,
    ) -> AppResult<Vec<OutboxRow>> {
        Ok(outbox::list(self.store.reader(), kind, status).await?)
    }

    /// Sends one claimed row and records the result; true when it was sent.
    async fn deliver_row(
        &self,
        row: OutboxRow,
        holder: &str,
        mailer: &Result<Option<Mailer>, String>,
    ) -> AppResult<bool> {
        let limit = self.config.jobs.outbox_send_limit;
        let send = async {
            match row.kind.as_str() {
                outbox::EMAIL => self.send_email(&row, mailer).await,
                outbox::WEBHOOK => self.send_webhook(&row).await,
                other => Outcome::Dead { error: format!("unknown outbox kind {other:?}"), payload: None },
            }
        };
        let outcome = match tokio::time::timeout(limit, send).await {
            Ok(outcome) => outcome,
            // The receiver may still take it: delivery is at least once, as after a crash.
            Err(_) => Outcome::Retry {
                error: format!("delivery took longer than {} ms; will retry", limit.as_millis()),
                payload: None,
            },
        };
        let attempts = row.attempts.saturating_add(1);
        let tx = self.store.begin_write().await?;
        let now = self.clock.now();
        let (recorded, was_sent) = match outcome {
            Outcome::Sent { payload } => (outbox::mark_sent(&tx, row.id, holder, attempts, now, payload).await?, true),
            Outcome::Retry { error, payload } if attempts >= MAX_ATTEMPTS => {
                let error = truncate(&format!("gave up after {attempts} attempts: {error}"));
                tracing::warn!(id = %row.id, kind = %row.kind, %error, "outbox message is dead");
                (outbox::mark_dead(&tx, row.id, holder, attempts, &error, payload).await?, false)
            }
            Outcome::Retry { error, payload } => {
                let next = now + backoff(row.attempts);
                let error = truncate(&error);
                tracing::warn!(id = %row.id, kind = %row.kind, attempts, %next, %error, "outbox delivery failed; will retry");
                (outbox::mark_retry(&tx, row.id, holder, attempts, next, &error, payload).await?, false)
            }
            Outcome::Dead { error, payload } => {
                let error = truncate(&error);
                tracing::warn!(id = %row.id, kind = %row.kind, %error, "outbox message is dead");
                (outbox::mark_dead(&tx, row.id, holder, attempts, &error, payload).await?, false)
            }
        };
        commit(tx).await?;
        if !recorded {
            tracing::warn!(id = %row.id, "outbox claim lapsed before its result was recorded");
        }
        Ok(recorded && was_sent)
    }

    async fn send_email(&self, row: &OutboxRow, mailer: &Result<Option<Mailer>, String>) -> Outcome {
        let payload: EmailPayload = match serde_json::from_value(row.payload.clone()) {
            Ok(p) => p,
            Err(e) => return Outcome::Dead { error: format!("malformed e-mail payload: {e}"), payload: None },
        };
        let mailer = match mailer {
            Ok(Some(m)) => m,
            Ok(None) => return Outcome::Dead { error: "mail not configured".into(), payload: None },
            Err(e) => return Outcome::Retry { error: format!("mail configuration: {e}"), payload: None },
        };
        // An attachment is rendered now, so it shows the state at sending; a render that
        // keeps failing finally lets the mail go without it (see `report_mail`).
        let attachment = payload.attachment;
        let (payload, file) = match attachment {
            None => (payload, None),
            Some(attachment) => match self.render_attachment(attachment, row.attempts).await {
                Rendered::File(file) => (payload, Some(file)),
                Rendered::Retry(error) => return Outcome::Retry { error, payload: None },
                Rendered::Without => (report_mail::without_attachment(payload), None),
            },
        };
        match mailer.send(&payload, file.as_ref()).await {
            Ok(()) => Outcome::Sent { payload: None },
            Err(MailError::Transient(error)) => Outcome::Retry { error, payload: None },
            Err(MailError::Permanent(error)) => Outcome::Dead { error, payload: None },
        }
    }

    async fn send_webhook(&self, row: &OutboxRow) -> Outcome {
        let mut payload: WebhookPayload = match serde_json::from_value(row.payload.clone()) {
            Ok(p) => p,
            Err(e) => return Outcome::Dead { error: format!("malformed webhook payload: {e}"), payload: None },
        };
        let targets = webhooks::targets(&self.config.webhooks, &payload.class);
        if targets.is_empty() {
            let error = format!("no webhook target configured for class {:?}", payload.class);
            return Outcome::Dead { error, payload: None };
        }
        let body = match serde_json::to_vec(&payload.body) {
            Ok(body) => body,
            Err(e) => return Outcome::Dead { error: format!("malformed webhook body: {e}"), payload: None },
        };
        let secret = self.config.webhooks.secret.as_ref().map(|s| s.expose());
        let delivery_id = row.id.to_string();
        let mut errors = Vec::new();
        let before = payload.delivered.len();
        let pending: Vec<&str> =
            targets.into_iter().filter(|url| !payload.delivered.iter().any(|d| d == url)).collect();
        for url in pending {
            match webhooks::post(url, &payload.class, &delivery_id, &body, secret).await {
                Ok(()) => payload.delivered.push(url.to_owned()),
                Err(e) => errors.push(e),
            }
        }
        let progress = (payload.delivered.len() != before).then(|| serde_json::to_value(&payload).ok()).flatten();
        if errors.is_empty() {
            Outcome::Sent { payload: progress }
        } else {
            Outcome::Retry { error: errors.join("; "), payload: progress }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notifications::Audience;

    #[test]
    fn backoff_doubles_from_thirty_seconds_up_to_an_hour() {
        let waits: Vec<i64> = (0..10).map(|n| backoff(n).num_seconds()).collect();
        assert_eq!(waits, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
        assert_eq!(backoff(-1).num_seconds(), 30);
        assert_eq!(backoff(i32::MAX).num_seconds(), 3600);
    }

    fn draft(title: &str, priority: Priority, related_entity: &'static str) -> Draft {
        Draft {
            title: title.into(),
            message: String::new(),
            priority,
            related_entity,
            related_id: None,
            section_id: None,
            audience: Audience::Users(Vec::new()),
            exclude: None,
        }
    }

    #[test]
    fn webhook_classes_follow_the_notification() {
        let class = |t, p, e| webhook_class(&draft(t, p, e));
        assert_eq!(
            class("CRITICAL: Checklist Item Escalated - X", Priority::Critical, "checklist_manager_alert"),
            Some("escalation")
        );
        assert_eq!(class("Checklist Item Skipped - X", Priority::High, "checklist_manager_alert"), Some("skip"));
        assert_eq!(class("Checklist Completed (50%)", Priority::Medium, "checklist_completion"), Some("completion"));
        assert_eq!(class("Incoming Handover • NIGHT Shift", Priority::High, "handover_note"), Some("handover"));
        assert_eq!(class("Handover Logged • MORNING Shift", Priority::High, "handover_note"), None);
        assert_eq!(class("Reminder", Priority::Medium, "checklist_reminder"), Some("reminder"));
        assert_eq!(class("Pending approval", Priority::Medium, "checklist_manager_review"), None);
        assert_eq!(class("Supervisor override", Priority::High, "checklist_instance"), None);
        for c in ["escalation", "skip", "completion", "handover", "reminder"] {
            assert!(webhooks::CLASSES.contains(&c));
        }
    }

    #[test]
    fn emailed_entities() {
        let emailed = |e: &'static str| emailed(&draft("X", Priority::High, e));
        for e in [
            "checklist_manager_alert",
            "checklist_manager_review",
            "checklist_completion",
            "handover_note",
            "checklist_reminder",
            "shift_swap",
        ] {
            assert!(emailed(e), "{e}");
        }
        for e in ["checklist_instance", "item_action", "schedule", crate::alerts::ALERT_ENTITY] {
            assert!(!emailed(e), "{e}");
        }
        // A failure's notice: its alert mails it, with an acknowledge link.
        assert!(!super::emailed(&draft("CRITICAL: X", Priority::Critical, "checklist_manager_alert")));
        assert_eq!(webhook_class(&draft("X", Priority::Critical, crate::alerts::ALERT_ENTITY)), None);
    }
}
