//! PDF reports (issue 19): the original frontend's PDF button (`/api/pdf/generate` then
//! `/api/pdf/download/{id}`) gets a true record of the shift, read back with poppler;
//! the period report for managers; the UI's downloads; and auth and section scoping on
//! every report path.

use reqwest::StatusCode;
use sentinelops_testkit::TestServer;
use sentinelops_testkit::pdf::Pdf;
use sentinelops_testkit::ui::UiSession;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::admin;

const FILENAME: &str = "SentinelOps_Morning_Shift_25_11_2026.pdf";
const INSTANCES: &str = "/api/v1/checklists/instances";

/// "ICT Operations" (manager max, operator olu renamed Тендай Мойо) with a checklist
/// of three items worked to exceptions, a note handed on, signed off, reopened with a
/// reason and force-closed; "Helpdesk" beside it (manager hana, operator otto).
struct Shift {
    srv: TestServer,
    admin: String,
    manager: String,
    operator: String,
    outsider: String,
    outside_manager: String,
    ict: Uuid,
    checklist: String,
}

impl Shift {
    async fn new() -> Shift {
        let srv = TestServer::start().await;
        let (_, admin) = admin(&srv).await;
        let ict = srv.create_section("ICT Operations").await;
        let helpdesk = srv.create_section("Helpdesk").await;
        let (_, manager) = srv.user_with_token("max", "manager", Some(ict)).await;
        let (olu, operator) = srv.user_with_token("olu", "user", Some(ict)).await;
        let (_, outsider) = srv.user_with_token("otto", "user", Some(helpdesk)).await;
        let (_, outside_manager) = srv.user_with_token("hana", "manager", Some(helpdesk)).await;
        let rename = json!({"first_name": "Тендай", "last_name": "Мойо"});
        let (status, body) = srv.patch(&format!("/api/v1/users/{}", olu["id"].as_str().unwrap()), &admin, rename).await;
        assert_eq!(status, 200, "{body}");

        let items = json!([
            {"title": "Backups", "severity": 5, "sort_order": 1, "has_exe_time": true,
             "subitems": [{"title": "Tape"}, {"title": "Disk"}]},
            {"title": "Printers", "severity": 1, "sort_order": 2},
            {"title": "Firewall", "severity": 4, "sort_order": 3},
        ]);
        let body = json!({"name": "Morning ops", "shift": "MORNING", "section_id": ict, "items": items});
        let (status, answer) = srv.post("/api/v1/checklists/templates", &admin, body).await;
        assert_eq!(status, 200, "{answer}");
        let body = json!({"shift": "MORNING", "checklist_date": "2026-11-25"});
        let (status, view) = srv.post(INSTANCES, &operator, body).await;
        assert_eq!(status, 200, "{view}");
        let view = view["instance"].clone();
        let id = view["id"].as_str().unwrap().to_owned();
        let item = |i: usize| format!("{INSTANCES}/{id}/items/{}", view["items"][i]["id"].as_str().unwrap());
        let sub =
            |s: usize| format!("{}/subitems/{}", item(0), view["items"][0]["subitems"][s]["id"].as_str().unwrap());

        let steps = [
            (sub(0), json!({"status": "FAILED", "reason": "Mount missing"})),
            (sub(1), json!({"status": "COMPLETED"})),
            (item(0), json!({"status": "COMPLETED", "final_verdict": "Restored from disk"})),
            (item(1), json!({"status": "SKIPPED", "reason": "Vendor down"})),
            (item(2), json!({"status": "FAILED", "reason": "Rule push failed"})),
        ];
        for (path, body) in steps {
            let (status, answer) = srv.patch(&path, &operator, body).await;
            assert_eq!(status, 200, "{path}: {answer}");
        }
        let note = json!({"content": "Firewall rule push still pending", "priority": 3, "from_instance_id": id});
        let (status, answer) = srv.post("/api/v1/checklists/handover-notes", &operator, note).await;
        assert_eq!(status, 200, "{answer}");

        let (status, answer) =
            srv.post(&format!("{INSTANCES}/{id}/complete"), &manager, json!({"comment": "Reviewed"})).await;
        assert_eq!(status, 200, "{answer}");
        let reopen = json!({"reason": "Recheck the firewall push"});
        let (status, answer) = srv.post(&format!("{INSTANCES}/{id}/reopen"), &manager, reopen).await;
        assert_eq!(status, 200, "{answer}");
        let close = json!({"reason": "Closing for the audit trail"});
        let (status, answer) = srv.post(&format!("{INSTANCES}/{id}/force-close"), &manager, close).await;
        assert_eq!(status, 200, "{answer}");
        assert_eq!(answer["instance"]["status"], "COMPLETED_WITH_EXCEPTIONS", "{answer}");

        Shift { srv, admin, manager, operator, outsider, outside_manager, ict, checklist: id }
    }

    /// (status, headers, body) of a GET with `token` (none when empty).
    async fn get(&self, path: &str, token: &str) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
        let mut request = self.srv.client.get(self.srv.url(path));
        if !token.is_empty() {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let (status, headers) = (response.status(), response.headers().clone());
        (status, headers, response.bytes().await.unwrap().to_vec())
    }

    async fn pdf(&self, path: &str, token: &str) -> (reqwest::header::HeaderMap, Pdf) {
        let (status, headers, body) = self.get(path, token).await;
        assert_eq!(status, 200, "{path}: {}", String::from_utf8_lossy(&body));
        assert_eq!(headers["content-type"], "application/pdf");
        (headers, Pdf::new(&body))
    }
}

fn header<'a>(headers: &'a reqwest::header::HeaderMap, name: &str) -> &'a str {
    headers.get(name).map(|v| v.to_str().unwrap()).unwrap_or_default()
}

#[tokio::test]
async fn the_original_pdf_button_downloads_a_true_record_of_the_shift() {
    let s = Shift::new().await;
    // The frontend's two calls: generate (JSON), then download (bytes).
    let (status, generated) = s
        .srv
        .post("/api/pdf/generate", &s.operator, json!({"instance_id": s.checklist, "include_summary": true}))
        .await;
    assert_eq!(status, 200, "{generated}");
    assert_eq!(generated["success"], true);
    assert_eq!(generated["message"], "PDF generated successfully");
    assert_eq!(generated["filename"], FILENAME);
    let size = generated["size_bytes"].as_u64().unwrap();

    let (headers, pdf) = s.pdf(&format!("/api/pdf/download/{}", s.checklist), &s.operator).await;
    assert_eq!(header(&headers, "content-disposition"), format!("attachment; filename=\"{FILENAME}\""));
    assert_eq!(header(&headers, "cache-control"), "no-cache, no-store, must-revalidate");
    assert_eq!(header(&headers, "pragma"), "no-cache");
    assert_eq!(header(&headers, "expires"), "0");
    assert_eq!(header(&headers, "access-control-expose-headers"), "Content-Disposition, Content-Length");
    assert_eq!(header(&headers, "content-length"), size.to_string(), "the download is the PDF /generate made");
    assert!(size < 1_000_000, "a shift record stays small: {size} bytes");

    let words = pdf.words();
    for expected in [
        "CHECKLIST OPERATIONAL RECORD",
        "Morning ops",
        "ICT Operations",
        "25 Nov 2026",
        "COMPLETED WITH EXCEPTIONS",
        // Counted from the items: one skipped and one failed (the original printed 0).
        "Morning shift recorded 1 completed item out of 3.",
        "Exceptions captured: 2 (1 skipped, 1 failed).",
        "Review outcome: Completed With Exceptions.",
        "1. Backups",
        "2. Printers",
        "3. Firewall",
        "Tape",
        "Failed: Mount missing",
        "Skipped: Vendor down",
        "Failed: Rule push failed",
        "Restored from disk",
        "REOPEN",
        "Recheck the firewall push",
        "FORCE_CLOSE",
        "Closing for the audit trail",
        "Firewall rule push still pending",
        "Тендай Мойо",
        "max Tester",
        "Signature of the reviewer",
        // Each step says who moved it and when; a timed one how long it took.
        "By Тендай Мойо · ",
        "Subitems completed: 1 of 2 (1 skipped or failed).",
        // The trail of every move, the overrides, the handover, the signature.
        "Activity Trail",
        "Backups › Tape",
        "Supervisor Overrides",
        "Handover Notes Passed On",
        "Handover Notes Received No notes were handed to this shift.",
        "Review and Sign-off",
    ] {
        assert!(words.contains(expected), "the report lacks {expected:?}:\n{}", pdf.text());
    }
    // Backups tracks its execution time: whole seconds on the real clock ("0s", "1s" on a slow machine).
    let execution = words.split("Execution time ").nth(1).unwrap_or_else(|| panic!("no execution time: {words}"));
    assert!(
        execution
            .split_whitespace()
            .next()
            .is_some_and(|t| t.ends_with('s') && t.trim_end_matches('s').parse::<u32>().is_ok()),
        "{execution}"
    );
    let trail = words.split("Activity Trail").nth(1).unwrap().split("Supervisor Overrides").next().unwrap();
    for action in ["FAILED", "COMPLETED", "SKIPPED", "Mount missing", "Rule push failed"] {
        assert!(trail.contains(action), "the trail lacks {action:?}: {trail}");
    }
    let text = pdf.text();
    let review = text.split("Review and Sign-off").nth(1).unwrap();
    let line = |label: &str| review.lines().find(|l| l.trim_start().starts_with(label)).unwrap_or_default().to_owned();
    assert!(line("Reviewed by").contains("max Tester"), "{review}");
    let signed = line("Signed off at");
    assert!(
        is_local_time(signed.trim().trim_start_matches("Signed off at").trim()),
        "a time, not \"Awaiting closeout\": {review}"
    );
    let cover = pdf.text().split('\u{c}').next().unwrap().to_owned();
    assert!(!cover.contains("1. Backups"), "the items start after the cover:\n{cover}");
    assert_eq!(pdf.pages(), 3, "the cover, then the items, trail, overrides, notes and signature over two more");
    assert!(pdf.page_size().ends_with("(A4)"), "{}", pdf.page_size());
    pdf.keep(&sentinelops_testkit::artifact_dir("report-pages").join("shift-report"));

    // Preview: the same record, shown inline.
    let (headers, _) = s.pdf(&format!("/api/pdf/preview/{}", s.checklist), &s.manager).await;
    assert_eq!(header(&headers, "content-disposition"), format!("inline; filename=\"{FILENAME}\""));
    // Our own path.
    let (headers, pdf) = s.pdf(&format!("{INSTANCES}/{}/report.pdf", s.checklist), &s.admin).await;
    assert_eq!(header(&headers, "content-disposition"), format!("attachment; filename=\"{FILENAME}\""));
    assert!(pdf.words().contains("Тендай Мойо"));
}

#[tokio::test]
async fn a_frontend_on_another_origin_can_read_the_files_name_and_length() {
    // The original frontend may be served from its own origin: CORS must expose both headers.
    let web = sentinelops_web::WebConfig {
        cors_origins: vec!["http://frontend.test".to_owned()],
        ..sentinelops_web::WebConfig::default()
    };
    let srv = TestServer::start_with(sentinelops_testkit::Options { web: Some(web), ..Default::default() }).await;
    let (_, admin) = admin(&srv).await;
    let section = srv.create_section("ICT Operations").await;
    let body = json!({"name": "Morning ops", "shift": "MORNING", "section_id": section, "items": [{"title": "Check"}]});
    assert_eq!(srv.post("/api/v1/checklists/templates", &admin, body).await.0, 200);
    let (_, operator) = srv.user_with_token("olu", "user", Some(section)).await;
    let (status, view) =
        srv.post(INSTANCES, &operator, json!({"shift": "MORNING", "checklist_date": "2026-11-25"})).await;
    assert_eq!(status, 200, "{view}");
    let path = format!("/api/pdf/download/{}", view["instance"]["id"].as_str().unwrap());
    let response = srv
        .client
        .get(srv.url(&path))
        .bearer_auth(&operator)
        .header("Origin", "http://frontend.test")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(header(response.headers(), "access-control-allow-origin"), "http://frontend.test");
    let exposed = header(response.headers(), "access-control-expose-headers").to_ascii_lowercase();
    assert!(exposed.contains("content-disposition") && exposed.contains("content-length"), "{exposed}");
}

#[tokio::test]
async fn the_next_shifts_record_lists_the_notes_it_received() {
    let s = Shift::new().await;
    // The section also runs afternoons: a note from the morning now reaches that checklist.
    let items = json!([{"title": "Patch window", "sort_order": 1}]);
    let body = json!({"name": "Afternoon ops", "shift": "AFTERNOON", "section_id": s.ict, "items": items});
    let (status, answer) = s.srv.post("/api/v1/checklists/templates", &s.admin, body).await;
    assert_eq!(status, 200, "{answer}");
    let body = json!({"shift": "AFTERNOON", "checklist_date": "2026-11-25"});
    let (status, view) = s.srv.post(INSTANCES, &s.operator, body).await;
    assert_eq!(status, 200, "{view}");
    let afternoon = view["instance"]["id"].as_str().unwrap().to_owned();
    let note = json!({"content": "Ring the vendor about the printers", "priority": 4, "from_instance_id": s.checklist});
    let (status, answer) = s.srv.post("/api/v1/checklists/handover-notes", &s.operator, note).await;
    assert_eq!(status, 200, "{answer}");

    let (_, pdf) = s.pdf(&format!("{INSTANCES}/{afternoon}/report.pdf"), &s.operator).await;
    let words = pdf.words();
    let received = words.split("Handover Notes Received").nth(1).unwrap();
    let received = received.split("Handover Notes Passed On").next().unwrap();
    for expected in ["Ring the vendor about the printers", "Тендай Мойо", "From Morning shift, 25 Nov 2026"] {
        assert!(received.contains(expected), "the afternoon received {expected:?}: {received}");
    }
    assert!(!received.contains("Firewall rule push still pending"), "that note was written before the afternoon ran");
    // And the morning's record says where it went.
    let (_, pdf) = s.pdf(&format!("{INSTANCES}/{}/report.pdf", s.checklist), &s.manager).await;
    let words = pdf.words();
    let passed = words.split("Handover Notes Passed On").nth(1).unwrap();
    assert!(passed.contains("Ring the vendor about the printers"), "{passed}");
    assert!(passed.contains("To Afternoon shift, 25 Nov 2026"), "{passed}");
}

#[tokio::test]
async fn every_report_path_needs_a_session_and_keeps_to_the_section() {
    let s = Shift::new().await;
    let id = &s.checklist;
    let paths = [
        format!("/api/pdf/download/{id}"),
        format!("/api/pdf/preview/{id}"),
        format!("{INSTANCES}/{id}/report.pdf"),
        format!("/api/v1/reports/period.pdf?section_id={}&period=week&start=2026-11-23", s.ict),
    ];
    for path in &paths {
        let (status, _, _) = s.get(path, "").await;
        assert_eq!(status, 401, "{path} without a session");
        let (status, _, body) = s.get(path, &s.outsider).await;
        assert_eq!(status, 403, "{path} from another section: {}", String::from_utf8_lossy(&body));
    }
    let generate = json!({"instance_id": id});
    let (status, _) = s.srv.call(reqwest::Method::POST, "/api/pdf/generate", None, Some(generate.clone())).await;
    assert_eq!(status, 401);
    let (status, _) = s.srv.post("/api/pdf/generate", &s.outsider, generate).await;
    assert_eq!(status, 403);

    // Unknown and malformed ids, bad bodies: 404 and 422, never 500.
    let unknown = Uuid::new_v4();
    for path in [format!("/api/pdf/download/{unknown}"), format!("{INSTANCES}/{unknown}/report.pdf")] {
        let (status, _, body) = s.get(&path, &s.admin).await;
        assert_eq!(status, 404, "{path}");
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["detail"], "Checklist instance not found");
    }
    let (status, _, _) = s.get("/api/pdf/download/not-a-uuid", &s.admin).await;
    assert_eq!(status, 422);
    for body in [json!({}), json!({"instance_id": "nope"}), json!({"instance_id": 7})] {
        let (status, answer) = s.srv.post("/api/pdf/generate", &s.admin, body.clone()).await;
        assert_eq!(status, 422, "{body}: {answer}");
    }
    let (status, answer) = s.srv.post("/api/pdf/generate", &s.admin, json!({"instance_id": unknown})).await;
    assert_eq!(status, 404, "{answer}");

    // The period report is for managers of the section and admins.
    let period = |section: Uuid, rest: &str| format!("/api/v1/reports/period.pdf?section_id={section}&{rest}");
    let week = period(s.ict, "period=week&start=2026-11-23");
    assert_eq!(s.get(&week, &s.operator).await.0, 403, "operators do not get the period report");
    assert_eq!(s.get(&week, &s.outside_manager).await.0, 403, "nor managers of another section");
    assert_eq!(s.get(&week, &s.manager).await.0, 200);
    assert_eq!(s.get(&period(Uuid::new_v4(), "period=week&start=2026-11-23"), &s.admin).await.0, 404);
    for rest in [
        "period=year&start=2026-11-23",
        "period=week&start=23/11/2026",
        "period=week",
        "start=2026-11-23",
        "period=month&start=1900-01-01",
    ] {
        assert_eq!(s.get(&period(s.ict, rest), &s.admin).await.0, 422, "{rest}");
    }
    assert_eq!(s.get("/api/v1/reports/period.pdf?section_id=x&period=week&start=2026-11-23", &s.admin).await.0, 422);
}

#[tokio::test]
async fn a_manager_gets_the_sections_week_and_month_as_one_pdf() {
    let s = Shift::new().await;
    let week = format!("/api/v1/reports/period.pdf?section_id={}&period=week&start=2026-11-23", s.ict);
    let (headers, pdf) = s.pdf(&week, &s.manager).await;
    assert_eq!(
        header(&headers, "content-disposition"),
        "attachment; filename=\"SentinelOps_ICT_Operations_Week_2026_11_23.pdf\""
    );
    let words = pdf.words();
    for expected in [
        "ICT Operations",
        "Week of 23 Nov 2026",
        "23 Nov 2026 – 29 Nov 2026",
        // One morning of seven covered (the section runs mornings only).
        "1 of 7",
        // 1 of 3 items completed, 2 exceptions.
        "33.3 %",
        "66.7 %",
        "Wed 25 Nov",
        "COMPLETED WITH EXCEPTIONS",
        "No checklist",
        "Vendor down",
        "Rule push failed",
        // A failed subitem is listed under its item.
        "Backups › Tape",
        "Mount missing",
        "Тендай Мойо",
        // Handed on and never resolved: still open at the end of the week.
        "Firewall rule push still pending",
    ] {
        assert!(words.contains(expected), "the week lacks {expected:?}:\n{}", pdf.text());
    }
    pdf.keep(&sentinelops_testkit::artifact_dir("report-pages").join("period-week"));

    let month = format!("/api/v1/reports/period.pdf?section_id={}&period=month&start=2026-11-10", s.ict);
    let (_, pdf) = s.pdf(&month, &s.admin).await;
    let words = pdf.words();
    for expected in ["November 2026", "01 Nov 2026 – 30 Nov 2026", "1 of 30", "Mon 30 Nov"] {
        assert!(words.contains(expected), "the month lacks {expected:?}:\n{}", pdf.text());
    }
    // A week with no checklist at all still reads well.
    let empty = format!("/api/v1/reports/period.pdf?section_id={}&period=week&start=2026-12-07", s.ict);
    let (_, pdf) = s.pdf(&empty, &s.manager).await;
    assert!(pdf.words().contains("0 of 7"), "{}", pdf.text());
}

#[tokio::test]
async fn the_ui_offers_the_checklists_pdf_and_the_period_report() {
    let s = Shift::new().await;
    let operator = UiSession::with_token(&s.srv, &s.operator).await;
    let page = operator.page(&format!("/ui/checklists/{}", s.checklist)).await;
    let link = format!("href=\"/ui/checklists/{}/report.pdf\"", s.checklist);
    assert!(page.contains(&link), "the checklist page has a Download PDF action");
    let response = operator.get(&format!("/ui/checklists/{}/report.pdf", s.checklist)).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-disposition"], format!("attachment; filename=\"{FILENAME}\"").as_str());
    assert!(Pdf::new(&response.bytes().await.unwrap()).words().contains("Morning ops"));

    let outsider = UiSession::with_token(&s.srv, &s.outsider).await;
    let response = outsider.get(&format!("/ui/checklists/{}/report.pdf", s.checklist)).await;
    assert_eq!(response.status(), 403);

    let manager = UiSession::with_token(&s.srv, &s.manager).await;
    let query = format!("section_id={}&period=month&start=2026-11-01", s.ict);
    let response = manager.get(&format!("/ui/reports/period.pdf?{query}")).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        header(response.headers(), "content-disposition"),
        "attachment; filename=\"SentinelOps_ICT_Operations_Month_2026_11_01.pdf\""
    );
    assert!(Pdf::new(&response.bytes().await.unwrap()).words().contains("November 2026"));
    let response = manager.get("/ui/reports/period.pdf?section_id=&period=month&start=2026-11-01").await;
    assert_eq!(response.status(), 422);
    let response = operator.get(&format!("/ui/reports/period.pdf?{query}")).await;
    assert_eq!(response.status(), 403, "operators do not get the period report");
}

#[tokio::test]
async fn the_original_data_endpoint_answers_the_reports_facts() {
    let s = Shift::new().await;
    let (status, answer) = s.srv.get(&format!("/api/pdf/instances/{}/data", s.checklist), &s.operator).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["success"], true);
    let data = &answer["data"];
    assert_eq!(data["instance_id"], s.checklist.as_str());
    assert_eq!(data["shift"], "MORNING");
    assert_eq!(data["checklist_date"], "2026-11-25");
    assert_eq!(data["instance_status"], "COMPLETED_WITH_EXCEPTIONS");
    assert_eq!(data["exception_count"], 2, "counted from the items");
    assert_eq!(data["section_name"], "ICT Operations");
    assert_eq!(data["closed_by_name"], "max Tester");
    assert_eq!(data["download_filename"], FILENAME);
    assert_eq!(
        data["summary_statistics"],
        json!({"total_items": 3, "completed_items": 1, "pending_items": 0, "skipped_items": 1, "failed_items": 1,
               "total_subitems": 2, "completed_subitems": 1})
    );
    let titles: Vec<&str> =
        data["items_data"].as_array().unwrap().iter().map(|i| i["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["Backups", "Printers", "Firewall"]);
    assert_eq!(data["items_data"][1]["skipped_reason"], "Vendor down");
    assert_eq!(data["items_data"][0]["subitems"][0]["failure_reason"], "Mount missing");
    assert_eq!(data["items_data"][0]["completed_by_name"], "Тендай Мойо");
    assert_eq!(data["completed_by_summary"], "Тендай Мойо");
    assert_eq!(data["handover_notes"][0]["note"], "Firewall rule push still pending");
    assert_eq!(data["handover_notes"][0]["created_by"], "Тендай Мойо");

    let (status, _) = s.srv.get(&format!("/api/pdf/instances/{}/data", s.checklist), &s.outsider).await;
    assert_eq!(status, 403);
    let (status, _) = s.srv.get("/api/pdf/instances/nope/data", &s.admin).await;
    assert_eq!(status, 422);
}

/// "06 Dec 2026 07:15": how the reports print a time.
fn is_local_time(text: &str) -> bool {
    chrono::NaiveDateTime::parse_from_str(text, "%d %b %Y %H:%M").is_ok()
}
