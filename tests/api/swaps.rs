//! Shift swaps (issue 20 item 3) over HTTP: offer → accept → approve moving the shift
//! on the roster, `my-schedule` and that day's checklist; a section that needs no
//! approval; reject and cancel; two racing accepts; past dates; section scoping; who is
//! notified (in-app and e-mail) and the ops events.

use chrono::{TimeZone, Utc};
use reqwest::StatusCode;
use sentinelops_domain::swap::SwapStatus;
use sentinelops_store::repo::{outbox, swaps};
use sentinelops_testkit::PASSWORD;
use sentinelops_testkit::world::{Member, World};
use serde_json::{Value, json};

pub(crate) use crate::roster::shift_id;
use crate::roster::weekdays;

const SWAPS: &str = "/api/v1/checklists/shift-swaps";
const SETTINGS: &str = "/api/v1/checklists/roster-settings";

/// Wednesday 25 November 2026, 10:00 UTC: Olu works mornings Monday to Friday from the
/// 23rd (open-ended); Ada, his colleague, has no roster.
pub(crate) async fn world() -> World {
    let w =
        World::builder().at(Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap()).cards().colleague().build().await;
    let pattern = weekdays(&w, &w.manager).await["pattern"]["id"].clone();
    let body = json!({"users": [w.operator.id], "pattern_id": pattern, "start_date": "2026-11-23",
                      "section_id": w.section});
    let (status, done) = w.srv.post("/api/v1/checklists/bulk-assign-shifts", &w.manager, body).await;
    assert_eq!(status, 200, "{done}");
    w
}

async fn offer(w: &World, who: &str, body: Value) -> (StatusCode, Value) {
    w.srv.post(SWAPS, who, body).await
}

/// Olu offers his morning of `date` (to the section, or to `to`); returns the swap's id.
async fn offered(w: &World, date: &str, to: Option<&Member>) -> String {
    let morning = shift_id(w, "MORNING").await;
    let mut body = json!({"date": date, "shift_id": morning, "note": "Dentist"});
    if let Some(to) = to {
        body["to_user_id"] = json!(to.id);
    }
    let (status, swap) = offer(w, &w.operator, body).await;
    assert_eq!(status, 200, "{swap}");
    assert_eq!(swap["status"], "OFFERED");
    swap["id"].as_str().unwrap().to_owned()
}

async fn act(w: &World, id: &str, action: &str, who: &str) -> (StatusCode, Value) {
    w.srv.post(&format!("{SWAPS}/{id}/{action}"), who, json!({})).await
}

/// The type, shift name and status of `who`'s day.
async fn my_day(w: &World, who: &str, date: &str) -> (String, String, String) {
    let (status, body) =
        w.srv.get(&format!("/api/v1/checklists/my-schedule?start_date={date}&end_date={date}"), who).await;
    assert_eq!(status, 200, "{body}");
    let day = &body["schedule"][0];
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    (text(&day["type"]), text(&day["shift_name"]), text(&day["status"]))
}

/// The users rostered on `date` in the section (the manager's view).
async fn rostered(w: &World, date: &str) -> Vec<String> {
    let (status, entries) =
        w.srv.get(&format!("/api/v1/checklists/scheduled-shifts?start_date={date}&end_date={date}"), &w.manager).await;
    assert_eq!(status, 200, "{entries}");
    entries.as_array().unwrap().iter().map(|e| e["user_id"].as_str().unwrap().to_owned()).collect()
}

/// The titles of `who`'s notifications.
async fn titles(w: &World, who: &str) -> Vec<String> {
    let (status, notes) = w.srv.get("/api/v1/notifications/?include_read=true&limit=100", who).await;
    assert_eq!(status, 200, "{notes}");
    notes.as_array().unwrap().iter().map(|n| n["title"].as_str().unwrap().to_owned()).collect()
}

/// (to, subject) of every queued e-mail.
async fn mails(w: &World) -> Vec<(String, String)> {
    let rows = outbox::list(w.srv.app.store.reader(), Some(outbox::EMAIL), None).await.unwrap();
    rows.iter()
        .map(|r| (r.payload["to"].as_str().unwrap().to_owned(), r.payload["subject"].as_str().unwrap().to_owned()))
        .collect()
}

fn mailed(mails: &[(String, String)], to: &str, subject: &str) -> bool {
    mails.iter().any(|(t, s)| t == &format!("{to}@test.local") && s.contains(subject))
}

/// The swap events recorded, sorted.
async fn event_types(w: &World) -> Vec<String> {
    let (status, page) = w.srv.get("/api/v1/ops/events?entity_type=SHIFT_SWAP&limit=100", &w.admin).await;
    assert_eq!(status, 200, "{page}");
    let mut types: Vec<String> =
        page["items"].as_array().unwrap().iter().map(|e| e["event_type"].as_str().unwrap().to_owned()).collect();
    types.sort();
    types
}

#[tokio::test]
async fn offer_accept_approve_moves_the_shift_to_the_taker_everywhere() {
    let w = world().await;
    let (olu, ada) = (&w.operator, w.colleague());
    w.template(w.section, "Morning ops", "MORNING", json!([{"title": "Check"}])).await;
    let (status, created) = w
        .srv
        .post("/api/v1/checklists/instances", &w.manager, json!({"shift": "MORNING", "checklist_date": "2026-11-26"}))
        .await;
    assert_eq!(status, 200, "{created}");
    let instance = created["id"].as_str().unwrap().to_owned();
    let participants = || async {
        let (_, view) = w.srv.get(&format!("/api/v1/checklists/instances/{instance}"), &w.manager).await;
        let mut names: Vec<String> = view["participants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["username"].as_str().unwrap().to_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(participants().await, ["olu.operator"]);

    let id = offered(&w, "2026-11-26", None).await;
    assert!(titles(&w, ada).await.contains(&"Shift offered: Morning 26 Nov".to_owned()), "the section's operators");
    assert!(!titles(&w, &w.manager).await.iter().any(|t| t.starts_with("Shift offered")), "not the managers");
    assert!(!titles(&w, &w.cards().operator).await.iter().any(|t| t.starts_with("Shift offered")));
    // The colleague sees it; another section neither sees nor takes it.
    let (_, listed) = w.srv.get(&format!("{SWAPS}?status=offered"), ada).await;
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["offered_by_name"], "olu.operator Tester");
    assert_eq!(listed[0]["note"], "Dentist");
    assert_eq!(w.srv.get(SWAPS, &w.cards().operator).await.1, json!([]));
    assert_eq!(w.srv.get(&format!("{SWAPS}?section_id={}", w.section), &w.cards().manager).await.0, 403);
    assert_eq!(act(&w, &id, "accept", &w.cards().operator).await.0, 403);
    assert_eq!(act(&w, &id, "approve", &w.manager).await.0, 409, "nobody took it yet");

    let (status, accepted) = act(&w, &id, "accept", ada).await;
    assert_eq!(status, 200, "{accepted}");
    assert_eq!((accepted["status"].clone(), accepted["taken_by"].clone()), (json!("ACCEPTED"), json!(ada.id)));
    assert!(titles(&w, olu).await.contains(&"Swap accepted: Morning 26 Nov".to_owned()));
    assert!(titles(&w, &w.manager).await.contains(&"Swap awaiting approval: Morning 26 Nov".to_owned()));
    assert_eq!(my_day(&w, olu, "2026-11-26").await.0, "SHIFT", "nothing moves before the approval");

    for (who, why) in
        [(&olu.token, "the offerer"), (&ada.token, "the taker"), (&w.cards().manager.token, "another section")]
    {
        assert_eq!(act(&w, &id, "approve", who).await.0, 403, "{why} cannot approve");
    }
    let (status, approved) = act(&w, &id, "approve", &w.manager).await;
    assert_eq!(status, 200, "{approved}");
    assert_eq!((approved["status"].clone(), approved["auto_approved"].clone()), (json!("APPROVED"), json!(false)));
    assert_eq!(approved["decided_by"], json!(w.manager.id));
    assert_eq!(act(&w, &id, "approve", &w.manager).await.0, 409, "decided once");
    assert_eq!(act(&w, &id, "cancel", olu).await.0, 409, "too late to cancel");
    for who in [olu, ada] {
        assert!(titles(&w, who).await.contains(&"Swap approved: Morning 26 Nov".to_owned()), "{}", who.username);
    }

    // The roster: the shift is Ada's that day, and only that day.
    assert_eq!(participants().await, ["ada.operator", "olu.operator"], "the taker joins; nobody is removed");
    assert_eq!(my_day(&w, olu, "2026-11-26").await, ("OFF_DAY".into(), String::new(), "SWAPPED".into()));
    assert_eq!(my_day(&w, ada, "2026-11-26").await, ("SHIFT".into(), "MORNING".into(), "SWAPPED".into()));
    assert_eq!(rostered(&w, "2026-11-26").await, [ada.id.to_string()]);
    assert_eq!(rostered(&w, "2026-11-27").await, [olu.id.to_string()]);
    // Ada may pass it on; Olu no longer has it to offer.
    let morning = shift_id(&w, "MORNING").await;
    let (status, body) = offer(&w, olu, json!({"date": "2026-11-26", "shift_id": morning})).await;
    assert_eq!(status, 404, "{body}");

    assert_eq!(event_types(&w).await, ["SHIFT_SWAP_ACCEPTED", "SHIFT_SWAP_APPROVED", "SHIFT_SWAP_OFFERED"]);
    let mails = mails(&w).await;
    assert!(mailed(&mails, "ada.operator", "Shift offered: Morning 26 Nov"), "{mails:?}");
    assert!(mailed(&mails, "mary.manager", "Swap awaiting approval"), "{mails:?}");
    assert!(mailed(&mails, "olu.operator", "Swap approved") && mailed(&mails, "ada.operator", "Swap approved"));
    assert!(!mails.iter().any(|(to, _)| to.starts_with("cara")), "{mails:?}");
}

#[tokio::test]
async fn a_section_without_approval_completes_a_swap_on_acceptance() {
    let w = world().await;
    let (olu, ada) = (&w.operator, w.colleague());
    let url = format!("{SETTINGS}/{}", w.section);
    let (status, settings) = w.srv.get(&url, olu).await;
    assert_eq!((status.as_u16(), settings["swaps_need_approval"].clone()), (200, json!(true)), "the default");
    assert_eq!(w.srv.get(&url, &w.cards().operator).await.0, 403);
    assert_eq!(w.srv.put(&url, olu, json!({"swaps_need_approval": false})).await.0, 403);
    assert_eq!(w.srv.put(&url, &w.cards().manager, json!({"swaps_need_approval": false})).await.0, 403);
    assert_eq!(w.srv.put(&url, &w.manager, json!({"swaps_need_approval": "no"})).await.0, 422);
    assert_eq!(w.srv.get(&format!("{SETTINGS}/{}", uuid::Uuid::nil()), &w.admin).await.0, 404);
    let (status, saved) = w.srv.put(&url, &w.manager, json!({"swaps_need_approval": false})).await;
    assert_eq!((status.as_u16(), saved["swaps_need_approval"].clone()), (200, json!(false)), "{saved}");
    assert_eq!(w.srv.get(&url, olu).await.1["swaps_need_approval"], false);

    // Directed at Ada: the manager may not take it; Ada's acceptance completes it.
    let id = offered(&w, "2026-11-27", Some(ada)).await;
    assert!(titles(&w, ada).await.contains(&"Shift offered: Morning 27 Nov".to_owned()));
    assert_eq!(act(&w, &id, "accept", &w.manager).await.0, 403, "offered to someone else");
    assert_eq!(act(&w, &id, "accept", olu).await.0, 422, "one's own offer");
    let (status, done) = act(&w, &id, "accept", ada).await;
    assert_eq!(status, 200, "{done}");
    assert_eq!((done["status"].clone(), done["auto_approved"].clone()), (json!("APPROVED"), json!(true)));
    assert_eq!(act(&w, &id, "approve", &w.manager).await.0, 409, "nothing left to approve");
    assert!(titles(&w, olu).await.contains(&"Swap completed: Morning 27 Nov".to_owned()));
    assert!(titles(&w, &w.manager).await.contains(&"Swap completed: Morning 27 Nov".to_owned()));
    assert_eq!(my_day(&w, ada, "2026-11-27").await.1, "MORNING");
    assert_eq!(my_day(&w, olu, "2026-11-27").await.0, "OFF_DAY");
    assert_eq!(event_types(&w).await, ["SHIFT_SWAP_ACCEPTED", "SHIFT_SWAP_APPROVED", "SHIFT_SWAP_OFFERED"]);
}

#[tokio::test]
async fn a_rejected_or_cancelled_swap_changes_nothing_and_tells_the_people_concerned() {
    let w = world().await;
    let (olu, ada) = (&w.operator, w.colleague());
    let id = offered(&w, "2026-11-27", None).await;
    assert_eq!(act(&w, &id, "accept", ada).await.0, 200);
    assert_eq!(act(&w, &id, "reject", &w.manager).await.0, 422, "a rejection says why");
    let (status, rejected) =
        w.srv.post(&format!("{SWAPS}/{id}/reject"), &w.manager, json!({"reason": "Ada is on leave"})).await;
    assert_eq!(status, 200, "{rejected}");
    assert_eq!(
        (rejected["status"].clone(), rejected["decision_reason"].clone()),
        (json!("REJECTED"), json!("Ada is on leave"))
    );
    for who in [olu, ada] {
        assert!(titles(&w, who).await.contains(&"Swap rejected: Morning 27 Nov".to_owned()));
    }
    assert_eq!(my_day(&w, olu, "2026-11-27").await.1, "MORNING");
    assert_eq!(my_day(&w, ada, "2026-11-27").await.0, "UNSCHEDULED");

    // Offered again, taken, then cancelled by Olu: Ada is told; Ada cannot cancel it.
    let id = offered(&w, "2026-11-27", None).await;
    let morning = shift_id(&w, "MORNING").await;
    assert_eq!(offer(&w, olu, json!({"date": "2026-11-27", "shift_id": morning})).await.0, 409, "offered already");
    assert_eq!(act(&w, &id, "accept", ada).await.0, 200);
    assert_eq!(act(&w, &id, "cancel", ada).await.0, 403);
    let (status, cancelled) = act(&w, &id, "cancel", olu).await;
    assert_eq!((status.as_u16(), cancelled["status"].clone()), (200, json!("CANCELLED")));
    assert!(titles(&w, ada).await.contains(&"Swap cancelled: Morning 27 Nov".to_owned()));
    assert_eq!(act(&w, &id, "cancel", olu).await.0, 409);
    assert_eq!(act(&w, &id, "accept", ada).await.0, 409);
    assert_eq!(my_day(&w, olu, "2026-11-27").await.1, "MORNING");
    // An offer nobody took: cancelled without telling anyone.
    let id = offered(&w, "2026-11-30", None).await;
    assert_eq!(act(&w, &id, "cancel", olu).await.0, 200);
    let (_, listed) = w.srv.get(&format!("{SWAPS}?status=CANCELLED&from=2026-11-27&to=2026-11-30"), &w.manager).await;
    assert_eq!(listed.as_array().unwrap().len(), 2, "{listed}");
    let types = event_types(&w).await;
    assert_eq!(types.iter().filter(|t| *t == "SHIFT_SWAP_CANCELLED").count(), 2, "{types:?}");
    assert_eq!(types.iter().filter(|t| *t == "SHIFT_SWAP_REJECTED").count(), 1, "{types:?}");
}

#[tokio::test]
async fn of_two_racing_accepts_exactly_one_wins() {
    let w = world().await;
    let (_, bea) = w.srv.user_with_token("bea.operator", "user", Some(w.section)).await;
    // Two racing offers of the same shift: one offer.
    let morning = json!({"date": "2026-11-27", "shift_id": shift_id(&w, "MORNING").await});
    let (first, second) =
        tokio::join!(offer(&w, &w.operator, morning.clone()), offer(&w, &w.operator, morning.clone()));
    let mut statuses = [first.0.as_u16(), second.0.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "{first:?} {second:?}");

    let id = offered(&w, "2026-11-26", None).await;
    let ada = w.colleague();
    let (first, second) = tokio::join!(act(&w, &id, "accept", ada), act(&w, &id, "accept", &bea));
    let mut statuses = [first.0.as_u16(), second.0.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "{first:?} {second:?}");
    let winner = if first.0 == 200 { &first.1 } else { &second.1 };
    let (_, listed) = w.srv.get(&format!("{SWAPS}?status=accepted"), &w.manager).await;
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["taken_by"], winner["taken_by"]);
    assert_eq!(event_types(&w).await.iter().filter(|t| *t == "SHIFT_SWAP_ACCEPTED").count(), 1);

    // The guard itself: a transition from a status the swap has left writes nothing.
    let store = &w.srv.app.store;
    let mut row = swaps::find(store.reader(), id.parse().unwrap()).await.unwrap().unwrap();
    row.status = SwapStatus::Cancelled.into();
    let tx = store.begin_write().await.unwrap();
    assert!(!swaps::transition(&tx, row.clone(), SwapStatus::Offered).await.unwrap());
    sentinelops_store::commit(tx).await.unwrap();
    let again = swaps::find(store.reader(), row.id).await.unwrap().unwrap();
    assert_eq!(again.status.get(), SwapStatus::Accepted);
}

#[tokio::test]
async fn past_dates_and_bad_input_are_refused_and_change_nothing() {
    let w = world().await;
    let (olu, ada) = (&w.operator, w.colleague());
    let morning = shift_id(&w, "MORNING").await;
    let night = shift_id(&w, "NIGHT").await;
    for (body, expected, why) in [
        (json!({"date": "2026-11-24", "shift_id": morning}), 422, "in the past"),
        (json!({"date": "2026-11-26", "shift_id": night}), 404, "not rostered"),
        (json!({"date": "2026-11-28", "shift_id": morning}), 404, "a Saturday off"),
        (json!({"date": "2026-11-26", "shift_id": 999}), 422, "does not exist"),
        (
            json!({"date": "2026-11-26", "shift_id": morning, "to_user_id": w.cards().operator.id}),
            422,
            "another section",
        ),
        (json!({"date": "2026-11-26", "shift_id": morning, "to_user_id": olu.id}), 422, "oneself"),
        (json!({"date": "2026-11-26", "shift_id": morning, "note": "x".repeat(501)}), 422, "a long note"),
        (json!({"date": "26/11/2026", "shift_id": morning}), 422, "a date"),
        (json!({"date": "2026-11-26"}), 422, "no shift"),
        (json!({"date": "2026-11-26", "shift_id": morning, "to_user_id": "ada"}), 422, "not an id"),
    ] {
        let (status, body) = offer(&w, olu, body).await;
        assert_eq!(status.as_u16(), expected, "{why}: {body}");
    }
    assert_eq!(offer(&w, &w.admin, json!({"date": "2026-11-26", "shift_id": morning})).await.0, 403, "no section");
    for query in ["status=maybe", "from=2026-01-01&to=2027-06-01", "from=2026-12-01&to=2026-11-01", "from=soon"] {
        assert_eq!(w.srv.get(&format!("{SWAPS}?{query}"), olu).await.0, 422, "{query}");
    }
    assert_eq!(act(&w, "not-an-id", "accept", ada).await.0, 422);
    assert_eq!(act(&w, &uuid::Uuid::nil().to_string(), "accept", ada).await.0, 404);
    assert_eq!(w.srv.get(SWAPS, &w.manager).await.1, json!([]), "nothing was written");

    // A colleague off that day cannot take it; an offer whose day has passed cannot be taken.
    let body = json!({"user_id": ada.id, "start_date": "2026-11-26", "end_date": "2026-11-26", "approved": true});
    assert_eq!(w.srv.post("/api/v1/checklists/days-off", &w.manager, body).await.0, 200);
    let id = offered(&w, "2026-11-26", None).await;
    let (status, body) = act(&w, &id, "accept", ada).await;
    assert_eq!(status, 409, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("is off that day"), "{body}");
    w.clock.set(Utc.with_ymd_and_hms(2026, 11, 27, 10, 0, 0).unwrap());
    let (_, bea) = w.srv.user_with_token("bea.operator", "user", Some(w.section)).await;
    let (status, body) = act(&w, &id, "accept", &bea).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("in the past"), "{body}");
    let manager = w.srv.login("mary.manager", PASSWORD).await;
    let (_, listed) = w.srv.get(SWAPS, &manager).await;
    assert_eq!(listed[0]["status"], "OFFERED", "{listed}");
}
