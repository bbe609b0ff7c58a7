//! Notifications about each checklist, with one receipt per recipient, written right
//! after the checklist they report on. Each checklist gets an equal share of the
//! `--receipts` target: first what the app itself would have sent (operator joined,
//! skipped/failed alerts, pending approval, sign-off or incomplete), then per-step
//! updates and comment notices to the section manager and admins until the share is
//! reached, so the receipt total is exact.

use chrono::{DateTime, Duration, Utc};
use sentinelops_store::entity::{notification_receipts, notifications};
use uuid::Uuid;

use super::checklists::Run;
use super::org::{Org, SectionOrg};
use super::rng::Gen;
use super::sink::Batch;

struct Draft {
    title: String,
    message: String,
    priority: &'static str,
    related_entity: &'static str,
    created_by: Option<Uuid>,
    at: DateTime<Utc>,
    audience: Vec<Uuid>,
}

pub struct Notifier<'o> {
    org: &'o Org,
    now: DateTime<Utc>,
    pub receipts: u64,
}

impl<'o> Notifier<'o> {
    pub fn new(org: &'o Org, now: DateTime<Utc>) -> Self {
        Notifier { org, now, receipts: 0 }
    }

    /// The section manager and every admin, without the author.
    fn supervisors(&self, section: &SectionOrg, author: Option<Uuid>) -> Vec<Uuid> {
        std::iter::once(section.manager.id)
            .chain(self.org.all_admins.iter().copied())
            .filter(|id| Some(*id) != author)
            .collect()
    }

    /// What the app would have sent for this checklist, in time order.
    fn natural(&self, run: &Run<'_>, section: &SectionOrg) -> Vec<Draft> {
        let head = format!("{} ({} - {})", run.template_name, run.shift.as_str(), run.date);
        let mut drafts = Vec::new();
        for (person, at) in &run.joined {
            drafts.push(Draft {
                title: format!("Operator joined - {} shift", run.shift.as_str()),
                message: format!("{} joined {head}.", person.username),
                priority: "low",
                related_entity: "checklist_instance",
                created_by: Some(person.id),
                at: *at,
                audience: self.supervisors(section, Some(person.id)),
            });
        }
        for a in run.actions.iter().filter(|a| a.status != "COMPLETED") {
            let what = if a.subitem { "Subitem" } else { "Item" };
            let (line, verb, priority) = if a.status == "SKIPPED" {
                (format!("Checklist {what} Skipped"), "skipped", "high")
            } else {
                (format!("CRITICAL: Checklist {what} Escalated"), "marked failed", "critical")
            };
            drafts.push(Draft {
                title: format!("{line} - {}", a.title),
                message: format!(
                    "{what} '{}' was {verb} by {} in {head}. Reason: {}",
                    a.title,
                    a.by.username,
                    a.reason.unwrap_or("No reason provided")
                ),
                priority,
                related_entity: "checklist_manager_alert",
                created_by: Some(a.by.id),
                at: a.at,
                audience: self.supervisors(section, Some(a.by.id)),
            });
        }
        if let Some(at) = run.pending_review_at {
            let author = run.actions.last().map(|a| a.by.id);
            drafts.push(Draft {
                title: format!("Checklist pending approval - {} shift", run.shift.as_str()),
                message: format!(
                    "{head} has every item actioned ({}% completed) and awaits sign-off.",
                    run.percentage()
                ),
                priority: "medium",
                related_entity: "checklist_manager_review",
                created_by: author,
                at,
                audience: self.supervisors(section, author),
            });
        }
        if let Some(at) = run.closed_at {
            drafts.push(self.closing(run, section, &head, at));
        }
        drafts
    }

    fn closing(&self, run: &Run<'_>, section: &SectionOrg, head: &str, at: DateTime<Utc>) -> Draft {
        if run.status == "INCOMPLETE" {
            return Draft {
                title: format!("Checklist incomplete - {} shift", run.shift.as_str()),
                message: format!("{head} was not signed off by the end of the shift and is now INCOMPLETE."),
                priority: "high",
                related_entity: "checklist_instance",
                created_by: None,
                at,
                audience: vec![section.manager.id],
            };
        }
        let clean = run.status == "COMPLETED";
        let label = if clean { "Completed" } else { "Completed with exceptions" };
        let mut audience: Vec<Uuid> = run.joined.iter().map(|(p, _)| p.id).collect();
        audience.extend(self.org.all_admins.iter().copied());
        Draft {
            title: format!("Checklist Completed ({}%) - {} Shift", run.percentage(), run.shift.as_str()),
            message: format!(
                "{head} was signed off by {}: {label}. {}% of {} items completed; {} exception(s) in all.",
                section.manager.username,
                run.percentage(),
                run.total_items,
                run.exceptions
            ),
            priority: if clean { "low" } else { "medium" },
            related_entity: "checklist_completion",
            created_by: Some(section.manager.id),
            at,
            audience,
        }
    }

    /// The `n`-th notice after the natural ones: step updates, then comment threads.
    fn filler(&self, run: &Run<'_>, section: &SectionOrg, n: usize) -> Draft {
        let head = format!("{} ({} - {})", run.template_name, run.shift.as_str(), run.date);
        let steps = run.actions.len();
        let Some(action) = run.actions.get(n % steps.max(1)) else {
            return Draft {
                title: format!("SentinelOps Reminder • {} Checklist", run.shift.as_str()),
                message: format!("{head} has items due and nobody has started them."),
                priority: "medium",
                related_entity: "checklist_instance",
                created_by: None,
                at: run.created_at + Duration::minutes(i64::try_from(n % 400).unwrap_or(0)),
                audience: self.supervisors(section, None),
            };
        };
        let round = i64::try_from(n / steps.max(1)).unwrap_or(0);
        let (title, message) = if round == 0 {
            (
                format!("Checklist Item Updated - {}", action.title),
                format!("'{}' is now {} ({}) in {head}.", action.title, action.status, action.by.username),
            )
        } else {
            (
                format!("New comment - {}", action.title),
                format!("{} commented on '{}' in {head} (update {round}).", action.by.username, action.title),
            )
        };
        Draft {
            title,
            message,
            priority: "low",
            related_entity: "checklist_instance",
            created_by: Some(action.by.id),
            at: action.at + Duration::minutes(3 * round),
            audience: self.supervisors(section, Some(action.by.id)),
        }
    }

    /// Writes this checklist's notifications until `quota` receipts are written.
    pub fn emit(&mut self, g: &mut Gen, batch: &mut Batch, run: &Run<'_>, section: &SectionOrg, quota: u64) {
        let natural = self.natural(run, section);
        let natural_count = natural.len();
        let mut natural = natural.into_iter();
        let mut left = quota;
        let mut n = 0;
        // Each draft has at least one recipient, so this ends; the bound guards a bug.
        while left > 0 && n < 1_000_000 {
            let draft = natural.next().unwrap_or_else(|| self.filler(run, section, n - natural_count));
            n += 1;
            left -= self.write(g, batch, run, draft, left);
        }
    }

    /// Writes one notification with at most `limit` receipts; returns how many.
    fn write(&mut self, g: &mut Gen, batch: &mut Batch, run: &Run<'_>, draft: Draft, limit: u64) -> u64 {
        let take = usize::try_from(limit).unwrap_or(usize::MAX).min(draft.audience.len());
        if take == 0 {
            return 0;
        }
        let at = draft.at.min(self.now - Duration::seconds(1));
        let id = g.id_at(at);
        batch.notifications.push(notifications::Model {
            id,
            title: draft.title,
            message: draft.message,
            priority: draft.priority.to_owned(),
            related_entity: Some(draft.related_entity.to_owned()),
            related_id: Some(run.id),
            section_id: Some(run.section_id),
            created_by: draft.created_by,
            created_at: at,
        });
        let recent = self.now - at < Duration::days(2);
        for user_id in draft.audience.into_iter().take(take) {
            let read_at = at + g.seconds(30, 3 * 86_400);
            let unread = g.chance(if recent { 0.5 } else { 0.13 }) || read_at > self.now;
            batch.receipts.push(notification_receipts::Model {
                id: g.id_at(at),
                notification_id: id,
                user_id,
                is_read: !unread,
                read_at: (!unread).then_some(read_at),
                created_at: at,
            });
        }
        let written = u64::try_from(take).unwrap_or(0);
        self.receipts += written;
        written
    }
}
