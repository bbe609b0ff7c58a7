//! Quiet hours: a daily window of local wall time (in the business time zone) during
//! which a user's non-critical e-mail is held, and the instant the window ends.
//!
//! The window is start inclusive, end exclusive; an end at or before the start crosses
//! midnight (22:00–06:00). Equal start and end is an empty window: no quiet hours.
//! Membership is read from the wall clock, so on a DST night the window is as long as
//! the clock says, not a fixed number of hours.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::shift::local_to_utc;

/// A window end that lands in a DST oddity (a gap swallowing the whole gap between end
/// and start) can leave the wall clock inside the next window; following it this many
/// windows is far more than any real zone needs.
const MAX_HOPS: usize = 8;

/// A user's quiet hours, local wall times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl QuietHours {
    /// Both ends set and different, or no quiet hours.
    pub fn new(start: Option<NaiveTime>, end: Option<NaiveTime>) -> Option<QuietHours> {
        match (start, end) {
            (Some(start), Some(end)) if start != end => Some(QuietHours { start, end }),
            _ => None,
        }
    }

    fn crosses_midnight(&self) -> bool {
        self.end < self.start
    }

    /// Whether the wall time `time` is inside the window.
    pub fn contains(&self, time: NaiveTime) -> bool {
        if self.crosses_midnight() {
            time >= self.start || time < self.end
        } else {
            time >= self.start && time < self.end
        }
    }

    /// When the quiet period around `now` ends (a UTC instant after `now`, at which the
    /// wall clock is outside the window), or `None` when `now` is not quiet.
    pub fn quiet_until(&self, now: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
        let mut until = self.window_end(now, tz)?;
        for _ in 0..MAX_HOPS {
            match self.window_end(until, tz) {
                Some(later) => until = later,
                None => break,
            }
        }
        Some(until)
    }

    /// The end of the window the wall clock at `at` is in, if it is in one.
    fn window_end(&self, at: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
        let local = at.with_timezone(&tz);
        if !self.contains(local.time()) {
            return None;
        }
        let today = local.date_naive();
        // Past the start of a window that crosses midnight, it ends tomorrow.
        let day = if self.crosses_midnight() && local.time() >= self.start { next_day(today) } else { today };
        Some(first_after(at, day, self.end, tz))
    }
}

fn next_day(date: NaiveDate) -> NaiveDate {
    date.succ_opt().unwrap_or(date)
}

/// The instant of wall time `time` on `date` that comes after `at`: a time the clock
/// skips (spring forward) is read with the offset before the jump; a time it passes
/// twice (fall back) is the first passing after `at`.
fn first_after(at: DateTime<Utc>, date: NaiveDate, time: NaiveTime, tz: Tz) -> DateTime<Utc> {
    let first = local_to_utc(date, time, tz);
    if first > at {
        return first;
    }
    let later = tz.from_local_datetime(&NaiveDateTime::new(date, time)).latest().map(|t| t.with_timezone(&Utc));
    match later.filter(|t| *t > at) {
        Some(t) => t,
        // Not reached for a wall time ahead of `at`'s; never answer an end in the past.
        None => at + chrono::Duration::minutes(1),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use chrono::Duration;
    use proptest::prelude::*;

    use super::*;

    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    fn window(start: NaiveTime, end: NaiveTime) -> QuietHours {
        QuietHours::new(Some(start), Some(end)).unwrap()
    }

    #[test]
    fn a_window_needs_two_different_ends() {
        assert_eq!(QuietHours::new(Some(hm(22, 0)), None), None);
        assert_eq!(QuietHours::new(None, Some(hm(6, 0))), None);
        assert_eq!(QuietHours::new(Some(hm(6, 0)), Some(hm(6, 0))), None);
    }

    #[test]
    fn a_daytime_window_ends_the_same_day() {
        let q = window(hm(12, 0), hm(14, 0));
        let tz = Tz::UTC;
        assert_eq!(q.quiet_until(utc(2026, 12, 7, 11, 59), tz), None);
        assert_eq!(q.quiet_until(utc(2026, 12, 7, 12, 0), tz), Some(utc(2026, 12, 7, 14, 0)));
        assert_eq!(q.quiet_until(utc(2026, 12, 7, 13, 59), tz), Some(utc(2026, 12, 7, 14, 0)));
        assert_eq!(q.quiet_until(utc(2026, 12, 7, 14, 0), tz), None);
    }

    #[test]
    fn a_window_crossing_midnight_ends_the_next_morning() {
        let q = window(hm(22, 0), hm(6, 0));
        let tz = Tz::Africa__Harare; // UTC+2
        assert_eq!(q.quiet_until(utc(2026, 12, 7, 19, 59), tz), None, "21:59 local");
        assert_eq!(q.quiet_until(utc(2026, 12, 7, 20, 0), tz), Some(utc(2026, 12, 8, 4, 0)), "22:00 local");
        assert_eq!(q.quiet_until(utc(2026, 12, 7, 23, 30), tz), Some(utc(2026, 12, 8, 4, 0)), "01:30 local");
        assert_eq!(q.quiet_until(utc(2026, 12, 8, 4, 0), tz), None, "06:00 local");
    }

    #[test]
    fn the_end_follows_the_wall_clock_across_dst() {
        let q = window(hm(22, 0), hm(6, 0));
        let tz = Tz::Europe__London;
        // Spring forward (29 March 2026, 01:00 GMT → 02:00 BST): 06:00 BST is 05:00 UTC.
        assert_eq!(q.quiet_until(utc(2026, 3, 28, 23, 0), tz), Some(utc(2026, 3, 29, 5, 0)));
        // Fall back (25 October 2026, 02:00 BST → 01:00 GMT): 06:00 GMT is 06:00 UTC.
        assert_eq!(q.quiet_until(utc(2026, 10, 24, 22, 0), tz), Some(utc(2026, 10, 25, 6, 0)));
    }

    #[test]
    fn an_end_inside_the_dst_gap_or_fold_is_still_after_now_and_outside() {
        let tz = Tz::Europe__London;
        // 01:30 does not exist on 29 March: read with GMT, 01:30 UTC (02:30 BST).
        let q = window(hm(22, 0), hm(1, 30));
        assert_eq!(q.quiet_until(utc(2026, 3, 28, 23, 0), tz), Some(utc(2026, 3, 29, 1, 30)));
        // 01:30 happens twice on 25 October: in the second pass (01:10 GMT) the window
        // ends at the second 01:30.
        let second_pass = utc(2026, 10, 25, 1, 10);
        assert_eq!(q.quiet_until(second_pass, tz), Some(utc(2026, 10, 25, 1, 30)));
        assert_eq!(q.quiet_until(utc(2026, 10, 24, 23, 10), tz), Some(utc(2026, 10, 25, 0, 30)), "first pass");
    }

    proptest! {
        #[test]
        fn the_end_is_later_and_not_quiet(
            start in 0u32..1440, end in 0u32..1440, minute in 0i64..(2 * 366 * 1440),
        ) {
            prop_assume!(start != end);
            let q = window(hm(start / 60, start % 60), hm(end / 60, end % 60));
            let tz = Tz::Europe__London;
            // Two years from 1 January 2026, both DST changes of each year included.
            let now = utc(2026, 1, 1, 0, 0) + Duration::minutes(minute);
            let quiet_now = q.contains(now.with_timezone(&tz).time());
            match q.quiet_until(now, tz) {
                None => prop_assert!(!quiet_now),
                Some(until) => {
                    prop_assert!(quiet_now);
                    prop_assert!(until > now, "{until} after {now}");
                    prop_assert!(!q.contains(until.with_timezone(&tz).time()), "quiet at {until}");
                    prop_assert!(until - now <= Duration::hours(25), "{until} too far from {now}");
                }
            }
        }

        #[test]
        fn around_the_london_dst_changes(
            start in 0u32..1440, end in 0u32..1440, minute in 0i64..(2 * 1440), autumn in any::<bool>(),
        ) {
            prop_assume!(start != end);
            let q = window(hm(start / 60, start % 60), hm(end / 60, end % 60));
            let tz = Tz::Europe__London;
            let eve = if autumn { utc(2026, 10, 24, 0, 0) } else { utc(2026, 3, 28, 0, 0) };
            let now = eve + Duration::minutes(minute);
            if let Some(until) = q.quiet_until(now, tz) {
                prop_assert!(until > now);
                prop_assert!(!q.contains(until.with_timezone(&tz).time()), "quiet at {until}");
            } else {
                prop_assert!(!q.contains(now.with_timezone(&tz).time()));
            }
        }
    }
}
