//! The benchmark's own floor, built over HTTP as a real client would: a section with
//! a manager and operators, a 40-item template, today's checklist with ~10 activity
//! rows per item (scenario a), and a pool of fresh checklists on earlier dates whose
//! items the PATCH scenarios walk through their valid transitions.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use anyhow::{Context, bail};
use chrono::{Duration, NaiveDate, Utc};
use futures::stream::{self, StreamExt, TryStreamExt};
use serde_json::{Value, json};

use super::http::Api;

pub const ITEMS: usize = 40;
/// Operators of the bench section (the mixed workload's floor staff).
pub const OPERATORS: usize = 50;

/// One step of the PATCH walk: the body that moves an item to its next status.
#[derive(Debug, Clone)]
pub struct Step {
    pub instance: String,
    pub item: String,
    pub body: Value,
}

/// Items whose walk is not finished. Each entry is one item's remaining steps, taken
/// whole by one worker so that no two workers race on the same item.
#[derive(Debug, Clone, Default)]
pub struct WorkQueue {
    items: Arc<Mutex<VecDeque<Vec<Step>>>>,
}

impl WorkQueue {
    pub fn push(&self, steps: Vec<Step>) {
        if let Ok(mut items) = self.items.lock() {
            items.push_back(steps);
        }
    }

    pub fn take(&self) -> Option<Vec<Step>> {
        self.items.lock().ok().and_then(|mut items| items.pop_front())
    }

    pub fn len(&self) -> usize {
        self.items.lock().map_or(0, |items| items.len())
    }
}

pub struct Fixture {
    pub manager_token: String,
    pub operator_tokens: Vec<String>,
    pub operator_email: String,
    /// Today's 40-item checklist with its activity trail (scenario a).
    pub instance_id: String,
    pub instance_bytes: usize,
}

/// The walk of one item: work started then completed, or (every fourth item)
/// skipped with a reason and then done after all: two PATCHes per item.
pub fn steps_for(instance: &Value) -> Vec<Vec<Step>> {
    let id = instance["id"].as_str().unwrap_or_default().to_owned();
    let items = instance["items"].as_array().cloned().unwrap_or_default();
    items
        .iter()
        .enumerate()
        // An item with subitems completes through them; the walk leaves those alone.
        .filter(|(_, item)| item["subitems"].as_array().is_none_or(|s| s.is_empty()))
        .map(|(i, item)| {
            let item_id = item["id"].as_str().unwrap_or_default().to_owned();
            let first = if i % 4 == 3 {
                json!({"status": "SKIPPED", "reason": "Vendor maintenance window", "comment": "bench"})
            } else {
                json!({"status": "IN_PROGRESS", "comment": "bench"})
            };
            vec![
                Step { instance: id.clone(), item: item_id.clone(), body: first },
                Step { instance: id.clone(), item: item_id, body: json!({"status": "COMPLETED", "comment": "bench"}) },
            ]
        })
        .collect()
}

fn template_items() -> Vec<Value> {
    (1..=ITEMS)
        .map(|i| {
            let mut item = json!({
                "title": format!("Check {i:02}: verify service group {i} health and backlog"),
                "description": "Open the monitoring console, confirm every node is green and the queue is below its threshold.",
                "item_type": if i % 5 == 0 { "TIMED" } else { "ROUTINE" },
                "severity": (i % 5) + 1,
                "is_required": i % 7 != 0,
                "sort_order": i * 10,
            });
            if i % 5 == 0 {
                item["scheduled_time"] = json!(format!("{:02}:30", 7 + (i / 5) % 7));
                item["notify_before_minutes"] = json!(15);
            }
            if i % 8 == 0 {
                item["subitems"] = json!([{"title": "Primary site"}, {"title": "Secondary site"}, {"title": "DR replica"}]);
            }
            item
        })
        .collect()
}

pub async fn build(api: &Api, admin_email: &str, password: &str) -> anyhow::Result<Fixture> {
    let admin_token = api.sign_in(admin_email, password).await?;
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    let tag = suffix.get(..6).unwrap_or("bench");
    let (status, section) = api
        .send("POST", "/api/v1/org/sections", &admin_token, Some(json!({"name": format!("Bench Load {tag}")})))
        .await?;
    if status != 200 && status != 201 {
        bail!("create section: {status} {section}");
    }
    let section_id = section["id"].as_str().context("section id")?.to_owned();

    let manager_email = format!("manager.{tag}@bench.local");
    create_user(api, &admin_token, &format!("bench.manager.{tag}"), &manager_email, "manager", &section_id, password)
        .await?;
    let operator_emails: Vec<String> = (0..OPERATORS).map(|i| format!("op{i:02}.{tag}@bench.local")).collect();
    for (i, email) in operator_emails.iter().enumerate() {
        create_user(api, &admin_token, &format!("bench.op{i:02}.{tag}"), email, "user", &section_id, password).await?;
    }
    let manager_token = api.sign_in(&manager_email, password).await?;
    let operator_tokens: Vec<String> = stream::iter(operator_emails.iter())
        .map(|email| api.sign_in(email, password))
        .buffered(4)
        .try_collect()
        .await?;
    let operator = operator_tokens.first().context("no operator")?.clone();

    let body = json!({"name": "Bench morning (40 items)", "shift": "MORNING", "section_id": section_id, "items": template_items()});
    let (status, template) = api.send("POST", "/api/v1/checklists/templates", &admin_token, Some(body)).await?;
    if status != 200 {
        bail!("create template: {status} {template}");
    }

    let today = Utc::now().date_naive();
    let instance = create_instance(api, &operator, today).await?;
    let instance_id = instance["id"].as_str().context("instance id")?.to_owned();
    for token in operator_tokens.iter().take(4) {
        api.send("POST", &format!("/api/v1/checklists/instances/{instance_id}/join"), token, Some(json!({}))).await?;
    }
    add_activity(api, &operator_tokens, &instance).await?;
    fill_inbox(api, &operator, &instance_id).await?;
    let (status, full) = api.get_raw(&format!("/api/v1/checklists/instances/{instance_id}"), &operator).await?;
    if status != 200 {
        bail!("read instance: {status}");
    }
    Ok(Fixture {
        manager_token,
        operator_email: operator_emails.first().cloned().unwrap_or_default(),
        operator_tokens,
        instance_id,
        instance_bytes: full.len(),
    })
}

async fn create_user(
    api: &Api,
    admin: &str,
    username: &str,
    email: &str,
    role: &str,
    section_id: &str,
    password: &str,
) -> anyhow::Result<()> {
    let body = json!({
        "username": username, "email": email, "first_name": "Bench", "last_name": username,
        "password": password, "role": role, "section_id": section_id,
    });
    let (status, answer) = api.send("POST", "/api/v1/users", admin, Some(body)).await?;
    if !(200..300).contains(&status) {
        bail!("create user {username}: {status} {answer}");
    }
    Ok(())
}

pub async fn create_instance(api: &Api, operator: &str, date: NaiveDate) -> anyhow::Result<Value> {
    let body = json!({"shift": "MORNING", "checklist_date": date.to_string()});
    let (status, answer) = api.send("POST", "/api/v1/checklists/instances", operator, Some(body)).await?;
    if status != 200 {
        bail!("create instance for {date}: {status} {answer}");
    }
    Ok(answer["instance"].clone())
}

/// ~10 activity rows per item: start, eight comments, complete (or skip / fail).
async fn add_activity(api: &Api, operators: &[String], instance: &Value) -> anyhow::Result<()> {
    let id = instance["id"].as_str().context("instance id")?;
    let items = instance["items"].as_array().context("items")?;
    let calls = items.iter().enumerate().map(|(i, item)| {
        let token = operators.get(i % operators.len().max(1)).cloned().unwrap_or_default();
        let item_id = item["id"].as_str().unwrap_or_default().to_owned();
        async move {
            let base = format!("/api/v1/checklists/instances/{id}/items/{item_id}");
            api.expect_ok("POST", &format!("{base}/start-work"), &token, json!({"comment": "starting"})).await?;
            for n in 0..8 {
                let body = json!({"action": "COMMENTED", "comment": format!("Progress note {n}: checked node group {n}, all nominal.")});
                api.expect_ok("POST", &format!("{base}/comment"), &token, body).await?;
            }
            for sub in item["subitems"].as_array().into_iter().flatten() {
                let sub_id = sub["id"].as_str().unwrap_or_default();
                api.expect_ok("PATCH", &format!("{base}/subitems/{sub_id}"), &token, json!({"status": "COMPLETED"})).await?;
            }
            let last = match i % 10 {
                3 => json!({"status": "SKIPPED", "reason": "Change freeze: vendor window", "comment": "deferred"}),
                7 => json!({"status": "FAILED", "reason": "Node 3 unreachable; ticket raised", "comment": "escalated"}),
                _ => json!({"status": "COMPLETED", "comment": "all green"}),
            };
            api.expect_ok("PATCH", &base, &token, last).await
        }
    });
    stream::iter(calls).buffer_unordered(8).try_collect::<Vec<()>>().await?;
    Ok(())
}

/// Handover notes that each reach the section's manager as a notification, so that
/// the manager's inbox holds more than one page (c) on an empty database too: the
/// scale check then compares the same 50-row answer, not 50 rows against a handful.
async fn fill_inbox(api: &Api, operator: &str, instance_id: &str) -> anyhow::Result<()> {
    let notes = (0..INBOX_NOTES).map(|n| {
        let body = json!({
            "content": format!("Bench handover {n}: node group {n} patched, watch the replication lag."),
            "priority": 3,
            "from_instance_id": instance_id,
        });
        api.expect_ok("POST", "/api/v1/checklists/handover-notes", operator, body)
    });
    stream::iter(notes).buffer_unordered(4).try_collect::<Vec<()>>().await?;
    Ok(())
}

/// More than the inbox page the scenarios read (50).
const INBOX_NOTES: usize = 60;

/// Creates `count` fresh checklists on the days before `before` and queues their walks.
pub async fn patch_pool(
    api: &Api,
    operators: &[String],
    before: NaiveDate,
    count: usize,
) -> anyhow::Result<(WorkQueue, NaiveDate)> {
    let queue = WorkQueue::default();
    let dates: Vec<NaiveDate> = (1..=count as i64).map(|d| before - Duration::days(d)).collect();
    let created: Vec<Value> = stream::iter(dates.iter().enumerate())
        .map(|(i, date)| {
            let token = operators.get(i % operators.len().max(1)).cloned().unwrap_or_default();
            async move { create_instance(api, &token, *date).await }
        })
        .buffered(4)
        .try_collect()
        .await?;
    // Interleave the checklists so that concurrent workers spread over several of them.
    let walks: Vec<Vec<Vec<Step>>> = created.iter().map(steps_for).collect();
    for i in 0..ITEMS {
        for walk in &walks {
            if let Some(steps) = walk.get(i) {
                queue.push(steps.clone());
            }
        }
    }
    let oldest = dates.last().copied().unwrap_or(before);
    Ok((queue, oldest))
}
