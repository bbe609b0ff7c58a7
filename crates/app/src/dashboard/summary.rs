//! The operational-day summary (the original's `/checklists/dashboard/summary`): command
//! metrics, one card per shift, the day's checklist threads, the attention queue and the
//! handover feed. The JSON contract (the original's field names) is built in `web`.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use sentinelops_domain::checklist::InstanceStatus;
use sentinelops_domain::shift::{ShiftType, operational_window};
use sentinelops_store::repo::checklists::InstanceRow;
use sentinelops_store::repo::handover;

use super::ItemTally;
use crate::App;
use crate::actor::Actor;
use crate::error::AppResult;
use crate::shifts::{format_time, window_of};

/// The original sends at most eight attention entries and four handover rows.
const ATTENTION_LIMIT: usize = 8;
const HANDOVER_FEED_LIMIT: usize = 4;

/// A shift card reads "On cadence" from this share of actioned items (percent).
const ON_CADENCE: usize = 80;

/// The whole summary.
#[derive(Debug, Clone)]
pub struct DashboardSummary {
    pub operational_day: OperationalDay,
    pub command_metrics: CommandMetrics,
    pub shift_cards: Vec<ShiftCard>,
    pub checklist_threads: Vec<ThreadSummary>,
    pub attention_queue: Vec<AttentionEntry>,
    pub handover_feed: Vec<HandoverFeedRow>,
    pub notifications_unread: u64,
    pub generated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct OperationalDay {
    pub checklist_date: NaiveDate,
    pub window_start: DateTime<Utc>,
    pub window_end: DateTime<Utc>,
    pub timezone: String,
    /// "07:00:00".
    pub boundary_time: String,
}

/// Counts over the day's checklists (the rates are `items`' methods).
#[derive(Debug, Clone, Default)]
pub struct CommandMetrics {
    pub instances: InstanceTally,
    /// All the day's items.
    pub items: ItemTally,
    /// Distinct people on the day's checklists (the reference is silent; a person on
    /// two checklists is one person on duty).
    pub participants: usize,
    /// Notes leaving the day's checklists.
    pub handover_count: usize,
    pub posture: Posture,
}

/// The day's checklists counted by status.
#[derive(Debug, Clone, Copy, Default)]
pub struct InstanceTally {
    /// Not closed yet.
    pub active: usize,
    pub in_progress: usize,
    pub pending_review: usize,
    /// Closed as COMPLETED or COMPLETED_WITH_EXCEPTIONS.
    pub completed: usize,
    /// Closed as COMPLETED_WITH_EXCEPTIONS.
    pub exceptions: usize,
    /// Active checklists nobody has joined.
    pub coverage_gaps: usize,
}

/// The board's overall stance, most severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Posture {
    /// Exceptions or open critical items.
    Elevated,
    /// A coverage gap or a checklist awaiting sign-off.
    Guarded,
    /// Any active checklist.
    Stable,
    #[default]
    Standby,
}

impl Posture {
    pub fn label(self) -> &'static str {
        match self {
            Posture::Elevated => "Elevated",
            Posture::Guarded => "Guarded",
            Posture::Stable => "Stable",
            Posture::Standby => "Standby",
        }
    }
}

#[derive(Debug, Clone)]
pub struct ShiftCard {
    pub shift: ShiftType,
    /// "07:00–15:00", from the configured shift rows.
    pub window: String,
    /// The shift's checklists of the day.
    pub operations: usize,
    pub participants: usize,
    pub exceptions: usize,
    /// Actioned items out of all, whole percent.
    pub readiness: u8,
    pub status: ShiftCardStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShiftCardStatus {
    NoActiveThread,
    ExceptionsTracked,
    OnCadence,
    BuildingMomentum,
}

impl ShiftCardStatus {
    pub fn label(self) -> &'static str {
        match self {
            ShiftCardStatus::NoActiveThread => "No active thread",
            ShiftCardStatus::ExceptionsTracked => "Exceptions tracked",
            ShiftCardStatus::OnCadence => "On cadence",
            ShiftCardStatus::BuildingMomentum => "Building momentum",
        }
    }
}

/// One checklist of the day: the stored row with its counts.
#[derive(Debug, Clone)]
pub struct ThreadSummary {
    pub row: InstanceRow,
    pub participant_count: usize,
    pub user_joined: bool,
    pub items: ItemTally,
    /// Outgoing handover notes.
    pub handover_count: usize,
}

impl ThreadSummary {
    /// Closed with exceptions, left incomplete, or with skipped or failed items.
    pub fn has_exception_pressure(&self) -> bool {
        matches!(*self.row.status, InstanceStatus::CompletedWithExceptions | InstanceStatus::Incomplete)
            || self.items.exceptions() > 0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Warning,
    Critical,
}

impl Tone {
    pub fn as_str(self) -> &'static str {
        match self {
            Tone::Warning => "warning",
            Tone::Critical => "critical",
        }
    }
}

#[derive(Debug, Clone)]
pub struct AttentionEntry {
    /// `ops-<instance id>` as the original; a checklist's further entries (ours can
    /// raise several) get `-2`, `-3`… so that the frontend's list keys stay unique.
    pub id: String,
    pub instance_id: Uuid,
    pub title: String,
    pub detail: String,
    pub tone: Tone,
}

/// A checklist of the day with outgoing handover notes, and how many.
#[derive(Debug, Clone)]
pub struct HandoverFeedRow {
    pub instance_id: Uuid,
    pub shift: String,
    pub count: usize,
}

/// `part` of `whole` as a whole percentage, rounded half up; 0 of nothing is 0.
pub fn whole_percent(part: usize, whole: usize) -> u8 {
    if whole == 0 {
        return 0;
    }
    let rounded = (part.saturating_mul(200) + whole) / (2 * whole);
    u8::try_from(rounded.min(100)).unwrap_or(100)
}

/// An attention entry before its id is given: (checklist, title, detail, tone).
type RawAttention = (Uuid, String, String, Tone);

/// The day's checklists with their counts, people and outgoing notes.
struct DayBoard {
    rows: Vec<InstanceRow>,
    tallies: HashMap<Uuid, ItemTally>,
    people: HashMap<Uuid, Vec<Uuid>>,
    outgoing: HashMap<Uuid, usize>,
    empty: ItemTally,
}

impl DayBoard {
    fn tally(&self, r: &InstanceRow) -> &ItemTally {
        self.tallies.get(&r.id).unwrap_or(&self.empty)
    }

    fn people(&self, r: &InstanceRow) -> &[Uuid] {
        self.people.get(&r.id).map_or(&[][..], Vec::as_slice)
    }

    fn handover_count(&self, r: &InstanceRow) -> usize {
        self.outgoing.get(&r.id).copied().unwrap_or(0)
    }

    /// The command metrics, the threads and the raw attention queue, one pass over the rows.
    fn threads(&self, user: Uuid) -> (CommandMetrics, Vec<ThreadSummary>, Vec<RawAttention>) {
        let mut m = CommandMetrics::default();
        let mut threads = Vec::new();
        let mut attention = Vec::new();
        for r in &self.rows {
            let t = self.tally(r);
            let status = *r.status;
            let people = self.people(r);
            let participants = people.len();
            count_status(&mut m.instances, status, participants);
            attention.extend(attention_of(r, status, t, participants));
            m.items.add(t);
            let thread = ThreadSummary {
                row: r.clone(),
                participant_count: participants,
                user_joined: people.contains(&user),
                items: *t,
                handover_count: self.handover_count(r),
            };
            m.handover_count += thread.handover_count;
            threads.push(thread);
        }
        m.participants = self.people.values().flatten().collect::<HashSet<_>>().len();
        let any_exception = self.rows.iter().any(|r| self.tally(r).exceptions() > 0);
        m.posture = posture(&m, any_exception);
        (m, threads, attention)
    }

    /// One card per shift, in the order of the day.
    async fn shift_cards(&self, c: &impl sentinelops_store::Conn) -> AppResult<Vec<ShiftCard>> {
        let mut cards = Vec::new();
        for shift in ShiftType::ALL {
            let window = window_of(c, shift).await?;
            let of_shift: Vec<&InstanceRow> = self.rows.iter().filter(|r| *r.shift == shift).collect();
            let (mut total, mut actioned, mut exceptions, mut participants) = (0, 0, 0, 0);
            for r in &of_shift {
                let t = self.tally(r);
                total += t.total;
                actioned += t.actioned;
                exceptions += t.exceptions();
                participants += self.people(r).len();
            }
            let status = if of_shift.is_empty() {
                ShiftCardStatus::NoActiveThread
            } else if exceptions > 0 {
                ShiftCardStatus::ExceptionsTracked
            } else if total > 0 && actioned * 100 >= ON_CADENCE * total {
                ShiftCardStatus::OnCadence
            } else {
                ShiftCardStatus::BuildingMomentum
            };
            cards.push(ShiftCard {
                shift,
                window: format!("{}–{}", window.start.format("%H:%M"), window.end.format("%H:%M")),
                operations: of_shift.len(),
                participants,
                exceptions,
                readiness: whole_percent(actioned, total),
                status,
            });
        }
        Ok(cards)
    }

    /// The first checklists with outgoing notes, and how many each.
    fn handover_feed(&self) -> Vec<HandoverFeedRow> {
        self.rows
            .iter()
            .filter_map(|r| {
                let count = self.outgoing.get(&r.id).copied().filter(|n| *n > 0)?;
                Some(HandoverFeedRow { instance_id: r.id, shift: r.shift.as_str().to_owned(), count })
            })
            .take(HANDOVER_FEED_LIMIT)
            .collect()
    }
}

/// Counts a checklist by its status (active ones without people are coverage gaps).
fn count_status(m: &mut InstanceTally, status: InstanceStatus, participants: usize) {
    if !status.is_closed() {
        m.active += 1;
        if participants == 0 {
            m.coverage_gaps += 1;
        }
    }
    match status {
        InstanceStatus::InProgress => m.in_progress += 1,
        InstanceStatus::PendingReview => m.pending_review += 1,
        InstanceStatus::Completed => m.completed += 1,
        InstanceStatus::CompletedWithExceptions => {
            m.completed += 1;
            m.exceptions += 1;
        }
        InstanceStatus::Open | InstanceStatus::Incomplete => {}
    }
}

/// What a checklist raises for the attention queue, in the original's order: nobody on
/// it, awaiting sign-off, then open critical items or else exceptions.
fn attention_of(r: &InstanceRow, status: InstanceStatus, t: &ItemTally, participants: usize) -> Vec<RawAttention> {
    let mut raised = Vec::new();
    if !status.is_closed() && participants == 0 {
        let title = format!("{} shift has nobody on it", r.shift);
        raised.push((r.id, title, format!("{} has no participants yet", r.template_name), Tone::Warning));
    }
    if status == InstanceStatus::PendingReview {
        let title = format!("{} checklist awaits sign-off", r.shift);
        raised.push((r.id, title, format!("{}: every item actioned", r.template_name), Tone::Warning));
    }
    if !status.is_closed() {
        let exceptions = t.exceptions();
        if t.open_critical > 0 {
            let title = format!("{} critical item(s) open on {}", t.open_critical, r.shift);
            raised.push((r.id, title, r.template_name.clone(), Tone::Critical));
        } else if exceptions > 0 {
            let title = format!("{exceptions} exception(s) on {}", r.shift);
            raised.push((r.id, title, r.template_name.clone(), Tone::Critical));
        }
    }
    raised
}

/// The board's stance, from the counts.
fn posture(m: &CommandMetrics, any_exception: bool) -> Posture {
    let i = &m.instances;
    if i.exceptions > 0 || m.items.open_critical > 0 || any_exception {
        Posture::Elevated
    } else if i.coverage_gaps > 0 || i.pending_review > 0 {
        Posture::Guarded
    } else if i.active > 0 {
        Posture::Stable
    } else {
        Posture::Standby
    }
}

impl App {
    /// `GET /checklists/dashboard/summary`.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn dashboard_summary(&self, actor: &Actor) -> AppResult<DashboardSummary> {
        let reader = self.store.reader();
        let (today, tz, boundary) = self.operational_today().await?;
        let (window_start, window_end) = operational_window(today, tz, boundary);
        let (rows, tallies, people) = self.day_instances(actor).await?;
        // One grouped query for every checklist's outgoing notes.
        let outgoing: HashMap<Uuid, usize> = handover::outgoing_counts(reader, rows.iter().map(|r| r.id).collect())
            .await?
            .into_iter()
            .map(|(id, n)| (id, usize::try_from(n).unwrap_or(0)))
            .collect();
        let board = DayBoard { rows, tallies, people, outgoing, empty: ItemTally::default() };
        let (command_metrics, checklist_threads, attention) = board.threads(actor.user_id);
        let unread = match actor.recorded_id() {
            Some(user) => sentinelops_store::repo::notifications::count_unread(reader, user).await?,
            None => 0,
        };
        Ok(DashboardSummary {
            operational_day: OperationalDay {
                checklist_date: today,
                window_start,
                window_end,
                timezone: tz.name().to_owned(),
                boundary_time: format_time(boundary),
            },
            command_metrics,
            shift_cards: board.shift_cards(reader).await?,
            checklist_threads,
            attention_queue: attention_entries(attention),
            handover_feed: board.handover_feed(),
            notifications_unread: unread,
            generated_at: self.clock.now(),
        })
    }
}

/// Critical entries first (stable otherwise), at most eight, each with a unique id.
fn attention_entries(mut raw: Vec<RawAttention>) -> Vec<AttentionEntry> {
    raw.sort_by_key(|(_, _, _, tone)| *tone != Tone::Critical);
    raw.truncate(ATTENTION_LIMIT);
    let mut seen: HashMap<Uuid, usize> = HashMap::new();
    raw.into_iter()
        .map(|(instance_id, title, detail, tone)| {
            let n = seen.entry(instance_id).or_default();
            *n += 1;
            let id = if *n == 1 { format!("ops-{instance_id}") } else { format!("ops-{instance_id}-{n}") };
            AttentionEntry { id, instance_id, title, detail, tone }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_percentages_round_half_up_and_stay_in_range() {
        assert_eq!(whole_percent(0, 0), 0);
        assert_eq!(whole_percent(1, 9), 11, "11.11% reads 11");
        assert_eq!(whole_percent(1, 8), 13, "12.5% rounds up");
        assert_eq!(whole_percent(2, 3), 67);
        assert_eq!(whole_percent(3, 3), 100);
        assert_eq!(whole_percent(5, 3), 100);
    }

    #[test]
    fn a_checklists_further_attention_entries_get_distinct_ids() {
        let a = Uuid::nil();
        let b = Uuid::max();
        let raw = vec![
            (a, "gap".to_owned(), String::new(), Tone::Warning),
            (b, "gap".to_owned(), String::new(), Tone::Warning),
            (a, "exception".to_owned(), String::new(), Tone::Critical),
        ];
        let ids: Vec<String> = attention_entries(raw).into_iter().map(|e| e.id).collect();
        assert_eq!(ids, [format!("ops-{a}"), format!("ops-{a}-2"), format!("ops-{b}")]);
    }
}
