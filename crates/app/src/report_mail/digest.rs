//! The daily shift digest: once per operational day of the business time zone, each
//! supervisor who opted in gets one e-mail summing up that day's checklists of the
//! sections they supervise (their own for a manager, all for an administrator): per
//! checklist its shift, status, completion, exceptions, who signed it off and its open
//! handover notes, with a link to it.
//!
//! When: the day's last shift end plus the stale-shift grace, so every checklist of the
//! day has its final state (signed off, or closed INCOMPLETE by the stale-shift job).
//! Once: the job runs under its lease and remembers the last day it mailed; each mail
//! also has a dedupe key (day, recipient), so a run cut short and run again, or two
//! instances, never queue a digest twice. Days missed while every instance was down
//! are caught up only back to yesterday.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use sentinelops_domain::Role;
use sentinelops_domain::checklist::InstanceStatus;
use sentinelops_domain::ids::new_id;
use sentinelops_domain::shift::ShiftType;
use sentinelops_store::repo::checklists::{self, InstanceFilter};
use sentinelops_store::repo::outbox::{self, NewOutbox};
use sentinelops_store::repo::report_mail::ReportRecipient;
use sentinelops_store::repo::{handover, users};

use super::{Tally, recipients, wants_digest};
use crate::App;
use crate::error::{AppError, AppResult};
use crate::mail::{EmailPayload, escape_html};
use crate::shifts::window_of;
use crate::tx::commit;

/// Most checklists one digest day reads (every section's shifts of one day).
const DAY_CAP: u64 = 5_000;

/// One checklist of the day, as the digest shows it.
#[derive(Debug, Clone)]
struct DigestLine {
    instance_id: Uuid,
    section_id: Uuid,
    section: String,
    shift: ShiftType,
    checklist: String,
    status: InstanceStatus,
    tally: Tally,
    signed_off_by: Option<String>,
    open_handovers: usize,
}

impl App {
    /// The digest job: mails the digest of each day that is due and not yet mailed;
    /// `state` remembers the last day mailed. Returns the mails queued.
    #[tracing::instrument(level = "debug", skip_all)]
    pub(crate) async fn daily_digest(&self, state: Option<Value>) -> AppResult<(usize, Option<Value>)> {
        let tz = self.business_timezone().await?;
        let now = self.clock.now();
        let today = now.with_timezone(&tz).date_naive();
        let last: Option<NaiveDate> =
            state.as_ref().and_then(|s| s.get("last_date")).and_then(Value::as_str).and_then(|d| d.parse().ok());
        let mut queued = 0;
        let mut mailed = last;
        for date in [today.pred_opt().unwrap_or(today), today] {
            if last.is_some_and(|done| date <= done) {
                continue;
            }
            let mut last_end: Option<DateTime<Utc>> = None;
            for shift in ShiftType::ALL {
                let end = window_of(self.store.reader(), shift).await?.bounds(date, tz).1;
                last_end = Some(last_end.map_or(end, |e| e.max(end)));
            }
            let due = last_end.unwrap_or(now) + self.config.jobs.stale_grace;
            if now < due {
                break;
            }
            queued += self.queue_digests(date, now).await?;
            mailed = Some(date);
        }
        Ok((queued, mailed.map(|d| json!({ "last_date": d })).or(state)))
    }

    /// Queues the digest of `date` to every supervisor who opted in, in one transaction.
    async fn queue_digests(&self, date: NaiveDate, now: DateTime<Utc>) -> AppResult<usize> {
        let reader = self.store.reader();
        let recipients = recipients(reader, None, wants_digest).await?;
        if recipients.is_empty() {
            return Ok(0);
        }
        let lines = self.digest_lines(date).await?;
        let public_url = self.config.mail.public_url.trim().trim_end_matches('/').to_owned();
        let mut rows = Vec::with_capacity(recipients.len());
        for r in recipients {
            let theirs: Vec<&DigestLine> = lines
                .iter()
                .filter(|l| r.role == Role::Admin || (r.role == Role::Manager && r.section_id == Some(l.section_id)))
                .collect();
            let payload = compose_digest(&r, date, &theirs, &public_url);
            let payload = serde_json::to_value(payload)
                .map_err(|e| AppError::Internal(format!("cannot encode a digest mail: {e}")))?;
            rows.push(NewOutbox {
                id: new_id(),
                kind: outbox::EMAIL,
                dedupe_key: Some(format!("daily_digest:{date}:{}", r.user_id)),
                payload,
            });
        }
        let tx = self.store.begin_write().await?;
        let queued = outbox::enqueue(&tx, now, rows).await?;
        commit(tx).await?;
        Ok(usize::try_from(queued).unwrap_or(usize::MAX))
    }

    /// Every checklist of `date`, by section name then shift.
    async fn digest_lines(&self, date: NaiveDate) -> AppResult<Vec<DigestLine>> {
        let reader = self.store.reader();
        let filter = InstanceFilter { start_date: Some(date), end_date: Some(date), ..InstanceFilter::default() };
        let instances = checklists::all_instances(reader, &filter, DAY_CAP).await?;
        let sections: HashMap<Uuid, String> =
            self.list_sections(None).await?.into_iter().map(|s| (s.id, s.name)).collect();
        let signers: Vec<Uuid> = instances.iter().filter_map(|i| i.closed_by).collect();
        let names: HashMap<Uuid, String> =
            users::find_many(reader, signers).await?.into_iter().map(|u| (u.id, u.username)).collect();
        let mut items: HashMap<Uuid, Vec<_>> = HashMap::new();
        for item in checklists::items_of_many(reader, instances.iter().map(|i| i.id).collect()).await? {
            items.entry(item.instance_id).or_default().push(*item.status);
        }
        let mut lines = Vec::with_capacity(instances.len());
        for i in instances {
            let subitems: Vec<_> =
                checklists::subitems_of(reader, i.id).await?.into_iter().map(|s| *s.status).collect();
            let open_handovers = handover::for_instance(reader, i.id, false, true)
                .await?
                .iter()
                .filter(|n| n.resolved_at.is_none())
                .count();
            let signed = matches!(*i.status, InstanceStatus::Completed | InstanceStatus::CompletedWithExceptions);
            lines.push(DigestLine {
                instance_id: i.id,
                section_id: i.section_id,
                section: sections.get(&i.section_id).cloned().unwrap_or_default(),
                shift: i.shift.get(),
                checklist: i.template_name.clone(),
                status: i.status.get(),
                tally: Tally::of(items.get(&i.id).map(Vec::as_slice).unwrap_or_default(), &subitems),
                signed_off_by: i.closed_by.filter(|_| signed).and_then(|id| names.get(&id).cloned()),
                open_handovers,
            });
        }
        let rank = |s: ShiftType| ShiftType::ALL.iter().position(|x| *x == s).unwrap_or(usize::MAX);
        lines.sort_by(|a, b| a.section.cmp(&b.section).then(rank(a.shift).cmp(&rank(b.shift))));
        Ok(lines)
    }
}

/// The day's counts over some checklists.
fn totals(lines: &[&DigestLine]) -> String {
    let count = |f: &dyn Fn(&DigestLine) -> bool| lines.iter().filter(|l| f(l)).count();
    let signed = count(&|l| matches!(l.status, InstanceStatus::Completed | InstanceStatus::CompletedWithExceptions));
    let incomplete = count(&|l| l.status == InstanceStatus::Incomplete);
    let open = count(&|l| !l.status.is_closed());
    let exceptions: usize = lines.iter().map(|l| l.tally.exceptions).sum();
    let subitems = match lines.iter().map(|l| l.tally.subitem_exceptions).sum() {
        0 => String::new(),
        n => format!(" ({})", super::subitem_phrase(n)),
    };
    let handovers: usize = lines.iter().map(|l| l.open_handovers).sum();
    format!(
        "Checklists: {} | Signed off: {signed} | Incomplete: {incomplete} | Still open: {open} | Exceptions: {exceptions}{subitems} | Open handovers: {handovers}",
        lines.len()
    )
}

/// The digest mail of one recipient (links under `public_url`, none without one).
fn compose_digest(r: &ReportRecipient, date: NaiveDate, lines: &[&DigestLine], public_url: &str) -> EmailPayload {
    let day = date.format("%A %d %B %Y");
    let subject = format!("SentinelOps | Daily shift digest - {date}");
    let summary = totals(lines);
    let link = |l: &DigestLine| (!public_url.is_empty()).then(|| format!("{public_url}/checklists/{}", l.instance_id));
    let mut text = format!("Daily shift digest for {day}\n\n{summary}\n");
    let mut html = format!(
        "<h2 style=\"margin:0 0 12px;font-size:18px\">Daily shift digest &middot; {}</h2>\n\
         <p style=\"margin:0 0 12px\">{}</p>\n",
        escape_html(&day.to_string()),
        escape_html(&summary)
    );
    if lines.is_empty() {
        text.push_str("\nNo checklists for this day.\n");
        html.push_str("<p style=\"margin:0 0 12px\">No checklists for this day.</p>\n");
    } else {
        html.push_str(
            "<table style=\"border-collapse:collapse;font-size:13px\" cellpadding=\"4\">\n<tr><th align=\"left\">Section</th>\
             <th align=\"left\">Shift</th><th align=\"left\">Checklist</th><th align=\"left\">Status</th>\
             <th align=\"right\">Completion</th><th align=\"right\">Exceptions</th><th align=\"left\">Signed off by</th>\
             <th align=\"right\">Open handovers</th></tr>\n",
        );
    }
    for l in lines {
        let signer = l.signed_off_by.as_deref().unwrap_or("-");
        text.push_str(&format!(
            "\n{} | {} | {} | {} | {}% of {} items | {} | signed off by {signer} | {} open handover(s)\n",
            l.section,
            l.shift,
            l.checklist,
            l.status.as_str(),
            l.tally.completion,
            l.tally.items,
            l.tally.exceptions_phrase(),
            l.open_handovers
        ));
        let name = escape_html(&l.checklist);
        let name = match link(l) {
            Some(url) => {
                text.push_str(&format!("  {url}\n"));
                format!("<a href=\"{}\" style=\"color:#0b5cad\">{name}</a>", escape_html(&url))
            }
            None => name,
        };
        html.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{name}</td><td>{}</td><td align=\"right\">{}%</td>\
             <td align=\"right\">{}</td><td>{}</td><td align=\"right\">{}</td></tr>\n",
            escape_html(&l.section),
            l.shift,
            l.status.as_str(),
            l.tally.completion,
            l.tally.exceptions_cell(),
            escape_html(signer),
            l.open_handovers
        ));
    }
    if !lines.is_empty() {
        html.push_str("</table>\n");
    }
    EmailPayload {
        to: r.email.clone(),
        user_id: Some(r.user_id),
        subject,
        text,
        html,
        link: None,
        attachment: None,
        acknowledge: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(
        section: &str,
        shift: ShiftType,
        status: InstanceStatus,
        exceptions: usize,
        handovers: usize,
    ) -> DigestLine {
        DigestLine {
            instance_id: Uuid::nil(),
            section_id: Uuid::nil(),
            section: section.into(),
            shift,
            checklist: "Ops <main>".into(),
            status,
            tally: Tally {
                items: 4,
                skipped: exceptions,
                failed: 0,
                exceptions,
                subitem_exceptions: 0,
                completion: 75.0,
            },
            signed_off_by: Some("mia".into()),
            open_handovers: handovers,
        }
    }

    #[test]
    fn the_digest_sums_the_day_and_escapes_names() {
        let recipient = ReportRecipient {
            user_id: Uuid::nil(),
            username: "mia".into(),
            email: "mia@x.y".into(),
            role: Role::Manager,
            section_id: None,
            email_enabled: None,
            shift_report_email: None,
            daily_digest_email: Some(true),
        };
        let a = line("Core <x>", ShiftType::Morning, InstanceStatus::CompletedWithExceptions, 1, 0);
        let b = line("Core <x>", ShiftType::Night, InstanceStatus::Incomplete, 2, 1);
        // Only a subitem failed: its line and the totals still say so.
        let mut c = line("Cards", ShiftType::Afternoon, InstanceStatus::CompletedWithExceptions, 0, 0);
        c.tally.subitem_exceptions = 1;
        let date = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default();
        let mail = compose_digest(&recipient, date, &[&a, &b, &c], "https://ops.example");
        assert!(
            mail.text.contains(
                "Checklists: 3 | Signed off: 2 | Incomplete: 1 | Still open: 0 | Exceptions: 3 (1 subitem skipped or failed) | Open handovers: 1"
            ),
            "{}",
            mail.text
        );
        assert!(mail.text.contains("| 0 exception(s), 1 subitem skipped or failed |"), "{}", mail.text);
        assert!(mail.html.contains("<td align=\"right\">0 (+1 subitem)</td>"), "{}", mail.html);
        assert!(mail.html.contains("Core &lt;x&gt;") && !mail.html.contains("<x>"), "{}", mail.html);
        assert!(mail.html.contains("href=\"https://ops.example/checklists/"), "{}", mail.html);
        let empty = compose_digest(&recipient, date, &[], "");
        assert!(empty.text.contains("No checklists for this day."));
    }
}
