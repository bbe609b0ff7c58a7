//! The auth audit log: `--auth-events` rows spread evenly over the generated period,
//! mostly sign-ins (LOGIN_SUCCESS + SESSION_CREATED, later SESSION_REVOKED + LOGOUT or
//! an expiry), some failed sign-ins and rejected tokens, with the app's metadata.

use chrono::{DateTime, Duration, Utc};
use sentinelops_store::Store;
use sentinelops_store::entity::auth_events;
use serde_json::{Value, json};
use uuid::Uuid;

use super::org::{Org, Person};
use super::rng::Gen;
use super::sink::{Batch, Tally};

pub const USER_AGENTS: [&str; 4] = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36",
];

struct Client {
    ip: String,
    agent: String,
}

struct Writer<'a> {
    g: &'a mut Gen,
    batch: &'a mut Batch,
    left: u64,
}

impl Writer<'_> {
    fn push(
        &mut self,
        kind: &str,
        at: DateTime<Utc>,
        who: (Option<Uuid>, Option<&str>),
        session: Option<Uuid>,
        client: &Client,
        metadata: Value,
    ) {
        if self.left == 0 {
            return;
        }
        self.left -= 1;
        self.batch.auth.push(auth_events::Model {
            id: self.g.id_at(at),
            event_type: kind.to_owned(),
            event_time: at,
            user_id: who.0,
            username: who.1.map(str::to_owned),
            ip: Some(client.ip.clone()),
            user_agent: Some(client.agent.clone()),
            session_id: session,
            failure_reason: metadata.get("reason").and_then(Value::as_str).map(str::to_owned),
            metadata,
        });
    }

    /// One sign-in and how its session ended.
    fn session(&mut self, user: &Person, at: DateTime<Utc>, client: &Client) {
        let session = self.g.id_at(at);
        let who = (Some(user.id), Some(user.username.as_str()));
        let email = format!("{}@bench.local", user.username.trim_start_matches("bench."));
        let meta = json!({ "username": user.username, "email": email, "source": "local", "login_type": "password" });
        self.push("LOGIN_SUCCESS", at, who, Some(session), client, meta);
        let meta = json!({ "expires_at": at + Duration::hours(24), "idle_minutes": 480 });
        self.push("SESSION_CREATED", at, who, Some(session), client, meta);
        let end = at + self.g.seconds(1800, 9 * 3600);
        let roll = self.g.unit();
        if roll < 0.55 {
            self.push("SESSION_REVOKED", end, who, Some(session), client, json!({ "reason": "logout" }));
            self.push("LOGOUT", end, who, Some(session), client, json!({ "username": user.username }));
        } else if roll < 0.70 {
            self.push("SESSION_REVOKED", end, who, Some(session), client, json!({ "reason": "expired" }));
        } else if roll < 0.78 {
            let meta = json!({ "reason": "revoked_session" });
            let at = end + self.g.seconds(5, 600);
            self.push("INVALID_TOKEN", at, who, Some(session), client, meta);
        }
    }

    fn failure(&mut self, user: &Person, at: DateTime<Utc>, client: &Client) {
        if self.g.chance(0.6) {
            let meta = json!({ "email": user.username, "reason": "invalid_password", "source": "local" });
            self.push("LOGIN_FAILURE", at, (Some(user.id), Some(&user.username)), None, client, meta);
        } else {
            // A mistyped login names nobody: no user id, only what was typed.
            let typed = format!("{}x", user.username);
            let meta = json!({ "email": typed, "reason": "unknown_user", "source": "local" });
            self.push("LOGIN_FAILURE", at, (None, Some(&typed)), None, client, meta);
        }
    }
}

fn client(g: &mut Gen, section: usize) -> Client {
    let agent = g.pick(&USER_AGENTS).copied().unwrap_or("curl/8.5").to_owned();
    let ip = format!("10.{}.{}.{}", section % 250, g.between(0, 8), g.between(2, 250));
    Client { ip, agent }
}

/// Writes `count` auth events between `from` and `to`.
pub async fn generate(
    store: &Store,
    g: &mut Gen,
    org: &Org,
    count: u64,
    span: (DateTime<Utc>, DateTime<Utc>),
    tally: &mut Tally,
) -> anyhow::Result<()> {
    let mut people: Vec<(usize, &Person)> = org.admins.iter().map(|a| (0, a)).collect();
    for (k, s) in org.sections.iter().enumerate() {
        people.push((k + 1, &s.manager));
        people.extend(s.operators.iter().map(|o| (k + 1, o)));
    }
    let (from, to) = span;
    let seconds = (to - from).num_seconds().max(1);
    let mut batch = Batch::default();
    let mut w = Writer { g, batch: &mut batch, left: count };
    while w.left > 0 {
        let done = i64::try_from(count - w.left).unwrap_or(0);
        let at = from + Duration::seconds(seconds * done / i64::try_from(count).unwrap_or(1).max(1));
        let Some((section, user)) = people.get(w.g.index(people.len())).copied() else { break };
        let c = client(w.g, section);
        let roll = w.g.unit();
        if roll < 0.85 {
            w.session(user, at, &c);
        } else if roll < 0.97 {
            w.failure(user, at, &c);
        } else {
            w.push("INVALID_TOKEN", at, (None, None), None, &c, json!({ "reason": "unknown_token" }));
        }
        if w.batch.len() >= super::sink::ROWS_PER_TX {
            w.batch.flush(store, tally).await?;
        }
    }
    batch.flush(store, tally).await
}
