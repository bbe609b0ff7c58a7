//! The operational day as the built-in dashboard shows it: the day's checklists in the
//! actor's scope, the shift running now, the attention queue and the handover notes
//! reaching the running shift — one use case, with the notes of every checklist read
//! in one query rather than one per checklist.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use sentinelops_domain::due::DueState;
use sentinelops_domain::shift::{ShiftType, ShiftWindow};
use sentinelops_store::repo::{handover, users};

use super::{AttentionEntry, Tone};
use crate::App;
use crate::actor::Actor;
use crate::checklists::view::InstanceView;
use crate::error::AppResult;
use crate::shifts::window_of;

/// The day's picture.
#[derive(Debug, Clone)]
pub struct DashboardDay {
    /// The operational date (it starts at the morning shift).
    pub date: NaiveDate,
    pub tz: Tz,
    /// Each shift's window (its configured row, else the built-in one), in shift order.
    pub windows: Vec<(ShiftType, ShiftWindow)>,
    /// The shift whose window contains the current time, if any.
    pub current: Option<CurrentShift>,
    /// The day's checklists the actor may see (of one section when asked).
    pub checklists: Vec<InstanceView>,
    /// Every section's name by id.
    pub section_names: HashMap<Uuid, String>,
    /// The attention queue, for the checklists above only.
    pub attention: Vec<AttentionEntry>,
    /// Notes reaching the running shift's checklists: checklist by checklist (in the
    /// order of `checklists`), oldest first.
    pub incoming: Vec<IncomingNote>,
}

#[derive(Debug, Clone, Copy)]
pub struct CurrentShift {
    pub shift: ShiftType,
    pub ends_at: DateTime<Utc>,
}

/// An attention entry for each timed item of these checklists that is OVERDUE (a
/// warning) or MISSED (critical), as its view says.
fn late_timed_items(checklists: &[InstanceView], tz: Tz) -> Vec<AttentionEntry> {
    let mut late = Vec::new();
    for checklist in checklists.iter().filter(|c| !c.row.status.is_closed()) {
        for item in checklist.items.iter().filter(|i| i.due.is_late()) {
            let Some(at) = item.row.scheduled_at else { continue };
            let (word, tone) =
                if item.due == DueState::Missed { ("missed", Tone::Critical) } else { ("overdue", Tone::Warning) };
            late.push(AttentionEntry {
                id: format!("due-{}", item.row.id),
                instance_id: checklist.row.id,
                title: format!("{} {word}: {}", checklist.row.shift, item.row.title),
                detail: format!("Timed item due at {}", at.with_timezone(&tz).format("%H:%M")),
                tone,
            });
        }
    }
    late
}

/// A handover note as the next shift reads it.
#[derive(Debug, Clone)]
pub struct IncomingNote {
    /// The checklist it reaches.
    pub instance_id: Uuid,
    pub content: String,
    pub priority: i32,
    /// The author's username (`None` when the account is gone).
    pub author: Option<String>,
    /// The shift and date of the checklist it was written on.
    pub from: Option<(String, NaiveDate)>,
    pub acknowledged_at: Option<DateTime<Utc>>,
}

impl App {
    /// The dashboard's day for `actor`; `section` narrows it to one section (the UI
    /// offers that to administrators, who see them all).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn dashboard_day(&self, actor: &Actor, section: Option<Uuid>) -> AppResult<DashboardDay> {
        let reader = self.store.reader();
        let (date, tz, _) = self.operational_today().await?;
        let now = self.clock.now();
        let mut windows = Vec::with_capacity(ShiftType::ALL.len());
        for shift in ShiftType::ALL {
            windows.push((shift, window_of(reader, shift).await?));
        }
        let current = windows.iter().find_map(|(shift, window)| {
            let (start, end) = window.bounds(date, tz);
            (start <= now && now < end).then_some(CurrentShift { shift: *shift, ends_at: end })
        });

        let checklists: Vec<InstanceView> = self
            .today_instances(actor)
            .await?
            .into_iter()
            .filter(|i| section.is_none_or(|s| i.row.section_id == s))
            .collect();
        let section_names = self.list_sections(None).await?.into_iter().map(|s| (s.id, s.name)).collect();
        let visible: HashSet<Uuid> = checklists.iter().map(|i| i.row.id).collect();
        let mut attention: Vec<AttentionEntry> = self
            .dashboard_summary(actor)
            .await?
            .attention_queue
            .into_iter()
            .filter(|entry| visible.contains(&entry.instance_id))
            .collect();
        // Timed items past their time and not actioned: missed ones first, with the
        // critical entries above.
        let late = late_timed_items(&checklists, tz);
        let critical = attention.iter().take_while(|e| e.tone == Tone::Critical).count();
        let (missed, overdue): (Vec<_>, Vec<_>) = late.into_iter().partition(|e| e.tone == Tone::Critical);
        attention.splice(critical..critical, missed);
        attention.extend(overdue);

        let running: Vec<Uuid> = match current {
            Some(now) => checklists.iter().filter(|i| *i.row.shift == now.shift).map(|i| i.row.id).collect(),
            None => Vec::new(),
        };
        let incoming = self.incoming_notes(&running).await?;
        Ok(DashboardDay { date, tz, windows, current, checklists, section_names, attention, incoming })
    }

    /// The notes reaching these checklists, in their order, each checklist's oldest first.
    async fn incoming_notes(&self, checklists: &[Uuid]) -> AppResult<Vec<IncomingNote>> {
        let reader = self.store.reader();
        let (notes, origins) = handover::incoming_for_many(reader, checklists.to_vec()).await?;
        let origins: HashMap<Uuid, (String, NaiveDate)> =
            origins.into_iter().map(|(id, shift, date)| (id, (shift, date))).collect();
        let authors: Vec<Uuid> = notes.iter().map(|n| n.created_by).collect::<HashSet<_>>().into_iter().collect();
        let names: HashMap<Uuid, String> =
            users::find_many(reader, authors).await?.into_iter().map(|u| (u.id, u.username)).collect();
        let mut by_checklist: HashMap<Uuid, Vec<IncomingNote>> = HashMap::new();
        for note in notes {
            let Some(to) = note.to_instance_id else { continue };
            by_checklist.entry(to).or_default().push(IncomingNote {
                instance_id: to,
                author: names.get(&note.created_by).cloned(),
                from: origins.get(&note.from_instance_id).cloned(),
                content: note.content,
                priority: note.priority,
                acknowledged_at: note.acknowledged_at,
            });
        }
        Ok(checklists.iter().flat_map(|id| by_checklist.remove(id).unwrap_or_default()).collect())
    }
}
