//! Coverage (issue 20 item 5): minimums per section and shift, set by the section's
//! managers or an admin; each day's rostered headcount against them; and the job that
//! alerts the managers of a short shift a day ahead and again an hour before — once per
//! threshold, even with two instances running it at the same moment, not when covered,
//! and at the right instant across a DST change.

use chrono::{DateTime, TimeZone, Utc};
use sentinelops_app::jobs::Job;
use sentinelops_testkit::PASSWORD;
use sentinelops_testkit::world::{Member, World};
use sentinelops_testkit::{Options, TestServer};
use serde_json::{Value, json};

const MINIMUMS: &str = "/api/v1/checklists/coverage-minimums";
const COVERAGE: &str = "/api/v1/checklists/coverage";
const ROSTER: &str = "/api/v1/checklists/scheduled-shifts";

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

async fn shift_id(w: &World, name: &str) -> i64 {
    let (_, shifts) = w.srv.get("/api/v1/checklists/shifts", &fresh(w, &w.operator).await).await;
    shifts.as_array().unwrap().iter().find(|s| s["name"] == name).unwrap()["id"].as_i64().unwrap()
}

async fn set_minimum(w: &World, token: &str, shift: &str, minimum: i64) -> (u16, Value) {
    let body = json!({"section_id": w.section, "shift_id": shift_id(w, shift).await, "minimum": minimum});
    let (status, answer) = w.srv.put(MINIMUMS, token, body).await;
    (status.as_u16(), answer)
}

/// (shift name, minimum) of the section, as `token` reads them.
async fn minimums(w: &World, token: &str) -> Vec<(String, i64)> {
    let (status, body) = w.srv.get(&format!("{MINIMUMS}?section_id={}", w.section), token).await;
    assert_eq!(status, 200, "{body}");
    body["minimums"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["shift_name"].as_str().unwrap().to_owned(), m["minimum"].as_i64().unwrap()))
        .collect()
}

async fn schedule(w: &World, user: uuid::Uuid, shift: &str, date: &str) {
    let body = json!({"shift_id": shift_id(w, shift).await, "user_id": user, "date": date});
    let (status, answer) = w.srv.post(ROSTER, &w.manager, body).await;
    assert_eq!(status, 200, "{answer}");
}

#[tokio::test]
async fn minimums_are_set_by_the_sections_managers_and_admins_and_read_by_its_people() {
    let w = World::builder().at(at(2026, 11, 25, 10, 0)).cards().build().await;
    let none = vec![("MORNING".to_owned(), 0), ("AFTERNOON".to_owned(), 0), ("NIGHT".to_owned(), 0)];
    assert_eq!(minimums(&w, &w.operator).await, none, "no minimum by default");

    let (status, set) = set_minimum(&w, &w.manager, "MORNING", 2).await;
    assert_eq!((status, set["minimum"].clone(), set["shift_name"].clone()), (200, json!(2), json!("MORNING")));
    assert_eq!(set_minimum(&w, &w.admin, "NIGHT", 1).await.0, 200);
    assert_eq!(set_minimum(&w, &w.manager, "MORNING", 3).await.0, 200, "set again: replaced");
    // Refused, and nothing changes.
    assert_eq!(set_minimum(&w, &w.operator, "MORNING", 9).await.0, 403, "operators do not set minimums");
    assert_eq!(set_minimum(&w, &w.cards().manager, "MORNING", 9).await.0, 403, "another section's manager");
    for (bad, why) in [(-1, "between 0 and 1000"), (1001, "between 0 and 1000")] {
        let (status, body) = set_minimum(&w, &w.manager, "MORNING", bad).await;
        assert_eq!(status, 422, "{body}");
        assert!(body["detail"].as_str().unwrap().contains(why), "{body}");
    }
    let body = json!({"section_id": w.section, "shift_id": 999, "minimum": 1});
    let (status, answer) = w.srv.put(MINIMUMS, &w.manager, body).await;
    assert_eq!((status.as_u16(), answer["detail"].clone()), (422, json!("shift_id 999 does not exist")));
    let nowhere = json!({"section_id": uuid::Uuid::now_v7(), "shift_id": 1, "minimum": 1});
    assert_eq!(w.srv.put(MINIMUMS, &w.admin, nowhere).await.0, 404, "an admin naming no section");
    assert_eq!(w.srv.put(MINIMUMS, &w.manager, json!({"section_id": w.section})).await.0, 422);
    let expected = vec![("MORNING".to_owned(), 3), ("AFTERNOON".to_owned(), 0), ("NIGHT".to_owned(), 1)];
    assert_eq!(minimums(&w, &w.operator).await, expected);
    assert_eq!(minimums(&w, &w.admin).await, expected);

    // Reading is the section's: another section gets 403, an admin must name one.
    let path = format!("{MINIMUMS}?section_id={}", w.section);
    assert_eq!(w.srv.get(&path, &w.cards().operator).await.0, 403);
    assert_eq!(w.srv.get(&path, &w.cards().manager).await.0, 403);
    let (status, own) = w.srv.get(MINIMUMS, &w.cards().manager).await;
    assert_eq!((status.as_u16(), own["section_id"].clone()), (200, json!(w.cards().id)));
    assert!(own["minimums"].as_array().unwrap().iter().all(|m| m["minimum"] == 0), "Cards has its own: {own}");
    let (status, body) = w.srv.get(MINIMUMS, &w.admin).await;
    assert_eq!((status.as_u16(), body["detail"].clone()), (422, json!("section_id is required")));
}

#[tokio::test]
async fn coverage_counts_the_resolved_roster_against_the_minimums_day_by_day() {
    let w = World::builder().at(at(2026, 11, 25, 10, 0)).cards().colleague().build().await;
    assert_eq!(set_minimum(&w, &w.manager, "MORNING", 2).await.0, 200);
    // Olu: mornings on the 25th and 26th; Ada: the 25th's morning and the 26th's night;
    // then Ada's 26th is a day off (approved), so only the minimum counts there.
    schedule(&w, w.operator.id, "MORNING", "2026-11-25").await;
    schedule(&w, w.operator.id, "MORNING", "2026-11-26").await;
    schedule(&w, w.colleague().id, "MORNING", "2026-11-25").await;
    schedule(&w, w.colleague().id, "NIGHT", "2026-11-26").await;
    let off =
        json!({"user_id": w.colleague().id, "start_date": "2026-11-26", "end_date": "2026-11-26", "approved": true});
    assert_eq!(w.srv.post("/api/v1/checklists/days-off", &w.manager, off).await.0, 200);

    let (status, body) = w.srv.get(&format!("{COVERAGE}?start_date=2026-11-25&end_date=2026-11-26"), &w.operator).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["section_id"], json!(w.section));
    let cells: Vec<(String, String, i64, i64, i64)> = body["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["date"].as_str().unwrap().to_owned(),
                c["shift_name"].as_str().unwrap().to_owned(),
                c["rostered"].as_i64().unwrap(),
                c["minimum"].as_i64().unwrap(),
                c["short_by"].as_i64().unwrap(),
            )
        })
        .collect();
    let cell = |d: &str, s: &str, r: i64, m: i64, short: i64| (d.to_owned(), s.to_owned(), r, m, short);
    assert_eq!(
        cells,
        [
            cell("2026-11-25", "MORNING", 2, 2, 0),
            cell("2026-11-25", "AFTERNOON", 0, 0, 0),
            cell("2026-11-25", "NIGHT", 0, 0, 0),
            cell("2026-11-26", "MORNING", 1, 2, 1),
            cell("2026-11-26", "AFTERNOON", 0, 0, 0),
            cell("2026-11-26", "NIGHT", 0, 0, 0),
        ]
    );

    // By default: two weeks from today.
    let (_, two_weeks) = w.srv.get(COVERAGE, &w.manager).await;
    assert_eq!(
        (two_weeks["start_date"].clone(), two_weeks["end_date"].clone()),
        (json!("2026-11-25"), json!("2026-12-08"))
    );
    assert_eq!(two_weeks["days"].as_array().unwrap().len(), 14 * 3);
    // Ranges are capped like the roster's; the section is the caller's.
    let long = format!("{COVERAGE}?start_date=2026-01-01&end_date=2027-06-01");
    assert_eq!(w.srv.get(&long, &w.manager).await.0, 422);
    let backwards = format!("{COVERAGE}?start_date=2026-11-26&end_date=2026-11-25");
    assert_eq!(w.srv.get(&backwards, &w.manager).await.0, 422);
    let theirs = format!("{COVERAGE}?section_id={}", w.section);
    assert_eq!(w.srv.get(&theirs, &w.cards().manager).await.0, 403);
    assert_eq!(w.srv.get(&theirs, &w.cards().operator).await.0, 403);
    let (status, cards) = w.srv.get(COVERAGE, &w.cards().operator).await;
    assert_eq!((status.as_u16(), cards["section_id"].clone()), (200, json!(w.cards().id)));
    assert!(cards["days"].as_array().unwrap().iter().all(|c| c["rostered"] == 0 && c["short_by"] == 0));
    assert_eq!(w.srv.get(&theirs, &w.admin).await.0, 200);
    assert_eq!(w.srv.get(COVERAGE, &w.admin).await.0, 422, "an admin names the section");
}

/// A session of `who` now (the clock jumps days: older sessions have lapsed).
async fn fresh(w: &World, who: &Member) -> String {
    w.srv.login(&who.username, PASSWORD).await
}

/// The coverage notices `who` received, newest first: the heads-up a day ahead, and the
/// alert (issue 21) still short an hour before.
async fn alerts(w: &World, who: &Member) -> Vec<String> {
    let (status, list) = w.srv.get("/api/v1/notifications/?unread_only=false&limit=100", &fresh(w, who).await).await;
    assert_eq!(status, 200, "{list}");
    list.as_array()
        .unwrap()
        .iter()
        .filter(|n| n["related_entity"] == "roster_coverage" || n["related_entity"] == "alert")
        .map(|n| n["title"].as_str().unwrap().to_owned())
        .collect()
}

/// Runs the coverage job at `when` on both instances at once, three times over, both
/// through the job runner (its lease) and straight (the claim alone); the alerts sent.
async fn race(w: &World, other: &TestServer, when: DateTime<Utc>) -> usize {
    w.clock.set(when);
    let mut sent = 0;
    for _ in 0..3 {
        let (a, b) = tokio::join!(w.srv.app.run_job(Job::CoverageAlerts), other.app.run_job(Job::CoverageAlerts));
        sent += a.unwrap().unwrap_or(0) + b.unwrap().unwrap_or(0);
        let (a, b) = tokio::join!(w.srv.app.send_coverage_alerts(), other.app.send_coverage_alerts());
        sent += a.unwrap() + b.unwrap();
    }
    sent
}

async fn second_instance(w: &World) -> TestServer {
    TestServer::start_on(w.srv.database().clone(), Options { clock: Some(w.clock.clone()), ..Default::default() }).await
}

#[tokio::test]
async fn a_short_shift_alerts_the_managers_a_day_ahead_then_an_hour_before_once_each_with_two_instances() {
    // Harare (UTC+2): MORNING is 07:00–15:00 local, 05:00–13:00 UTC.
    let w = World::builder().at(at(2026, 11, 25, 10, 0)).harare().cards().colleague().build().await;
    let other = second_instance(&w).await;
    assert_eq!(set_minimum(&w, &w.manager, "MORNING", 1).await.0, 200);
    // The 26th's morning is covered; the 27th's has nobody; the 28th's is covered.
    schedule(&w, w.operator.id, "MORNING", "2026-11-26").await;
    schedule(&w, w.colleague().id, "MORNING", "2026-11-28").await;

    assert_eq!(race(&w, &other, at(2026, 11, 26, 4, 59)).await, 0, "covered, and the 27th is more than a day off");
    assert_eq!(race(&w, &other, at(2026, 11, 26, 5, 0)).await, 1, "a day ahead of the 27th's start: once");
    assert_eq!(alerts(&w, &w.manager).await, ["Coverage short • Core Banking MORNING shift in 24 h"]);
    assert_eq!(race(&w, &other, at(2026, 11, 27, 3, 59)).await, 0, "not again before the last hour");
    assert_eq!(race(&w, &other, at(2026, 11, 27, 4, 0)).await, 1, "still short an hour before: once more");
    assert_eq!(race(&w, &other, at(2026, 11, 27, 4, 59)).await, 0);
    assert_eq!(
        alerts(&w, &w.manager).await,
        [
            "Still coverage short • Core Banking MORNING shift in 60 min",
            "Coverage short • Core Banking MORNING shift in 24 h"
        ]
    );
    // The 28th is covered: nothing a day ahead of it, nor an hour before.
    assert_eq!(race(&w, &other, at(2026, 11, 27, 5, 0)).await, 0);
    assert_eq!(race(&w, &other, at(2026, 11, 28, 4, 0)).await, 0);
    // Only the section's managers hear (not its operators, not another section's manager).
    assert!(alerts(&w, &w.operator).await.is_empty());
    assert!(alerts(&w, &w.cards().manager).await.is_empty());
    // The managers are mailed too (their preference is on by default).
    let mails = w.srv.app.outbox_messages(Some("email"), None).await.unwrap();
    let to_manager: Vec<String> = mails
        .iter()
        .filter(|m| m.payload["to"] == format!("{}@test.local", w.manager.username))
        .map(|m| m.payload["subject"].as_str().unwrap_or_default().to_owned())
        .filter(|s| s.contains("overage short"))
        .collect();
    assert_eq!(to_manager.len(), 2, "{to_manager:?}");
    let mut other = other;
    other.stop().await;
}

#[tokio::test]
async fn a_shift_covered_after_the_first_alert_gets_no_second_and_a_managers_mail_follows_their_preference() {
    let w = World::builder().at(at(2026, 11, 25, 10, 0)).harare().colleague().build().await;
    let off = json!({"email_notifications": false});
    assert_eq!(w.srv.put("/api/v1/notifications/preferences", &w.manager, off).await.0, 200);
    assert_eq!(set_minimum(&w, &w.manager, "NIGHT", 2).await.0, 200);
    schedule(&w, w.operator.id, "NIGHT", "2026-11-26").await;
    // NIGHT of the 26th: 23:00 local = 21:00 UTC, over midnight to 07:00 local on the 27th.
    w.clock.set(at(2026, 11, 25, 21, 0));
    assert_eq!(w.srv.app.run_job(Job::CoverageAlerts).await.unwrap(), Some(1), "one of two rostered: short");
    assert_eq!(alerts(&w, &w.manager).await, ["Coverage short • Core Banking NIGHT shift in 24 h"]);
    let manager = fresh(&w, &w.manager).await;
    let body = json!({"shift_id": shift_id(&w, "NIGHT").await, "user_id": w.colleague().id, "date": "2026-11-26"});
    assert_eq!(w.srv.post(ROSTER, &manager, body).await.0, 200);
    w.clock.set(at(2026, 11, 26, 20, 0));
    assert_eq!(w.srv.app.run_job(Job::CoverageAlerts).await.unwrap(), Some(0), "covered by the last hour");
    assert_eq!(alerts(&w, &w.manager).await.len(), 1);
    let mails = w.srv.app.outbox_messages(Some("email"), None).await.unwrap();
    assert!(
        mails.iter().all(|m| m.payload["to"] != format!("{}@test.local", w.manager.username)),
        "the manager turned e-mail off"
    );
    // A minimum of 0 is none: nothing more, whatever the roster.
    assert_eq!(set_minimum(&w, &fresh(&w, &w.manager).await, "NIGHT", 0).await.0, 200);
    w.clock.set(at(2026, 11, 27, 20, 30));
    assert_eq!(w.srv.app.run_job(Job::CoverageAlerts).await.unwrap(), Some(0));
}

#[tokio::test]
async fn the_hour_before_is_local_time_across_a_dst_change() {
    // London moves to BST on Sunday 28 March 2027: MORNING (07:00 local) of Monday the
    // 29th starts at 06:00 UTC, so its last-hour alert is due at 05:00 UTC, not 06:00.
    let w = World::builder().at(at(2027, 3, 25, 12, 0)).zone("Europe/London").build().await;
    assert_eq!(set_minimum(&w, &w.manager, "MORNING", 1).await.0, 200);
    // Nobody on the 28th's morning either (06:00 UTC, BST already): its last hour first.
    w.clock.set(at(2027, 3, 28, 5, 30));
    assert_eq!(w.srv.app.run_job(Job::CoverageAlerts).await.unwrap(), Some(1), "the 28th's last hour");
    w.clock.set(at(2027, 3, 28, 6, 0));
    assert_eq!(w.srv.app.run_job(Job::CoverageAlerts).await.unwrap(), Some(1), "the 29th, a day ahead");
    w.clock.set(at(2027, 3, 29, 4, 59));
    assert_eq!(w.srv.app.run_job(Job::CoverageAlerts).await.unwrap(), Some(0));
    w.clock.set(at(2027, 3, 29, 5, 0));
    assert_eq!(w.srv.app.run_job(Job::CoverageAlerts).await.unwrap(), Some(1), "an hour before 07:00 BST");
    assert_eq!(
        alerts(&w, &w.manager).await.first().map(String::as_str),
        Some("Still coverage short • Core Banking MORNING shift in 60 min")
    );
}

#[tokio::test]
async fn the_coverage_page_highlights_short_shifts_and_lets_managers_set_minimums() {
    use sentinelops_testkit::ui::UiSession;
    let w = World::builder().at(at(2026, 11, 25, 10, 0)).cards().build().await;
    assert_eq!(set_minimum(&w, &w.manager, "MORNING", 1).await.0, 200);
    schedule(&w, w.operator.id, "MORNING", "2026-11-25").await;

    let manager = UiSession::with_token(&w.srv, &w.manager).await;
    let html = manager.page("/ui/roster/coverage").await;
    assert!(html.contains("coverage-table"), "{html}");
    assert!(html.contains("Wed 25 Nov") && html.contains("Mon 07 Dec"), "14 days: {html}");
    // Today's morning is covered (1 / 1); the 13 mornings after it are short.
    assert!(html.contains(r#"id="short-count">13<"#), "{html}");
    assert_eq!(html.matches(r#"class="short""#).count(), 13);
    let morning = shift_id(&w, "MORNING").await.to_string();
    let section = w.section.to_string();
    let response = manager
        .post("/ui/roster/coverage/minimum", &[("section_id", &section), ("shift_id", &morning), ("minimum", "0")])
        .await;
    assert_eq!(response.status(), 303);
    assert_eq!(minimums(&w, &w.operator).await.first().map(|m| m.1), Some(0));
    let response = manager
        .post("/ui/roster/coverage/minimum", &[("section_id", &section), ("shift_id", &morning), ("minimum", "lots")])
        .await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("whole number"));

    // The section's operator sees the grid, not the form; another section's manager
    // cannot set this section's minimums.
    let operator = UiSession::with_token(&w.srv, &w.operator).await;
    let html = operator.page("/ui/roster/coverage").await;
    assert!(html.contains("coverage-table") && !html.contains("/ui/roster/coverage/minimum"), "{html}");
    let carl = UiSession::with_token(&w.srv, &w.cards().manager).await;
    let response = carl
        .post("/ui/roster/coverage/minimum", &[("section_id", &section), ("shift_id", &morning), ("minimum", "5")])
        .await;
    assert_eq!(response.status(), 403);
    assert_eq!(carl.html(&format!("/ui/roster/coverage?section_id={section}")).await.0, 403);
    assert_eq!(minimums(&w, &w.operator).await.first().map(|m| m.1), Some(0));
}
