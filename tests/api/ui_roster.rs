//! The roster in the built-in UI over real HTTP (issue 20): a manager makes a pattern,
//! gives it to two people, sets one day by hand and takes it back, decides a day-off
//! request an operator filed from "My schedule"; the week grid, its headcounts and gaps
//! follow; the dashboard names who is on shift; the shift colours reach the style sheet;
//! operators and other sections are kept out of the managers' tools.

use chrono::{TimeZone, Utc};
use reqwest::StatusCode;
use sentinelops_testkit::ui::{UiSession, location};
use sentinelops_testkit::world::World;

/// Wednesday 25 November 2026, 10:00 UTC.
async fn world() -> World {
    World::builder().at(Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap()).cards().colleague().build().await
}

async fn shift_id(w: &World, name: &str) -> String {
    let (_, shifts) = w.srv.get("/api/v1/checklists/shifts", &w.operator).await;
    shifts.as_array().unwrap().iter().find(|s| s["name"] == name).unwrap()["id"].to_string()
}

/// The `<tr>` of a person in the week grid.
fn row_of<'a>(page: &'a str, user: &str) -> &'a str {
    let start = page.find(&format!("data-user=\"{user}\"")).unwrap_or_else(|| panic!("no row for {user}: {page}"));
    &page[start..start + page[start..].find("</tr>").unwrap()]
}

/// The headcount cells of a shift's coverage row: (count, gap).
fn coverage(page: &str, shift: &str) -> Vec<(String, bool)> {
    let start = page.find(&format!("{shift}</span> on shift")).unwrap_or_else(|| panic!("no {shift} row: {page}"));
    let row = &page[start..start + page[start..].find("</tr>").unwrap()];
    row.split("<td class=\"num")
        .skip(1)
        .map(|cell| {
            let count = cell[cell.find('>').unwrap() + 1..cell.find("</td>").unwrap()].to_owned();
            (count, cell.starts_with(" gap"))
        })
        .collect()
}

#[tokio::test]
async fn a_manager_rosters_a_week_in_the_ui_and_the_grid_follows() {
    let w = world().await;
    let mary = UiSession::sign_in(&w.srv, "mary.manager").await;
    let morning = shift_id(&w, "MORNING").await;
    let (olu, ada) = (w.operator.id.to_string(), w.colleague().id.to_string());
    let section = w.section.to_string();

    // An empty roster: every day of every shift is a gap.
    let page = mary.page("/ui/roster?week=2026-11-23").await;
    assert!(row_of(&page, &olu).matches("cell cell-none").count() == 7, "{page}");
    assert!(coverage(&page, "MORNING").iter().all(|(n, gap)| n == "0" && *gap));

    // A weekday pattern, made in the editor.
    let weekdays: Vec<(String, String)> = (0..7)
        .map(|d| (format!("day{d}"), if d == 0 || d == 6 { "off".to_owned() } else { morning.clone() }))
        .collect();
    let mut fields: Vec<(&str, &str)> =
        vec![("section_id", &section), ("name", "Weekdays"), ("description", ""), ("pattern_type", "FIXED")];
    fields.extend(weekdays.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let made = mary.post("/ui/roster/patterns", &fields).await;
    assert_eq!(made.status(), StatusCode::SEE_OTHER);
    let patterns = mary.page(&format!("/ui/roster/patterns?section={section}")).await;
    assert!(patterns.contains("data-pattern=\"Weekdays\""), "{patterns}");
    assert!(patterns.contains("Mon: MORNING") && patterns.contains("Sun: Off"), "{patterns}");
    let (_, list) = w.srv.get("/api/v1/checklists/shift-patterns", &w.manager).await;
    let pattern = list[0]["id"].as_str().unwrap().to_owned();

    // Given to Olu and Ada from Monday, open-ended.
    let back = "/ui/roster?week=2026-11-23";
    let assigned = mary
        .post(
            "/ui/roster/assign",
            &[
                ("section_id", &section),
                ("pattern_id", &pattern),
                ("users", &olu),
                ("users", &ada),
                ("start_date", "2026-11-23"),
                ("end_date", ""),
                ("back", back),
            ],
        )
        .await;
    assert_eq!((assigned.status(), location(&assigned)), (StatusCode::SEE_OTHER, back.to_owned()));
    let page = mary.page(back).await;
    assert_eq!(row_of(&page, &olu).matches("shift-chip").count(), 5, "Monday to Friday");
    assert_eq!(row_of(&page, &ada).matches("Rest day").count(), 2, "the weekend");
    let counts = coverage(&page, "MORNING");
    assert_eq!(counts.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), ["2", "2", "2", "2", "2", "0", "0"]);
    assert_eq!(counts.iter().filter(|(_, gap)| *gap).count(), 2, "the weekend is the gap");

    // Five weeks at a glance for a month's rostering; more than six is refused.
    let month = mary.page("/ui/roster?week=2026-11-23&weeks=5").await;
    assert_eq!(row_of(&month, &olu).matches("<td class=\"cell").count(), 35);
    assert_eq!(row_of(&month, &olu).matches("shift-chip").count(), 25, "five weeks of weekdays");
    assert_eq!(mary.html("/ui/roster?weeks=9").await.0, StatusCode::UNPROCESSABLE_ENTITY);

    // Olu's Friday off by hand, then back to the plan.
    let day = |what: &'static str| {
        [("user_id", olu.as_str()), ("date", "2026-11-27"), ("what", what), ("reason", "Dentist"), ("back", back)]
    };
    assert_eq!(mary.post("/ui/roster/day", &day("off")).await.status(), StatusCode::SEE_OTHER);
    let page = mary.page(back).await;
    assert!(row_of(&page, &olu).contains("Dentist"), "{page}");
    assert_eq!(coverage(&page, "MORNING")[4].0, "1");
    assert_eq!(mary.post("/ui/roster/day", &day("plan")).await.status(), StatusCode::SEE_OTHER);
    assert!(!row_of(&mary.page(back).await, &olu).contains("Dentist"));
    let refused = mary.post_fetch("/ui/roster/day", &day("plan")).await;
    assert_eq!(refused.status(), StatusCode::NOT_FOUND, "nothing set by hand to take back");

    // Olu asks for Monday off from "My schedule"; Mary approves it from the grid.
    let olu_ui = UiSession::sign_in(&w.srv, "olu.operator").await;
    let mine = olu_ui.page("/ui/roster/me").await;
    assert!(mine.contains("data-date=\"2026-11-26\" data-kind=\"shift\""), "{mine}");
    assert!(mine.contains("data-date=\"2026-11-28\" data-kind=\"off\""), "Saturday is a rest day: {mine}");
    let asked = olu_ui
        .post("/ui/roster/me/days-off", &[("start_date", "2026-11-30"), ("end_date", ""), ("reason", "Family")])
        .await;
    assert_eq!(asked.status(), StatusCode::SEE_OTHER);
    let next_week = mary.page("/ui/roster?week=2026-11-30").await;
    assert!(row_of(&next_week, &olu).contains("cell-pending"), "{next_week}");
    let (_, pending) = w.srv.get("/api/v1/checklists/days-off?status=PENDING", &w.manager).await;
    let request = pending[0]["id"].as_str().unwrap().to_owned();
    assert!(next_week.contains(&format!("data-day-off=\"{request}\"")));
    let approve = format!("/ui/roster/days-off/{request}/approve");
    assert_eq!(olu_ui.post_fetch(&approve, &[("back", "/ui/roster")]).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(mary.post(&approve, &[("back", "/ui/roster?week=2026-11-30")]).await.status(), StatusCode::SEE_OTHER);
    let mine = olu_ui.page("/ui/roster/me").await;
    assert!(mine.contains("data-date=\"2026-11-30\" data-kind=\"off\""), "{mine}");
    assert!(mine.contains("APPROVED"), "{mine}");

    // The dashboard names who is on shift; operators and other sections stay out of the tools.
    let dashboard = olu_ui.page("/ui/dashboard").await;
    assert!(dashboard.contains("id=\"on-shift\"") && dashboard.contains("Now: Morning"), "{dashboard}");
    assert!(olu_ui.page("/ui/roster").await.contains("id=\"roster-grid\""), "operators see their section's roster");
    assert!(!olu_ui.page("/ui/roster").await.contains("id=\"day-form\""), "but not the tools");
    assert_eq!(olu_ui.html("/ui/roster/patterns").await.0, StatusCode::FORBIDDEN);
    assert_eq!(olu_ui.post_fetch("/ui/roster/day", &day("off")).await.status(), StatusCode::FORBIDDEN);
    let carl = UiSession::sign_in(&w.srv, "carl.manager").await;
    assert_eq!(carl.html(&format!("/ui/roster?section={section}")).await.0, StatusCode::FORBIDDEN);
    assert_eq!(carl.html(&format!("/ui/roster/patterns?section={section}")).await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_administrator_changes_a_shift_window_and_colour_in_the_ui() {
    let w = world().await;
    let root = UiSession::sign_in(&w.srv, "root.admin").await;
    let morning = shift_id(&w, "MORNING").await;
    let fields = [("start_time", "06:30"), ("end_time", "14:30"), ("timezone", ""), ("color", "#ff0000")];
    let changed = root.post(&format!("/ui/admin/shifts/{morning}"), &fields).await;
    assert_eq!(changed.status(), StatusCode::SEE_OTHER);
    let (_, shift) = w.srv.get(&format!("/api/v1/checklists/shifts/{morning}"), &w.operator).await;
    assert_eq!(
        (shift["start_time"].clone(), shift["color"].clone()),
        (serde_json::json!("06:30:00"), serde_json::json!("#ff0000"))
    );
    let css = root.page("/ui/roster/shift-colours.css").await;
    assert!(css.contains(&format!(".shift-{morning} {{ --shift-colour: #ff0000; }}")), "{css}");
    let bad = root
        .post_fetch(&format!("/ui/admin/shifts/{morning}"), &[("start_time", "25:00"), ("end_time", "14:30")])
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let operator = UiSession::sign_in(&w.srv, "olu.operator").await;
    assert_eq!(
        operator.post_fetch(&format!("/ui/admin/shifts/{morning}"), &fields).await.status(),
        StatusCode::FORBIDDEN
    );
}
