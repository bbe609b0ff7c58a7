//! The built-in shift swaps page (`/ui/roster/swaps`) over real HTTP: an operator
//! offers a shift from "My shifts", a colleague takes it from "Shifts you can take",
//! the manager approves it from "Awaiting your approval"; refusals come back as the
//! page with the message, or the error page when the role does not allow it.

use reqwest::{Method, StatusCode};
use sentinelops_testkit::ui::{UiSession, location};
use serde_json::json;

use crate::swaps::{shift_id, world};
use crate::ui_performance::flash;

const PAGE: &str = "/ui/roster/swaps";

/// The part of `html` from the element with `id` to the end of its section.
fn from_id<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no #{id} in {html}"));
    let rest = &html[at..];
    &rest[..rest.find("</section>").unwrap_or(rest.len())]
}

#[tokio::test]
async fn offer_take_and_approve_a_shift_from_the_swaps_page() {
    let w = world().await;
    let morning = shift_id(&w, "MORNING").await.to_string();
    let olu = UiSession::sign_in(&w.srv, "olu.operator").await;
    let ada = UiSession::sign_in(&w.srv, "ada.operator").await;
    let mary = UiSession::sign_in(&w.srv, "mary.manager").await;

    // Olu's shifts of the next four weeks, Wednesday the 25th (today) first, each with an Offer form.
    let page = olu.page(PAGE).await;
    let mine = from_id(&page, "my-shifts-title");
    assert!(mine.contains("Wed 25 Nov 2026") && mine.contains("Thu 26 Nov 2026"), "{mine}");
    assert!(!mine.contains("Sat 28 Nov 2026"), "a rest day has nothing to offer");
    assert!(mine.contains("<option value=\"") && mine.contains("ada.operator Tester"), "a colleague to offer to");
    assert!(!page.contains("Awaiting your approval"), "operators approve nothing");

    // Bad input: the page again with the message; with script, the message alone.
    let response = olu.post(&format!("{PAGE}/offer"), &[("date", "someday"), ("shift_id", &morning)]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("id=\"swap-error\""));
    let response = olu.post_fetch(&format!("{PAGE}/offer"), &[("date", "2026-11-24"), ("shift_id", &morning)]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("in the past"));
    // No CSRF token: refused before anything happens.
    let response = olu
        .request(Method::POST, &format!("{PAGE}/offer"))
        .form(&[("date", "2026-11-26"), ("shift_id", morning.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    let response = olu
        .post(
            &format!("{PAGE}/offer"),
            &[("date", "2026-11-26"), ("shift_id", &morning), ("to_user_id", ""), ("note", "Exam")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), PAGE);
    assert_eq!(flash(&response), ("ok".to_owned(), "You offered the MORNING shift on 2026-11-26.".to_owned()));
    let page = olu.page(PAGE).await;
    let offers = from_id(&page, "mine-title");
    assert!(offers.contains("Thu 26 Nov 2026") && offers.contains("Offered"), "{offers}");
    let (_, swaps) = w.srv.get("/api/v1/checklists/shift-swaps", &w.operator).await;
    let id = swaps[0]["id"].as_str().unwrap().to_owned();

    // Ada takes it.
    let page = ada.page(PAGE).await;
    let open = from_id(&page, "open-title");
    assert!(open.contains(&format!("action=\"{PAGE}/{id}/accept\"")), "{open}");
    assert!(open.contains("olu.operator Tester") && open.contains("Exam"), "{open}");
    assert_eq!(ada.post(&format!("{PAGE}/{id}/approve"), &[]).await.status(), StatusCode::FORBIDDEN);
    let response = ada.post(&format!("{PAGE}/{id}/accept"), &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(flash(&response).1.ends_with("is taken: it now waits for a manager's approval."), "{:?}", flash(&response));
    assert_eq!(ada.post(&format!("{PAGE}/{id}/maybe"), &[]).await.status(), StatusCode::NOT_FOUND);

    // Another section's operator is offered nothing; an admin of no section sees every section's swaps.
    let cara = UiSession::sign_in(&w.srv, "cara.operator").await;
    assert!(from_id(&cara.page(PAGE).await, "open-title").contains("No colleague is offering a shift."));
    let admin = UiSession::sign_in(&w.srv, "root.admin").await;
    assert!(from_id(&admin.page(PAGE).await, "awaiting-title").contains(&format!("{PAGE}/{id}/approve")));

    // Mary approves it; the setting is hers to change.
    let page = mary.page(PAGE).await;
    let awaiting = from_id(&page, "awaiting-title");
    assert!(awaiting.contains(&format!("action=\"{PAGE}/{id}/approve\"")), "{awaiting}");
    assert!(awaiting.contains("id=\"swaps-need-approval\" checked"), "{awaiting}");
    let response = mary.post(&format!("{PAGE}/{id}/approve"), &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let page = mary.page(PAGE).await;
    assert!(from_id(&page, "history-title").contains("Approved"), "{page}");
    let (_, swap) = w.srv.get("/api/v1/checklists/shift-swaps", &w.manager).await;
    assert_eq!(swap[0]["status"], json!("APPROVED"));
    // Olu no longer has that morning to offer; Ada has it.
    assert!(!from_id(&olu.page(PAGE).await, "my-shifts-title").contains("Thu 26 Nov 2026"));
    assert!(from_id(&ada.page(PAGE).await, "my-shifts-title").contains("Thu 26 Nov 2026"));

    assert_eq!(mary.post(&format!("{PAGE}/settings"), &[]).await.status(), StatusCode::SEE_OTHER);
    let (_, settings) = w.srv.get(&format!("/api/v1/checklists/roster-settings/{}", w.section), &w.operator).await;
    assert_eq!(settings["swaps_need_approval"], false);
    assert_eq!(
        olu.post(&format!("{PAGE}/settings"), &[("swaps_need_approval", "on")]).await.status(),
        StatusCode::FORBIDDEN
    );
}
