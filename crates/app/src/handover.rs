//! Handover notes: routed to the next shift's checklist (created if missing),
//! acknowledged and resolved by the incoming shift. Failed work carries over on its
//! own as priority-4 notes when a checklist reaches review.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;
use uuid::Uuid;

use sentinelops_domain::ActivityAction;
use sentinelops_domain::checklist::{InstanceStatus, ItemStatus};
use sentinelops_domain::ids::new_id;
use sentinelops_store::repo::checklists::{self, InstanceFilter, InstanceRow};
use sentinelops_store::repo::handover;
pub use sentinelops_store::repo::handover::HandoverRow;
use sentinelops_store::repo::users;
use sentinelops_store::{Conn, Tx};

use crate::access::{can_use_section, own_section};
use crate::actor::Actor;
use crate::audit::{OpsEvent, record_ops};
use crate::error::{AppError, AppResult, invalid, not_found};
use crate::notifications::{self, Audience, Draft, Priority};
use crate::shifts::parse_shift;
use crate::tx::commit;
use crate::{App, validate};

/// A note to write for the next shift (or the named one).
#[derive(Debug, Clone, Default)]
pub struct NewHandover {
    pub content: String,
    /// 1 (low) to 4 (critical); 2 when not given.
    pub priority: Option<i32>,
    pub to_shift: Option<String>,
    pub to_date: Option<NaiveDate>,
    /// The checklist the note leaves from; the actor's current one when not given.
    pub from_instance_id: Option<Uuid>,
}

/// How many people a new note reached.
#[derive(Debug, Clone, Copy)]
pub struct NotificationSummary {
    pub current_shift_notified: usize,
    pub next_shift_notified: usize,
}

/// A note just written, and whom it reached.
#[derive(Debug, Clone)]
pub struct HandoverCreated {
    pub note: HandoverRow,
    pub notified: NotificationSummary,
}

/// A note just acknowledged.
#[derive(Debug, Clone)]
pub struct HandoverAcknowledged {
    pub id: Uuid,
    pub acknowledged_by: Uuid,
    pub acknowledged_at: DateTime<Utc>,
}

/// A note just resolved.
#[derive(Debug, Clone)]
pub struct HandoverResolved {
    pub id: Uuid,
    pub resolved_by: Uuid,
    pub resolved_at: DateTime<Utc>,
    pub resolution_notes: Option<String>,
}

/// The notes reaching and leaving one checklist, incoming first.
#[derive(Debug, Clone)]
pub struct InstanceHandover {
    pub instance_id: Uuid,
    pub notes: Vec<HandoverView>,
}

/// Whether a note reaches the checklist it is listed for, or leaves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NoteDirection {
    Incoming,
    Outgoing,
}

impl NoteDirection {
    pub fn as_str(self) -> &'static str {
        match self {
            NoteDirection::Incoming => "incoming",
            NoteDirection::Outgoing => "outgoing",
        }
    }
}

/// What `write_handover` writes: where to, what, and why.
pub(crate) struct NoteDraft {
    /// The shift and day the note is for; the next shift after the source when `None`.
    pub target: Option<(sentinelops_domain::shift::ShiftType, NaiveDate)>,
    pub content: String,
    pub priority: i32,
    /// Written by the carry-over of failed work rather than by a person.
    pub automatic: bool,
    pub source_item: Option<Uuid>,
}

/// A note as listed for an instance: the stored note and what it names, resolved.
#[derive(Debug, Clone)]
pub struct HandoverView {
    pub row: HandoverRow,
    pub created_by_username: Option<String>,
    /// The author's names, as the original's notes carried them (its panel shows them).
    pub created_by_first_name: Option<String>,
    pub created_by_last_name: Option<String>,
    pub acknowledged_by_username: Option<String>,
    pub resolved_by_username: Option<String>,
    /// The shift and day of the checklist the note leaves, and of the one it reaches.
    pub from: Option<(String, NaiveDate)>,
    pub to: Option<(String, NaiveDate)>,
    /// Seen from the instance listed.
    pub direction: NoteDirection,
}

fn check_priority(value: Option<i32>) -> AppResult<i32> {
    let p = value.unwrap_or(2);
    if (1..=4).contains(&p) { Ok(p) } else { Err(invalid("priority must be between 1 and 4")) }
}

impl App {
    /// Writes a note from `from` to the next shift (or the named one) with its event
    /// and notifications, inside the caller's transaction.
    #[tracing::instrument(level = "debug", skip_all)]
    pub(crate) async fn write_handover(
        &self,
        c: &Tx,
        actor: &Actor,
        from: &InstanceRow,
        draft: NoteDraft,
        now: DateTime<Utc>,
    ) -> AppResult<(HandoverRow, NotificationSummary)> {
        let NoteDraft { target, content, priority, automatic, source_item } = draft;
        let (shift, date) = match target {
            Some(t) => t,
            None => from.shift.next(from.checklist_date),
        };
        let to = self.slot_instance_in(c, actor, from.section_id, shift, date, now).await?;
        let Some(created_by) = actor.recorded_id() else {
            return Err(invalid("Handover notes are written by a signed-in user"));
        };
        let note = HandoverRow {
            id: new_id(),
            from_instance_id: from.id,
            to_instance_id: to.as_ref().map(|t| t.id),
            section_id: from.section_id,
            content: content.clone(),
            priority,
            is_automatic: automatic,
            source_item_id: source_item,
            created_by,
            created_at: now,
            acknowledged_by: None,
            acknowledged_at: None,
            resolved_by: None,
            resolved_at: None,
            resolution_notes: None,
        };
        handover::insert(c, note.clone()).await?;
        self.handover_created_points(c, from, &note, now).await?;
        record_ops(
            c,
            now,
            actor,
            OpsEvent {
                event_type: "HANDOVER_CREATED",
                entity_type: "HANDOVER_NOTE",
                entity_id: note.id.to_string(),
                section_id: Some(from.section_id),
                payload: json!({
                    "note_id": note.id, "from_instance_id": from.id, "to_instance_id": note.to_instance_id,
                    "to_shift": shift.as_str(), "to_date": date, "priority": priority, "automatic": automatic,
                }),
            },
        )
        .await?;
        let payload = json!({ "note_id": note.id, "to_instance_id": note.to_instance_id, "priority": priority });
        crate::live::checklist_event(c, now, from, "HANDOVER_CREATED", actor, payload).await?;
        let source_people: Vec<Uuid> =
            checklists::participants_of(c, from.id).await?.into_iter().map(|p| p.user_id).collect();
        let mut incoming: Vec<Uuid> = match &to {
            Some(t) => checklists::participants_of(c, t.id).await?.into_iter().map(|p| p.user_id).collect(),
            None => Vec::new(),
        };
        incoming.extend(
            sentinelops_store::repo::notifications::section_supervisors(
                c,
                sentinelops_domain::SECTION_SUPERVISORS,
                from.section_id,
            )
            .await?,
        );
        let source_only: Vec<Uuid> = source_people.into_iter().filter(|u| !incoming.contains(u)).collect();
        let urgency = if priority >= 4 { Priority::High } else { Priority::Medium };
        let excerpt: String = content.chars().take(280).collect();
        let outgoing_sent = notifications::send(
            c,
            now,
            Draft {
                title: format!("Handover Logged • {} Shift", from.shift),
                message: format!(
                    "{} logged a handover for the {} shift of {date}: {excerpt}",
                    actor.username,
                    shift.as_str()
                ),
                priority: urgency,
                related_entity: "handover_note",
                related_id: Some(from.id),
                section_id: Some(from.section_id),
                audience: Audience::Users(source_only),
                exclude: actor.recorded_id(),
            },
        )
        .await?;
        let incoming_sent = notifications::send(
            c,
            now,
            Draft {
                title: format!("Incoming Handover • {} Shift", shift.as_str()),
                message: format!(
                    "Priority {priority} handover from the {} shift of {} ({}): {excerpt}",
                    from.shift, from.checklist_date, actor.username
                ),
                priority: urgency,
                related_entity: "handover_note",
                related_id: Some(to.as_ref().map_or(from.id, |t| t.id)),
                section_id: Some(from.section_id),
                audience: Audience::Users(incoming),
                exclude: actor.recorded_id(),
            },
        )
        .await?;
        let summary = NotificationSummary {
            current_shift_notified: outgoing_sent.recipients.len(),
            next_shift_notified: incoming_sent.recipients.len(),
        };
        Ok((note, summary))
    }

    /// `POST /handover-notes`.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn create_handover(&self, actor: &Actor, input: NewHandover) -> AppResult<HandoverCreated> {
        let content = validate::text("content", &input.content, 1, 5000)?;
        let priority = check_priority(input.priority)?;
        let to_shift = input.to_shift.as_deref().map(parse_shift).transpose()?;
        if let Some(d) = input.to_date {
            validate::date("to_date", d)?;
        }
        let tx = self.store.begin_write().await?;
        let now = self.clock.now();
        let from = match input.from_instance_id {
            Some(id) => self.visible_instance(&tx, actor, id).await?,
            None => self.current_instance_of(&tx, actor).await?,
        };
        let target = match (to_shift, input.to_date) {
            (Some(shift), Some(date)) => Some((shift, date)),
            // Only the shift named: its next occurrence after the source shift.
            (Some(shift), None) => {
                let later_today = shift > *from.shift;
                let day = if later_today {
                    from.checklist_date
                } else {
                    from.checklist_date.succ_opt().unwrap_or(from.checklist_date)
                };
                Some((shift, day))
            }
            (None, _) => None,
        };
        let draft = NoteDraft { target, content, priority, automatic: false, source_item: None };
        let (note, notified) = self.write_handover(&tx, actor, &from, draft, now).await?;
        checklists::touch_instance(&tx, from.id, now).await?;
        if let Some(to) = note.to_instance_id {
            checklists::touch_instance(&tx, to, now).await?;
        }
        commit(tx).await?;
        Ok(HandoverCreated { note, notified })
    }

    /// The actor's current checklist: today's in progress or under review first.
    async fn current_instance_of(&self, c: &impl Conn, actor: &Actor) -> AppResult<InstanceRow> {
        let section = own_section(actor)?;
        let (today, _, _) = self.operational_today_in(c).await?;
        let filter = InstanceFilter {
            section_id: Some(section),
            start_date: Some(today),
            end_date: Some(today),
            ..Default::default()
        };
        let rows = checklists::all_instances(c, &filter, 10).await?;
        let preferred = rows
            .iter()
            .find(|r| matches!(*r.status, InstanceStatus::InProgress | InstanceStatus::PendingReview))
            .or(rows.first());
        preferred.cloned().ok_or_else(|| {
            AppError::BadRequest("No active checklist for your section today: start a checklist first".into())
        })
    }

    /// Notes of an instance, incoming first.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn instance_handover(
        &self,
        actor: &Actor,
        instance_id: Uuid,
        incoming: bool,
        outgoing: bool,
    ) -> AppResult<InstanceHandover> {
        let reader = self.store.reader();
        self.visible_instance(reader, actor, instance_id).await?;
        let notes = handover::for_instance(reader, instance_id, incoming, outgoing).await?;
        let notes = self.handover_views(reader, notes, Some(instance_id)).await?;
        Ok(InstanceHandover { instance_id, notes })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub(crate) async fn handover_views(
        &self,
        c: &impl Conn,
        notes: Vec<HandoverRow>,
        seen_from: Option<Uuid>,
    ) -> AppResult<Vec<HandoverView>> {
        let mut instance_ids: HashSet<Uuid> = HashSet::new();
        let mut user_ids: HashSet<Uuid> = HashSet::new();
        for n in &notes {
            instance_ids.insert(n.from_instance_id);
            instance_ids.extend(n.to_instance_id);
            user_ids.insert(n.created_by);
            user_ids.extend(n.acknowledged_by);
            user_ids.extend(n.resolved_by);
        }
        let mut slots: HashMap<Uuid, (String, NaiveDate)> = HashMap::new();
        for id in instance_ids {
            if let Some(i) = checklists::find_instance(c, id).await? {
                slots.insert(id, (i.shift.as_str().to_owned(), i.checklist_date));
            }
        }
        let people: HashMap<Uuid, users::UserRow> =
            users::find_many(c, user_ids.into_iter().collect()).await?.into_iter().map(|u| (u.id, u)).collect();
        let name = |id: Option<Uuid>| id.and_then(|id| people.get(&id)).map(|u| u.username.clone());
        let mut views: Vec<HandoverView> = notes
            .into_iter()
            .map(|n| {
                let creator = people.get(&n.created_by);
                HandoverView {
                    direction: if seen_from.is_some() && n.to_instance_id == seen_from {
                        NoteDirection::Incoming
                    } else {
                        NoteDirection::Outgoing
                    },
                    created_by_username: creator.map(|u| u.username.clone()),
                    created_by_first_name: creator.map(|u| u.first_name.clone()),
                    created_by_last_name: creator.map(|u| u.last_name.clone()),
                    acknowledged_by_username: name(n.acknowledged_by),
                    resolved_by_username: name(n.resolved_by),
                    from: slots.get(&n.from_instance_id).cloned(),
                    to: n.to_instance_id.and_then(|id| slots.get(&id).cloned()),
                    row: n,
                }
            })
            .collect();
        // Incoming first: the next shift reads what it inherits before what it leaves.
        views.sort_by_key(|v| (v.direction, v.row.created_at));
        Ok(views)
    }

    async fn note_for(&self, c: &impl Conn, actor: &Actor, note_id: Uuid) -> AppResult<HandoverRow> {
        let note = handover::find(c, note_id).await?.ok_or_else(|| not_found("Handover note not found"))?;
        can_use_section(actor, note.section_id)?;
        Ok(note)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn acknowledge_handover(&self, actor: &Actor, note_id: Uuid) -> AppResult<HandoverAcknowledged> {
        let tx = self.store.begin_write().await?;
        let now = self.clock.now();
        let note = self.note_for(&tx, actor, note_id).await?;
        let by = actor.recorded_id().ok_or_else(|| invalid("Only users acknowledge handover notes"))?;
        if !handover::acknowledge(&tx, note.id, by, now).await? {
            return Err(AppError::BadRequest("Handover note already acknowledged".into()));
        }
        for id in [Some(note.from_instance_id), note.to_instance_id].into_iter().flatten() {
            checklists::touch_instance(&tx, id, now).await?;
        }
        commit(tx).await?;
        Ok(HandoverAcknowledged { id: note.id, acknowledged_by: by, acknowledged_at: now })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn resolve_handover(
        &self,
        actor: &Actor,
        note_id: Uuid,
        resolution: Option<String>,
    ) -> AppResult<HandoverResolved> {
        let resolution = match resolution.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            Some(r) => Some(validate::text("resolution_notes", r, 1, 5000)?),
            None => None,
        };
        let tx = self.store.begin_write().await?;
        let now = self.clock.now();
        let note = self.note_for(&tx, actor, note_id).await?;
        let by = actor.recorded_id().ok_or_else(|| invalid("Only users resolve handover notes"))?;
        if !handover::resolve(&tx, note.id, by, now, resolution.clone()).await? {
            return Err(AppError::BadRequest("Handover note already resolved".into()));
        }
        self.handover_resolved_points(&tx, &note, by, now).await?;
        for id in [Some(note.from_instance_id), note.to_instance_id].into_iter().flatten() {
            checklists::touch_instance(&tx, id, now).await?;
        }
        commit(tx).await?;
        Ok(HandoverResolved { id: note.id, resolved_by: by, resolved_at: now, resolution_notes: resolution })
    }

    /// On reaching review: each failed item, and each completed item with a failed
    /// subitem, becomes a priority-4 note for the next shift (once).
    #[tracing::instrument(level = "debug", skip_all)]
    pub(crate) async fn carry_over_failed_work(
        &self,
        c: &Tx,
        actor: &Actor,
        instance: &InstanceRow,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        if actor.recorded_id().is_none() || instance.status.is_closed() {
            return Ok(());
        }
        let items = checklists::items_of(c, instance.id).await?;
        let subitems = checklists::subitems_of(c, instance.id).await?;
        let activity = checklists::activity_of(c, instance.id).await?;
        for item in &items {
            let failed: Vec<_> =
                subitems.iter().filter(|s| s.instance_item_id == item.id && s.status == ItemStatus::Failed).collect();
            let mut lines = vec![format!("Automatic carry-over: {}", item.title)];
            if item.status == ItemStatus::Failed {
                lines.push(format!("Failure: {}", item.failure_reason.as_deref().unwrap_or("No reason provided")));
            } else if item.status == ItemStatus::Completed && !failed.is_empty() {
                lines.push("Reported subitems:".into());
                for s in &failed {
                    lines.push(format!(
                        "- {}: {}",
                        s.title,
                        s.failure_reason.as_deref().unwrap_or("No reason provided")
                    ));
                }
                let note = activity
                    .iter()
                    .rev()
                    .find(|a| {
                        a.instance_item_id == item.id
                            && a.action == ActivityAction::Completed.as_str()
                            && a.comment.is_some()
                    })
                    .and_then(|a| a.comment.clone());
                if let Some(note) = note {
                    lines.push(format!("Execution note: {note}"));
                }
            } else {
                continue;
            }
            if let Some(verdict) = &item.final_verdict {
                lines.push(format!("Final verdict: {verdict}"));
            }
            let content = lines.join("\n");
            if handover::carried_over(c, instance.id, item.id).await? {
                continue;
            }
            let draft = NoteDraft { target: None, content, priority: 4, automatic: true, source_item: Some(item.id) };
            self.write_handover(c, actor, instance, draft, now).await?;
        }
        Ok(())
    }
}
