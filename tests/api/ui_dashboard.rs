//! The dashboard, checklist timeline and notification inbox of the web UI over real
//! HTTP, on a fixed clock (12:00 in Harare, during the MORNING shift of 2026-11-25).

use reqwest::StatusCode;
use sentinelops_testkit::t0;
use sentinelops_testkit::ui::{UiSession, attr_after, location};
use sentinelops_testkit::world::World;
use serde_json::json;
use uuid::Uuid;

use crate::listings::instance;
use crate::ui::send_alerts;

const INSTANCES: &str = "/api/v1/checklists/instances";

/// Harare time; "Core Banking" with a template per shift, "Cards" with a MORNING one.
async fn world() -> World {
    World::builder().at(t0()).harare().cards().shift_templates().build().await
}

#[tokio::test]
async fn the_dashboard_shows_todays_checklist_card_start_forms_and_the_attention_queue() {
    let w = world().await;
    let morning = instance(&w.srv, &w.operator, "MORNING", "2026-11-25").await;
    let id = morning["id"].as_str().unwrap();
    let item = morning["items"][1]["id"].as_str().unwrap();
    let path = format!("{INSTANCES}/{id}/items/{item}");
    let (status, body) = w.srv.patch(&path, &w.operator, json!({"status": "FAILED", "reason": "Disk at 97%"})).await;
    assert_eq!(status, 200, "{body}");

    let session = UiSession::sign_in(&w.srv, "olu.operator").await;
    let (status, page) = session.html("/ui/dashboard").await;
    assert_eq!(status, 200);
    // The card: its link, the shift, status, counts and the exception.
    assert!(page.contains(&format!("data-checklist-card=\"{id}\"")), "{page}");
    assert!(page.contains(&format!("href=\"/ui/checklists/{id}\">Morning</a>")), "{page}");
    assert!(page.contains("Core Banking · Morning Core Banking"), "{page}");
    assert!(page.contains("1 of 2 actioned"), "{page}");
    assert!(page.contains("0 skipped, 1 failed"), "{page}");
    // The morning shift runs now, so its end and a countdown are shown.
    assert!(page.contains("<strong>Morning shift</strong> is running"), "{page}");
    assert!(page.contains("data-deadline=\"2026-11-25T13:00:00+00:00\""), "{page}");
    // The other shifts can be started; the morning one exists already.
    assert!(page.contains("name=\"shift\" value=\"AFTERNOON\""), "{page}");
    assert!(page.contains("name=\"shift\" value=\"NIGHT\""), "{page}");
    assert!(!page.contains("name=\"shift\" value=\"MORNING\""), "{page}");
    // The attention queue: the exception and the empty shift.
    let attention = &page[page.find("Needs attention").unwrap()..];
    assert!(attention.contains("1 exception(s) on MORNING"), "{attention}");
    assert!(attention.contains("MORNING shift has nobody on it"), "{attention}");
    // The live fragment carries the same card, without the layout.
    let (status, fragment) = session.html("/ui/dashboard/live").await;
    assert_eq!(status, 200);
    assert!(fragment.contains(&format!("data-checklist-card=\"{id}\"")));
    assert!(!fragment.contains("<html"));

    // Another section's operator sees none of it, and a Cards start form instead.
    let cards = UiSession::sign_in(&w.srv, "cara.operator").await;
    let (_, other) = cards.html("/ui/dashboard").await;
    assert!(!other.contains(id), "{other}");
    assert!(other.contains("name=\"shift\" value=\"MORNING\""), "{other}");
    // An administrator narrows to a section; a malformed one is a 422 page.
    let root = UiSession::sign_in(&w.srv, "root.admin").await;
    let (_, all) = root.html("/ui/dashboard").await;
    assert!(all.contains("Core Banking") && all.contains("Cards"), "the section filter lists the sections");
    assert!(all.contains(id) && all.contains("Choose a section to start its checklists."), "{all}");
    let (_, narrowed) = root.html(&format!("/ui/dashboard?section={}", w.section)).await;
    assert!(narrowed.contains(id) && narrowed.contains(&format!("name=\"section_id\" value=\"{}\"", w.section)));
    let (status, _) = root.html("/ui/dashboard?section=nope").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_dashboard_lists_handover_notes_incoming_to_the_running_shift() {
    let w = world().await;
    let night = instance(&w.srv, &w.operator, "NIGHT", "2026-11-24").await;
    let body = json!({"content": "Batch <job> 7 still running", "priority": 3, "from_instance_id": night["id"]});
    let (status, note) = w.srv.post("/api/v1/checklists/handover-notes", &w.operator, body).await;
    assert!(status.is_success(), "{note}");
    let session = UiSession::sign_in(&w.srv, "olu.operator").await;
    let (_, page) = session.html("/ui/dashboard").await;
    let handover = &page[page.find("Incoming handover").unwrap()..];
    // Escaped, with where it came from and a link to the morning checklist it was routed to.
    assert!(handover.contains("Batch &#60;job&#62; 7 still running"), "{handover}");
    assert!(handover.contains("From Night shift, 2026-11-24 by olu.operator"), "{handover}");
    assert!(handover.contains("Open checklist</a>"), "{handover}");
}

#[tokio::test]
async fn the_timeline_filters_and_pages_and_stays_in_the_operators_section() {
    let w = world().await;
    // 22 mornings (Nov 4 – Nov 25) and one night.
    for day in 4..=25 {
        instance(&w.srv, &w.operator, "MORNING", &format!("2026-11-{day:02}")).await;
    }
    let night = instance(&w.srv, &w.operator, "NIGHT", "2026-11-24").await;
    let cards = instance(&w.srv, &w.cards().operator, "MORNING", "2026-11-25").await;
    let session = UiSession::sign_in(&w.srv, "olu.operator").await;

    let (status, first) = session.html("/ui/checklists").await;
    assert_eq!(status, 200);
    assert!(first.contains("23 checklists · page 1 of 2"), "{first}");
    assert_eq!(first.matches("<tr>").count(), 1 + 20, "a header and 20 rows");
    assert!(first.contains("href=\"/ui/checklists?page=2\""), "{first}");
    // An operator never sees another section's checklist.
    assert!(!first.contains(cards["id"].as_str().unwrap()), "{first}");
    let (_, second) = session.html("/ui/checklists?page=2").await;
    assert_eq!(second.matches("<tr>").count(), 1 + 3);
    let table = &second[second.find("<table").unwrap()..];
    assert!(table.contains("2026-11-04") && !table.contains("2026-11-25"), "{table}");

    // Filters: shift, date range, search text; the paging links keep them.
    let (_, nights) = session.html("/ui/checklists?shift=NIGHT").await;
    assert!(nights.contains("id=\"timeline-count\">1 checklist</p>"), "{nights}");
    assert!(nights.contains(night["id"].as_str().unwrap()));
    assert_eq!(nights.matches("<tr>").count(), 2);
    let (_, range) = session.html("/ui/checklists?start_date=2026-11-20&end_date=2026-11-22&shift=").await;
    assert!(range.contains("3 checklists"), "{range}");
    let (_, search) = session.html("/ui/checklists?search=Night+Core").await;
    assert_eq!(search.matches("<tr>").count(), 2, "{search}");
    let (_, none) = session.html("/ui/checklists?status=COMPLETED").await;
    assert!(none.contains("No checklist matches these filters"), "{none}");
    // Bad filters are a 422 page with the message, never a 500.
    let (status, bad) = session.html("/ui/checklists?start_date=yesterday").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.contains("is not a date"), "{bad}");
    let (status, _) = session.html("/ui/checklists?status=bogus").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn starting_a_checklist_from_the_timeline_creates_it_once_and_goes_to_it() {
    let w = world().await;
    let session = UiSession::sign_in(&w.srv, "olu.operator").await;
    let (_, timeline) = session.html("/ui/checklists").await;
    // The date defaults to the operational day.
    assert!(timeline.contains("name=\"checklist_date\" type=\"date\" value=\"2026-11-25\""), "{timeline}");

    let fields = [("shift", "AFTERNOON"), ("checklist_date", "2026-11-25")];
    let first = session.post("/ui/checklists", &fields).await;
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    let to = location(&first);
    let id: Uuid = to.strip_prefix("/ui/checklists/").unwrap().parse().unwrap();
    let (status, created) = w.srv.get(&format!("{INSTANCES}/{id}"), &w.operator).await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["shift"], "AFTERNOON");
    // A second start answers the same checklist.
    let again = session.post("/ui/checklists", &[("shift", "AFTERNOON")]).await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&again), to);

    // Errors re-render the page with the message: a bad date, a shift without a template.
    let bad = session.post("/ui/checklists", &[("shift", "NIGHT"), ("checklist_date", "soon")]).await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().await.unwrap().contains("is not a date"));
    let cards = UiSession::sign_in(&w.srv, "cara.operator").await;
    let missing = cards.post("/ui/checklists", &[("shift", "NIGHT")]).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(missing.text().await.unwrap().contains("No active NIGHT template"));
}

async fn badge(session: &UiSession) -> String {
    session.html("/ui/notifications/badge").await.1
}

#[tokio::test]
async fn marking_notifications_read_one_or_all_lowers_the_badge() {
    let w = world().await;
    send_alerts(&w.srv, w.operator.id, 3).await;
    let session = UiSession::sign_in(&w.srv, "olu.operator").await;
    assert!(badge(&session).await.contains("data-count=\"3\""));

    let (status, inbox) = session.html("/ui/notifications").await;
    assert_eq!(status, 200);
    // Newest first.
    let (a2, a0) = (inbox.find("Alert 2").unwrap(), inbox.find("Alert 0").unwrap());
    assert!(a2 < a0, "newest first");
    let id = attr_after(&inbox, "data-notification=", "data-notification");
    let marked = session.post_fetch(&format!("/ui/notifications/{id}/read"), &[("page", "1")]).await;
    assert_eq!(marked.status(), 200);
    let fragment = marked.text().await.unwrap();
    assert_eq!(fragment.matches("class=\"card inbox-row unread").count(), 2, "{fragment}");
    assert!(badge(&session).await.contains("data-count=\"2\""));
    // The unread filter shows only the two left.
    let (_, unread) = session.html("/ui/notifications?unread=1").await;
    assert_eq!(unread.matches("data-notification=").count(), 2);

    // Someone else's notification, or no such one: 404, not 500.
    let other = session.post(&format!("/ui/notifications/{}/read", Uuid::new_v4()), &[]).await;
    assert_eq!(other.status(), StatusCode::NOT_FOUND);

    let all = session.post("/ui/notifications/read-all", &[]).await;
    assert_eq!(all.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&all), "/ui/notifications?page=1");
    assert!(!badge(&session).await.contains("data-count"));
    let (_, unread) = session.html("/ui/notifications?unread=1").await;
    assert!(unread.contains("No unread notifications"), "{unread}");
}

#[tokio::test]
async fn a_failed_item_reaches_the_managers_inbox_and_opens_its_checklist() {
    let w = world().await;
    let morning = instance(&w.srv, &w.operator, "MORNING", "2026-11-25").await;
    let id = morning["id"].as_str().unwrap();
    let item = morning["items"][0]["id"].as_str().unwrap();
    let path = format!("{INSTANCES}/{id}/items/{item}");
    let (status, body) = w.srv.patch(&path, &w.operator, json!({"status": "FAILED", "reason": "Link down"})).await;
    assert_eq!(status, 200, "{body}");
    let session = UiSession::sign_in(&w.srv, "mary.manager").await;
    let (_, inbox) = session.html("/ui/notifications").await;
    // Critical alerts stand out.
    assert!(inbox.contains("class=\"card inbox-row unread critical\""), "{inbox}");
    assert!(inbox.contains("badge priority-critical"), "{inbox}");
    let note = attr_after(&inbox, "data-notification=", "data-notification");
    let open = session.post(&format!("/ui/notifications/{note}/open"), &[("instance", id)]).await;
    assert_eq!(open.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&open), format!("/ui/checklists/{id}"));
    let (_, badge) = session.html("/ui/notifications/badge").await;
    assert!(!badge.contains("data-count"), "{badge}");
}

#[tokio::test]
async fn preferences_save_and_a_bad_quiet_hour_is_an_inline_422() {
    let w = world().await;
    let session = UiSession::sign_in(&w.srv, "olu.operator").await;
    let (_, form) = session.html("/ui/notifications/preferences").await;
    assert!(form.contains("name=\"email\" id=\"pref-email\" checked"), "{form}");
    assert!(!form.contains("name=\"sms\" id=\"pref-sms\" checked"), "{form}");

    let fields = [("sms", "on"), ("quiet_hours_start", "22:00"), ("quiet_hours_end", "06:30")];
    let saved = session.post("/ui/notifications/preferences", &fields).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let (status, prefs) = w.srv.get("/api/v1/notifications/preferences", &w.operator).await;
    assert_eq!(status, 200, "{prefs}");
    assert_eq!(prefs["email_notifications"], false);
    assert_eq!(prefs["sms_notifications"], true);
    assert_eq!(prefs["quiet_hours_start"], "22:00");
    let (_, form) = session.html("/ui/notifications/preferences").await;
    assert!(form.contains("name=\"sms\" id=\"pref-sms\" checked") && form.contains("value=\"06:30\""), "{form}");

    let bad = [("email", "on"), ("quiet_hours_start", "25:99"), ("quiet_hours_end", "06:30")];
    let refused = session.post("/ui/notifications/preferences", &bad).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = refused.text().await.unwrap();
    assert!(page.contains("id=\"quiet-start-error\" role=\"alert\">Quiet hours start must be a time of day"), "{page}");
    assert!(page.contains("aria-invalid=\"true\""));
    // What was typed comes back; nothing was stored.
    assert!(page.contains("value=\"25:99\""));
    let (_, prefs) = w.srv.get("/api/v1/notifications/preferences", &w.operator).await;
    assert_eq!(prefs["quiet_hours_start"], "22:00");
}

#[tokio::test]
async fn supervisors_choose_their_report_mails_and_operators_are_not_asked() {
    let w = world().await;
    let operator = UiSession::sign_in(&w.srv, "olu.operator").await;
    let (_, form) = operator.html("/ui/notifications/preferences").await;
    assert!(!form.contains("Reports by e-mail") && !form.contains("pref-shift-report"), "{form}");
    // An operator's save leaves the report choices unmade.
    let saved = operator.post("/ui/notifications/preferences", &[("email", "on")]).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);

    let manager = UiSession::sign_in(&w.srv, "mary.manager").await;
    let (_, form) = manager.html("/ui/notifications/preferences").await;
    assert!(form.contains("Reports by e-mail"), "{form}");
    assert!(form.contains("name=\"shift_report\" id=\"pref-shift-report\" checked"), "on by default: {form}");
    assert!(!form.contains("name=\"daily_digest\" id=\"pref-daily-digest\" checked"), "off by default: {form}");

    let fields = [("email", "on"), ("reports", "1"), ("daily_digest", "on")];
    let saved = manager.post("/ui/notifications/preferences", &fields).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let (_, prefs) = w.srv.get("/api/v1/notifications/preferences", &w.manager).await;
    assert_eq!((prefs["shift_report_email"].clone(), prefs["daily_digest_email"].clone()), (json!(false), json!(true)));
    let (_, form) = manager.html("/ui/notifications/preferences").await;
    assert!(form.contains("name=\"daily_digest\" id=\"pref-daily-digest\" checked"), "{form}");
    assert!(!form.contains("name=\"shift_report\" id=\"pref-shift-report\" checked"), "{form}");
}
