//! Calendar feeds (issue 20 item 6): a private iCalendar URL per user (made on the first
//! ask, rotated, revoked), read without a session and parsed here with a real iCalendar
//! parser; a section feed for the section's managers naming each person; shift windows
//! in UTC from the business time zone, overnight and across a DST change.

use std::collections::BTreeMap;

use chrono::{NaiveDate, TimeZone, Utc};
use icalendar::{Calendar, CalendarComponent, CalendarDateTime, Component, DatePerhapsTime};
use reqwest::StatusCode;
use sentinelops_testkit::world::World;
use serde_json::{Value, json};

const FEED: &str = "/api/v1/checklists/calendar-feed";
const ROSTER: &str = "/api/v1/checklists/scheduled-shifts";

/// One event as the parser read it: summary, start and end (UTC instants or dates).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    summary: String,
    start: String,
    end: String,
}

fn instant(value: Option<DatePerhapsTime>) -> String {
    match value {
        Some(DatePerhapsTime::DateTime(CalendarDateTime::Utc(t))) => t.format("%Y-%m-%dT%H:%MZ").to_string(),
        Some(DatePerhapsTime::Date(d)) => d.to_string(),
        other => panic!("not a UTC time or a date: {other:?}"),
    }
}

/// GET of a feed path without any session: status, headers and the body.
async fn fetch(w: &World, path: &str) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let response = w.srv.client.get(w.srv.url(path)).send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

/// The feed's events by UID, parsed.
async fn events(w: &World, path: &str) -> BTreeMap<String, Seen> {
    let (status, headers, text) = fetch(w, path).await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(headers["content-type"], "text/calendar; charset=utf-8");
    assert_eq!(headers["cache-control"], "private, no-store");
    assert!(text.lines().all(|l| l.len() <= 76), "lines are folded at 75 octets (plus the CR)");
    assert!(text.split("\r\n").all(|l| !l.contains('\n')), "every line ends in CRLF");
    let calendar: Calendar = text.parse().unwrap_or_else(|e| panic!("{e}: {text}"));
    let mut out = BTreeMap::new();
    for component in &calendar.components {
        if let CalendarComponent::Event(event) = component {
            let seen = Seen {
                summary: event.get_summary().unwrap().to_owned(),
                start: instant(event.get_start()),
                end: instant(event.get_end()),
            };
            assert!(out.insert(event.get_uid().unwrap().to_owned(), seen).is_none(), "UIDs are unique");
        }
    }
    out
}

fn seen(summary: &str, start: &str, end: &str) -> Seen {
    Seen { summary: summary.to_owned(), start: start.to_owned(), end: end.to_owned() }
}

fn find<'a>(events: &'a BTreeMap<String, Seen>, start: &str) -> Vec<&'a Seen> {
    events.values().filter(|e| e.start == start).collect()
}

async fn shift_id(w: &World, name: &str) -> i64 {
    let (_, shifts) = w.srv.get("/api/v1/checklists/shifts", &w.operator).await;
    shifts.as_array().unwrap().iter().find(|s| s["name"] == name).unwrap()["id"].as_i64().unwrap()
}

/// Mornings Monday to Friday for `user` from Monday 23 November 2026, open-ended.
async fn weekday_mornings(w: &World, user: uuid::Uuid) {
    let morning = shift_id(w, "MORNING").await;
    let days: Vec<Value> = (0..7)
        .map(|d| match d {
            0 | 6 => json!({"day_of_week": d, "is_off_day": true}),
            _ => json!({"day_of_week": d, "shift_id": morning, "is_off_day": false}),
        })
        .collect();
    let (_, pattern) = w
        .srv
        .post("/api/v1/checklists/shift-patterns", &w.manager, json!({"name": "Weekdays", "schedule_days": days}))
        .await;
    let body = json!({"users": [user], "pattern_id": pattern["pattern"]["id"], "start_date": "2026-11-23", "section_id": w.section});
    assert_eq!(w.srv.post("/api/v1/checklists/bulk-assign-shifts", &w.manager, body).await.0, 200);
}

async fn feed_path(w: &World, token: &str, query: &str) -> String {
    let (status, body) = w.srv.get(&format!("{FEED}{query}"), token).await;
    assert_eq!(status, 200, "{body}");
    let path = body["path"].as_str().unwrap_or_else(|| panic!("a new feed shows its path: {body}")).to_owned();
    assert!(body["url"].as_str().unwrap().ends_with(&path), "{body}");
    path
}

#[tokio::test]
async fn my_feed_has_my_shifts_in_utc_and_my_days_off_and_a_real_parser_reads_it() {
    // Harare (UTC+2): MORNING 07:00–15:00 is 05:00–13:00 UTC; NIGHT 23:00–07:00 is 21:00–05:00.
    let w =
        World::builder().at(Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap()).harare().colleague().build().await;
    weekday_mornings(&w, w.operator.id).await;
    let night = json!({"shift_id": shift_id(&w, "NIGHT").await, "user_id": w.operator.id, "date": "2026-11-28"});
    assert_eq!(w.srv.post(ROSTER, &w.manager, night).await.0, 200);
    let off = json!({"user_id": w.operator.id, "start_date": "2026-11-30", "end_date": "2026-12-01",
                     "reason": "Family, wedding; travel", "approved": true});
    assert_eq!(w.srv.post("/api/v1/checklists/days-off", &w.manager, off).await.0, 200);

    let path = feed_path(&w, &w.operator, "").await;
    let (_, again) = w.srv.get(FEED, &w.operator).await;
    assert_eq!(again["path"], Value::Null, "only the hash is kept: the URL is shown once");
    assert!(again["created_at"].is_string(), "{again}");

    let mine = events(&w, &path).await;
    assert_eq!(
        find(&mine, "2026-11-25T05:00Z"),
        [&seen("MORNING shift — Core Banking", "2026-11-25T05:00Z", "2026-11-25T13:00Z")]
    );
    assert_eq!(
        find(&mine, "2026-11-28T21:00Z"),
        [&seen("NIGHT shift — Core Banking", "2026-11-28T21:00Z", "2026-11-29T05:00Z")],
        "over midnight"
    );
    assert_eq!(find(&mine, "2026-11-30"), [&seen("Day off", "2026-11-30", "2026-12-02")], "all day, end exclusive");
    assert!(find(&mine, "2026-11-30T05:00Z").is_empty(), "the day off replaces the pattern");
    // 30 days back to 90 ahead: the pattern began on the 23rd; the last is 23 February.
    let mornings: Vec<&String> = mine.values().filter(|e| e.summary.starts_with("MORNING")).map(|e| &e.start).collect();
    assert_eq!(mornings.first().map(|s| s.as_str()), Some("2026-11-23T05:00Z"));
    assert_eq!(mornings.iter().max().map(|s| s.as_str()), Some("2027-02-23T05:00Z"));
    let weekdays = NaiveDate::from_ymd_opt(2026, 11, 23)
        .unwrap()
        .iter_days()
        .take_while(|d| *d <= NaiveDate::from_ymd_opt(2027, 2, 23).unwrap());
    let expected = weekdays.filter(|d| chrono::Datelike::weekday(d).number_from_monday() <= 5).count() - 2;
    assert_eq!(mornings.len(), expected, "every weekday but the two days off");
    // The UIDs are stable: the same events read again are the same events.
    assert_eq!(events(&w, &path).await, mine);
    // Written by hand per RFC 5545: escaped text.
    let (_, _, text) = fetch(&w, &path).await;
    assert!(text.contains("DESCRIPTION:Family\\, wedding\\; travel\r\n"), "{text}");
    assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
    // Someone else's feed is theirs: Ada has none of Olu's shifts.
    let ada = feed_path(&w, w.colleague(), "").await;
    assert!(events(&w, &ada).await.is_empty());
}

#[tokio::test]
async fn rotating_or_revoking_a_feed_makes_its_old_url_a_404() {
    let w = World::builder().at(Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap()).build().await;
    weekday_mornings(&w, w.operator.id).await;
    let first = feed_path(&w, &w.operator, "").await;
    assert_eq!(fetch(&w, &first).await.0, 200);

    let (status, rotated) = w.srv.post(&format!("{FEED}/rotate"), &w.operator, json!({})).await;
    assert_eq!(status, 200, "{rotated}");
    let second = rotated["path"].as_str().unwrap().to_owned();
    assert_ne!(second, first);
    assert_eq!(fetch(&w, &first).await.0, 404, "the old URL is dead");
    assert!(!events(&w, &second).await.is_empty());

    let (status, revoked) = w.srv.delete(FEED, &w.operator).await;
    assert_eq!((status.as_u16(), revoked["revoked"].clone()), (200, json!(true)));
    assert_eq!(fetch(&w, &second).await.0, 404, "revoked");
    let (_, again) = w.srv.delete(FEED, &w.operator).await;
    assert_eq!(again["revoked"], false, "nothing left to revoke");
    // Asking again makes a new one.
    let third = feed_path(&w, &w.operator, "").await;
    assert!(third != first && third != second);
    assert_eq!(fetch(&w, &third).await.0, 200);

    // Anything else under /calendar is a 404 too; no session is needed or used.
    let token = third.trim_start_matches("/calendar/").trim_end_matches(".ics").to_owned();
    for path in [
        format!("/calendar/{token}"),
        format!("/calendar/{token}x.ics"),
        format!("/calendar/{}.ics", "A".repeat(43)),
        "/calendar/..%2F.ics".to_owned(),
        "/calendar/%00.ics".to_owned(),
    ] {
        assert_eq!(fetch(&w, &path).await.0, 404, "{path}");
    }
    // A feed needs a session to manage.
    assert_eq!(w.srv.call(reqwest::Method::GET, FEED, None, None).await.0, 401);
    // A deactivated owner's feed stops.
    let (status, body) =
        w.srv.patch(&format!("/api/v1/users/{}", w.operator.id), &w.admin, json!({"is_active": false})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(fetch(&w, &third).await.0, 404);
}

#[tokio::test]
async fn a_section_feed_is_for_its_managers_and_names_each_person() {
    let w = World::builder()
        .at(Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap())
        .harare()
        .cards()
        .colleague()
        .build()
        .await;
    weekday_mornings(&w, w.operator.id).await;
    let night = json!({"shift_id": shift_id(&w, "NIGHT").await, "user_id": w.colleague().id, "date": "2026-11-25"});
    assert_eq!(w.srv.post(ROSTER, &w.manager, night).await.0, 200);
    let query = format!("?section_id={}", w.section);
    for (token, status) in [(&w.operator.token, 403), (&w.cards().manager.token, 403), (&w.cards().operator.token, 403)]
    {
        assert_eq!(w.srv.get(&format!("{FEED}{query}"), token).await.0, status);
        assert_eq!(w.srv.post(&format!("{FEED}/rotate{query}"), token, json!({})).await.0, status);
        assert_eq!(w.srv.delete(&format!("{FEED}{query}"), token).await.0, status);
    }
    let nowhere = format!("?section_id={}", uuid::Uuid::now_v7());
    assert_eq!(w.srv.get(&format!("{FEED}{nowhere}"), &w.admin).await.0, 404);

    let path = feed_path(&w, &w.manager, &query).await;
    let section = events(&w, &path).await;
    let today: Vec<&Seen> = section.values().filter(|e| e.start.starts_with("2026-11-25")).collect();
    let names: Vec<&str> = today.iter().map(|e| e.summary.as_str()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.contains(&"olu.operator Tester: MORNING shift — Core Banking"), "{names:?}");
    assert!(names.contains(&"ada.operator Tester: NIGHT shift — Core Banking"), "{names:?}");
    // The manager's own feed is a different one (they are rostered for nothing).
    let own = feed_path(&w, &w.manager, "").await;
    assert_ne!(own, path);
    assert!(events(&w, &own).await.is_empty());
    // An admin gets one too.
    let admin = feed_path(&w, &w.admin, &query).await;
    assert_eq!(events(&w, &admin).await, section);
    // A manager who is no longer one loses the feed.
    let body = json!({"role": "user"});
    let (status, answer) = w.srv.patch(&format!("/api/v1/users/{}", w.manager.id), &w.admin, body).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(fetch(&w, &path).await.0, 404);
}

#[tokio::test]
async fn a_night_over_the_dst_change_ends_at_the_right_utc_instant() {
    // London: NIGHT 23:00–07:00. On Saturday 27 March 2027 it starts at 23:00 GMT
    // (23:00 UTC) and ends at 07:00 BST on Sunday (06:00 UTC): seven hours.
    let w =
        World::builder().at(Utc.with_ymd_and_hms(2027, 3, 20, 12, 0, 0).unwrap()).zone("Europe/London").build().await;
    let night = json!({"shift_id": shift_id(&w, "NIGHT").await, "user_id": w.operator.id, "date": "2027-03-27"});
    assert_eq!(w.srv.post(ROSTER, &w.manager, night).await.0, 200);
    let morning = json!({"shift_id": shift_id(&w, "MORNING").await, "user_id": w.operator.id, "date": "2027-03-29"});
    assert_eq!(w.srv.post(ROSTER, &w.manager, morning).await.0, 200);
    let path = feed_path(&w, &w.operator, "").await;
    let mine = events(&w, &path).await;
    let mut all: Vec<&Seen> = mine.values().collect();
    all.sort_by(|a, b| a.start.cmp(&b.start));
    assert_eq!(
        all,
        [
            &seen("NIGHT shift — Core Banking", "2027-03-27T23:00Z", "2027-03-28T06:00Z"),
            &seen("MORNING shift — Core Banking", "2027-03-29T06:00Z", "2027-03-29T14:00Z"),
        ]
    );
}

#[tokio::test]
async fn the_profile_page_makes_shows_once_and_turns_off_my_calendar_link() {
    use sentinelops_testkit::ui::UiSession;
    let w = World::builder().at(Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap()).build().await;
    let operator = UiSession::with_token(&w.srv, &w.operator).await;
    let html = operator.page("/ui/profile").await;
    assert!(html.contains("Get my calendar link") && !html.contains("id=\"calendar-section\""), "{html}");

    let response = operator.post("/ui/profile/calendar/rotate", &[("section_id", "")]).await;
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    let url = sentinelops_testkit::ui::attr_after(&html, "calendar-url", "value");
    let path = url.find("/calendar/").map(|i| url[i..].to_owned()).unwrap_or_else(|| panic!("{html}"));
    assert!(path.ends_with(".ics"), "{path}");
    assert_eq!(fetch(&w, &path).await.0, 200);
    let html = operator.page("/ui/profile").await;
    assert!(html.contains("A link is active since") && !html.contains(&path), "shown once: {html}");

    let response = operator.post("/ui/profile/calendar/revoke", &[("section_id", "")]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(fetch(&w, &path).await.0, 404);

    // A manager also has the section's feed there; an operator cannot ask for one.
    let manager = UiSession::with_token(&w.srv, &w.manager).await;
    assert!(manager.page("/ui/profile").await.contains("id=\"calendar-section\""));
    let section = w.section.to_string();
    let response = manager.post("/ui/profile/calendar/rotate", &[("section_id", &section)]).await;
    assert_eq!(response.status(), 200);
    let response = operator.post("/ui/profile/calendar/rotate", &[("section_id", &section)]).await;
    assert_eq!(response.status(), 403);
}
