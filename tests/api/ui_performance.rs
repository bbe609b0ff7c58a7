//! The built-in Performance page and the managers' section view over real HTTP, on a
//! fixed clock (12:00 in Harare on Wednesday 2026-11-25). Ledger rows are appended
//! straight to the test database (`store::gamification::append`), so the numbers here
//! are the ledger's and independent of the scoring weights.

use chrono::NaiveDate;
use reqwest::StatusCode;
use sentinelops_domain::scoring::{LedgerState, ScoreKind};
use sentinelops_store::repo::gamification::{self, LedgerRow};
use sentinelops_testkit::t0;
use sentinelops_testkit::ui::{UiSession, cookie_value, location, set_cookie};
use sentinelops_testkit::world::World;
use serde_json::json;
use uuid::Uuid;

async fn world() -> World {
    World::builder().at(t0()).harare().cards().colleague().build().await
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

/// A counting (or refused) row of `kind` for `user` on 2026-11-`d`, awarded at noon that day.
fn row(w: &World, user: Uuid, kind: ScoreKind, state: LedgerState, d: u32, points: i32, quantity: i32) -> LedgerRow {
    let date = day(d);
    let mut row =
        LedgerRow::new(user, kind, state, date, date.and_hms_opt(10, 0, 0).unwrap().and_utc()).paying(points, quantity);
    row.shift = Some("MORNING".to_owned());
    row.section_id = Some(w.section);
    row
}

fn titled(mut row: LedgerRow, title: &str) -> LedgerRow {
    row.metadata = json!({"title": title, "detail": format!("MORNING shift on {}", row.activity_date)});
    row
}

async fn append(w: &World, rows: Vec<LedgerRow>) {
    let tx = w.srv.app.store.begin_write().await.unwrap();
    gamification::append(&tx, rows, t0()).await.unwrap();
    sentinelops_store::commit(tx).await.unwrap();
}

/// olu.operator: 300 on Nov 2, 100 on Nov 24, 80 on Nov 25 (480 this month, 180 this
/// week), a refused item today; ada.operator: 50 today and a late timed start.
async fn history(w: &World) {
    let (olu, ada) = (w.operator.id, w.colleague().id);
    let confirmed = LedgerState::Confirmed;
    let mut refused = row(w, olu, ScoreKind::Item, LedgerState::Refused, 25, 0, 0);
    refused.metadata = json!({"title": "Check disks", "refusal": "Completed 2 s after your previous item: too fast to count.", "rule": "burst"});
    append(
        w,
        vec![
            titled(row(w, olu, ScoreKind::Item, confirmed, 2, 300, 1), "Rotate backups"),
            titled(row(w, olu, ScoreKind::Item, confirmed, 24, 100, 1), "Check services"),
            titled(row(w, olu, ScoreKind::Item, confirmed, 25, 80, 1), "Review handover notes"),
            refused,
            titled(row(w, ada, ScoreKind::Item, confirmed, 25, 50, 1), "Check services"),
            row(w, ada, ScoreKind::TimedStartLate, confirmed, 25, 0, 1),
        ],
    )
    .await;
}

/// The flash a form's answer leaves for the next page: ("ok"|"error", text).
pub(crate) fn flash(response: &reqwest::Response) -> (String, String) {
    let value = cookie_value(&set_cookie(response.headers(), "sentinelops_flash").expect("a flash"));
    let (kind, hex) = value.split_at(1);
    let bytes: Vec<u8> = (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect();
    (if kind == "o" { "ok" } else { "error" }.to_owned(), String::from_utf8(bytes).unwrap())
}

/// The text of the element with `id` (up to its first tag end).
fn text_of(html: &str, id: &str) -> String {
    let marker = format!("id=\"{id}\"");
    let at = html.find(&marker).unwrap_or_else(|| panic!("no #{id} in {html}"));
    let rest = &html[at..];
    let start = rest.find('>').unwrap() + 1;
    rest[start..].split('<').next().unwrap().trim().to_owned()
}

#[tokio::test]
async fn the_performance_page_shows_my_points_tier_progress_streak_chart_and_leaderboard() {
    let w = world().await;
    history(&w).await;
    let olu = UiSession::sign_in(&w.srv, "olu.operator").await;

    // Month to date (the default): 480 points, Pulse, 170 short of Vector (650): 480/650.
    let page = olu.page("/ui/performance").await;
    assert!(page.contains("href=\"/ui/performance\" aria-current=\"page\">Performance</a>"), "the nav marks it");
    assert_eq!(text_of(&page, "my-points"), "480");
    assert_eq!(text_of(&page, "my-tier"), "Pulse");
    assert_eq!(text_of(&page, "tier-progress"), "170 points to Vector");
    assert!(page.contains("<progress max=\"100\" value=\"73\" aria-label=\"Progress to Vector\">"), "{page}");
    // Active on the 24th and today: a two-day streak.
    assert_eq!(text_of(&page, "my-streak"), "2");
    assert_eq!(text_of(&page, "my-rank"), "#1");
    assert!(page.contains("Core Banking · Month to date, 1 Nov – 25 Nov 2026"), "{page}");
    // The trend: one bar per calendar week of the month, drawn on the server.
    assert!(page.contains("<svg class=\"trend-chart\""), "{page}");
    assert!(page.contains("<title>Week of 02 Nov: 300 points</title>"), "{page}");
    assert!(page.contains("<title>Week of 23 Nov: 180 points</title>"), "{page}");
    // Recent points, newest first, with the ledger row's title.
    let events = &page[page.find("id=\"events-heading\"").unwrap()..];
    let (newest, older) = (events.find("Review handover notes").unwrap(), events.find("Rotate backups").unwrap());
    assert!(newest < older, "{events}");
    assert!(events.contains("+80") && events.contains("+300"), "{events}");
    // The leaderboard: me first, my colleague second with 50.
    let board = &page[page.find("id=\"leaderboard-heading\"").unwrap()..];
    let me = board.find("olu.operator Tester (you)").unwrap();
    let ada = board.find("ada.operator Tester").unwrap();
    assert!(me < ada, "{board}");
    assert!(board.contains("<td class=\"num\">50</td>"), "{board}");
    // Why didn't I get points: the refused row with its sentence.
    let why = &page[page.find("id=\"refusals-heading\"").unwrap()..];
    assert!(why.contains("Check disks"), "{why}");
    assert!(why.contains("Completed 2 s after your previous item: too fast to count."), "{why}");

    // Week to date (Monday 23 Nov): 180 points, Vector, 140 to Command (320): 20/160.
    let week = olu.page("/ui/performance?window=weekly").await;
    assert_eq!(text_of(&week, "my-points"), "180");
    assert_eq!(text_of(&week, "my-tier"), "Vector");
    assert_eq!(text_of(&week, "tier-progress"), "140 points to Command");
    assert!(week.contains("value=\"12\" aria-label=\"Progress to Command\""), "{week}");
    assert!(week.contains("<title>Mon: 0 points</title>") && week.contains("<title>Tue: 100 points</title>"));
    // Year to date: 480 of 4,200 for Vector.
    let year = olu.page("/ui/performance?window=yearly").await;
    assert_eq!(text_of(&year, "tier-progress"), "3720 points to Vector");

    // The live fragment is the same numbers without the layout.
    let response = olu.fetch("/ui/performance/live?window=weekly").await;
    assert_eq!(response.status(), StatusCode::OK);
    let fragment = response.text().await.unwrap();
    assert!(!fragment.contains("<html") && text_of(&fragment, "my-points") == "180", "{fragment}");
    // A window that is not one of the four is a 422 page, never a 500.
    let (status, bad) = olu.html("/ui/performance?window=daily").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.contains("weekly, monthly, quarterly or yearly"), "{bad}");
}

#[tokio::test]
async fn a_claimable_badge_is_claimed_once_from_its_form() {
    let w = world().await;
    // 18 critical items unlock Critical Shield.
    append(&w, vec![row(&w, w.operator.id, ScoreKind::CriticalItem, LedgerState::Confirmed, 25, 180, 18)]).await;
    let olu = UiSession::sign_in(&w.srv, "olu.operator").await;
    let page = olu.page("/ui/performance").await;
    assert!(page.contains("action=\"/ui/performance/badges/critical_shield/claim\""), "{page}");
    assert_eq!(page.matches("Claim badge</button>").count(), 1, "only the earned badge can be claimed");

    let response = olu.post("/ui/performance/badges/critical_shield/claim", &[("window", "weekly")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/ui/performance?window=weekly#badges");
    assert_eq!(flash(&response), ("ok".to_owned(), "Badge claimed: Critical Shield.".to_owned()));
    let after = olu.page("/ui/performance?window=weekly").await;
    assert!(!after.contains("Claim badge</button>"), "{after}");
    assert!(after.contains("1 of 11 claimed"), "{after}");

    // Claiming again changes nothing; a badge not earned and an unknown one say why.
    let again = olu.post("/ui/performance/badges/critical_shield/claim", &[]).await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    let not_ready = olu.post("/ui/performance/badges/flow_keeper/claim", &[]).await;
    assert_eq!(location(&not_ready), "/ui/performance?window=monthly#badges");
    assert_eq!(flash(&not_ready), ("error".to_owned(), "This badge is not ready to claim yet.".to_owned()));
    let unknown = olu.post("/ui/performance/badges/no_such_badge/claim", &[]).await;
    assert_eq!(flash(&unknown), ("error".to_owned(), "Unknown performance badge".to_owned()));
    // Without the CSRF token the form is refused.
    let forged = olu
        .request(reqwest::Method::POST, "/ui/performance/badges/critical_shield/claim")
        .form(&[("window", "weekly")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_section_view_puts_who_needs_help_first_for_managers_only() {
    let w = world().await;
    history(&w).await;
    // The manager of Core Banking: both operators, lowest grade first.
    let mary = UiSession::sign_in(&w.srv, "mary.manager").await;
    let perf = mary.page("/ui/performance").await;
    assert!(perf.contains("href=\"/ui/performance/section?window=monthly\""), "{perf}");
    let page = mary.page("/ui/performance/section").await;
    assert!(page.contains("Core Banking · Month to date, 1 Nov – 25 Nov 2026"), "{page}");
    let (ada, olu) =
        (page.find("data-operator=\"ada.operator\"").unwrap(), page.find("data-operator=\"olu.operator\"").unwrap());
    assert!(ada < olu, "the lower grade first: {page}");
    assert!(!page.contains("data-operator=\"mary.manager\""), "operators only");
    // ada: a late timed start, flagged for it; olu: one refused item, 480 points.
    let ada_row = &page[ada..page[ada..].find("</tr>").unwrap() + ada];
    assert!(ada_row.contains("class=\"needs-help\"") || page[..ada].ends_with("class=\"needs-help\""), "{ada_row}");
    assert!(ada_row.contains("Late timed starts"), "{ada_row}");
    let olu_row = &page[olu..page[olu..].find("</tr>").unwrap() + olu];
    assert!(olu_row.contains("<td class=\"num\">480</td>"), "{olu_row}");
    assert!(olu_row.contains("<td class=\"num\">1</td>"), "one refusal: {olu_row}");
    assert_eq!(text_of(&page, "team-points"), "530");
    // Cards operators are not in it.
    assert!(!page.contains("cara.operator"), "{page}");

    // An operator gets the 403 page; another section's manager cannot look in.
    let operator = UiSession::sign_in(&w.srv, "olu.operator").await;
    let (status, refused) = operator.html("/ui/performance/section").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(refused.contains("for the section&#39;s managers") || refused.contains("for the section's managers"));
    assert!(!operator.page("/ui/performance").await.contains("/ui/performance/section"), "no link for operators");
    let carl = UiSession::sign_in(&w.srv, "carl.manager").await;
    let (status, _) = carl.html(&format!("/ui/performance/section?section={}", w.section)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // An administrator chooses any section; a malformed one is a 422.
    let root = UiSession::sign_in(&w.srv, "root.admin").await;
    let cards = root.page(&format!("/ui/performance/section?section={}&window=weekly", w.cards().id)).await;
    assert!(cards.contains("data-operator=\"cara.operator\"") && !cards.contains("olu.operator"), "{cards}");
    let (status, _) = root.html("/ui/performance/section?section=nope").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}
