//! Renders each report from sample data and reads the PDF back with poppler's
//! `pdftotext` and `pdfinfo` (installed by `.ci/run`): the words a reader sees, not
//! just "some bytes came out".

use sentinelops_reports::{
    ActivityLine, Counts, DayRow, ExceptionLine, HandoverLine, Item, OverrideLine, PeriodReport, PeriodTotals,
    ShiftCell, ShiftReport, Status, Subitem, Tone,
};
use sentinelops_testkit::pdf::Pdf;

fn status(code: &str, tone: Tone) -> Status {
    Status::of(code, tone)
}

fn sample_item(n: usize) -> Item {
    let failed = n % 7 == 3;
    Item {
        title: format!("Check backup job {n}"),
        description: Some("Confirm the overnight backup finished and its size is plausible.".into()),
        kind: "Timed 07:40 · severity 3 · required".into(),
        status: if failed { status("FAILED", Tone::Red) } else { status("COMPLETED", Tone::Green) },
        by: Some("Tendai Moyo".into()),
        at: Some("09 Apr 2026 07:41".into()),
        execution: Some("4m 10s".into()),
        skipped_reason: None,
        failure_reason: failed.then(|| format!("Backup {n} missing on the vault")),
        verdict: failed.then(|| "Accepted: vendor ticket raised".into()),
        verdict_by: failed.then(|| "Ann Supervisor".into()),
        verdict_at: failed.then(|| "09 Apr 2026 14:50".into()),
        subitems: vec![
            Subitem {
                title: "Vault A".into(),
                description: None,
                status: status("COMPLETED", Tone::Green),
                by: Some("Αθηνά Παππά".into()),
                at: Some("07:42".into()),
                execution: None,
                reason: None,
            },
            Subitem {
                title: "Vault B".into(),
                description: Some("Secondary site".into()),
                status: status("SKIPPED", Tone::Amber),
                by: Some("Tendai Moyo".into()),
                at: Some("07:43".into()),
                execution: None,
                reason: Some("Skipped: link down at the secondary site".into()),
            },
        ],
    }
}

fn counts_of(items: &[Item]) -> Counts {
    let mut counts = Counts::default();
    for item in items {
        counts.items += 1;
        match item.status.label.as_str() {
            "COMPLETED" => counts.completed += 1,
            "FAILED" => counts.failed += 1,
            other => unreachable!("the sample has no {other} item"),
        }
        counts.subitems += 2;
        counts.subitems_completed += 1;
    }
    counts
}

fn sample_shift(items: usize, activity: usize) -> ShiftReport {
    let sampled: Vec<Item> = (1..=items).map(sample_item).collect();
    ShiftReport {
        checklist: "Morning Operations Checklist".into(),
        description: Some("Daily controls of the bank's core systems.".into()),
        section: "Core Banking".into(),
        shift: "Morning".into(),
        date: "09 Apr 2026".into(),
        window: "07:00 – 15:00".into(),
        timezone: "Africa/Harare".into(),
        status: status("COMPLETED_WITH_EXCEPTIONS", Tone::Amber),
        created_by: "System".into(),
        worked_by: vec!["Tendai Moyo".into(), "Αθηνά Παππά".into(), "Иван Петров".into()],
        reviewed_by: Some("Ann Supervisor".into()),
        reviewed_at: Some("09 Apr 2026 14:55".into()),
        signed_off: true,
        counts: counts_of(&sampled),
        items: sampled,
        activity: (0..activity)
            .map(|n| ActivityLine {
                at: format!("09 Apr 2026 {:02}:{:02}", 7 + n / 60 % 8, n % 60),
                who: "Иван Петров".into(),
                item: format!("Check backup job {}", n % items.max(1) + 1),
                action: "Completed (IN_PROGRESS → COMPLETED)".into(),
                detail: (n % 5 == 0).then(|| format!("comment {n}")),
            })
            .collect(),
        overrides: vec![OverrideLine {
            at: "09 Apr 2026 14:40".into(),
            who: "Ann Supervisor".into(),
            kind: "REOPEN".into(),
            change: Some("COMPLETED → IN_PROGRESS".into()),
            reason: "Vault B needs a second look".into(),
        }],
        handovers_in: vec![HandoverLine {
            at: "09 Apr 2026 06:55".into(),
            author: "Night Operator".into(),
            priority: "Priority 3".into(),
            route: "From Night shift, 08 Apr 2026".into(),
            content: "Core switch reboot scheduled for 10:00.".into(),
            state: "Acknowledged by Tendai Moyo".into(),
        }],
        handovers_out: vec![HandoverLine {
            at: "09 Apr 2026 14:58".into(),
            author: "Tendai Moyo".into(),
            priority: "Priority 2".into(),
            route: "To Afternoon shift, 09 Apr 2026".into(),
            content: "Vault B link still down; vendor ticket 4411.".into(),
            state: "Open".into(),
        }],
        generated_at: "09 Apr 2026 15:00".into(),
        reference: "0b7f2f64-1d2e-4c53-9d6f-3f5a2c9e7b10".into(),
    }
}

fn sample_period(days: usize) -> PeriodReport {
    PeriodReport {
        section: "Core Banking".into(),
        period: "April 2026".into(),
        range: "01 Apr 2026 – 30 Apr 2026".into(),
        timezone: "Africa/Harare".into(),
        generated_at: "01 May 2026 08:00".into(),
        shifts: vec!["Morning".into(), "Afternoon".into(), "Night".into()],
        days: (1..=days)
            .map(|day| DayRow {
                date: format!("Thu {day:02} Apr"),
                cells: (0..3)
                    .map(|shift| ShiftCell {
                        status: (day + shift != 5).then(|| status("COMPLETED", Tone::Green)),
                        completion: Some("100 %".into()),
                        exceptions: u32::from(shift == 1),
                    })
                    .collect(),
            })
            .collect(),
        totals: PeriodTotals {
            shifts: 90,
            covered: 89,
            closed: 88,
            items: 3560,
            completed: 3500,
            exceptions: 60,
            completion_rate: "98.3 %".into(),
            exception_rate: "1.7 %".into(),
        },
        exceptions: (0..40)
            .map(|n| ExceptionLine {
                date: format!("{:02} Apr 2026", n % 30 + 1),
                shift: "Night".into(),
                item: format!("Check backup job {n}"),
                status: status("SKIPPED", Tone::Amber),
                reason: format!("Reason number {n}"),
                by: Some("Иван Петров".into()),
            })
            .collect(),
        open_handovers: vec![HandoverLine {
            at: "30 Apr 2026 22:50".into(),
            author: "Tendai Moyo".into(),
            priority: "Priority 4".into(),
            route: "To Morning shift, 01 May 2026".into(),
            content: "Firewall change window still open.".into(),
            state: "Open".into(),
        }],
    }
}

/// Typesets with `render`, keeps the PDF and its first page under `target/report-pages/`,
/// and reads the PDF back.
fn typeset(name: &str, render: impl FnOnce() -> Result<Vec<u8>, sentinelops_reports::RenderError>) -> Pdf {
    let bytes = render().unwrap_or_else(|e| unreachable!("render: {e}"));
    let pdf = Pdf::new(&bytes);
    pdf.keep(&sentinelops_testkit::artifact_dir("report-pages").join(name));
    pdf
}

/// Asserts `pdf` reads every phrase of `expected`.
fn assert_reads(pdf: &Pdf, expected: &[&str]) {
    let words = pdf.words();
    for phrase in expected {
        assert!(words.contains(phrase), "the report lacks {phrase:?}:\n{}", pdf.text());
    }
}

#[test]
fn a_shift_report_shows_its_facts_in_words() {
    let report = sample_shift(12, 30);
    let pdf = typeset("sample-shift", || sentinelops_reports::shift_report(&report));
    assert_reads(
        &pdf,
        &[
            "CHECKLIST OPERATIONAL RECORD",
            "Morning Operations Checklist",
            "COMPLETED WITH EXCEPTIONS",
            "Morning shift recorded 10 completed items out of 12.",
            "Exceptions captured: 2 (0 skipped, 2 failed).",
            "Review outcome: Completed With Exceptions.",
            "12. Check backup job 12",
            "Failed: Backup 3 missing on the vault",
            "Skipped: link down at the secondary site",
            "vendor ticket raised",
            "Vault B needs a second look",
            "Core switch reboot scheduled for 10:00.",
            "Vault B link still down; vendor ticket 4411.",
            "Αθηνά Παππά",
            "Иван Петров",
            "Signature of the reviewer",
            "Page 1 of",
        ],
    );
    let cover = pdf.text().split('\u{c}').next().unwrap_or_default().to_owned();
    assert!(!cover.contains("Check backup job 1"), "items belong after the cover:\n{cover}");
    assert!(pdf.pages() >= 3, "cover, items and trail take at least three pages");
}

#[test]
fn an_empty_checklist_still_reads_well() {
    let mut report = sample_shift(0, 0);
    report.reviewed_by = None;
    report.reviewed_at = None;
    report.overrides.clear();
    report.handovers_in.clear();
    report.handovers_out.clear();
    report.worked_by.clear();
    report.description = None;
    let pdf = typeset("sample-empty", || sentinelops_reports::shift_report(&report));
    assert_reads(
        &pdf,
        &[
            "recorded 0 completed items out of 0.",
            "This checklist has no checklist items.",
            "No activity was recorded.",
            "No overrides were made.",
            "Pending review",
            "Awaiting closeout",
            "Nobody joined or acted",
        ],
    );
}

#[test]
fn markup_in_the_data_is_printed_not_evaluated() {
    let mut report = sample_shift(1, 0);
    report.checklist = "#panic(\"x\") *bold* $x$ <label> @ref".into();
    let pdf = typeset("sample-markup", || sentinelops_reports::shift_report(&report));
    assert_reads(&pdf, &["#panic(\"x\") *bold* $x$ <label> @ref"]);
}

#[test]
fn a_period_report_shows_coverage_rates_exceptions_and_open_handovers() {
    let report = sample_period(30);
    let pdf = typeset("sample-period", || sentinelops_reports::period_report(&report));
    assert_reads(
        &pdf,
        &[
            "Core Banking",
            "April 2026",
            "89 of 90",
            "98.3 %",
            "1.7 %",
            "No checklist",
            "Reason number 39",
            "Firewall change window still open.",
        ],
    );
}
