//! What a report shows, formatted as the reader sees it. Every field is text or a count
//! the template prints as it is; `Option` is "not recorded" (the template says so).

use serde::Serialize;

/// A status badge: its words and its colour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Status {
    /// Upper case with spaces: "COMPLETED WITH EXCEPTIONS".
    pub label: String,
    /// Title case for sentences: "Completed With Exceptions".
    pub title: String,
    pub tone: Tone,
}

impl Status {
    /// A status from its stored spelling ("COMPLETED_WITH_EXCEPTIONS").
    pub fn of(code: &str, tone: Tone) -> Status {
        let label = code.replace('_', " ").to_uppercase();
        let title = label
            .split(' ')
            .map(|word| {
                let mut chars = word.chars();
                match chars.next() {
                    Some(first) => first.to_uppercase().chain(chars.flat_map(char::to_lowercase)).collect(),
                    None => String::new(),
                }
            })
            .collect::<Vec<String>>()
            .join(" ");
        Status { label, title, tone }
    }
}

/// The original report's colours: done green, attention amber, running blue, failed red, waiting grey.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tone {
    Green,
    Amber,
    Blue,
    Red,
    Grey,
}

/// One checklist's signed record.
#[derive(Debug, Clone, Serialize)]
pub struct ShiftReport {
    /// The checklist's (template's) name.
    pub checklist: String,
    pub description: Option<String>,
    pub section: String,
    /// "Morning", "Afternoon" or "Night".
    pub shift: String,
    /// "09 Apr 2026".
    pub date: String,
    /// "23:00 – 07:00".
    pub window: String,
    /// The business time zone every time in the report is shown in.
    pub timezone: String,
    pub status: Status,
    pub created_by: String,
    /// Everyone who joined or acted on it, in the order they first did.
    pub worked_by: Vec<String>,
    /// Who signed it off (or force-closed it), and when; `None` until then. A checklist
    /// the system closed INCOMPLETE when its shift ended has a time and no reviewer's
    /// signature (`signed_off` false), and the report says so.
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
    pub signed_off: bool,
    pub counts: Counts,
    pub items: Vec<Item>,
    pub activity: Vec<ActivityLine>,
    pub overrides: Vec<OverrideLine>,
    /// Notes handed to this shift, and notes it handed on.
    pub handovers_in: Vec<HandoverLine>,
    pub handovers_out: Vec<HandoverLine>,
    /// When the report was made, local time.
    pub generated_at: String,
    /// The checklist's id, so a printed record can be traced back.
    pub reference: String,
}

/// The checklist's counts, from its items (not from a stored column).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub items: u32,
    pub completed: u32,
    pub in_progress: u32,
    pub pending: u32,
    pub skipped: u32,
    pub failed: u32,
    pub subitems: u32,
    pub subitems_completed: u32,
    /// Skipped and failed subitems (told apart from the item exceptions above).
    pub subitem_exceptions: u32,
}

impl Counts {
    /// Skipped and failed items: what the review has to look at.
    pub fn exceptions(&self) -> u32 {
        self.skipped + self.failed
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub title: String,
    pub description: Option<String>,
    /// "Timed 07:40 · severity 3 · required".
    pub kind: String,
    pub status: Status,
    pub by: Option<String>,
    pub at: Option<String>,
    /// "1h 5m", "4m 10s", "35s": only for items that track their execution time.
    pub execution: Option<String>,
    pub skipped_reason: Option<String>,
    pub failure_reason: Option<String>,
    /// The final verdict's words ("Restored from disk"), who gave it and when.
    pub verdict: Option<String>,
    pub verdict_by: Option<String>,
    pub verdict_at: Option<String>,
    pub subitems: Vec<Subitem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Subitem {
    pub title: String,
    pub description: Option<String>,
    pub status: Status,
    pub by: Option<String>,
    pub at: Option<String>,
    pub execution: Option<String>,
    /// "Skipped: …" or "Failed: …".
    pub reason: Option<String>,
}

/// One line of the activity trail.
#[derive(Debug, Clone, Serialize)]
pub struct ActivityLine {
    pub at: String,
    pub who: String,
    pub item: String,
    /// "Completed", "Skipped", "Started"…, with the move: "IN_PROGRESS → COMPLETED".
    pub action: String,
    /// The comment or reason given.
    pub detail: Option<String>,
}

/// A supervisor's override of the checklist.
#[derive(Debug, Clone, Serialize)]
pub struct OverrideLine {
    pub at: String,
    pub who: String,
    /// "REOPEN", "FORCE_CLOSE"…
    pub kind: String,
    /// "COMPLETED → IN_PROGRESS", when the status moved.
    pub change: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct HandoverLine {
    pub at: String,
    pub author: String,
    /// "Priority 2".
    pub priority: String,
    /// Where it came from or went: "From Morning shift, 09 Apr 2026".
    pub route: String,
    pub content: String,
    /// "Open", "Acknowledged by …", "Resolved by …: notes".
    pub state: String,
}

/// A section's week or month.
#[derive(Debug, Clone, Serialize)]
pub struct PeriodReport {
    pub section: String,
    /// "Week of 30 Nov 2026" or "November 2026".
    pub period: String,
    /// "30 Nov 2026 – 06 Dec 2026".
    pub range: String,
    pub timezone: String,
    pub generated_at: String,
    /// The shifts the section runs, in the grid's column order.
    pub shifts: Vec<String>,
    pub days: Vec<DayRow>,
    pub totals: PeriodTotals,
    pub exceptions: Vec<ExceptionLine>,
    /// Notes still unresolved at the period's end.
    pub open_handovers: Vec<HandoverLine>,
}

/// One day of the coverage grid: a cell per shift.
#[derive(Debug, Clone, Serialize)]
pub struct DayRow {
    /// "Mon 30 Nov".
    pub date: String,
    pub cells: Vec<ShiftCell>,
}

/// One shift of one day: its checklist's status and completion, or `None` when no
/// checklist was run.
#[derive(Debug, Clone, Serialize)]
pub struct ShiftCell {
    pub status: Option<Status>,
    /// "92 %".
    pub completion: Option<String>,
    pub exceptions: u32,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct PeriodTotals {
    /// Shifts in the period (days × shifts) and how many had a checklist.
    pub shifts: u32,
    pub covered: u32,
    /// Checklists signed off or closed.
    pub closed: u32,
    pub items: u32,
    pub completed: u32,
    pub exceptions: u32,
    /// "96.4 %": completed items over all items.
    pub completion_rate: String,
    /// "3.1 %": skipped and failed items over all items.
    pub exception_rate: String,
}

/// A failed or skipped item of the period.
#[derive(Debug, Clone, Serialize)]
pub struct ExceptionLine {
    pub date: String,
    pub shift: String,
    pub item: String,
    pub status: Status,
    pub reason: String,
    pub by: Option<String>,
}
