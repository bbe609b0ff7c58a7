//! The original system's recorded answers (`tests/api/samples/`, a copy of the
//! reference `api-samples/`) replayed against our server: the same users, section,
//! templates, instance and item actions, in the order they were recorded, with the
//! original's ids mapped to ours as our answers reveal them. For every sample, our
//! status must be the original's and every key path of its body must exist in ours with
//! the same JSON type. Deliberate differences are listed with their reason
//! (`STATUS_EXCEPTIONS`, `EXCEPTIONS`, `INACTIVE_TEMPLATE`).

use std::collections::HashMap;

use chrono::{TimeZone, Utc};
use reqwest::Method;
use sentinelops_domain::ManualClock;
use sentinelops_testkit::{Options, PASSWORD, TestServer};
use serde_json::Value;

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/api/samples");

/// The original run's password for every account (ours is the harness's).
const ORIGINAL_PASSWORD: &str = "Sentinel@123";

/// Samples whose status we do not share, on purpose: (sample, our status, why). Their
/// bodies answer different things, so only the status is checked.
const STATUS_EXCEPTIONS: &[(&str, u16, &str)] = &[(
    "10-create-instance-morning-too-late",
    200,
    "the original refused a MORNING checklist more than 2 h after its first timed deadline (400 at 19:50 CAT); \
     we have no late-creation guard: a shift's missing checklist may be started later in its day",
)];

/// The 40-item template was created inactive, and the original started a checklist from
/// it all the same; we refuse a deactivated template (422), so the test checks that, then
/// activates the template and replays the sample to compare the 40-item answer.
const INACTIVE_TEMPLATE: &str = "35-create-instance-bench40-with-template-id";

/// The samples recorded after the manager fix (16b, 17b) were taken after 18: the item
/// states in their answers show it, so they are replayed there.
const AFTER_18: [&str; 2] = ["16b-item-skip-after-manager-fix", "17b-item-fail-after-manager-fix"];

/// Key paths (sample, path) where our answer differs from the original's on purpose or
/// while another branch is in flight. `[]` stands for any array element.
const EXCEPTIONS: &[(&str, &str, &str)] = &[
    (
        "09-list-templates",
        "[].items[].description",
        "the original's MORNING template was seeded by SQL with empty descriptions (\"\"); re-created through \
         our API, an empty description is stored as null (as for every optional text)",
    ),
    (
        "09-list-templates",
        "[].items[].notify_before_minutes",
        "the seeded MORNING template has a lead of 0 on untimed items; we keep a reminder lead only on TIMED items \
         (the original's own API left it null on the untimed items of the templates it created, 06 and 07)",
    ),
    (
        "22-notifications-list-operator",
        "[]",
        "the original notified the operator of their own item actions (\"Item Completed/Skipped/Failed/Started\"); \
     decisions.md: the actor is never notified of their own action, so the operator's inbox is empty",
    ),
];

/// One recorded request and answer.
#[derive(Debug)]
struct Sample {
    name: String,
    method: Method,
    path: String,
    /// "operator", "manager", "admin", "operator2" from `<token of operator>`.
    token_of: Option<String>,
    request: Option<Value>,
    status: u16,
    response: Value,
}

fn parse_sample(name: &str, text: &str) -> Sample {
    let field = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key))
            .map(|v| v.trim().to_owned())
            .unwrap_or_else(|| panic!("{name}: no {key}"))
    };
    let between = |start: &str, end: Option<&str>| {
        let from = text.find(start).unwrap_or_else(|| panic!("{name}: no {start}")) + start.len();
        let rest = &text[from..];
        let to = end.and_then(|e| rest.find(e)).unwrap_or(rest.len());
        rest[..to].trim().to_owned()
    };
    let token_of = text
        .lines()
        .find_map(|l| l.strip_prefix("HEADERS: Authorization: Bearer <token of "))
        .map(|rest| rest.trim_end_matches('>').trim().to_owned());
    let request = between("REQUEST BODY:", Some("\nSTATUS:"));
    let response = between("RESPONSE BODY:", None);
    Sample {
        name: name.to_owned(),
        method: field("METHOD:").parse().unwrap(),
        path: field("PATH:"),
        token_of,
        request: (request != "(none)").then(|| serde_json::from_str(&request).unwrap()),
        status: field("STATUS:").parse().unwrap(),
        response: serde_json::from_str(&response).unwrap_or_else(|e| panic!("{name}: response body: {e}")),
    }
}

fn samples() -> Vec<Sample> {
    let mut names: Vec<String> = std::fs::read_dir(SAMPLES)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".txt"))
        .collect();
    // Recorded order: by number, 16b and 17b after 18.
    names.sort_by_key(|n| {
        let stem = n.trim_end_matches(".txt");
        let number: u32 = stem.chars().take_while(char::is_ascii_digit).collect::<String>().parse().unwrap();
        if AFTER_18.contains(&stem) { (18, 1, n.clone()) } else { (number, 0, n.clone()) }
    });
    names
        .iter()
        .map(|n| {
            let text = std::fs::read_to_string(format!("{SAMPLES}/{n}")).unwrap();
            parse_sample(n.trim_end_matches(".txt"), &text)
        })
        .collect()
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36 && uuid::Uuid::parse_str(s).is_ok()
}

/// The original's ids (and sign-in names) and ours.
#[derive(Default)]
struct IdMap {
    ours: HashMap<String, String>,
}

impl IdMap {
    /// Learns ids from two answers to the same request, walking them side by side; an id
    /// keeps its first mapping (creation answers come before the lists).
    fn learn(&mut self, original: &Value, ours: &Value) {
        match (original, ours) {
            (Value::String(a), Value::String(b))
                if is_uuid(a) && is_uuid(b) && !self.ours.contains_key(a) && !self.ours.values().any(|v| v == b) =>
            {
                self.ours.insert(a.clone(), b.clone());
            }
            (Value::Object(a), Value::Object(b)) => {
                for (k, v) in a {
                    if let Some(w) = b.get(k) {
                        self.learn(v, w);
                    }
                }
            }
            (Value::Array(a), Value::Array(b)) => {
                for (i, v) in a.iter().enumerate() {
                    if let Some(w) = self.counterpart(i, v, b) {
                        self.learn(v, w);
                    }
                }
            }
            _ => {}
        }
    }

    /// Our element answering the original's `i`th: the one with its (mapped) id, else
    /// the one at the same position.
    fn counterpart<'a>(&self, i: usize, original: &Value, ours: &'a [Value]) -> Option<&'a Value> {
        let mapped = original.get("id").and_then(Value::as_str).and_then(|id| self.ours.get(id));
        match mapped {
            Some(id) => ours.iter().find(|w| w.get("id").and_then(Value::as_str) == Some(id.as_str())),
            None => ours.get(i),
        }
    }

    fn path(&self, path: &str) -> String {
        self.ours.iter().fold(path.to_owned(), |p, (from, to)| p.replace(from, to))
    }

    fn body(&self, value: &Value) -> Value {
        match value {
            Value::String(s) => Value::String(self.ours.get(s).cloned().unwrap_or_else(|| s.clone())),
            Value::Array(list) => Value::Array(list.iter().map(|v| self.body(v)).collect()),
            Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), self.body(v))).collect()),
            other => other.clone(),
        }
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Every key path of `original` that is missing from `ours` or has another JSON type
/// there. Null in the original matches anything. Array elements are paired by their
/// mapped id, else by position (the last of ours stands in for any further one).
fn shape_mismatches(ids: &IdMap, original: &Value, ours: &Value, path: &str, out: &mut Vec<(String, String)>) {
    match (original, ours) {
        (Value::Null, _) => {}
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                let here = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                match b.get(k) {
                    Some(w) => shape_mismatches(ids, v, w, &here, out),
                    None => out.push((here, "missing".to_owned())),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            let here = format!("{path}[]");
            if !a.is_empty() && b.is_empty() {
                out.push((here, "empty in ours".to_owned()));
                return;
            }
            for (i, v) in a.iter().enumerate() {
                match ids.counterpart(i, v, b).or(b.last()) {
                    Some(w) => shape_mismatches(ids, v, w, &here, out),
                    None => out.push((here.clone(), "no counterpart in ours".to_owned())),
                }
            }
        }
        (a, b) if kind(a) != kind(b) => {
            out.push((path.to_owned(), format!("{} in the original, {} in ours", kind(a), kind(b))))
        }
        _ => {}
    }
}

/// The original's database also held a MORNING template for the section (its seed, not
/// created by a sample; `09-list-templates` lists it): create the same one.
async fn seed_morning_template(srv: &TestServer, ids: &mut IdMap, admin: &str, list: &Sample) {
    let original = list.response.as_array().unwrap().iter().find(|t| t["shift"] == "MORNING").unwrap();
    let mut body = ids.body(original);
    let fields = crate::ITEM_FIELDS;
    let items: Vec<Value> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            fields.iter().map(|f| ((*f).to_owned(), item[*f].clone())).collect::<serde_json::Map<_, _>>().into()
        })
        .collect();
    body["items"] = Value::Array(items);
    let (status, created) = srv.post("/api/v1/checklists/templates", admin, body).await;
    assert_eq!(status, 200, "{created}");
    ids.learn(original, &created["template"]);
}

#[tokio::test]
async fn our_answers_have_the_shape_of_every_recorded_answer_of_the_original() {
    // The samples were recorded at about 19:50 CAT on 25 November 2026.
    let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 25, 17, 50, 0).unwrap());
    let srv = TestServer::start_with(Options { clock: Some(clock.clone()), ..Options::default() }).await;
    let section = srv.create_section("Core Banking").await;
    for (name, role, in_section) in [
        ("operator", "user", true),
        ("manager", "manager", true),
        ("admin", "admin", false),
        ("operator2", "user", true),
    ] {
        srv.create_user(name, role, in_section.then_some(section)).await;
    }
    let mut ids = IdMap::default();
    for name in ["operator", "manager", "admin", "operator2"] {
        ids.ours.insert(format!("{name}@sentinel.local"), name.to_owned());
    }
    ids.ours.insert(ORIGINAL_PASSWORD.to_owned(), PASSWORD.to_owned());
    let mut tokens: HashMap<String, String> = HashMap::new();

    let all = samples();
    assert_eq!(all.len(), 37, "every recorded sample is replayed");
    let mut failures = Vec::new();
    let mut used = vec![false; EXCEPTIONS.len()];
    for sample in &all {
        let token = sample
            .token_of
            .as_ref()
            .map(|who| tokens.get(who).cloned().unwrap_or_else(|| panic!("{}: no token of {who} yet", sample.name)));
        if sample.name.starts_with("06-") {
            // The section's own MORNING template, before the samples' templates.
            let admin = tokens["admin"].clone();
            let list = all.iter().find(|s| s.name.starts_with("09-")).unwrap();
            seed_morning_template(&srv, &mut ids, &admin, list).await;
        }
        let path = ids.path(&sample.path);
        let body = sample.request.as_ref().map(|b| ids.body(b));
        let (mut status, mut answer) = srv.call(sample.method.clone(), &path, token.as_deref(), body.clone()).await;
        if sample.name == INACTIVE_TEMPLATE {
            assert_eq!(status, 422, "{INACTIVE_TEMPLATE}: a deactivated template is refused: {answer}");
            let template =
                format!("/api/v1/checklists/templates/{}", body.as_ref().unwrap()["template_id"].as_str().unwrap());
            let (put, activated) = srv.put(&template, &tokens["admin"], serde_json::json!({"is_active": true})).await;
            assert_eq!(put, 200, "{activated}");
            (status, answer) = srv.call(sample.method.clone(), &path, token.as_deref(), body).await;
        }
        if let Some((_, ours, why)) = STATUS_EXCEPTIONS.iter().find(|(name, _, _)| *name == sample.name) {
            assert_eq!(status.as_u16(), *ours, "{}: {why}: {answer}", sample.name);
            continue;
        }
        if status.as_u16() != sample.status {
            failures
                .push(format!("{}: status {} in the original, {status} in ours: {answer}", sample.name, sample.status));
            continue;
        }
        if sample.path == "/auth/signin" && status.is_success() {
            let who = sample.name.trim_start_matches(|c: char| c.is_ascii_digit() || c == '-');
            tokens.insert(who.trim_start_matches("signin-").to_owned(), answer["token"].as_str().unwrap().to_owned());
        }
        ids.learn(&sample.response, &answer);
        let mut found = Vec::new();
        shape_mismatches(&ids, &sample.response, &answer, "", &mut found);
        for (key, what) in found {
            match EXCEPTIONS.iter().position(|(name, p, _)| *name == sample.name && *p == key) {
                Some(i) => used[i] = true,
                None => failures.push(format!("{}: {key}: {what}", sample.name)),
            }
        }
    }
    // An exception that no longer matches anything is stale.
    for (i, (name, key, _)) in EXCEPTIONS.iter().enumerate() {
        if !used[i] {
            failures.push(format!("{name}: {key}: listed in EXCEPTIONS but matches now; remove it"));
        }
    }
    failures.dedup();
    assert!(failures.is_empty(), "{} mismatch(es):\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn the_shape_comparison_catches_missing_keys_wrong_types_and_empty_arrays() {
    let original: Value = serde_json::json!({
        "a": 1, "b": 1.5, "c": null, "d": [{"x": "s"}, {"x": "t", "y": true}], "e": {"f": []}, "g": [1],
    });
    let ours: Value = serde_json::json!({"a": 1.0, "b": 2.5, "c": {"any": 1}, "d": [{"x": "s"}, {"x": "t"}], "e": {"f": [3]}, "g": []});
    let mut out = Vec::new();
    shape_mismatches(&IdMap::default(), &original, &ours, "", &mut out);
    let keys: Vec<&str> = out.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["a", "d[].y", "g[]"], "{out:?}");
}
