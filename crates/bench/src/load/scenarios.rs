//! The scenarios as HTTP calls against the running server.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::Rng;
use reqwest::StatusCode;
use serde_json::json;

use super::driver::{self, Outcome, Stats};
use super::fixture::{Step, WorkQueue};
use super::http::Api;

/// What the scenarios need from the floor.
#[derive(Clone)]
pub struct Targets {
    pub clients: Arc<Vec<Api>>,
    /// Clients of the ceiling server.
    pub ceiling_clients: Arc<Vec<Api>>,
    pub instance_id: String,
    pub operator_tokens: Arc<Vec<String>>,
    pub operator_emails: Arc<Vec<String>>,
    pub password: String,
    /// The manager whose inbox (c, d) and dashboard (f) are read.
    pub manager_token: String,
    pub patch_queue: WorkQueue,
    /// Operators reading their performance (h, i): each client one of them.
    pub scorer_tokens: Arc<Vec<String>>,
}

pub struct Timing {
    pub warmup: Duration,
    pub duration: Duration,
}

impl Targets {
    fn api(&self, worker: usize) -> Api {
        let i = worker % self.clients.len().max(1);
        self.clients.get(i).cloned().unwrap_or_else(|| Api { base: String::new(), client: reqwest::Client::new() })
    }

    fn scorer(&self, worker: usize) -> String {
        let i = worker % self.scorer_tokens.len().max(1);
        self.scorer_tokens.get(i).cloned().unwrap_or_default()
    }

    fn operator(&self, worker: usize) -> String {
        let i = worker % self.operator_tokens.len().max(1);
        self.operator_tokens.get(i).cloned().unwrap_or_default()
    }
}

/// Sends a request, reads the whole body (a client pays for every byte) and checks
/// the status.
async fn send(request: reqwest::RequestBuilder, expect: StatusCode) -> Outcome {
    let response = request.send().await.map_err(|e| e.to_string())?;
    let status = response.status();
    let body = response.bytes().await.map_err(|e| e.to_string())?;
    if status != expect {
        return Err(format!("{status} {}", String::from_utf8_lossy(body.get(..300).unwrap_or(&body))));
    }
    Ok(())
}

async fn get(api: &Api, path: &str, token: Option<&str>, expect: StatusCode) -> Outcome {
    let mut request = api.client.get(format!("{}{path}", api.base));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    send(request, expect).await
}

/// PATCHes an item to the step's next status.
async fn patch(api: &Api, token: &str, step: &Step) -> Outcome {
    let url = format!("{}/api/v1/checklists/instances/{}/items/{}", api.base, step.instance, step.item);
    send(api.client.patch(url).bearer_auth(token).json(&step.body), StatusCode::OK).await
}

/// (a) GET the 40-item checklist, rendered for every request (`Cache-Control:
/// no-cache` skips the server's document cache): the same work as the raw run.
pub async fn get_instance_fresh(t: &Targets, c: usize, timing: &Timing) -> Stats {
    let t = t.clone();
    driver::run("a GET instance (render)", "http", c, timing.warmup, timing.duration, move |w, _| {
        let (api, token) = (t.api(w), t.operator(w));
        let url = format!("{}/api/v1/checklists/instances/{}", api.base, t.instance_id);
        async move { send(api.client.get(url).bearer_auth(token).header("Cache-Control", "no-cache"), StatusCode::OK).await }
    })
    .await
}

/// (a) GET the 40-item checklist as a browser does: from the revision-checked cache.
pub async fn get_instance(t: &Targets, c: usize, timing: &Timing) -> Stats {
    let t = t.clone();
    driver::run("a GET instance (cached)", "http", c, timing.warmup, timing.duration, move |w, _| {
        let (api, token, path) = (t.api(w), t.operator(w), format!("/api/v1/checklists/instances/{}", t.instance_id));
        async move { get(&api, &path, Some(&token), StatusCode::OK).await }
    })
    .await
}

/// (a') GET the checklist with the ETag of the last answer, as a browser revalidates:
/// 304 while it is unchanged. The view holds the time left in the shift, so it does
/// change once a minute; a 200 then brings the new tag, which the next requests send.
pub async fn get_instance_not_modified(t: &Targets, c: usize, timing: &Timing, etag: String) -> Stats {
    let t = t.clone();
    let latest = Arc::new(Mutex::new(etag));
    driver::run("a GET instance (304)", "http", c, timing.warmup, timing.duration, move |w, _| {
        let (api, token, latest) = (t.api(w), t.operator(w), Arc::clone(&latest));
        let etag = latest.lock().map(|tag| tag.clone()).unwrap_or_default();
        let url = format!("{}/api/v1/checklists/instances/{}", api.base, t.instance_id);
        async move {
            let response = api
                .client
                .get(url)
                .bearer_auth(token)
                .header("If-None-Match", etag)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            let status = response.status();
            let fresh_tag = response.headers().get("etag").and_then(|v| v.to_str().ok()).map(str::to_owned);
            response.bytes().await.map_err(|e| e.to_string())?;
            match (status, fresh_tag) {
                (StatusCode::NOT_MODIFIED, _) => Ok(()),
                (StatusCode::OK, Some(tag)) => {
                    if let Ok(mut latest) = latest.lock() {
                        *latest = tag;
                    }
                    Ok(())
                }
                (status, _) => Err(format!("{status} to a revalidation")),
            }
        }
    })
    .await
}

/// Per-worker remaining steps of the item it is walking.
pub fn step_slots(c: usize) -> Arc<Vec<Mutex<Vec<Step>>>> {
    Arc::new((0..c).map(|_| Mutex::new(Vec::new())).collect())
}

/// The next PATCH for `worker`: the rest of its item's walk, else a new item.
pub fn next_step(slots: &[Mutex<Vec<Step>>], worker: usize, queue: &WorkQueue) -> Option<Step> {
    let slot = slots.get(worker)?;
    let mut pending = slot.lock().ok()?;
    if pending.is_empty() {
        let mut steps = queue.take()?;
        steps.reverse();
        *pending = steps;
    }
    pending.pop()
}

/// (b) PATCH an item to its next valid status; the answer is the whole checklist.
pub async fn patch_item(t: &Targets, c: usize, timing: &Timing) -> Stats {
    let t = t.clone();
    let slots = step_slots(c);
    driver::run("b PATCH item", "http", c, timing.warmup, timing.duration, move |w, _| {
        let (api, token, step) = (t.api(w), t.operator(w), next_step(&slots, w, &t.patch_queue));
        async move { patch(&api, &token, &step.ok_or(driver::EXHAUSTED)?).await }
    })
    .await
}

/// (c) The manager's inbox, first page of 50.
pub async fn notifications(t: &Targets, c: usize, timing: &Timing) -> Stats {
    let t = t.clone();
    driver::run("c notifications list", "http", c, timing.warmup, timing.duration, move |w, _| {
        let (api, token) = (t.api(w), t.manager_token.clone());
        async move { get(&api, "/api/v1/notifications/?unread_only=false", Some(&token), StatusCode::OK).await }
    })
    .await
}

/// (d) The manager's unread badge.
pub async fn unread_count(t: &Targets, c: usize, timing: &Timing) -> Stats {
    let t = t.clone();
    driver::run("d unread count", "http", c, timing.warmup, timing.duration, move |w, _| {
        let (api, token) = (t.api(w), t.manager_token.clone());
        async move { get(&api, "/api/v1/notifications/unread/count", Some(&token), StatusCode::OK).await }
    })
    .await
}

/// (e) Sign-in with e-mail and password (a new session each time).
pub async fn sign_in(t: &Targets, c: usize, timing: &Timing) -> Stats {
    let t = t.clone();
    driver::run("e sign-in", "http", c, timing.warmup, timing.duration, move |w, _| {
        let api = t.api(w);
        let email = t.operator_emails.get(w % t.operator_emails.len().max(1)).cloned().unwrap_or_default();
        let body = json!({"email": email, "password": t.password});
        async move { send(api.client.post(format!("{}/auth/signin", api.base)).json(&body), StatusCode::OK).await }
    })
    .await
}

/// (f) The manager's dashboard summary.
pub async fn dashboard(t: &Targets, c: usize, timing: &Timing) -> Stats {
    let t = t.clone();
    driver::run("f dashboard summary", "http", c, timing.warmup, timing.duration, move |w, _| {
        let (api, token) = (t.api(w), t.manager_token.clone());
        async move { get(&api, "/api/v1/checklists/dashboard/summary", Some(&token), StatusCode::OK).await }
    })
    .await
}

/// GETs `path` as the worker's scoring operator.
async fn as_scorer(t: &Targets, c: usize, timing: &Timing, name: &'static str, path: &'static str) -> Stats {
    let t = t.clone();
    driver::run(name, "http", c, timing.warmup, timing.duration, move |w, _| {
        let (api, token) = (t.api(w), t.scorer(w));
        async move { get(&api, path, Some(&token), StatusCode::OK).await }
    })
    .await
}

/// (h) An operator's Performance Command for the month (points, grade, tier, streak,
/// trend, recent events, the section's leaderboard, badges).
pub async fn performance_command(t: &Targets, c: usize, timing: &Timing) -> Stats {
    let path = "/api/v1/gamification/performance/command?focus_window=monthly";
    as_scorer(t, c, timing, "h performance command", path).await
}

/// (i) The legacy leaderboard of the month, as an operator sees it.
pub async fn leaderboard(t: &Targets, c: usize, timing: &Timing) -> Stats {
    as_scorer(t, c, timing, "i leaderboard", "/api/v1/gamification/leaderboard?timeframe=monthly").await
}

/// The framework ceiling: a static file of the instance's size from the same stack.
pub async fn static_document(t: &Targets, c: usize, timing: &Timing) -> Stats {
    let t = t.clone();
    driver::run("static document", "ceiling", c, timing.warmup, timing.duration, move |w, _| {
        let api = t.ceiling_clients.get(w % t.ceiling_clients.len().max(1)).cloned();
        async move {
            let api = api.ok_or("no ceiling client")?;
            get(&api, crate::ceiling::PATH, None, StatusCode::OK).await
        }
    })
    .await
}

/// (g) A shift: four in five workers are operators (read the checklist, work items),
/// the rest managers (inbox, badge, dashboard).
pub async fn mixed(t: &Targets, c: usize, timing: &Timing) -> Stats {
    let t = t.clone();
    let slots = step_slots(c);
    driver::run("g mixed shift", "http", c, timing.warmup, timing.duration, move |w, _| {
        let api = t.api(w);
        let operator = w % 5 != 4;
        let roll: u32 = rand::rng().random_range(0..100);
        let instance_path = format!("/api/v1/checklists/instances/{}", t.instance_id);
        let works_an_item = operator && roll < 35;
        let step = if works_an_item { next_step(&slots, w, &t.patch_queue) } else { None };
        let (token, manager) = (t.operator(w), t.manager_token.clone());
        async move {
            if operator {
                match step {
                    Some(step) => patch(&api, &token, &step).await,
                    // A dry pool must stop the run, not quietly turn its writes into reads.
                    None if works_an_item => Err(driver::EXHAUSTED.to_owned()),
                    None if roll < 90 => get(&api, &instance_path, Some(&token), StatusCode::OK).await,
                    None => get(&api, "/api/v1/notifications/unread/count", Some(&token), StatusCode::OK).await,
                }
            } else {
                let path = match roll {
                    0..40 => "/api/v1/notifications/unread/count",
                    40..70 => "/api/v1/notifications/?unread_only=false",
                    _ => "/api/v1/checklists/dashboard/summary",
                };
                get(&api, path, Some(&manager), StatusCode::OK).await
            }
        }
    })
    .await
}
