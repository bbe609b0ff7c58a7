//! Coverage (issue 20): each shift's rostered headcount on a day against the minimum
//! the section set for that shift, and which alert threshold a shift about to start has
//! reached. Pure: the roster is resolved by the caller (`roster::resolve`).

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::roster::Planned;

/// The most a minimum may be (a section's headcount for one shift).
pub const MAX_MINIMUM: u32 = 1000;

/// One shift on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    pub date: NaiveDate,
    pub shift_id: i32,
    /// People the roster has on that shift that day.
    pub rostered: u32,
    /// The section's minimum for the shift (0: none).
    pub minimum: u32,
    /// How many people are missing (0 when covered).
    pub short_by: u32,
}

impl Cell {
    pub fn is_short(&self) -> bool {
        self.short_by > 0
    }
}

/// The coverage of `shifts` on each of `dates`, from the resolved days of a section's
/// people (`roster`: one `(date, day)` per person and date, any order) and the minimums
/// per shift (a shift with none has 0). Cells come date by date, in `shifts` order.
pub fn coverage(
    dates: &[NaiveDate],
    shifts: &[i32],
    minimums: &HashMap<i32, u32>,
    roster: &[(NaiveDate, Planned)],
) -> Vec<Cell> {
    let mut counts: HashMap<(NaiveDate, i32), u32> = HashMap::new();
    for (date, day) in roster {
        if let Planned::Shifts(worked) = day {
            for (shift_id, _) in worked {
                *counts.entry((*date, *shift_id)).or_insert(0) += 1;
            }
        }
    }
    dates
        .iter()
        .flat_map(|date| {
            shifts.iter().map(|shift_id| {
                let rostered = counts.get(&(*date, *shift_id)).copied().unwrap_or(0);
                let minimum = minimums.get(shift_id).copied().unwrap_or(0);
                Cell { date: *date, shift_id: *shift_id, rostered, minimum, short_by: minimum.saturating_sub(rostered) }
            })
        })
        .collect()
}

/// An alert threshold: how long before a shift's start it is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Threshold {
    /// Stored with each alert sent (e.g. `AHEAD`, `FINAL`).
    pub key: &'static str,
    pub lead: Duration,
}

/// The threshold a shift starting at `start` has reached at `now`: the one with the
/// shortest lead whose window `[start - lead, start)` holds `now`. Once a shorter lead is
/// reached the longer ones are past, so each threshold is considered in its own window
/// only and a later one never comes before an earlier one. `None` before the longest
/// lead and from the start on.
pub fn due_threshold(now: DateTime<Utc>, start: DateTime<Utc>, thresholds: &[Threshold]) -> Option<Threshold> {
    if now >= start {
        return None;
    }
    thresholds.iter().filter(|t| now >= start - t.lead).min_by_key(|t| t.lead).copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roster::{OffBecause, Source};
    use chrono::TimeZone;
    use proptest::prelude::*;
    use uuid::Uuid;

    const MORNING: i32 = 1;
    const NIGHT: i32 = 3;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, day).unwrap_or_default()
    }

    fn works(shifts: &[i32]) -> Planned {
        Planned::Shifts(shifts.iter().map(|s| (*s, Source::Pattern(Uuid::nil()))).collect())
    }

    #[test]
    fn counts_the_rostered_people_of_each_shift_against_its_minimum() {
        let roster = [
            (d(2), works(&[MORNING])),
            (d(2), works(&[MORNING, NIGHT])),
            (d(2), Planned::Off(OffBecause::PatternOffDay)),
            (d(3), works(&[NIGHT])),
            (d(3), Planned::Unscheduled),
        ];
        let minimums = HashMap::from([(MORNING, 2), (NIGHT, 2)]);
        let cells = coverage(&[d(2), d(3)], &[MORNING, NIGHT], &minimums, &roster);
        let shape: Vec<(u32, i32, u32, u32, u32)> = cells
            .iter()
            .map(|c| (chrono::Datelike::day(&c.date), c.shift_id, c.rostered, c.minimum, c.short_by))
            .collect();
        assert_eq!(shape, [(2, MORNING, 2, 2, 0), (2, NIGHT, 1, 2, 1), (3, MORNING, 0, 2, 2), (3, NIGHT, 1, 2, 1)]);
        assert!(!cells.first().is_some_and(Cell::is_short));
    }

    #[test]
    fn a_shift_without_a_minimum_is_never_short() {
        let cells = coverage(&[d(2)], &[MORNING], &HashMap::new(), &[]);
        assert_eq!(cells, [Cell { date: d(2), shift_id: MORNING, rostered: 0, minimum: 0, short_by: 0 }]);
    }

    const AHEAD: Threshold = Threshold { key: "AHEAD", lead: Duration::hours(24) };
    const FINAL: Threshold = Threshold { key: "FINAL", lead: Duration::hours(1) };

    #[test]
    fn the_first_alert_is_a_day_ahead_and_the_last_an_hour_before() {
        let start = Utc.with_ymd_and_hms(2026, 11, 26, 5, 0, 0).single().unwrap_or_default();
        let at = |h: i64| start - Duration::minutes(h);
        let both = [AHEAD, FINAL];
        assert_eq!(due_threshold(at(24 * 60 + 1), start, &both), None, "too early");
        assert_eq!(due_threshold(at(24 * 60), start, &both), Some(AHEAD));
        assert_eq!(due_threshold(at(61), start, &both), Some(AHEAD));
        assert_eq!(due_threshold(at(60), start, &both), Some(FINAL));
        assert_eq!(due_threshold(at(1), start, &both), Some(FINAL));
        assert_eq!(due_threshold(start, start, &both), None, "started");
    }

    proptest! {
        /// Short-by is exactly what the rostered people lack of the minimum.
        #[test]
        fn short_by_is_what_is_missing(people in 0usize..20, minimum in 0u32..30) {
            let roster: Vec<(NaiveDate, Planned)> = (0..people).map(|_| (d(5), works(&[MORNING]))).collect();
            let cells = coverage(&[d(5)], &[MORNING], &HashMap::from([(MORNING, minimum)]), &roster);
            let cell = cells.first().copied().unwrap_or(Cell { date: d(5), shift_id: 0, rostered: 0, minimum: 0, short_by: 0 });
            let rostered = u32::try_from(people).unwrap_or(0);
            prop_assert_eq!(cell.rostered, rostered);
            prop_assert_eq!(cell.short_by + rostered.min(minimum), minimum);
            prop_assert_eq!(cell.is_short(), rostered < minimum);
        }

        /// Whatever the instant, a threshold is only due inside its own window.
        #[test]
        fn a_due_threshold_is_within_its_lead(minutes_before in -120i64..2000) {
            let start = Utc.with_ymd_and_hms(2026, 11, 26, 5, 0, 0).single().unwrap_or_default();
            let now = start - Duration::minutes(minutes_before);
            match due_threshold(now, start, &[AHEAD, FINAL]) {
                Some(t) => {
                    prop_assert!(now < start && now >= start - t.lead);
                    prop_assert_eq!(t == AHEAD, minutes_before > 60);
                }
                None => prop_assert!(minutes_before <= 0 || minutes_before > 24 * 60),
            }
        }
    }
}
