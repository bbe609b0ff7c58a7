//! The checklist engine through the API: the seed's end-to-end list, every item
//! transition, nested-id and section checks, races, fixed query counts and overrides.

use futures::future::join_all;
use sentinelops_testkit::TestServer;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::admin;

/// A section with an admin, a manager, two operators, an outsider from another
/// section, and a MORNING template of `items` items (item 2 has three subitems).
struct Floor {
    srv: TestServer,
    admin: String,
    manager: String,
    operator: String,
    operator2: String,
    outsider: String,
    section: Uuid,
    template_id: String,
}

impl Floor {
    async fn new(items: usize) -> Floor {
        let srv = TestServer::start().await;
        let (_, admin) = admin(&srv).await;
        let section = srv.create_section("ICT Operations").await;
        let other = srv.create_section("Helpdesk").await;
        let (_, manager) = srv.user_with_token("max", "manager", Some(section)).await;
        let (_, operator) = srv.user_with_token("olu", "user", Some(section)).await;
        let (_, operator2) = srv.user_with_token("opal", "user", Some(section)).await;
        let (_, outsider) = srv.user_with_token("otto", "user", Some(other)).await;
        let template_items: Vec<Value> = (1..=items)
            .map(|i| {
                let mut item = json!({"title": format!("Check {i}"), "item_type": "ROUTINE", "severity": if i % 2 == 0 { 5 } else { 2 }, "sort_order": i * 100});
                if i == 2 {
                    item["subitems"] = json!([{"title": "Sub A"}, {"title": "Sub B"}, {"title": "Sub C"}]);
                }
                item
            })
            .collect();
        let (status, body) = srv
            .post(
                "/api/v1/checklists/templates",
                &admin,
                json!({"name": "Morning ops", "shift": "MORNING", "section_id": section, "items": template_items}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let template_id = body["id"].as_str().unwrap().to_owned();
        Floor { srv, admin, manager, operator, operator2, outsider, section, template_id }
    }

    async fn instance(&self, date: &str) -> Value {
        let (status, body) = self
            .srv
            .post("/api/v1/checklists/instances", &self.operator, json!({"shift": "MORNING", "checklist_date": date}))
            .await;
        assert_eq!(status, 200, "{body}");
        body["instance"].clone()
    }

    async fn patch_item(&self, token: &str, instance: &Value, index: usize, body: Value) -> (u16, Value) {
        let path = format!(
            "/api/v1/checklists/instances/{}/items/{}",
            instance["id"].as_str().unwrap(),
            item_id(instance, index)
        );
        let (status, answer) = self.srv.patch(&path, token, body).await;
        (status.as_u16(), answer)
    }

    async fn notifications(&self, token: &str) -> Vec<Value> {
        let (status, body) = self.srv.get("/api/v1/notifications/?unread_only=false&limit=100", token).await;
        assert_eq!(status, 200);
        body.as_array().unwrap().clone()
    }

    async fn ops_event_types(&self) -> Vec<String> {
        let (_, body) = self
            .srv
            .get("/api/v1/ops/events?entity_type=CHECKLIST_INSTANCE,CHECKLIST_ITEM&limit=500", &self.admin)
            .await;
        let _ = body;
        let mut types = Vec::new();
        for entity in ["CHECKLIST_INSTANCE", "CHECKLIST_ITEM", "HANDOVER_NOTE"] {
            let (_, body) =
                self.srv.get(&format!("/api/v1/ops/events?entity_type={entity}&limit=500"), &self.admin).await;
            types
                .extend(body["items"].as_array().unwrap().iter().map(|e| e["event_type"].as_str().unwrap().to_owned()));
        }
        types.sort();
        types
    }
}

fn item_id(instance: &Value, index: usize) -> String {
    instance["items"][index]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_seed_end_to_end_list() {
    let f = Floor::new(4).await;
    // Create → items populate, in order, as a snapshot of the template.
    let instance = f.instance("2026-11-25").await;
    assert_eq!(instance["status"], "OPEN");
    let titles: Vec<&str> =
        instance["items"].as_array().unwrap().iter().map(|i| i["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["Check 1", "Check 2", "Check 3", "Check 4"]);
    assert_eq!(instance["items"][1]["subitems"].as_array().unwrap().len(), 3);
    assert_eq!(instance["items"][0]["template_item"]["title"], "Check 1");
    assert_eq!(instance["template"]["name"], "Morning ops");
    let id = instance["id"].as_str().unwrap().to_owned();

    // Join (twice: idempotent).
    for _ in 0..2 {
        let (status, body) =
            f.srv.post(&format!("/api/v1/checklists/instances/{id}/join"), &f.operator, json!({})).await;
        assert_eq!(status, 200);
        assert_eq!(body["effects"]["effects"][0], "CHECKLIST_JOINED");
        assert_eq!(body["instance"]["participants"].as_array().unwrap().len(), 1);
    }

    // Skip → managers and admins are notified, not the actor.
    let (status, body) =
        f.patch_item(&f.operator, &instance, 0, json!({"status": "SKIPPED", "reason": "Vendor window"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["instance"]["items"][0]["status"], "SKIPPED");
    assert_eq!(body["instance"]["items"][0]["skipped_reason"], "Vendor window");
    assert_eq!(body["instance"]["status"], "IN_PROGRESS");
    assert_eq!(body["effects"]["effects"][0], "ITEM_UPDATED");
    for token in [&f.manager, &f.admin] {
        let alerts = f.notifications(token).await;
        let skip = alerts
            .iter()
            .find(|n| n["title"].as_str().unwrap().starts_with("Checklist Item Skipped"))
            .expect("skip alert");
        assert_eq!(skip["related_entity"], "checklist_manager_alert");
        assert_eq!(skip["related_id"], json!(id));
        assert_eq!(skip["priority"], "high");
        assert!(skip["message"].as_str().unwrap().contains("Vendor window"));
    }
    assert!(f.notifications(&f.operator).await.is_empty(), "the actor is never notified of their own action");
    assert!(f.notifications(&f.operator2).await.is_empty());

    // Fail → a CRITICAL escalation to the same people.
    let (status, _) =
        f.patch_item(&f.operator, &instance, 2, json!({"status": "FAILED", "reason": "Disk at 97%"})).await;
    assert_eq!(status, 200);
    let critical: Vec<Value> =
        f.notifications(&f.manager).await.into_iter().filter(|n| n["priority_level"] == "critical").collect();
    assert_eq!(critical.len(), 1);
    assert_eq!(critical[0]["priority"], "high", "the original's channels know low, medium and high");
    assert!(critical[0]["title"].as_str().unwrap().starts_with("CRITICAL: Checklist Item Escalated"));

    // Work the item with subitems, then the rest: the checklist reaches review.
    let subitems = instance["items"][1]["subitems"].as_array().unwrap().clone();
    for s in &subitems {
        let path = format!(
            "/api/v1/checklists/instances/{id}/items/{}/subitems/{}",
            item_id(&instance, 1),
            s["id"].as_str().unwrap()
        );
        let (status, body) = f.srv.patch(&path, &f.operator, json!({"status": "COMPLETED"})).await;
        assert_eq!(status, 200, "{body}");
    }
    assert_eq!(f.patch_item(&f.operator2, &instance, 1, json!({"status": "COMPLETED"})).await.0, 200);
    let (status, body) =
        f.patch_item(&f.operator, &instance, 3, json!({"status": "COMPLETED", "comment": "All green"})).await;
    assert_eq!(status, 200);
    assert_eq!(body["instance"]["status"], "PENDING_REVIEW");
    assert_eq!(body["instance"]["items"][3]["notes"], "All green");
    let review = f.notifications(&f.manager).await;
    assert!(review.iter().any(|n| n["related_entity"] == "checklist_manager_review"));

    // Operators cannot sign off; the manager can: the outcome follows the evidence.
    assert_eq!(f.srv.post(&format!("/api/v1/checklists/instances/{id}/complete"), &f.operator, json!({})).await.0, 403);
    let (status, body) =
        f.srv.post(&format!("/api/v1/checklists/instances/{id}/complete"), &f.manager, json!({"comment": "ok"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["instance"]["status"], "COMPLETED_WITH_EXCEPTIONS");
    assert_eq!(body["message"], "Checklist completed successfully (COMPLETED_WITH_EXCEPTIONS)");
    assert_eq!(body["instance"]["closed_by"]["username"], "max");
    assert_eq!(body["instance"]["completion_percentage"], 50.0);
    // Completion notifies the admins and the participants, not the manager who signed off.
    let admin_done = f.notifications(&f.admin).await;
    assert!(admin_done.iter().any(|n| n["related_entity"] == "checklist_completion"));
    assert!(f.notifications(&f.operator).await.iter().any(|n| n["related_entity"] == "checklist_completion"));
    assert!(!f.notifications(&f.manager).await.iter().any(|n| n["related_entity"] == "checklist_completion"));

    // A closed checklist's items are frozen.
    let (status, body) = f.patch_item(&f.operator, &instance, 0, json!({"status": "COMPLETED"})).await;
    assert_eq!(status, 409, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("closed"));

    // Ops events: exactly the high-signal list, each once.
    let mut expected: Vec<String> = [
        "CHECKLIST_CREATED",
        "PARTICIPANT_JOINED",
        "ITEM_SKIPPED",
        "ITEM_FAILED",
        "ITEM_COMPLETED",
        "ITEM_COMPLETED",
        "CHECKLIST_COMPLETED_WITH_EXCEPTIONS",
        "HANDOVER_CREATED",
    ]
    .map(String::from)
    .to_vec();
    // (The failed item carried over as a note; with no AFTERNOON template it waits unrouted.)
    expected.sort();
    assert_eq!(f.ops_event_types().await, expected);
}

#[tokio::test]
async fn every_item_transition_is_allowed_or_refused_as_decided() {
    let f = Floor::new(26).await;
    let instance = f.instance("2026-11-25").await;
    let statuses = ["PENDING", "IN_PROGRESS", "COMPLETED", "SKIPPED", "FAILED"];
    let allowed = [
        ("PENDING", "IN_PROGRESS"),
        ("PENDING", "COMPLETED"),
        ("PENDING", "SKIPPED"),
        ("PENDING", "FAILED"),
        ("IN_PROGRESS", "COMPLETED"),
        ("IN_PROGRESS", "SKIPPED"),
        ("IN_PROGRESS", "FAILED"),
        ("SKIPPED", "COMPLETED"),
        ("FAILED", "COMPLETED"),
    ];
    let mut index = 0;
    for from in statuses {
        for to in statuses {
            // Item 2 (index 1) has subitems; leave it out.
            if index == 1 {
                index += 1;
            }
            if from != "PENDING" {
                let (status, body) =
                    f.patch_item(&f.operator, &instance, index, json!({"status": from, "reason": "setup"})).await;
                assert_eq!(status, 200, "setting up {from}: {body}");
            }
            let (status, body) =
                f.patch_item(&f.operator, &instance, index, json!({"status": to, "reason": "because"})).await;
            let expected = if allowed.contains(&(from, to)) { 200 } else { 409 };
            assert_eq!(status, expected, "{from} → {to}: {body}");
            if expected == 409 {
                assert_eq!(body["current"]["status"], from, "the answer carries the current state");
            }
            index += 1;
        }
    }
}

#[tokio::test]
async fn rules_about_reasons_subitems_and_verdicts_are_enforced() {
    let f = Floor::new(3).await;
    let instance = f.instance("2026-11-25").await;
    let id = instance["id"].as_str().unwrap();

    for (status, reason) in [("SKIPPED", json!(null)), ("FAILED", json!("   ")), ("SKIPPED", json!(""))] {
        let (code, body) = f.patch_item(&f.operator, &instance, 0, json!({"status": status, "reason": reason})).await;
        assert_eq!(code, 422, "{body}");
        assert!(body["detail"].as_str().unwrap().contains("reason"));
    }
    assert_eq!(f.patch_item(&f.operator, &instance, 0, json!({"status": "DONE"})).await.0, 422);
    assert_eq!(
        f.patch_item(&f.operator, &instance, 0, json!({"status": "SKIPPED", "reason": "x".repeat(1001)})).await.0,
        422
    );

    // A parent completes only when every subitem is actioned.
    let (code, body) = f.patch_item(&f.operator, &instance, 1, json!({"status": "COMPLETED"})).await;
    assert_eq!(code, 409);
    assert_eq!(body["detail"], "Complete all subitems first. 3 still pending or in progress.");
    let subitems = instance["items"][1]["subitems"].as_array().unwrap().clone();
    let sub = |i: usize| {
        format!(
            "/api/v1/checklists/instances/{id}/items/{}/subitems/{}",
            item_id(&instance, 1),
            subitems[i]["id"].as_str().unwrap()
        )
    };
    assert_eq!(
        f.srv.patch(&sub(0), &f.operator, json!({"status": "FAILED"})).await.0,
        422,
        "a failed subitem needs a reason"
    );
    let (code, body) = f.srv.patch(&sub(0), &f.operator, json!({"status": "FAILED", "reason": "Mount missing"})).await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["stats"]["failed"], 1);
    assert_eq!(f.srv.patch(&sub(1), &f.operator, json!({"status": "SKIPPED", "reason": "n/a"})).await.0, 200);
    let (_, body) = f.srv.patch(&sub(2), &f.operator, json!({"status": "COMPLETED"})).await;
    assert_eq!(body["all_subitems_done"], true);
    assert_eq!(f.srv.patch(&sub(2), &f.operator, json!({"status": "PENDING"})).await.0, 409);
    // The parent started when its first subitem was acted on.
    let (_, view) = f.srv.get(&format!("/api/v1/checklists/instances/{id}"), &f.operator).await;
    assert_eq!(view["items"][1]["status"], "IN_PROGRESS");
    assert_eq!(view["items"][1]["subitems_status"], "COMPLETED_WITH_EXCEPTIONS");

    // A failed subitem requires a final verdict to complete the parent.
    let (code, body) = f.patch_item(&f.operator, &instance, 1, json!({"status": "COMPLETED"})).await;
    assert_eq!(code, 422, "{body}");
    let (code, body) = f
        .patch_item(&f.operator, &instance, 1, json!({"status": "COMPLETED", "final_verdict": "Remounted; verified"}))
        .await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["instance"]["items"][1]["final_verdict"], "Remounted; verified");
    assert_eq!(body["instance"]["items"][1]["final_verdict_by"]["username"], "olu");

    // Subitem and verdict endpoints answer in the original's shapes.
    let (_, summary) = f
        .srv
        .get(
            &format!("/api/v1/checklists/instances/{id}/items/{}/completion-summary", item_id(&instance, 1)),
            &f.operator,
        )
        .await;
    assert_eq!(summary["summary"]["all_actioned"], true);
    assert_eq!(summary["stats"]["total"], 3);
    let (_, listed) = f
        .srv
        .get(&format!("/api/v1/checklists/instances/{id}/items/{}/subitems", item_id(&instance, 1)), &f.operator)
        .await;
    assert_eq!(listed["subitems"].as_array().unwrap().len(), 3);
    assert_eq!(listed["next_subitem"], json!(null));

    // start-work moves PENDING → IN_PROGRESS and reports subitems.
    let (code, body) = f
        .srv
        .post(
            &format!("/api/v1/checklists/instances/{id}/items/{}/start-work", item_id(&instance, 2)),
            &f.operator,
            json!({"comment": "on it"}),
        )
        .await;
    assert_eq!(code, 200);
    assert_eq!(body["item_status"], "IN_PROGRESS");
    assert_eq!(body["has_subitems"], false);
    // Comment and verdict.
    let (code, body) = f
        .srv
        .post(
            &format!("/api/v1/checklists/instances/{id}/items/{}/comment", item_id(&instance, 2)),
            &f.operator,
            json!({"action": "COMMENTED", "comment": "halfway"}),
        )
        .await;
    assert_eq!(code, 200);
    assert_eq!(body["effects"]["comment"], "halfway");
    assert_eq!(body["instance"]["items"][2]["notes"], "halfway");
    let verdict = format!("/api/v1/checklists/instances/{id}/items/{}/final-verdict", item_id(&instance, 2));
    assert_eq!(
        f.srv.post(&verdict, &f.operator, json!({"final_verdict": "fine"})).await.0,
        409,
        "no exception to judge"
    );
}

#[tokio::test]
async fn nested_ids_must_belong_to_the_instance_in_the_url() {
    let f = Floor::new(3).await;
    let first = f.instance("2026-11-25").await;
    let second = f.instance("2026-11-26").await;
    let foreign_item = item_id(&second, 0);
    let path = format!("/api/v1/checklists/instances/{}/items/{foreign_item}", first["id"].as_str().unwrap());
    assert_eq!(f.srv.patch(&path, &f.operator, json!({"status": "COMPLETED"})).await.0, 404);
    let foreign_sub = second["items"][1]["subitems"][0]["id"].as_str().unwrap();
    let path = format!(
        "/api/v1/checklists/instances/{}/items/{}/subitems/{foreign_sub}",
        first["id"].as_str().unwrap(),
        item_id(&first, 1)
    );
    assert_eq!(f.srv.patch(&path, &f.operator, json!({"status": "COMPLETED"})).await.0, 404);
    // The foreign item is untouched.
    let (_, view) =
        f.srv.get(&format!("/api/v1/checklists/instances/{}", second["id"].as_str().unwrap()), &f.operator).await;
    assert_eq!(view["items"][0]["status"], "PENDING");
    assert_eq!(view["items"][1]["subitems"][0]["status"], "PENDING");
}

#[tokio::test]
async fn another_section_is_refused_everything() {
    let f = Floor::new(3).await;
    let instance = f.instance("2026-11-25").await;
    let id = instance["id"].as_str().unwrap();
    let item = item_id(&instance, 0);
    let sub = instance["items"][1]["subitems"][0]["id"].as_str().unwrap();
    let base = format!("/api/v1/checklists/instances/{id}");
    let t = &f.outsider;
    let srv = &f.srv;
    let checks = [
        srv.get(&base, t).await.0,
        srv.get(&format!("{base}/stats"), t).await.0,
        srv.post(&format!("{base}/join"), t, json!({})).await.0,
        srv.patch(&format!("{base}/items/{item}"), t, json!({"status": "COMPLETED"})).await.0,
        srv.post(&format!("{base}/items/{item}/start-work"), t, json!({})).await.0,
        srv.post(&format!("{base}/items/{item}/comment"), t, json!({"comment": "x"})).await.0,
        srv.get(&format!("{base}/items/{}/subitems", item_id(&instance, 1)), t).await.0,
        srv.patch(&format!("{base}/items/{}/subitems/{sub}", item_id(&instance, 1)), t, json!({"status": "COMPLETED"}))
            .await
            .0,
        srv.get(&format!("{base}/handover-notes"), t).await.0,
        srv.post("/api/v1/checklists/handover-notes", t, json!({"content": "x", "from_instance_id": id})).await.0,
        srv.get(&format!("/api/v1/checklists/templates/{}", f.template_id), t).await.0,
        srv.post(
            "/api/v1/checklists/instances",
            t,
            json!({"template_id": f.template_id, "checklist_date": "2026-11-27"}),
        )
        .await
        .0,
    ];
    assert!(checks.iter().all(|s| s.as_u16() == 403), "{checks:?}");
    let (_, listed) = srv.get("/api/v1/checklists/instances?start_date=2026-11-01&end_date=2026-11-30", t).await;
    assert_eq!(listed, json!([]));
    let (_, view) = srv.get(&base, &f.operator).await;
    assert_eq!(view["participants"], json!([]));
    assert_eq!(view["items"][0]["status"], "PENDING");
}

#[tokio::test]
async fn racing_updates_have_one_winner_and_racing_creation_one_instance() {
    let f = Floor::new(3).await;
    let dates: Vec<String> = (0..8).map(|_| "2026-11-28".to_owned()).collect();
    let created = join_all(dates.iter().map(|d| {
        f.srv.post("/api/v1/checklists/instances", &f.operator, json!({"shift": "MORNING", "checklist_date": d}))
    }))
    .await;
    let ids: std::collections::HashSet<String> = created
        .iter()
        .map(|(s, b)| {
            assert_eq!(*s, 200, "{b}");
            b["id"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(ids.len(), 1, "everyone gets the same instance");
    let (_, listed) =
        f.srv.get("/api/v1/checklists/instances?start_date=2026-11-28&end_date=2026-11-28", &f.operator).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let new_count = created.iter().filter(|(_, b)| b["message"] == "New instance created").count();
    assert_eq!(new_count, 1);

    let instance = created[0].1["instance"].clone();
    let tokens = [&f.operator, &f.operator2, &f.manager, &f.admin];
    // Each client says what it saw (as the original frontend does in `metadata`).
    let seen = json!({"previous_status": "PENDING"});
    let bodies = [
        json!({"status": "COMPLETED", "metadata": seen}),
        json!({"status": "SKIPPED", "reason": "later", "metadata": seen}),
        json!({"status": "FAILED", "reason": "broken", "metadata": seen}),
        json!({"status": "COMPLETED", "metadata": seen}),
    ];
    let results =
        join_all(tokens.iter().zip(bodies.iter()).map(|(t, b)| f.patch_item(t, &instance, 0, b.clone()))).await;
    let winners = results.iter().filter(|(s, _)| *s == 200).count();
    assert_eq!(winners, 1, "{results:?}");
    let (_, view) =
        f.srv.get(&format!("/api/v1/checklists/instances/{}", instance["id"].as_str().unwrap()), &f.operator).await;
    let final_status = view["items"][0]["status"].as_str().unwrap().to_owned();
    for (status, body) in results.iter().filter(|(s, _)| *s != 200) {
        assert_eq!(*status, 409, "{body}");
        assert_eq!(body["current"]["status"], final_status.as_str(), "losers see the winner's state");
    }
    assert_eq!(view["items"][0]["activities"].as_array().unwrap().len(), 1, "one activity row, the winner's");

    // Without a stated expectation, identical racing requests still have one winner.
    let results = join_all(tokens.iter().map(|t| f.patch_item(t, &instance, 2, json!({"status": "COMPLETED"})))).await;
    assert_eq!(results.iter().filter(|(s, _)| *s == 200).count(), 1, "{results:?}");
    assert!(results.iter().filter(|(s, _)| *s != 200).all(|(s, b)| *s == 409 && b["current"]["status"] == "COMPLETED"));
}

#[tokio::test]
async fn reading_an_instance_costs_the_same_queries_whatever_its_size() {
    let small = Floor::new(2).await;
    let big = Floor::new(40).await;
    let mut costs = Vec::new();
    for f in [&small, &big] {
        let instance = f.instance("2026-11-25").await;
        for i in [0, 1] {
            f.patch_item(&f.operator, &instance, i, json!({"status": "IN_PROGRESS", "comment": "go"})).await;
        }
        let path = format!("/api/v1/checklists/instances/{}", instance["id"].as_str().unwrap());
        f.srv.get(&path, &f.operator).await; // warm: the session touch happens at most once a minute
        // Background tasks (the live pump) also run queries now and then: the least of a
        // few measurements is the request's own cost. `no-cache` makes each one a full
        // render: a cache hit costs 0 or 1 query depending on whether any server in this
        // test process committed meanwhile (the commit count is process-wide).
        let mut least = u64::MAX;
        let mut items = 0;
        for _ in 0..5 {
            let before = f.srv.app.store.query_count();
            let request = f.srv.client.get(f.srv.url(&path)).bearer_auth(&f.operator);
            let response = request.header("Cache-Control", "no-cache").send().await.unwrap();
            assert_eq!(response.status(), 200);
            let body: Value = response.json().await.unwrap();
            least = least.min(f.srv.app.store.query_count() - before);
            items = body["items"].as_array().unwrap().len();
        }
        costs.push((least, items));
    }
    assert_eq!(costs[0].1, 2);
    assert_eq!(costs[1].1, 40);
    assert_eq!(costs[0].0, costs[1].0, "{costs:?}");
    assert!(costs[0].0 <= 12, "{costs:?}");
    drop(small);
}

#[tokio::test]
async fn supervisor_overrides_are_recorded_and_need_a_reason() {
    let f = Floor::new(3).await;
    let instance = f.instance("2026-11-25").await;
    let id = instance["id"].as_str().unwrap();
    let path = |what: &str| format!("/api/v1/checklists/instances/{id}/{what}");

    // One-time completion: supervisors only, reason required.
    assert_eq!(f.srv.post(&path("one-time-completion"), &f.operator, json!({"reason": "end of shift"})).await.0, 403);
    assert_eq!(f.srv.post(&path("one-time-completion"), &f.operator, json!({})).await.0, 403);
    let too_long = "x".repeat(2001);
    assert_eq!(f.srv.post(&path("one-time-completion"), &f.manager, json!({"reason": too_long})).await.0, 422);
    assert_eq!(f.srv.post(&path("complete"), &f.manager, json!({})).await.0, 409, "not yet pending review");
    f.patch_item(&f.operator, &instance, 0, json!({"status": "SKIPPED", "reason": "n/a"})).await;
    let (status, body) =
        f.srv.post(&path("one-time-completion"), &f.manager, json!({"comment": "Shift handed over early"})).await;
    assert_eq!(status, 200, "{body}");
    let view = &body["instance"];
    assert_eq!(view["status"], "PENDING_REVIEW");
    assert_eq!(view["items"][0]["status"], "SKIPPED", "existing skips stay");
    assert!(view["items"][1]["subitems"].as_array().unwrap().iter().all(|s| s["status"] == "COMPLETED"));

    // Sign off, then reopen (reason required), then force-close.
    let (_, done) = f.srv.post(&path("complete"), &f.manager, json!({})).await;
    assert_eq!(done["instance"]["status"], "COMPLETED_WITH_EXCEPTIONS");
    assert_eq!(f.srv.post(&path("reopen"), &f.manager, json!({})).await.0, 422);
    assert_eq!(f.srv.post(&path("reopen"), &f.operator, json!({"reason": "oops"})).await.0, 403);
    let (status, reopened) = f.srv.post(&path("reopen"), &f.manager, json!({"reason": "Evidence missing"})).await;
    assert_eq!(status, 200, "{reopened}");
    assert_eq!(reopened["instance"]["closed_at"], json!(null));
    assert_ne!(reopened["instance"]["status"], "COMPLETED_WITH_EXCEPTIONS");
    let (status, closed) = f.srv.post(&path("force-close"), &f.admin, json!({"reason": "Audit cut-off"})).await;
    assert_eq!(status, 200, "{closed}");
    assert_eq!(closed["instance"]["status"], "COMPLETED_WITH_EXCEPTIONS");
    assert_eq!(f.srv.post(&path("force-close"), &f.admin, json!({"reason": "again"})).await.0, 409);

    // A date correction moves the checklist and keeps every recorded timestamp.
    let (_, before) = f.srv.get(&format!("/api/v1/checklists/instances/{id}"), &f.manager).await;
    let (status, moved) = f
        .srv
        .post(
            &path("change-date"),
            &f.manager,
            json!({"target_date": "2026-11-24", "reason": "Logged on the wrong day"}),
        )
        .await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["instance"]["checklist_date"], "2026-11-24");
    assert_eq!(moved["instance"]["created_at"], before["created_at"]);
    assert_eq!(moved["instance"]["closed_at"], before["closed_at"]);
    assert_eq!(moved["instance"]["items"][0]["activities"], before["items"][0]["activities"]);

    let (_, events) = f.srv.get("/api/v1/ops/events?event_type=OVERRIDE_APPLIED", &f.admin).await;
    let kinds: Vec<&str> =
        events["items"].as_array().unwrap().iter().map(|e| e["payload"]["override"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["DATE_CORRECTION", "FORCE_CLOSE", "REOPEN", "ONE_TIME_COMPLETION"]);
    // Overrides notify the section's managers and admins (not the actor).
    assert!(
        f.notifications(&f.admin).await.iter().any(|n| n["title"].as_str().unwrap().starts_with("Supervisor override"))
    );

    // A closed checklist is part of the record: only an admin deletes it, and it is audited.
    assert_eq!(f.srv.delete(&format!("/api/v1/checklists/instances/{id}"), &f.operator).await.0, 403);
    assert_eq!(f.srv.delete(&format!("/api/v1/checklists/instances/{id}"), &f.manager).await.0, 403);
    assert_eq!(f.srv.delete(&format!("/api/v1/checklists/instances/{id}"), &f.admin).await.0, 200);
    assert_eq!(f.srv.get(&format!("/api/v1/checklists/instances/{id}"), &f.manager).await.0, 404);
    let (_, deleted) = f.srv.get("/api/v1/ops/events?event_type=CHECKLIST_INSTANCE_DELETED", &f.admin).await;
    assert_eq!(deleted["total"], 1);
    let _ = f.section;
}

#[tokio::test]
async fn an_idempotency_key_makes_a_retry_return_the_first_answer() {
    let f = Floor::new(3).await;
    let instance = f.instance("2026-11-25").await;
    let path =
        format!("/api/v1/checklists/instances/{}/items/{}", instance["id"].as_str().unwrap(), item_id(&instance, 0));
    let send = |key: &'static str, path: String, body: Value| {
        let request =
            f.srv.client.patch(f.srv.url(&path)).bearer_auth(&f.operator).header("Idempotency-Key", key).json(&body);
        async move {
            let response = request.send().await.unwrap();
            let replayed = response.headers().contains_key("idempotent-replayed");
            (response.status().as_u16(), replayed, response.json::<Value>().await.unwrap())
        }
    };
    let (status, replayed, first) = send("k-1", path.clone(), json!({"status": "COMPLETED"})).await;
    assert_eq!((status, replayed), (200, false), "{first}");
    // The retry is answered from the record: 200 with the same body, not 409 "already COMPLETED".
    let (status, replayed, second) = send("k-1", path.clone(), json!({"status": "COMPLETED"})).await;
    assert_eq!((status, replayed), (200, true), "{second}");
    assert_eq!(first, second);
    let (_, view) =
        f.srv.get(&format!("/api/v1/checklists/instances/{}", instance["id"].as_str().unwrap()), &f.operator).await;
    assert_eq!(view["items"][0]["activities"].as_array().unwrap().len(), 1, "the change ran once");
    // The same key for another request is refused; a failed request frees its key.
    let other =
        format!("/api/v1/checklists/instances/{}/items/{}", instance["id"].as_str().unwrap(), item_id(&instance, 2));
    let (status, _, _) = send("k-1", other.clone(), json!({"status": "COMPLETED"})).await;
    assert_eq!(status, 422);
    let (status, _, _) = send("k-2", other.clone(), json!({"status": "SKIPPED"})).await;
    assert_eq!(status, 422, "missing reason");
    let (status, replayed, _) = send("k-2", other, json!({"status": "SKIPPED", "reason": "n/a"})).await;
    assert_eq!((status, replayed), (200, false));
}

#[tokio::test]
async fn parallel_subitem_additions_are_all_kept() {
    let f = Floor::new(2).await;
    let (_, template) = f.srv.get(&format!("/api/v1/checklists/templates/{}", f.template_id), &f.admin).await;
    let item = template["items"][0]["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/checklists/templates/{}/items/{item}/subitems", f.template_id);
    let answers = join_all((0..6).map(|i| f.srv.post(&path, &f.manager, json!({"title": format!("sub {i}")})))).await;
    assert!(answers.iter().all(|(s, _)| *s == 200), "{answers:?}");
    let (_, template) = f.srv.get(&format!("/api/v1/checklists/templates/{}", f.template_id), &f.admin).await;
    let mut titles: Vec<&str> =
        template["items"][0]["subitems"].as_array().unwrap().iter().map(|s| s["title"].as_str().unwrap()).collect();
    titles.sort_unstable();
    assert_eq!(titles, ["sub 0", "sub 1", "sub 2", "sub 3", "sub 4", "sub 5"]);
}

/// The answer to an item change is built from the previous answer's rows patched with
/// the changed item's rows (when nobody else changed the checklist meanwhile): it must
/// equal a full read after every kind of change, including changes made between two
/// answers by another server instance, by a join and by a subitem change.
#[tokio::test]
async fn answers_to_item_changes_equal_a_full_read() {
    let f = Floor::new(5).await;
    let other = TestServer::start_on(f.srv.database().clone(), Default::default()).await;
    let instance = f.instance("2026-11-25").await;
    let id = instance["id"].as_str().unwrap().to_owned();
    let item = |i: usize| format!("/api/v1/checklists/instances/{id}/items/{}", item_id(&instance, i));
    let sub = |n: usize| {
        let subitem = instance["items"][1]["subitems"][n]["id"].as_str().unwrap();
        format!("{}/subitems/{subitem}", item(1))
    };
    // A full read; the minutes left in the shift are computed at each answer.
    let full_read = async || {
        let request = f.srv.client.get(f.srv.url(&format!("/api/v1/checklists/instances/{id}")));
        let response = request.bearer_auth(&f.operator).header("Cache-Control", "no-cache").send().await.unwrap();
        assert_eq!(response.status(), 200);
        let mut body: Value = response.json().await.unwrap();
        body["time_remaining_minutes"] = Value::Null;
        body
    };
    let same_as_full_read = async |what: &str, (status, mut answer): (reqwest::StatusCode, Value)| {
        assert_eq!(status, 200, "{what}: {answer}");
        answer["instance"]["time_remaining_minutes"] = Value::Null;
        assert_eq!(answer["instance"], full_read().await, "{what}");
    };
    let queries = || f.srv.app.store.query_count();

    same_as_full_read("start", f.srv.patch(&item(0), &f.operator, json!({"status": "IN_PROGRESS"})).await).await;
    let before = queries();
    same_as_full_read(
        "comment",
        f.srv.post(&format!("{}/comment", item(0)), &f.operator2, json!({"comment": "half way"})).await,
    )
    .await;
    let patched_cost = queries() - before;
    same_as_full_read(
        "complete",
        f.srv.patch(&item(0), &f.operator2, json!({"status": "COMPLETED", "comment": "done"})).await,
    )
    .await;

    // Changes that answer no checklist leave the kept rows behind: the next answer reads it whole.
    let (status, _) = other.patch(&item(2), &f.manager, json!({"status": "IN_PROGRESS"})).await;
    assert_eq!(status, 200, "a change through the other instance");
    let before = queries();
    same_as_full_read(
        "after the other instance",
        f.srv.patch(&item(2), &f.operator, json!({"status": "SKIPPED", "reason": "Vendor window"})).await,
    )
    .await;
    let full_cost = queries() - before;
    assert!(patched_cost + 3 <= full_cost, "a patched answer reads less: {patched_cost} vs {full_cost} queries");

    let (status, _) = f.srv.post(&format!("/api/v1/checklists/instances/{id}/join"), &f.operator2, json!({})).await;
    assert_eq!(status, 200);
    same_as_full_read(
        "verdict after a join",
        f.srv
            .post(
                &format!("{}/final-verdict", item(2)),
                &f.manager,
                json!({"final_verdict": "Accepted: vendor confirmed"}),
            )
            .await,
    )
    .await;

    for n in 0..3 {
        let body = if n == 1 {
            json!({"status": "FAILED", "reason": "Replica lagging"})
        } else {
            json!({"status": "COMPLETED"})
        };
        assert_eq!(f.srv.patch(&sub(n), &f.operator, body).await.0, 200);
    }
    same_as_full_read(
        "item with subitems",
        f.srv.patch(&item(1), &f.operator, json!({"status": "COMPLETED", "final_verdict": "Replica rebuilt"})).await,
    )
    .await;
    same_as_full_read(
        "failure",
        f.srv.patch(&item(3), &f.operator2, json!({"status": "FAILED", "reason": "Disk full"})).await,
    )
    .await;
    // The last item puts the checklist in review (its status changes with the answer).
    same_as_full_read(
        "review",
        f.srv.patch(&item(4), &f.operator, json!({"status": "SKIPPED", "reason": "Not needed today"})).await,
    )
    .await;
    assert_eq!(full_read().await["status"], "PENDING_REVIEW");
    same_as_full_read(
        "comment in review",
        f.srv.post(&format!("{}/comment", item(4)), &f.manager, json!({"comment": "seen"})).await,
    )
    .await;

    drop(other);
}

/// Under contention, the trail of each item reads in the order its changes were
/// committed: each row starts where the previous one ended, times never go back, and
/// an item's `started_at` is never after its `completed_at`. (A write that read the
/// clock before it waited for the instance's lock committed later with an earlier time.)
#[tokio::test]
async fn a_contended_item_trail_stays_in_commit_order() {
    const ITEMS: usize = 6;
    const ROUNDS: usize = 40; // ITEMS × ROUNDS = 240 racing PATCHes
    let f = Floor::new(ITEMS + 2).await;
    let instance = f.instance("2026-11-26").await;
    let tokens = [&f.operator, &f.operator2, &f.manager, &f.admin];
    // Item 2 (index 1) has subitems and cannot complete directly: leave it out.
    let targets: Vec<usize> = (0..=ITEMS).filter(|i| *i != 1).collect();
    let bodies = [
        json!({"status": "IN_PROGRESS", "comment": "on it"}),
        json!({"status": "SKIPPED", "reason": "not today"}),
        json!({"status": "FAILED", "reason": "link down"}),
        json!({"status": "COMPLETED"}),
    ];
    let requests = (0..ROUNDS).flat_map(|round| targets.iter().map(move |&index| (round, index)));
    let results = join_all(requests.map(|(round, index)| {
        let token = tokens[(round + index) % tokens.len()];
        let body = bodies[(round * 7 + index) % bodies.len()].clone();
        f.patch_item(token, &instance, index, body)
    }))
    .await;
    assert!(results.iter().all(|(s, _)| *s == 200 || *s == 409 || *s == 422), "{results:?}");
    assert!(results.iter().any(|(s, _)| *s == 200));

    let path = format!("/api/v1/checklists/instances/{}", instance["id"].as_str().unwrap());
    let (_, view) = f.srv.get(&path, &f.operator).await;
    for &index in &targets {
        let item = &view["items"][index];
        let moves: Vec<&Value> = item["activities"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["subitem_id"].is_null() && a["to_status"].is_string())
            .collect();
        assert!(!moves.is_empty(), "item {index} moved at least once");
        assert_eq!(moves[0]["from_status"], "PENDING", "item {index}: the trail starts at PENDING");
        for pair in moves.windows(2) {
            assert_eq!(pair[1]["from_status"], pair[0]["to_status"], "item {index}: a row starts where the last ended");
            let (earlier, later) = (time(&pair[0]["created_at"]), time(&pair[1]["created_at"]));
            assert!(earlier <= later, "item {index}: the trail goes back in time: {earlier} then {later}");
        }
        assert_eq!(moves.last().unwrap()["to_status"], item["status"], "item {index}: the trail ends at its status");
        if let (Some(started), Some(completed)) = (item["started_at"].as_str(), item["completed_at"].as_str()) {
            assert!(time(&json!(started)) <= time(&json!(completed)), "item {index}: completed before it started");
        }
    }
}

fn time(value: &Value) -> chrono::DateTime<chrono::Utc> {
    value.as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_one_time_completion_without_a_reason_is_recorded_as_such_and_flagged() {
    let f = Floor::new(3).await;
    let instance = f.instance("2026-11-25").await;
    let id = instance["id"].as_str().unwrap();
    let path = format!("/api/v1/checklists/instances/{id}/one-time-completion");

    // The original frontend's dialog has no reason field: it sends `{}`.
    let (status, body) = f.srv.post(&path, &f.manager, json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["instance"]["status"], "PENDING_REVIEW");
    assert_eq!(body["effects"]["effects"], json!(["OVERRIDE_APPLIED"]));

    let instance_id: Uuid = id.parse().unwrap();
    let rows = sentinelops_store::repo::checklists::overrides_of(f.srv.app.store.reader(), instance_id).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].kind, "ONE_TIME_COMPLETION");
    assert_eq!(rows[0].reason, "(no reason given)");
    assert_eq!(rows[0].details["no_reason_given"], true);
    assert_eq!(rows[0].details["completed_items"], 3);

    let (status, events) = f.srv.get("/api/v1/ops/events?event_type=OVERRIDE_APPLIED", &f.admin).await;
    assert_eq!(status, 200, "{events}");
    assert_eq!(events["total"], 1);
    let payload = &events["items"][0]["payload"];
    assert_eq!(payload["reason"], "(no reason given)");
    assert_eq!(payload["no_reason_given"], true);

    // A reason given is recorded as given, and unflagged.
    let other = f.instance("2026-11-26").await;
    let other_id: Uuid = other["id"].as_str().unwrap().parse().unwrap();
    let path = format!("/api/v1/checklists/instances/{other_id}/one-time-completion");
    let (status, body) = f.srv.post(&path, &f.manager, json!({"reason": "  ", "comment": "Handed over early"})).await;
    assert_eq!(status, 200, "{body}");
    let rows = sentinelops_store::repo::checklists::overrides_of(f.srv.app.store.reader(), other_id).await.unwrap();
    assert_eq!(rows[0].reason, "Handed over early");
    assert_eq!(rows[0].details["no_reason_given"], false);
}

#[tokio::test]
async fn managers_hear_once_when_someone_joins_a_checklist_and_never_of_their_own_join() {
    let f = Floor::new(2).await;
    let (_, manager2) = f.srv.user_with_token("mona", "manager", Some(f.section)).await;
    let instance = f.instance("2026-11-25").await;
    let id = instance["id"].as_str().unwrap();
    let join = format!("/api/v1/checklists/instances/{id}/join");
    let joined = |token: String| {
        let srv = &f.srv;
        async move {
            let (status, body) = srv.get("/api/v1/notifications/?unread_only=false", &token).await;
            assert_eq!(status, 200, "{body}");
            body.as_array()
                .unwrap()
                .iter()
                .filter(|n| n["title"].as_str().unwrap().contains("joined"))
                .cloned()
                .collect::<Vec<Value>>()
        }
    };

    // The operator joins twice: one notification each for the managers and the admin.
    assert_eq!(f.srv.post(&join, &f.operator, json!({})).await.0, 200);
    assert_eq!(f.srv.post(&join, &f.operator, json!({})).await.0, 200);
    let seen = joined(f.manager.clone()).await;
    assert_eq!(seen.len(), 1, "{seen:?}");
    let n = &seen[0];
    assert_eq!(n["title"], "\u{1F44B} olu joined the shift");
    assert_eq!(
        n["message"],
        "olu joined the MORNING shift checklist for 2026-11-25.\nTeam collaboration is now active."
    );
    assert_eq!(n["priority"], "medium");
    assert_eq!(n["related_entity"], "checklist_instance");
    assert_eq!(n["related_id"], json!(id));
    assert_eq!(joined(manager2.clone()).await.len(), 1);
    assert_eq!(joined(f.admin.clone()).await.len(), 1);
    assert!(joined(f.operator.clone()).await.is_empty(), "the joiner is not told of their own join");
    assert!(joined(f.outsider.clone()).await.is_empty(), "another section's users are not told");

    // A manager joining: the other manager and the admin hear of it, the manager does not.
    assert_eq!(f.srv.post(&join, &f.manager, json!({})).await.0, 200);
    let titles = |v: Vec<Value>| v.iter().map(|n| n["title"].as_str().unwrap().to_owned()).collect::<Vec<_>>();
    assert_eq!(
        titles(joined(manager2.clone()).await),
        ["\u{1F44B} max joined the shift", "\u{1F44B} olu joined the shift"]
    );
    assert_eq!(titles(joined(f.admin.clone()).await).len(), 2);
    assert_eq!(titles(joined(f.manager.clone()).await), ["\u{1F44B} olu joined the shift"]);
}
