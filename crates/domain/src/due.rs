//! Where a timed step stands against its time (issue 21): a TIMED item, subitem or
//! scheduled event is UPCOMING until its reminder, DUE from the reminder to its time,
//! OVERDUE for the grace window after it, then MISSED; DONE once actioned, whenever
//! that was; NOT_TIMED without a time. Only the boundaries move a step from one state to
//! the next, so the states change at known instants (`boundaries`).

use chrono::{DateTime, Duration, Utc};

/// The grace window after a step's time when none is configured.
pub const DEFAULT_GRACE: Duration = Duration::minutes(15);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DueState {
    NotTimed,
    Upcoming,
    Due,
    Overdue,
    Missed,
    Done,
}

impl DueState {
    pub const ALL: [DueState; 6] =
        [DueState::NotTimed, DueState::Upcoming, DueState::Due, DueState::Overdue, DueState::Missed, DueState::Done];

    pub const fn as_str(self) -> &'static str {
        match self {
            DueState::NotTimed => "NOT_TIMED",
            DueState::Upcoming => "UPCOMING",
            DueState::Due => "DUE",
            DueState::Overdue => "OVERDUE",
            DueState::Missed => "MISSED",
            DueState::Done => "DONE",
        }
    }

    /// Worth someone's attention now.
    pub const fn is_late(self) -> bool {
        matches!(self, DueState::Overdue | DueState::Missed)
    }
}

/// A timed step's times: when it is due, and when its reminder goes (at the latest its
/// time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    pub scheduled_at: DateTime<Utc>,
    pub remind_at: Option<DateTime<Utc>>,
}

impl Timing {
    fn remind_at(&self) -> DateTime<Utc> {
        self.remind_at.map_or(self.scheduled_at, |r| r.min(self.scheduled_at))
    }

    /// The instants at which the state changes (reminder, time, end of grace).
    pub fn boundaries(&self, grace: Duration) -> [DateTime<Utc>; 3] {
        [self.remind_at(), self.scheduled_at, self.scheduled_at + grace.max(Duration::zero())]
    }
}

/// The state at `now` of a step with `timing` (none: not timed), `actioned` or not.
pub fn due_state(now: DateTime<Utc>, timing: Option<Timing>, actioned: bool, grace: Duration) -> DueState {
    let Some(timing) = timing else { return DueState::NotTimed };
    if actioned {
        return DueState::Done;
    }
    let [remind, due, missed] = timing.boundaries(grace);
    if now < remind {
        DueState::Upcoming
    } else if now < due {
        DueState::Due
    } else if now < missed {
        DueState::Overdue
    } else {
        DueState::Missed
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use chrono::TimeZone;
    use proptest::prelude::*;

    use super::*;

    fn t(minute: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap() + Duration::minutes(minute)
    }

    #[test]
    fn a_step_moves_through_its_states_at_its_boundaries() {
        // Due at 08:30, reminded 15 minutes before, 15 minutes' grace.
        let timing = Some(Timing { scheduled_at: t(30), remind_at: Some(t(15)) });
        let at = |m| due_state(t(m), timing, false, DEFAULT_GRACE);
        assert_eq!(
            [at(0), at(14), at(15), at(29), at(30), at(44), at(45), at(600)],
            [
                DueState::Upcoming,
                DueState::Upcoming,
                DueState::Due,
                DueState::Due,
                DueState::Overdue,
                DueState::Overdue,
                DueState::Missed,
                DueState::Missed
            ]
        );
        assert_eq!(due_state(t(50), timing, true, DEFAULT_GRACE), DueState::Done);
        assert_eq!(due_state(t(50), None, false, DEFAULT_GRACE), DueState::NotTimed);
        // Without a reminder it is due at its time; without grace it is missed at once.
        let bare = Some(Timing { scheduled_at: t(30), remind_at: None });
        assert_eq!(due_state(t(29), bare, false, DEFAULT_GRACE), DueState::Upcoming);
        assert_eq!(due_state(t(30), bare, false, Duration::zero()), DueState::Missed);
    }

    proptest! {
        #[test]
        fn an_open_step_only_ever_moves_forward(
            due in 0i64..600, lead in 0i64..120, grace in 0i64..60, a in 0i64..900, b in 0i64..900,
        ) {
            let timing = Some(Timing { scheduled_at: t(due), remind_at: Some(t(due - lead)) });
            let (early, late) = (a.min(b), a.max(b));
            let grace = Duration::minutes(grace);
            prop_assert!(due_state(t(early), timing, false, grace) <= due_state(t(late), timing, false, grace));
        }

        #[test]
        fn the_state_only_changes_at_a_boundary(due in 0i64..600, lead in 0i64..120, grace in 0i64..60, a in 0i64..899) {
            let timing = Timing { scheduled_at: t(due), remind_at: Some(t(due - lead)) };
            let grace = Duration::minutes(grace);
            let (now, next) = (t(a), t(a + 1));
            let crossed = timing.boundaries(grace).iter().any(|b| now < *b && *b <= next);
            let changed = due_state(now, Some(timing), false, grace) != due_state(next, Some(timing), false, grace);
            prop_assert_eq!(changed, crossed);
        }
    }
}
