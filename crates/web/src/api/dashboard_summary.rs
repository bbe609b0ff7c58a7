//! The wire shape of `GET /api/v1/checklists/dashboard/summary`: the original's field
//! names, which its React dashboard reads (tiles, stance, threads, attention queue,
//! handover summary). Percentages are whole numbers, as the cards print them verbatim.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use sentinelops_app::dashboard::{
    AttentionEntry, CommandMetrics, DashboardSummary, HandoverFeedRow, OperationalDay, ShiftCard, ThreadSummary,
};

#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryBody {
    pub operational_day: DayBody,
    pub command_metrics: MetricsBody,
    /// One per shift: MORNING, AFTERNOON, NIGHT.
    pub shift_cards: Vec<ShiftCardBody>,
    pub checklist_threads: Vec<ThreadBody>,
    /// At most eight, critical first.
    pub attention_queue: Vec<AttentionBody>,
    /// At most four: checklists of the day with outgoing handover notes.
    pub handover_feed: Vec<HandoverFeedBody>,
    pub notifications_unread: u64,
    pub generated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DayBody {
    pub checklist_date: NaiveDate,
    pub window_start: DateTime<Utc>,
    pub window_end: DateTime<Utc>,
    pub timezone: String,
    /// "07:00:00".
    pub boundary_time: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MetricsBody {
    pub active_instances: usize,
    pub in_progress_count: usize,
    pub pending_review_count: usize,
    pub completed_count: usize,
    pub exception_count: usize,
    pub coverage_gap_count: usize,
    pub total_items: usize,
    pub completed_items: usize,
    pub actioned_items: usize,
    pub critical_items: usize,
    pub open_critical_items: usize,
    pub participants: usize,
    pub handover_count: usize,
    /// Actioned items out of all, whole percent (0–100).
    pub execution_rate: u8,
    /// Completed items out of all, whole percent (0–100).
    pub completion_rate: u8,
    /// Critical items not open, whole percent; 100 when there is none.
    pub critical_containment: u8,
    /// Standby, Stable, Guarded or Elevated.
    pub posture_label: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ShiftCardBody {
    pub shift: &'static str,
    /// "07:00–15:00".
    pub window: String,
    pub operations: usize,
    pub participants: usize,
    pub exceptions: usize,
    /// Actioned items out of all, whole percent.
    pub readiness: u8,
    /// No active thread, Exceptions tracked, On cadence or Building momentum.
    pub status: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ThreadBody {
    pub id: Uuid,
    /// The same as `id` (kept for clients of earlier versions of this server).
    pub instance_id: Uuid,
    pub template_id: Uuid,
    pub template_name: String,
    pub shift: String,
    pub status: &'static str,
    pub checklist_date: NaiveDate,
    pub shift_start: DateTime<Utc>,
    pub shift_end: DateTime<Utc>,
    pub participant_count: usize,
    pub user_joined: bool,
    pub total_items: usize,
    pub completed_items: usize,
    pub actioned_items: usize,
    pub in_progress_items: usize,
    pub pending_items: usize,
    pub critical_items: usize,
    pub open_critical_items: usize,
    pub exception_items: usize,
    pub handover_count: usize,
    /// Actioned items out of all, whole percent.
    pub execution_percentage: u8,
    pub has_exception_pressure: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttentionBody {
    /// "ops-<instance id>" (a checklist's further entries end in "-2", "-3"…).
    pub id: String,
    pub instance_id: Uuid,
    pub title: String,
    pub detail: String,
    /// warning or critical.
    pub tone: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HandoverFeedBody {
    /// The checklist the notes leave.
    pub id: Uuid,
    pub shift: String,
    pub count: usize,
}

impl From<DashboardSummary> for SummaryBody {
    fn from(s: DashboardSummary) -> Self {
        SummaryBody {
            operational_day: s.operational_day.into(),
            command_metrics: s.command_metrics.into(),
            shift_cards: s.shift_cards.into_iter().map(Into::into).collect(),
            checklist_threads: s.checklist_threads.into_iter().map(Into::into).collect(),
            attention_queue: s.attention_queue.into_iter().map(Into::into).collect(),
            handover_feed: s.handover_feed.into_iter().map(Into::into).collect(),
            notifications_unread: s.notifications_unread,
            generated_at: s.generated_at,
        }
    }
}

impl From<OperationalDay> for DayBody {
    fn from(d: OperationalDay) -> Self {
        DayBody {
            checklist_date: d.checklist_date,
            window_start: d.window_start,
            window_end: d.window_end,
            timezone: d.timezone,
            boundary_time: d.boundary_time,
        }
    }
}

impl From<CommandMetrics> for MetricsBody {
    fn from(m: CommandMetrics) -> Self {
        let (i, t) = (m.instances, m.items);
        MetricsBody {
            active_instances: i.active,
            in_progress_count: i.in_progress,
            pending_review_count: i.pending_review,
            completed_count: i.completed,
            exception_count: i.exceptions,
            coverage_gap_count: i.coverage_gaps,
            total_items: t.total,
            completed_items: t.completed,
            actioned_items: t.actioned,
            critical_items: t.critical,
            open_critical_items: t.open_critical,
            participants: m.participants,
            handover_count: m.handover_count,
            execution_rate: t.execution_rate(),
            completion_rate: t.completion_rate(),
            critical_containment: t.critical_containment(),
            posture_label: m.posture.label(),
        }
    }
}

impl From<ShiftCard> for ShiftCardBody {
    fn from(c: ShiftCard) -> Self {
        ShiftCardBody {
            shift: c.shift.as_str(),
            window: c.window,
            operations: c.operations,
            participants: c.participants,
            exceptions: c.exceptions,
            readiness: c.readiness,
            status: c.status.label(),
        }
    }
}

impl From<ThreadSummary> for ThreadBody {
    fn from(thread: ThreadSummary) -> Self {
        let has_exception_pressure = thread.has_exception_pressure();
        let (r, t) = (thread.row, thread.items);
        ThreadBody {
            id: r.id,
            instance_id: r.id,
            template_id: r.template_id,
            template_name: r.template_name,
            shift: r.shift.as_str().to_owned(),
            status: r.status.as_str(),
            checklist_date: r.checklist_date,
            shift_start: r.shift_start,
            shift_end: r.shift_end,
            participant_count: thread.participant_count,
            user_joined: thread.user_joined,
            total_items: t.total,
            completed_items: t.completed,
            actioned_items: t.actioned,
            in_progress_items: t.in_progress,
            pending_items: t.pending,
            critical_items: t.critical,
            open_critical_items: t.open_critical,
            exception_items: t.exceptions(),
            handover_count: thread.handover_count,
            execution_percentage: t.execution_rate(),
            has_exception_pressure,
        }
    }
}

impl From<AttentionEntry> for AttentionBody {
    fn from(a: AttentionEntry) -> Self {
        AttentionBody { id: a.id, instance_id: a.instance_id, title: a.title, detail: a.detail, tone: a.tone.as_str() }
    }
}

impl From<HandoverFeedRow> for HandoverFeedBody {
    fn from(h: HandoverFeedRow) -> Self {
        HandoverFeedBody { id: h.instance_id, shift: h.shift, count: h.count }
    }
}
