//! The report: every run as JSON lines and as Markdown tables, with the ratios the
//! issue's targets are stated in.

use serde::Serialize;

use super::driver::Stats;

#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub label: String,
    pub backend: String,
    pub instance_bytes: usize,
    /// Right after start, before any request.
    pub started_rss_mb: Option<f64>,
    /// After the floor was built (sign-ins, 1,000+ writes), before the runs.
    pub idle_rss_mb: Option<f64>,
    pub mixed_peak_rss_mb: Option<f64>,
    pub open_sockets: usize,
    pub runs: Vec<Stats>,
}

impl Report {
    fn find(&self, scenario: &str, mode: &str, c: usize) -> Option<&Stats> {
        self.runs.iter().find(|s| s.scenario == scenario && s.mode == mode && s.concurrency == c)
    }

    pub fn markdown(&self) -> String {
        let mut out = format!(
            "### {} ({})\n\nInstance document: {} bytes. Server RSS at start: {}; idle after the setup: {}. Peak RSS under the mixed workload with {} open sockets: {}.\n\n",
            self.label,
            self.backend,
            self.instance_bytes,
            mb(self.started_rss_mb),
            mb(self.idle_rss_mb),
            self.open_sockets,
            mb(self.mixed_peak_rss_mb),
        );
        out.push_str("| scenario | mode | c | req/s | p50 ms | p90 ms | p99 ms | max ms | errors | vs raw |\n");
        out.push_str("|---|---|---|---|---|---|---|---|---|---|\n");
        for s in &self.runs {
            let ratio = if s.mode == "http" {
                self.find(&s.scenario, "raw", s.concurrency).map_or(String::new(), |raw| ratio(s.rps, raw.rps))
            } else {
                String::new()
            };
            out.push_str(&format!(
                "| {} | {} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2} | {} | {} |\n",
                s.scenario, s.mode, s.concurrency, s.rps, s.p50_ms, s.p90_ms, s.p99_ms, s.max_ms, s.errors, ratio
            ));
        }
        out
    }
}

fn mb(value: Option<f64>) -> String {
    value.map_or("n/a".to_owned(), |v| format!("{v:.1} MB"))
}

fn ratio(http: f64, raw: f64) -> String {
    if raw > 0.0 { format!("{:.2}x", http / raw) } else { String::new() }
}
