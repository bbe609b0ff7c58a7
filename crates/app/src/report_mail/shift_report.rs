//! The shift report mail: queued in the transaction that closes a checklist, one per
//! supervisor who wants it, with the PDF named by reference and rendered by the outbox
//! when it sends (so the file shows the closed state and the row stays small).
//!
//! Exactly once: closing takes the checklist's row lock and refuses a closed checklist,
//! so a second sign-off attempt fails and queues nothing; the dedupe key (checklist,
//! closing instant, recipient) also keeps a replayed transaction from queueing twice,
//! while a checklist reopened and closed again sends its new record.

use chrono::{DateTime, Utc};

use sentinelops_domain::checklist::InstanceStatus;
use sentinelops_domain::ids::new_id;
use sentinelops_store::Conn;
use sentinelops_store::repo::checklists::{self, InstanceRow};
use sentinelops_store::repo::outbox::{self, NewOutbox};

use super::{REPORT_NOT_ATTACHED, Tally, recipients, wants_shift_report};
use crate::App;
use crate::error::{AppError, AppResult};
use crate::mail::{self, AttachmentRef, EmailPayload, FileAttachment};
use crate::notifications::Priority;
use crate::outbox::MAX_ATTEMPTS;

/// How a checklist came to be closed.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Closing<'a> {
    /// Signed off from review by this manager or admin.
    SignedOff { by: &'a str },
    /// Force-closed by this supervisor (an audited override).
    ForceClosed { by: &'a str },
    /// Closed as INCOMPLETE by the stale-shift job.
    Incomplete,
}

/// Queues the shift report of `closed` (already saved in its closed state) to the
/// supervisors of its section who want it, with the caller's transaction; returns how
/// many mails were queued.
#[tracing::instrument(level = "debug", skip_all)]
pub(crate) async fn queue_shift_report(
    c: &impl Conn,
    now: DateTime<Utc>,
    closed: &InstanceRow,
    closing: Closing<'_>,
) -> AppResult<u64> {
    let recipients = recipients(c, Some(closed.section_id), wants_shift_report).await?;
    if recipients.is_empty() {
        return Ok(0);
    }
    let items: Vec<_> = checklists::item_statuses(c, closed.id).await?;
    let subitems: Vec<_> = checklists::subitems_of(c, closed.id).await?.into_iter().map(|s| *s.status).collect();
    let tally = Tally::of(&items, &subitems);
    let what = format!("{} ({} - {})", closed.template_name, closed.shift, closed.checklist_date);
    let (how, priority) = match closing {
        Closing::SignedOff { by } => {
            (format!("{what} was signed off by {by}: {}.", label(*closed.status)), low(closed))
        }
        Closing::ForceClosed { by } => {
            (format!("{what} was force-closed by {by}: {}.", label(*closed.status)), Priority::Medium)
        }
        Closing::Incomplete => {
            (format!("{what} was not signed off by the end of the shift and is now INCOMPLETE."), Priority::High)
        }
    };
    let message = format!("{how}\n{}", tally.sentence());
    let title = format!("Shift report - {what} - {}", label(*closed.status));
    let link = Some(format!("/checklists/{}", closed.id));
    let closed_at = closed.closed_at.unwrap_or(now).timestamp_micros();
    let rows = recipients
        .into_iter()
        .map(|r| {
            let mut payload =
                mail::compose(&r.email, Some(r.user_id), &title, &message, priority.as_str(), link.clone());
            payload.attachment = Some(AttachmentRef::ShiftReport { instance_id: closed.id });
            let payload = serde_json::to_value(payload)
                .map_err(|e| AppError::Internal(format!("cannot encode a shift report mail: {e}")))?;
            Ok(NewOutbox {
                id: new_id(),
                kind: outbox::EMAIL,
                dedupe_key: Some(format!("shift_report:{}:{closed_at}:{}", closed.id, r.user_id)),
                payload,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok(outbox::enqueue(c, now, rows).await?)
}

fn low(closed: &InstanceRow) -> Priority {
    if *closed.status == InstanceStatus::Completed { Priority::Low } else { Priority::Medium }
}

fn label(status: InstanceStatus) -> &'static str {
    match status {
        InstanceStatus::Completed => "Completed",
        InstanceStatus::CompletedWithExceptions => "Completed with exceptions",
        InstanceStatus::Incomplete => "Incomplete",
        InstanceStatus::Open => "Open",
        InstanceStatus::InProgress => "In progress",
        InstanceStatus::PendingReview => "Pending review",
    }
}

/// An attachment as the outbox should treat it.
#[derive(Debug)]
pub(crate) enum Rendered {
    File(FileAttachment),
    /// Rendering failed in a way worth retrying (the row backs off like a failed send).
    Retry(String),
    /// Send the mail without it (the checklist is gone, or the last attempt failed).
    Without,
}

impl App {
    /// Renders a referenced attachment for a mail whose row failed `failed_before`
    /// times. The render gets half the send limit, so a slow render is a render failure
    /// and the mail itself still has time to go.
    pub(crate) async fn render_attachment(&self, attachment: AttachmentRef, failed_before: i32) -> Rendered {
        let AttachmentRef::ShiftReport { instance_id } = attachment;
        let limit = self.config.jobs.outbox_send_limit / 2;
        let error = match tokio::time::timeout(limit, self.shift_report_pdf_unscoped(instance_id)).await {
            Ok(Ok(pdf)) => {
                return Rendered::File(FileAttachment {
                    filename: pdf.filename.clone(),
                    content_type: "application/pdf",
                    bytes: pdf.bytes.clone(),
                });
            }
            Ok(Err(AppError::NotFound(e))) => {
                tracing::warn!(%instance_id, error = %e, "the shift report's checklist is gone; mailing without it");
                return Rendered::Without;
            }
            Ok(Err(e)) => e.to_string(),
            Err(_) => format!("rendering took longer than {} ms", limit.as_millis()),
        };
        if failed_before.saturating_add(1) >= MAX_ATTEMPTS {
            tracing::warn!(%instance_id, %error, "the shift report never rendered; mailing without it");
            Rendered::Without
        } else {
            Rendered::Retry(format!("cannot render the shift report: {error}"))
        }
    }
}

/// The mail without its attachment, saying where the report can be had instead.
pub(crate) fn without_attachment(mut payload: EmailPayload) -> EmailPayload {
    payload.attachment = None;
    payload.text.push_str(&format!("\n{REPORT_NOT_ATTACHED}\n"));
    payload
        .html
        .push_str(&format!("\n<p style=\"margin:0 0 12px\"><em>{}</em></p>", mail::escape_html(REPORT_NOT_ATTACHED)));
    payload
}
