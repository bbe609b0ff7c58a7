//! `api-snapshot`: the JSON answers of a scripted shift, for comparing two builds.
//!
//! It starts a `sentinelops` binary on an empty database, plays one shift over HTTP
//! (an organisation, a template, a checklist worked to sign-off with a skip, a failure,
//! a lost race and a verdict, notifications, handover, dashboards, the audit logs, errors),
//! and writes every answer's status and body, byte for byte, with ids, times and tokens
//! replaced by stable placeholders, plus the OpenAPI document. Two builds answer the
//! same when their snapshot files are identical (`diff`).

// `serde_json::Value` indexing yields `Null` for a missing key and never panics; the
// vectors indexed here are checked for length when they are read.
#![allow(clippy::indexing_slicing)]

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::load::server::{Launch, Server};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The server binary to snapshot.
    #[arg(long, default_value = "target/release/sentinelops")]
    binary: PathBuf,
    /// An empty database for the run (default: a new SQLite file under target/bench/).
    #[arg(long)]
    database_url: Option<String>,
    /// Where the snapshot goes.
    #[arg(long)]
    out: PathBuf,
}

const PASSWORD: &str = "Snapshot@12345";

pub async fn run(args: Args) -> anyhow::Result<()> {
    std::fs::create_dir_all("target/bench")?;
    let database_url = match args.database_url {
        Some(url) => url,
        None => {
            let file = format!("target/bench/snapshot-{}.db", std::process::id());
            format!("sqlite://{file}?mode=rwc")
        }
    };
    let server = Server::start(Launch {
        binary: &args.binary,
        database_url: &database_url,
        log_file: PathBuf::from("target/bench/snapshot-server.log"),
        db_max_connections: 8,
        admin_password: Some(PASSWORD),
    })
    .await?;
    let mut shift = Shift { base: server.base.clone(), client: reqwest::Client::new(), out: String::new() };
    let result = shift.play().await;
    server.stop().await;
    result?;
    let text = Normalizer::default().apply(&shift.out);
    std::fs::write(&args.out, text).with_context(|| format!("cannot write {}", args.out.display()))?;
    println!("snapshot written to {}", args.out.display());
    Ok(())
}

/// One scripted shift against a running server, recording every answer.
struct Shift {
    base: String,
    client: reqwest::Client,
    out: String,
}

impl Shift {
    /// Sends a request and records it; returns the status and the parsed body.
    async fn call(
        &mut self,
        label: &str,
        method: &str,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> anyhow::Result<(u16, Value)> {
        let method = reqwest::Method::from_bytes(method.as_bytes())?;
        let mut request = self.client.request(method.clone(), format!("{}{path}", self.base));
        if !token.is_empty() {
            request = request.bearer_auth(token);
        }
        if let Some(body) = &body {
            request = request.json(body);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let mut text = response.text().await?;
        if label.starts_with("state policy") {
            text = sorted_rules(&text);
        }
        let _ = writeln!(self.out, "### {label}\n{method} {path}\nSTATUS {status}\n{text}\n");
        Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
    }

    /// A call that must succeed (2xx); its body.
    async fn ok(
        &mut self,
        label: &str,
        method: &str,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> anyhow::Result<Value> {
        let (status, answer) = self.call(label, method, path, token, body).await?;
        if !(200..300).contains(&status) {
            bail!("{label}: {method} {path} answered {status}: {answer}");
        }
        Ok(answer)
    }

    async fn sign_in(&mut self, label: &str, email: &str) -> anyhow::Result<String> {
        let answer =
            self.ok(label, "POST", "/auth/signin", "", Some(json!({"email": email, "password": PASSWORD}))).await?;
        Ok(answer["token"].as_str().context("no token")?.to_owned())
    }

    async fn play(&mut self) -> anyhow::Result<()> {
        self.ok("openapi", "GET", "/openapi/v1.json", "", None).await?;
        let admin = self.sign_in("sign in admin", "admin@localhost").await?;
        let (org, tokens) = self.organisation(&admin).await?;
        let [manager, operator, operator2] = tokens;
        let instance = self.checklist(&org, &admin, &operator).await?;
        self.work(&instance, &manager, &operator, &operator2).await?;
        self.reads(&instance, &admin, &manager, &operator).await?;
        self.sign_off(&instance, &manager, &operator).await?;
        self.errors(&instance, &operator).await?;
        self.ok("logout operator", "POST", "/auth/logout", &operator, None).await?;
        self.call("me after logout", "GET", "/auth/me", &operator, None).await?;
        self.ok("auth events", "GET", "/api/v1/auth/events?limit=100", &admin, None).await?;
        self.ok("ops events", "GET", "/api/v1/ops/events?limit=100", &admin, None).await?;
        Ok(())
    }

    /// A department, a section, a manager and two operators, signed in.
    async fn organisation(&mut self, admin: &str) -> anyhow::Result<(Org, [String; 3])> {
        let department = self
            .ok("create department", "POST", "/api/v1/org/departments", admin, Some(json!({"name": "Operations"})))
            .await?;
        let body = json!({"name": "ICT Operations", "department_id": department["id"]});
        let section = self.ok("create section", "POST", "/api/v1/org/sections", admin, Some(body)).await?;
        let section_id = section["id"].as_str().context("section id")?.to_owned();
        self.ok("list sections", "GET", "/api/v1/org/sections", admin, None).await?;
        let mut tokens = Vec::new();
        for (name, role) in [("manager", "manager"), ("operator", "user"), ("operator2", "user")] {
            let body = json!({
                "username": name, "email": format!("{name}@snapshot.local"), "first_name": name, "last_name": "Snap",
                "password": PASSWORD, "role": role, "department_id": department["id"], "section_id": section_id,
            });
            self.ok(&format!("create {name}"), "POST", "/api/v1/users", admin, Some(body)).await?;
            tokens.push(self.sign_in(&format!("sign in {name}"), &format!("{name}@snapshot.local")).await?);
        }
        self.ok("list users", "GET", "/api/v1/users", admin, None).await?;
        self.ok("users by section", "GET", &format!("/api/v1/users/by-section?section_id={section_id}"), admin, None)
            .await?;
        self.ok("me operator", "GET", "/auth/me", &tokens[1], None).await?;
        self.ok("timezone", "GET", "/api/v1/app-settings/timezone", admin, None).await?;
        let [manager, operator, operator2]: [String; 3] =
            tokens.try_into().map_err(|_| anyhow::anyhow!("three tokens"))?;
        Ok((Org { section_id }, [manager, operator, operator2]))
    }

    /// A NIGHT template with subitems, and today's checklist of it.
    async fn checklist(&mut self, org: &Org, admin: &str, operator: &str) -> anyhow::Result<Instance> {
        let item = |title: &str, sort: i32, subitems: Value| {
            json!({"title": title, "description": format!("{title} (snapshot)"), "item_type": "ROUTINE",
                   "is_required": true, "severity": 3, "sort_order": sort, "subitems": subitems})
        };
        let subitem = |title: &str, sort: i32| json!({"title": title, "item_type": "ROUTINE", "is_required": true, "severity": 2, "sort_order": sort});
        let body = json!({
            "name": "Night shift - snapshot", "description": "api-snapshot", "shift": "NIGHT", "is_active": true,
            "section_id": org.section_id,
            "items": [
                item("Check backups", 100, json!([subitem("Database", 1), subitem("Files", 2)])),
                item("Review alerts", 200, json!([])),
                item("Verify batch jobs", 300, json!([])),
                item("Check disk space", 400, json!([])),
            ],
        });
        let template = self.ok("create template", "POST", "/api/v1/checklists/templates", admin, Some(body)).await?;
        let template_id = template["id"].as_str().context("template id")?.to_owned();
        self.ok("list templates", "GET", "/api/v1/checklists/templates", admin, None).await?;
        self.ok("get template", "GET", &format!("/api/v1/checklists/templates/{template_id}"), admin, None).await?;
        self.ok("list shifts", "GET", "/api/v1/checklists/shifts", admin, None).await?;
        let today = chrono::Utc::now().date_naive().to_string();
        let body = json!({"checklist_date": today, "shift": "NIGHT", "template_id": template_id});
        let created = self.ok("create instance", "POST", "/api/v1/checklists/instances", operator, Some(body)).await?;
        let id = created["id"].as_str().or(created["instance"]["id"].as_str()).context("instance id")?.to_owned();
        let view =
            self.ok("get instance", "GET", &format!("/api/v1/checklists/instances/{id}"), operator, None).await?;
        let items: Vec<String> = view["items"]
            .as_array()
            .context("items")?
            .iter()
            .filter_map(|i| i["id"].as_str().map(str::to_owned))
            .collect();
        let subitems: Vec<String> = view["items"][0]["subitems"]
            .as_array()
            .context("subitems")?
            .iter()
            .filter_map(|s| s["id"].as_str().map(str::to_owned))
            .collect();
        if items.len() != 4 || subitems.len() != 2 {
            bail!("the checklist has {} items and {} subitems, expected 4 and 2", items.len(), subitems.len());
        }
        Ok(Instance { path: format!("/api/v1/checklists/instances/{id}"), items, subitems })
    }

    /// Operators work the items: start, subitems, complete, skip, fail, a lost race, comments, a verdict.
    async fn work(&mut self, c: &Instance, manager: &str, operator: &str, operator2: &str) -> anyhow::Result<()> {
        let p = &c.path;
        let (item, s1, s2) = (&c.items[0], &c.subitems[0], &c.subitems[1]);
        self.ok("join", "POST", &format!("{p}/join"), operator, None).await?;
        self.ok("join operator2", "POST", &format!("{p}/join"), operator2, None).await?;
        self.ok("start work", "POST", &format!("{p}/items/{item}/start-work"), operator, Some(json!({}))).await?;
        let done = json!({"status": "COMPLETED"});
        self.ok("subitem 1", "PATCH", &format!("{p}/items/{item}/subitems/{s1}"), operator, Some(done.clone())).await?;
        let fail = json!({"status": "FAILED", "reason": "Files backup job did not run"});
        self.ok("subitem 2 failed", "PATCH", &format!("{p}/items/{item}/subitems/{s2}"), operator2, Some(fail)).await?;
        self.ok("list subitems", "GET", &format!("{p}/items/{item}/subitems"), operator, None).await?;
        self.ok("completion summary", "GET", &format!("{p}/items/{item}/completion-summary"), operator, None).await?;
        self.call("complete without verdict", "PATCH", &format!("{p}/items/{item}"), operator, Some(done.clone()))
            .await?;
        let verdict = json!({"final_verdict": "Re-ran the files backup by hand"});
        self.ok("final verdict", "POST", &format!("{p}/items/{item}/final-verdict"), operator, Some(verdict)).await?;
        self.ok("complete item 1", "PATCH", &format!("{p}/items/{item}"), operator, Some(done.clone())).await?;
        let skip = json!({"status": "SKIPPED", "reason": "Alert console in maintenance"});
        self.ok("skip item 2", "PATCH", &format!("{p}/items/{}", c.items[1]), operator, Some(skip)).await?;
        let stale = json!({"status": "COMPLETED", "metadata": {"previous_status": "IN_PROGRESS"}});
        self.call("lost race", "PATCH", &format!("{p}/items/{}", c.items[1]), operator2, Some(stale)).await?;
        let escalate = json!({"status": "FAILED", "reason": "Batch job 42 aborted", "comment": "Paged the DBA"});
        self.ok("fail item 3", "PATCH", &format!("{p}/items/{}", c.items[2]), operator2, Some(escalate)).await?;
        let note = json!({"comment": "Disk at 71%"});
        self.ok("comment item 4", "POST", &format!("{p}/items/{}/comment", c.items[3]), operator, Some(note)).await?;
        self.ok("complete item 4", "PATCH", &format!("{p}/items/{}", c.items[3]), operator, Some(done)).await?;
        self.ok("notifications manager", "GET", "/api/v1/notifications", manager, None).await?;
        self.ok("unread manager", "GET", "/api/v1/notifications/unread/count", manager, None).await?;
        Ok(())
    }

    /// Everything a manager and an admin read during the shift.
    async fn reads(&mut self, c: &Instance, admin: &str, manager: &str, operator: &str) -> anyhow::Result<()> {
        let p = &c.path;
        let reads = [
            ("stats", format!("{p}/stats")),
            ("today", "/api/v1/checklists/instances/today".to_owned()),
            ("coverage", "/api/v1/checklists/instances/today/coverage".to_owned()),
            ("list instances", "/api/v1/checklists/instances".to_owned()),
            ("paginated", "/api/v1/checklists/instances/paginated?page=1&limit=5".to_owned()),
            ("dashboard summary", "/api/v1/checklists/dashboard/summary".to_owned()),
            ("dashboard active", "/api/v1/checklists/dashboard/active".to_owned()),
            ("user activity", "/api/v1/checklists/dashboard/user-activity".to_owned()),
            ("state policy", "/api/v1/checklists/state-policy".to_owned()),
            ("authorization policy", "/api/v1/checklists/authorization-policy".to_owned()),
            ("performance metrics", "/api/v1/checklists/performance/metrics".to_owned()),
            ("preferences", "/api/v1/notifications/preferences".to_owned()),
            ("sessions", "/api/v1/auth/sessions".to_owned()),
        ];
        for (label, path) in reads {
            self.ok(&format!("{label} (manager)"), "GET", &path, manager, None).await?;
        }
        self.ok("dashboard summary (admin)", "GET", "/api/v1/checklists/dashboard/summary", admin, None).await?;
        self.ok("notifications admin", "GET", "/api/v1/notifications", admin, None).await?;
        let notes = self.ok("notifications operator", "GET", "/api/v1/notifications", operator, None).await?;
        if let Some(id) = notes.as_array().and_then(|n| n.first()).and_then(|n| n["id"].as_str()) {
            self.call("mark read", "PATCH", &format!("/api/v1/notifications/{id}/read"), operator, None).await?;
        }
        self.ok("mark all read", "POST", "/api/v1/notifications/mark-all-read", manager, None).await?;
        Ok(())
    }

    /// Handover notes, then the manager signs the checklist off.
    async fn sign_off(&mut self, c: &Instance, manager: &str, operator: &str) -> anyhow::Result<()> {
        let p = &c.path;
        let id = p.rsplit('/').next().unwrap_or_default();
        let body = json!({"content": "Batch job 42 to be re-run at 06:00", "priority": 3, "from_instance_id": id});
        let note = self.ok("handover note", "POST", "/api/v1/checklists/handover-notes", operator, Some(body)).await?;
        self.ok("instance notes", "GET", &format!("{p}/handover-notes"), operator, None).await?;
        if let Some(note_id) = note["id"].as_str().or(note["note"]["id"].as_str()) {
            let note_path = format!("/api/v1/checklists/handover-notes/{note_id}");
            self.call("acknowledge", "POST", &format!("{note_path}/acknowledge"), manager, None).await?;
            let resolution = json!({"resolution": "Re-run scheduled"});
            self.call("resolve", "POST", &format!("{note_path}/resolve"), manager, Some(resolution)).await?;
        }
        self.call("complete by operator", "POST", &format!("{p}/complete"), operator, Some(json!({}))).await?;
        self.ok("complete", "POST", &format!("{p}/complete"), manager, Some(json!({"comment": "Signed off"}))).await?;
        let reopen = json!({"reason": "Batch job re-run to record"});
        self.ok("reopen", "POST", &format!("{p}/reopen"), manager, Some(reopen)).await?;
        let close = json!({"reason": "Recorded in the incident log"});
        self.ok("force close", "POST", &format!("{p}/force-close"), manager, Some(close)).await?;
        self.ok("get closed", "GET", p, manager, None).await?;
        Ok(())
    }

    /// Refusals a client can provoke.
    async fn errors(&mut self, c: &Instance, operator: &str) -> anyhow::Result<()> {
        let p = &c.path;
        let unknown = "/api/v1/checklists/instances/00000000-0000-7000-8000-000000000000";
        self.call("unknown instance", "GET", unknown, operator, None).await?;
        self.call("not a uuid", "GET", "/api/v1/checklists/instances/nope", operator, None).await?;
        self.call("no token", "GET", p, "", None).await?;
        let item = format!("{p}/items/{}", c.items[3]);
        self.call("bad status", "PATCH", &item, operator, Some(json!({"status": "DONE"}))).await?;
        self.call("closed checklist", "PATCH", &item, operator, Some(json!({"status": "PENDING"}))).await?;
        self.call(
            "wrong password",
            "POST",
            "/auth/signin",
            "",
            Some(json!({"email": "operator@snapshot.local", "password": "x"})),
        )
        .await?;
        Ok(())
    }
}

struct Org {
    section_id: String,
}

struct Instance {
    path: String,
    items: Vec<String>,
    subitems: Vec<String>,
}

/// The state policy's `rules` object with its keys sorted: the server builds it from a
/// hash map, so its key order differs from run to run.
fn sorted_rules(text: &str) -> String {
    let Ok(mut policy) = serde_json::from_str::<Value>(text) else { return text.to_owned() };
    if let Some(rules) = policy.get_mut("rules").and_then(Value::as_object_mut) {
        let mut entries: Vec<(String, Value)> = std::mem::take(rules).into_iter().collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        rules.extend(entries);
    }
    policy.to_string()
}

/// Replaces what differs between two runs of the same build: ids, times, tokens, and
/// measured durations (`…_ms` numbers).
#[derive(Default)]
struct Normalizer {
    names: HashMap<String, String>,
}

impl Normalizer {
    fn apply(mut self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        let mut after_word = false;
        while !rest.is_empty() {
            // A volatile word starts at a word boundary, never inside a longer word.
            if let Some((key, len)) = measured_number_at(rest) {
                out.push_str(key);
                out.push_str("<number>");
                rest = rest.get(len..).unwrap_or_default();
                continue;
            }
            let found = if after_word { None } else { volatile_at(rest) };
            if let Some((len, kind)) = found {
                let (word, tail) = rest.split_at(len);
                let next = self.names.len() + 1;
                let name = self.names.entry(format!("{kind}:{word}")).or_insert_with(|| format!("<{kind}{next}>"));
                out.push_str(if kind == "uuid" { name } else { kind_placeholder(kind) });
                rest = tail;
                after_word = false;
            } else {
                let mut chars = rest.chars();
                if let Some(ch) = chars.next() {
                    out.push(ch);
                    after_word = ch.is_ascii_alphanumeric() || ch == '_';
                }
                rest = chars.as_str();
            }
        }
        out
    }
}

fn kind_placeholder(kind: &str) -> &'static str {
    match kind {
        "time" => "<time>",
        "token" => "<token>",
        _ => "<volatile>",
    }
}

/// The length and kind of a volatile word at the start of `s`: a UUID, an RFC 3339
/// instant (with optional fraction and offset), or a 43-character base64url token.
fn volatile_at(s: &str) -> Option<(usize, &'static str)> {
    let b = s.as_bytes();
    let hex = |i: usize| b.get(i).is_some_and(u8::is_ascii_hexdigit);
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    if (0..36).all(|i| if [8, 13, 18, 23].contains(&i) { at(i, b'-') } else { hex(i) }) {
        return Some((36, "uuid"));
    }
    let date = (0..10).all(|i| if i == 4 || i == 7 { at(i, b'-') } else { digit(i) });
    if date && (at(10, b'T') || at(10, b' ')) && digit(11) && at(13, b':') && at(16, b':') {
        let mut end = 19;
        if at(end, b'.') {
            end += 1;
            while digit(end) {
                end += 1;
            }
        }
        if at(end, b'Z') {
            end += 1;
        } else if (at(end, b'+') || at(end, b'-')) && digit(end + 1) && at(end + 3, b':') {
            end += 6;
        }
        return Some((end, "time"));
    }
    let token_char = |i: usize| b.get(i).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'_');
    if (0..43).all(token_char) && !token_char(43) {
        return Some((43, "token"));
    }
    None
}

/// A measured or clock-dependent number: `_ms":` (a duration) or `remaining_minutes":`
/// (minutes to the end of the shift, which move with the wall clock). Returns the key
/// and the length of the key with its number.
fn measured_number_at(s: &str) -> Option<(&'static str, usize)> {
    let key = ["_ms\":", "remaining_minutes\":"].into_iter().find(|key| s.starts_with(key))?;
    let digits = s.get(key.len()..)?.bytes().take_while(|c| c.is_ascii_digit() || *c == b'.').count();
    (digits > 0).then_some((key, key.len() + digits))
}
