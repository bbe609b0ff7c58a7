//! Role × section matrix: every operation of the OpenAPI document, called by anonymous, an
//! operator and a manager of another section, an operator of the section and an admin, on
//! real objects of one section. Refusals are 403/404 and change nothing (an admin's view of
//! the section is compared before and after); what other sections are allowed to read never
//! carries this section's ids; anonymous always gets 401. The test fails if an operation of
//! the document has no row here, so a new route needs its access rule written down.

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use sentinelops_testkit::{PASSWORD, TestServer};
use serde_json::{Value, json};

use crate::admin;
use crate::openapi::{document, operations};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    OperatorOther,
    ManagerOther,
    OperatorSame,
    Admin,
}

const EVERYONE: [Who; 5] = [Who::Anonymous, Who::OperatorOther, Who::ManagerOther, Who::OperatorSame, Who::Admin];

/// Who may do an operation, from `crates/app/src/access.rs` and decisions §4.
#[derive(Debug, Clone, Copy)]
enum Rule {
    /// No session needed: everyone gets this status.
    Public(u16),
    /// Anyone signed in, on their own or shared data.
    Signed,
    /// The section's people and admins (`can_use_section`).
    Section,
    /// The section's managers and admins (`can_supervise_section`): here, only the admin.
    Supervise,
    /// Managers (in their own section) and admins.
    Managers,
    /// Administrators only.
    Admin,
    /// Only the one the object belongs to.
    Owner(Who),
}

impl Rule {
    fn allows(self, who: Who) -> bool {
        match (self, who) {
            (Rule::Public(_), _) => true,
            (_, Who::Anonymous) => false,
            (Rule::Signed, _) => true,
            (Rule::Section, who) => matches!(who, Who::OperatorSame | Who::Admin),
            (Rule::Supervise | Rule::Admin, who) => who == Who::Admin,
            (Rule::Managers, who) => matches!(who, Who::ManagerOther | Who::Admin),
            (Rule::Owner(owner), who) => owner == who,
        }
    }
}

/// One operation: its documented path (ids filled in from the world), a query and a body.
struct Case {
    method: Method,
    path: &'static str,
    query: String,
    body: Option<Value>,
    rule: Rule,
}

fn case(method: Method, path: &'static str, rule: Rule) -> Case {
    Case { method, path, query: String::new(), body: None, rule }
}

impl Case {
    fn query(mut self, query: String) -> Case {
        self.query = query;
        self
    }

    fn body(mut self, body: Value) -> Case {
        self.body = Some(body);
        self
    }
}

/// Section A's objects (the ones under test), section B's people, and their tokens.
struct World {
    srv: TestServer,
    today: String,
    section: String,
    department: String,
    template: String,
    /// Template items: [0] ROUTINE, [1] with a subitem, [2] SCHEDULED_EVENT.
    template_items: Vec<String>,
    template_subitem: String,
    /// A second template (same items) whose item, subitem, event and itself get deleted.
    spare_template: String,
    spare_items: Vec<String>,
    spare_subitem: String,
    spare_event: String,
    instance: String,
    instance_items: Vec<String>,
    instance_subitem: String,
    /// An instance of the spare template, for the delete.
    spare_instance: String,
    note: String,
    /// The NIGHT shift's id.
    shift: String,
    /// Section A's roster: a weekly pattern, a scheduled shift and a pending day off.
    pattern: String,
    scheduled_shift: String,
    day_off: String,
    /// A shift swap of section A: offered by `victim`, to be taken by the same-section operator.
    swap: String,
    /// The admin's notification (the skip alert).
    notification: String,
    /// Section A's alert (its failed item).
    alert: String,
    operator_same_id: String,
    /// Another session of the same-section operator (for revoking one's own session).
    operator_same_spare_session: String,
    operator_same_spare_token: String,
    /// A same-section operator the user administration acts on.
    victim: String,
    victim_token: String,
    tokens: Vec<(Who, String, String)>,
}

fn id(value: &Value) -> String {
    value.as_str().unwrap_or_else(|| panic!("not an id: {value}")).to_owned()
}

impl World {
    async fn new() -> World {
        let srv = TestServer::start().await;
        let today = srv.operational_today().await;
        let (_, admin) = admin(&srv).await;
        let section = srv.create_section("Section A").await;
        let other = srv.create_section("Section B").await;
        let (same_user, operator_same) = srv.user_with_token("olu.same", "user", Some(section)).await;
        let (_, operator_other) = srv.user_with_token("otto.other", "user", Some(other)).await;
        let (_, manager_other) = srv.user_with_token("mo.other", "manager", Some(other)).await;
        let (victim_user, victim_token) = srv.user_with_token("vic.same", "user", Some(section)).await;
        let (_, sections) = srv.get("/api/v1/org/sections", &admin).await;
        let department = sections
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == json!(section))
            .map(|s| s["department_id"].to_string())
            .unwrap();

        let items = json!([
            {"title": "Routine check", "item_type": "ROUTINE"},
            {"title": "With subitem", "item_type": "ROUTINE", "subitems": [{"title": "Sub one"}]},
            {"title": "Batch run", "item_type": "SCHEDULED_EVENT",
             "scheduled_events": [{"event_datetime": format!("{today}T09:00:00Z")}]},
        ]);
        let template_body = json!({"name": "A morning", "shift": "MORNING", "section_id": section, "items": items});
        let (status, created) = srv.post("/api/v1/checklists/templates", &admin, template_body).await;
        assert_eq!(status, 200, "{created}");
        let template = id(&created["id"]);
        let template_items: Vec<String> =
            created["template"]["items"].as_array().unwrap().iter().map(|i| id(&i["id"])).collect();
        let template_subitem = id(&created["template"]["items"][1]["subitems"][0]["id"]);
        // Its event item has two events: one may be deleted.
        let mut spare_items = items.clone();
        spare_items[2]["scheduled_events"] =
            json!([{"event_datetime": format!("{today}T13:00:00Z")}, {"event_datetime": format!("{today}T14:00:00Z")}]);
        let spare_body =
            json!({"name": "A afternoon", "shift": "AFTERNOON", "section_id": section, "items": spare_items});
        let (status, spare) = srv.post("/api/v1/checklists/templates", &admin, spare_body).await;
        assert_eq!(status, 200, "{spare}");

        let (status, created) = srv
            .post(
                "/api/v1/checklists/instances",
                &operator_same,
                json!({"template_id": template, "checklist_date": today}),
            )
            .await;
        assert_eq!(status, 200, "{created}");
        let instance = id(&created["id"]);
        let instance_items: Vec<String> =
            created["instance"]["items"].as_array().unwrap().iter().map(|i| id(&i["id"])).collect();
        let instance_subitem = id(&created["instance"]["items"][1]["subitems"][0]["id"]);
        let (status, spare_instance) = srv
            .post(
                "/api/v1/checklists/instances",
                &admin,
                json!({"template_id": id(&spare["id"]), "checklist_date": today}),
            )
            .await;
        assert_eq!(status, 200, "{spare_instance}");

        // A skip alerts the section's managers and the admins: the admin's notification.
        let base = format!("/api/v1/checklists/instances/{instance}");
        let (status, body) = srv.post(&format!("{base}/join"), &operator_same, json!({})).await;
        assert_eq!(status, 200, "{body}");
        let (status, body) = srv
            .patch(
                &format!("{base}/items/{}", instance_items[0]),
                &operator_same,
                json!({"status": "SKIPPED", "reason": "Not needed today"}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let (_, notes) = srv.get("/api/v1/notifications/?include_read=true", &admin).await;
        let notification = id(&notes[0]["id"]);
        // A failure opens an alert.
        let (status, body) = srv
            .patch(
                &format!("{base}/items/{}", instance_items[2]),
                &operator_same,
                json!({"status": "FAILED", "reason": "Batch host down"}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let (_, alerts) = srv.get("/api/v1/alerts", &admin).await;
        let alert = id(&alerts["items"][0]["id"]);

        let (status, note) = srv
            .post(
                "/api/v1/checklists/handover-notes",
                &operator_same,
                json!({"content": "Watch the batch", "from_instance_id": instance}),
            )
            .await;
        assert_eq!(status, 200, "{note}");

        let (_, shifts) = srv.get("/api/v1/checklists/shifts", &admin).await;
        let night = shifts.as_array().unwrap().iter().find(|s| s["name"] == "NIGHT").unwrap();
        let week: Vec<Value> = (0..7).map(|d| json!({"day_of_week": d, "shift_id": night["id"]})).collect();
        let body = json!({"name": "Nights", "section_id": section, "schedule_days": week});
        let (status, pattern) = srv.post("/api/v1/checklists/shift-patterns", &admin, body).await;
        assert_eq!(status, 200, "{pattern}");
        let body = json!({"shift_id": night["id"], "user_id": same_user["id"], "date": "2030-01-10"});
        let (status, scheduled) = srv.post("/api/v1/checklists/scheduled-shifts", &admin, body).await;
        assert_eq!(status, 200, "{scheduled}");
        let body = json!({"start_date": "2030-01-01", "end_date": "2030-01-02", "reason": "Matrix"});
        let (status, _) = srv.post("/api/v1/checklists/days-off", &operator_same, body).await;
        assert_eq!(status, 200);
        let (_, days_off) = srv.get("/api/v1/checklists/days-off", &operator_same).await;
        let body = json!({"shift_id": night["id"], "user_id": victim_user["id"], "date": "2030-01-15"});
        assert_eq!(srv.post("/api/v1/checklists/scheduled-shifts", &admin, body).await.0, 200);
        let body = json!({"date": "2030-01-15", "shift_id": night["id"]});
        let (status, swap) = srv.post("/api/v1/checklists/shift-swaps", &victim_token, body).await;
        assert_eq!(status, 200, "{swap}");

        let operator_same_spare_token = srv.login("olu.same", PASSWORD).await;
        let (_, sessions) = srv.get("/api/v1/auth/sessions", &operator_same_spare_token).await;
        let spare_session = sessions.as_array().unwrap().iter().find(|s| s["current"] == true).unwrap();

        World {
            today,
            section: section.to_string(),
            department,
            template,
            template_items,
            template_subitem,
            spare_template: id(&spare["id"]),
            spare_items: spare["template"]["items"].as_array().unwrap().iter().map(|i| id(&i["id"])).collect(),
            spare_subitem: id(&spare["template"]["items"][1]["subitems"][0]["id"]),
            spare_event: id(&spare["template"]["items"][2]["scheduled_events"][0]["id"]),
            instance,
            instance_items,
            instance_subitem,
            spare_instance: id(&spare_instance["id"]),
            note: id(&note["id"]),
            shift: night["id"].to_string(),
            pattern: id(&pattern["pattern"]["id"]),
            scheduled_shift: id(&scheduled["id"]),
            day_off: id(&days_off[0]["id"]),
            swap: id(&swap["id"]),
            notification,
            alert,
            operator_same_id: id(&same_user["id"]),
            operator_same_spare_session: id(&spare_session["id"]),
            operator_same_spare_token,
            victim: id(&victim_user["id"]),
            victim_token,
            tokens: vec![
                (Who::OperatorOther, "otto.other".into(), operator_other),
                (Who::ManagerOther, "mo.other".into(), manager_other),
                (Who::OperatorSame, "olu.same".into(), operator_same),
                (Who::Admin, "root.admin".into(), admin),
            ],
            srv,
        }
    }

    fn token(&self, who: Who) -> Option<&str> {
        self.tokens.iter().find(|(w, _, _)| *w == who).map(|(_, _, t)| t.as_str())
    }

    fn login_of(&self, who: Who) -> Option<&str> {
        self.tokens.iter().find(|(w, _, _)| *w == who).map(|(_, l, _)| l.as_str())
    }

    fn admin(&self) -> &str {
        self.token(Who::Admin).unwrap()
    }

    /// The documented path with this world's ids. Deletions act on the spare template and
    /// the spare instance, so that the rows after them still find section A's own whole.
    fn fill(&self, method: &Method, path: &str) -> String {
        let spare = *method == Method::DELETE && path.starts_with("/api/v1/checklists/templates/");
        let (template, items, subitem, event) = if spare {
            (&self.spare_template, &self.spare_items, &self.spare_subitem, &self.spare_event)
        } else {
            (&self.template, &self.template_items, &self.template_subitem, &self.spare_event)
        };
        let template_item = if path.contains("/subitems") {
            &items[1]
        } else if path.contains("/scheduled-events") {
            &items[2]
        } else {
            &items[0]
        };
        let (item, subitem) = if path.starts_with("/api/v1/checklists/templates/") {
            (template_item, subitem)
        } else {
            (&self.instance_items[1], &self.instance_subitem)
        };
        let instance = if *method == Method::DELETE { &self.spare_instance } else { &self.instance };
        path.replace("{template_id}", template)
            .replace("{item_id}", item)
            .replace("{subitem_id}", subitem)
            .replace("{event_id}", event)
            .replace("{instance_id}", instance)
            .replace("{note_id}", &self.note)
            .replace("{user_id}", &self.victim)
            .replace("{session_id}", &self.operator_same_spare_session)
            .replace("{department_id}", &self.department)
            .replace("{section_id}", &self.section)
            .replace("{notification_id}", &self.notification)
            .replace("{badge_key}", "critical_shield")
            .replace("{shift_id}", &self.shift)
            .replace("{pattern_id}", &self.pattern)
            .replace("{scheduled_shift_id}", &self.scheduled_shift)
            .replace("{day_off_id}", &self.day_off)
            .replace("{decision}", "approve")
            .replace("{swap_id}", &self.swap)
            .replace("{alert_id}", &self.alert)
    }

    /// Ids that someone outside section A must never read (and the notification, which is the admin's).
    fn secrets(&self, who: Who) -> Vec<&str> {
        let mut secrets = vec![self.notification.as_str()];
        if matches!(who, Who::OperatorOther | Who::ManagerOther) {
            secrets.extend([
                self.template.as_str(),
                &self.spare_template,
                &self.instance,
                &self.spare_instance,
                &self.note,
                &self.operator_same_id,
                &self.victim,
                &self.alert,
            ]);
            secrets.extend(self.instance_items.iter().map(String::as_str));
            secrets.extend(self.template_items.iter().map(String::as_str));
        }
        if who == Who::Admin {
            secrets.clear();
        }
        secrets
    }

    /// What an admin sees of section A and of everything a refused write could touch.
    async fn snapshot(&self) -> Value {
        let today = &self.today;
        let reads = [
            format!("/api/v1/checklists/templates/{}", self.template),
            format!("/api/v1/checklists/templates/{}", self.spare_template),
            format!("/api/v1/checklists/templates?active_only=false&section_id={}", self.section),
            format!("/api/v1/checklists/instances/{}", self.instance),
            format!("/api/v1/checklists/instances/{}", self.spare_instance),
            format!("/api/v1/checklists/instances/{}/handover-notes", self.instance),
            format!("/api/v1/checklists/instances?start_date=2000-01-01&end_date={today}"),
            "/api/v1/users".to_owned(),
            "/api/v1/org/departments".to_owned(),
            "/api/v1/org/sections".to_owned(),
            "/api/v1/app-settings/timezone".to_owned(),
            "/api/v1/checklists/shifts".to_owned(),
            "/api/v1/notifications/?include_read=true&limit=100".to_owned(),
            "/api/v1/notifications/preferences".to_owned(),
            "/api/v1/ops/events?limit=1".to_owned(),
        ];
        let mut state = serde_json::Map::new();
        for path in reads {
            // A deleted object reads as a 404: the status is part of the state.
            let (status, mut body) = self.srv.get(&path, self.admin()).await;
            strip_volatile(&mut body);
            if path.starts_with("/api/v1/ops/events") {
                body = body["total"].clone();
            }
            state.insert(path, json!([status.as_u16(), body]));
        }
        for (name, token) in [("spare session", &self.operator_same_spare_token), ("victim", &self.victim_token)] {
            let (status, _) = self.srv.get("/auth/me", token).await;
            state.insert(format!("{name} signed in"), json!(status.as_u16()));
        }
        Value::Object(state)
    }
}

/// Fields that change by themselves (clocks, presence), not by a write.
fn strip_volatile(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for key in [
                "last_seen_at",
                "last_login",
                "last_login_at",
                "server_utc",
                "server_local",
                "time_remaining_minutes",
                "is_online",
            ] {
                map.remove(key);
            }
            map.values_mut().for_each(strip_volatile);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_volatile),
        _ => {}
    }
}

/// Every operation, in an order where later rows still find their objects: reads, then
/// writes, the overrides in the order the lifecycle allows, deletions last.
fn cases(w: &World) -> Vec<Case> {
    use Method as M;
    use Rule::*;
    let today = &w.today;
    let range = format!("start_date=2000-01-01&end_date={today}");
    let reason = json!({"reason": "Matrix test"});
    vec![
        // Reads.
        case(M::GET, "/auth/me", Signed),
        case(M::GET, "/auth/ad/status", Public(200)),
        case(M::GET, "/api/v1/auth/sessions", Signed),
        case(M::GET, "/api/v1/users", Admin),
        case(M::GET, "/api/v1/users/by-section", Section).query(format!("section_id={}", w.section)),
        case(M::GET, "/api/v1/users/{user_id}", Supervise),
        case(M::GET, "/api/v1/org/departments", Signed),
        case(M::GET, "/api/v1/org/sections", Signed),
        case(M::GET, "/api/v1/org/sections/by-department/{department_id}", Signed),
        case(M::GET, "/api/v1/app-settings/timezone", Signed),
        case(M::GET, "/api/v1/auth/events", Admin),
        case(M::GET, "/api/v1/ops/events", Managers),
        case(M::GET, "/api/v1/notifications/", Signed).query("include_read=true".into()),
        case(M::GET, "/api/v1/notifications/unread/count", Signed),
        case(M::GET, "/api/v1/gamification/ledger", Signed),
        case(M::GET, "/api/v1/reports/checklists.csv", Section)
            .query(format!("section_id={}&from={today}&to={today}", w.section)),
        case(M::GET, "/api/v1/reports/checklists.xlsx", Section)
            .query(format!("section_id={}&from={today}&to={today}", w.section)),
        case(M::GET, "/api/v1/reports/leaderboard.csv", Signed).query("window=weekly".into()),
        case(M::GET, "/api/v1/reports/leaderboard.xlsx", Signed).query("window=weekly".into()),
        case(M::POST, "/api/v1/gamification/adjustments", Supervise)
            .body(json!({"user_id": w.operator_same_id, "points": 5, "reason": "Matrix adjustment"})),
        case(M::GET, "/api/v1/notifications/preferences", Signed),
        case(M::GET, "/api/v1/gamification/performance/command", Signed).query("focus_window=weekly".into()),
        case(M::GET, "/api/v1/gamification/scores", Signed),
        case(M::GET, "/api/v1/gamification/streak", Signed),
        case(M::GET, "/api/v1/gamification/leaderboard", Signed),
        case(M::GET, "/api/v1/gamification/achievements", Signed),
        case(M::GET, "/api/v1/gamification/dashboard", Signed),
        case(M::GET, "/api/v1/gamification/sections/{section_id}/settings", Section),
        case(M::GET, "/api/v1/checklists/templates", Signed)
            .query(format!("active_only=false&section_id={}", w.section)),
        case(M::GET, "/api/v1/checklists/templates/{template_id}", Section),
        case(M::GET, "/api/v1/checklists/shifts", Signed),
        case(M::GET, "/api/v1/checklists/shifts/{shift_id}", Signed),
        // The roster.
        case(M::GET, "/api/v1/checklists/scheduled-shifts", Section).query(format!("section_id={}", w.section)),
        case(M::GET, "/api/v1/checklists/shift-patterns", Signed),
        case(M::GET, "/api/v1/checklists/shift-patterns/{pattern_id}", Section),
        case(M::GET, "/api/v1/checklists/days-off", Signed),
        case(M::GET, "/api/v1/checklists/my-schedule", Signed),
        case(M::GET, "/api/v1/checklists/on-shift", Section).query(format!("section_id={}", w.section)),
        case(M::GET, "/api/v1/checklists/coverage-minimums", Section).query(format!("section_id={}", w.section)),
        case(M::GET, "/api/v1/checklists/coverage", Section).query(format!("section_id={}", w.section)),
        // Each caller's own feed (made on the first ask).
        case(M::GET, "/api/v1/checklists/calendar-feed", Signed),
        case(M::GET, "/api/v1/checklists/shift-swaps", Section).query(format!("section_id={}", w.section)),
        case(M::GET, "/api/v1/checklists/roster-settings/{section_id}", Section),
        case(M::GET, "/api/v1/alerts", Signed),
        case(M::GET, "/api/v1/alerts/{alert_id}", Section),
        case(M::GET, "/api/v1/escalation-policies/{section_id}", Supervise),
        // PDF reports (the original's paths, now signed in and scoped).
        case(M::GET, "/api/pdf/download/{instance_id}", Section),
        case(M::GET, "/api/pdf/preview/{instance_id}", Section),
        case(M::GET, "/api/pdf/instances/{instance_id}/data", Section),
        case(M::POST, "/api/pdf/generate", Section).body(json!({"instance_id": w.instance})),
        case(M::GET, "/api/v1/checklists/instances/{instance_id}/report.pdf", Section),
        case(M::GET, "/api/v1/reports/period.pdf", Supervise)
            .query(format!("section_id={}&period=week&start={today}", w.section)),
        case(M::GET, "/api/v1/checklists/instances", Signed).query(range.clone()),
        case(M::GET, "/api/v1/checklists/instances/paginated", Signed).query(range),
        case(M::GET, "/api/v1/checklists/instances/today", Signed),
        case(M::GET, "/api/v1/checklists/instances/today/coverage", Signed),
        case(M::GET, "/api/v1/checklists/instances/{instance_id}", Section),
        case(M::GET, "/api/v1/checklists/instances/{instance_id}/stats", Section),
        case(M::GET, "/api/v1/checklists/instances/{instance_id}/items/{item_id}/subitems", Section),
        case(M::GET, "/api/v1/checklists/instances/{instance_id}/items/{item_id}/completion-summary", Section),
        case(M::GET, "/api/v1/checklists/instances/{instance_id}/handover-notes", Section),
        case(M::GET, "/api/v1/checklists/dashboard/summary", Signed),
        case(M::GET, "/api/v1/checklists/dashboard/active", Signed),
        case(M::GET, "/api/v1/checklists/dashboard/user-activity", Signed),
        case(M::GET, "/api/v1/checklists/state-policy", Signed),
        case(M::GET, "/api/v1/checklists/authorization-policy", Signed),
        case(M::GET, "/api/v1/checklists/performance/metrics", Section)
            .query(format!("user_id={}&start_date=2000-01-01&end_date={today}", w.operator_same_id)),
        // Writes on one's own things.
        case(M::POST, "/auth/signin", Public(401)).body(json!({"email": "nobody@test.local", "password": "wrong"})),
        case(M::PUT, "/api/v1/notifications/preferences", Signed).body(json!({"sms_notifications": true})),
        case(M::POST, "/api/v1/notifications/mark-all-read", Signed),
        case(M::PATCH, "/api/v1/notifications/{notification_id}/read", Owner(Who::Admin)),
        // Administration.
        case(M::POST, "/api/v1/users", Admin).body(json!({
            "username": "made.by.matrix", "email": "made@test.local", "first_name": "Made", "last_name": "Matrix",
            "password": PASSWORD, "role": "user", "section_id": w.section})),
        case(M::PATCH, "/api/v1/users/{user_id}", Admin).body(json!({"first_name": "Victor"})),
        case(M::POST, "/api/v1/org/departments", Admin).body(json!({"name": "Matrix department"})),
        case(M::PATCH, "/api/v1/org/departments/{department_id}", Admin).body(json!({"name": "Renamed department"})),
        case(M::POST, "/api/v1/org/sections", Admin).body(json!({"name": "Matrix section"})),
        case(M::PATCH, "/api/v1/org/sections/{section_id}", Admin).body(json!({"name": "Section A renamed"})),
        case(M::PUT, "/api/v1/app-settings/timezone", Admin).body(json!({"timezone": "Etc/UTC"})),
        case(M::POST, "/api/v1/checklists/shifts", Admin)
            .body(json!({"name": "NIGHT", "start_time": "22:00", "end_time": "06:00"})),
        case(M::PUT, "/api/v1/checklists/shifts/{shift_id}", Admin).body(json!({"color": "#334455"})),
        // Rostering: managers in their own section, admins in any; days off for oneself.
        case(M::POST, "/api/v1/checklists/shift-patterns", Managers).body(json!({
            "name": "Matrix week", "section_id": w.section,
            "schedule_days": (0..7).map(|d| json!({"day_of_week": d, "is_off_day": true})).collect::<Vec<_>>()})),
        case(M::PUT, "/api/v1/checklists/shift-patterns/{pattern_id}", Supervise).body(json!({"name": "Renamed"})),
        case(M::POST, "/api/v1/checklists/bulk-assign-shifts", Supervise).body(json!({
            "users": [w.operator_same_id], "pattern_id": w.pattern, "start_date": "2030-03-01", "section_id": w.section})),
        case(M::POST, "/api/v1/checklists/scheduled-shifts", Supervise)
            .body(json!({"shift_id": w.shift.parse::<i64>().unwrap(), "user_id": w.operator_same_id, "date": "2030-01-11"})),
        case(M::POST, "/api/v1/checklists/shift-exception", Supervise)
            .body(json!({"user_id": w.operator_same_id, "exception_date": "2030-01-12", "is_day_off": true})),
        case(M::POST, "/api/v1/checklists/days-off", Section)
            .body(json!({"user_id": w.operator_same_id, "start_date": "2030-02-01", "end_date": "2030-02-01"})),
        case(M::PUT, "/api/v1/checklists/coverage-minimums", Supervise)
            .body(json!({"section_id": w.section, "shift_id": w.shift.parse::<i64>().unwrap(), "minimum": 2})),
        case(M::POST, "/api/v1/checklists/calendar-feed/rotate", Signed),
        case(M::DELETE, "/api/v1/checklists/calendar-feed", Signed),
        // Approving: the decision is the last path segment.
        case(M::POST, "/api/v1/checklists/days-off/{day_off_id}/{decision}", Supervise),
        // Swaps: the same-section operator offers their own shift and takes the victim's;
        // the admin approves; rejecting and cancelling the approved swap are then conflicts.
        case(M::POST, "/api/v1/checklists/shift-swaps", Owner(Who::OperatorSame))
            .body(json!({"date": "2030-01-10", "shift_id": w.shift.parse::<i64>().unwrap()})),
        case(M::POST, "/api/v1/checklists/shift-swaps/{swap_id}/accept", Owner(Who::OperatorSame)),
        case(M::POST, "/api/v1/checklists/shift-swaps/{swap_id}/approve", Supervise),
        case(M::POST, "/api/v1/checklists/shift-swaps/{swap_id}/reject", Supervise).body(json!({"reason": "Matrix"})),
        case(M::POST, "/api/v1/checklists/shift-swaps/{swap_id}/cancel", Supervise),
        case(M::POST, "/api/v1/alerts/{alert_id}/acknowledge", Supervise),
        case(M::POST, "/api/v1/alerts/{alert_id}/resolve", Supervise).body(json!({"note": "Matrix"})),
        case(M::PUT, "/api/v1/escalation-policies/{section_id}", Admin)
            .body(json!({"levels": [{"delay_minutes": 5, "recipients": {"section_managers": true}}]})),
        case(M::PUT, "/api/v1/checklists/roster-settings/{section_id}", Supervise)
            .body(json!({"swaps_need_approval": true})),
        // Templates.
        case(M::POST, "/api/v1/checklists/templates/{template_id}/items/reorder", Supervise)
            .body(json!({"item_ids": [w.template_items[2], w.template_items[1], w.template_items[0]]})),
        case(M::POST, "/api/v1/checklists/templates", Managers).body(json!({
            "name": "Matrix night", "shift": "NIGHT", "section_id": w.section, "items": [{"title": "One"}]})),
        case(M::PUT, "/api/v1/checklists/templates/{template_id}", Supervise).body(json!({"description": "Changed"})),
        case(M::POST, "/api/v1/checklists/templates/{template_id}/items", Supervise).body(json!({"title": "Added"})),
        case(M::PUT, "/api/v1/checklists/templates/{template_id}/items/{item_id}", Supervise)
            .body(json!({"title": "Renamed"})),
        case(M::POST, "/api/v1/checklists/templates/{template_id}/items/{item_id}/subitems", Supervise)
            .body(json!({"title": "Added sub"})),
        case(M::PUT, "/api/v1/checklists/templates/{template_id}/items/{item_id}/subitems/{subitem_id}", Supervise)
            .body(json!({"title": "Renamed sub"})),
        case(M::POST, "/api/v1/checklists/templates/{template_id}/items/{item_id}/scheduled-events", Supervise)
            .body(json!({"event_datetime": format!("{today}T10:00:00Z")})),
        case(
            M::DELETE,
            "/api/v1/checklists/templates/{template_id}/items/{item_id}/scheduled-events/{event_id}",
            Supervise,
        ),
        case(M::DELETE, "/api/v1/checklists/templates/{template_id}/items/{item_id}/subitems/{subitem_id}", Supervise),
        case(M::DELETE, "/api/v1/checklists/templates/{template_id}/items/{item_id}", Supervise),
        // Working the checklist.
        case(M::POST, "/api/v1/checklists/instances", Section)
            .body(json!({"template_id": w.template, "checklist_date": today})),
        case(M::POST, "/api/v1/checklists/instances/{instance_id}/join", Section),
        case(M::POST, "/api/v1/checklists/instances/{instance_id}/items/{item_id}/start-work", Section),
        case(M::PATCH, "/api/v1/checklists/instances/{instance_id}/items/{item_id}/subitems/{subitem_id}", Section)
            .body(json!({"status": "FAILED", "reason": "Broken"})),
        case(M::POST, "/api/v1/checklists/instances/{instance_id}/items/{item_id}/final-verdict", Section)
            .body(json!({"final_verdict": "FAILED"})),
        case(M::PATCH, "/api/v1/checklists/instances/{instance_id}/items/{item_id}", Section)
            .body(json!({"status": "COMPLETED"})),
        case(M::POST, "/api/v1/checklists/instances/{instance_id}/items/{item_id}/comment", Section)
            .body(json!({"comment": "Matrix comment"})),
        case(M::POST, "/api/v1/checklists/handover-notes", Section)
            .body(json!({"content": "Matrix note", "from_instance_id": w.instance})),
        case(M::POST, "/api/v1/checklists/handover-notes/{note_id}/acknowledge", Section),
        case(M::POST, "/api/v1/checklists/handover-notes/{note_id}/resolve", Section)
            .body(json!({"resolution_notes": "Done"})),
        // Supervisor overrides, in lifecycle order.
        case(M::POST, "/api/v1/checklists/instances/{instance_id}/one-time-completion", Supervise).body(reason.clone()),
        case(M::POST, "/api/v1/checklists/instances/{instance_id}/complete", Supervise).body(json!({"comment": "ok"})),
        case(M::POST, "/api/v1/checklists/instances/{instance_id}/reopen", Supervise).body(reason.clone()),
        case(M::POST, "/api/v1/checklists/instances/{instance_id}/force-close", Supervise).body(reason),
        case(M::POST, "/api/v1/checklists/instances/{instance_id}/change-date", Supervise)
            .body(json!({"target_date": "2001-01-01", "reason": "Matrix test"})),
        // Not earned by anyone here: a 400 for the signed-in, nothing written.
        case(M::POST, "/api/v1/gamification/performance/badges/{badge_key}/claim", Signed),
        case(M::PUT, "/api/v1/gamification/sections/{section_id}/settings", Supervise)
            .body(json!({"hide_leaderboard_names": false})),
        // Sessions and deletions last.
        case(M::POST, "/auth/logout", Public(200)),
        case(M::DELETE, "/api/v1/auth/sessions/{session_id}", Owner(Who::OperatorSame)),
        case(M::POST, "/api/v1/users/{user_id}/revoke-sessions", Admin),
        case(M::DELETE, "/api/v1/checklists/instances/{instance_id}", Supervise),
        case(M::DELETE, "/api/v1/checklists/templates/{template_id}", Supervise),
        case(M::DELETE, "/api/v1/checklists/scheduled-shifts/{scheduled_shift_id}", Supervise),
        case(M::DELETE, "/api/v1/checklists/shift-patterns/{pattern_id}", Supervise),
        case(M::DELETE, "/api/v1/checklists/shifts/{shift_id}", Admin),
    ]
}

#[tokio::test]
async fn every_operation_refuses_other_sections_and_anonymous_and_changes_nothing_when_refused() {
    let w = World::new().await;
    let doc = document(&w.srv).await;
    let cases = cases(&w);

    // The matrix covers the document, and only the document.
    let documented: BTreeSet<String> =
        operations(&doc).iter().map(|(m, p, _)| format!("{} {p}", m.to_uppercase())).collect();
    let covered: BTreeSet<String> = cases.iter().map(|c| format!("{} {}", c.method, c.path)).collect();
    let missing: Vec<_> = documented.difference(&covered).collect();
    let unknown: Vec<_> = covered.difference(&documented).collect();
    assert!(missing.is_empty() && unknown.is_empty(), "not in the matrix: {missing:?}; not documented: {unknown:?}");
    assert_eq!(covered.len(), cases.len(), "an operation is in the matrix twice");

    let mut failures = Vec::new();
    let mut before = w.snapshot().await;
    for c in &cases {
        let mut path = w.fill(&c.method, c.path);
        if !c.query.is_empty() {
            path = format!("{path}?{}", c.query);
        }
        let writes = c.method != Method::GET;
        for who in EVERYONE {
            let token = match (c.path, who) {
                (_, Who::Anonymous) => None,
                // Signing out ends the session: use a fresh one of the same user.
                ("/auth/logout", who) => Some(w.srv.login(w.login_of(who).unwrap(), PASSWORD).await),
                (_, who) => w.token(who).map(str::to_owned),
            };
            let (status, body) = w.srv.call(c.method.clone(), &path, token.as_deref(), c.body.clone()).await;
            let label = format!("{who:?} {} {path}", c.method);
            let allowed = c.rule.allows(who);
            match c.rule {
                Rule::Public(expected) if status.as_u16() != expected => {
                    failures.push(format!("{label}: {status}, expected {expected}: {body}"));
                }
                Rule::Public(_) => {}
                _ if who == Who::Anonymous => {
                    if status != StatusCode::UNAUTHORIZED {
                        failures.push(format!("{label}: {status}, expected 401: {body}"));
                    }
                }
                _ if allowed => {
                    let ok = status.is_success() || matches!(status.as_u16(), 304 | 400 | 409);
                    if !ok {
                        failures.push(format!("{label}: {status}, expected it to be allowed: {body}"));
                    }
                }
                _ => {
                    if !matches!(status.as_u16(), 403 | 404) {
                        failures.push(format!("{label}: {status}, expected 403 or 404: {body}"));
                    }
                }
            }
            if status.is_success() {
                let text = body.to_string();
                for secret in w.secrets(who) {
                    if text.contains(secret) {
                        failures.push(format!("{label}: the answer shows {secret}, which {who:?} may not read"));
                    }
                }
            }
            if writes {
                let after = w.snapshot().await;
                if !allowed && after != before {
                    failures.push(format!("{label}: refused ({status}) but changed:\n{}", diff(&before, &after)));
                }
                before = after;
            }
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

/// Where two snapshots differ (the first differing value under each read), for the failure message.
fn diff(before: &Value, after: &Value) -> String {
    fn first(path: String, b: &Value, a: &Value) -> Option<String> {
        match (b, a) {
            (Value::Object(bm), Value::Object(am)) if bm.len() == am.len() => {
                bm.iter().find_map(|(k, v)| first(format!("{path}.{k}"), v, am.get(k).unwrap_or(&Value::Null)))
            }
            (Value::Array(bv), Value::Array(av)) if bv.len() == av.len() => {
                bv.iter().zip(av).enumerate().find_map(|(i, (x, y))| first(format!("{path}[{i}]"), x, y))
            }
            _ if b == a => None,
            _ => Some(format!("  {path}: {b} -> {a}")),
        }
    }
    first(String::new(), before, after).unwrap_or_default()
}
