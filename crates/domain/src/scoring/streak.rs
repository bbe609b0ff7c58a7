//! Streaks: runs of consecutive activity days.

use chrono::NaiveDate;

/// The run of consecutive days ending at the latest of `active` and the longest run,
/// from the active dates in any order (duplicates allowed).
pub fn runs(active: &[NaiveDate]) -> Streaks {
    let mut days: Vec<NaiveDate> = active.to_vec();
    days.sort_unstable();
    days.dedup();
    let (mut current, mut longest) = (0u32, 0u32);
    let mut previous: Option<NaiveDate> = None;
    for day in days.iter().copied() {
        current = match previous {
            Some(p) if p.succ_opt() == Some(day) => current.saturating_add(1),
            _ => 1,
        };
        longest = longest.max(current);
        previous = Some(day);
    }
    Streaks { current, longest, last: days.last().copied() }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Streaks {
    /// The run ending at `last`.
    pub current: u32,
    pub longest: u32,
    /// The latest active day.
    pub last: Option<NaiveDate>,
}

impl Streaks {
    /// The live streak on `today`: the run ending at the last active day when that day
    /// is today or yesterday, else 0.
    pub fn live(&self, today: NaiveDate) -> u32 {
        match self.last {
            Some(last) if last == today || last.succ_opt() == Some(today) => self.current,
            _ => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(n: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default() + chrono::Duration::days(n)
    }

    #[test]
    fn a_gap_restarts_the_run_and_the_longest_is_kept() {
        let s = runs(&[day(0), day(1), day(2), day(5), day(6), day(1)]);
        assert_eq!((s.current, s.longest, s.last), (2, 3, Some(day(6))));
        assert_eq!(s.live(day(7)), 2);
        assert_eq!(s.live(day(6)), 2);
        assert_eq!(s.live(day(8)), 0);
        assert_eq!(runs(&[]), Streaks::default());
    }

    proptest! {
        #[test]
        fn current_never_exceeds_longest_nor_the_distinct_days(offsets in proptest::collection::vec(0i64..60, 0..40)) {
            let days: Vec<NaiveDate> = offsets.iter().map(|o| day(*o)).collect();
            let s = runs(&days);
            let mut distinct = days.clone();
            distinct.sort_unstable();
            distinct.dedup();
            prop_assert!(s.current <= s.longest);
            prop_assert!(s.longest as usize <= distinct.len());
            prop_assert_eq!(s.longest == 0, distinct.is_empty());
        }
    }
}
