//! The points ledger's vocabulary: what a row counts (`ScoreKind`), whether it counts
//! yet (`LedgerState`), the original's wire reason for it (`ScoreReason`) and the daily
//! tally every counting row adds to.
//!
//! A ledger row is append-only. A row that counts adds `quantity` units of its kind and
//! `points` points; undoing it is a REVERSAL row with the opposite signs, so a user's
//! total is always the sum of their rows and no row is ever rewritten.

use serde::{Deserialize, Serialize};

use crate::shift::ShiftType;

/// What a ledger row counts. Each kind adds to exactly one tally counter (plus the
/// per-shift counters for actions and runs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ScoreKind {
    /// A completed checklist item (execution points by severity and required).
    Item,
    /// A completed subitem.
    Subitem,
    /// The quality bonus of a completed critical item (severity ≥ 4).
    CriticalItem,
    /// A failure reported with its reason: honest reporting pays.
    FailureReported,
    /// A timed item or subitem started within its grace window.
    TimedStartOnTime,
    /// A timed item or subitem started late (pays nothing or a penalty).
    TimedStartLate,
    /// A settled checklist the user acted in (a "run"; pays nothing by itself).
    ChecklistRun,
    /// A settled checklist closed by its shift end.
    ChecklistOnTime,
    /// A settled checklist with every required item done and no exception.
    ChecklistClean,
    /// A settled checklist where more than one person acted.
    Collaboration,
    /// The actions a user took inside a collaborative checklist (quantity = actions).
    CollaborativeActions,
    /// A handover note written.
    HandoverCreated,
    /// A handover note resolved.
    HandoverResolved,
    /// A rostered shift the user staffed (once a roster exists).
    ShiftStaffed,
    /// A supervisor's adjustment, with its reason.
    Adjustment,
}

impl ScoreKind {
    pub const ALL: [ScoreKind; 15] = [
        ScoreKind::Item,
        ScoreKind::Subitem,
        ScoreKind::CriticalItem,
        ScoreKind::FailureReported,
        ScoreKind::TimedStartOnTime,
        ScoreKind::TimedStartLate,
        ScoreKind::ChecklistRun,
        ScoreKind::ChecklistOnTime,
        ScoreKind::ChecklistClean,
        ScoreKind::Collaboration,
        ScoreKind::CollaborativeActions,
        ScoreKind::HandoverCreated,
        ScoreKind::HandoverResolved,
        ScoreKind::ShiftStaffed,
        ScoreKind::Adjustment,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ScoreKind::Item => "ITEM",
            ScoreKind::Subitem => "SUBITEM",
            ScoreKind::CriticalItem => "CRITICAL_ITEM",
            ScoreKind::FailureReported => "FAILURE_REPORTED",
            ScoreKind::TimedStartOnTime => "TIMED_START_ON_TIME",
            ScoreKind::TimedStartLate => "TIMED_START_LATE",
            ScoreKind::ChecklistRun => "CHECKLIST_RUN",
            ScoreKind::ChecklistOnTime => "CHECKLIST_ON_TIME",
            ScoreKind::ChecklistClean => "CHECKLIST_CLEAN",
            ScoreKind::Collaboration => "COLLABORATION",
            ScoreKind::CollaborativeActions => "COLLABORATIVE_ACTIONS",
            ScoreKind::HandoverCreated => "HANDOVER_CREATED",
            ScoreKind::HandoverResolved => "HANDOVER_RESOLVED",
            ScoreKind::ShiftStaffed => "SHIFT_STAFFED",
            ScoreKind::Adjustment => "ADJUSTMENT",
        }
    }

    pub fn parse(name: &str) -> Option<ScoreKind> {
        ScoreKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The original's `ScoreReason` spelling for this kind (the `reason` column and the
    /// legacy `/scores` answer).
    pub fn reason(self) -> ScoreReason {
        match self {
            ScoreKind::Item | ScoreKind::Subitem | ScoreKind::ChecklistRun | ScoreKind::ChecklistOnTime => {
                ScoreReason::OnTimeCompletion
            }
            ScoreKind::TimedStartOnTime | ScoreKind::TimedStartLate => ScoreReason::EarlyCompletion,
            ScoreKind::ChecklistClean | ScoreKind::ShiftStaffed => ScoreReason::PerfectShift,
            ScoreKind::Collaboration | ScoreKind::CollaborativeActions => ScoreReason::TeamCollaboration,
            ScoreKind::HandoverResolved => ScoreReason::QuickResolution,
            ScoreKind::FailureReported => ScoreReason::EscalationHandled,
            ScoreKind::CriticalItem | ScoreKind::HandoverCreated => ScoreReason::ExceptionPrevented,
            ScoreKind::Adjustment => ScoreReason::SupervisorApproval,
        }
    }
}

/// The four point families of the original's breakdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PointsCategory {
    Execution,
    Reliability,
    Collaboration,
    Quality,
}

impl PointsCategory {
    /// The family a ledger kind's points belong to. Adjustments count as quality (a
    /// supervisor's judgement of the work); late starts carry the lateness penalty.
    pub fn of(kind: ScoreKind) -> PointsCategory {
        match kind {
            ScoreKind::Item | ScoreKind::Subitem => PointsCategory::Execution,
            ScoreKind::TimedStartOnTime
            | ScoreKind::ChecklistRun
            | ScoreKind::ChecklistOnTime
            | ScoreKind::ChecklistClean
            | ScoreKind::ShiftStaffed => PointsCategory::Reliability,
            ScoreKind::Collaboration
            | ScoreKind::CollaborativeActions
            | ScoreKind::HandoverCreated
            | ScoreKind::HandoverResolved => PointsCategory::Collaboration,
            ScoreKind::CriticalItem
            | ScoreKind::FailureReported
            | ScoreKind::TimedStartLate
            | ScoreKind::Adjustment => PointsCategory::Quality,
        }
    }
}

/// The original's score reasons (`ScoreReason` in its schema), as the wire spells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ScoreReason {
    OnTimeCompletion,
    EarlyCompletion,
    PerfectShift,
    TeamCollaboration,
    QuickResolution,
    EscalationHandled,
    ExceptionPrevented,
    SupervisorApproval,
}

impl ScoreReason {
    pub const ALL: [ScoreReason; 8] = [
        ScoreReason::OnTimeCompletion,
        ScoreReason::EarlyCompletion,
        ScoreReason::PerfectShift,
        ScoreReason::TeamCollaboration,
        ScoreReason::QuickResolution,
        ScoreReason::EscalationHandled,
        ScoreReason::ExceptionPrevented,
        ScoreReason::SupervisorApproval,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ScoreReason::OnTimeCompletion => "ON_TIME_COMPLETION",
            ScoreReason::EarlyCompletion => "EARLY_COMPLETION",
            ScoreReason::PerfectShift => "PERFECT_SHIFT",
            ScoreReason::TeamCollaboration => "TEAM_COLLABORATION",
            ScoreReason::QuickResolution => "QUICK_RESOLUTION",
            ScoreReason::EscalationHandled => "ESCALATION_HANDLED",
            ScoreReason::ExceptionPrevented => "EXCEPTION_PREVENTED",
            ScoreReason::SupervisorApproval => "SUPERVISOR_APPROVAL",
        }
    }

    pub fn parse(name: &str) -> Option<ScoreReason> {
        ScoreReason::ALL.into_iter().find(|r| r.as_str() == name)
    }
}

/// Whether a ledger row counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LedgerState {
    /// Written with the action: what it would pay (`metadata.provisional_points`) once
    /// its checklist is signed off. Counts nothing (0 points, 0 quantity).
    Provisional,
    /// Paid: counts its points and quantity.
    Confirmed,
    /// Not paid, and why (`metadata.refusal`): the answer to "why didn't I get points?".
    /// Counts nothing.
    Refused,
    /// Undoes confirmed rows (reopen, outcome change, date correction, deletion):
    /// the opposite points and quantity, `metadata.reverses` naming what it undoes.
    Reversal,
    /// A supervisor's adjustment with its reason. Counts its points.
    Adjustment,
}

impl LedgerState {
    pub const ALL: [LedgerState; 5] = [
        LedgerState::Provisional,
        LedgerState::Confirmed,
        LedgerState::Refused,
        LedgerState::Reversal,
        LedgerState::Adjustment,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LedgerState::Provisional => "PROVISIONAL",
            LedgerState::Confirmed => "CONFIRMED",
            LedgerState::Refused => "REFUSED",
            LedgerState::Reversal => "REVERSAL",
            LedgerState::Adjustment => "ADJUSTMENT",
        }
    }

    pub fn parse(name: &str) -> Option<LedgerState> {
        LedgerState::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// Whether rows in this state add their points and quantity to totals.
    pub fn counts(self) -> bool {
        matches!(self, LedgerState::Confirmed | LedgerState::Reversal | LedgerState::Adjustment)
    }
}

/// Calls `$callback!` with every daily counter's name, in column order. It is the one
/// list `DailyTally`, its columns and sums, and the stored `gamification_daily` row are
/// written from. The first `DailyTally::POINT_COLUMNS` hold points (the total, then the
/// total split by `PointsCategory` for the breakdown); the rest count activity
/// (`actions` is completed items plus subitems).
#[macro_export]
macro_rules! with_daily_counters {
    ($callback:ident) => {
        $callback! {
            points
            execution_points
            reliability_points
            collaboration_points
            quality_points
            actions
            items
            critical_items
            failures_reported
            timed_starts
            timed_on_time
            late_events
            checklists
            on_time_checklists
            clean_checklists
            collab_checklists
            collab_actions
            handovers_created
            handovers_resolved
            shifts_staffed
            morning_actions
            morning_runs
            afternoon_actions
            afternoon_runs
            night_actions
            night_runs
        }
    };
}

/// Defines `DailyTally` and its counter-wise helpers from the counter list.
macro_rules! daily_tally {
    ($($name:ident)*) => {
        /// One user's counters for one day: the sum of their counting ledger rows of that
        /// activity date. Stored as `gamification_daily` and kept in the same transaction
        /// as the rows, so the performance views read a bounded number of rows whatever
        /// the history.
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
        pub struct DailyTally {
            $(pub $name: i64,)*
        }

        impl DailyTally {
            /// How many counters a tally has.
            pub const COUNTERS: usize = [$(stringify!($name)),*].len();

            /// Every counter, in column order, with its column name.
            pub fn columns(&self) -> [(&'static str, i64); DailyTally::COUNTERS] {
                [$((stringify!($name), self.$name)),*]
            }

            /// A tally from its counters in `columns` order; `None` if there are too few.
            pub fn from_columns(values: &[i64]) -> Option<DailyTally> {
                let mut values = values.iter().copied();
                Some(DailyTally { $($name: values.next()?,)* })
            }

            /// Adds `other` counter by counter.
            pub fn add(&mut self, other: &DailyTally) {
                $(self.$name = self.$name.saturating_add(other.$name);)*
            }
        }
    };
}

with_daily_counters!(daily_tally);

impl DailyTally {
    /// The tally of one counting row: `quantity` units of `kind` (in `shift`, for
    /// actions and runs) and `points` points.
    pub fn of_row(kind: ScoreKind, shift: Option<ShiftType>, quantity: i64, points: i64) -> DailyTally {
        let mut t = DailyTally { points, ..DailyTally::default() };
        *match PointsCategory::of(kind) {
            PointsCategory::Execution => &mut t.execution_points,
            PointsCategory::Reliability => &mut t.reliability_points,
            PointsCategory::Collaboration => &mut t.collaboration_points,
            PointsCategory::Quality => &mut t.quality_points,
        } = points;
        let q = quantity;
        match kind {
            ScoreKind::Item => {
                t.items = q;
                t.actions = q;
            }
            ScoreKind::Subitem => t.actions = q,
            ScoreKind::CriticalItem => t.critical_items = q,
            ScoreKind::FailureReported => t.failures_reported = q,
            ScoreKind::TimedStartOnTime => {
                t.timed_starts = q;
                t.timed_on_time = q;
            }
            ScoreKind::TimedStartLate => {
                t.timed_starts = q;
                t.late_events = q;
            }
            ScoreKind::ChecklistRun => t.checklists = q,
            ScoreKind::ChecklistOnTime => t.on_time_checklists = q,
            ScoreKind::ChecklistClean => t.clean_checklists = q,
            ScoreKind::Collaboration => t.collab_checklists = q,
            ScoreKind::CollaborativeActions => t.collab_actions = q,
            ScoreKind::HandoverCreated => t.handovers_created = q,
            ScoreKind::HandoverResolved => t.handovers_resolved = q,
            ScoreKind::ShiftStaffed => t.shifts_staffed = q,
            ScoreKind::Adjustment => {}
        }
        let per_shift = match kind {
            ScoreKind::Item | ScoreKind::Subitem => Some((q, 0)),
            ScoreKind::ChecklistRun => Some((0, q)),
            _ => None,
        };
        if let (Some((actions, runs)), Some(shift)) = (per_shift, shift) {
            let (a, r) = match shift {
                ShiftType::Morning => (&mut t.morning_actions, &mut t.morning_runs),
                ShiftType::Afternoon => (&mut t.afternoon_actions, &mut t.afternoon_runs),
                ShiftType::Night => (&mut t.night_actions, &mut t.night_runs),
            };
            *a = actions;
            *r = runs;
        }
        t
    }

    /// The counter-wise sum.
    pub fn plus(&self, other: &DailyTally) -> DailyTally {
        let mut sum = *self;
        sum.add(other);
        sum
    }

    /// The leading `columns` that hold points; the rest count activity.
    pub const POINT_COLUMNS: usize = 5;

    /// Whether the day holds any activity (a contribution day): points alone (an
    /// adjustment) do not make one.
    pub fn is_active(&self) -> bool {
        self.columns().iter().skip(DailyTally::POINT_COLUMNS).any(|(_, v)| *v > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_states_round_trip_through_their_spelling() {
        for kind in ScoreKind::ALL {
            assert_eq!(ScoreKind::parse(kind.as_str()), Some(kind));
            assert!(ScoreReason::parse(kind.reason().as_str()).is_some());
        }
        for state in LedgerState::ALL {
            assert_eq!(LedgerState::parse(state.as_str()), Some(state));
        }
        assert_eq!(ScoreKind::parse("item"), None);
    }

    #[test]
    fn a_row_adds_to_its_own_counter_and_a_reversal_takes_it_back() {
        let row = DailyTally::of_row(ScoreKind::Item, Some(ShiftType::Night), 1, 14);
        assert_eq!((row.items, row.actions, row.night_actions, row.points), (1, 1, 1, 14));
        assert_eq!((row.execution_points, row.quality_points), (14, 0));
        assert_eq!(row.morning_actions, 0);
        let back = DailyTally::of_row(ScoreKind::Item, Some(ShiftType::Night), -1, -14);
        assert_eq!(row.plus(&back), DailyTally::default());
        assert!(row.is_active());
        assert!(!DailyTally::of_row(ScoreKind::Adjustment, None, 0, 5).is_active());
    }
}
