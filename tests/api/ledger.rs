//! Concurrent writers that keep a ledger of every change the server acknowledged
//! (2xx), and the audit that, afterwards, each of them is there with its activity row,
//! ops event and alert, and that nothing is half-written. Shared by the `kill -9`
//! test and the PostgreSQL restart test.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use reqwest::{Client, Method, StatusCode};
use sentinelops_domain::checklist::{ItemStatus, progress_status};
use sentinelops_testkit::TestServer;
use serde_json::{Value, json};
use tokio::sync::Mutex;
use uuid::Uuid;

pub const INSTANCES: &str = "/api/v1/checklists/instances";
const ITEMS: usize = 36;
/// Items 0, 4, 8, … have two subitems each.
const WITH_SUBITEMS_EVERY: usize = 4;
const WRITERS: usize = 4;
/// A bound for one request, so that a test can never hang on one.
const REQUEST_LIMIT: Duration = Duration::from_secs(20);

/// Who works the checklist, and on what.
pub struct Floor {
    pub admin: String,
    pub manager: String,
    pub operators: Vec<String>,
    pub instance: Uuid,
}

/// A section with a manager and `WRITERS` operators, and today's MORNING checklist of
/// `ITEMS` items (the AFTERNOON one exists too: handover notes go to it).
pub async fn floor(srv: &TestServer) -> Floor {
    let (_, admin) = srv.user_with_token("root.admin", "admin", None).await;
    let section = srv.create_section("Durability").await;
    let (_, manager) = srv.user_with_token("max.manager", "manager", Some(section)).await;
    let mut operators = Vec::new();
    for n in 0..WRITERS {
        operators.push(srv.user_with_token(&format!("operator{n}"), "user", Some(section)).await.1);
    }
    for (shift, count) in [("MORNING", ITEMS), ("AFTERNOON", 2)] {
        let items: Vec<Value> = (0..count)
            .map(|i| {
                let mut item = json!({"title": format!("{shift} check {i}"), "sort_order": i});
                if shift == "MORNING" && i % WITH_SUBITEMS_EVERY == 0 {
                    item["subitems"] = json!([{"title": "First half"}, {"title": "Second half"}]);
                }
                item
            })
            .collect();
        let body = json!({"name": format!("{shift} ops"), "shift": shift, "section_id": section, "items": items});
        let (status, answer) = srv.post("/api/v1/checklists/templates", &admin, body).await;
        assert_eq!(status, 200, "{answer}");
    }
    let mut instance = Value::Null;
    for shift in ["MORNING", "AFTERNOON"] {
        let body = json!({"shift": shift, "checklist_date": "2026-11-25"});
        let (status, answer) = srv.post(INSTANCES, &operators[0], body).await;
        assert_eq!(status, 200, "{answer}");
        if shift == "MORNING" {
            instance = answer["instance"].clone();
        }
    }
    Floor { admin, manager, operators, instance: id(&instance["id"]) }
}

pub fn id(value: &Value) -> Uuid {
    value.as_str().and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("not an id: {value}"))
}

/// One request a writer makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    Item { item: Uuid, to: ItemStatus },
    Subitem { item: Uuid, subitem: Uuid, to: ItemStatus },
    Note,
}

/// What the server acknowledged, and what it may or may not have done (a request
/// that got no 2xx: refused, cut off by a kill, or failed while the database was away).
#[derive(Debug, Default)]
pub struct Ledger {
    pub acked: Vec<Step>,
    pub notes: Vec<Uuid>,
    pub unsure: Vec<Step>,
    /// Answers other than 2xx, 503 and connection errors (none are expected).
    pub surprises: Vec<String>,
}

/// Each writer's queue of jobs (the steps of one item, then a handover note), kept
/// across rounds: after a restart a writer carries on where it was cut off.
pub struct Load {
    lanes: Vec<Mutex<Vec<Vec<Step>>>>,
    tokens: Vec<String>,
    instance: Uuid,
    pub ledger: Mutex<Ledger>,
    /// Acknowledged requests so far (for pacing kills, not for checks).
    pub acked: AtomicUsize,
    pub answered_503: AtomicUsize,
    client: Client,
}

impl Load {
    /// Plans the work of `floor`'s checklist as the server describes it: item `i` goes
    /// to writer `i % WRITERS`; an item with subitems has them completed, then itself;
    /// any other goes IN_PROGRESS, then COMPLETED, SKIPPED or FAILED.
    pub async fn plan(srv: &TestServer, floor: &Floor) -> Arc<Load> {
        let (status, instance) = srv.get(&format!("{INSTANCES}/{}", floor.instance), &floor.admin).await;
        assert_eq!(status, 200, "{instance}");
        let mut lanes: Vec<Vec<Vec<Step>>> = vec![Vec::new(); WRITERS];
        for (i, item) in instance["items"].as_array().unwrap().iter().enumerate() {
            let item_id = id(&item["id"]);
            let subitems = item["subitems"].as_array().unwrap();
            let mut job: Vec<Step> = subitems
                .iter()
                .map(|s| Step::Subitem { item: item_id, subitem: id(&s["id"]), to: ItemStatus::Completed })
                .collect();
            if subitems.is_empty() {
                job.push(Step::Item { item: item_id, to: ItemStatus::InProgress });
                let last = [ItemStatus::Completed, ItemStatus::Skipped, ItemStatus::Failed][i % 3];
                job.push(Step::Item { item: item_id, to: last });
            } else {
                job.push(Step::Item { item: item_id, to: ItemStatus::Completed });
            }
            job.push(Step::Note);
            lanes[i % WRITERS].push(job);
        }
        for lane in &mut lanes {
            lane.reverse(); // popped from the end: first item first
        }
        let client = Client::builder().no_proxy().timeout(REQUEST_LIMIT).build().unwrap();
        Arc::new(Load {
            lanes: lanes.into_iter().map(Mutex::new).collect(),
            tokens: floor.operators.clone(),
            instance: floor.instance,
            ledger: Mutex::new(Ledger::default()),
            acked: AtomicUsize::new(0),
            answered_503: AtomicUsize::new(0),
            client,
        })
    }

    /// Runs every writer against `base` until `stop` is set or the server stops
    /// answering (a writer whose connection fails ends: the process was killed).
    /// Once its items are done, a writer keeps writing handover notes.
    pub async fn run(self: &Arc<Self>, base: &str, stop: &Arc<AtomicBool>) {
        let writers: Vec<_> = (0..WRITERS)
            .map(|w| {
                let (load, base, stop) = (Arc::clone(self), base.to_owned(), Arc::clone(stop));
                tokio::spawn(async move { load.write(w, &base, &stop).await })
            })
            .collect();
        for writer in writers {
            writer.await.unwrap();
        }
    }

    async fn write(&self, w: usize, base: &str, stop: &AtomicBool) {
        let mut serial = 0;
        while !stop.load(Ordering::Relaxed) {
            let step = {
                let mut lane = self.lanes[w].lock().await;
                match lane.last_mut() {
                    Some(job) if !job.is_empty() => job.remove(0),
                    Some(_) => {
                        lane.pop();
                        continue;
                    }
                    None => Step::Note,
                }
            };
            serial += 1;
            let (method, path, body) = self.request(w, serial, step);
            let sent = self
                .client
                .request(method, format!("{base}{path}"))
                .bearer_auth(&self.tokens[w])
                .json(&body)
                .send()
                .await;
            let answer = match sent {
                Ok(response) => {
                    let status = response.status();
                    Ok((status, response.json::<Value>().await.unwrap_or(Value::Null)))
                }
                Err(e) => Err(e),
            };
            match answer {
                Ok((status, body)) if status.is_success() => {
                    let mut ledger = self.ledger.lock().await;
                    if step == Step::Note {
                        ledger.notes.push(note_id(&body));
                    }
                    ledger.acked.push(step);
                    self.acked.fetch_add(1, Ordering::Relaxed);
                }
                other => {
                    let mut ledger = self.ledger.lock().await;
                    ledger.unsure.push(step);
                    // The rest of this item's job depends on the step that may not have happened.
                    if step != Step::Note {
                        let mut lane = self.lanes[w].lock().await;
                        if lane.last().is_some_and(|job| job.iter().any(|s| same_item(s, &step))) {
                            lane.pop();
                        }
                    }
                    match other {
                        Ok((StatusCode::SERVICE_UNAVAILABLE, body)) => {
                            assert_eq!(body["detail"], "Database unavailable, please retry shortly");
                            self.answered_503.fetch_add(1, Ordering::Relaxed);
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                        Ok((status, body)) => ledger.surprises.push(format!("{step:?}: {status} {body}")),
                        // No answer: the server is gone.
                        Err(_) => return,
                    }
                }
            }
        }
    }

    fn request(&self, w: usize, serial: usize, step: Step) -> (Method, String, Value) {
        let instance = self.instance;
        match step {
            Step::Item { item, to } => {
                let mut body = json!({"status": to.as_str()});
                if to.is_exception() {
                    body["reason"] = json!(format!("writer {w} says {}", to.as_str()));
                }
                (Method::PATCH, format!("{INSTANCES}/{instance}/items/{item}"), body)
            }
            Step::Subitem { item, subitem, to } => (
                Method::PATCH,
                format!("{INSTANCES}/{instance}/items/{item}/subitems/{subitem}"),
                json!({"status": to.as_str()}),
            ),
            Step::Note => (
                Method::POST,
                "/api/v1/checklists/handover-notes".to_owned(),
                json!({"content": format!("note {serial} of writer {w}"), "from_instance_id": instance}),
            ),
        }
    }
}

fn same_item(a: &Step, b: &Step) -> bool {
    let item = |s: &Step| match s {
        Step::Item { item, .. } | Step::Subitem { item, .. } => Some(*item),
        Step::Note => None,
    };
    item(a).is_some() && item(a) == item(b)
}

fn note_id(answer: &Value) -> Uuid {
    let id_field = answer.get("id").or_else(|| answer.get("note").and_then(|n| n.get("id")));
    id(id_field.unwrap_or_else(|| panic!("no note id in {answer}")))
}

/// GET as `token`, 200 expected.
async fn get(client: &Client, base: &str, path: &str, token: &str) -> Value {
    let response = client.get(format!("{base}{path}")).bearer_auth(token).send().await.unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, 200, "GET {path}: {body}");
    body
}

/// Every row of a paginated listing.
async fn all_pages(client: &Client, base: &str, path: &str, token: &str) -> Vec<Value> {
    let mut rows = Vec::new();
    for page in 1.. {
        let body = get(client, base, &format!("{path}&limit=500&page={page}"), token).await;
        rows.extend(body["items"].as_array().unwrap().iter().cloned());
        if body["has_next"] != true {
            break;
        }
    }
    rows
}

/// Status changes recorded for one item or subitem, oldest first, as (from, to).
fn chain(activities: &[&Value]) -> Vec<(String, String)> {
    let mut sorted = activities.to_vec();
    sorted.sort_by_key(|a| a["created_at"].as_str().unwrap_or("").to_owned());
    sorted
        .iter()
        .filter(|a| !a["to_status"].is_null())
        .map(|a| (a["from_status"].as_str().unwrap_or("").to_owned(), a["to_status"].as_str().unwrap().to_owned()))
        .collect()
}

/// Checks one item's or subitem's history: the statuses follow from one another from
/// PENDING and end at `status`. Returns the statuses it went through.
fn check_chain(what: &str, status: &str, changes: &[(String, String)]) -> Vec<String> {
    let mut at = ItemStatus::Pending.as_str().to_owned();
    for (from, to) in changes {
        assert_eq!(from, &at, "{what}: history out of step: {changes:?}");
        at.clone_from(to);
    }
    assert_eq!(at, status, "{what} is {status} but its history ends at {at}: {changes:?}");
    changes.iter().map(|(_, to)| to.clone()).collect()
}

/// The audit: every acknowledged change is present with its activity row and ops
/// event (and a manager alert for skips and failures), nothing is half-written, and
/// the stored checklist status and notification counts agree with the rows.
pub async fn audit(base: &str, floor: &Floor, ledger: &Ledger) {
    let client = Client::builder().no_proxy().timeout(REQUEST_LIMIT).build().unwrap();
    assert!(ledger.surprises.is_empty(), "unexpected answers: {:?}", ledger.surprises);
    let instance = get(&client, base, &format!("{INSTANCES}/{}", floor.instance), &floor.admin).await;
    let ops = all_pages(&client, base, "/api/v1/ops/events?entity_type=CHECKLIST_ITEM", &floor.admin).await;
    let mut ops_count: HashMap<(String, String), usize> = HashMap::new();
    for event in &ops {
        let key = (event["entity_id"].as_str().unwrap().to_owned(), event["event_type"].as_str().unwrap().to_owned());
        *ops_count.entry(key).or_default() += 1;
    }
    let unsure: HashSet<Step> = ledger.unsure.iter().copied().collect();
    let mut statuses = Vec::new();
    let mut alerts_due = 0;
    for item in instance["items"].as_array().unwrap() {
        let item_id = id(&item["id"]);
        let status = item["status"].as_str().unwrap();
        statuses.push(ItemStatus::parse(status).unwrap());
        let activities: Vec<&Value> = item["activities"].as_array().unwrap().iter().collect();
        let own: Vec<&Value> = activities.iter().copied().filter(|a| a["subitem_id"].is_null()).collect();
        let went_through = check_chain(&format!("item {item_id}"), status, &chain(&own));
        // Each terminal status reached has its ops event, no more and no fewer.
        for to in [ItemStatus::Completed, ItemStatus::Skipped, ItemStatus::Failed] {
            let reached = went_through.iter().filter(|s| *s == to.as_str()).count();
            let events = ops_count.get(&(item_id.to_string(), format!("ITEM_{}", to.as_str()))).copied().unwrap_or(0);
            assert_eq!(reached, events, "item {item_id} reached {} {reached} times, ops events: {events}", to.as_str());
            if to.is_exception() {
                alerts_due += reached;
            }
        }
        // Acknowledged changes are there; an item nobody touched without doubt is exactly
        // where the last acknowledged change left it.
        let acked: Vec<ItemStatus> = ledger
            .acked
            .iter()
            .filter_map(|s| match s {
                Step::Item { item, to } if *item == item_id => Some(*to),
                _ => None,
            })
            .collect();
        for to in &acked {
            assert!(went_through.iter().any(|s| s == to.as_str()), "acknowledged {to:?} of item {item_id} is lost");
        }
        // A subitem's change starts its PENDING parent (IN_PROGRESS) in the same transaction.
        let starts = |s: &Step| matches!(s, Step::Subitem { item, .. } if *item == item_id);
        let mut doubtful: Vec<&str> = unsure
            .iter()
            .filter_map(|s| match s {
                Step::Item { item, to } if *item == item_id => Some(to.as_str()),
                _ => None,
            })
            .collect();
        if unsure.iter().any(starts) {
            doubtful.push(ItemStatus::InProgress.as_str());
        }
        let expected = match acked.last() {
            Some(to) => *to,
            None if ledger.acked.iter().any(starts) => ItemStatus::InProgress,
            None => ItemStatus::Pending,
        };
        assert!(
            status == expected.as_str() || doubtful.contains(&status),
            "item {item_id} is {status}; last acknowledged {expected:?}, unconfirmed {doubtful:?}"
        );
        for subitem in item["subitems"].as_array().unwrap() {
            let sub_id = id(&subitem["id"]);
            let sub_status = subitem["status"].as_str().unwrap();
            let own: Vec<&Value> =
                activities.iter().copied().filter(|a| a["subitem_id"].as_str() == Some(&sub_id.to_string())).collect();
            let went_through = check_chain(&format!("subitem {sub_id}"), sub_status, &chain(&own));
            for step in &ledger.acked {
                if let Step::Subitem { subitem, to, .. } = step
                    && *subitem == sub_id
                {
                    assert!(
                        went_through.iter().any(|s| s == to.as_str()),
                        "acknowledged {to:?} of subitem {sub_id} is lost"
                    );
                }
            }
        }
    }
    // The stored checklist status agrees with its items.
    assert_eq!(instance["status"], progress_status(&statuses).as_str(), "checklist status against its items");

    // Handover notes: each acknowledged one is there, and every note has its ops event.
    let notes = get(&client, base, &format!("{INSTANCES}/{}/handover-notes", floor.instance), &floor.admin).await;
    let listed: HashSet<Uuid> = note_ids(&notes);
    let noted = all_pages(&client, base, "/api/v1/ops/events?entity_type=HANDOVER_NOTE", &floor.admin).await;
    let noted: HashSet<Uuid> = noted.iter().map(|e| id(&e["entity_id"])).collect();
    assert_eq!(listed, noted, "handover notes and their HANDOVER_CREATED events");
    for note in &ledger.notes {
        assert!(listed.contains(note), "acknowledged handover note {note} is lost");
    }

    // The manager's alerts: one per skip or failure, and the unread count agrees.
    let mut alerts = 0;
    let mut unread = 0;
    for offset in (0..).step_by(100) {
        let page = get(
            &client,
            base,
            &format!("/api/v1/notifications/?include_read=true&limit=100&offset={offset}"),
            &floor.manager,
        )
        .await;
        let page = page.as_array().unwrap().clone();
        alerts += page.iter().filter(|n| n["related_entity"] == "checklist_manager_alert").count();
        unread += page.iter().filter(|n| n["is_read"] == false).count();
        if page.len() < 100 {
            break;
        }
    }
    assert_eq!(alerts, alerts_due, "manager alerts against skips and failures");
    let count = get(&client, base, "/api/v1/notifications/unread/count", &floor.manager).await;
    assert_eq!(count["count"], unread, "unread count against the unread notifications");
}

/// Note ids of an instance's handover listing, whatever its grouping.
fn note_ids(listing: &Value) -> HashSet<Uuid> {
    let mut ids = HashSet::new();
    let mut stack = vec![listing];
    while let Some(value) = stack.pop() {
        match value {
            Value::Array(values) => stack.extend(values),
            Value::Object(fields) => {
                if fields.contains_key("content") && fields.contains_key("from_instance_id") {
                    ids.insert(id(&fields["id"]));
                } else {
                    stack.extend(fields.values());
                }
            }
            _ => {}
        }
    }
    ids
}
