//! The shift roster (issue 20) over HTTP at the original's scheduling paths: weekly
//! patterns, bulk assignment resolved when read (open-ended or ending mid-week), single
//! shifts, exceptions and days off by precedence, `my-schedule`, the checklists'
//! participants following the roster, and section scoping.

use chrono::{TimeZone, Utc};
use sentinelops_testkit::world::World;
use serde_json::{Value, json};

const SHIFTS: &str = "/api/v1/checklists/shifts";
const PATTERNS: &str = "/api/v1/checklists/shift-patterns";
const ROSTER: &str = "/api/v1/checklists/scheduled-shifts";
const DAYS_OFF: &str = "/api/v1/checklists/days-off";

/// Wednesday 25 November 2026, 10:00 UTC.
async fn world() -> World {
    World::builder().at(Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap()).cards().colleague().build().await
}

pub(crate) async fn shift_id(w: &World, name: &str) -> i64 {
    let (_, shifts) = w.srv.get(SHIFTS, &w.operator).await;
    shifts.as_array().unwrap().iter().find(|s| s["name"] == name).unwrap()["id"].as_i64().unwrap()
}

/// Mornings Monday to Friday, weekends off.
pub(crate) async fn weekdays(w: &World, token: &str) -> Value {
    let morning = shift_id(w, "MORNING").await;
    let days: Vec<Value> = (0..7)
        .map(|d| {
            if d == 0 || d == 6 {
                json!({"day_of_week": d, "is_off_day": true})
            } else {
                json!({"day_of_week": d, "shift_id": morning, "is_off_day": false})
            }
        })
        .collect();
    let body =
        json!({"name": "Weekdays", "description": "Office hours", "pattern_type": "fixed", "schedule_days": days});
    let (status, answer) = w.srv.post(PATTERNS, token, body).await;
    assert_eq!(status, 200, "{answer}");
    answer
}

/// (user, date, shift) of the section's roster in a range.
async fn roster(w: &World, token: &str, from: &str, to: &str) -> Vec<(String, String, i64)> {
    let (status, entries) = w.srv.get(&format!("{ROSTER}?start_date={from}&end_date={to}"), token).await;
    assert_eq!(status, 200, "{entries}");
    let mut out: Vec<(String, String, i64)> = entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["user_id"].as_str().unwrap().to_owned(),
                e["date"].as_str().unwrap().to_owned(),
                e["shift_id"].as_i64().unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

async fn my_days(w: &World, token: &str, from: &str, to: &str) -> Vec<Value> {
    let (status, body) =
        w.srv.get(&format!("/api/v1/checklists/my-schedule?start_date={from}&end_date={to}"), token).await;
    assert_eq!(status, 200, "{body}");
    body["schedule"].as_array().unwrap().clone()
}

#[tokio::test]
async fn patterns_are_weeks_checked_whole_and_kept_to_their_section() {
    let w = world().await;
    let created = weekdays(&w, &w.manager).await;
    assert_eq!(created["success"], true);
    assert_eq!(created["message"], "Shift pattern created successfully");
    assert_eq!(created["pattern"]["pattern_type"], "FIXED");
    let id = created["pattern"]["id"].as_str().unwrap().to_owned();

    let (status, detail) = w.srv.get(&format!("{PATTERNS}/{id}"), &w.operator).await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["schedule"]["Sunday"], json!({"off_day": true}));
    assert_eq!(detail["schedule"]["Monday"]["shift_name"], "MORNING");
    assert_eq!(detail["schedule"]["Monday"]["start_time"], "07:00:00");
    let (_, list) = w.srv.get(PATTERNS, &w.operator).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    let (_, list) = w.srv.get(PATTERNS, &w.cards().operator).await;
    assert_eq!(list, json!([]), "another section sees none of it");
    assert_eq!(w.srv.get(&format!("{PATTERNS}/{id}"), &w.cards().operator).await.0, 403);
    assert_eq!(w.srv.put(&format!("{PATTERNS}/{id}"), &w.cards().manager, json!({"name": "Mine"})).await.0, 403);
    assert_eq!(w.srv.put(&format!("{PATTERNS}/{id}"), &w.operator, json!({"name": "Mine"})).await.0, 403);

    let morning = shift_id(&w, "MORNING").await;
    let day = |d: i64| json!({"day_of_week": d, "shift_id": morning, "is_off_day": false});
    for (bad, why) in [
        (json!([day(0), day(1), day(2), day(3), day(4), day(5)]), "all 7 days"),
        (json!([day(0), day(1), day(2), day(3), day(4), day(5), day(5)]), "listed twice"),
        (
            json!([day(0), day(1), day(2), day(3), day(4), day(5), {"day_of_week": 6, "is_off_day": false}]),
            "without a shift_id",
        ),
        (
            json!([day(0), day(1), day(2), day(3), day(4), day(5), {"day_of_week": 6, "shift_id": 999}]),
            "999 does not exist",
        ),
        (json!([day(0), day(1), day(2), day(3), day(4), day(5), day(7)]), "0 (Sunday) to 6"),
    ] {
        let (status, body) = w.srv.post(PATTERNS, &w.manager, json!({"name": "Bad", "schedule_days": bad})).await;
        assert_eq!(status, 422, "{why}: {body}");
        assert!(body["detail"].as_str().unwrap().contains(why), "{why}: {body}");
    }
    let (status, body) = w.srv.post(PATTERNS, &w.admin, json!({"name": "No section", "schedule_days": []})).await;
    assert_eq!((status.as_u16(), body["detail"].clone()), (422, json!("section_id is required")));
    let (status, _) = w.srv.post(PATTERNS, &w.operator, json!({"name": "Op", "schedule_days": []})).await;
    assert_eq!(status, 403);

    let (status, updated) = w.srv.put(&format!("{PATTERNS}/{id}"), &w.manager, json!({"name": "Office week"})).await;
    assert_eq!((status.as_u16(), updated["message"].clone()), (200, json!("Shift pattern updated successfully")));
    let (status, _) = w.srv.delete(&format!("{PATTERNS}/{id}"), &w.manager).await;
    assert_eq!(status, 200);
    assert_eq!(w.srv.get(&format!("{PATTERNS}/{id}"), &w.manager).await.0, 404);
}

#[tokio::test]
async fn the_roster_resolves_patterns_shifts_exceptions_and_days_off_by_precedence() {
    let w = world().await;
    let pattern = weekdays(&w, &w.manager).await["pattern"]["id"].clone();
    let section = w.section;
    let (olu, ada) = (w.operator.id.to_string(), w.colleague().id.to_string());
    // Olu from Monday 23rd, open-ended; Ada from the same Monday to Wednesday (mid-week).
    let assign = |users: Value, end: Value| json!({"users": users, "pattern_id": pattern, "start_date": "2026-11-23", "end_date": end, "section_id": section});
    let (status, done) =
        w.srv.post("/api/v1/checklists/bulk-assign-shifts", &w.manager, assign(json!([olu]), Value::Null)).await;
    assert_eq!(status, 200, "{done}");
    assert_eq!((done["success"].clone(), done["assignments_created"].clone()), (json!(true), json!(1)));
    let (_, again) =
        w.srv.post("/api/v1/checklists/bulk-assign-shifts", &w.manager, assign(json!([olu]), Value::Null)).await;
    assert_eq!(again["assignments_created"], 0, "assigning the same again changes nothing: {again}");
    let outsider = w.cards().operator.id.to_string();
    let (_, mixed) = w
        .srv
        .post("/api/v1/checklists/bulk-assign-shifts", &w.manager, assign(json!([ada, outsider]), json!("2026-11-25")))
        .await;
    assert_eq!(mixed["assignments_created"], 1, "{mixed}");
    assert_eq!(mixed["errors"], json!([format!("User {outsider}: not in this section")]));
    let (status, _) =
        w.srv.post("/api/v1/checklists/bulk-assign-shifts", &w.operator, assign(json!([olu]), Value::Null)).await;
    assert_eq!(status, 403, "operators do not roster");

    let morning = shift_id(&w, "MORNING").await;
    let week = roster(&w, &w.operator, "2026-11-22", "2026-11-28").await;
    let olu_days: Vec<&str> = week.iter().filter(|(u, _, _)| *u == olu).map(|(_, d, _)| d.as_str()).collect();
    assert_eq!(olu_days, ["2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27"]);
    let ada_days: Vec<&str> = week.iter().filter(|(u, _, _)| *u == ada).map(|(_, d, _)| d.as_str()).collect();
    assert_eq!(ada_days, ["2026-11-23", "2026-11-24", "2026-11-25"], "the assignment ends on Wednesday");
    assert!(week.iter().all(|(_, _, s)| *s == morning));
    let (_, entries) = w.srv.get(&format!("{ROSTER}?start_date=2026-11-23&end_date=2026-11-23"), &w.manager).await;
    assert_eq!(entries[0]["start_ts"], "2026-11-23T07:00:00Z");
    assert_eq!(entries[0]["status"], "ASSIGNED");
    // Open-ended: still there next summer, without anything generated to a horizon.
    let summer = my_days(&w, &w.operator, "2027-06-06", "2027-06-07").await;
    assert_eq!((summer[0]["type"].clone(), summer[1]["type"].clone()), (json!("OFF_DAY"), json!("SHIFT")));
    assert_eq!(summer[1]["shift_name"], "MORNING");

    // An exception makes Friday off; a single shift adds Saturday's night.
    let night = shift_id(&w, "NIGHT").await;
    let off = json!({"user_id": olu, "exception_date": "2026-11-27", "is_day_off": true, "reason": "Dentist"});
    let (status, body) = w.srv.post("/api/v1/checklists/shift-exception", &w.manager, off).await;
    assert_eq!(status, 200, "{body}");
    let single = json!({"shift_id": night, "user_id": olu, "date": "2026-11-28", "status": "scheduled"});
    let (status, created) = w.srv.post(ROSTER, &w.manager, single.clone()).await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(w.srv.post(ROSTER, &w.manager, single).await.0, 409, "the same shift twice");
    let days = my_days(&w, &w.operator, "2026-11-27", "2026-11-28").await;
    assert_eq!((days[0]["type"].clone(), days[0]["reason"].clone()), (json!("OFF_DAY"), json!("Dentist")));
    assert_eq!(
        (days[1]["type"].clone(), days[1]["shift_name"].clone(), days[1]["status"].clone()),
        (json!("SHIFT"), json!("NIGHT"), json!("scheduled"))
    );

    // A day off: requested by the operator, seen by the manager, approved, then cancelled.
    let request = json!({"start_date": "2026-11-30", "end_date": "2026-12-01", "reason": "Family"});
    let (status, asked) = w.srv.post(DAYS_OFF, &w.operator, request.clone()).await;
    assert_eq!((status.as_u16(), asked["status"].clone()), (200, json!("PENDING")), "{asked}");
    assert_eq!(w.srv.post(DAYS_OFF, &w.operator, request).await.0, 409, "overlapping days off");
    let (_, pending) = w.srv.get(&format!("{DAYS_OFF}?status=PENDING"), &w.manager).await;
    let id = pending[0]["id"].as_str().unwrap().to_owned();
    let (_, notes) = w.srv.get("/api/v1/notifications/", &w.manager).await;
    assert!(notes.to_string().contains("Day off requested"), "{notes}");
    assert!(
        my_days(&w, &w.operator, "2026-11-30", "2026-11-30").await[0]["type"] == "SHIFT",
        "pending changes nothing"
    );
    assert_eq!(w.srv.post(&format!("{DAYS_OFF}/{id}/approve"), &w.operator, json!({})).await.0, 403);
    assert_eq!(w.srv.post(&format!("{DAYS_OFF}/{id}/approve"), &w.cards().manager, json!({})).await.0, 403);
    let (status, approved) = w.srv.post(&format!("{DAYS_OFF}/{id}/approve"), &w.manager, json!({})).await;
    assert_eq!((status.as_u16(), approved["status"].clone()), (200, json!("APPROVED")));
    assert_eq!(w.srv.post(&format!("{DAYS_OFF}/{id}/reject"), &w.manager, json!({})).await.0, 409, "already decided");
    assert_eq!(w.srv.post(&format!("{DAYS_OFF}/{id}/maybe"), &w.manager, json!({})).await.0, 422);
    let monday = my_days(&w, &w.operator, "2026-11-30", "2026-11-30").await;
    assert_eq!((monday[0]["type"].clone(), monday[0]["reason"].clone()), (json!("OFF_DAY"), json!("Family")));
    assert!(roster(&w, &w.manager, "2026-11-30", "2026-11-30").await.iter().all(|(u, _, _)| *u != olu));
    let (status, cancelled) = w.srv.post(&format!("{DAYS_OFF}/{id}/cancel"), &w.operator, json!({})).await;
    assert_eq!((status.as_u16(), cancelled["status"].clone()), (200, json!("CANCELLED")));
    assert_eq!(my_days(&w, &w.operator, "2026-11-30", "2026-11-30").await[0]["type"], "SHIFT");

    // Taking the single shift off again; an unknown one is a 404.
    let single_id = created["id"].as_str().unwrap();
    assert_eq!(w.srv.delete(&format!("{ROSTER}/{single_id}"), &w.operator).await.0, 403);
    assert_eq!(w.srv.delete(&format!("{ROSTER}/{single_id}"), &w.manager).await.0, 200);
    assert_eq!(w.srv.delete(&format!("{ROSTER}/{single_id}"), &w.manager).await.0, 404);
    // Other sections' rosters stay theirs.
    assert_eq!(w.srv.get(&format!("{ROSTER}?section_id={section}"), &w.cards().manager).await.0, 403);
    assert_eq!(w.srv.get(&format!("{ROSTER}?start_date=2026-01-01&end_date=2027-06-01"), &w.manager).await.0, 422);
    // A shift the roster uses cannot be deleted (MORNING is in the pattern's days).
    let (status, body) = w.srv.delete(&format!("{SHIFTS}/{morning}"), &w.admin).await;
    assert_eq!(status, 409, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("on the roster"), "{body}");
}

#[tokio::test]
async fn the_rostered_people_are_on_their_checklists() {
    let w = world().await;
    let pattern = weekdays(&w, &w.manager).await["pattern"]["id"].clone();
    w.template(w.section, "Morning ops", "MORNING", json!([{"title": "Check"}])).await;
    w.template(w.section, "Afternoon ops", "AFTERNOON", json!([{"title": "Check"}])).await;
    let olu = w.operator.id.to_string();
    let body = json!({"users": [olu], "pattern_id": pattern, "start_date": "2026-11-23", "section_id": w.section});
    assert_eq!(w.srv.post("/api/v1/checklists/bulk-assign-shifts", &w.manager, body).await.0, 200);

    let participants = |view: &Value| -> Vec<String> {
        view["participants"].as_array().unwrap().iter().map(|p| p["username"].as_str().unwrap().to_owned()).collect()
    };
    // Created after the roster: the rostered operator is on it from the start.
    let (status, created) = w
        .srv
        .post("/api/v1/checklists/instances", &w.manager, json!({"shift": "MORNING", "checklist_date": "2026-11-26"}))
        .await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(participants(&created["instance"]), [w.operator.username.as_str()]);

    // Created before: a roster change for today reaches it.
    let (_, afternoon) = w
        .srv
        .post("/api/v1/checklists/instances", &w.manager, json!({"shift": "AFTERNOON", "checklist_date": "2026-11-25"}))
        .await;
    let id = afternoon["instance"]["id"].as_str().unwrap().to_owned();
    assert!(participants(&afternoon["instance"]).is_empty(), "{afternoon}");
    let afternoon_shift = shift_id(&w, "AFTERNOON").await;
    let ada = w.colleague().id;
    let single = json!({"shift_id": afternoon_shift, "user_id": ada, "date": "2026-11-25"});
    assert_eq!(w.srv.post(ROSTER, &w.manager, single).await.0, 200);
    let (_, view) = w.srv.get(&format!("/api/v1/checklists/instances/{id}"), &w.manager).await;
    assert_eq!(participants(&view), [w.colleague().username.as_str()]);
    let (_, notes) = w.srv.get("/api/v1/notifications/", w.colleague()).await;
    assert!(notes.to_string().contains("Afternoon shift assigned for 25 Nov 2026"), "{notes}");
}

#[tokio::test]
async fn the_roster_says_who_is_on_shift_who_is_reminded_and_who_staffed_the_shift() {
    let w = world().await;
    let pattern = weekdays(&w, &w.manager).await["pattern"]["id"].clone();
    let olu = w.operator.id.to_string();
    let body = json!({"users": [olu], "pattern_id": pattern, "start_date": "2026-11-23", "section_id": w.section});
    assert_eq!(w.srv.post("/api/v1/checklists/bulk-assign-shifts", &w.manager, body).await.0, 200);
    let afternoon = shift_id(&w, "AFTERNOON").await;
    let ada = w.colleague().id.to_string();
    let single = json!({"shift_id": afternoon, "user_id": ada, "date": "2026-11-25"});
    assert_eq!(w.srv.post(ROSTER, &w.manager, single).await.0, 200);

    // Wednesday 10:00: the morning runs with Olu, the afternoon comes next with Ada.
    let (status, crews) = w.srv.get("/api/v1/checklists/on-shift", &w.operator).await;
    assert_eq!(status, 200, "{crews}");
    let summary: Vec<(Value, Value, Vec<Value>)> = crews
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let people = c["people"].as_array().unwrap().iter().map(|p| p["user_id"].clone()).collect();
            (c["shift"].clone(), c["running"].clone(), people)
        })
        .collect();
    assert_eq!(
        summary,
        vec![(json!("MORNING"), json!(true), vec![json!(olu)]), (json!("AFTERNOON"), json!(false), vec![json!(ada)])]
    );
    assert_eq!(crews[0]["ends_at"], "2026-11-25T15:00:00Z");
    let other = format!("/api/v1/checklists/on-shift?section_id={}", w.section);
    assert_eq!(w.srv.get(&other, &w.cards().operator).await.0, 403, "another section's crew is not theirs");

    // A timed item's reminder goes to the rostered operator, not to the manager who
    // opened the checklist; the staffed shift pays Olu at sign-off, and nobody else.
    let items = json!([{"title": "Check", "sort_order": 1},
        {"title": "Noon call", "item_type": "TIMED", "scheduled_time": "10:30", "notify_before_minutes": 15, "sort_order": 2}]);
    w.template(w.section, "Morning ops", "MORNING", items).await;
    let (status, created) = w
        .srv
        .post("/api/v1/checklists/instances", &w.manager, json!({"shift": "MORNING", "checklist_date": "2026-11-25"}))
        .await;
    assert_eq!(status, 200, "{created}");
    let instance = created["instance"].clone();
    let id = instance["id"].as_str().unwrap().to_owned();
    w.clock.set(Utc.with_ymd_and_hms(2026, 11, 25, 10, 16, 0).unwrap());
    assert_eq!(w.srv.app.send_reminders().await.unwrap(), 1);
    let reminded = |notes: &Value| notes.to_string().contains("SentinelOps Reminder");
    assert!(reminded(&w.srv.get("/api/v1/notifications/", &w.operator).await.1), "the rostered operator");
    assert!(!reminded(&w.srv.get("/api/v1/notifications/", &w.manager).await.1), "not the manager");

    for item in instance["items"].as_array().unwrap() {
        let path = format!("/api/v1/checklists/instances/{id}/items/{}", item["id"].as_str().unwrap());
        let (status, answer) = w.srv.patch(&path, &w.operator, json!({"status": "COMPLETED"})).await;
        assert_eq!(status, 200, "{answer}");
    }
    let (status, signed) =
        w.srv.post(&format!("/api/v1/checklists/instances/{id}/complete"), &w.manager, json!({})).await;
    assert_eq!(status, 200, "{signed}");
    let staffed = |rows: &Value| -> Vec<(Value, Value)> {
        rows.as_array()
            .unwrap()
            .iter()
            .filter(|r| r["kind"] == "SHIFT_STAFFED")
            .map(|r| (r["state"].clone(), r["points"].clone()))
            .collect()
    };
    let ledger = "/api/v1/gamification/ledger?start_date=2026-11-01&end_date=2026-11-30";
    let (status, rows) = w.srv.get(ledger, &w.operator).await;
    assert_eq!(status, 200, "{rows}");
    let weight = w.srv.app.config.scoring.shift_staffed;
    assert_eq!(staffed(&rows), vec![(json!("CONFIRMED"), json!(weight))], "{rows}");
    assert!(staffed(&w.srv.get(ledger, w.colleague()).await.1).is_empty(), "rostered for the afternoon, not this");
}

#[tokio::test]
async fn a_night_pattern_runs_over_midnight_and_through_the_autumn_clock_change() {
    // London: the clocks go back at 02:00 BST on Sunday 25 October 2026.
    let w =
        World::builder().at(Utc.with_ymd_and_hms(2026, 10, 20, 10, 0, 0).unwrap()).zone("Europe/London").build().await;
    let night = shift_id(&w, "NIGHT").await;
    let days: Vec<Value> = (0..7).map(|d| json!({"day_of_week": d, "shift_id": night, "is_off_day": false})).collect();
    let (status, created) = w.srv.post(PATTERNS, &w.manager, json!({"name": "Nights", "schedule_days": days})).await;
    assert_eq!(status, 200, "{created}");
    let body = json!({"users": [w.operator.id], "pattern_id": created["pattern"]["id"], "start_date": "2026-10-24",
                      "end_date": "2026-10-26", "section_id": w.section});
    assert_eq!(w.srv.post("/api/v1/checklists/bulk-assign-shifts", &w.manager, body).await.0, 200);

    let (status, entries) = w.srv.get(&format!("{ROSTER}?start_date=2026-10-23&end_date=2026-10-27"), &w.manager).await;
    assert_eq!(status, 200, "{entries}");
    let windows: Vec<(&str, &str, &str)> = entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["date"].as_str().unwrap(), e["start_ts"].as_str().unwrap(), e["end_ts"].as_str().unwrap()))
        .collect();
    assert_eq!(
        windows,
        [
            // 23:00 BST → 07:00 GMT: nine hours, the night the clocks go back.
            ("2026-10-24", "2026-10-24T22:00:00Z", "2026-10-25T07:00:00Z"),
            ("2026-10-25", "2026-10-25T23:00:00Z", "2026-10-26T07:00:00Z"),
            ("2026-10-26", "2026-10-26T23:00:00Z", "2026-10-27T07:00:00Z"),
        ],
        "the assignment ends on the 26th; each night ends the next morning"
    );
    let mine = my_days(&w, &w.operator, "2026-10-24", "2026-10-27").await;
    let kinds: Vec<&str> = mine.iter().map(|d| d["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["SHIFT", "SHIFT", "SHIFT", "UNSCHEDULED"]);
}
