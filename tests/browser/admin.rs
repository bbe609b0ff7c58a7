//! Administration in a real browser: an admin creates a user through the form and that
//! user signs in in a second browser session; the new user ends another of their own
//! sessions from the profile page. Screenshots of the users, sections, shifts and
//! time zone, audit and profile pages.

use sentinelops_testkit::browser::{Browser, Session};
use sentinelops_testkit::{Options, PASSWORD, TestServer};
use sentinelops_web::WebConfig;

async fn sign_in(session: &Session, login: &str, password: &str) {
    session.goto("/ui/login").await;
    session.fill("input[name=login]", login).await;
    session.fill("input[name=password]", password).await;
    session.click("button[type=submit]").await;
    session.wait_for_text("header .user-name", login).await;
}

#[tokio::test]
async fn an_admin_creates_a_user_who_then_signs_in_and_revokes_another_session() {
    // Open pages check their session every 300 ms (a minute by default).
    let web = WebConfig { live_session_recheck: std::time::Duration::from_millis(300), ..WebConfig::default() };
    let srv = TestServer::start_with(Options { web: Some(web), ..Options::default() }).await;
    let section = srv.create_section("Treasury Ops").await;
    srv.create_user("root.admin", "admin", None).await;
    srv.create_user("mgr.treasury", "manager", Some(section)).await;
    let browser = Browser::launch(&srv).await;
    let admin = browser.session("admin").await;
    sign_in(&admin, "root.admin", PASSWORD).await;

    // The form, submitted by ui.js (fetch, then the page again with the flash).
    admin.goto("/ui/admin/users").await;
    admin.fill("#new-first", "Ada").await;
    admin.fill("#new-last", "Okafor").await;
    admin.fill("#new-email", "ada@bank.example").await;
    admin.fill("#new-username", "ada.okafor").await;
    admin.fill("#new-password", "short").await;
    admin.click("#create-user-form button[type=submit]").await;
    // A weak password: the server's message inline, nothing created.
    admin.wait_for_text("#create-user-form [data-form-error]", "password must be at least 8 characters").await;
    assert!(!admin.text(".users-table").await.contains("ada.okafor"));
    admin.fill("#new-password", "Str0ng-enough!").await;
    admin.click("#create-user-form button[type=submit]").await;
    admin.wait_for_text(".flash-area", "User ada.okafor created.").await;
    admin.wait_for_text(".users-table", "ada@bank.example").await;
    admin.screenshot("users").await;

    // A new password, confirmed in its dialog.
    let admin_token = srv.login("root.admin", PASSWORD).await;
    let (_, users) = srv.get("/api/v1/users", &admin_token).await;
    let ada = users.as_array().and_then(|u| u.iter().find(|u| u["username"] == "ada.okafor")).cloned().unwrap();
    let ada_id = ada["id"].as_str().unwrap();
    admin.click(&format!("#user-{ada_id} summary")).await;
    admin.click(&format!("#user-{ada_id} button[data-open-dialog=password-{ada_id}]")).await;
    admin.fill(&format!("#password-{ada_id}-field"), "Str0nger-still!").await;
    admin.screenshot("password-dialog").await;
    admin.click(&format!("#password-{ada_id} button[type=submit]")).await;
    admin.wait_for_text(".flash-area", "New password set for ada.okafor").await;

    for (path, heading, shot) in [
        ("/ui/admin/org", "Sections", "sections"),
        ("/ui/admin/shifts", "Business time zone", "shifts-timezone"),
        ("/ui/audit", "Operational events", "audit"),
    ] {
        admin.goto(path).await;
        admin.wait_for_text("main h2", heading).await;
        admin.screenshot(shot).await;
    }
    // The audit log names the new user.
    admin.goto("/ui/audit?event_type=USER_CREATED").await;
    admin.wait_for_text(".audit-table", "username: ada.okafor").await;

    // The new user, on a wall screen showing the dashboard, in a second browser, and with
    // another session open elsewhere (the API).
    let wall = browser.session("wall").await;
    sign_in(&wall, "ada.okafor", "Str0nger-still!").await;
    wall.goto("/ui/dashboard").await;
    wall.wait_for("main h1").await;
    let other_token = srv.login("ada.okafor", "Str0nger-still!").await;
    let ada = browser.session("ada").await;
    sign_in(&ada, "ada.okafor", "Str0nger-still!").await;
    let (_, sessions) = srv.get("/api/v1/auth/sessions", &other_token).await;
    let other = sessions.as_array().and_then(|s| s.iter().find(|s| s["current"] == true)).cloned().unwrap();
    let other_id = other["id"].as_str().unwrap();

    ada.goto("/ui/profile").await;
    ada.wait_for_text(".current-session", "This session").await;
    ada.screenshot("profile").await;
    ada.click(&format!("#session-{other_id} button[data-open-dialog]")).await;
    ada.click(&format!("#revoke-{other_id} button[type=submit]")).await;
    ada.wait_for_text(".flash-area", "Session ended.").await;
    ada.wait_for_text(&format!("#session-{other_id}"), "Ended").await;
    assert_eq!(srv.get("/auth/me", &other_token).await.0, 401, "the revoked session no longer works");
    assert!(ada.path().await.starts_with("/ui/profile"), "this session goes on");

    // The wall screen's session (ada's oldest) is ended too: its open page learns it
    // from the live stream and goes to the sign-in page by itself.
    let began =
        |s: &serde_json::Value| chrono::DateTime::parse_from_rfc3339(s["created_at"].as_str().unwrap()).unwrap();
    let oldest = sessions.as_array().and_then(|s| s.iter().min_by_key(|s| began(s))).expect("ada's sessions");
    let wall_id = oldest["id"].as_str().unwrap().to_owned();
    assert_ne!(wall_id, other_id);
    ada.goto("/ui/profile").await;
    ada.click(&format!("#session-{wall_id} button[data-open-dialog]")).await;
    ada.click(&format!("#revoke-{wall_id} button[type=submit]")).await;
    ada.wait_for_text(&format!("#session-{wall_id}"), "Ended").await;
    wall.wait_for("input[name=password]").await;
    assert!(wall.path().await.starts_with("/ui/login"), "the wall screen shows the sign-in page");
    wall.close().await;

    ada.close().await;
    admin.close().await;
    browser.close();
}
