//! The window's summary: up to three short sentences on what stands out (contract §1.1).

use super::grade::Rates;
use super::metrics::WindowMetrics;

/// Highlight phrases in the original's order; the first three become sentences.
pub fn summary(m: &WindowMetrics, rates: &Rates, overdue_open_tasks: i64, critical_tasks: i64) -> String {
    let banded = |rate: Option<f64>, hi: f64, mid: f64, words: [&'static str; 3]| -> Option<&'static str> {
        let [top, middle, low] = words;
        match rate {
            Some(r) if r >= hi => Some(top),
            Some(r) if r >= mid => Some(middle),
            Some(r) if r > 0.0 => Some(low),
            _ => None,
        }
    };
    let mut phrases: Vec<String> = [
        banded(
            rates.checklist_quality,
            90.0,
            75.0,
            ["checklist quality is elite", "checklist quality is strong", "checklist quality has room to tighten"],
        ),
        banded(
            rates.task_on_time,
            90.0,
            75.0,
            ["tasks are landing on time", "most tasks land on time", "task timing needs attention"],
        ),
        banded(
            rates.shift_adherence,
            90.0,
            70.0,
            ["shift adherence is locked in", "shift adherence is steady", "shift adherence is slipping"],
        ),
        banded(
            rates.timed_start,
            90.0,
            75.0,
            ["timed items start on cue", "timed starts are mostly on cue", "timed starts are drifting late"],
        ),
    ]
    .into_iter()
    .flatten()
    .map(str::to_owned)
    .collect();
    if overdue_open_tasks > 0 {
        let s = if overdue_open_tasks == 1 { "" } else { "s" };
        phrases.push(format!("{overdue_open_tasks} overdue task{s} need closing"));
    }
    if m.tally.late_events >= 6 {
        phrases.push("lateness is piling up".to_owned());
    }
    if m.tally.critical_items + critical_tasks >= 10 {
        phrases.push("critical work is being carried".to_owned());
    }
    if phrases.is_empty() {
        return "This window is still warming up.".to_owned();
    }
    phrases.iter().take(3).map(|p| format!("{}.", capitalised(p))).collect::<Vec<_>>().join(" ")
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::DailyTally;

    #[test]
    fn at_most_three_sentences_or_the_warm_up_line() {
        let m = WindowMetrics::default();
        assert_eq!(summary(&m, &Rates::default(), 0, 0), "This window is still warming up.");
        let rates = Rates { checklist_quality: Some(95.0), timed_start: Some(50.0), ..Rates::default() };
        let m =
            WindowMetrics { tally: DailyTally { late_events: 7, critical_items: 12, ..DailyTally::default() }, ..m };
        assert_eq!(
            summary(&m, &rates, 0, 0),
            "Checklist quality is elite. Timed starts are drifting late. Lateness is piling up."
        );
    }
}
