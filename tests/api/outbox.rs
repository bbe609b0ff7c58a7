//! E-mail and webhooks through the transactional outbox, against a real loopback SMTP
//! server and HTTP listener: nothing leaves inside the request, delivery sends each
//! message once, preferences are honoured, failures back off and finally die, and two
//! deliverers running at once never send the same row twice.

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use sentinelops_app::AppConfig;
use sentinelops_app::outbox::OutboxRow;
use sentinelops_domain::{Clock, ManualClock, OutboxStatus};
use sentinelops_store::repo::outbox as repo;
use sentinelops_testkit::http_sink::HttpSink;
use sentinelops_testkit::smtp::TestSmtp;
use sentinelops_testkit::{Options, TestServer, t0, test_config};
use serde_json::{Value, json};

use crate::admin;

const ITEM: &str = "Disk check <script>alert(1)</script>";
const PUBLIC_URL: &str = "https://ops.test.local";

/// A section with a manager and an operator, MORNING and AFTERNOON templates, and the
/// MORNING checklist of 2026-11-25; mail to `smtp`, escalation and skip webhooks to `sink`.
pub(crate) struct Desk {
    pub(crate) srv: TestServer,
    pub(crate) clock: ManualClock,
    pub(crate) smtp: TestSmtp,
    pub(crate) sink: HttpSink,
    pub(crate) manager: String,
    pub(crate) operator: String,
    pub(crate) section: String,
    pub(crate) instance: Value,
}

fn hook(sink: &HttpSink) -> String {
    sink.url("/hooks/ops")
}

/// A URL on which nothing listens (a port bound, then released).
fn closed_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}/hooks/closed")
}

pub(crate) async fn desk(configure: impl FnOnce(&mut AppConfig, &TestSmtp, &HttpSink)) -> Desk {
    let smtp = TestSmtp::start().await;
    let sink = HttpSink::start().await;
    let mut config = test_config();
    smtp.configure(&mut config, PUBLIC_URL);
    config.webhooks.targets = vec![("escalation".into(), hook(&sink)), ("skip".into(), hook(&sink))];
    config.webhooks.secret = Some("s3cret".into());
    configure(&mut config, &smtp, &sink);
    let clock = ManualClock::new(t0());
    let srv =
        TestServer::start_with(Options { clock: Some(clock.clone()), config: Some(config), ..Default::default() })
            .await;
    let (_, admin) = admin(&srv).await;
    let section = srv.create_section("Core Banking").await;
    let (_, manager) = srv.user_with_token("mia.manager", "manager", Some(section)).await;
    let (_, operator) = srv.user_with_token("olu.operator", "user", Some(section)).await;
    for shift in ["MORNING", "AFTERNOON"] {
        let items: Vec<Value> = [ITEM, "Core banking", "Backups", "Batch jobs"]
            .iter()
            .enumerate()
            .map(|(i, title)| json!({"title": title, "severity": 4, "sort_order": i + 1}))
            .collect();
        let body = json!({"name": format!("{shift} ops"), "shift": shift, "section_id": section, "items": items});
        let (status, answer) = srv.post("/api/v1/checklists/templates", &admin, body).await;
        assert_eq!(status, 200, "{answer}");
    }
    let (status, body) = srv
        .post("/api/v1/checklists/instances", &operator, json!({"shift": "MORNING", "checklist_date": "2026-11-25"}))
        .await;
    assert_eq!(status, 200, "{body}");
    let instance = body["instance"].clone();
    let path = format!("/api/v1/checklists/instances/{}/join", instance["id"].as_str().unwrap());
    let (status, body) = srv.post(&path, &operator, json!({})).await;
    assert_eq!(status, 200, "{body}");
    Desk { srv, clock, smtp, sink, manager, operator, section: section.to_string(), instance }
}

impl Desk {
    pub(crate) fn instance_id(&self) -> &str {
        self.instance["id"].as_str().unwrap()
    }

    pub(crate) async fn act(&self, index: usize, status: &str, reason: &str) {
        let path = format!(
            "/api/v1/checklists/instances/{}/items/{}",
            self.instance_id(),
            self.instance["items"][index]["id"].as_str().unwrap()
        );
        let (code, body) = self.srv.patch(&path, &self.operator, json!({"status": status, "reason": reason})).await;
        assert_eq!(code, 200, "{body}");
    }

    pub(crate) async fn deliver(&self) -> usize {
        self.srv.app.deliver_outbox_once().await.expect("delivery runs")
    }

    pub(crate) async fn rows(&self, kind: &str) -> Vec<OutboxRow> {
        self.srv.app.outbox_messages(Some(kind), None).await.unwrap()
    }
}

fn hmac_hex(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret).unwrap();
    mac.update(body);
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn an_escalation_is_mailed_and_posted_once_from_the_outbox() {
    let d = desk(|_, _, _| {}).await;
    d.act(0, "FAILED", "Disk at 97% <b>x</b>").await;

    // The request committed the messages but sent nothing: delivery is asynchronous.
    assert!(d.smtp.messages().is_empty());
    assert!(d.sink.requests().is_empty());
    let emails = d.rows("email").await;
    let webhooks = d.rows("webhook").await;
    // A failure opens an alert: level 1 of the default policy is the section's managers,
    // mailed with a one-click acknowledge link (the admins come in at level 2).
    assert_eq!(emails.len(), 1, "the section's manager: {emails:?}");
    assert_eq!(webhooks.len(), 1);
    assert!(emails.iter().chain(&webhooks).all(|r| r.status == OutboxStatus::Pending && r.attempts == 0));

    assert_eq!(d.deliver().await, 2);

    let mails = d.smtp.mailbox("mia.manager@test.local");
    assert_eq!(mails.len(), 1, "{mails:?}");
    let mail = &mails[0];
    assert_eq!(mail.from, "sentinelops@test.local");
    assert_eq!(mail.header("From").unwrap(), "SentinelOps <sentinelops@test.local>");
    assert!(mail.subject().starts_with("SentinelOps | "), "{}", mail.subject());
    assert!(mail.subject().contains(ITEM), "the subject names the item: {}", mail.subject());
    let html = mail.html();
    assert!(html.contains("Disk at 97% &lt;b&gt;x&lt;/b&gt;"), "{html}");
    assert!(html.contains("Disk check &lt;script&gt;alert(1)&lt;/script&gt;"), "{html}");
    assert!(!html.contains("<b>x</b>") && !html.contains("<script>"), "{html}");
    let link = format!("{PUBLIC_URL}/ui/alerts/");
    let acknowledge = format!("{PUBLIC_URL}/alerts/ack/");
    assert!(html.contains(&format!("href=\"{link}")) && html.contains(&format!("href=\"{acknowledge}")), "{html}");
    let text = mail.text();
    assert!(text.contains("Disk at 97% <b>x</b>") && text.contains(&link) && text.contains(&acknowledge), "{text}");
    assert!(d.smtp.mailbox("root.admin@test.local").is_empty(), "the admins hear at level 2");
    assert!(d.smtp.mailbox("olu.operator@test.local").is_empty(), "the actor gets no mail");

    let requests = d.sink.requests();
    assert_eq!(requests.len(), 1);
    let post = &requests[0];
    assert_eq!((post.method.as_str(), post.path.as_str()), ("POST", "/hooks/ops"));
    assert_eq!(post.header("Content-Type"), Some("application/json"));
    assert_eq!(post.header("X-SentinelOps-Event"), Some("escalation"));
    let expected = format!("sha256={}", hmac_hex(b"s3cret", &post.body));
    assert_eq!(post.header("X-SentinelOps-Signature"), Some(expected.as_str()));
    let body = post.json();
    assert_eq!(body["class"], "escalation");
    assert_eq!(body["priority"], "critical");
    assert_eq!(body["related_entity"], "checklist_manager_alert");
    assert_eq!(body["related_id"], d.instance_id());
    assert_eq!(body["section_id"], d.section);
    assert!(body["title"].as_str().unwrap().contains(ITEM));
    assert!(body["message"].as_str().unwrap().contains("Disk at 97% <b>x</b>"));
    let created: DateTime<Utc> = body["created_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(created, t0());
    assert_eq!(body["id"].as_str(), post.header("X-SentinelOps-Delivery"));
    assert_eq!(body["id"], json!(webhooks[0].id));

    // Settled: delivering again sends nothing more.
    assert_eq!(d.deliver().await, 0);
    assert_eq!(d.smtp.messages().len(), 1);
    assert_eq!(d.sink.requests().len(), 1);
    for row in d.rows("email").await.iter().chain(&d.rows("webhook").await) {
        assert_eq!((row.status.as_str(), row.attempts, row.sent_at), ("SENT", 1, Some(t0())), "{row:?}");
        assert!(row.locked_by.is_none() && row.locked_until.is_none() && row.last_error.is_none());
    }
}

#[tokio::test]
async fn a_skip_posts_its_class_and_sign_off_requests_are_mailed() {
    let d = desk(|_, _, _| {}).await;
    d.act(1, "SKIPPED", "Vendor window").await;
    assert_eq!(d.deliver().await, 3);
    let requests = d.sink.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].header("X-SentinelOps-Event"), Some("skip"));
    assert_eq!(requests[0].json()["priority"], "high");
    let mail = &d.smtp.mailbox("mia.manager@test.local")[0];
    assert!(mail.subject().contains("Checklist Item Skipped - Core banking"), "{}", mail.subject());

    // Finish the rest: the checklist reaches review, the managers are asked by e-mail.
    for index in [0, 2, 3] {
        let path = format!(
            "/api/v1/checklists/instances/{}/items/{}",
            d.instance_id(),
            d.instance["items"][index]["id"].as_str().unwrap()
        );
        let (status, body) = d.srv.patch(&path, &d.operator, json!({"status": "COMPLETED"})).await;
        assert_eq!(status, 200, "{body}");
    }
    assert_eq!(d.deliver().await, 2, "one sign-off request each for the manager and the admin");
    let mails = d.smtp.mailbox("mia.manager@test.local");
    assert_eq!(mails.len(), 2);
    assert!(mails[1].subject().contains("Checklist pending approval"), "{}", mails[1].subject());
    assert_eq!(d.sink.requests().len(), 1, "no class is configured for sign-off requests");

    // Sign-off: a completion mail to the admin and the participant (not the signer), and
    // the shift report to the section's manager (see report_mail.rs); no target is
    // configured for completions, so that webhook dies at once.
    let path = format!("/api/v1/checklists/instances/{}/complete", d.instance_id());
    let (status, body) = d.srv.post(&path, &d.manager, json!({"comment": "ok"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(d.deliver().await, 3);
    assert!(d.smtp.mailbox("olu.operator@test.local")[0].subject().contains("Checklist Completed"));
    let dead: Vec<OutboxRow> = d.rows("webhook").await.into_iter().filter(|r| r.status == OutboxStatus::Dead).collect();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].payload["class"], "completion");
    assert_eq!(dead[0].last_error.as_deref(), Some("no webhook target configured for class \"completion\""));
}

#[tokio::test]
async fn a_manager_with_email_off_gets_no_mail() {
    let d = desk(|_, _, _| {}).await;
    let (status, body) =
        d.srv.put("/api/v1/notifications/preferences", &d.manager, json!({"email_notifications": false})).await;
    assert_eq!(status, 200, "{body}");
    d.act(0, "SKIPPED", "Disk at 97%").await;
    assert_eq!(d.rows("email").await.len(), 1, "only the admin's");
    assert_eq!(d.deliver().await, 2);
    assert!(d.smtp.mailbox("mia.manager@test.local").is_empty());
    assert_eq!(d.smtp.mailbox("root.admin@test.local").len(), 1);
    // The in-app notification still arrives.
    let (_, list) = d.srv.get("/api/v1/notifications/", &d.manager).await;
    let alerts = list.as_array().unwrap().iter().filter(|n| n["related_entity"] == "checklist_manager_alert").count();
    assert_eq!(alerts, 1, "{list}");
}

#[tokio::test]
async fn a_handover_posts_one_webhook_and_mails_both_shifts() {
    let d = desk(|config, _, sink| config.webhooks.targets.push(("handover".into(), hook(sink)))).await;
    let body = json!({"content": "RTGS queue <stuck>", "priority": 3, "from_instance_id": d.instance_id()});
    let (status, answer) = d.srv.post("/api/v1/checklists/handover-notes", &d.operator, body).await;
    assert_eq!(status, 200, "{answer}");
    d.deliver().await;
    let requests = d.sink.requests();
    assert_eq!(requests.len(), 1, "one handover event, not one per notification");
    assert_eq!(requests[0].header("X-SentinelOps-Event"), Some("handover"));
    assert!(requests[0].json()["title"].as_str().unwrap().starts_with("Incoming Handover"));
    let mail = &d.smtp.mailbox("mia.manager@test.local")[0];
    assert!(mail.html().contains("RTGS queue &lt;stuck&gt;"), "{}", mail.html());
}

#[tokio::test]
async fn failed_webhooks_back_off_resume_where_they_stopped_and_finally_die() {
    let closed = closed_url();
    let d = desk(|config, _, sink| {
        config.mail.host = None;
        config.webhooks.targets = vec![("escalation".into(), hook(sink)), ("escalation".into(), closed.clone())];
    })
    .await;
    d.act(0, "FAILED", "Disk at 97%").await;
    assert_eq!(d.deliver().await, 0);

    // Mail is off: e-mail rows die at once instead of piling up.
    let emails = d.rows("email").await;
    assert!(
        emails.iter().all(|r| r.status == OutboxStatus::Dead && r.last_error.as_deref() == Some("mail not configured"))
    );
    // The webhook reached one of its two targets and waits 30 s for the other.
    let row = &d.rows("webhook").await[0];
    assert_eq!((row.status.as_str(), row.attempts), ("PENDING", 1));
    assert_eq!(row.next_attempt_at, t0() + Duration::seconds(30));
    assert!(row.last_error.as_deref().unwrap().contains("hooks/closed"), "{:?}", row.last_error);
    assert_eq!(row.payload["delivered"], json!([hook(&d.sink)]));
    assert_eq!(d.sink.requests().len(), 1);

    // Not due yet: nothing is tried.
    d.clock.advance(Duration::seconds(29));
    assert_eq!(d.deliver().await, 0);
    assert_eq!(d.rows("webhook").await[0].attempts, 1);

    // Each retry waits twice as long; the target that answered is not posted again.
    let mut wait = Duration::seconds(30);
    for attempt in 2..sentinelops_app::outbox::MAX_ATTEMPTS {
        d.clock.advance(Duration::hours(1));
        assert_eq!(d.deliver().await, 0);
        let row = &d.rows("webhook").await[0];
        assert_eq!((row.status.as_str(), row.attempts), ("PENDING", attempt));
        wait = (wait * 2).min(Duration::hours(1));
        assert_eq!(row.next_attempt_at, d.clock_now() + wait, "attempt {attempt}");
    }
    d.clock.advance(Duration::hours(1));
    assert_eq!(d.deliver().await, 0);
    let row = &d.rows("webhook").await[0];
    assert_eq!((row.status.as_str(), row.attempts), ("DEAD", 8));
    assert!(row.last_error.as_deref().unwrap().starts_with("gave up after 8 attempts"), "{:?}", row.last_error);
    assert_eq!(d.sink.requests().len(), 1, "the target that answered got the event once");

    d.clock.advance(Duration::hours(2));
    assert_eq!(d.deliver().await, 0);
    assert_eq!(d.rows("webhook").await[0].attempts, 8, "dead rows are never tried again");
}

#[tokio::test]
async fn a_retried_webhook_is_sent_once_the_target_recovers() {
    let d = desk(|_, _, _| {}).await;
    d.sink.respond_with(503);
    d.act(1, "SKIPPED", "Vendor window").await;
    assert_eq!(d.deliver().await, 2, "the mails go; the webhook does not");
    let row = &d.rows("webhook").await[0];
    assert_eq!((row.status.as_str(), row.attempts), ("PENDING", 1));
    assert!(row.last_error.as_deref().unwrap().contains("503"), "{:?}", row.last_error);

    d.sink.respond_with(200);
    assert_eq!(d.deliver().await, 0, "not due before its backoff");
    d.clock.advance(Duration::seconds(31));
    assert_eq!(d.deliver().await, 1);
    let requests = d.sink.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].header("X-SentinelOps-Delivery"), requests[1].header("X-SentinelOps-Delivery"));
    assert_eq!(requests[0].body, requests[1].body, "a retry posts the same body");
    let row = &d.rows("webhook").await[0];
    assert_eq!((row.status.as_str(), row.attempts, row.sent_at), ("SENT", 2, Some(d.clock_now())));
}

#[tokio::test]
async fn smtp_rejections_are_retried_or_dead_by_their_code() {
    let d = desk(|config, _, _| config.webhooks.targets.clear()).await;
    d.smtp.reject_recipients(Some(451));
    d.act(0, "FAILED", "Disk at 97%").await;
    assert_eq!(d.deliver().await, 0);
    let emails = d.rows("email").await;
    assert!(emails.iter().all(|r| r.status == OutboxStatus::Pending && r.attempts == 1), "{emails:?}");
    assert!(emails[0].last_error.as_deref().unwrap().contains("451"), "{:?}", emails[0].last_error);

    d.smtp.reject_recipients(Some(550));
    d.clock.advance(Duration::seconds(30));
    assert_eq!(d.deliver().await, 0);
    let emails = d.rows("email").await;
    assert!(
        emails.iter().all(|r| r.status == OutboxStatus::Dead && r.attempts == 2),
        "a permanent rejection is final: {emails:?}"
    );
    assert!(d.smtp.messages().is_empty());
}

#[tokio::test]
async fn two_deliverers_at_once_send_each_row_once() {
    let d = desk(|_, _, _| {}).await;
    d.act(0, "FAILED", "one").await;
    d.act(1, "SKIPPED", "two").await;
    d.act(2, "FAILED", "three").await;
    d.act(3, "SKIPPED", "four").await;
    // Four alerts to the manager and the admin, then (every item is actioned) the sign-off
    // request and the carry-over of the two failed items to the next shift.
    let mails = d.rows("email").await.len();
    let mut classes: Vec<String> =
        d.rows("webhook").await.iter().map(|r| r.payload["class"].as_str().unwrap().to_owned()).collect();
    classes.sort();
    assert_eq!(classes, ["escalation", "escalation", "handover", "handover", "skip", "skip"]);
    assert!(mails >= 10, "{mails}");
    // No target is configured for handovers: those two die instead of being sent.
    let queued = mails + 4;

    // Two deliverers on one server, and one on a second instance of the same database.
    let mut other = TestServer::start_on(
        d.srv.database().clone(),
        Options { clock: Some(d.clock.clone()), config: Some(d.srv.app.config.as_ref().clone()), ..Default::default() },
    )
    .await;
    let (a, b, c) =
        tokio::join!(d.srv.app.deliver_outbox_once(), d.srv.app.deliver_outbox_once(), other.app.deliver_outbox_once());
    let (a, b, c) = (a.unwrap(), b.unwrap(), c.unwrap());
    assert_eq!(a + b + c, queued);
    assert_eq!(d.smtp.messages().len(), mails);
    let requests = d.sink.requests();
    assert_eq!(requests.len(), 4);
    let mut ids: Vec<&str> = requests.iter().filter_map(|r| r.header("X-SentinelOps-Delivery")).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 4, "each event posted once");
    assert!(d.rows("email").await.iter().all(|r| r.status == OutboxStatus::Sent && r.attempts == 1));
    for row in d.rows("webhook").await {
        let expected = if row.payload["class"] == "handover" { "DEAD" } else { "SENT" };
        assert_eq!((row.status.as_str(), row.attempts), (expected, 1), "{row:?}");
    }
    other.stop().await;
}

#[tokio::test]
async fn a_row_claimed_elsewhere_waits_and_a_racing_claim_gets_nothing() {
    let d = desk(|_, _, _| {}).await;
    d.act(0, "SKIPPED", "Disk at 97%").await;
    let store = d.srv.app.store.clone();
    let until = t0() + Duration::minutes(2);

    // A deliverer claims every row and, before it commits, another one tries: it waits
    // for the first (row locks on PostgreSQL, the writer on SQLite) and then gets nothing.
    let tx = store.begin_write().await.unwrap();
    let first = repo::claim_due(&tx, "first", t0(), until, 100).await.unwrap();
    assert_eq!(first.len(), 3);
    let racing = store.clone();
    let second = tokio::spawn(async move {
        let tx = racing.begin_write().await.unwrap();
        let rows = repo::claim_due(&tx, "second", t0(), until, 100).await.unwrap();
        sentinelops_store::commit(tx).await.unwrap();
        rows
    });
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    sentinelops_store::commit(tx).await.unwrap();
    assert!(second.await.unwrap().is_empty(), "a claimed row is never handed out twice");

    // The first deliverer "crashed": its rows wait until the claim lapses, then go.
    assert_eq!(d.deliver().await, 0);
    d.clock.advance(Duration::minutes(2));
    assert_eq!(d.deliver().await, 0, "held until locked_until has passed");
    d.clock.advance(Duration::seconds(1));
    assert_eq!(d.deliver().await, 3);
    assert_eq!(d.smtp.messages().len(), 2);
    assert_eq!(d.sink.requests().len(), 1);

    // A result recorded late by the lapsed holder changes nothing.
    let tx = store.begin_write().await.unwrap();
    assert!(!repo::mark_retry(&tx, first[0].id, "first", 1, t0(), "late", None).await.unwrap());
    sentinelops_store::commit(tx).await.unwrap();
    assert!(d.rows("email").await.iter().chain(&d.rows("webhook").await).all(|r| r.status == OutboxStatus::Sent));
}

impl Desk {
    fn clock_now(&self) -> DateTime<Utc> {
        use sentinelops_domain::Clock;
        self.clock.now()
    }
}

#[tokio::test]
async fn a_slow_mail_server_cannot_hold_a_message_past_its_claim() {
    let d = desk(|config, _, _| {
        config.webhooks.targets.clear();
        config.jobs.outbox_send_limit = std::time::Duration::from_secs(1);
    })
    .await;
    // Each reply 400 ms late: a conversation of six replies takes longer than the 1 s limit.
    d.smtp.delay_replies(std::time::Duration::from_millis(400));
    d.act(0, "FAILED", "Disk at 97%").await;
    let started = std::time::Instant::now();
    let app = d.srv.app.clone();
    let delivery = tokio::spawn(async move { app.deliver_outbox_once().await.expect("delivery runs") });
    // Mid-send, the claim covers every wave of the batch at the limit (4 × 1 s) and a
    // minute to record the results.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let claimed = d.rows("email").await;
    assert!(!claimed.is_empty());
    for row in &claimed {
        assert_eq!(row.locked_until, Some(d.clock.now() + Duration::seconds(64)), "{row:?}");
    }
    assert_eq!(delivery.await.unwrap(), 0);
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "the send was cut at its limit");
    let emails = d.rows("email").await;
    assert!(!emails.is_empty());
    for row in &emails {
        assert_eq!((row.status.as_str(), row.attempts), ("PENDING", 1), "{row:?}");
        assert!(row.last_error.as_deref().unwrap().contains("longer than 1000 ms"), "{row:?}");
    }
    assert!(d.smtp.messages().is_empty(), "nothing was accepted");

    // The server is quick again: the retry goes through, once.
    d.smtp.delay_replies(std::time::Duration::ZERO);
    d.clock.advance(Duration::seconds(30));
    assert_eq!(d.deliver().await, emails.len());
    assert_eq!(d.smtp.messages().len(), emails.len());
    for row in d.rows("email").await {
        assert_eq!(row.status, OutboxStatus::Sent, "{row:?}");
    }
}
