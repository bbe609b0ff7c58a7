//! The trend as an inline SVG bar chart, drawn on the server: no chart library and no
//! script, so the page shows its trend before (and without) `ui.js`. Pure: the same
//! bars always give the same markup, which the unit tests pin down.

use std::fmt::Write;

use crate::ui::render::escape;

/// One bar: its label under it ("Mon", "Week of 01 Apr", "Jan") and its points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    pub label: String,
    pub points: i64,
}

/// Width of one bar's slot in user units (the SVG scales to its box).
const SLOT: i64 = 64;
const BAR: i64 = 40;
/// The tallest bar's height; labels take the rows below and the value the row above.
const PLOT: i64 = 120;
const TOP: i64 = 20;
const LABEL_ROW: i64 = 28;
/// A bar with points is never thinner than this, so a small day is still visible
/// next to a big one (the original drew at least 10 %).
const MIN_BAR: i64 = 4;

/// The chart's markup for `bars`, titled `title` (read out by screen readers). Labels
/// and title are escaped; negative points draw as an empty bar with their number.
pub fn bar_chart(title: &str, bars: &[Bar]) -> String {
    let count = i64::try_from(bars.len()).unwrap_or(i64::MAX).max(1);
    let width = count.saturating_mul(SLOT);
    let height = TOP + PLOT + LABEL_ROW;
    let max = bars.iter().map(|b| b.points).max().unwrap_or(0).max(1);
    let title = escape(title);
    let mut svg = format!(
        "<svg class=\"trend-chart\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-labelledby=\"trend-title\" \
         preserveAspectRatio=\"xMidYMid meet\" xmlns=\"http://www.w3.org/2000/svg\"><title id=\"trend-title\">{title}</title>"
    );
    let baseline = TOP + PLOT;
    let _ = write!(svg, "<line class=\"trend-axis\" x1=\"0\" y1=\"{baseline}\" x2=\"{width}\" y2=\"{baseline}\"/>");
    for (index, bar) in bars.iter().enumerate() {
        let slot_x = i64::try_from(index).unwrap_or(0).saturating_mul(SLOT);
        let x = slot_x + (SLOT - BAR) / 2;
        let centre = slot_x + SLOT / 2;
        let h = bar_height(bar.points, max);
        let y = baseline - h;
        let label = escape(&bar.label);
        let points = bar.points;
        let _ = write!(
            svg,
            "<g class=\"trend-bar\"><title>{label}: {points} points</title>\
             <rect x=\"{x}\" y=\"{y}\" width=\"{BAR}\" height=\"{h}\" rx=\"3\"/>\
             <text class=\"trend-value\" x=\"{centre}\" y=\"{value_y}\" text-anchor=\"middle\">{points}</text>\
             <text class=\"trend-label\" x=\"{centre}\" y=\"{label_y}\" text-anchor=\"middle\">{label}</text></g>",
            value_y = y - 4,
            label_y = baseline + 18,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A bar's height: proportional to `max`, at least `MIN_BAR` when it has points, none
/// for zero or a loss.
fn bar_height(points: i64, max: i64) -> i64 {
    if points <= 0 {
        return 0;
    }
    (points.saturating_mul(PLOT) / max.max(1)).clamp(MIN_BAR, PLOT)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(label: &str, points: i64) -> Bar {
        Bar { label: label.to_owned(), points }
    }

    #[test]
    fn bars_scale_to_the_tallest_and_carry_their_labels_and_points() {
        let svg = bar_chart("Points per day", &[bar("Mon", 30), bar("Tue", 60), bar("Wed", 0)]);
        assert!(svg.starts_with("<svg class=\"trend-chart\" viewBox=\"0 0 192 168\""), "{svg}");
        assert!(svg.ends_with("</svg>"));
        assert!(svg.contains("<title id=\"trend-title\">Points per day</title>"));
        // 60 is the tallest: the full 120; 30 is half of it; 0 draws nothing.
        assert!(svg.contains("<rect x=\"76\" y=\"20\" width=\"40\" height=\"120\""), "{svg}");
        assert!(svg.contains("<rect x=\"12\" y=\"80\" width=\"40\" height=\"60\""), "{svg}");
        assert!(svg.contains("<rect x=\"140\" y=\"140\" width=\"40\" height=\"0\""), "{svg}");
        assert_eq!(svg.matches("<g class=\"trend-bar\">").count(), 3);
        assert!(svg.contains("<title>Tue: 60 points</title>"));
        assert!(svg.contains(">Wed</text>"));
    }

    #[test]
    fn labels_and_title_are_escaped() {
        let svg = bar_chart("<script>", &[bar("a<b>&\"c'", 5)]);
        assert!(!svg.contains("<script>") && !svg.contains("a<b>"), "{svg}");
        assert!(svg.contains("&lt;script&gt;"));
        assert!(svg.contains(">a&lt;b&gt;&amp;&quot;c&#39;</text>"), "{svg}");
    }

    #[test]
    fn small_bars_stay_visible_and_losses_draw_empty() {
        assert_eq!(bar_height(1, 10_000), MIN_BAR);
        assert_eq!(bar_height(-7, 10), 0);
        assert_eq!(bar_height(10, 10), PLOT);
        let svg = bar_chart("Trend", &[bar("Jan", -7)]);
        assert!(svg.contains("height=\"0\"") && svg.contains(">-7</text>"), "{svg}");
    }

    #[test]
    fn no_bars_is_an_empty_chart_not_a_division_by_zero() {
        let svg = bar_chart("Trend", &[]);
        assert!(svg.contains("viewBox=\"0 0 64 168\""), "{svg}");
        assert!(!svg.contains("<rect"));
    }
}
