//! The first-paint budget: no page over 200 KB of HTML + CSS + JS before data.
//! Each main page is fetched on an almost empty database, and the `/ui/static/*` files
//! it links (stylesheets, scripts) are fetched and added to its HTML's size.

use sentinelops_testkit::TestServer;
use serde_json::json;

use crate::admin;
use sentinelops_testkit::ui::{UiSession, client};

const BUDGET: usize = 200 * 1024;

/// The distinct `/ui/static/…` paths in `href="…"` and `src="…"` attributes.
fn static_links(html: &str) -> Vec<String> {
    let mut links = Vec::new();
    for attr in ["href=\"", "src=\""] {
        for (at, _) in html.match_indices(attr) {
            let value = html[at + attr.len()..].split('"').next().unwrap_or("");
            if value.starts_with("/ui/static/") && !links.iter().any(|l| l == value) {
                links.push(value.to_owned());
            }
        }
    }
    links
}

#[tokio::test]
async fn no_page_weighs_more_than_200_kb_with_its_css_and_js() {
    let srv = TestServer::start().await;
    let (_, admin_token) = admin(&srv).await;
    let section = srv.create_section("ICT Operations").await;
    let (_, operator) = srv.user_with_token("op.one", "user", Some(section)).await;
    let items = json!([{"title": "Check overnight backups", "severity": 3}]);
    let body = json!({"name": "Morning ops", "shift": "MORNING", "section_id": section, "items": items});
    let (status, created) = srv.post("/api/v1/checklists/templates", &admin_token, body).await;
    assert_eq!(status, 200, "{created}");
    let template = created["id"].as_str().unwrap();
    let today = srv.operational_today().await;
    let body = json!({"shift": "MORNING", "checklist_date": today});
    let (status, created) = srv.post("/api/v1/checklists/instances", &operator, body).await;
    assert_eq!(status, 200, "{created}");
    let checklist = created["instance"]["id"].as_str().unwrap();

    let c = client();
    let session = UiSession::sign_in(&srv, "root.admin").await;
    let pages = [
        "/ui/login".to_owned(),
        "/ui/dashboard".to_owned(),
        "/ui/checklists".to_owned(),
        format!("/ui/checklists/{checklist}"),
        "/ui/notifications".to_owned(),
        "/ui/notifications/preferences".to_owned(),
        "/ui/templates".to_owned(),
        format!("/ui/templates/{template}"),
        "/ui/templates/new".to_owned(),
        "/ui/admin/users".to_owned(),
        "/ui/admin/org".to_owned(),
        "/ui/admin/shifts".to_owned(),
        "/ui/admin/escalation".to_owned(),
        "/ui/alerts".to_owned(),
        "/ui/audit".to_owned(),
        "/ui/audit/auth".to_owned(),
        "/ui/profile".to_owned(),
        "/ui/performance".to_owned(),
        "/ui/performance/section".to_owned(),
        "/ui/roster/swaps".to_owned(),
    ];
    let mut report = Vec::new();
    for path in &pages {
        // The sign-in page is seen signed out (signed in, it sends you on).
        let response =
            if path == "/ui/login" { c.get(srv.url(path)).send().await.unwrap() } else { session.get(path).await };
        assert_eq!(response.status(), 200, "{path}");
        let html = response.text().await.unwrap();
        let links = static_links(&html);
        assert!(links.iter().any(|l| l == "/ui/static/ui.css"), "{path} links ui.css: {links:?}");
        let mut total = html.len();
        for link in &links {
            let asset = c.get(srv.url(link)).send().await.unwrap();
            assert_eq!(asset.status(), 200, "{path} links {link}");
            total += asset.bytes().await.unwrap().len();
        }
        eprintln!("page weight {path}: {total} bytes (HTML {} + {} static files {links:?})", html.len(), links.len());
        report.push((path, total));
    }
    for (path, total) in report {
        assert!(total < BUDGET, "{path} weighs {total} bytes with its CSS and JS, over {BUDGET}");
    }
}
