//! The UI's administration, audit and profile pages over real HTTP: admins manage
//! users, org and settings through plain forms; everyone else is refused; the audit
//! pages filter and export; the profile lists and revokes my sessions.

use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE, LOCATION};
use reqwest::{Client, Response, StatusCode, redirect};
use sentinelops_testkit::{PASSWORD, TestServer, unique};
use serde_json::Value;

/// A browser-like client signed in with the API's token as the session cookie (the
/// cookie holds the same token) and the page's CSRF token.
struct Ui {
    c: Client,
    token: String,
    csrf: String,
}

impl Ui {
    async fn sign_in(srv: &TestServer, login: &str, password: &str) -> Ui {
        let token = srv.login(login, password).await;
        let c = Client::builder().no_proxy().redirect(redirect::Policy::none()).build().unwrap();
        let mut ui = Ui { c, token, csrf: String::new() };
        let html = ui.get(srv, "/ui/profile").await.text().await.unwrap();
        let marker = "<meta name=\"csrf-token\" content=\"";
        let at = html.find(marker).unwrap() + marker.len();
        ui.csrf = html[at..].split('"').next().unwrap().to_owned();
        ui
    }

    async fn get(&self, srv: &TestServer, path: &str) -> Response {
        let cookie = format!("sentinelops_session={}", self.token);
        self.c.get(srv.url(path)).header("Cookie", cookie).send().await.unwrap()
    }

    async fn post(&self, srv: &TestServer, path: &str, fields: &[(&str, &str)]) -> Response {
        let mut form: Vec<(&str, &str)> = vec![("csrf", self.csrf.as_str())];
        form.extend_from_slice(fields);
        let cookie = format!("sentinelops_session={}", self.token);
        self.c.post(srv.url(path)).header("Cookie", cookie).form(&form).send().await.unwrap()
    }

    async fn page(&self, srv: &TestServer, path: &str) -> String {
        let response = self.get(srv, path).await;
        assert_eq!(response.status(), 200, "GET {path}");
        response.text().await.unwrap()
    }
}

fn location(response: &Response) -> String {
    response.headers().get(LOCATION).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}

async fn admin_ui(srv: &TestServer) -> Ui {
    let name = unique("adm");
    srv.create_user(&name, "admin", None).await;
    Ui::sign_in(srv, &name, PASSWORD).await
}

async fn users(srv: &TestServer, ui: &Ui) -> Vec<Value> {
    let (status, body) = srv.get("/api/v1/users", &ui.token).await;
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
    let response = admin.post(&srv, "/ui/admin/users", &form).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/ui/admin/users");

    let html = admin.page(&srv, "/ui/admin/users").await;
    assert!(html.contains("ada@bank.example") && html.contains("Treasury Ops"), "{html}");
    let token = srv.login("ada.okafor", "Str0ng-enough!").await;
    let (status, me) = srv.get("/auth/me", &token).await;
    assert_eq!(status, 200);
    assert_eq!(me["role"], "manager", "{me}");
    srv.finish().await;
}

#[tokio::test]
async fn a_bad_email_or_weak_password_is_an_inline_4xx_message_and_creates_nothing() {
    let srv = TestServer::start().await;
    let admin = admin_ui(&srv).await;
    let before = users(&srv, &admin).await.len();

    let form = new_user_form("bad.mail", "not-an-address", "Str0ng-enough!", "");
    let response = admin.post(&srv, "/ui/admin/users", &form).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("id=\"create-error\">email is not a valid e-mail address"), "{html}");
    // The form keeps what was typed (not the password).
    assert!(html.contains("value=\"bad.mail\"") && !html.contains("Str0ng-enough!"));

    let form = new_user_form("weak.pass", "weak@bank.example", "short", "");
    let response = admin.post(&srv, "/ui/admin/users", &form).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("password must be at least 8 characters"));

    // ui.js gets just the message to show inline.
    let cookie = format!("sentinelops_session={}", admin.token);
    let mut fields = vec![("csrf", admin.csrf.as_str())];
    fields.extend(new_user_form("weak.pass", "weak@bank.example", "short", ""));
    let response = admin
        .c
        .post(srv.url("/ui/admin/users"))
        .header("Cookie", cookie)
        .header("X-Requested-With", "fetch")
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let fragment = response.text().await.unwrap();
    assert!(fragment.contains("role=\"alert\">password must be at least 8 characters"), "{fragment}");
    assert!(!fragment.contains("<html"));

    assert_eq!(users(&srv, &admin).await.len(), before, "nothing was created");
    srv.finish().await;
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
    let response = admin.post(&srv, &format!("/ui/admin/users/{id}"), &fields).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, view) = srv.get(&format!("/api/v1/users/{id}"), &admin.token).await;
    assert_eq!((view["role"].as_str(), view["section_name"].as_str()), (Some("manager"), Some("Cards")), "{view}");
    assert_eq!(view["is_active"], true);

    // A bad role is the page again with the server's message; nothing changes.
    let response = admin.post(&srv, &format!("/ui/admin/users/{id}"), &[("role", "emperor"), ("active", "1")]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("role must be one of admin, manager, user"));

    // A new password works and ends the old sessions.
    let response = admin.post(&srv, &format!("/ui/admin/users/{id}/password"), &[("password", "N3w-password!")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(srv.get("/auth/me", &user_token).await.0, StatusCode::UNAUTHORIZED);
    let username = view["username"].as_str().unwrap();
    srv.login(username, "N3w-password!").await;

    // Unticking "active" deactivates.
    let response = admin.post(&srv, &format!("/ui/admin/users/{id}"), &[("role", "manager")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, view) = srv.get(&format!("/api/v1/users/{id}"), &admin.token).await;
    assert_eq!(view["is_active"], false);
    srv.finish().await;
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
    let html = admin.page(&srv, "/ui/admin/users").await;
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
    let response = admin.post(&srv, &format!("/ui/admin/users/{id}"), &fields).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, view) = srv.get(&format!("/api/v1/users/{id}"), &admin.token).await;
    let saved =
        ["first_name", "last_name", "email", "username", "position"].map(|f| view[f].as_str().unwrap().to_owned());
    assert_eq!(saved, ["Grace", "Hopper", "grace.hopper@bank.example", new_username.as_str(), "Shift lead"], "{view}");
    srv.login(&new_username, PASSWORD).await;

    // Another user's e-mail is refused with the server's message, and nothing changes.
    let taken_email = taken["email"].as_str().unwrap();
    let fields = [("first_name", "Changed"), ("email", taken_email), ("role", "user"), ("active", "1")];
    let response = admin.post(&srv, &format!("/ui/admin/users/{id}"), &fields).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert!(response.text().await.unwrap().contains("A user with this email already exists"));
    // An empty first name or e-mail is refused too: an address cannot be removed.
    for field in ["first_name", "email"] {
        let fields = [(field, " "), ("role", "user"), ("active", "1")];
        let response = admin.post(&srv, &format!("/ui/admin/users/{id}"), &fields).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{field}");
    }
    let (_, after) = srv.get(&format!("/api/v1/users/{id}"), &admin.token).await;
    assert_eq!(
        (after["first_name"].as_str(), after["email"].as_str()),
        (Some("Grace"), Some("grace.hopper@bank.example"))
    );

    // An empty position clears it.
    let response = admin
        .post(&srv, &format!("/ui/admin/users/{id}"), &[("position", ""), ("role", "user"), ("active", "1")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, after) = srv.get(&format!("/api/v1/users/{id}"), &admin.token).await;
    assert_eq!(after["position"], "", "{after}");
    srv.finish().await;
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
    let response = admin.post(&srv, &format!("/ui/admin/users/{id}"), &fields).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, view) = srv.get(&format!("/api/v1/users/{id}"), &admin.token).await;
    assert_eq!((view["role"].as_str(), view["is_active"].as_bool()), (Some("manager"), Some(true)), "{view}");
    assert_eq!((view["last_name"].as_str(), view["email"].as_str()), (Some(""), Some("")), "{view}");
    srv.finish().await;
}

#[tokio::test]
async fn revoking_a_users_sessions_makes_their_token_fail() {
    let srv = TestServer::start().await;
    let admin = admin_ui(&srv).await;
    let (user, token) = srv.user_with_token(&unique("op"), "user", None).await;
    assert_eq!(srv.get("/auth/me", &token).await.0, 200);

    let id = user["id"].as_str().unwrap();
    let response = admin.post(&srv, &format!("/ui/admin/users/{id}/revoke-sessions"), &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(srv.get("/auth/me", &token).await.0, StatusCode::UNAUTHORIZED);
    // The flash names the count on the next page.
    let cookie =
        response.headers().get_all("set-cookie").iter().any(|v| v.to_str().unwrap().starts_with("sentinelops_flash="));
    assert!(cookie);
    srv.finish().await;
}

#[tokio::test]
async fn a_manager_is_refused_every_admin_page_and_post() {
    let srv = TestServer::start().await;
    let section = srv.create_section("Branch Ops").await;
    let name = unique("mgr");
    srv.create_user(&name, "manager", Some(section)).await;
    let manager = Ui::sign_in(&srv, &name, PASSWORD).await;
    let admin = admin_ui(&srv).await;
    let before = users(&srv, &admin).await.len();

    for path in ["/ui/admin/users", "/ui/admin/org", "/ui/admin/shifts", "/ui/audit/auth", "/ui/audit/auth.csv"] {
        let response = manager.get(&srv, path).await;
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
        assert_eq!(manager.post(&srv, &path, &fields).await.status(), StatusCode::FORBIDDEN, "POST {path}");
    }
    assert_eq!(users(&srv, &admin).await.len(), before);
    let (_, tz) = srv.get("/api/v1/app-settings/timezone", &admin.token).await;
    assert_ne!(tz["timezone"], "Europe/Berlin");
    // The nav does not offer the page either; an operator does not get the audit log.
    assert!(!manager.page(&srv, "/ui/profile").await.contains("href=\"/ui/admin\""));
    let operator = unique("op");
    srv.create_user(&operator, "user", None).await;
    let operator = Ui::sign_in(&srv, &operator, PASSWORD).await;
    assert_eq!(operator.get(&srv, "/ui/audit").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(operator.get(&srv, "/ui/audit/ops.csv").await.status(), StatusCode::FORBIDDEN);
    srv.finish().await;
}

#[tokio::test]
async fn an_unknown_time_zone_is_an_inline_error_and_a_known_one_is_saved() {
    let srv = TestServer::start().await;
    let admin = admin_ui(&srv).await;

    let response = admin.post(&srv, "/ui/admin/timezone", &[("timezone", "Mars/Olympus_Mons")]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    let error = html.split("id=\"timezone-error\">").nth(1).and_then(|rest| rest.split("</p>").next()).unwrap_or("");
    assert!(error.starts_with("Unknown IANA time zone") && error.contains("Mars/Olympus_Mons"), "{html}");
    assert!(html.contains("aria-invalid=\"true\"") && html.contains("value=\"Mars/Olympus_Mons\""));

    let response = admin.post(&srv, "/ui/admin/timezone", &[("timezone", "Africa/Lagos")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let html = admin.page(&srv, "/ui/admin/shifts").await;
    assert!(html.contains("<strong id=\"current-timezone\">Africa/Lagos</strong>"), "{html}");

    // The shifts are listed (the server seeds the three); defining one again is refused inline.
    let html = admin.page(&srv, "/ui/admin/shifts").await;
    assert!(html.contains("<td>NIGHT</td>") && html.contains("<td>MORNING</td>"), "{html}");
    let shift = [("name", "NIGHT"), ("start_time", "22:00"), ("end_time", "06:00"), ("timezone", ""), ("color", "")];
    let response = admin.post(&srv, "/ui/admin/shifts", &shift).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert!(response.text().await.unwrap().contains("id=\"shift-error\">Shift NIGHT is already defined"));
    srv.finish().await;
}

#[tokio::test]
async fn departments_and_sections_are_created_and_changed_through_forms() {
    let srv = TestServer::start().await;
    let admin = admin_ui(&srv).await;
    assert_eq!(admin.post(&srv, "/ui/admin/departments", &[("name", "Operations")]).await.status(), 303);
    let (_, departments) = srv.get("/api/v1/org/departments", &admin.token).await;
    let department = departments.as_array().and_then(|d| d.iter().find(|d| d["name"] == "Operations")).cloned();
    let department_id = department.map(|d| d["id"].to_string()).unwrap_or_default();
    let fields = [("name", "Night desk"), ("department_id", department_id.as_str()), ("manager_id", "")];
    assert_eq!(admin.post(&srv, "/ui/admin/sections", &fields).await.status(), 303);
    let html = admin.page(&srv, "/ui/admin/org").await;
    assert!(html.contains("value=\"Night desk\"") && html.contains("Operations"), "{html}");
    // A duplicate is the server's message next to the form.
    let response = admin.post(&srv, "/ui/admin/sections", &fields).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let html = response.text().await.unwrap();
    assert!(html.contains("Night desk") && html.contains("already exists</p>"), "{html}");
    srv.finish().await;
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

    let html = admin.page(&srv, &format!("/ui/audit/auth?user={op}&event_type=LOGIN_SUCCESS")).await;
    assert_eq!(html.matches("<span class=\"badge status-completed\">LOGIN_SUCCESS</span>").count(), 1, "{html}");
    assert!(!html.contains("badge status-completed\">SESSION_CREATED"));
    let html = admin.page(&srv, "/ui/audit/auth?event_type=LOGIN_FAILURE").await;
    assert!(html.contains("=hyperlink(1)") && !html.contains("LOGIN_SUCCESS</span>"), "{html}");
    // Bad filters are a 422 page with the message, not a 500.
    let response = admin.get(&srv, "/ui/audit/auth?from=2026-13-40").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("From must be a date"));
    let response = admin.get(&srv, "/ui/audit/auth?event_type=NOPE").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let response = admin.get(&srv, "/ui/audit/auth.csv?event_type=LOGIN_FAILURE").await;
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
    let html = admin.page(&srv, "/ui/audit?event_type=user_created").await;
    assert!(html.contains(&format!("username: {op}")), "{html}");
    let csv = admin.get(&srv, "/ui/audit/ops.csv?event_type=USER_CREATED").await.text().await.unwrap();
    assert!(csv.starts_with("id,event_type,entity_type,entity_id,actor_id,section_id,created_at,payload"));
    assert!(csv.contains("USER_CREATED") && !csv.contains("SECTION_CREATED"));

    // By who acted: the admin's own change shows, the system's user creations do not.
    let section = admin.post(&srv, "/ui/admin/departments", &[("name", "Audit dept")]).await;
    assert_eq!(section.status(), StatusCode::SEE_OTHER);
    let me = admin.page(&srv, "/ui/profile").await;
    let admin_name = me.split("<dt>Username</dt><dd class=\"mono\">").nth(1).and_then(|r| r.split('<').next()).unwrap();
    let html = admin.page(&srv, &format!("/ui/audit?user={admin_name}")).await;
    assert!(html.contains("name: Audit dept") && !html.contains("USER_CREATED</span>"), "{html}");
    let html = admin.page(&srv, "/ui/audit?user=nobody.at.all").await;
    assert!(html.contains("No events match these filters."));
    srv.finish().await;
}

#[tokio::test]
async fn audit_pages_paginate() {
    let srv = TestServer::start().await;
    let admin = admin_ui(&srv).await;
    for _ in 0..3 {
        srv.create_user(&unique("p"), "user", None).await;
    }
    let total =
        srv.get("/api/v1/ops/events?event_type=USER_CREATED&limit=1", &admin.token).await.1["total"].as_u64().unwrap();
    assert!(total >= 4);
    // 50 a page: one page here, no "Older" link; page 2 is empty but not an error.
    let html = admin.page(&srv, "/ui/audit?event_type=USER_CREATED").await;
    assert!(html.contains("Page 1 of 1") && !html.contains("rel=\"next\""), "{html}");
    assert_eq!(admin.get(&srv, "/ui/audit?page=0").await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    srv.finish().await;
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
    let manager = Ui::sign_in(&srv, &mgr, PASSWORD).await;

    let html = manager.page(&srv, "/ui/audit").await;
    assert!(html.contains(&format!("username: {in_mine}")), "{html}");
    assert!(!html.contains(&in_theirs));
    // Asking for the other section changes nothing: the use case narrows the query.
    let html = manager.page(&srv, &format!("/ui/audit?section={theirs}")).await;
    assert!(!html.contains(&in_theirs) && html.contains(&in_mine));
    let csv = manager.get(&srv, "/ui/audit/ops.csv").await.text().await.unwrap();
    assert!(csv.contains(&in_mine) && !csv.contains(&in_theirs));
    srv.finish().await;
}

#[tokio::test]
async fn profile_lists_my_sessions_and_revokes_another_one_but_not_someone_elses() {
    let srv = TestServer::start().await;
    let me = unique("me");
    srv.create_user(&me, "user", None).await;
    let ui = Ui::sign_in(&srv, &me, PASSWORD).await;
    let other_token = srv.login(&me, PASSWORD).await;
    let (_, sessions) = srv.get("/api/v1/auth/sessions", &other_token).await;
    let other_id =
        sessions.as_array().unwrap().iter().find(|s| s["current"] == true).unwrap()["id"].as_str().unwrap().to_owned();

    let html = ui.page(&srv, "/ui/profile").await;
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
    let response = ui.post(&srv, &format!("/ui/profile/sessions/{their_id}/revoke"), &[]).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(srv.get("/auth/me", &stranger_token).await.0, 200);

    let response = ui.post(&srv, &format!("/ui/profile/sessions/{other_id}/revoke"), &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(srv.get("/auth/me", &other_token).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(srv.get("/auth/me", &ui.token).await.0, 200, "this session goes on");
    srv.finish().await;
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
    srv.finish().await;
}
