//! Background jobs driven by hand at chosen instants: reminders (lead 0, overnight,
//! a DST night, nobody joined), missed alerts, exactly-once with two instances, lease
//! take-over after a crash, stale shifts, daily creation and retention.

use chrono::{DateTime, Duration, TimeZone, Utc};
use sentinelops_app::jobs::Job;
use sentinelops_domain::{Clock, ManualClock};
use sentinelops_store::repo::live;
use sentinelops_testkit::{Options, TestServer, test_config};
use serde_json::{Value, json};

use crate::admin;

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

/// A section in `zone` with a manager, an operator and a template for `shift`.
struct Desk {
    srv: TestServer,
    clock: ManualClock,
    admin: String,
    manager: String,
    operator: String,
}

async fn desk(zone: &str, start: DateTime<Utc>, shift: &str, items: Value) -> Desk {
    let clock = ManualClock::new(start);
    let mut config = test_config();
    config.jobs.retain_ops_events = Some(Duration::days(30));
    let srv =
        TestServer::start_with(Options { clock: Some(clock.clone()), config: Some(config), ..Default::default() })
            .await;
    let (_, admin_token) = admin(&srv).await;
    assert_eq!(srv.put("/api/v1/app-settings/timezone", &admin_token, json!({"timezone": zone})).await.0, 200);
    let section = srv.create_section("Ops").await;
    let (_, manager) = srv.user_with_token("max", "manager", Some(section)).await;
    let (_, operator) = srv.user_with_token("olu", "user", Some(section)).await;
    let (status, body) = srv
        .post(
            "/api/v1/checklists/templates",
            &admin_token,
            json!({"name": "Ops", "shift": shift, "section_id": section, "items": items}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    Desk { srv, clock, admin: admin_token, manager, operator }
}

impl Desk {
    async fn instance(&self, shift: &str, date: &str) -> Value {
        let (status, body) = self
            .srv
            .post("/api/v1/checklists/instances", &self.operator, json!({"shift": shift, "checklist_date": date}))
            .await;
        assert_eq!(status, 200, "{body}");
        body["instance"].clone()
    }

    async fn titles(&self, token: &str) -> Vec<String> {
        let (_, list) = self.srv.get("/api/v1/notifications/?unread_only=false&limit=100", token).await;
        list.as_array().unwrap().iter().map(|n| n["title"].as_str().unwrap().to_owned()).collect()
    }

    async fn reminders_at(&self, when: DateTime<Utc>) -> usize {
        self.clock.set(when);
        self.srv.app.run_job(Job::Reminders).await.unwrap().expect("lease")
    }
}

#[tokio::test]
async fn a_lead_of_zero_fires_at_the_due_time_once_then_the_miss_is_reported_once() {
    // 07:40 Harare is 05:40 UTC.
    let items = json!([{"title": "Upload the accounts list", "item_type": "TIMED", "scheduled_time": "07:40", "notify_before_minutes": 0}]);
    let d = desk("Africa/Harare", at(2026, 11, 25, 5, 0), "MORNING", items).await;
    let instance = d.instance("MORNING", "2026-11-25").await;
    assert_eq!(instance["items"][0]["scheduled_at"], "2026-11-25T05:40:00Z");
    assert_eq!(instance["items"][0]["remind_at"], "2026-11-25T05:40:00Z");
    let id = instance["id"].as_str().unwrap();
    d.srv.post(&format!("/api/v1/checklists/instances/{id}/join"), &d.operator, json!({})).await;

    assert_eq!(d.reminders_at(at(2026, 11, 25, 5, 39)).await, 0);
    assert_eq!(d.reminders_at(at(2026, 11, 25, 5, 40)).await, 1, "lead 0 fires at the due time");
    assert_eq!(d.reminders_at(at(2026, 11, 25, 5, 40)).await, 0, "once");
    let titles = d.titles(&d.operator).await;
    assert_eq!(titles, ["SentinelOps Reminder • MORNING Timed Item Due in 0 min"]);
    // The due time passed with the item still open: the managers hear once.
    assert_eq!(d.reminders_at(at(2026, 11, 25, 5, 41)).await, 1);
    assert_eq!(d.reminders_at(at(2026, 11, 25, 6, 30)).await, 0);
    // (The manager also heard of the operator's join.)
    assert_eq!(
        d.titles(&d.manager).await,
        ["SentinelOps Missed • MORNING Timed Item due at 07:40", "\u{1F44B} olu joined the shift"]
    );
}

#[tokio::test]
async fn nobody_joined_so_the_managers_are_reminded_and_done_work_is_not_missed() {
    let items = json!([
        {"title": "Uptime report", "item_type": "TIMED", "scheduled_time": "08:00", "notify_before_minutes": 15},
        {"title": "Second report", "item_type": "TIMED", "scheduled_time": "09:00", "notify_before_minutes": 15},
    ]);
    let d = desk("Africa/Harare", at(2026, 11, 25, 5, 0), "MORNING", items).await;
    let instance = d.instance("MORNING", "2026-11-25").await;
    assert_eq!(d.reminders_at(at(2026, 11, 25, 5, 45)).await, 1);
    assert_eq!(d.titles(&d.manager).await, ["SentinelOps Reminder • MORNING Timed Item Due in 15 min"]);
    assert!(d.titles(&d.operator).await.is_empty());
    // Done before it was due: no miss.
    let item = instance["items"][0]["id"].as_str().unwrap();
    let path = format!("/api/v1/checklists/instances/{}/items/{item}", instance["id"].as_str().unwrap());
    assert_eq!(d.srv.patch(&path, &d.operator, json!({"status": "COMPLETED"})).await.0, 200);
    assert_eq!(d.reminders_at(at(2026, 11, 25, 6, 5)).await, 0);
    assert_eq!(d.titles(&d.manager).await.len(), 1);
}

#[tokio::test]
async fn the_night_shift_reminds_after_midnight_and_on_a_dst_night() {
    // Harare: NIGHT of the 25th, 02:00 is the 26th at 00:00 UTC; lead 10 → 23:50 UTC.
    let items =
        json!([{"title": "Backups", "item_type": "TIMED", "scheduled_time": "02:00", "notify_before_minutes": 10}]);
    let d = desk("Africa/Harare", at(2026, 11, 25, 20, 0), "NIGHT", items.clone()).await;
    let instance = d.instance("NIGHT", "2026-11-25").await;
    assert_eq!(instance["items"][0]["scheduled_at"], "2026-11-26T00:00:00Z");
    assert_eq!(d.reminders_at(at(2026, 11, 25, 23, 49)).await, 0);
    assert_eq!(d.reminders_at(at(2026, 11, 25, 23, 50)).await, 1);
    drop(d);

    // London, the night the clocks go back (2026-10-25): 02:00 local is 02:00 GMT.
    let d = desk("Europe/London", at(2026, 10, 24, 20, 0), "NIGHT", items).await;
    let instance = d.instance("NIGHT", "2026-10-24").await;
    assert_eq!(instance["shift_start"], "2026-10-24T22:00:00Z", "23:00 BST");
    assert_eq!(instance["shift_end"], "2026-10-25T07:00:00Z", "07:00 GMT: a nine-hour night");
    assert_eq!(instance["items"][0]["scheduled_at"], "2026-10-25T02:00:00Z");
    assert_eq!(d.reminders_at(at(2026, 10, 25, 1, 49)).await, 0);
    assert_eq!(d.reminders_at(at(2026, 10, 25, 1, 50)).await, 1);
}

#[tokio::test]
async fn with_two_instances_running_a_reminder_is_sent_exactly_once() {
    let items = json!([{"title": "Uptime report", "item_type": "TIMED", "scheduled_time": "08:00", "notify_before_minutes": 5}]);
    let d = desk("Africa/Harare", at(2026, 11, 25, 5, 0), "MORNING", items).await;
    d.instance("MORNING", "2026-11-25").await;
    let other =
        TestServer::start_on(d.srv.database().clone(), Options { clock: Some(d.clock.clone()), ..Default::default() })
            .await;
    d.clock.set(at(2026, 11, 25, 5, 56));
    let mut sent = 0;
    for _ in 0..5 {
        let (a, b) = tokio::join!(d.srv.app.run_job(Job::Reminders), other.app.run_job(Job::Reminders));
        sent += a.unwrap().unwrap_or(0) + b.unwrap().unwrap_or(0);
    }
    assert_eq!(sent, 1);
    assert_eq!(d.titles(&d.manager).await.len(), 1);
    let mut other = other;
    other.stop().await;
}

#[tokio::test]
async fn a_job_whose_runner_died_is_taken_over_when_its_lease_lapses() {
    let items = json!([{"title": "Uptime report", "item_type": "TIMED", "scheduled_time": "08:00", "notify_before_minutes": 15}]);
    let d = desk("Africa/Harare", at(2026, 11, 25, 5, 0), "MORNING", items).await;
    d.instance("MORNING", "2026-11-25").await;
    d.clock.set(at(2026, 11, 25, 5, 46));
    // Another instance took the lease and died mid-run.
    let tx = d.srv.app.store.begin_write().await.unwrap();
    let now = d.clock.now();
    assert!(
        sentinelops_store::repo::jobs::acquire(&tx, "reminders", "dead-node", now, now + Duration::minutes(5))
            .await
            .unwrap()
    );
    sentinelops_store::commit(tx).await.unwrap();
    assert_eq!(d.srv.app.run_job(Job::Reminders).await.unwrap(), None, "the lease is still held");
    d.clock.advance(Duration::minutes(6));
    assert_eq!(d.srv.app.run_job(Job::Reminders).await.unwrap(), Some(1), "taken over, the reminder goes out");
    assert_eq!(d.srv.app.run_job(Job::Reminders).await.unwrap(), Some(0), "and not twice");
}

#[tokio::test]
async fn stale_shifts_become_incomplete_and_the_day_is_created_at_the_set_time() {
    let items = json!([{"title": "Check 1"}, {"title": "Check 2"}]);
    let d = desk("Africa/Harare", at(2026, 11, 25, 3, 59), "MORNING", items.clone()).await;
    // A second template for the AFTERNOON shift of the same section.
    let (_, templates) = d.srv.get("/api/v1/checklists/templates", &d.admin).await;
    let section = templates[0]["section_id"].clone();
    d.srv
        .post(
            "/api/v1/checklists/templates",
            &d.admin,
            json!({"name": "Afternoon", "shift": "AFTERNOON", "section_id": section, "items": items}),
        )
        .await;

    // 05:59 local: nothing yet; 06:00: today's MORNING and AFTERNOON; again: nothing.
    assert_eq!(d.srv.app.run_job(Job::DailyCreation).await.unwrap(), Some(0));
    d.clock.set(at(2026, 11, 25, 4, 0));
    assert_eq!(d.srv.app.run_job(Job::DailyCreation).await.unwrap(), Some(2));
    assert_eq!(d.srv.app.run_job(Job::DailyCreation).await.unwrap(), Some(0));
    let (_, today) =
        d.srv.get("/api/v1/checklists/instances?start_date=2026-11-25&end_date=2026-11-25", &d.manager).await;
    assert_eq!(today.as_array().unwrap().len(), 2);

    // MORNING ends 15:00 local (13:00 UTC); with two hours' grace it is stale at 15:00 UTC.
    d.clock.set(at(2026, 11, 25, 14, 59));
    assert_eq!(d.srv.app.run_job(Job::StaleShifts).await.unwrap(), Some(0));
    d.clock.set(at(2026, 11, 25, 15, 1));
    assert_eq!(d.srv.app.run_job(Job::StaleShifts).await.unwrap(), Some(1));
    // Hours passed: the morning's sessions idled out.
    let manager = d.srv.login("max", sentinelops_testkit::PASSWORD).await;
    let admin_token = d.srv.login("root.admin", sentinelops_testkit::PASSWORD).await;
    let d = Desk { manager, admin: admin_token, ..d };
    let (_, listed) = d
        .srv
        .get("/api/v1/checklists/instances?start_date=2026-11-25&end_date=2026-11-25&shift=MORNING", &d.manager)
        .await;
    assert_eq!(listed[0]["status"], "INCOMPLETE");
    assert!(d.titles(&d.manager).await.iter().any(|t| t == "Checklist incomplete - MORNING shift"));
    let (_, events) = d.srv.get("/api/v1/ops/events?event_type=CHECKLIST_INCOMPLETE", &d.admin).await;
    assert_eq!(events["total"], 1);
    assert_eq!(d.srv.app.run_job(Job::StaleShifts).await.unwrap(), Some(0));

    // Retention (30 days for ops events here): nothing is old yet; 40 days on, all of it is.
    let live_events = || async { live::after(d.srv.app.store.reader(), 0, 1_000).await.unwrap() };
    assert_eq!(d.srv.app.run_job(Job::Retention).await.unwrap(), Some(0));
    let kept = live_events().await;
    assert!(!kept.is_empty(), "the day's live events are kept for replay");
    d.clock.advance(Duration::days(40));
    let purged = d.srv.app.run_job(Job::Retention).await.unwrap().unwrap();
    assert!(purged >= 4, "{purged}");
    assert_eq!(live_events().await.len(), 0, "live events go after a day, whatever the configuration");
    let admin_token = d.srv.login("root.admin", sentinelops_testkit::PASSWORD).await;
    let (_, events) = d.srv.get("/api/v1/ops/events", &admin_token).await;
    let types: Vec<&str> =
        events["items"].as_array().unwrap().iter().map(|e| e["event_type"].as_str().unwrap()).collect();
    assert_eq!(types, ["RETENTION_PURGED"], "only the record of the purge remains");
}

#[tokio::test]
async fn a_timed_items_due_state_moves_at_its_instants_through_the_night_the_clocks_go_back() {
    // London's night of 24 October 2026: the clocks go back at 02:00 BST. The backup
    // check is due at 03:00 GMT on the 25th (past midnight), reminded 15 minutes before.
    let items = json!([
        {"title": "Backups", "item_type": "TIMED", "scheduled_time": "03:00", "notify_before_minutes": 15, "severity": 4},
        {"title": "Logbook"}
    ]);
    let d = desk("Europe/London", at(2026, 10, 24, 22, 0), "NIGHT", items).await;
    let id = d.instance("NIGHT", "2026-10-24").await["id"].as_str().unwrap().to_owned();
    let states = |label: &'static str| {
        let d = &d;
        let id = id.clone();
        async move {
            let (status, view) = d.srv.get(&format!("/api/v1/checklists/instances/{id}"), &d.operator).await;
            assert_eq!(status, 200, "{label}: {view}");
            let items = view["items"].as_array().unwrap();
            let of = |title: &str| items.iter().find(|i| i["title"] == title).unwrap().clone();
            (of("Backups"), of("Logbook")["due_state"].clone())
        }
    };
    let (backups, logbook) = states("created").await;
    assert_eq!(backups["scheduled_at"], "2026-10-25T03:00:00Z");
    assert_eq!((backups["due_state"].clone(), logbook), (json!("UPCOMING"), json!("NOT_TIMED")));

    let live_kinds = || async {
        live::after(d.srv.app.store.reader(), 0, 1_000)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.payload["kind"] == "ITEM_DUE_STATE")
            .count()
    };
    // Each instant: the job gives the checklist a new revision and tells its channel.
    for (when, expected, told) in [
        (at(2026, 10, 25, 2, 44), "UPCOMING", 0),
        (at(2026, 10, 25, 2, 45), "DUE", 1),
        (at(2026, 10, 25, 2, 59), "DUE", 1),
        (at(2026, 10, 25, 3, 0), "OVERDUE", 2),
        (at(2026, 10, 25, 3, 15), "MISSED", 3),
        (at(2026, 10, 25, 3, 30), "MISSED", 3),
    ] {
        d.clock.set(when);
        d.srv.app.run_job(Job::DueStates).await.unwrap().expect("lease");
        assert_eq!(states("tick").await.0["due_state"], expected, "at {when}");
        assert_eq!(live_kinds().await, told, "at {when}");
    }
    // The missed critical item tops the manager's attention list on the dashboard.
    let manager = sentinelops_testkit::ui::UiSession::with_token(&d.srv, &d.manager).await;
    let dashboard = manager.page("/ui/dashboard").await;
    assert!(dashboard.contains("NIGHT missed: Backups"), "{dashboard}");
    let backups = states("before").await.0;
    let path = format!("/api/v1/checklists/instances/{id}/items/{}", backups["id"].as_str().unwrap());
    let (status, answer) = d.srv.patch(&path, &d.operator, json!({"status": "COMPLETED"})).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(states("done").await.0["due_state"], "DONE", "late, but done");
}
