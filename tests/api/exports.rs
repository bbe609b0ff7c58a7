//! Exports (issue 19): the checklist export as CSV and Excel (read back with calamine),
//! the leaderboard export, the streamed audit exports past the old 100,000-row cap,
//! formula neutralisation, scoping, auth and bad filters, and the Reports page.

use std::collections::HashSet;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use chrono::{Duration, TimeZone, Utc};
use reqwest::StatusCode;
use sentinelops_store::entity::auth_events;
use sentinelops_store::repo::rows::insert_all_chunked;
use sentinelops_testkit::TestServer;
use sentinelops_testkit::ui::UiSession;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::admin;

const CHECKLIST_HEADER: &str = "checklist_id,date,shift,section,template,checklist_status,item,subitem,severity,status,by,at_business_time,at_iso,skipped_reason,failure_reason,verdict,verdict_by,overrides";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const RANGE: &str = "from=2026-11-01&to=2026-11-30";

/// Two sections: "ICT Operations" (manager max, operators olu and ada) with a worked
/// checklist of three items (the first titled like a formula, started by ada and skipped
/// by olu; the second with two subitems), and "Helpdesk" (operator otto) with a one-item
/// checklist.
struct Floor {
    srv: TestServer,
    admin: String,
    manager: String,
    operator: String,
    outsider: String,
    helpdesk: Uuid,
    ict_checklist: String,
    helpdesk_checklist: String,
}

async fn template(srv: &TestServer, admin: &str, section: Uuid, items: Value) {
    let body = json!({"name": "Morning ops", "shift": "MORNING", "section_id": section, "items": items});
    let (status, answer) = srv.post("/api/v1/checklists/templates", admin, body).await;
    assert_eq!(status, 200, "{answer}");
}

async fn checklist(srv: &TestServer, token: &str) -> Value {
    let body = json!({"shift": "MORNING", "checklist_date": "2026-11-25"});
    let (status, answer) = srv.post("/api/v1/checklists/instances", token, body).await;
    assert_eq!(status, 200, "{answer}");
    answer["instance"].clone()
}

impl Floor {
    async fn new() -> Floor {
        let srv = TestServer::start().await;
        let (_, admin) = admin(&srv).await;
        let ict = srv.create_section("ICT Operations").await;
        let helpdesk = srv.create_section("Helpdesk").await;
        let (_, manager) = srv.user_with_token("max", "manager", Some(ict)).await;
        let (_, operator) = srv.user_with_token("olu", "user", Some(ict)).await;
        let (_, outsider) = srv.user_with_token("otto", "user", Some(helpdesk)).await;
        let (_, starter) = srv.user_with_token("ada", "user", Some(ict)).await;
        let items = json!([
            {"title": "=HYPERLINK(\"http://evil.example\",\"x\")", "severity": 2, "sort_order": 1},
            {"title": "Backups", "severity": 5, "sort_order": 2, "subitems": [{"title": "Tape"}, {"title": "Disk"}]},
            {"title": "Printers", "severity": 1, "sort_order": 3},
        ]);
        template(&srv, &admin, ict, items).await;
        template(&srv, &admin, helpdesk, json!([{"title": "Phones"}])).await;
        let ict_view = checklist(&srv, &operator).await;
        let helpdesk_view = checklist(&srv, &outsider).await;

        let id = ict_view["id"].as_str().unwrap().to_owned();
        let item = |i: usize| ict_view["items"][i]["id"].as_str().unwrap().to_owned();
        let item_path = |i: usize| format!("/api/v1/checklists/instances/{id}/items/{}", item(i));
        let sub_path = |s: usize| {
            format!("{}/subitems/{}", item_path(1), ict_view["items"][1]["subitems"][s]["id"].as_str().unwrap())
        };
        let (status, body) = srv.patch(&item_path(0), &starter, json!({"status": "IN_PROGRESS"})).await;
        assert_eq!(status, 200, "{body}");
        let (status, body) =
            srv.patch(&item_path(0), &operator, json!({"status": "SKIPPED", "reason": "-vendor down"})).await;
        assert_eq!(status, 200, "{body}");
        let (status, body) =
            srv.patch(&sub_path(0), &operator, json!({"status": "FAILED", "reason": "Mount missing"})).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(srv.patch(&sub_path(1), &operator, json!({"status": "COMPLETED"})).await.0, 200);
        let (status, body) = srv
            .patch(&item_path(1), &operator, json!({"status": "COMPLETED", "final_verdict": "Restored from disk"}))
            .await;
        assert_eq!(status, 200, "{body}");
        let path = format!("/api/v1/checklists/instances/{id}/one-time-completion");
        let (status, body) = srv.post(&path, &manager, json!({"comment": "Handed over early"})).await;
        assert_eq!(status, 200, "{body}");

        Floor {
            admin,
            manager,
            operator,
            outsider,
            helpdesk,
            ict_checklist: id,
            helpdesk_checklist: helpdesk_view["id"].as_str().unwrap().to_owned(),
            srv,
        }
    }

    async fn download(&self, path: &str, token: &str) -> (StatusCode, String, Vec<u8>) {
        let mut request = self.srv.client.get(self.srv.url(path));
        if !token.is_empty() {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let content_type =
            response.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        (status, content_type, response.bytes().await.unwrap().to_vec())
    }

    async fn leaderboard(&self, query: &str, token: &str) -> (StatusCode, String, Vec<u8>) {
        self.download(&format!("/api/v1/reports/leaderboard.csv?{query}"), token).await
    }

    /// The CSV's records (header first), parsed.
    async fn csv(&self, query: &str, token: &str) -> Vec<Vec<String>> {
        let (status, content_type, body) =
            self.download(&format!("/api/v1/reports/checklists.csv?{query}"), token).await;
        assert_eq!(status, 200, "{query}: {}", String::from_utf8_lossy(&body));
        assert!(content_type.starts_with("text/csv"), "{content_type}");
        records(&body)
    }
}

fn records(body: &[u8]) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

fn column(header: &[String], name: &str) -> usize {
    header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"))
}

#[tokio::test]
async fn checklist_csv_has_a_row_per_item_and_subitem_scoped_by_section() {
    let f = Floor::new().await;
    let all = f.csv(RANGE, &f.admin).await;
    assert_eq!(all[0].join(","), CHECKLIST_HEADER);
    let h = &all[0];
    let rows = &all[1..];
    assert_eq!(rows.len(), 6, "3 items + 2 subitems in ICT, 1 item in Helpdesk: {rows:?}");
    let ict: Vec<&Vec<String>> = rows.iter().filter(|r| r[column(h, "checklist_id")] == f.ict_checklist).collect();
    assert_eq!(ict.len(), 5);
    let cell = |row: &Vec<String>, name: &str| row[column(h, name)].clone();
    let by_item: Vec<(String, String, String)> =
        ict.iter().map(|r| (cell(r, "item"), cell(r, "subitem"), cell(r, "status"))).collect();
    assert_eq!(
        by_item,
        [
            ("'=HYPERLINK(\"http://evil.example\",\"x\")".to_owned(), String::new(), "SKIPPED".to_owned()),
            ("Backups".to_owned(), String::new(), "COMPLETED".to_owned()),
            ("Backups".to_owned(), "Tape".to_owned(), "FAILED".to_owned()),
            ("Backups".to_owned(), "Disk".to_owned(), "COMPLETED".to_owned()),
            ("Printers".to_owned(), String::new(), "COMPLETED".to_owned()),
        ],
        "formulas neutralised, items in order, subitems under their item"
    );
    let skipped = ict[0];
    assert_eq!(cell(skipped, "skipped_reason"), "'-vendor down", "a reason starting with - is neutralised");
    assert_eq!(cell(skipped, "by"), "olu Tester", "who skipped it, not ada who started it");
    assert_eq!(cell(skipped, "date"), "2026-11-25");
    assert_eq!(cell(skipped, "shift"), "MORNING");
    assert_eq!(cell(skipped, "section"), "ICT Operations");
    assert_eq!(cell(skipped, "severity"), "2");
    assert_eq!(cell(skipped, "checklist_status"), "PENDING_REVIEW");
    assert!(chrono::DateTime::parse_from_rfc3339(&cell(skipped, "at_iso")).is_ok());
    assert_eq!(cell(skipped, "at_business_time").len(), "2026-11-25 08:00:00".len());
    assert!(cell(skipped, "overrides").starts_with("ONE_TIME_COMPLETION"), "{}", cell(skipped, "overrides"));
    let backups = ict[1];
    assert_eq!(
        (cell(backups, "verdict"), cell(backups, "verdict_by")),
        ("Restored from disk".into(), "olu Tester".into())
    );
    assert_eq!(cell(ict[2], "failure_reason"), "Mount missing");

    // Operators and managers get their own section; naming another is refused.
    for token in [&f.operator, &f.manager] {
        let own = f.csv(RANGE, token).await;
        assert_eq!(own.len(), 6);
        assert!(own[1..].iter().all(|r| r[0] == f.ict_checklist));
        let other = format!("{RANGE}&section_id={}", f.helpdesk);
        assert_eq!(f.download(&format!("/api/v1/reports/checklists.csv?{other}"), token).await.0, 403);
    }
    let theirs = f.csv(RANGE, &f.outsider).await;
    assert_eq!(theirs.len(), 2);
    assert_eq!(theirs[1][0], f.helpdesk_checklist);
    let one = f.csv(&format!("{RANGE}&section_id={}", f.helpdesk), &f.admin).await;
    assert_eq!(one.len(), 2, "an admin narrows to one section");

    // Filters: shift, status, range.
    assert_eq!(f.csv(&format!("{RANGE}&shift=NIGHT"), &f.admin).await.len(), 1, "header only");
    assert_eq!(f.csv(&format!("{RANGE}&shift=morning"), &f.admin).await.len(), 7);
    assert_eq!(f.csv(&format!("{RANGE}&status=PENDING_REVIEW"), &f.admin).await.len(), 6);
    assert_eq!(f.csv("from=2026-11-26&to=2026-11-30", &f.admin).await.len(), 1);
}

#[tokio::test]
async fn checklist_export_refuses_bad_filters_and_strangers() {
    let f = Floor::new().await;
    let path = |q: &str| format!("/api/v1/reports/checklists.csv?{q}");
    for query in [
        "to=2026-11-30",
        "from=2026-11-01",
        "from=yesterday&to=2026-11-30",
        "from=2026-11-30&to=2026-11-01",
        "from=2025-01-01&to=2026-11-30",
        "from=2026-11-01&to=2026-11-30&shift=EVENING",
        "from=2026-11-01&to=2026-11-30&status=NOPE",
        "from=2026-11-01&to=2026-11-30&section_id=not-a-uuid",
        "from=1900-01-01&to=1900-01-02",
    ] {
        let (status, content_type, body) = f.download(&path(query), &f.admin).await;
        assert_eq!(status, 422, "{query}: {}", String::from_utf8_lossy(&body));
        assert!(content_type.starts_with("application/json"), "{query}: {content_type}");
        let xlsx = f.download(&format!("/api/v1/reports/checklists.xlsx?{query}"), &f.admin).await.0;
        assert_eq!(xlsx, 422, "{query}");
    }
    let (status, _, body) = f.download(&path("from=2025-11-01&to=2026-11-30"), &f.admin).await;
    assert_eq!(status, 422);
    assert!(String::from_utf8_lossy(&body).contains("366 days"));
    let unknown = format!("{RANGE}&section_id={}", Uuid::new_v4());
    assert_eq!(f.download(&path(&unknown), &f.admin).await.0, 422);
    for route in ["checklists.csv", "checklists.xlsx", "leaderboard.csv", "leaderboard.xlsx"] {
        let (status, _, _) = f.download(&format!("/api/v1/reports/{route}?{RANGE}"), "").await;
        assert_eq!(status, 401, "{route}");
        let (status, _, _) = f.download(&format!("/api/v1/reports/{route}?{RANGE}"), "not-a-token").await;
        assert_eq!(status, 401, "{route}");
    }
}

#[tokio::test]
async fn checklist_xlsx_reads_back_with_typed_cells() {
    let f = Floor::new().await;
    let (status, content_type, body) =
        f.download(&format!("/api/v1/reports/checklists.xlsx?{RANGE}"), &f.operator).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert_eq!(content_type, XLSX);
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(body)).unwrap();
    assert_eq!(workbook.sheet_names(), ["checklists"]);
    let range = workbook.worksheet_range("checklists").unwrap();
    let rows: Vec<&[Data]> = range.rows().collect();
    let header: Vec<String> = rows[0].iter().map(|c| c.to_string()).collect();
    assert_eq!(header.join(","), CHECKLIST_HEADER);
    assert_eq!(rows.len(), 6, "header + 5 rows of the operator's section");
    let h: Vec<String> = header.clone();
    let first = rows[1];
    assert_eq!(first[column(&h, "checklist_id")], Data::String(f.ict_checklist.clone()));
    match &first[column(&h, "date")] {
        Data::DateTime(d) => assert_eq!(d.as_datetime().unwrap().date().to_string(), "2026-11-25"),
        other => panic!("the date is an Excel date, not {other:?}"),
    }
    assert!(matches!(first[column(&h, "at_business_time")], Data::DateTime(_)), "{:?}", first[11]);
    assert_eq!(first[column(&h, "severity")], Data::Float(2.0), "numbers are numbers");
    assert_eq!(
        first[column(&h, "item")],
        Data::String("=HYPERLINK(\"http://evil.example\",\"x\")".into()),
        "a typed text cell: Excel shows it and never runs it"
    );
    assert_eq!(first[column(&h, "skipped_reason")], Data::String("-vendor down".into()));
    assert_eq!(rows[3][column(&h, "subitem")], Data::String("Tape".into()));
    assert_eq!(rows[1][column(&h, "subitem")], Data::Empty);

    // The header row is bold, frozen, and filters every column over every row.
    let sheet = xlsx_part(
        &body_of(&f, &format!("/api/v1/reports/checklists.xlsx?{RANGE}"), &f.operator).await,
        "xl/worksheets/sheet1.xml",
    );
    assert!(sheet.contains(r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#), "{sheet}");
    assert!(sheet.contains(r#"<autoFilter ref="A1:R6"/>"#), "{sheet}");
    let styles = xlsx_part(
        &body_of(&f, &format!("/api/v1/reports/checklists.xlsx?{RANGE}"), &f.operator).await,
        "xl/styles.xml",
    );
    assert!(styles.contains("<b/>"), "a bold header font: {styles}");
}

async fn body_of(f: &Floor, path: &str, token: &str) -> Vec<u8> {
    let (status, _, body) = f.download(path, token).await;
    assert_eq!(status, 200, "{path}");
    body
}

/// One part (file) of an Excel workbook, as text.
fn xlsx_part(workbook: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(workbook)).unwrap();
    let mut part = archive.by_name(name).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut part, &mut text).unwrap();
    text
}

#[tokio::test]
async fn a_text_longer_than_an_excel_cell_is_cut_not_a_failed_export() {
    let f = Floor::new().await;
    // Force-close and reopen a few times with long reasons: the overrides cell joins them all.
    let base = format!("/api/v1/checklists/instances/{}", f.ict_checklist);
    let reason = "r".repeat(2_000);
    for _ in 0..9 {
        let (status, body) = f.srv.post(&format!("{base}/force-close"), &f.manager, json!({"reason": reason})).await;
        assert_eq!(status, 200, "{body}");
        let (status, body) = f.srv.post(&format!("{base}/reopen"), &f.manager, json!({"reason": reason})).await;
        assert_eq!(status, 200, "{body}");
    }
    let body = body_of(&f, &format!("/api/v1/reports/checklists.xlsx?{RANGE}"), &f.manager).await;
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(body)).unwrap();
    let range = workbook.worksheet_range("checklists").unwrap();
    let overrides = range.rows().nth(1).unwrap().last().unwrap().to_string();
    assert!(overrides.starts_with("ONE_TIME_COMPLETION"), "{}", &overrides[..40]);
    assert!(
        overrides.ends_with("[cut at Excel's cell limit; the CSV export has it whole]"),
        "{}",
        &overrides[overrides.len() - 80..]
    );
    assert!(overrides.encode_utf16().count() <= 32_767);
    // The CSV keeps the whole text.
    let csv = f.csv(RANGE, &f.manager).await;
    let whole = csv[1].last().unwrap();
    assert!(whole.len() > 36_000, "{}", whole.len());
    assert!(!whole.contains("[cut at"));
}

#[tokio::test]
async fn leaderboard_export_follows_the_boards_scope_and_hidden_names() {
    let f = Floor::new().await;
    let (status, _, body) = f.leaderboard("window=weekly", &f.manager).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let rows = records(&body);
    let h = rows[0].clone();
    assert_eq!(h[..6].join(","), "window,start_date,end_date,scope,rank,name");
    let names: HashSet<String> = rows[1..].iter().map(|r| r[column(&h, "name")].clone()).collect();
    assert!(names.contains("olu Tester") && names.contains("max Tester"), "{names:?}");
    assert!(!names.contains("otto Tester"), "another section's operator is not on the board");
    assert!(
        rows[1..].iter().all(|r| r[column(&h, "window")] == "weekly" && r[column(&h, "scope")] == "ICT Operations")
    );

    // The section hides names from operators: the operator's export hides the others'.
    let settings = format!("/api/v1/gamification/sections/{}/settings", ict_section(&f).await);
    assert_eq!(f.srv.put(&settings, &f.manager, json!({"hide_leaderboard_names": true})).await.0, 200);
    let rows = records(&f.leaderboard("window=monthly", &f.operator).await.2);
    let names: Vec<(String, String, String)> = rows[1..]
        .iter()
        .map(|r| (r[column(&h, "name")].clone(), r[column(&h, "username")].clone(), r[column(&h, "is_you")].clone()))
        .collect();
    assert!(names.contains(&("olu Tester".into(), "olu".into(), "yes".into())), "{names:?}");
    assert!(
        names.iter().filter(|n| n.2.is_empty()).all(|n| n.0.starts_with("Operator #") && n.1.is_empty()),
        "{names:?}"
    );
    let manager_rows = records(&f.leaderboard("", &f.manager).await.2);
    assert!(manager_rows[1..].iter().any(|r| r[column(&h, "name")] == "olu Tester"), "supervisors still see names");

    let (status, content_type, body) = f.download("/api/v1/reports/leaderboard.xlsx?window=yearly", &f.admin).await;
    assert_eq!((status, content_type.as_str()), (StatusCode::OK, XLSX));
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(body)).unwrap();
    let range = workbook.worksheet_range("leaderboard").unwrap();
    let first = range.rows().nth(1).unwrap();
    assert_eq!(first[4], Data::Float(1.0), "rank 1 first, as a number");
    assert!(matches!(first[1], Data::DateTime(_)));
    for bad in ["window=daily", "window=", "window=%00"] {
        let status = f.leaderboard(bad, &f.admin).await.0;
        assert!(status == 422 || (bad == "window=" && status == 200), "{bad}: {status}");
    }
}

async fn ict_section(f: &Floor) -> String {
    let (_, view) = f.srv.get(&format!("/api/v1/checklists/instances/{}", f.ict_checklist), &f.admin).await;
    view["section_id"].as_str().unwrap().to_owned()
}

/// `n` auth events of one username at `times` distinct instants (many share one, so
/// page boundaries fall inside ties), inserted through the store's bulk insert.
async fn bulk_auth_events(srv: &TestServer, username: &str, n: usize, times: usize) -> HashSet<String> {
    let base = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let rows: Vec<auth_events::Model> = (0..n)
        .map(|i| auth_events::Model {
            id: Uuid::new_v4(),
            event_type: "LOGIN_FAILURE".to_owned(),
            event_time: base + Duration::seconds((i % times) as i64),
            user_id: None,
            username: Some(username.to_owned()),
            ip: Some("192.0.2.7".to_owned()),
            user_agent: Some(if i == 0 { "=cmd|' /C calc'!A0".to_owned() } else { "bench".to_owned() }),
            session_id: None,
            metadata: json!({"reason": "bad_password"}),
            failure_reason: Some("bad_password".to_owned()),
        })
        .collect();
    let ids = rows.iter().map(|r| r.id.to_string()).collect();
    insert_all_chunked::<auth_events::ActiveModel>(srv.app.store.reader(), rows, 2_500).await.unwrap();
    ids
}

#[tokio::test]
async fn auth_export_streams_past_the_old_cap_without_losing_or_repeating_a_row() {
    let srv = TestServer::start().await;
    let (_, admin_token) = admin(&srv).await;
    let ids = bulk_auth_events(&srv, "bulk.user", 100_500, 997).await;

    let response =
        srv.client.get(srv.url("/api/v1/auth/events?format=csv")).bearer_auth(&admin_token).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers().get("content-length").is_none(), "streamed, not buffered");
    let body = response.bytes().await.unwrap();
    let rows = records(&body);
    assert_eq!(rows[0][..3].join(","), "id,event_type,event_time");
    let (_, listing) = srv.get("/api/v1/auth/events?limit=1", &admin_token).await;
    let total = listing["total"].as_u64().unwrap();
    assert!(total > 100_500, "the bulk rows and the admin's sign-in");
    assert_eq!((rows.len() - 1) as u64, total, "every row, past the old 100,000 cap");
    let exported: HashSet<String> = rows[1..].iter().map(|r| r[0].clone()).collect();
    assert_eq!(exported.len() as u64, total, "no row twice across the keyset pages");
    assert!(ids.is_subset(&exported), "no row missing");
    let times: Vec<&String> = rows[1..].iter().map(|r| &r[2]).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
    assert!(rows.iter().any(|r| r[6] == "'=cmd|' /C calc'!A0"), "user agents are neutralised");

    // The UI's export of the same trail is the same stream.
    let ui = UiSession::with_token(&srv, &admin_token).await;
    let response = ui.get("/ui/audit/auth.csv").await;
    assert_eq!(response.status(), 200);
    assert!(records(&response.bytes().await.unwrap()).len() as u64 > total);
}

#[tokio::test]
async fn ops_export_pages_through_ties_and_stays_in_the_managers_section() {
    let f = Floor::new().await;
    let ops = |token: &str| {
        let token = token.to_owned();
        let srv = &f.srv;
        async move {
            let response =
                srv.client.get(srv.url("/api/v1/ops/events?format=csv")).bearer_auth(token).send().await.unwrap();
            (response.status(), records(&response.bytes().await.unwrap()))
        }
    };
    let (status, all) = ops(&f.admin).await;
    assert_eq!(status, 200);
    let (_, json_page) = f.srv.get("/api/v1/ops/events?limit=1", &f.admin).await;
    assert_eq!((all.len() - 1) as u64, json_page["total"].as_u64().unwrap(), "the CSV has every event");
    let (status, mine) = ops(&f.manager).await;
    assert_eq!(status, 200);
    let section = ict_section(&f).await;
    assert!(mine.len() > 1);
    assert!(mine[1..].iter().all(|r| r[5] == section), "a manager exports their own section only");
    assert_eq!(ops(&f.operator).await.0, 403);
    // The sign-in trail is for admins: its CSV too.
    for (token, expected) in [(&f.manager, 403), (&f.operator, 403), (&String::new(), 401)] {
        let (status, _, _) = f.download("/api/v1/auth/events?format=csv", token).await;
        assert_eq!(status, expected, "auth CSV as {token:?}");
    }
    assert_eq!(f.download("/api/v1/ops/events?format=csv", "").await.0, 401);
}

#[tokio::test]
async fn reports_page_offers_the_forms_and_exports_behind_the_session() {
    let f = Floor::new().await;
    let manager = UiSession::with_token(&f.srv, &f.manager).await;
    let (status, html) = manager.html("/ui/reports").await;
    assert_eq!(status, 200);
    for needle in [
        "action=\"/ui/reports/period.pdf\"",
        "formaction=\"/ui/reports/checklists.xlsx\"",
        "formaction=\"/ui/reports/leaderboard.csv\"",
        "formaction=\"/ui/audit/ops.csv\"",
        "/ui/static/reports.js",
        "href=\"/ui/reports\"",
    ] {
        assert!(html.contains(needle), "{needle}");
    }
    assert!(!html.contains("/ui/audit/auth.csv"), "sign-in events are for admins");
    assert!(!html.contains("All sections"), "a manager exports their own section");

    let operator = UiSession::with_token(&f.srv, &f.operator).await;
    let (status, html) = operator.html("/ui/reports").await;
    assert_eq!(status, 200);
    assert!(!html.contains("period.pdf") && !html.contains("/ui/audit/ops.csv"));
    assert!(html.contains("formaction=\"/ui/reports/checklists.csv\""));

    let response = operator.get(&format!("/ui/reports/checklists.csv?{RANGE}&section_id=&shift=&status=")).await;
    assert_eq!(response.status(), 200);
    assert_eq!(records(&response.bytes().await.unwrap()).len(), 6);
    let response = operator.get(&format!("/ui/reports/checklists.xlsx?{RANGE}")).await;
    assert_eq!(response.headers()["content-type"], XLSX);
    let response = operator.get("/ui/reports/leaderboard.xlsx?window=weekly").await;
    assert_eq!(response.status(), 200);

    let response = operator.get("/ui/reports/checklists.csv?from=2026-11-30&to=2026-11-01").await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert!(page.contains("state-error"), "the error page the page's script reads its reason from: {page}");
    for route in ["checklists.csv", "checklists.xlsx"] {
        let other = format!("/ui/reports/{route}?{RANGE}&section_id={}", f.helpdesk);
        assert_eq!(operator.get(&other).await.status(), 403, "{route} of another section");
    }
    let period = format!("/ui/reports/period.pdf?section_id={}&period=week&start=2026-11-23", f.helpdesk);
    assert_eq!(manager.get(&period).await.status(), 403, "a manager of another section gets no period report");
    assert_eq!(operator.get("/ui/audit/ops.csv").await.status(), 403, "the ops log is for supervisors");
    assert_eq!(manager.get("/ui/audit/auth.csv").await.status(), 403, "sign-in events are for admins");

    // Every download of the UI needs a session: without one, it is the sign-in page.
    for path in [
        format!("/ui/reports/checklists.csv?{RANGE}"),
        format!("/ui/reports/checklists.xlsx?{RANGE}"),
        "/ui/reports/leaderboard.csv?window=weekly".to_owned(),
        "/ui/reports/leaderboard.xlsx?window=weekly".to_owned(),
        "/ui/reports/period.pdf?period=week&start=2026-11-23".to_owned(),
        format!("/ui/checklists/{}/report.pdf", f.ict_checklist),
        "/ui/audit/ops.csv".to_owned(),
        "/ui/audit/auth.csv".to_owned(),
    ] {
        let anonymous = sentinelops_testkit::ui::client().get(f.srv.url(&path)).send().await.unwrap();
        assert!(anonymous.status().is_redirection(), "{path}: to the sign-in page, not {}", anonymous.status());
        let location = anonymous.headers().get("location").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        assert!(location.starts_with("/ui/login"), "{path}: {location}");
    }
}
