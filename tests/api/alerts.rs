//! Alerts with escalation and acknowledgement (issue 21), with the clock injected: a
//! CRITICAL failure climbs the section's policy level by level at the exact instants
//! and stops the moment someone acknowledges; the e-mail's one-click link acknowledges
//! once and is refused reused, expired or tampered with; missed critical steps and
//! unsigned checklists open alerts after their section's grace; two instances send each
//! level once; everything is section-scoped.

use chrono::{DateTime, Duration, TimeZone, Utc};
use sentinelops_app::jobs::Job;
use sentinelops_store::repo::live;
use sentinelops_testkit::http_sink::HttpSink;
use sentinelops_testkit::smtp::TestSmtp;
use sentinelops_testkit::world::World;
use sentinelops_testkit::{Options, TestServer, test_config};
use serde_json::{Value, json};

const PUBLIC_URL: &str = "https://ops.test.local";
const ALERTS: &str = "/api/v1/alerts";

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

/// 09:00 on 25 November 2026, London (UTC in winter): the MORNING shift runs 07:00–15:00.
fn t0() -> DateTime<Utc> {
    at(2026, 11, 25, 9, 0)
}

/// A world whose mail goes to `smtp` and whose escalation webhooks go to `sink`, with a
/// MORNING template of three critical items and one routine one, and its checklist.
struct Desk {
    w: World,
    smtp: TestSmtp,
    sink: HttpSink,
    instance: Value,
}

async fn desk_with(items: Value) -> Desk {
    let smtp = TestSmtp::start().await;
    let sink = HttpSink::start().await;
    let mut config = test_config();
    smtp.configure(&mut config, PUBLIC_URL);
    config.webhooks.targets = vec![("escalation".into(), sink.url("/hooks/pager"))];
    let options = Options { config: Some(config), ..Default::default() };
    let w = World::builder().at(t0()).zone("Europe/London").cards().options(options).build().await;
    w.template(w.section, "Morning ops", "MORNING", items).await;
    let body = json!({"shift": "MORNING", "checklist_date": "2026-11-25"});
    let (status, created) = w.srv.post("/api/v1/checklists/instances", &w.operator, body).await;
    assert_eq!(status, 200, "{created}");
    let instance = created["instance"].clone();
    Desk { w, smtp, sink, instance }
}

async fn desk() -> Desk {
    desk_with(json!([
        {"title": "Core switch", "severity": 5, "sort_order": 1},
        {"title": "Payments gateway", "severity": 4, "sort_order": 2},
        {"title": "Card network", "severity": 4, "sort_order": 3},
        {"title": "Logbook", "severity": 2, "sort_order": 4},
    ]))
    .await
}

impl Desk {
    fn item(&self, index: usize) -> String {
        self.instance["items"][index]["id"].as_str().unwrap().to_owned()
    }

    async fn fail(&self, index: usize) {
        let path = format!(
            "/api/v1/checklists/instances/{}/items/{}",
            self.instance["id"].as_str().unwrap(),
            self.item(index)
        );
        let (status, body) =
            self.w.srv.patch(&path, &self.w.operator, json!({"status": "FAILED", "reason": "Link down"})).await;
        assert_eq!(status, 200, "{body}");
    }

    /// Runs the escalation job at `when`; returns how many steps it sent.
    async fn tick(&self, when: DateTime<Utc>) -> usize {
        self.w.clock.set(when);
        self.w.srv.app.run_job(Job::Escalations).await.unwrap().unwrap()
    }

    async fn alerts(&self, token: &str, query: &str) -> Vec<Value> {
        let (status, page) = self.w.srv.get(&format!("{ALERTS}{query}"), token).await;
        assert_eq!(status, 200, "{page}");
        page["items"].as_array().unwrap().clone()
    }

    async fn alert(&self, id: &str) -> Value {
        let (status, alert) = self.w.srv.get(&format!("{ALERTS}/{id}"), &self.w.admin).await;
        assert_eq!(status, 200, "{alert}");
        alert
    }

    /// The alert of item `index` (the admin sees every alert).
    async fn alert_of(&self, index: usize) -> Value {
        let id = self.item(index);
        let all = self.alerts(&self.w.admin, "").await;
        let found =
            all.iter().find(|a| a["item_id"] == json!(id)).unwrap_or_else(|| panic!("no alert of {id}: {all:?}"));
        self.alert(found["id"].as_str().unwrap()).await
    }

    /// (kind, level) of each line of an alert's timeline.
    async fn timeline(&self, id: &str) -> Vec<(String, i64)> {
        self.alert(id).await["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["kind"].as_str().unwrap().to_owned(), e["level"].as_i64().unwrap()))
            .collect()
    }

    async fn titles(&self, token: &str) -> Vec<String> {
        let (status, list) = self.w.srv.get("/api/v1/notifications/?unread_only=false&limit=100", token).await;
        assert_eq!(status, 200, "{list}");
        list.as_array().unwrap().iter().map(|n| n["title"].as_str().unwrap().to_owned()).collect()
    }

    /// The e-mails queued so far to `address`: their subjects.
    async fn mail_subjects(&self, address: &str) -> Vec<String> {
        let rows = self.w.srv.app.outbox_messages(Some("email"), None).await.unwrap();
        rows.iter()
            .filter(|r| r.payload["to"] == address)
            .map(|r| r.payload["subject"].as_str().unwrap().to_owned())
            .collect()
    }

    async fn acknowledge(&self, id: &str, token: &str) -> (u16, Value) {
        let (status, body) = self.w.srv.post(&format!("{ALERTS}/{id}/acknowledge"), token, json!({})).await;
        (status.as_u16(), body)
    }

    async fn fresh(&self, username: &str) -> String {
        self.w.srv.login(username, sentinelops_testkit::PASSWORD).await
    }
}

fn mail_of(user: &str) -> String {
    format!("{user}@test.local")
}

#[tokio::test]
async fn a_critical_failure_climbs_the_default_policy_level_by_level_at_the_exact_instants() {
    let d = desk().await;
    d.fail(0).await;

    // t0: one OPEN alert at level 1, linked to its checklist and item.
    let alerts = d.alerts(&d.w.manager, "?status=OPEN").await;
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    let alert = &alerts[0];
    let id = alert["id"].as_str().unwrap().to_owned();
    assert_eq!(
        (alert["status"].clone(), alert["cause"].clone(), alert["level"].clone(), alert["priority"].clone()),
        (json!("OPEN"), json!("ITEM_FAILED"), json!(1), json!("critical"))
    );
    assert_eq!((alert["instance_id"].clone(), alert["item_id"].clone()), (d.instance["id"].clone(), json!(d.item(0))));
    assert_eq!(alert["opened_at"], json!("2026-11-25T09:00:00Z"));
    assert_eq!(alert["next_escalation_at"], json!("2026-11-25T09:10:00Z"));
    // The managers heard once in the app (the failure's notice), and got the alert's
    // e-mail with its acknowledge link; the failure's own e-mail is not sent twice.
    assert_eq!(d.titles(&d.w.manager).await, ["CRITICAL: Checklist Item Escalated - Core switch"]);
    let mary = mail_of("mary.manager");
    assert_eq!(d.mail_subjects(&mary).await, ["SentinelOps | FAILED: Item 'Core switch' in Morning ops (MORNING)"]);
    assert!(d.mail_subjects(&mail_of("root.admin")).await.is_empty(), "admins come in at level 2");
    // The live channels heard of it.
    let kinds: Vec<Value> = live::after(d.w.srv.app.store.reader(), 0, 1_000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.payload["kind"].clone())
        .filter(|k| k.as_str().is_some_and(|k| k.starts_with("ALERT_")))
        .collect();
    assert_eq!(kinds, [json!("ALERT_OPENED")]);

    // Level 2 at t0+10 min (not a second before): the managers and every admin.
    assert_eq!(d.tick(t0() + Duration::seconds(599)).await, 0);
    assert_eq!(d.tick(t0() + Duration::minutes(10)).await, 1);
    assert_eq!(d.tick(t0() + Duration::minutes(10)).await, 0, "once");
    let escalated = "Escalated (level 2): FAILED: Item 'Core switch' in Morning ops (MORNING)";
    assert_eq!(d.titles(&d.w.admin).await.first().map(String::as_str), Some(escalated));
    assert_eq!(d.mail_subjects(&mail_of("root.admin")).await, [format!("SentinelOps | {escalated}")]);
    let now = d.alert(&id).await;
    assert_eq!((now["level"].clone(), now["next_escalation_at"].clone()), (json!(2), json!("2026-11-25T09:30:00Z")));

    // Level 3 at t0+30 min: the admins and the escalation webhook; then the last level
    // twice more, 30 minutes apart; then the climb ends.
    assert_eq!(d.tick(t0() + Duration::minutes(29)).await, 0);
    assert_eq!(d.tick(t0() + Duration::minutes(30)).await, 1);
    assert!(d.w.srv.app.deliver_outbox_once().await.unwrap() > 0);
    let hooks = d.sink.requests();
    let pages: Vec<Value> = hooks.iter().map(|r| r.json()).filter(|b| b["alert_id"] == json!(id)).collect();
    assert_eq!(pages.len(), 1, "{pages:?}");
    assert_eq!((pages[0]["level"].clone(), pages[0]["class"].clone()), (json!(3), json!("escalation")));
    assert_eq!(d.tick(t0() + Duration::minutes(59)).await, 0);
    assert_eq!(d.tick(t0() + Duration::minutes(60)).await, 1, "repeat 1");
    assert_eq!(d.tick(t0() + Duration::minutes(90)).await, 1, "repeat 2");
    assert_eq!(d.tick(t0() + Duration::hours(5)).await, 0, "the climb is over");
    let after = d.alert(&id).await;
    assert_eq!((after["status"].clone(), after["next_escalation_at"].clone()), (json!("OPEN"), Value::Null));
    assert_eq!(
        d.timeline(&id).await,
        [("OPENED", 1), ("NOTIFIED", 1), ("NOTIFIED", 2), ("NOTIFIED", 3), ("NOTIFIED", 3), ("NOTIFIED", 3)]
            .map(|(k, l)| (k.to_owned(), l))
    );
}

#[tokio::test]
async fn acknowledging_at_any_level_stops_the_climb_and_says_who_owns_it() {
    let d = desk().await;
    for index in 0..3 {
        d.fail(index).await;
    }
    let ids: Vec<String> = {
        let mut ids = Vec::new();
        for index in 0..3 {
            ids.push(d.alert_of(index).await["id"].as_str().unwrap().to_owned());
        }
        ids
    };
    // Who may not: an operator (read-only), another section's manager.
    assert_eq!(d.acknowledge(&ids[0], &d.w.operator).await.0, 403);
    assert_eq!(d.acknowledge(&ids[0], &d.w.cards().manager).await.0, 403);
    // The first at level 1, the second at level 2, the third at level 3.
    d.w.clock.set(t0() + Duration::minutes(5));
    let (status, owned) = d.acknowledge(&ids[0], &d.w.manager).await;
    assert_eq!(status, 200, "{owned}");
    assert_eq!(
        (owned["status"].clone(), owned["acknowledged_by_name"].clone(), owned["next_escalation_at"].clone()),
        (json!("ACKNOWLEDGED"), json!("mary.manager"), Value::Null)
    );
    assert_eq!(d.tick(t0() + Duration::minutes(10)).await, 2, "the two others climb");
    let manager = d.fresh("mary.manager").await;
    assert_eq!(d.acknowledge(&ids[1], &manager).await.0, 200);
    assert_eq!(d.tick(t0() + Duration::minutes(30)).await, 1, "only the third");
    let (status, _) = d.acknowledge(&ids[2], &d.w.admin).await;
    assert_eq!(status, 200);
    for hour in 1..6 {
        assert_eq!(d.tick(t0() + Duration::hours(hour)).await, 0, "nothing climbs once owned");
    }
    let notified =
        |t: Vec<(String, i64)>| t.iter().filter(|(k, _)| k == "NOTIFIED").map(|(_, l)| *l).collect::<Vec<_>>();
    assert_eq!(notified(d.timeline(&ids[0]).await), [1]);
    assert_eq!(notified(d.timeline(&ids[1]).await), [1, 2]);
    assert_eq!(notified(d.timeline(&ids[2]).await), [1, 2, 3]);
    // A second acknowledgement names the owner; nothing changes.
    let (status, body) = d.acknowledge(&ids[2], &manager).await;
    assert_eq!((status, body["detail"].clone()), (409, json!("The alert is already acknowledged by root.admin")));

    // Resolving needs a note; then the alert is closed for good.
    let resolve = format!("{ALERTS}/{}/resolve", ids[0]);
    for bad in [json!({}), json!({"note": "   "})] {
        let (status, body) = d.w.srv.post(&resolve, &manager, bad).await;
        assert_eq!(status, 422, "{body}");
    }
    assert_eq!(d.w.srv.post(&resolve, &d.w.operator, json!({"note": "fixed"})).await.0, 403);
    let (status, resolved) = d.w.srv.post(&resolve, &manager, json!({"note": "Replaced the line card"})).await;
    assert_eq!(status, 200, "{resolved}");
    assert_eq!(
        (resolved["status"].clone(), resolved["resolution_note"].clone()),
        (json!("RESOLVED"), json!("Replaced the line card"))
    );
    assert_eq!(d.w.srv.post(&resolve, &manager, json!({"note": "again"})).await.0, 409);
    let kinds: Vec<String> = d.timeline(&ids[0]).await.into_iter().map(|(k, _)| k).collect();
    assert_eq!(kinds, ["OPENED", "NOTIFIED", "ACKNOWLEDGED", "RESOLVED"]);
    // An OPEN alert may be resolved straight away too.
    let open = d.alerts(&d.w.admin, "?status=open").await;
    assert!(open.is_empty(), "{open:?}");
    let by_status = |status: &'static str| {
        let d = &d;
        async move { d.alerts(&d.w.admin, &format!("?status={status}")).await.len() }
    };
    assert_eq!((by_status("ACKNOWLEDGED").await, by_status("RESOLVED").await), (2, 1));
    assert_eq!(d.w.srv.get(&format!("{ALERTS}?status=CLOSED"), &d.w.admin).await.0, 422);
    // Every step is an ops event.
    let (status, events) = d.w.srv.get("/api/v1/ops/events?entity_type=ALERT&limit=100", &d.w.admin).await;
    assert_eq!(status, 200, "{events}");
    let logged: Vec<&str> =
        events["items"].as_array().unwrap().iter().map(|e| e["event_type"].as_str().unwrap()).collect();
    for kind in ["ALERT_OPENED", "ALERT_ESCALATED", "ALERT_ACKNOWLEDGED", "ALERT_RESOLVED"] {
        assert!(logged.contains(&kind), "{kind} missing from the ops log: {logged:?}");
    }
}

/// The acknowledge link of the newest e-mail to `address`.
fn link_in(smtp: &TestSmtp, address: &str) -> String {
    let mails = smtp.mailbox(address);
    let text = mails.last().unwrap_or_else(|| panic!("no mail to {address}")).text();
    let start = text.find(&format!("{PUBLIC_URL}/alerts/ack/")).unwrap_or_else(|| panic!("no link in {text}"));
    text[start + PUBLIC_URL.len()..].split_whitespace().next().unwrap().to_owned()
}

#[tokio::test]
async fn the_email_link_acknowledges_once_and_is_refused_reused_expired_or_tampered_with() {
    let d = desk().await;
    d.fail(0).await;
    d.w.srv.app.deliver_outbox_once().await.unwrap();
    let path = link_in(&d.smtp, &mail_of("mary.manager"));
    let client = reqwest::Client::new();
    let get = |p: String| {
        let client = client.clone();
        let url = d.w.srv.url(&p);
        async move {
            let r = client.get(url).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let post = |p: String| {
        let client = client.clone();
        let url = d.w.srv.url(&p);
        async move {
            let r = client.post(url).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    // Opening the link (as a mail scanner would) shows the alert and changes nothing.
    let (status, page) = get(path.clone()).await;
    assert_eq!(status, 200);
    assert!(page.contains("Core switch") && page.contains(">Acknowledge</button>"), "{page}");
    assert_eq!(d.alert_of(0).await["status"], "OPEN");
    // A tampered token is no link.
    let mut tampered = path.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    assert_eq!(post(tampered.clone()).await.0, 404);
    assert_eq!(get(tampered).await.0, 404);
    assert_eq!(post("/alerts/ack/short".into()).await.0, 404);
    assert_eq!(d.alert_of(0).await["status"], "OPEN");
    // One click: acknowledged, by the person it was mailed to, without signing in.
    d.w.clock.set(t0() + Duration::minutes(3));
    let (status, page) = post(path.clone()).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Alert acknowledged") && page.contains("mary.manager"), "{page}");
    let owned = d.alert_of(0).await;
    assert_eq!(
        (owned["status"].clone(), owned["acknowledged_by_name"].clone(), owned["acknowledged_at"].clone()),
        (json!("ACKNOWLEDGED"), json!("mary.manager"), json!("2026-11-25T09:03:00Z"))
    );
    // Used once: refused again.
    let (status, page) = post(path.clone()).await;
    assert_eq!(status, 409);
    assert!(page.contains("already used"), "{page}");

    // A link past its 24 hours is refused, and the alert keeps climbing.
    d.fail(1).await;
    d.w.srv.app.deliver_outbox_once().await.unwrap();
    let late = link_in(&d.smtp, &mail_of("mary.manager"));
    d.w.clock.set(t0() + Duration::minutes(3) + Duration::hours(24));
    let (status, page) = post(late).await;
    assert_eq!(status, 409);
    assert!(page.contains("expired"), "{page}");
    let admin = d.fresh("root.admin").await;
    let (_, open) = d.w.srv.get(&format!("{ALERTS}?status=OPEN"), &admin).await;
    assert_eq!(open["items"][0]["item_id"], json!(d.item(1)), "still open: {open}");
}

#[tokio::test]
async fn an_on_call_address_in_the_policy_is_mailed_and_acknowledges_by_its_link() {
    let d = desk().await;
    let policy = json!({
        "levels": [
            {"delay_minutes": 5, "recipients": {"email": "OnCall@Bank.test"}},
            {"delay_minutes": 15, "recipients": {"section_managers": true, "webhook": "escalation"}},
        ],
        "repeat": 0,
    });
    let (status, saved) =
        d.w.srv.put(&format!("/api/v1/escalation-policies/{}", d.w.section), &d.w.admin, policy).await;
    assert_eq!(status, 200, "{saved}");
    d.fail(0).await;
    assert!(d.titles(&d.w.manager).await.len() == 1, "level 1 is the on-call address alone");
    d.w.srv.app.deliver_outbox_once().await.unwrap();
    let path = link_in(&d.smtp, "oncall@bank.test");
    let response = reqwest::Client::new().post(d.w.srv.url(&path)).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let owned = d.alert_of(0).await;
    assert_eq!(
        (owned["status"].clone(), owned["acknowledged_by"].clone(), owned["acknowledged_by_name"].clone()),
        (json!("ACKNOWLEDGED"), Value::Null, json!("oncall@bank.test"))
    );
    assert_eq!(d.tick(t0() + Duration::hours(1)).await, 0, "owned: level 2 never comes");
}

#[tokio::test]
async fn a_missed_critical_step_opens_an_alert_once_its_sections_grace_is_over() {
    let d = desk_with(json!([
        {"title": "Backup check", "item_type": "TIMED", "scheduled_time": "10:00", "notify_before_minutes": 10, "severity": 5},
        {"title": "Tea", "item_type": "TIMED", "scheduled_time": "10:00", "notify_before_minutes": 10, "severity": 1},
    ]))
    .await;
    let policy =
        json!({"levels": [{"delay_minutes": 10, "recipients": {"section_managers": true}}], "due_grace_minutes": 30});
    let path = format!("/api/v1/escalation-policies/{}", d.w.section);
    assert_eq!(d.w.srv.put(&path, &d.w.admin, policy).await.0, 200);
    let view = |label: &'static str| {
        let d = &d;
        async move {
            let id = d.instance["id"].as_str().unwrap();
            let (status, view) = d.w.srv.get(&format!("/api/v1/checklists/instances/{id}"), &d.w.admin).await;
            assert_eq!(status, 200, "{label}");
            view["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["due_state"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    for (when, state, alerts) in [
        (at(2026, 11, 25, 9, 50), "DUE", 0),
        (at(2026, 11, 25, 10, 0), "OVERDUE", 0),
        (at(2026, 11, 25, 10, 29), "OVERDUE", 0),
        (at(2026, 11, 25, 10, 30), "MISSED", 1),
        (at(2026, 11, 25, 11, 30), "MISSED", 1),
    ] {
        d.tick(when).await;
        // The view is cached for up to a second by revision; the clock moved, not the rows.
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        assert_eq!(view("at").await, [state, state], "at {when}");
        let open = d.alerts(&d.w.admin, "?status=OPEN").await;
        assert_eq!(open.len(), alerts, "at {when}: {open:?}");
    }
    let alert = &d.alerts(&d.w.manager, "").await[0];
    assert_eq!((alert["cause"].clone(), alert["item_id"].clone()), (json!("ITEM_MISSED"), json!(d.item(0))));
    assert!(alert["title"].as_str().unwrap().contains("Backup check"), "{alert}");
}

#[tokio::test]
async fn an_unsigned_checklist_opens_an_alert_once_the_signoff_grace_after_its_shift_is_over() {
    let d = desk().await;
    // MORNING ends at 15:00; the default sign-off grace is 60 minutes.
    assert_eq!(d.tick(at(2026, 11, 25, 15, 59)).await, 0);
    assert!(d.alerts(&d.w.admin, "").await.is_empty());
    d.tick(at(2026, 11, 25, 16, 0)).await;
    let alerts = d.alerts(&d.w.manager, "").await;
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(
        (alerts[0]["cause"].clone(), alerts[0]["instance_id"].clone()),
        (json!("CHECKLIST_UNSIGNED"), d.instance["id"].clone())
    );
    d.tick(at(2026, 11, 25, 16, 30)).await;
    let manager = d.fresh("mary.manager").await;
    let id = alerts[0]["id"].as_str().unwrap();
    let resolved = d.w.srv.post(&format!("{ALERTS}/{id}/resolve"), &manager, json!({"note": "Signed off late"})).await;
    assert_eq!(resolved.0, 200, "{}", resolved.1);
    d.tick(at(2026, 11, 25, 17, 0)).await;
    assert_eq!(d.alerts(&d.w.admin, "").await.len(), 1, "one alert per checklist, even once resolved");
}

#[tokio::test]
async fn policies_are_read_by_the_sections_supervisors_and_replaced_by_admins_only() {
    let d = desk().await;
    let path = format!("/api/v1/escalation-policies/{}", d.w.section);
    let (status, default) = d.w.srv.get(&path, &d.w.manager).await;
    assert_eq!(status, 200, "{default}");
    assert_eq!(default["is_default"], true);
    let delays: Vec<Value> = default["levels"].as_array().unwrap().iter().map(|l| l["delay_minutes"].clone()).collect();
    assert_eq!(delays, [json!(10), json!(20), json!(30)]);
    assert_eq!((default["repeat"].clone(), default["due_grace_minutes"].clone()), (json!(2), json!(15)));
    assert_eq!(d.w.srv.get(&path, &d.w.operator).await.0, 403);
    assert_eq!(d.w.srv.get(&path, &d.w.cards().manager).await.0, 403);
    assert_eq!(d.w.srv.get(&format!("/api/v1/escalation-policies/{}", uuid::Uuid::now_v7()), &d.w.admin).await.0, 404);

    let good = json!({"levels": [{"delay_minutes": 5, "recipients": {"users": [d.w.operator.id], "email": "noc@bank.test"}}],
                      "repeat": 3, "due_grace_minutes": 20, "signoff_grace_minutes": 90});
    assert_eq!(d.w.srv.put(&path, &d.w.manager, good.clone()).await.0, 403, "managers read, admins write");
    let (status, saved) = d.w.srv.put(&path, &d.w.admin, good).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!((saved["is_default"].clone(), saved["repeat"].clone()), (json!(false), json!(3)));
    let level = |recipients: Value| json!({"levels": [{"delay_minutes": 5, "recipients": recipients}]});
    let eleven: Vec<Value> = (0..11).map(|_| json!({"delay_minutes": 5, "recipients": {"all_admins": true}})).collect();
    for (bad, field) in [
        (json!({"levels": []}), "levels"),
        (json!({"levels": eleven}), "levels"),
        (json!({"levels": [{"delay_minutes": 0, "recipients": {"all_admins": true}}]}), "levels[0].delay_minutes"),
        (level(json!({})), "levels[0].recipients"),
        (level(json!({"webhook": "pager"})), "levels[0].recipients.webhook"),
        (level(json!({"email": "not an address"})), "levels[0].recipients.email"),
        (level(json!({"users": [uuid::Uuid::now_v7()]})), "levels[0].recipients.users"),
        (
            json!({"levels": [{"delay_minutes": 5, "recipients": {"all_admins": true}}], "due_grace_minutes": 241}),
            "due_grace_minutes",
        ),
        (json!({"levels": [{"delay_minutes": -5, "recipients": {"all_admins": true}}]}), ""),
        (json!({"repeat": 1}), ""),
    ] {
        let (status, body) = d.w.srv.put(&path, &d.w.admin, bad.clone()).await;
        assert_eq!(status, 422, "{bad} -> {body}");
        assert!(body["detail"].to_string().contains(field), "{bad}: {body} should name {field}");
    }
    let (_, kept) = d.w.srv.get(&path, &d.w.admin).await;
    assert_eq!(
        (kept["repeat"].clone(), kept["signoff_grace_minutes"].clone()),
        (json!(3), json!(90)),
        "refusals change nothing"
    );
}

#[tokio::test]
async fn alerts_are_section_scoped_and_named_people_may_acknowledge() {
    let d = desk().await;
    d.fail(0).await;
    let id = d.alert_of(0).await["id"].as_str().unwrap().to_owned();
    // Operators see their section's alerts; another section sees none of them.
    assert_eq!(d.alerts(&d.w.operator, "").await.len(), 1);
    assert!(d.alerts(&d.w.cards().operator, "").await.is_empty());
    assert!(d.alerts(&d.w.cards().manager, "").await.is_empty());
    assert_eq!(d.w.srv.get(&format!("{ALERTS}/{id}"), &d.w.cards().manager).await.0, 403);
    assert_eq!(d.w.srv.get(&format!("{ALERTS}?section_id={}", d.w.section), &d.w.cards().manager).await.0, 403);
    assert_eq!(d.w.srv.get(&format!("{ALERTS}/{}", uuid::Uuid::now_v7()), &d.w.admin).await.0, 404);
    assert_eq!(d.alerts(&d.w.admin, &format!("?section_id={}", d.w.cards().id)).await.len(), 0);
    // The operator named by the policy may take it.
    let policy = json!({"levels": [{"delay_minutes": 5, "recipients": {"users": [d.w.operator.id]}}]});
    assert_eq!(d.w.srv.put(&format!("/api/v1/escalation-policies/{}", d.w.section), &d.w.admin, policy).await.0, 200);
    let (status, owned) = d.acknowledge(&id, &d.w.operator).await;
    assert_eq!((status, owned["acknowledged_by_name"].clone()), (200, json!("olu.operator")));
}

#[tokio::test]
async fn two_instances_on_one_database_send_each_level_once() {
    let d = desk().await;
    let other = TestServer::start_on(
        d.w.srv.database().clone(),
        Options { clock: Some(d.w.clock.clone()), config: Some((*d.w.srv.app.config).clone()), ..Default::default() },
    )
    .await;
    d.fail(0).await;
    let id = d.alert_of(0).await["id"].as_str().unwrap().to_owned();
    let mut sent = 0;
    for minutes in [10, 10, 30, 30, 60, 90, 120] {
        d.w.clock.set(t0() + Duration::minutes(minutes));
        for _ in 0..3 {
            let (a, b) = tokio::join!(d.w.srv.app.run_job(Job::Escalations), other.app.run_job(Job::Escalations));
            sent += a.unwrap().unwrap_or(0) + b.unwrap().unwrap_or(0);
            let (a, b) = tokio::join!(d.w.srv.app.run_escalations(), other.app.run_escalations());
            sent += a.unwrap() + b.unwrap();
        }
    }
    assert_eq!(sent, 4, "levels 2 and 3 and two repeats, each once");
    let levels: Vec<i64> = d.timeline(&id).await.into_iter().filter(|(k, _)| k == "NOTIFIED").map(|(_, l)| l).collect();
    assert_eq!(levels, [1, 2, 3, 3, 3]);
    let mut other = other;
    other.stop().await;
}
