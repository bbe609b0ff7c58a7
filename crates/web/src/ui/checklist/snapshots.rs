//! Snapshots of the live checklist's partials rendered with fixed data (no ids or
//! times to redact): an item row pending, failed with its reason, timed and overdue
//! with subitems; the handover panel with incoming and outgoing notes.

#![allow(clippy::unwrap_used)]

use askama::Template;

use super::model::{ActivityLine, HandoverNote, HandoverPanel, ItemRow, SubitemRow, label, status_class};

#[derive(Template)]
#[template(path = "partials/checklist_item.html")]
struct ItemPartial {
    item: ItemRow,
    csrf: String,
    checklist_id: String,
}

#[derive(Template)]
#[template(path = "partials/handover_panel.html")]
struct HandoverPartial {
    handover: HandoverPanel,
    csrf: String,
    checklist_id: String,
}

fn item(status: &str) -> ItemRow {
    let open = matches!(status, "PENDING" | "IN_PROGRESS");
    ItemRow {
        id: "item-1".into(),
        title: "Check backups".into(),
        description: Some("Last night's jobs on both sites".into()),
        item_type: "Routine".into(),
        severity: 4,
        required: true,
        status: status.into(),
        status_label: label(status),
        status_class: status_class(status),
        due: None,
        overdue: false,
        due_word: "",
        skipped_reason: None,
        failure_reason: None,
        final_verdict: None,
        done_by: None,
        subitems: Vec::new(),
        sub_done: 0,
        sub_total: 0,
        activity: Vec::new(),
        workable: true,
        can_start: status == "PENDING",
        can_act: open,
        can_resolve: matches!(status, "SKIPPED" | "FAILED"),
        needs_verdict: false,
        draft: String::new(),
    }
}

fn render_item(item: ItemRow) -> String {
    ItemPartial { item, csrf: "CSRF".into(), checklist_id: "CHECKLIST".into() }.render().unwrap()
}

#[test]
fn a_pending_item_row() {
    insta::assert_snapshot!(render_item(item("PENDING")));
}

#[test]
fn a_failed_item_row_shows_its_reason_and_trail() {
    let mut row = item("FAILED");
    row.failure_reason = Some("Site B job <timed out>".into());
    row.activity = vec![ActivityLine {
        when: "07:42".into(),
        who: "oscar".into(),
        action: "Escalated".into(),
        change: Some("Pending → Failed".into()),
        text: Some("Site B job <timed out>".into()),
    }];
    insta::assert_snapshot!(render_item(row));
}

#[test]
fn a_timed_overdue_item_row_with_subitems() {
    let mut row = item("IN_PROGRESS");
    row.item_type = "Timed".into();
    row.due = Some("08:00".into());
    row.overdue = true;
    row.due_word = "overdue";
    let sub = |id: &str, title: &str, status: &str, reason: Option<&str>| SubitemRow {
        id: id.into(),
        title: title.into(),
        status: status.into(),
        status_label: label(status),
        status_class: status_class(status),
        severity: 2,
        required: false,
        reason: reason.map(str::to_owned),
        can_act: matches!(status, "PENDING" | "IN_PROGRESS"),
    };
    row.subitems = vec![sub("sub-1", "Site A", "COMPLETED", None), sub("sub-2", "Site B", "PENDING", None)];
    row.sub_done = 1;
    row.sub_total = 2;
    insta::assert_snapshot!(render_item(row));
}

#[test]
fn the_handover_panel_lists_incoming_notes_first() {
    let note = |id: &str, content: &str, priority: i32| HandoverNote {
        id: id.into(),
        content: content.into(),
        priority,
        priority_label: super::model::priority_label(priority),
        from: "Night 25 Nov".into(),
        author: "nina".into(),
        created: "26 Nov 06:55".into(),
        automatic: false,
        acknowledged: None,
        resolved: None,
        resolution: None,
    };
    let mut acknowledged = note("note-2", "Printer queue restarted twice", 2);
    acknowledged.acknowledged = Some("oscar at 26 Nov 07:05".into());
    let panel = HandoverPanel {
        incoming: vec![note("note-1", "RTGS link flapped at 03:10", 4), acknowledged],
        outgoing: vec![note("note-3", "Core switch fan is noisy", 3)],
    };
    let html =
        HandoverPartial { handover: panel, csrf: "CSRF".into(), checklist_id: "CHECKLIST".into() }.render().unwrap();
    insta::assert_snapshot!(html);
}
