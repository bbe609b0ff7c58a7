//! The UI's administration, audit and profile pages over real HTTP: admins manage
//! users, org and settings through plain forms; everyone else is refused; the audit
//! pages filter and export; the profile lists and revokes my sessions.

use reqwest::StatusCode;
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use sentinelops_testkit::ui::{UiSession, location};
use sentinelops_testkit::{PASSWORD, TestServer, unique};
use serde_json::Value;

async fn admin_ui(srv: &TestServer) -> UiSession {
    let name = unique("adm");
    srv.create_user(&name, "admin", None).await;
    UiSession::with_token(srv, &srv.login(&name, PASSWORD).await).await
}

async fn users(srv: &TestServer, ui: &UiSession) -> Vec<Value> {
    let (status, body) = srv.get("/api/v1/users", ui.token()).await;
    assert_eq!(status, 200, "{body}");
    body.as_array().unwrap().clone()
}

fn new_user_form<'a>(
    username: &'a str,
    email: &'a str,
    password: &'a str,
    section: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("first_name", "Ada"),
        ("last_name", "Okafor"),
        ("email", email),
        ("username", username),
        ("position", ""),
        ("role", "manager"),
        ("section_id", section),
        ("password", password),
    ]
}

#[tokio::test]
async fn an_admin_creates_a_user_through_the_form_and_the_user_can_sign_in() {
    let srv = TestServer::start().await;
    let section = srv.create_section("Treasury Ops").await.to_string();
    let admin = admin_ui(&srv).await;

    let form = new_user_form("ada.okafor", "ada@bank.example", "Str0ng-enough!", &section);
    let response = admin.post("/ui/admin/users", &form).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/ui/admin/users");

    let html = admin.page("/ui/admin/users").await;
    assert!(html.contains("ada@bank.example") && html.contains("Treasury Ops"), "{html}");
    let token = srv.login("ada.okafor", "Str0ng-enough!").await;
    let (status, me) = srv.get("/auth/me", &token).await;
    assert_eq!(status, 200);
    assert_eq!(me["role"], "manager", "{me}");
}

#[tokio::test]
async fn a_bad_email_or_weak_password_is_an_inline_4xx_message_and_creates_nothing() {
    let srv = TestServer::start().await;
    let admin = admin_ui(&srv).await;
    let before = users(&srv, &admin).await.len();

    let form = new_user_form("bad.mail", "not-an-address", "Str0ng-enough!", "");
    let response = admin.post("/ui/admin/users", &form).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("id=\"create-error\">email is not a valid e-mail address"), "{html}");
    // The form keeps what was typed (not the password).
    assert!(html.contains("value=\"bad.mail\"") && !html.contains("Str0ng-enough!"));

    let form = new_user_form("weak.pass", "weak@bank.example", "short", "");
    let response = admin.post("/ui/admin/users", &form).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("password must be at least 8 characters"));

    // ui.js gets just the message to show inline.
    let fields = new_user_form("weak.pass", "weak@bank.example", "short", "");
    let response = admin.post_fetch("/ui/admin/users", &fields).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let fragment = response.text().await.unwrap();
    assert!(fragment.contains("role=\"alert\">password must be at least 8 characters"), "{fragment}");
    assert!(!fragment.contains("<html"));

    assert_eq!(users(&srv, &admin).await.len(), before, "nothing was created");
}

#[tokio::test]
async fn an_admin_changes_role_section_and_active_and_sets_a_password() {
    let srv = TestServer::start().await;
    let section = srv.create_section("Cards").await;
    let admin = admin_ui(&srv).await;
    let (user, user_token) = srv.user_with_token(&unique("op"), "user", None).await;
    let id = user["id"].as_str().unwrap().to_owned();

    let section_text = section.to_string();
    let fields = [("role", "manager"), ("section_id", section_text.as_str()), ("active", "1")];
    let response = admin.post(&format!("/ui/admin/users/{id}"), &fields).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, view) = srv.get(&format!("/api/v1/users/{id}"), admin.token()).await;
    assert_eq!((view["role"].as_str(), view["section_name"].as_str()), (Some("manager"), Some("Cards")), "{view}");
    assert_eq!(view["is_active"], true);

    // A bad role is the page again with the server's message; nothing changes.
    let response = admin.post(&format!("/ui/admin/users/{id}"), &[("role", "emperor"), ("active", "1")]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("role must be one of admin, manager, user"));

    // A new password works and ends the old sessions.
    let response = admin.post(&format!("/ui/admin/users/{id}/password"), &[("password", "N3w-password!")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(srv.get("/auth/me", &user_token).await.0, StatusCode::UNAUTHORIZED);
    let username = view["username"].as_str().unwrap();
    srv.login(username, "N3w-password!").await;

    // Unticking "active" deactivates.
    let response = admin.post(&format!("/ui/admin/users/{id}"), &[("role", "manager")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, view) = srv.get(&format!("/api/v1/users/{id}"), admin.token()).await;
    assert_eq!(view["is_active"], false);
}

#[tokio::test]
async fn an_admin_corrects_a_users_name_email_username_and_position() {
    let srv = TestServer::start().await;
    let admin = admin_ui(&srv).await;
    let (user, _) = srv.user_with_token(&unique("op"), "user", None).await;
    let id = user["id"].as_str().unwrap().to_owned();
    let taken = users(&srv, &admin).await.into_iter().find(|u| u["id"] != user["id"]).unwrap();
    let new_username = unique("grace");

    // The row's form shows the current values to edit.
    let html = admin.page("/ui/admin/users").await;
    let email = user["email"].as_str().unwrap();
    assert!(
        html.contains(&format!("id=\"email-{id}\" name=\"email\" type=\"text\" inputmode=\"email\" value=\"{email}\"")),
        "{html}"
    );

    let fields = [
        ("first_name", "Grace"),
        ("last_name", "Hopper"),
        ("email", "grace.hopper@bank.example"),
        ("username", new_username.as_str()),
        ("position", "Shift lead"),
        ("role", "user"),
        ("active", "1"),
    ];
    let response = admin.post(&format!("/ui/admin/users/{id}"), &fields).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, view) = srv.get(&format!("/api/v1/users/{id}"), admin.token()).await;
    let saved =
        ["first_name", "last_name", "email", "username", "position"].map(|f| view[f].as_str().unwrap().to_owned());
    assert_eq!(saved, ["Grace", "Hopper", "grace.hopper@bank.example", new_username.as_str(), "Shift lead"], "{view}");
    srv.login(&new_username, PASSWORD).await;

    // Another user's e-mail is refused with the server's message, and nothing changes.
    let taken_email = taken["email"].as_str().unwrap();
    let fields = [("first_name", "Changed"), ("email", taken_email), ("role", "user"), ("active", "1")];
    let response = admin.post(&format!("/ui/admin/users/{id}"), &fields).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert!(response.text().await.unwrap().contains("A user with this email already exists"));
    // An empty first name or e-mail is refused too: an address cannot be removed.
    for field in ["first_name", "email"] {
        let fields = [(field, " "), ("role", "user"), ("active", "1")];
        let response = admin.post(&format!("/ui/admin/users/{id}"), &fields).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{field}");
    }
    let (_, after) = srv.get(&format!("/api/v1/users/{id}"), admin.token()).await;
    assert_eq!(
        (after["first_name"].as_str(), after["email"].as_str()),
        (Some("Grace"), Some("grace.hopper@bank.example"))
    );

    // An empty position clears it.
    let response =
        admin.post(&format!("/ui/admin/users/{id}"), &[("position", ""), ("role", "user"), ("active", "1")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, after) = srv.get(&format!("/api/v1/users/{id}"), admin.token()).await;
    assert_eq!(after["position"], "", "{after}");
}

#[tokio::test]
async fn a_user_imported_without_a_last_name_or_e_mail_is_still_managed_through_the_form() {
    let srv = TestServer::start().await;
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/legacy-files");
    srv.create_section("ICT Operations").await;
    srv.app.import_legacy(&fixtures, "ICT Operations", false).await.expect("legacy import");
    let admin = admin_ui(&srv).await;
    let imported = users(&srv, &admin)
        .await
        .into_iter()
        .find(|u| u["last_name"] == "" && u["email"] == "")
        .expect("the legacy files name someone by id alone: imported without a last name or e-mail");
    let id = imported["id"].as_str().unwrap().to_owned();
    let shown = |field: &str| imported[field].as_str().unwrap_or_default().to_owned();
    let (first, last, username, position) =
        (shown("first_name"), shown("last_name"), shown("username"), shown("position"));

    // The form as the page shows it, with only the role and the active box changed.
    let fields = [
        ("first_name", first.as_str()),
        ("last_name", last.as_str()),
        ("email", ""),
        ("username", username.as_str()),
        ("position", position.as_str()),
        ("role", "manager"),
        ("active", "1"),
    ];
    let response = admin.post(&format!("/ui/admin/users/{id}"), &fields).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, view) = srv.get(&format!("/api/v1/users/{id}"), admin.token()).await;
    assert_eq!((view["role"].as_str(), view["is_active"].as_bool()), (Some("manager"), Some(true)), "{view}");
    assert_eq!((view["last_name"].as_str(), view["email"].as_str()), (Some(""), Some("")), "{view}");
}

#[tokio::test]
async fn revoking_a_users_sessions_makes_their_token_fail() {
    let srv = TestServer::start().await;
    let admin = admin_ui(&srv).await;
    let (user, token) = srv.user_with_token(&unique("op"), "user", None).await;
    assert_eq!(srv.get("/auth/me", &token).await.0, 200);

    let id = user["id"].as_str().unwrap();
    let response = admin.post(&format!("/ui/admin/users/{id}/revoke-sessions"), &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(srv.get("/auth/me", &token).await.0, StatusCode::UNAUTHORIZED);
    // The flash names the count on the next page.
    let cookie =
        response.headers().get_all("set-cookie").iter().any(|v| v.to_str().unwrap().starts_with("sentinelops_flash="));
    assert!(cookie);
}

#[tokio::test]
async fn a_manager_is_refused_every_admin_page_and_post() {
    let srv = TestServer::start().await;
    let section = srv.create_section("Branch Ops").await;
    let name = unique("mgr");
    srv.create_user(&name, "manager", Some(section)).await;
    let manager = UiSession::with_token(&srv, &srv.login(&name, PASSWORD).await).await;
    let admin = admin_ui(&srv).await;
    let before = users(&srv, &admin).await.len();

    for path in ["/ui/admin/users", "/ui/admin/org", "/ui/admin/shifts", "/ui/audit/auth", "/ui/audit/auth.csv"] {
        let response = manager.get(path).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "GET {path}");
        assert!(response.text().await.unwrap().contains("Not allowed"), "{path}");
    }
    let target = users(&srv, &admin).await[0]["id"].as_str().unwrap().to_owned();
    let form = new_user_form("sneaky", "sneaky@bank.example", "Str0ng-enough!", "");
    let posts: Vec<(String, Vec<(&str, &str)>)> = vec![
        ("/ui/admin/users".into(), form),
        (format!("/ui/admin/users/{target}"), vec![("role", "user")]),
        (format!("/ui/admin/users/{target}/password"), vec![("password", "Str0ng-enough!")]),
        (format!("/ui/admin/users/{target}/revoke-sessions"), vec![]),
        ("/ui/admin/departments".into(), vec![("name", "Shadow")]),
        ("/ui/admin/sections".into(), vec![("name", "Shadow")]),
        ("/ui/admin/shifts".into(), vec![("name", "NIGHT"), ("start_time", "22:00"), ("end_time", "06:00")]),
        ("/ui/admin/timezone".into(), vec![("timezone", "Europe/Berlin")]),
    ];
    for (path, fields) in posts {
        assert_eq!(manager.post(&path, &fields).await.status(), StatusCode::FORBIDDEN, "POST {path}");
    }
    assert_eq!(users(&srv, &admin).await.len(), before);
    let (_, tz) = srv.get("/api/v1/app-settings/timezone", admin.token()).await;
    assert_ne!(tz["timezone"], "Europe/Berlin");
    // The nav does not offer the page either; an operator does not get the audit log.
    assert!(!manager.page("/ui/profile").await.contains("href=\"/ui/admin\""));
    let operator = unique("op");
    srv.create_user(&operator, "user", None).await;
    let operator = UiSession::with_token(&srv, &srv.login(&operator, PASSWORD).await).await;
    assert_eq!(operator.get("/ui/audit").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(operator.get("/ui/audit/ops.csv").await.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_unknown_time_zone_is_an_inline_error_and_a_known_one_is_saved() {
    let srv = TestServer::start().await;
    let admin = admin_ui(&srv).await;

    let response = admin.post("/ui/admin/timezone", &[("timezone", "Mars/Olympus_Mons")]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    let error = html.split("id=\"timezone-error\">").nth(1).and_then(|rest| rest.split("</p>").next()).unwrap_or("");
    assert!(error.starts_with("Unknown IANA time zone") && error.contains("Mars/Olympus_Mons"), "{html}");
    assert!(html.contains("aria-invalid=\"true\"") && html.contains("value=\"Mars/Olympus_Mons\""));

    let response = admin.post("/ui/admin/timezone", &[("timezone", "Africa/Lagos")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let html = admin.page("/ui/admin/shifts").await;
    assert!(html.contains("<strong id=\"current-timezone\">Africa/Lagos</strong>"), "{html}");

    // The shifts are listed (the server seeds the three); defining one again is refused inline.
    let html = admin.page("/ui/admin/shifts").await;
    assert!(html.contains("<td>NIGHT</td>") && html.contains("<td>MORNING</td>"), "{html}");
    let shift = [("name", "NIGHT"), ("start_time", "22:00"), ("end_time", "06:00"), ("timezone", ""), ("color", "")];
    let response = admin.post("/ui/admin/shifts", &shift).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert!(response.text().await.unwrap().contains("id=\"shift-error\">Shift NIGHT is already defined"));
}

#[tokio::test]
async fn departments_and_sections_are_created_and_changed_through_forms() {
    let srv = TestServer::start().await;
    let admin = admin_ui(&srv).await;
    assert_eq!(admin.post("/ui/admin/departments", &[("name", "Operations")]).await.status(), 303);
    let (_, departments) = srv.get("/api/v1/org/departments", admin.token()).await;
    let department = departments.as_array().and_then(|d| d.iter().find(|d| d["name"] == "Operations")).cloned();
    let department_id = department.map(|d| d["id"].to_string()).unwrap_or_default();
    let fields = [("name", "Night desk"), ("department_id", department_id.as_str()), ("manager_id", "")];
    assert_eq!(admin.post("/ui/admin/sections", &fields).await.status(), 303);
    let html = admin.page("/ui/admin/org").await;
    assert!(html.contains("value=\"Night desk\"") && html.contains("Operations"), "{html}");
    // A duplicate is the server's message next to the form.
    let response = admin.post("/ui/admin/sections", &fields).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let html = response.text().await.unwrap();
    assert!(html.contains("Night desk") && html.contains("already exists</p>"), "{html}");
}

#[tokio::test]
async fn audit_filters_and_csv_export_with_neutralised_cells() {
    let srv = TestServer::start().await;
    let admin = admin_ui(&srv).await;
    let op = unique("op");
    srv.create_user(&op, "user", None).await;
    srv.login(&op, PASSWORD).await;
    // A failed sign-in whose login is a spreadsheet formula.
    let (status, _) = srv
        .call(
            reqwest::Method::POST,
            "/auth/signin",
            None,
            Some(serde_json::json!({"email": "=HYPERLINK(1)", "password": "nope-nope"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let html = admin.page(&format!("/ui/audit/auth?user={op}&event_type=LOGIN_SUCCESS")).await;
    assert_eq!(html.matches("<span class=\"badge status-completed\">LOGIN_SUCCESS</span>").count(), 1, "{html}");
    assert!(!html.contains("badge status-completed\">SESSION_CREATED"));
    let html = admin.page("/ui/audit/auth?event_type=LOGIN_FAILURE").await;
    assert!(html.contains("=hyperlink(1)") && !html.contains("LOGIN_SUCCESS</span>"), "{html}");
    // Bad filters are a 422 page with the message, not a 500.
    let response = admin.get("/ui/audit/auth?from=2026-13-40").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("From must be a date"));
    let response = admin.get("/ui/audit/auth?event_type=NOPE").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let response = admin.get("/ui/audit/auth.csv?event_type=LOGIN_FAILURE").await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()[CONTENT_TYPE].to_str().unwrap().starts_with("text/csv"));
    assert!(response.headers()[CONTENT_DISPOSITION].to_str().unwrap().starts_with("attachment"));
    let csv = response.text().await.unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("id,event_type,event_time,user_id,username,ip_address,user_agent,session_id,metadata")
    );
    assert!(csv.contains(",'=hyperlink(1),"), "{csv}");
    assert!(!csv.contains("LOGIN_SUCCESS"));

    // Ops events: a created user is there, by type and on the CSV.
    let html = admin.page("/ui/audit?event_type=user_created").await;
    assert!(html.contains(&format!("username: {op}")), "{html}");
    let csv = admin.get("/ui/audit/ops.csv?event_type=USER_CREATED").await.text().await.unwrap();
    assert!(csv.starts_with("id,event_type,entity_type,entity_id,actor_id,section_id,created_at,payload"));
    assert!(csv.contains("USER_CREATED") && !csv.contains("SECTION_CREATED"));

    // By who acted: the admin's own change shows, the system's user creations do not.
    let section = admin.post("/ui/admin/departments", &[("name", "Audit dept")]).await;
    assert_eq!(section.status(), StatusCode::SEE_OTHER);
    let me = admin.page("/ui/profile").await;
    let admin_name = me.split("<dt>Username</dt><dd class=\"mono\">").nth(1).and_then(|r| r.split('<').next()).unwrap();
    let html = admin.page(&format!("/ui/audit?user={admin_name}")).await;
    assert!(html.contains("name: Audit dept") && !html.contains("USER_CREATED</span>"), "{html}");
    let html = admin.page("/ui/audit?user=nobody.at.all").await;
    assert!(html.contains("No events match these filters."));
}

#[tokio::test]
async fn audit_pages_paginate() {
    let srv = TestServer::start().await;
    let admin = admin_ui(&srv).await;
    for _ in 0..3 {
        srv.create_user(&unique("p"), "user", None).await;
    }
    let total =
        srv.get("/api/v1/ops/events?event_type=USER_CREATED&limit=1", admin.token()).await.1["total"].as_u64().unwrap();
    assert!(total >= 4);
    // 50 a page: one page here, no "Older" link; page 2 is empty but not an error.
    let html = admin.page("/ui/audit?event_type=USER_CREATED").await;
    assert!(html.contains("Page 1 of 1") && !html.contains("rel=\"next\""), "{html}");
    assert_eq!(admin.get("/ui/audit?page=0").await.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_manager_sees_only_their_sections_ops_events() {
    let srv = TestServer::start().await;
    let mine = srv.create_section("Mine").await;
    let theirs = srv.create_section("Theirs").await;
    let mgr = unique("mgr");
    srv.create_user(&mgr, "manager", Some(mine)).await;
    let in_mine = unique("inmine");
    let in_theirs = unique("intheirs");
    srv.create_user(&in_mine, "user", Some(mine)).await;
    srv.create_user(&in_theirs, "user", Some(theirs)).await;
    let manager = UiSession::with_token(&srv, &srv.login(&mgr, PASSWORD).await).await;

    let html = manager.page("/ui/audit").await;
    assert!(html.contains(&format!("username: {in_mine}")), "{html}");
    assert!(!html.contains(&in_theirs));
    // Asking for the other section changes nothing: the use case narrows the query.
    let html = manager.page(&format!("/ui/audit?section={theirs}")).await;
    assert!(!html.contains(&in_theirs) && html.contains(&in_mine));
    let csv = manager.get("/ui/audit/ops.csv").await.text().await.unwrap();
    assert!(csv.contains(&in_mine) && !csv.contains(&in_theirs));
}

#[tokio::test]
async fn profile_lists_my_sessions_and_revokes_another_one_but_not_someone_elses() {
    let srv = TestServer::start().await;
    let me = unique("me");
    srv.create_user(&me, "user", None).await;
    let ui = UiSession::with_token(&srv, &srv.login(&me, PASSWORD).await).await;
    let other_token = srv.login(&me, PASSWORD).await;
    let (_, sessions) = srv.get("/api/v1/auth/sessions", &other_token).await;
    let other_id =
        sessions.as_array().unwrap().iter().find(|s| s["current"] == true).unwrap()["id"].as_str().unwrap().to_owned();

    let html = ui.page("/ui/profile").await;
    assert!(html.contains(&format!("id=\"session-{other_id}\"")), "{html}");
    assert_eq!(html.matches("This session</span>").count(), 1);
    assert!(html.contains(&format!("action=\"/ui/profile/sessions/{other_id}/revoke\"")));
    // My sign-ins: the two successes.
    assert_eq!(html.matches("LOGIN_SUCCESS</span>").count(), 2, "{html}");

    // Someone else's session is not mine to end.
    let stranger = unique("st");
    let (_, stranger_token) = srv.user_with_token(&stranger, "user", None).await;
    let (_, theirs) = srv.get("/api/v1/auth/sessions", &stranger_token).await;
    let their_id = theirs[0]["id"].as_str().unwrap().to_owned();
    let response = ui.post(&format!("/ui/profile/sessions/{their_id}/revoke"), &[]).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(srv.get("/auth/me", &stranger_token).await.0, 200);

    let response = ui.post(&format!("/ui/profile/sessions/{other_id}/revoke"), &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(srv.get("/auth/me", &other_token).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(srv.get("/auth/me", ui.token()).await.0, 200, "this session goes on");
}

#[tokio::test]
async fn my_sign_ins_are_only_my_own() {
    let srv = TestServer::start().await;
    let (a, a_token) = srv.user_with_token(&unique("a"), "user", None).await;
    srv.user_with_token(&unique("b"), "user", None).await;
    let a_name = a["username"].as_str().unwrap();
    let _ = srv
        .call(
            reqwest::Method::POST,
            "/auth/signin",
            None,
            Some(serde_json::json!({"email": a_name, "password": "wrong-wrong"})),
        )
        .await;
    let meta = sentinelops_app::RequestMeta::default();
    let actor = srv.app.authenticate(&a_token, &meta).await.unwrap();
    let events = srv.app.my_sign_ins(&actor, 50).await.unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(kinds, ["LOGIN_FAILURE", "LOGIN_SUCCESS"], "newest first, sign-ins only");
    assert!(events.iter().all(|e| e.user_id == Some(actor.user_id)));
}
