//! Report mails against a real loopback SMTP server: the shift report (its PDF attached,
//! rendered when the outbox sends) to the section's supervisors who want it when a
//! checklist closes, exactly once; the mail without the PDF when it cannot be rendered;
//! and the daily digest, once per day to the managers who opted in.

use chrono::{Duration, TimeZone, Utc};
use sentinelops_app::jobs::Job;
use sentinelops_app::outbox::OutboxRow;
use sentinelops_app::report_mail::REPORT_NOT_ATTACHED;
use sentinelops_domain::OutboxStatus;
use sentinelops_testkit::pdf::Pdf;
use sentinelops_testkit::smtp::ReceivedMail;
use sentinelops_testkit::{Options, PASSWORD, TestServer};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::outbox::{Desk, desk};

const MORNING_PDF: &str = "SentinelOps_Morning_Shift_25_11_2026.pdf";

impl Desk {
    /// Actions the items still open as COMPLETED, so the checklist reaches review.
    async fn finish_items(&self, from: usize) {
        for index in from..4 {
            self.act(index, "COMPLETED", "").await;
        }
    }

    async fn sign_off(&self, token: &str) -> (u16, Value) {
        let path = format!("/api/v1/checklists/instances/{}/complete", self.instance_id());
        let (status, body) = self.srv.post(&path, token, json!({"comment": "signed"})).await;
        (status.as_u16(), body)
    }

    async fn preferences(&self, token: &str, body: Value) -> Value {
        let (status, answer) = self.srv.put("/api/v1/notifications/preferences", token, body).await;
        assert_eq!(status, 200, "{answer}");
        answer
    }

    /// The queued shift-report mails (each names the checklist, not its bytes).
    async fn report_rows(&self) -> Vec<OutboxRow> {
        self.rows("email").await.into_iter().filter(|r| r.payload["attachment"]["kind"] == "shift_report").collect()
    }

    fn reports_to(&self, address: &str) -> Vec<ReceivedMail> {
        self.smtp.mailbox(address).into_iter().filter(|m| m.subject().contains("Shift report")).collect()
    }
}

async fn admin_token(d: &Desk) -> String {
    d.srv.login("root.admin", PASSWORD).await
}

#[tokio::test]
async fn a_sign_off_mails_the_pdf_once_to_the_managers_who_want_it() {
    let d = desk(|config, _, _| config.webhooks.targets.clear()).await;
    let section = Uuid::parse_str(&d.section).unwrap();
    let (_, quiet_manager) = d.srv.user_with_token("nia.manager", "manager", Some(section)).await;
    let admin = admin_token(&d).await;

    // Managers have the report on by default, administrators and operators off.
    let (_, prefs) = d.srv.get("/api/v1/notifications/preferences", &d.manager).await;
    assert_eq!((prefs["shift_report_email"].clone(), prefs["daily_digest_email"].clone()), (json!(true), json!(false)));
    let (_, prefs) = d.srv.get("/api/v1/notifications/preferences", &admin).await;
    assert_eq!(prefs["shift_report_email"], false, "{prefs}");
    let prefs = d.preferences(&quiet_manager, json!({"shift_report_email": false})).await;
    assert_eq!(prefs["shift_report_email"], false);
    assert_eq!(prefs["email_notifications"], true, "other preferences are kept");

    d.act(0, "SKIPPED", "Vendor window").await;
    d.finish_items(1).await;
    assert!(d.report_rows().await.is_empty(), "nothing before the sign-off");

    // Two supervisors sign off at once: one wins, the other is told it is closed.
    let (a, b) = tokio::join!(d.sign_off(&d.manager), d.sign_off(&admin));
    let mut codes = [a.0, b.0];
    codes.sort_unstable();
    assert_eq!(codes, [200, 409], "{a:?} {b:?}");

    let rows = d.report_rows().await;
    assert_eq!(rows.len(), 1, "only the manager who kept the default: {rows:?}");
    let row = &rows[0];
    assert_eq!(row.payload["to"], "mia.manager@test.local");
    assert_eq!(row.payload["attachment"], json!({"kind": "shift_report", "instance_id": d.instance_id()}));
    assert!(row.payload.to_string().len() < 4096, "the row holds a reference, not the PDF");

    d.deliver().await;
    let mails = d.reports_to("mia.manager@test.local");
    assert_eq!(mails.len(), 1, "{mails:?}");
    let mail = &mails[0];
    assert!(mail.subject().contains("Completed with exceptions"), "{}", mail.subject());
    assert!(mail.text().contains("signed off by"), "{}", mail.text());
    assert!(mail.text().contains("1 skipped"), "{}", mail.text());
    assert!(!mail.text().contains(REPORT_NOT_ATTACHED));
    assert!(mail.html().contains("signed off by"), "the HTML alternative is kept");
    let content_type = mail.header("Content-Type").unwrap();
    assert!(content_type.starts_with("multipart/mixed"), "{content_type}");
    let pdf = mail.attachment("application/pdf").expect("a PDF part");
    assert!(pdf.is_attachment());
    assert_eq!(pdf.filename().as_deref(), Some(MORNING_PDF), "{:?}", pdf.header("Content-Disposition"));
    let words = Pdf::new(&pdf.bytes).words();
    for expected in ["CHECKLIST OPERATIONAL RECORD", "COMPLETED WITH EXCEPTIONS", "Skipped: Vendor window"] {
        assert!(words.contains(expected), "the mailed record lacks {expected:?}: {words}");
    }
    assert_eq!(row_status(&d, row.id).await, OutboxStatus::Sent);

    assert!(d.reports_to("nia.manager@test.local").is_empty(), "the manager who turned it off");
    assert!(d.reports_to("root.admin@test.local").is_empty(), "an administrator who did not opt in");
    assert!(d.reports_to("olu.operator@test.local").is_empty(), "an operator");
    assert!(d.smtp.mailbox("olu.operator@test.local").iter().any(|m| m.subject().contains("Checklist Completed")));

    // Delivering again sends nothing more.
    d.deliver().await;
    assert_eq!(d.reports_to("mia.manager@test.local").len(), 1);
}

async fn row_status(d: &Desk, id: Uuid) -> OutboxStatus {
    d.rows("email").await.into_iter().find(|r| r.id == id).map(|r| *r.status).unwrap()
}

#[tokio::test]
async fn an_admin_who_opts_in_gets_the_force_closed_record_and_email_off_wins() {
    let d = desk(|config, _, _| config.webhooks.targets.clear()).await;
    let admin = admin_token(&d).await;
    let prefs = d.preferences(&admin, json!({"shift_report_email": true})).await;
    assert_eq!(prefs["shift_report_email"], true);
    // E-mail off means no e-mail at all, the report included.
    d.preferences(&d.manager, json!({"email_notifications": false})).await;
    // An operator's choice is stored but never used: operators supervise nothing.
    d.preferences(&d.operator, json!({"shift_report_email": true})).await;

    let path = format!("/api/v1/checklists/instances/{}/force-close", d.instance_id());
    let (status, body) = d.srv.post(&path, &admin, json!({"reason": "Night batch overran; closing for audit"})).await;
    assert_eq!(status, 200, "{body}");
    let rows = d.report_rows().await;
    let to: Vec<&str> = rows.iter().filter_map(|r| r.payload["to"].as_str()).collect();
    assert_eq!(to, ["root.admin@test.local"]);
    d.deliver().await;
    let mail = &d.reports_to("root.admin@test.local")[0];
    assert!(mail.text().contains("force-closed by root.admin"), "{}", mail.text());
    assert_eq!(mail.attachment("application/pdf").unwrap().filename().as_deref(), Some(MORNING_PDF));
}

#[tokio::test]
async fn a_report_that_cannot_be_rendered_still_mails_and_says_where_to_get_it() {
    let d = desk(|config, _, _| config.webhooks.targets.clear()).await;
    d.finish_items(0).await;
    assert_eq!(d.sign_off(&d.manager).await.0, 200);
    assert_eq!(d.report_rows().await.len(), 1);
    // The checklist is gone by the time the outbox sends.
    let admin = admin_token(&d).await;
    let (status, body) = d.srv.delete(&format!("/api/v1/checklists/instances/{}", d.instance_id()), &admin).await;
    assert_eq!(status, 200, "{body}");

    d.deliver().await;
    let mails = d.reports_to("mia.manager@test.local");
    assert_eq!(mails.len(), 1);
    assert!(mails[0].attachment("application/pdf").is_none());
    assert!(mails[0].text().contains(REPORT_NOT_ATTACHED), "{}", mails[0].text());
    assert!(mails[0].html().contains("download it from the checklist page"), "{}", mails[0].html());
    let row = &d.report_rows().await[0];
    assert_eq!((*row.status, row.attempts), (OutboxStatus::Sent, 1));
}

#[tokio::test]
async fn the_stale_job_mails_the_incomplete_record() {
    let d = desk(|config, _, _| config.webhooks.targets.clear()).await;
    d.act(0, "COMPLETED", "").await;
    // The MORNING shift ends at 15:00; two hours later it is closed as INCOMPLETE.
    d.clock.set(Utc.with_ymd_and_hms(2026, 11, 25, 17, 1, 0).unwrap());
    assert_eq!(d.srv.app.run_job(Job::StaleShifts).await.unwrap(), Some(1));
    assert_eq!(d.srv.app.run_job(Job::StaleShifts).await.unwrap(), Some(0));
    let rows = d.report_rows().await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    d.deliver().await;
    let mail = &d.reports_to("mia.manager@test.local")[0];
    assert!(mail.subject().contains("Incomplete"), "{}", mail.subject());
    assert!(mail.text().contains("25% of 4 items completed"), "{}", mail.text());
    // Nobody signed it: the record says the system closed it, and when, not "signed off".
    let pdf = Pdf::new(&mail.attachment("application/pdf").unwrap().bytes);
    let text = pdf.text();
    let review = text.split("Review and Sign-off").nth(1).unwrap();
    let line = |label: &str| review.lines().find(|l| l.trim_start().starts_with(label)).unwrap_or_default().to_owned();
    assert!(line("Reviewed by").contains("Nobody: SentinelOps closed it when the shift ended unsigned"), "{review}");
    assert!(line("Closed at").contains("25 Nov 2026 17:01"), "{review}");
    assert!(text.contains("Closed At"), "the summary says closed, not reviewed: {text}");
    assert!(!review.contains("Signed off at"), "{review}");
}

#[tokio::test]
async fn the_daily_digest_goes_once_to_each_manager_who_opted_in() {
    let d = desk(|config, _, _| config.webhooks.targets.clear()).await;
    let section = Uuid::parse_str(&d.section).unwrap();
    let (_, other_manager) = d.srv.user_with_token("nia.manager", "manager", Some(section)).await;
    let prefs = d.preferences(&d.manager, json!({"daily_digest_email": true})).await;
    assert_eq!(prefs["daily_digest_email"], true);
    let (_, prefs) = d.srv.get("/api/v1/notifications/preferences", &other_manager).await;
    assert_eq!(prefs["daily_digest_email"], false, "off by default");

    // MORNING: one failed item (carried over as an open handover note), one skipped, signed off.
    d.act(0, "FAILED", "Disk at 97%").await;
    d.act(1, "SKIPPED", "Vendor window").await;
    d.finish_items(2).await;
    assert_eq!(d.sign_off(&d.manager).await.0, 200);
    // AFTERNOON: opened and left alone, so the stale-shift job closes it INCOMPLETE.
    let (status, body) = d
        .srv
        .post(
            "/api/v1/checklists/instances",
            &d.operator,
            json!({"shift": "AFTERNOON", "checklist_date": "2026-11-25"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let afternoon = body["instance"]["id"].as_str().unwrap().to_owned();

    // The day's last shift (NIGHT) ends 07:00 next day; the digest waits the 2 h grace too.
    d.clock.set(Utc.with_ymd_and_hms(2026, 11, 26, 8, 59, 0).unwrap());
    assert_eq!(d.srv.app.run_job(Job::StaleShifts).await.unwrap(), Some(1));
    assert_eq!(d.srv.app.run_job(Job::DailyDigest).await.unwrap(), Some(0), "not due yet");

    d.clock.advance(Duration::minutes(31));
    let mut other = TestServer::start_on(
        d.srv.database().clone(),
        Options { clock: Some(d.clock.clone()), config: Some(d.srv.app.config.as_ref().clone()), ..Default::default() },
    )
    .await;
    let (a, b) = tokio::join!(d.srv.app.run_job(Job::DailyDigest), other.app.run_job(Job::DailyDigest));
    let queued = a.unwrap().unwrap_or(0) + b.unwrap().unwrap_or(0);
    assert_eq!(queued, 1, "one digest, whichever instance ran");
    assert_eq!(d.srv.app.run_job(Job::DailyDigest).await.unwrap(), Some(0), "and never twice");
    other.stop().await;

    let digests: Vec<OutboxRow> = d
        .rows("email")
        .await
        .into_iter()
        .filter(|r| r.dedupe_key.as_deref().is_some_and(|k| k.starts_with("daily_digest:")))
        .collect();
    assert_eq!(digests.len(), 1, "{digests:?}");
    d.deliver().await;
    let mails: Vec<ReceivedMail> = d
        .smtp
        .mailbox("mia.manager@test.local")
        .into_iter()
        .filter(|m| m.subject().contains("Daily shift digest"))
        .collect();
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(mail.subject(), "SentinelOps | Daily shift digest - 2026-11-25");
    let text = mail.text();
    assert!(
        text.contains(
            "Checklists: 2 | Signed off: 1 | Incomplete: 1 | Still open: 0 | Exceptions: 2 | Open handovers: 1"
        ),
        "{text}"
    );
    assert!(text.contains("COMPLETED_WITH_EXCEPTIONS") && text.contains("signed off by mia.manager"), "{text}");
    assert!(text.contains("INCOMPLETE"), "{text}");
    let html = mail.html();
    for id in [d.instance_id(), afternoon.as_str()] {
        assert!(html.contains(&format!("href=\"https://ops.test.local/checklists/{id}\"")), "{html}");
    }
    assert!(
        !d.smtp.mailbox("nia.manager@test.local").iter().any(|m| m.subject().contains("Daily shift digest")),
        "a manager who did not opt in"
    );
    assert!(!d.smtp.mailbox("root.admin@test.local").iter().any(|m| m.subject().contains("Daily shift digest")));
}
