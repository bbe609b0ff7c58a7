//! iCalendar (RFC 5545) text of a roster feed: a `VCALENDAR` of `VEVENT`s, timed ones
//! in UTC and all-day ones as dates. Lines end in CRLF and are folded at 75 octets
//! (never inside a UTF-8 character); TEXT values escape `\`, `;`, `,` and newlines.

use chrono::{DateTime, NaiveDate, Utc};

/// When an event happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// From a start to an end instant.
    Timed { start: DateTime<Utc>, end: DateTime<Utc> },
    /// Whole days, `first` to `last` included.
    AllDay { first: NaiveDate, last: NaiveDate },
}

/// One event of a feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Stable across reads, so a calendar updates the event rather than adding one.
    pub uid: String,
    pub when: When,
    pub summary: String,
    pub description: Option<String>,
}

/// Longest line, in octets, before folding.
const LINE_OCTETS: usize = 75;

/// A TEXT value escaped (RFC 5545 §3.3.11).
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push_str("\\n");
                }
            }
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends one content line, folded (RFC 5545 §3.1): each physical line holds at most 75
/// octets; continuation lines start with a space.
fn push_line(out: &mut String, line: &str) {
    let mut used = 0;
    for c in line.chars() {
        let width = c.len_utf8();
        if used + width > LINE_OCTETS {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += width;
    }
    out.push_str("\r\n");
}

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

fn date(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

/// The feed: a calendar named `name` with `events`, stamped `now`.
pub fn render(name: &str, now: DateTime<Utc>, events: &[Event]) -> String {
    let mut out = String::new();
    let stamp = utc(now);
    for line in ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//SentinelOps//Roster//EN", "CALSCALE:GREGORIAN"] {
        push_line(&mut out, line);
    }
    push_line(&mut out, "METHOD:PUBLISH");
    push_line(&mut out, &format!("X-WR-CALNAME:{}", escape_text(name)));
    for event in events {
        push_line(&mut out, "BEGIN:VEVENT");
        push_line(&mut out, &format!("UID:{}", escape_text(&event.uid)));
        push_line(&mut out, &format!("DTSTAMP:{stamp}"));
        match event.when {
            When::Timed { start, end } => {
                push_line(&mut out, &format!("DTSTART:{}", utc(start)));
                push_line(&mut out, &format!("DTEND:{}", utc(end)));
            }
            When::AllDay { first, last } => {
                // DTEND of a date is exclusive: the day after the last one.
                let end = last.succ_opt().unwrap_or(last);
                push_line(&mut out, &format!("DTSTART;VALUE=DATE:{}", date(first)));
                push_line(&mut out, &format!("DTEND;VALUE=DATE:{}", date(end)));
                push_line(&mut out, "TRANSP:TRANSPARENT");
            }
        }
        push_line(&mut out, &format!("SUMMARY:{}", escape_text(&event.summary)));
        if let Some(description) = &event.description {
            push_line(&mut out, &format!("DESCRIPTION:{}", escape_text(description)));
        }
        push_line(&mut out, "END:VEVENT");
    }
    push_line(&mut out, "END:VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).single().unwrap_or_default()
    }

    /// The logical lines again: continuation lines joined (RFC 5545 unfolding).
    fn unfold(text: &str) -> Vec<String> {
        let mut lines: Vec<String> = Vec::new();
        for physical in text.split("\r\n").filter(|l| !l.is_empty()) {
            match (physical.strip_prefix(' '), lines.last_mut()) {
                (Some(rest), Some(last)) => last.push_str(rest),
                _ => lines.push(physical.to_owned()),
            }
        }
        lines
    }

    #[test]
    fn escapes_the_separators_and_newlines() {
        assert_eq!(escape_text("a,b;c\\d\ne\r\nf"), "a\\,b\\;c\\\\d\\ne\\nf");
    }

    #[test]
    fn renders_timed_and_all_day_events_with_crlf() {
        let start = Utc.with_ymd_and_hms(2026, 11, 26, 21, 0, 0).single().unwrap_or_default();
        let events = [
            Event {
                uid: "u1".into(),
                when: When::Timed { start, end: start + chrono::Duration::hours(8) },
                summary: "NIGHT shift — Core, Banking".into(),
                description: None,
            },
            Event {
                uid: "u2".into(),
                when: When::AllDay {
                    first: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default(),
                    last: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default(),
                },
                summary: "Day off".into(),
                description: Some("Family".into()),
            },
        ];
        let text = render("My shifts", now(), &events);
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        assert!(!text.replace("\r\n", "").contains('\n'), "every line ends in CRLF");
        let lines = unfold(&text);
        for expected in [
            "DTSTART:20261126T210000Z",
            "DTEND:20261127T050000Z",
            "SUMMARY:NIGHT shift — Core\\, Banking",
            "DTSTART;VALUE=DATE:20261130",
            "DTEND;VALUE=DATE:20261202",
            "DTSTAMP:20261125T100000Z",
        ] {
            assert!(lines.iter().any(|l| l == expected), "{expected} in {lines:?}");
        }
        assert_eq!(lines.iter().filter(|l| *l == "BEGIN:VEVENT").count(), 2);
    }

    proptest! {
        /// Long summaries of any characters fold to lines of at most 75 octets, and
        /// unfold to exactly the escaped text.
        #[test]
        fn folding_keeps_lines_short_and_loses_nothing(summary in "\\PC{0,200}") {
            let event = Event { uid: "x".into(), when: When::Timed { start: now(), end: now() }, summary: summary.clone(), description: None };
            let text = render("Feed", now(), &[event]);
            for line in text.split("\r\n") {
                prop_assert!(line.len() <= LINE_OCTETS, "{} octets: {line:?}", line.len());
            }
            let expected = format!("SUMMARY:{}", escape_text(&summary));
            prop_assert!(unfold(&text).contains(&expected));
        }
    }
}
