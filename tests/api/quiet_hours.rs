//! Quiet hours and e-mail per priority (issue 21, item 5), against the loopback SMTP
//! server: non-critical e-mail in a user's quiet hours is held and mailed as one digest
//! when they end, CRITICAL goes out at once, in-app notifications are always recorded,
//! a priority switched off is not mailed, and the digest is sent once across instances.

use chrono::{DateTime, Duration, TimeZone, Utc};
use reqwest::StatusCode;
use sentinelops_app::jobs::Job;
use sentinelops_testkit::smtp::ReceivedMail;
use sentinelops_testkit::ui::UiSession;
use sentinelops_testkit::world::World;
use sentinelops_testkit::{Options, PASSWORD, TestServer, at, t0};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::outbox::{Desk, desk};

const MIA: &str = "mia.manager@test.local";
const PREFERENCES: &str = "/api/v1/notifications/preferences";

/// The desk of `outbox.rs` with the business zone set and the manager's preferences changed.
async fn quiet_desk(zone: &str, preferences: Value) -> Desk {
    let d = desk(|config, _, _| config.webhooks.targets.retain(|(class, _)| class == "skip")).await;
    let admin = d.srv.login("root.admin", PASSWORD).await;
    let (status, body) = d.srv.put("/api/v1/app-settings/timezone", &admin, json!({"timezone": zone})).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = d.srv.put(PREFERENCES, &d.manager, preferences).await;
    assert_eq!(status, 200, "{body}");
    d
}

async fn user_id(d: &Desk, username: &str) -> Uuid {
    let reader = d.srv.app.store.reader();
    sentinelops_store::repo::users::find_by_login(reader, username).await.unwrap().unwrap().id
}

const SKIPPED: &str = "Checklist Item Skipped";
/// A failure is e-mailed by the alert it opens (issue 21), critical.
const ESCALATED: &str = "FAILED: Item";
const DIGEST: &str = "held during your quiet hours";

/// Queued e-mails (any status) to `address` whose subject contains `subject` ("": all).
async fn queued_to(d: &Desk, address: &str, subject: &str) -> usize {
    let rows = d.rows("email").await;
    rows.iter()
        .filter(|r| r.payload["to"] == address && r.payload["subject"].as_str().unwrap().contains(subject))
        .count()
}

/// The manager's in-app notifications of checklist alerts, titles.
async fn alerts_in_app(d: &Desk) -> Vec<String> {
    let (_, list) = d.srv.get("/api/v1/notifications/?unread_only=false", &d.manager).await;
    list.as_array()
        .unwrap()
        .iter()
        .filter(|n| n["related_entity"] == "checklist_manager_alert")
        .map(|n| n["title"].as_str().unwrap().to_owned())
        .collect()
}

async fn digest_job(d: &Desk, when: DateTime<Utc>) -> usize {
    d.clock.set(when);
    d.srv.app.run_job(Job::QuietDigest).await.unwrap().unwrap()
}

fn digests(mails: &[ReceivedMail]) -> Vec<&ReceivedMail> {
    mails.iter().filter(|m| m.subject().contains(DIGEST)).collect()
}

#[tokio::test]
async fn non_critical_mail_in_quiet_hours_is_held_and_sent_as_one_digest_when_they_end() {
    // London is on GMT in November: 10:00 UTC is 10:00 local, inside 09:00–10:30.
    let d = quiet_desk("Europe/London", json!({"quiet_hours_start": "09:00", "quiet_hours_end": "10:30"})).await;
    let mia = user_id(&d, "mia.manager").await;
    d.act(1, "SKIPPED", "Vendor window").await;
    d.clock.advance(Duration::minutes(5));
    d.act(2, "SKIPPED", "Backup host down for patching").await;

    // Recorded in-app, held from e-mail; the admin (no quiet hours) is mailed at once,
    // and the skip webhooks (per event, not per user) are not held.
    assert_eq!(alerts_in_app(&d).await.len(), 2);
    assert_eq!(queued_to(&d, MIA, "").await, 0, "nothing queued for the manager");
    assert_eq!(queued_to(&d, "root.admin@test.local", SKIPPED).await, 2);
    let held = d.srv.app.held_emails_of(mia).await.unwrap();
    assert_eq!(held.len(), 2);
    assert!(held.iter().all(|h| h.priority == "high" && h.release_at == at(10, 30, 0)), "{held:?}");
    d.deliver().await;
    assert!(d.smtp.mailbox(MIA).is_empty());
    assert_eq!(d.sink.requests().len(), 2);

    // Not yet at 10:29; at 10:30 one digest with both, delivered by the outbox.
    assert_eq!(digest_job(&d, at(10, 29, 59)).await, 0);
    assert_eq!(digest_job(&d, at(10, 30, 0)).await, 1);
    assert!(d.srv.app.held_emails_of(mia).await.unwrap().is_empty());
    assert_eq!(d.deliver().await, 1);
    let mails = d.smtp.mailbox(MIA);
    assert_eq!(mails.len(), 1, "{mails:?}");
    let digest = &mails[0];
    assert_eq!(digest.subject(), "SentinelOps: 2 notifications held during your quiet hours");
    let text = digest.text();
    for expected in [
        "Checklist Item Skipped - Core banking",
        "Vendor window",
        "Received 2026-11-25 10:00 GMT",
        "Checklist Item Skipped - Backups",
        "Backup host down for patching",
        "Received 2026-11-25 10:05 GMT",
        &format!("https://ops.test.local/checklists/{}", d.instance_id()),
    ] {
        assert!(text.contains(expected), "{expected:?} missing from {text}");
    }
    assert!(text.find("Core banking") < text.find("Backups"), "oldest first: {text}");
    assert!(digest.html().contains("Checklist Item Skipped - Backups"));

    // Released once: later runs send nothing more.
    assert_eq!(digest_job(&d, at(11, 0, 0)).await, 0);
    assert_eq!(d.deliver().await, 0);
    assert_eq!(d.smtp.mailbox(MIA).len(), 1);
}

#[tokio::test]
async fn a_critical_failure_in_quiet_hours_is_mailed_at_once() {
    let d = quiet_desk("Europe/London", json!({"quiet_hours_start": "09:00", "quiet_hours_end": "10:30"})).await;
    d.act(0, "FAILED", "Disk at 97%").await;
    assert_eq!(queued_to(&d, MIA, ESCALATED).await, 1);
    assert!(d.srv.app.held_emails_of(user_id(&d, "mia.manager").await).await.unwrap().is_empty());
    d.deliver().await;
    let mails = d.smtp.mailbox(MIA);
    assert_eq!(mails.iter().filter(|m| m.subject().contains(ESCALATED)).count(), 1, "{mails:?}");
}

#[tokio::test]
async fn a_window_crossing_midnight_holds_until_the_next_morning_in_the_business_zone() {
    // Auckland is on daylight time (UTC+13) in November: 10:00 UTC is 23:00 local, so
    // quiet hours 22:00–06:00 end at 06:00 local on the 26th, 17:00 UTC on the 25th.
    let d = quiet_desk("Pacific/Auckland", json!({"quiet_hours_start": "22:00", "quiet_hours_end": "06:00"})).await;
    let mia = user_id(&d, "mia.manager").await;
    d.act(1, "SKIPPED", "Vendor window").await;
    let release = Utc.with_ymd_and_hms(2026, 11, 25, 17, 0, 0).unwrap();
    let held = d.srv.app.held_emails_of(mia).await.unwrap();
    assert_eq!(held.iter().map(|h| h.release_at).collect::<Vec<_>>(), [release]);
    assert_eq!(digest_job(&d, release - Duration::seconds(1)).await, 0);
    assert_eq!(digest_job(&d, release).await, 1);
    d.deliver().await;
    let mails = d.smtp.mailbox(MIA);
    let digest = digests(&mails);
    assert_eq!(digest.len(), 1, "{mails:?}");
    assert_eq!(digest[0].subject(), "SentinelOps: 1 notification held during your quiet hours");
    assert!(digest[0].text().contains("Received 2026-11-25 23:00 NZDT"), "{}", digest[0].text());

    // Outside quiet hours (06:00 local and later) mail goes out at once.
    d.act(2, "SKIPPED", "Patching").await;
    assert!(d.srv.app.held_emails_of(mia).await.unwrap().is_empty());
    assert_eq!(queued_to(&d, MIA, DIGEST).await, 1);
    assert_eq!(queued_to(&d, MIA, SKIPPED).await, 1, "the new alert");
}

#[tokio::test]
async fn a_priority_switched_off_is_not_mailed_but_still_notified_in_app() {
    let d = quiet_desk("Europe/London", json!({"email_priorities": ["low", "medium"]})).await;
    let (_, prefs) = d.srv.get(PREFERENCES, &d.manager).await;
    assert_eq!(prefs["email_priorities"], json!(["low", "medium", "critical"]), "critical is always mailed");
    d.act(1, "SKIPPED", "Vendor window").await;
    assert_eq!(alerts_in_app(&d).await.len(), 1);
    assert_eq!(queued_to(&d, MIA, SKIPPED).await, 0);
    assert!(d.srv.app.held_emails_of(user_id(&d, "mia.manager").await).await.unwrap().is_empty());
    assert_eq!(queued_to(&d, "root.admin@test.local", SKIPPED).await, 1, "the admin's choice is their own");
    d.act(0, "FAILED", "Disk at 97%").await;
    assert_eq!(queued_to(&d, MIA, ESCALATED).await, 1, "the critical one");
    assert_eq!(alerts_in_app(&d).await.len(), 2);
}

#[tokio::test]
async fn held_mail_of_a_user_who_turned_email_off_is_dropped() {
    let d = quiet_desk("UTC", json!({"quiet_hours_start": "09:00", "quiet_hours_end": "10:30"})).await;
    let mia = user_id(&d, "mia.manager").await;
    d.act(1, "SKIPPED", "Vendor window").await;
    assert_eq!(d.srv.app.held_emails_of(mia).await.unwrap().len(), 1);
    let (status, _) = d.srv.put(PREFERENCES, &d.manager, json!({"email_notifications": false})).await;
    assert_eq!(status, 200);
    assert_eq!(digest_job(&d, at(10, 30, 0)).await, 0);
    assert!(d.srv.app.held_emails_of(mia).await.unwrap().is_empty());
    assert_eq!(queued_to(&d, MIA, "").await, 0);
}

#[tokio::test]
async fn two_instances_release_a_digest_once() {
    let d = quiet_desk("UTC", json!({"quiet_hours_start": "09:00", "quiet_hours_end": "10:30"})).await;
    d.act(1, "SKIPPED", "Vendor window").await;
    d.act(2, "SKIPPED", "Patching").await;
    let mut other = TestServer::start_on(
        d.srv.database().clone(),
        Options { clock: Some(d.clock.clone()), config: Some(d.srv.app.config.as_ref().clone()), ..Default::default() },
    )
    .await;
    d.clock.set(at(10, 30, 0));
    let mut released = 0;
    for _ in 0..3 {
        // Through the job runner (its lease) and straight (the delete alone).
        let (a, b) = tokio::join!(d.srv.app.run_job(Job::QuietDigest), other.app.run_job(Job::QuietDigest));
        released += a.unwrap().unwrap_or(0) + b.unwrap().unwrap_or(0);
        let (a, b) = tokio::join!(d.srv.app.send_quiet_digests(), other.app.send_quiet_digests());
        released += a.unwrap() + b.unwrap();
    }
    assert_eq!(released, 1);
    d.deliver().await;
    assert_eq!(digests(&d.smtp.mailbox(MIA)).len(), 1);
    other.stop().await;
}

#[tokio::test]
async fn email_priorities_are_validated_and_default_to_all() {
    let d = desk(|_, _, _| {}).await;
    let (_, prefs) = d.srv.get(PREFERENCES, &d.operator).await;
    assert_eq!(prefs["email_priorities"], json!(["low", "medium", "high", "critical"]));
    for bad in [
        json!({"email_priorities": ["urgent"]}),
        json!({"email_priorities": ["HIGH"]}),
        json!({"email_priorities": "high"}),
        json!({"email_priorities": [1]}),
        json!({"email_priorities": ["low", null]}),
    ] {
        let (status, body) = d.srv.put(PREFERENCES, &d.operator, bad.clone()).await;
        assert_eq!(status, 422, "{bad}: {body}");
        assert!(body["detail"].is_string(), "{body}");
    }
    let (_, body) = d.srv.put(PREFERENCES, &d.operator, json!({"email_priorities": ["urgent"]})).await;
    assert_eq!(
        body["detail"],
        "email_priorities may only hold \"low\", \"medium\", \"high\" and \"critical\", not \"urgent\""
    );
    let (status, body) = d.srv.put(PREFERENCES, &d.operator, json!({"email_priorities": ["high", "low"]})).await;
    assert_eq!((status.as_u16(), body["email_priorities"].clone()), (200, json!(["low", "high", "critical"])));
    // Absent keeps the choice; an empty list leaves critical only.
    let (_, body) = d.srv.put(PREFERENCES, &d.operator, json!({"sms_notifications": true})).await;
    assert_eq!(body["email_priorities"], json!(["low", "high", "critical"]));
    let (_, body) = d.srv.put(PREFERENCES, &d.operator, json!({"email_priorities": []})).await;
    assert_eq!(body["email_priorities"], json!(["critical"]));
}

#[tokio::test]
async fn the_preferences_form_offers_a_box_per_priority_and_critical_stays_on() {
    let w = World::builder().at(t0()).build().await;
    let session = UiSession::sign_in(&w.srv, "olu.operator").await;
    let (_, form) = session.html("/ui/notifications/preferences").await;
    for priority in ["low", "medium", "high"] {
        assert!(form.contains(&format!("name=\"email_{priority}\" id=\"pref-email-{priority}\" checked")), "{form}");
    }
    assert!(form.contains("id=\"pref-email-critical\" checked disabled"), "{form}");
    assert!(form.contains("Critical alerts are always e-mailed while e-mail is on"), "{form}");

    let saved = session.post("/ui/notifications/preferences", &[("email", "on"), ("email_high", "on")]).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let (_, prefs) = w.srv.get(PREFERENCES, &w.operator).await;
    assert_eq!(prefs["email_priorities"], json!(["high", "critical"]));
    let (_, form) = session.html("/ui/notifications/preferences").await;
    assert!(form.contains("name=\"email_high\" id=\"pref-email-high\" checked"), "{form}");
    assert!(!form.contains("name=\"email_low\" id=\"pref-email-low\" checked"), "{form}");
}
