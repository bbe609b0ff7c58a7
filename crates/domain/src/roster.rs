//! Who is rostered on a day. A user's roster has five parts — pattern assignments (a
//! weekly pattern from a start date, open-ended or not), single scheduled shifts, days
//! off, and single-day exceptions — resolved per date by precedence:
//!
//! 1. an exception for the date (a day off, or one shift instead of anything else);
//! 2. an approved day off covering it;
//! 3. the shifts scheduled for it one by one (not cancelled);
//! 4. the pattern of the newest assignment covering it (a working day or an off day);
//! 5. otherwise unscheduled;
//!
//! and then, over what 3–5 gave, the completed swaps of the date in the order they
//! completed: a shift swapped away leaves the day (a day left without shifts is off,
//! "swapped away"), a shift taken over joins it. An exception or an approved day off
//! still wins over any swap.
//!
//! Assignments are rules read when asked, never rows generated to a horizon, so an
//! open-ended assignment has no end to extend.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use uuid::Uuid;

/// 0 = Sunday … 6 = Saturday: the original's numbering of a pattern's days.
pub fn day_of_week(date: NaiveDate) -> usize {
    date.weekday().num_days_from_sunday() as usize
}

/// The English names of the days, Sunday first (the original's pattern keys).
pub const DAY_NAMES: [&str; 7] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/// One day of a weekly pattern: a shift, or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PatternDay {
    pub shift_id: Option<i32>,
    pub is_off_day: bool,
}

/// A pattern's week, Sunday first.
pub type Week = [PatternDay; 7];

/// A pattern assigned to the user from `start` to `end` (both included; `None`: open).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assignment<'a> {
    pub pattern_id: Uuid,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub week: &'a Week,
}

impl Assignment<'_> {
    fn covers(&self, date: NaiveDate) -> bool {
        self.start <= date && self.end.is_none_or(|end| date <= end)
    }
}

/// A shift scheduled for one date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scheduled {
    pub id: Uuid,
    pub shift_id: i32,
    pub date: NaiveDate,
    pub cancelled: bool,
}

/// An approved day-off range (pending, rejected and cancelled ones change nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayOff {
    pub id: Uuid,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// A single-day exception: the day off, or this one shift instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exception {
    pub id: Uuid,
    pub date: NaiveDate,
    pub shift_id: Option<i32>,
    pub is_day_off: bool,
}

/// Which side of a completed swap the user is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SwapSide {
    /// The offerer: the shift leaves their day.
    Out,
    /// The taker: the shift joins their day.
    In,
}

/// A completed (approved) swap of one shift on one date, as it touches one user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Swap {
    pub id: Uuid,
    pub date: NaiveDate,
    pub shift_id: i32,
    pub side: SwapSide,
    /// When it completed: the swaps of a day apply in this order (a shift passed on
    /// and passed back ends where the last swap put it).
    pub completed_at: DateTime<Utc>,
}

/// One user's roster parts (any order).
#[derive(Debug, Clone, Copy, Default)]
pub struct Parts<'a> {
    pub assignments: &'a [Assignment<'a>],
    pub scheduled: &'a [Scheduled],
    pub days_off: &'a [DayOff],
    pub exceptions: &'a [Exception],
    pub swaps: &'a [Swap],
}

/// Where a rostered shift comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// An exception's id.
    Exception(Uuid),
    /// A scheduled shift's id.
    Scheduled(Uuid),
    /// The pattern of an assignment.
    Pattern(Uuid),
    /// A completed swap's id (the user took the shift over).
    Swap(Uuid),
}

/// Why a day is off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OffBecause {
    /// An exception's id.
    Exception(Uuid),
    /// An approved day-off's id.
    DayOff(Uuid),
    PatternOffDay,
    /// The user's shifts of the day went to colleagues (the last swap's id).
    SwappedAway(Uuid),
}

/// A user's day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Planned {
    /// One or more shifts (each shift once).
    Shifts(Vec<(i32, Source)>),
    Off(OffBecause),
    Unscheduled,
}

impl Planned {
    /// Whether the user works `shift_id` that day.
    pub fn works(&self, shift_id: i32) -> bool {
        matches!(self, Planned::Shifts(shifts) if shifts.iter().any(|(id, _)| *id == shift_id))
    }
}

/// The user's day on `date`, by the precedence in the module's documentation.
pub fn resolve(date: NaiveDate, parts: &Parts<'_>) -> Planned {
    if let Some(exception) = parts.exceptions.iter().find(|e| e.date == date) {
        return match (exception.is_day_off, exception.shift_id) {
            (false, Some(shift)) => Planned::Shifts(vec![(shift, Source::Exception(exception.id))]),
            _ => Planned::Off(OffBecause::Exception(exception.id)),
        };
    }
    if let Some(off) = parts.days_off.iter().find(|d| d.start <= date && date <= d.end) {
        return Planned::Off(OffBecause::DayOff(off.id));
    }
    with_swaps(date, rostered(date, parts), parts.swaps)
}

/// Steps 3 to 5: the scheduled shifts of the day, else the pattern's day.
fn rostered(date: NaiveDate, parts: &Parts<'_>) -> Planned {
    let mut shifts: Vec<(i32, Source)> = Vec::new();
    for s in parts.scheduled.iter().filter(|s| s.date == date && !s.cancelled) {
        if !shifts.iter().any(|(id, _)| *id == s.shift_id) {
            shifts.push((s.shift_id, Source::Scheduled(s.id)));
        }
    }
    if !shifts.is_empty() {
        return Planned::Shifts(shifts);
    }
    // The newest assignment wins where two overlap (a new pattern replaces the old).
    let assignment = parts.assignments.iter().filter(|a| a.covers(date)).max_by_key(|a| a.start);
    match assignment.and_then(|a| a.week.get(day_of_week(date)).map(|day| (a, day))) {
        Some((_, day)) if day.is_off_day => Planned::Off(OffBecause::PatternOffDay),
        Some((a, PatternDay { shift_id: Some(shift), .. })) => {
            Planned::Shifts(vec![(*shift, Source::Pattern(a.pattern_id))])
        }
        _ => Planned::Unscheduled,
    }
}

/// The day `planned` after the completed swaps of `date`, in the order they completed.
fn with_swaps(date: NaiveDate, planned: Planned, swaps: &[Swap]) -> Planned {
    let mut todays: Vec<&Swap> = swaps.iter().filter(|s| s.date == date).collect();
    if todays.is_empty() {
        return planned;
    }
    todays.sort_by_key(|s| (s.completed_at, s.id));
    let (mut shifts, before) = match planned {
        Planned::Shifts(shifts) => (shifts, Planned::Unscheduled),
        other => (Vec::new(), other),
    };
    let mut swapped_away = None;
    for swap in todays {
        match swap.side {
            SwapSide::Out => {
                let had = shifts.len();
                shifts.retain(|(id, _)| *id != swap.shift_id);
                if shifts.len() < had {
                    swapped_away = Some(swap.id);
                }
            }
            SwapSide::In => {
                if !shifts.iter().any(|(id, _)| *id == swap.shift_id) {
                    shifts.push((swap.shift_id, Source::Swap(swap.id)));
                }
            }
        }
    }
    match (shifts.is_empty(), swapped_away) {
        (false, _) => Planned::Shifts(shifts),
        (true, Some(id)) => Planned::Off(OffBecause::SwappedAway(id)),
        (true, None) => before,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const MORNING: i32 = 1;
    const NIGHT: i32 = 3;

    fn d(day: u32) -> NaiveDate {
        // November 2026: the 1st is a Sunday.
        NaiveDate::from_ymd_opt(2026, 11, day).unwrap_or_default()
    }

    /// Mornings Monday to Friday, the weekend off.
    fn weekdays() -> Week {
        let work = PatternDay { shift_id: Some(MORNING), is_off_day: false };
        let off = PatternDay { shift_id: None, is_off_day: true };
        [off, work, work, work, work, work, off]
    }

    #[test]
    fn days_are_numbered_from_sunday() {
        assert_eq!(day_of_week(d(1)), 0);
        assert_eq!(day_of_week(d(7)), 6);
        assert_eq!(DAY_NAMES.get(day_of_week(d(4))), Some(&"Wednesday"));
    }

    #[test]
    fn a_pattern_gives_its_weekdays_and_off_days_within_its_dates() {
        let week = weekdays();
        let id = Uuid::from_u128(1);
        let assignments = [Assignment { pattern_id: id, start: d(2), end: Some(d(11)), week: &week }];
        let parts = Parts { assignments: &assignments, ..Parts::default() };
        assert_eq!(resolve(d(1), &parts), Planned::Unscheduled, "before the start");
        assert_eq!(resolve(d(2), &parts), Planned::Shifts(vec![(MORNING, Source::Pattern(id))]));
        assert_eq!(resolve(d(7), &parts), Planned::Off(OffBecause::PatternOffDay));
        assert_eq!(resolve(d(11), &parts), Planned::Shifts(vec![(MORNING, Source::Pattern(id))]), "end included");
        assert_eq!(resolve(d(12), &parts), Planned::Unscheduled, "ended mid-week");
    }

    #[test]
    fn an_open_ended_assignment_never_runs_out() {
        let week = weekdays();
        let assignments = [Assignment { pattern_id: Uuid::nil(), start: d(2), end: None, week: &week }];
        let parts = Parts { assignments: &assignments, ..Parts::default() };
        let far = NaiveDate::from_ymd_opt(2031, 3, 4).unwrap_or_default(); // a Tuesday
        assert!(resolve(far, &parts).works(MORNING));
    }

    #[test]
    fn the_newest_assignment_replaces_the_older_one() {
        let (old, new) = (weekdays(), [PatternDay { shift_id: Some(NIGHT), is_off_day: false }; 7]);
        let assignments = [
            Assignment { pattern_id: Uuid::from_u128(1), start: d(2), end: None, week: &old },
            Assignment { pattern_id: Uuid::from_u128(2), start: d(9), end: None, week: &new },
        ];
        let parts = Parts { assignments: &assignments, ..Parts::default() };
        assert!(resolve(d(3), &parts).works(MORNING));
        assert!(resolve(d(10), &parts).works(NIGHT) && !resolve(d(10), &parts).works(MORNING));
    }

    #[test]
    fn days_off_override_patterns_and_exceptions_override_both() {
        let week = weekdays();
        let assignments = [Assignment { pattern_id: Uuid::nil(), start: d(2), end: None, week: &week }];
        let off_id = Uuid::from_u128(9);
        let days_off = [DayOff { id: off_id, start: d(3), end: d(5) }];
        let scheduled = [Scheduled { id: Uuid::from_u128(5), shift_id: NIGHT, date: d(4), cancelled: false }];
        let exceptions = [Exception { id: Uuid::nil(), date: d(5), shift_id: Some(NIGHT), is_day_off: false }];
        let parts = Parts {
            assignments: &assignments,
            scheduled: &scheduled,
            days_off: &days_off,
            exceptions: &exceptions,
            ..Parts::default()
        };
        assert_eq!(resolve(d(3), &parts), Planned::Off(OffBecause::DayOff(off_id)));
        assert_eq!(resolve(d(4), &parts), Planned::Off(OffBecause::DayOff(off_id)), "over a scheduled shift too");
        assert_eq!(resolve(d(5), &parts), Planned::Shifts(vec![(NIGHT, Source::Exception(Uuid::nil()))]));
        assert!(resolve(d(6), &parts).works(MORNING));
    }

    #[test]
    fn scheduled_shifts_replace_the_pattern_for_their_day_unless_cancelled() {
        let week = weekdays();
        let assignments = [Assignment { pattern_id: Uuid::nil(), start: d(2), end: None, week: &week }];
        let scheduled = [
            Scheduled { id: Uuid::from_u128(5), shift_id: NIGHT, date: d(3), cancelled: false },
            Scheduled { id: Uuid::from_u128(6), shift_id: NIGHT, date: d(4), cancelled: true },
        ];
        let parts = Parts { assignments: &assignments, scheduled: &scheduled, ..Parts::default() };
        assert_eq!(resolve(d(3), &parts), Planned::Shifts(vec![(NIGHT, Source::Scheduled(Uuid::from_u128(5)))]));
        assert!(resolve(d(4), &parts).works(MORNING), "a cancelled shift falls back to the pattern");
    }

    fn at(hour: u32) -> DateTime<Utc> {
        d(4).and_hms_opt(hour, 0, 0).unwrap_or_default().and_utc()
    }

    fn swap(id: u128, day: u32, shift_id: i32, side: SwapSide, hour: u32) -> Swap {
        Swap { id: Uuid::from_u128(id), date: d(day), shift_id, side, completed_at: at(hour) }
    }

    #[test]
    fn a_swap_moves_the_shift_from_the_offerer_to_the_taker_on_its_date_only() {
        let week = weekdays();
        let pattern = Uuid::from_u128(1);
        let assignments = [Assignment { pattern_id: pattern, start: d(2), end: None, week: &week }];
        let gone = [swap(7, 4, MORNING, SwapSide::Out, 9)];
        let offerer = Parts { assignments: &assignments, swaps: &gone, ..Parts::default() };
        assert_eq!(resolve(d(4), &offerer), Planned::Off(OffBecause::SwappedAway(Uuid::from_u128(7))));
        assert!(resolve(d(5), &offerer).works(MORNING), "the next day is theirs again");

        // The taker: off that Saturday by the pattern, or already on another shift.
        let taken = [swap(7, 7, MORNING, SwapSide::In, 9)];
        let taker = Parts { assignments: &assignments, swaps: &taken, ..Parts::default() };
        assert_eq!(resolve(d(7), &taker), Planned::Shifts(vec![(MORNING, Source::Swap(Uuid::from_u128(7)))]));
        let scheduled = [Scheduled { id: Uuid::from_u128(5), shift_id: NIGHT, date: d(7), cancelled: false }];
        let busy = Parts { scheduled: &scheduled, swaps: &taken, ..Parts::default() };
        assert_eq!(
            resolve(d(7), &busy),
            Planned::Shifts(vec![
                (NIGHT, Source::Scheduled(Uuid::from_u128(5))),
                (MORNING, Source::Swap(Uuid::from_u128(7)))
            ])
        );
        let nobody = Parts { swaps: &taken, ..Parts::default() };
        assert!(resolve(d(7), &nobody).works(MORNING), "an unscheduled day takes a swap too");
    }

    #[test]
    fn exceptions_and_days_off_win_over_swaps() {
        let taken = [swap(7, 4, MORNING, SwapSide::In, 9)];
        let exceptions = [Exception { id: Uuid::nil(), date: d(4), shift_id: None, is_day_off: true }];
        let parts = Parts { exceptions: &exceptions, swaps: &taken, ..Parts::default() };
        assert_eq!(resolve(d(4), &parts), Planned::Off(OffBecause::Exception(Uuid::nil())));
        let days_off = [DayOff { id: Uuid::nil(), start: d(3), end: d(5) }];
        let parts = Parts { days_off: &days_off, swaps: &taken, ..Parts::default() };
        assert_eq!(resolve(d(4), &parts), Planned::Off(OffBecause::DayOff(Uuid::nil())));
    }

    #[test]
    fn swaps_apply_in_the_order_they_completed() {
        // Taken over at 9, passed on at 10, taken back at 11 (listed out of order).
        let swaps = [
            swap(3, 4, NIGHT, SwapSide::In, 11),
            swap(1, 4, NIGHT, SwapSide::In, 9),
            swap(2, 4, NIGHT, SwapSide::Out, 10),
        ];
        let parts = Parts { swaps: &swaps, ..Parts::default() };
        assert_eq!(resolve(d(4), &parts), Planned::Shifts(vec![(NIGHT, Source::Swap(Uuid::from_u128(3)))]));
        let passed_on = Parts { swaps: swaps.get(1..).unwrap_or_default(), ..Parts::default() };
        assert_eq!(resolve(d(4), &passed_on), Planned::Off(OffBecause::SwappedAway(Uuid::from_u128(2))));
    }

    proptest! {
        /// Whatever else the roster holds, a day-off exception makes the day off, and an
        /// approved day off with no exception does too.
        #[test]
        fn exceptions_and_days_off_always_win(
            day in 1u32..=30,
            scheduled_shift in 1i32..=3,
            exception_shift in proptest::option::of(1i32..=3),
            exception_off in any::<bool>(),
            with_exception in any::<bool>(),
        ) {
            let week = weekdays();
            let assignments = [Assignment { pattern_id: Uuid::nil(), start: d(1), end: None, week: &week }];
            let scheduled = [Scheduled { id: Uuid::nil(), shift_id: scheduled_shift, date: d(day), cancelled: false }];
            let days_off = [DayOff { id: Uuid::nil(), start: d(1), end: d(30) }];
            let exceptions = [Exception { id: Uuid::nil(), date: d(day), shift_id: exception_shift, is_day_off: exception_off }];
            let parts = Parts {
                assignments: &assignments,
                scheduled: &scheduled,
                days_off: &days_off,
                exceptions: if with_exception { &exceptions } else { &[] },
                ..Parts::default()
            };
            let planned = resolve(d(day), &parts);
            match (with_exception, exception_off, exception_shift) {
                (true, false, Some(shift)) => {
                    prop_assert_eq!(planned, Planned::Shifts(vec![(shift, Source::Exception(Uuid::nil()))]))
                }
                (true, _, _) => prop_assert_eq!(planned, Planned::Off(OffBecause::Exception(Uuid::nil()))),
                (false, _, _) => prop_assert_eq!(planned, Planned::Off(OffBecause::DayOff(Uuid::nil()))),
            }
        }

        /// Without an exception or a day off, a shift is worked after the day's swaps
        /// exactly when its last swap brought it in, or it had none and the roster gave it.
        #[test]
        fn the_last_swap_of_a_shift_decides_it(
            day in 2u32..=30,
            swaps in proptest::collection::vec((1i32..=3, any::<bool>(), 0u32..24), 0..6),
        ) {
            let week = weekdays();
            let assignments = [Assignment { pattern_id: Uuid::nil(), start: d(1), end: None, week: &week }];
            let swaps: Vec<Swap> = swaps
                .iter()
                .enumerate()
                .map(|(i, (shift, incoming, hour))| {
                    let side = if *incoming { SwapSide::In } else { SwapSide::Out };
                    swap(i as u128, day, *shift, side, *hour)
                })
                .collect();
            let parts = Parts { assignments: &assignments, swaps: &swaps, ..Parts::default() };
            let planned = resolve(d(day), &parts);
            let rostered = resolve(d(day), &Parts { assignments: &assignments, ..Parts::default() });
            for shift in 1..=3 {
                let last = swaps.iter().filter(|s| s.shift_id == shift).max_by_key(|s| (s.completed_at, s.id));
                let expected = match last {
                    Some(s) => s.side == SwapSide::In,
                    None => rostered.works(shift),
                };
                prop_assert_eq!(planned.works(shift), expected, "shift {} in {:?}", shift, planned);
            }
        }
    }
}
