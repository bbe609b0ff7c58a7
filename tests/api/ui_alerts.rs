//! Alerts in the built-in UI over real HTTP (issue 21): an operator fails an item, which
//! opens an alert; the manager sees it on the Alerts page, on its own page with its
//! timeline and in the banner on every page; acknowledges it from the banner's form and
//! resolves it with a note (a note is required); the operator may look but not act unless
//! the section's escalation policy names her; an
//! administrator edits the section's escalation policy, and bad input is refused.

use reqwest::StatusCode;
use sentinelops_testkit::t0;
use sentinelops_testkit::ui::{UiSession, location};
use sentinelops_testkit::world::World;
use serde_json::json;

use crate::listings::instance;
use crate::ui_performance::flash;

/// Harare time (10:00 UTC is 12:00 there), "Core Banking" and "Cards" with templates.
async fn world() -> World {
    World::builder().at(t0()).harare().cards().shift_templates().build().await
}

/// Olu fails "Check services" on today's MORNING checklist; returns (checklist, alert).
async fn failed_item(w: &World) -> (String, String) {
    let morning = instance(&w.srv, &w.operator, "MORNING", "2026-11-25").await;
    let checklist = morning["id"].as_str().unwrap().to_owned();
    let item = morning["items"][1]["id"].as_str().unwrap();
    let path = format!("/api/v1/checklists/instances/{checklist}/items/{item}");
    let (status, body) = w.srv.patch(&path, &w.operator, json!({"status": "FAILED", "reason": "Disk at 97%"})).await;
    assert_eq!(status, 200, "{body}");
    let (status, alerts) = w.srv.get("/api/v1/alerts?status=OPEN", &w.manager).await;
    assert_eq!(status, 200, "{alerts}");
    assert_eq!(alerts["total"], 1, "one alert: {alerts}");
    (checklist, alerts["items"][0]["id"].as_str().unwrap().to_owned())
}

/// The banner's markup on a page ("" when there is none).
fn banner(page: &str) -> &str {
    let start = page.find("id=\"alert-banner\"").unwrap_or_else(|| panic!("no banner slot: {page}"));
    let rest = &page[start..];
    let end = rest.find("class=\"flash-area\"").unwrap_or(rest.len());
    let slot = &rest[..end];
    if slot.contains("data-banner-alert") { slot } else { "" }
}

#[tokio::test]
async fn a_failure_shows_on_the_alert_pages_and_in_the_managers_banner_only() {
    let w = world().await;
    let (checklist, alert) = failed_item(&w).await;
    let mary = UiSession::sign_in(&w.srv, "mary.manager").await;
    let olu = UiSession::sign_in(&w.srv, "olu.operator").await;

    // The Open tab: the alert with its cause, level, section, time and checklist.
    let list = mary.page("/ui/alerts").await;
    assert!(list.contains("href=\"/ui/alerts\"") && list.contains(">Alerts</a>"), "the nav entry: {list}");
    let row = &list[list.find(&format!("data-alert=\"{alert}\"")).unwrap_or_else(|| panic!("no row: {list}"))..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("Check services") && row.contains("Item failed"), "{row}");
    assert!(row.contains("Core Banking") && row.contains("2026-11-25 12:00"), "{row}");
    assert!(row.contains(&format!("href=\"/ui/checklists/{checklist}\"")), "{row}");
    assert!(row.contains("Nobody yet"), "{row}");
    assert!(mary.page("/ui/alerts?status=acknowledged").await.contains("No alerts here."));
    assert_eq!(mary.html("/ui/alerts?status=lost").await.0, StatusCode::UNPROCESSABLE_ENTITY);

    // Its page: the timeline, NOTIFIED naming its level and whom it told.
    let page = mary.page(&format!("/ui/alerts/{alert}")).await;
    let timeline = &page[page.find("alert-timeline").unwrap()..];
    assert!(timeline.contains("Opened"), "{timeline}");
    assert!(timeline.contains("Notified level 1") && timeline.contains("in the app"), "{timeline}");
    assert!(page.contains(&format!("action=\"/ui/alerts/{alert}/acknowledge\"")), "{page}");
    assert!(page.contains(&format!("action=\"/ui/alerts/{alert}/resolve\"")), "{page}");

    // The banner on every page of the manager, and its fragment; none for the operator.
    for path in ["/ui/dashboard", "/ui/roster/swaps", "/ui/profile"] {
        let shown = mary.page(path).await;
        let banner = banner(&shown);
        assert!(banner.contains("Check services") && banner.contains("1 unacknowledged"), "{path}: {shown}");
        assert!(banner.contains(&format!("action=\"/ui/alerts/{alert}/acknowledge\"")), "{banner}");
        assert!(banner.contains("href=\"/ui/alerts\""), "{banner}");
        assert_eq!(self::banner(&olu.page(path).await), "", "{path}: no banner for an operator");
    }
    let fragment = mary.fetch("/ui/alerts/banner").await.text().await.unwrap();
    assert!(fragment.contains("1 unacknowledged") && !fragment.contains("<html"), "{fragment}");
    assert!(!olu.fetch("/ui/alerts/banner").await.text().await.unwrap().contains("data-banner-alert"));

    // The operator reads the section's alerts, without the forms.
    assert!(olu.page("/ui/alerts").await.contains(&format!("data-alert=\"{alert}\"")));
    let read_only = olu.page(&format!("/ui/alerts/{alert}")).await;
    assert!(read_only.contains("Notified level 1") && !read_only.contains("/acknowledge\""), "{read_only}");
    assert!(!read_only.contains("/resolve\""), "{read_only}");
    // Once the section's policy names her, the operator on call gets the forms too.
    let policy = json!({"levels": [{"delay_minutes": 5, "recipients": {"users": [w.operator.id]}}]});
    assert_eq!(w.srv.put(&format!("/api/v1/escalation-policies/{}", w.section), &w.admin, policy).await.0, 200);
    let named = olu.page(&format!("/ui/alerts/{alert}")).await;
    assert!(named.contains(&format!("action=\"/ui/alerts/{alert}/acknowledge\"")), "{named}");
    assert!(named.contains(&format!("action=\"/ui/alerts/{alert}/resolve\"")), "{named}");
    // Another section's manager does not see it.
    let carl = UiSession::sign_in(&w.srv, "carl.manager").await;
    assert!(!carl.page("/ui/alerts").await.contains(&alert));
    assert_eq!(carl.html(&format!("/ui/alerts/{alert}")).await.0, StatusCode::FORBIDDEN);
    assert_eq!(banner(&carl.page("/ui/dashboard").await), "");
}

#[tokio::test]
async fn a_manager_acknowledges_from_the_banner_and_resolves_with_a_note() {
    let w = world().await;
    let (_, alert) = failed_item(&w).await;
    let mary = UiSession::sign_in(&w.srv, "mary.manager").await;
    let olu = UiSession::sign_in(&w.srv, "olu.operator").await;
    let acknowledge = format!("/ui/alerts/{alert}/acknowledge");
    let resolve = format!("/ui/alerts/{alert}/resolve");

    // Operators cannot acknowledge: the 403 page.
    let refused = olu.post(&acknowledge, &[]).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(refused.text().await.unwrap().contains("Not allowed"));

    // The banner's form, posted from the dashboard: back there, the banner gone.
    let response = mary
        .request(reqwest::Method::POST, &acknowledge)
        .header("Referer", format!("{}/ui/dashboard", w.srv.base))
        .form(&[("csrf", mary.csrf())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/ui/dashboard");
    assert_eq!(flash(&response).0, "ok");
    assert_eq!(banner(&mary.page("/ui/dashboard").await), "");
    let page = mary.page(&format!("/ui/alerts/{alert}")).await;
    assert!(page.contains("acknowledged by mary.manager at 2026-11-25 12:00"), "{page}");
    assert!(!page.contains(&format!("action=\"{acknowledge}\"")), "no second Acknowledge: {page}");
    let tab = mary.page("/ui/alerts?status=acknowledged").await;
    assert!(tab.contains(&format!("data-alert=\"{alert}\"")) && tab.contains("acknowledged by mary.manager"));
    assert!(mary.page("/ui/alerts").await.contains("No alerts here."));

    // Again (a second tab left open): a flash says who owns it.
    let again = mary.post(&acknowledge, &[("next", "/ui/alerts")]).await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&again), "/ui/alerts");
    assert_eq!(flash(&again), ("error".to_owned(), "The alert is already acknowledged by mary.manager".to_owned()));
    // A `next` off the site is ignored: back to the alert.
    let offsite = mary.post(&acknowledge, &[("next", "https://evil.example/")]).await;
    assert_eq!(location(&offsite), format!("/ui/alerts/{alert}"));

    // Resolving needs a note: the page again, the message beside the form.
    let blank = mary.post(&resolve, &[("note", "   ")]).await;
    assert_eq!(blank.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = blank.text().await.unwrap();
    assert!(html.contains("id=\"resolve-error\"") && html.contains("note is required"), "{html}");
    assert_eq!(olu.post(&resolve, &[("note", "Fixed")]).await.status(), StatusCode::FORBIDDEN);
    let done = mary.post(&resolve, &[("note", "Freed 40 GB on the archive disk")]).await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&done), format!("/ui/alerts/{alert}"));
    let page = mary.page(&format!("/ui/alerts/{alert}")).await;
    assert!(page.contains("resolved by mary.manager at 2026-11-25 12:00: Freed 40 GB on the archive disk"), "{page}");
    assert!(!page.contains(&format!("action=\"{resolve}\"")), "{page}");
    let timeline = &page[page.find("alert-timeline").unwrap()..];
    assert!(timeline.contains("Acknowledged") && timeline.contains("Resolved"), "{timeline}");
    assert!(mary.page("/ui/alerts?status=resolved").await.contains(&format!("data-alert=\"{alert}\"")));
    let twice = mary.post(&resolve, &[("note", "Again")]).await;
    assert_eq!(flash(&twice), ("error".to_owned(), "The alert is already resolved".to_owned()));
}

#[tokio::test]
async fn an_admin_edits_the_escalation_policy_and_bad_input_is_refused() {
    let w = world().await;
    let root = UiSession::sign_in(&w.srv, "root.admin").await;
    let section = w.section.to_string();
    let path = format!("/ui/admin/escalation?section_id={section}");

    // The default: three levels and two blank rows.
    let page = root.page(&path).await;
    assert!(page.contains("Default policy") && page.contains("href=\"/ui/admin/escalation\""), "{page}");
    assert!(page.contains("name=\"level5_delay\"") && !page.contains("name=\"level6_delay\""), "{page}");
    assert!(page.contains(&format!("<option value=\"{}\"", w.manager.id)), "Mary can be named: {page}");

    let mary = w.manager.id.to_string();
    let post = |fields: Vec<(&'static str, String)>| {
        let root = &root;
        let section = section.clone();
        async move {
            let mut form: Vec<(&str, &str)> = vec![("section_id", section.as_str())];
            form.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
            root.post("/ui/admin/escalation", &form).await
        }
    };
    let numbers = || {
        vec![
            ("repeat", "1".to_owned()),
            ("due_grace_minutes", "10".to_owned()),
            ("signoff_grace_minutes", "30".to_owned()),
        ]
    };
    let mut fields = vec![
        ("level1_delay", "5".to_owned()),
        ("level1_managers", "on".to_owned()),
        ("level2_delay", "".to_owned()),
        ("level3_delay", "15".to_owned()),
        ("level3_admins", "on".to_owned()),
        ("level3_users", mary.clone()),
        ("level3_email", "oncall@bank.example".to_owned()),
        ("level3_webhook", "escalation".to_owned()),
    ];
    fields.extend(numbers());
    let saved = post(fields).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&saved), path);
    let (_, policy) = w.srv.get(&format!("/api/v1/escalation-policies/{section}"), &w.admin).await;
    assert_eq!(policy["is_default"], false, "{policy}");
    assert_eq!(policy["levels"].as_array().unwrap().len(), 2, "the blank row is ignored: {policy}");
    assert_eq!(policy["levels"][0]["delay_minutes"], 5);
    assert_eq!(policy["levels"][0]["recipients"]["section_managers"], true);
    let second = &policy["levels"][1]["recipients"];
    assert_eq!(second["users"], json!([mary]), "{policy}");
    assert_eq!(
        (second["email"].as_str(), second["webhook"].as_str()),
        (Some("oncall@bank.example"), Some("escalation"))
    );
    assert_eq!((policy["repeat"].as_u64(), policy["due_grace_minutes"].as_u64()), (Some(1), Some(10)));
    let page = root.page(&path).await;
    assert!(!page.contains("Default policy") && page.contains("value=\"oncall@bank.example\""), "{page}");
    assert!(page.contains("name=\"level4_delay\"") && !page.contains("name=\"level5_delay\""), "{page}");

    // Refused, each with its message beside the form and what was typed kept.
    for (level1, message) in [
        ("soon", "Level 1: the delay must be a whole number of minutes."),
        ("99999", "Level 1: levels[0].delay_minutes must be between 1 and 1440"),
    ] {
        let mut fields = vec![("level1_delay", level1.to_owned()), ("level1_managers", "on".to_owned())];
        fields.extend(numbers());
        let refused = post(fields).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY, "{level1}");
        let html = refused.text().await.unwrap();
        assert!(html.contains("id=\"policy-error\"") && html.contains(message), "{level1}: {html}");
        assert!(html.contains(&format!("value=\"{level1}\"")), "kept: {html}");
    }
    // Row 2 blank: the third row is the second level, and the message names its row.
    let mut fields = vec![
        ("level1_delay", "5".to_owned()),
        ("level1_managers", "on".to_owned()),
        ("level3_delay", "5".to_owned()),
        ("level3_email", "not an address".to_owned()),
    ];
    fields.extend(numbers());
    let html = post(fields).await.text().await.unwrap();
    assert!(html.contains("Level 3: levels[1].recipients.email is not an e-mail address"), "{html}");
    let html = post(numbers()).await.text().await.unwrap();
    assert!(html.contains("Fill in at least one level."), "{html}");
    let mut fields = vec![("level1_delay", "5".to_owned()), ("level1_managers", "on".to_owned())];
    fields.push(("repeat", "many".to_owned()));
    let html = post(fields).await.text().await.unwrap();
    assert!(html.contains("Repeat must be a whole number."), "{html}");
    // Nothing refused was stored.
    let (_, still) = w.srv.get(&format!("/api/v1/escalation-policies/{section}"), &w.admin).await;
    assert_eq!(still["levels"], policy["levels"]);

    // Managers do not edit policies here.
    let manager = UiSession::sign_in(&w.srv, "mary.manager").await;
    assert_eq!(manager.html(&path).await.0, StatusCode::FORBIDDEN);
    let form = [("section_id", section.as_str()), ("level1_delay", "1"), ("level1_managers", "on")];
    assert_eq!(manager.post("/ui/admin/escalation", &form).await.status(), StatusCode::FORBIDDEN);
}
