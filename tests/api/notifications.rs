use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use reqwest::Method;
use sentinelops_app::notifications::{self, Audience, Draft, Priority, Sent};
use sentinelops_app::users::UpdateUser;
use sentinelops_app::{Actor, RequestMeta};
use sentinelops_domain::ManualClock;
use sentinelops_testkit::{Options, PASSWORD, TestServer, at};
use serde_json::{Value, json};
use uuid::Uuid;

/// The instant these tests run at (the answers below spell it out): 17:52:30 on t0's day.
fn evening() -> DateTime<Utc> {
    at(17, 52, 30)
}

async fn start() -> (TestServer, ManualClock) {
    let clock = ManualClock::new(evening());
    let srv = TestServer::start_with(Options { clock: Some(clock.clone()), ..Default::default() }).await;
    (srv, clock)
}

/// Creates a user through the application and signs them in: (id, token).
async fn member(srv: &TestServer, username: &str, role: &str, section: Option<Uuid>) -> (Uuid, String) {
    let (user, token) = srv.user_with_token(username, role, section).await;
    (user["id"].as_str().unwrap().parse().unwrap(), token)
}

fn draft(title: &str, audience: Audience) -> Draft {
    Draft {
        title: title.to_owned(),
        message: format!("{title}: details"),
        priority: Priority::Medium,
        related_entity: "checklist_instance",
        related_id: None,
        section_id: None,
        audience,
        exclude: None,
    }
}

async fn send(srv: &TestServer, at: DateTime<Utc>, draft: Draft) -> Sent {
    notifications::send(srv.app.store.reader(), at, draft).await.unwrap()
}

async fn unread(srv: &TestServer, token: &str) -> u64 {
    let (status, body) = srv.get("/api/v1/notifications/unread/count", token).await;
    assert_eq!(status, 200, "{body}");
    body["count"].as_u64().unwrap()
}

async fn list(srv: &TestServer, query: &str, token: &str) -> Vec<Value> {
    let (status, body) = srv.get(&format!("/api/v1/notifications/{query}"), token).await;
    assert_eq!(status, 200, "{query}: {body}");
    body.as_array().unwrap().clone()
}

fn titles(items: &[Value]) -> Vec<&str> {
    items.iter().map(|n| n["title"].as_str().unwrap()).collect()
}

async fn mark_read(srv: &TestServer, id: Uuid, token: &str) -> (u16, Value) {
    let (status, body) = srv.call(Method::PATCH, &format!("/api/v1/notifications/{id}/read"), Some(token), None).await;
    (status.as_u16(), body)
}

#[tokio::test]
async fn section_alerts_reach_the_sections_managers_and_active_admins_but_never_the_actor() {
    let (srv, _) = start().await;
    let section_a = srv.create_section("Core Banking").await;
    let section_b = srv.create_section("Cards").await;
    let (manager_a1, token_a1) = member(&srv, "manager.a1", "manager", Some(section_a)).await;
    let (manager_a2, token_a2) = member(&srv, "manager.a2", "manager", Some(section_a)).await;
    let (manager_b, token_b) = member(&srv, "manager.b", "manager", Some(section_b)).await;
    let (admin_1, token_admin_1) = member(&srv, "admin.one", "admin", None).await;
    let (admin_2, token_admin_2) = member(&srv, "admin.two", "admin", None).await;
    let (admin_gone, _) = member(&srv, "admin.gone", "admin", None).await;
    let (operator, token_operator) = member(&srv, "olu.operator", "user", Some(section_a)).await;
    let deactivate = UpdateUser { is_active: Some(false), ..Default::default() };
    srv.app.update_user(&Actor::system(), admin_gone, deactivate, &RequestMeta::default()).await.unwrap();

    // manager.a1 skipped an item: the alert goes to the other manager of A and the active admins.
    let instance = Uuid::now_v7();
    let alert = Draft {
        title: "Critical checklist exception - Security and access monitoring".to_owned(),
        message: "Item 'Security and access monitoring' was marked skipped by manager.a1".to_owned(),
        priority: Priority::High,
        related_entity: "checklist_manager_alert",
        related_id: Some(instance),
        section_id: Some(section_a),
        audience: Audience::SectionManagersAndAdmins { section_id: section_a },
        exclude: Some(manager_a1),
    };
    let sent = send(&srv, evening(), alert).await;
    let expected: BTreeSet<Uuid> = [manager_a2, admin_1, admin_2].into();
    assert_eq!(sent.recipients.iter().copied().collect::<BTreeSet<_>>(), expected);
    assert_eq!(sent.recipients.len(), 3, "each recipient once");
    assert!(!sent.notification_id.is_nil());

    // Exactly one receipt per recipient, unread, stamped with the notification's time.
    let receipts = sentinelops_store::repo::notifications::receipts_of(srv.app.store.reader(), sent.notification_id)
        .await
        .unwrap();
    assert_eq!(receipts.iter().map(|r| r.user_id).collect::<BTreeSet<_>>(), expected);
    assert_eq!(receipts.len(), 3);
    assert!(receipts.iter().all(|r| !r.is_read && r.read_at.is_none() && r.created_at == evening()));

    for token in [&token_a2, &token_admin_1, &token_admin_2] {
        assert_eq!(unread(&srv, token).await, 1);
        let items = list(&srv, "", token).await;
        assert_eq!(items.len(), 1);
        assert_eq!(items[0]["id"], json!(sent.notification_id));
        assert_eq!(items[0]["priority"], "high");
        assert_eq!(items[0]["related_entity"], "checklist_manager_alert");
        assert_eq!(items[0]["related_id"], json!(instance));
    }
    for token in [&token_a1, &token_b, &token_operator] {
        assert_eq!(unread(&srv, token).await, 0);
        assert_eq!(list(&srv, "?include_read=true", token).await, Vec::<Value>::new());
    }

    // Explicit users: duplicates collapse, the actor, inactive and unknown users are skipped.
    let handover = Draft {
        exclude: Some(manager_b),
        ..draft(
            "Incoming Handover • Next Shift",
            Audience::Users(vec![operator, operator, admin_gone, manager_b, Uuid::now_v7(), manager_a1]),
        )
    };
    let sent = send(&srv, evening() + Duration::seconds(1), handover).await;
    assert_eq!(sent.recipients, vec![operator, manager_a1]);
    assert_eq!(unread(&srv, &token_operator).await, 1);
    assert_eq!(unread(&srv, &token_a1).await, 1);
    assert_eq!(unread(&srv, &token_b).await, 0);

    // Nobody left after exclusion: nothing is written.
    let lonely = Draft { exclude: Some(operator), ..draft("Only me", Audience::Users(vec![operator])) };
    let sent = send(&srv, evening() + Duration::seconds(2), lonely).await;
    assert!(sent.recipients.is_empty());
    assert!(sent.notification_id.is_nil());
    assert_eq!(unread(&srv, &token_operator).await, 1);
    let cards = draft("Cards alert", Audience::SectionManagersAndAdmins { section_id: section_b });
    let sent = send(&srv, evening(), Draft { exclude: Some(manager_b), ..cards }).await;
    assert_eq!(sent.recipients.iter().copied().collect::<BTreeSet<_>>(), [admin_1, admin_2].into());
}

#[tokio::test]
async fn each_recipient_has_their_own_read_state() {
    let (srv, clock) = start().await;
    let section = srv.create_section("Core Banking").await;
    let (_, token_1) = member(&srv, "manager.one", "manager", Some(section)).await;
    let (_, token_2) = member(&srv, "manager.two", "manager", Some(section)).await;
    let sent = send(
        &srv,
        evening(),
        draft("Checklist pending approval - NIGHT shift", Audience::SectionManagersAndAdmins { section_id: section }),
    )
    .await;
    assert_eq!(sent.recipients.len(), 2);
    assert_eq!(unread(&srv, &token_1).await, 1);
    assert_eq!(unread(&srv, &token_2).await, 1);

    clock.advance(Duration::minutes(5));
    assert_eq!(mark_read(&srv, sent.notification_id, &token_1).await.0, 200);
    assert_eq!(unread(&srv, &token_1).await, 0);
    assert_eq!(unread(&srv, &token_2).await, 1, "one manager reading does not read it for the other");

    let mine = list(&srv, "?include_read=true", &token_1).await;
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["is_read"], true);
    assert_eq!(mine[0]["created_at"], "2026-11-25T17:52:30Z");
    assert_eq!(mine[0]["updated_at"], "2026-11-25T17:57:30Z", "updated_at is when it was read");
    let theirs = list(&srv, "", &token_2).await;
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0]["id"], mine[0]["id"]);
    assert_eq!(theirs[0]["is_read"], false);
    assert_eq!(theirs[0]["updated_at"], "2026-11-25T17:52:30Z");
    assert_ne!(theirs[0]["user_id"], mine[0]["user_id"], "user_id is the recipient");
    assert_eq!(list(&srv, "", &token_1).await, Vec::<Value>::new());
}

#[tokio::test]
async fn the_list_has_the_original_shape_newest_first_with_filters_and_paging() {
    let (srv, _) = start().await;
    let (me, token) = member(&srv, "olu.operator", "user", None).await;
    let (other, _) = member(&srv, "ada.operator", "user", None).await;
    let instance = Uuid::now_v7();
    let first = Draft {
        related_id: Some(instance),
        priority: Priority::Critical,
        ..draft("First", Audience::Users(vec![me, other]))
    };
    let first = send(&srv, evening(), first).await;
    let second = send(&srv, evening() + Duration::seconds(1), draft("Second", Audience::Users(vec![me]))).await;
    send(&srv, evening() + Duration::seconds(2), draft("Third", Audience::Users(vec![me]))).await;
    // Same instant as the third: the later send comes first.
    let fourth = send(&srv, evening() + Duration::seconds(2), draft("Fourth", Audience::Users(vec![me]))).await;
    send(&srv, evening() + Duration::seconds(3), draft("Someone else's", Audience::Users(vec![other]))).await;

    let items = list(&srv, "", &token).await;
    assert_eq!(titles(&items), ["Fourth", "Third", "Second", "First"]);
    let oldest = &items[3];
    let keys: Vec<&str> = oldest.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "title",
            "message",
            "priority",
            "priority_level",
            "related_entity",
            "related_id",
            "id",
            "user_id",
            "role_id",
            "is_read",
            "created_at",
            "updated_at"
        ]
    );
    assert_eq!(
        *oldest,
        json!({
            "title": "First",
            "message": "First: details",
            // The original's channels know low, medium and high: critical goes out as
            // high, with our finer level beside it.
            "priority": "high",
            "priority_level": "critical",
            "related_entity": "checklist_instance",
            "related_id": instance,
            "id": first.notification_id,
            "user_id": me,
            "role_id": null,
            "is_read": false,
            "created_at": "2026-11-25T17:52:30Z",
            "updated_at": "2026-11-25T17:52:30Z",
        })
    );
    assert_eq!(items[0]["id"], json!(fourth.notification_id));
    assert_eq!(items[0]["related_id"], Value::Null);
    assert_eq!(items[0]["priority"], "medium");
    assert_eq!(items[0]["priority_level"], "medium");
    assert_eq!(unread(&srv, &token).await, 4);

    // Both paths answer the same.
    let (status, bare) = srv.get("/api/v1/notifications", &token).await;
    assert_eq!(status, 200);
    assert_eq!(bare, json!(items));

    // Unread only by default; read ones on request.
    assert_eq!(mark_read(&srv, second.notification_id, &token).await.0, 200);
    assert_eq!(unread(&srv, &token).await, 3);
    assert_eq!(titles(&list(&srv, "", &token).await), ["Fourth", "Third", "First"]);
    assert_eq!(
        titles(&list(&srv, "?unread_only=true&unreadOnly=true&include_read=false", &token).await),
        ["Fourth", "Third", "First"],
        "the original frontend's bell query"
    );
    assert_eq!(titles(&list(&srv, "?unread_only=1", &token).await), ["Fourth", "Third", "First"]);
    let everything = ["Fourth", "Third", "Second", "First"];
    for query in
        ["?unread_only=false", "?unreadOnly=false", "?include_read=true", "?unread_only=true&include_read=true"]
    {
        assert_eq!(titles(&list(&srv, query, &token).await), everything, "{query}");
    }
    let read = list(&srv, "?include_read=true", &token).await;
    assert_eq!(read[2]["id"], json!(second.notification_id));
    assert_eq!(read[2]["is_read"], true);
    let (_, bare) = srv.get("/api/v1/notifications?unread_only=false", &token).await;
    assert_eq!(bare, json!(read));

    // Paging.
    assert_eq!(titles(&list(&srv, "?unread_only=false&limit=2", &token).await), ["Fourth", "Third"]);
    assert_eq!(titles(&list(&srv, "?unread_only=false&limit=2&offset=2", &token).await), ["Second", "First"]);
    assert_eq!(titles(&list(&srv, "?unread_only=false&limit=2&offset=3", &token).await), ["First"]);
    assert_eq!(titles(&list(&srv, "?limit=1&offset=1", &token).await), ["Third"]);
    assert!(list(&srv, "?unread_only=false&offset=4", &token).await.is_empty());
    assert_eq!(list(&srv, "?limit=100", &token).await.len(), 3);
    assert_eq!(list(&srv, "?limit=1", &token).await.len(), 1);
    for query in ["?limit=0", "?limit=101", "?limit=-1", "?limit=ten", "?offset=-1", "?unread_only=maybe"] {
        for path in ["/api/v1/notifications/", "/api/v1/notifications"] {
            let (status, body) = srv.get(&format!("{path}{query}"), &token).await;
            assert_eq!(status, 422, "{path}{query}: {body}");
            assert!(body["detail"].is_string(), "{body}");
        }
    }
    let (_, body) = srv.get("/api/v1/notifications/?limit=101", &token).await;
    assert_eq!(body, json!({"detail": "limit must be between 1 and 100"}));
}

#[tokio::test]
async fn only_the_recipient_marks_a_notification_read_and_repeating_it_is_harmless() {
    let (srv, clock) = start().await;
    let section = srv.create_section("Core Banking").await;
    let (manager, manager_token) = member(&srv, "manager.one", "manager", Some(section)).await;
    let (_, operator_token) = member(&srv, "olu.operator", "user", Some(section)).await;
    let one = send(&srv, evening(), draft("One", Audience::Users(vec![manager]))).await;
    send(&srv, evening() + Duration::seconds(1), draft("Two", Audience::Users(vec![manager]))).await;
    assert_eq!(unread(&srv, &manager_token).await, 2);

    // Someone else's notification, an unknown one: 404, nothing changes.
    let (status, body) = mark_read(&srv, one.notification_id, &operator_token).await;
    assert_eq!((status, body), (404, json!({"detail": "Notification not found or unauthorized"})));
    let (status, body) = mark_read(&srv, Uuid::now_v7(), &manager_token).await;
    assert_eq!((status, body), (404, json!({"detail": "Notification not found or unauthorized"})));
    assert_eq!(unread(&srv, &manager_token).await, 2);

    // A malformed id: 422.
    let (status, body) =
        srv.call(Method::PATCH, "/api/v1/notifications/not-a-uuid/read", Some(&manager_token), None).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["detail"].as_str().unwrap().starts_with("Invalid path parameter"), "{body}");

    // The owner: 200, the count drops.
    clock.advance(Duration::minutes(1));
    let (status, body) = mark_read(&srv, one.notification_id, &manager_token).await;
    assert_eq!((status, body), (200, json!({"message": "Notification marked as read"})));
    assert_eq!(unread(&srv, &manager_token).await, 1);

    // Again: still 200, the first read time is kept.
    clock.advance(Duration::minutes(1));
    let (status, body) = mark_read(&srv, one.notification_id, &manager_token).await;
    assert_eq!((status, body), (200, json!({"message": "Notification marked as read"})));
    assert_eq!(unread(&srv, &manager_token).await, 1);
    let items = list(&srv, "?include_read=true", &manager_token).await;
    assert_eq!(titles(&items), ["Two", "One"]);
    assert_eq!(items[1]["is_read"], true);
    assert_eq!(items[1]["updated_at"], "2026-11-25T17:53:30Z");
    assert_eq!(items[0]["is_read"], false);
}

#[tokio::test]
async fn mark_all_read_answers_how_many_and_touches_only_the_callers_receipts() {
    let (srv, _) = start().await;
    let (me, token) = member(&srv, "manager.one", "manager", None).await;
    let (other, other_token) = member(&srv, "manager.two", "manager", None).await;
    let mut ids = Vec::new();
    for (i, title) in ["A", "B", "C", "D"].into_iter().enumerate() {
        let at = evening() + Duration::seconds(i64::try_from(i).unwrap());
        ids.push(send(&srv, at, draft(title, Audience::Users(vec![me, other]))).await.notification_id);
    }
    assert_eq!(mark_read(&srv, ids[0], &token).await.0, 200);
    assert_eq!(unread(&srv, &token).await, 3);

    let (status, body) = srv.post("/api/v1/notifications/mark-all-read", &token, json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({"message": "Marked 3 notifications as read", "updated": 3}));
    assert_eq!(unread(&srv, &token).await, 0);
    assert!(list(&srv, "", &token).await.is_empty());
    let all = list(&srv, "?include_read=true", &token).await;
    assert_eq!(titles(&all), ["D", "C", "B", "A"]);
    assert!(all.iter().all(|n| n["is_read"] == true));
    assert_eq!(unread(&srv, &other_token).await, 4, "other recipients keep their unread state");

    let (status, body) = srv.call(Method::POST, "/api/v1/notifications/mark-all-read", Some(&token), None).await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({"message": "Marked 0 notifications as read", "updated": 0}));
}

#[tokio::test]
async fn preferences_start_at_the_defaults_and_changes_persist() {
    // Operators: the report mails (for supervisors) read as off.
    let (mut srv, _) = start().await;
    let (_, token) = member(&srv, "olu.operator", "user", None).await;
    let (_, other_token) = member(&srv, "ada.operator", "user", None).await;
    let defaults = json!({
        "email_notifications": true,
        "push_notifications": true,
        "desktop_notifications": true,
        "sms_notifications": false,
        "quiet_hours_start": null,
        "quiet_hours_end": null,
        "shift_report_email": false,
        "daily_digest_email": false,
        "email_priorities": ["low", "medium", "high", "critical"],
    });
    let (status, body) = srv.get("/api/v1/notifications/preferences", &token).await;
    assert_eq!((status.as_u16(), body), (200, defaults.clone()));

    let change = json!({"sms_notifications": true, "quiet_hours_start": "22:00", "quiet_hours_end": "06:30:15"});
    let (status, body) = srv.put("/api/v1/notifications/preferences", &token, change).await;
    let expected = json!({
        "email_notifications": true,
        "push_notifications": true,
        "desktop_notifications": true,
        "sms_notifications": true,
        "quiet_hours_start": "22:00",
        "quiet_hours_end": "06:30:15",
        "shift_report_email": false,
        "daily_digest_email": false,
        "email_priorities": ["low", "medium", "high", "critical"],
    });
    assert_eq!((status.as_u16(), body), (200, expected.clone()));
    assert_eq!(srv.get("/api/v1/notifications/preferences", &token).await.1, expected);
    assert_eq!(srv.get("/api/v1/notifications/preferences", &other_token).await.1, defaults, "per user");

    // Invalid values are refused and change nothing.
    for bad in [
        json!({"quiet_hours_start": "25:00"}),
        json!({"quiet_hours_start": "7pm"}),
        json!({"quiet_hours_end": "7:00"}),
        json!({"quiet_hours_end": "07:00:60"}),
        json!({"email_notifications": false, "quiet_hours_start": "22:00:00:00"}),
        json!({"email_notifications": "no"}),
        json!({"quiet_hours_start": 2200}),
        json!({"categories": ["checklist"]}),
    ] {
        let (status, body) = srv.put("/api/v1/notifications/preferences", &token, bad.clone()).await;
        assert_eq!(status, 422, "{bad}: {body}");
        assert!(body["detail"].is_string(), "{body}");
    }
    let (_, body) = srv.put("/api/v1/notifications/preferences", &token, json!({"quiet_hours_start": "25:00"})).await;
    assert_eq!(body, json!({"detail": "quiet_hours_start must be a time of day as HH:MM or HH:MM:SS, not \"25:00\""}));
    assert_eq!(srv.get("/api/v1/notifications/preferences", &token).await.1, expected);

    // Absent fields keep their value; null clears a quiet hour.
    let (status, body) = srv
        .put(
            "/api/v1/notifications/preferences",
            &token,
            json!({"email_notifications": false, "quiet_hours_end": null}),
        )
        .await;
    assert_eq!(status, 200);
    let changed = json!({
        "email_notifications": false,
        "push_notifications": true,
        "desktop_notifications": true,
        "sms_notifications": true,
        "quiet_hours_start": "22:00",
        "quiet_hours_end": null,
        "shift_report_email": false,
        "daily_digest_email": false,
        "email_priorities": ["low", "medium", "high", "critical"],
    });
    assert_eq!(body, changed);
    let (_, body) = srv.put("/api/v1/notifications/preferences", &token, json!({})).await;
    assert_eq!(body, changed);

    // Stored in the database: a restarted server answers the same.
    let database = srv.database().clone();
    srv.stop().await;
    let again = TestServer::start_on(database, Options::default()).await;
    let token = again.login("olu.operator", PASSWORD).await;
    assert_eq!(again.get("/api/v1/notifications/preferences", &token).await.1, changed);
}

#[tokio::test]
async fn every_notification_endpoint_requires_a_session() {
    let (srv, _) = start().await;
    let (me, token) = member(&srv, "olu.operator", "user", None).await;
    let sent = send(&srv, evening(), draft("Hello", Audience::Users(vec![me]))).await;
    let read_path = format!("/api/v1/notifications/{}/read", sent.notification_id);
    let calls: Vec<(Method, &str, Option<Value>)> = vec![
        (Method::GET, "/api/v1/notifications/", None),
        (Method::GET, "/api/v1/notifications", None),
        (Method::GET, "/api/v1/notifications/?unread_only=true&unreadOnly=true&include_read=false", None),
        (Method::GET, "/api/v1/notifications/unread/count", None),
        (Method::PATCH, &read_path, None),
        (Method::POST, "/api/v1/notifications/mark-all-read", None),
        (Method::GET, "/api/v1/notifications/preferences", None),
        (Method::PUT, "/api/v1/notifications/preferences", Some(json!({"sms_notifications": true}))),
    ];
    for (method, path, body) in calls {
        for bad_token in [None, Some("not-a-real-token")] {
            let (status, answer) = srv.call(method.clone(), path, bad_token, body.clone()).await;
            assert_eq!(status, 401, "{method} {path} with {bad_token:?}: {answer}");
            assert!(answer["code"].is_string(), "{answer}");
        }
    }
    // Nothing changed.
    assert_eq!(unread(&srv, &token).await, 1);
    assert_eq!(srv.get("/api/v1/notifications/preferences", &token).await.1["sms_notifications"], false);
}
