//! What the live checklist shows, built from the app's `InstanceView` and handover
//! notes: plain strings and flags so the templates stay free of logic and the
//! partials can be rendered with fixed data in snapshot tests.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use sentinelops_app::checklists::InstanceView;
use sentinelops_app::checklists::view::{ActivityView, InstanceSubitemRow, ItemView};
use sentinelops_app::handover::{InstanceHandover, NoteDirection};
use sentinelops_domain::checklist::{InstanceStatus, ItemStatus};
use sentinelops_domain::due::DueState;

/// The whole live region: header, items, supervisor tools, handover notes.
#[derive(Debug, Clone)]
pub struct LiveChecklist {
    pub id: String,
    pub name: String,
    pub section: String,
    pub date: String,
    pub shift: String,
    pub status: String,
    pub status_class: String,
    pub done: usize,
    pub actioned: usize,
    pub total: usize,
    pub percent: String,
    /// RFC 3339 end of shift while the checklist is open (the `data-deadline` countdown).
    pub deadline: Option<String>,
    /// The countdown's first text, before `ui.js` ticks it ("2:05:00").
    pub time_left: String,
    pub shift_end: String,
    pub shift_over: bool,
    pub participants: Vec<Participant>,
    pub joined: bool,
    /// Items can change (not closed).
    pub workable: bool,
    pub is_supervisor: bool,
    pub can_sign_off: bool,
    pub items: Vec<ItemRow>,
    pub handover: HandoverPanel,
    /// A message about the last action (a refused change), shown above the items.
    pub notice: Option<Notice>,
}

#[derive(Debug, Clone)]
pub struct Notice {
    pub text: String,
    /// Text the user typed that was not saved, shown so it is not lost.
    pub kept_text: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Participant {
    pub name: String,
    pub online: bool,
}

#[derive(Debug, Clone)]
pub struct ItemRow {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    pub item_type: String,
    pub severity: i32,
    pub required: bool,
    pub status: String,
    pub status_label: String,
    pub status_class: String,
    pub due: Option<String>,
    /// Past its time and not actioned (OVERDUE or MISSED).
    pub overdue: bool,
    /// "due now", "overdue", "missed", or empty.
    pub due_word: &'static str,
    pub skipped_reason: Option<String>,
    pub failure_reason: Option<String>,
    pub final_verdict: Option<String>,
    pub done_by: Option<String>,
    pub subitems: Vec<SubitemRow>,
    pub sub_done: usize,
    pub sub_total: usize,
    pub activity: Vec<ActivityLine>,
    pub workable: bool,
    pub can_start: bool,
    /// Complete, skip and fail are offered (PENDING or IN_PROGRESS).
    pub can_act: bool,
    /// A skipped or failed item may still be completed ("resolve").
    pub can_resolve: bool,
    /// A failed subitem without a verdict: the verdict must come before completing.
    pub needs_verdict: bool,
    /// Reason text to put back into a dialog after a refused change.
    pub draft: String,
}

#[derive(Debug, Clone)]
pub struct SubitemRow {
    pub id: String,
    pub title: String,
    pub status: String,
    pub status_label: String,
    pub status_class: String,
    pub severity: i32,
    pub required: bool,
    pub reason: Option<String>,
    pub can_act: bool,
}

#[derive(Debug, Clone)]
pub struct ActivityLine {
    pub when: String,
    pub who: String,
    pub action: String,
    pub change: Option<String>,
    pub text: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct HandoverPanel {
    pub incoming: Vec<HandoverNote>,
    pub outgoing: Vec<HandoverNote>,
}

#[derive(Debug, Clone)]
pub struct HandoverNote {
    pub id: String,
    pub content: String,
    pub priority: i32,
    pub priority_label: &'static str,
    pub from: String,
    pub author: String,
    pub created: String,
    pub automatic: bool,
    pub acknowledged: Option<String>,
    pub resolved: Option<String>,
    pub resolution: Option<String>,
}

/// Who looks at the checklist, and when.
pub struct Viewer {
    pub user_id: Uuid,
    pub is_supervisor: bool,
    pub tz: Tz,
    pub now: DateTime<Utc>,
}

pub fn status_class(status: &str) -> String {
    format!("status-{}", status.to_ascii_lowercase())
}

/// "IN_PROGRESS" → "In progress".
pub fn label(status: &str) -> String {
    let lower = status.replace('_', " ").to_ascii_lowercase();
    let mut chars = lower.chars();
    chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
}

fn hhmm(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%H:%M").to_string()
}

fn day_time(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%d %b %H:%M").to_string()
}

impl LiveChecklist {
    pub fn build(view: &InstanceView, section: String, handover: &InstanceHandover, viewer: &Viewer) -> LiveChecklist {
        let workable = !view.row.status.is_closed();
        let items: Vec<ItemRow> = view.items.iter().map(|i| item_row(i, workable, viewer)).collect();
        let done = view.items.iter().filter(|i| i.row.status == ItemStatus::Completed).count();
        let actioned = view.items.iter().filter(|i| i.row.status.is_actioned()).count();
        LiveChecklist {
            id: view.row.id.to_string(),
            name: view.row.template_name.clone(),
            section,
            date: view.row.checklist_date.format("%a %d %b %Y").to_string(),
            shift: label(view.row.shift.as_str()),
            status: label(view.row.status.as_str()),
            status_class: status_class(view.row.status.as_str()),
            done,
            actioned,
            total: items.len(),
            percent: format!("{:.0}", view.completion_percentage),
            deadline: view.time_remaining_minutes.map(|_| view.row.shift_end.to_rfc3339()),
            time_left: view.time_remaining_minutes.map(|m| format!("{}:{:02}:00", m / 60, m % 60)).unwrap_or_default(),
            shift_end: hhmm(view.row.shift_end, viewer.tz),
            shift_over: view.row.shift_end <= viewer.now,
            participants: view
                .participants
                .iter()
                .map(|p| Participant { name: p.user.username.clone(), online: p.is_online })
                .collect(),
            joined: view.participants.iter().any(|p| p.user.id == viewer.user_id),
            workable,
            is_supervisor: viewer.is_supervisor,
            can_sign_off: viewer.is_supervisor && view.row.status == InstanceStatus::PendingReview,
            items,
            handover: HandoverPanel::build(handover, viewer.tz),
            notice: None,
        }
    }

    /// Puts text the user typed back into the item's dialogs (after a refused change).
    pub fn keep_draft(&mut self, item_id: &str, text: &str) {
        if let Some(item) = self.items.iter_mut().find(|i| i.id == item_id) {
            item.draft = text.to_owned();
        }
    }
}

/// The badge's word for a timed item's due state.
fn due_word(due: DueState) -> &'static str {
    match due {
        DueState::Due => "due now",
        DueState::Overdue => "overdue",
        DueState::Missed => "missed",
        DueState::NotTimed | DueState::Upcoming | DueState::Done => "",
    }
}

fn item_row(view: &ItemView, workable: bool, viewer: &Viewer) -> ItemRow {
    let item = &view.row;
    let open = !item.status.is_actioned();
    let subitems: Vec<SubitemRow> =
        view.subitems.iter().map(|s| subitem_row(&s.row, workable && item.status != ItemStatus::Completed)).collect();
    let sub_done = view.subitems.iter().filter(|s| s.row.status.is_actioned()).count();
    let failed_sub = view.subitems.iter().any(|s| s.row.status == ItemStatus::Failed);
    ItemRow {
        id: item.id.to_string(),
        title: item.title.clone(),
        description: item.description.clone().filter(|d| !d.trim().is_empty()),
        item_type: label(item.item_type.as_str()),
        severity: item.severity,
        required: item.is_required,
        status: item.status.as_str().to_owned(),
        status_label: label(item.status.as_str()),
        status_class: status_class(item.status.as_str()),
        due: item.scheduled_at.map(|at| hhmm(at, viewer.tz)),
        overdue: view.due.is_late(),
        due_word: due_word(view.due),
        skipped_reason: item.skipped_reason.clone(),
        failure_reason: item.failure_reason.clone(),
        final_verdict: item.final_verdict.clone(),
        done_by: view.completed_by.as_ref().map(|u| u.username.clone()),
        sub_total: subitems.len(),
        sub_done,
        subitems,
        activity: view.activities.iter().map(|a| activity_line(a, viewer.tz)).collect(),
        workable,
        can_start: workable && item.status == ItemStatus::Pending,
        can_act: workable && open,
        can_resolve: workable && item.status.is_exception(),
        needs_verdict: workable && failed_sub && item.final_verdict.is_none(),
        draft: String::new(),
    }
}

fn subitem_row(sub: &InstanceSubitemRow, workable: bool) -> SubitemRow {
    SubitemRow {
        id: sub.id.to_string(),
        title: sub.title.clone(),
        status: sub.status.as_str().to_owned(),
        status_label: label(sub.status.as_str()),
        status_class: status_class(sub.status.as_str()),
        severity: sub.severity,
        required: sub.is_required,
        reason: sub.failure_reason.clone().or_else(|| sub.skipped_reason.clone()),
        can_act: workable && !sub.status.is_actioned(),
    }
}

fn activity_line(view: &ActivityView, tz: Tz) -> ActivityLine {
    let a = &view.row;
    ActivityLine {
        when: hhmm(a.created_at, tz),
        who: view.user.as_ref().map_or_else(|| "system".to_owned(), |u| u.username.clone()),
        action: label(&a.action),
        change: match (&a.from_status, &a.to_status) {
            (Some(from), Some(to)) => Some(format!("{} → {}", label(from), label(to))),
            _ => None,
        },
        text: a.reason.clone().or_else(|| a.comment.clone()).filter(|t| !t.trim().is_empty()),
    }
}

pub fn priority_label(priority: i32) -> &'static str {
    match priority {
        1 => "low",
        2 => "medium",
        3 => "high",
        _ => "critical",
    }
}

impl HandoverPanel {
    /// From `App::instance_handover`'s answer; notes it cannot read are left out.
    pub fn build(answer: &InstanceHandover, tz: Tz) -> HandoverPanel {
        let mut panel = HandoverPanel::default();
        for n in answer.notes.iter().cloned() {
            let r = n.row;
            let note = HandoverNote {
                id: r.id.to_string(),
                content: r.content,
                priority: r.priority,
                priority_label: priority_label(r.priority),
                from: match n.from {
                    Some((shift, date)) => format!("{} {}", label(&shift), date.format("%d %b")),
                    None => String::new(),
                },
                author: n.created_by_username.unwrap_or_else(|| "system".to_owned()),
                created: day_time(r.created_at, tz),
                automatic: r.is_automatic,
                acknowledged: r
                    .acknowledged_at
                    .map(|at| format!("{} at {}", n.acknowledged_by_username.unwrap_or_default(), day_time(at, tz))),
                resolved: r
                    .resolved_at
                    .map(|at| format!("{} at {}", n.resolved_by_username.unwrap_or_default(), day_time(at, tz))),
                resolution: r.resolution_notes,
            };
            if n.direction == NoteDirection::Incoming { panel.incoming.push(note) } else { panel.outgoing.push(note) }
        }
        panel
    }
}
