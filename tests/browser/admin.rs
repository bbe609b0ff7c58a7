//! Administration in a real browser: an admin creates a user through the form and that
//! user signs in in a second browser session; the new user ends another of their own
//! sessions from the profile page. Screenshots of the users, sections, shifts and
//! time zone, audit and profile pages.

use sentinelops_testkit::browser::{Browser, Session};
use sentinelops_testkit::{PASSWORD, TestServer};

async fn sign_in(session: &Session, login: &str, password: &str) {
    session.goto("/ui/login").await;
    session.fill("input[name=login]", login).await;
    session.fill("input[name=password]", password).await;
    session.click("button[type=submit]").await;
    session.wait_for_text("header .user-name", login).await;
}

#[tokio::test]
async fn an_admin_creates_a_user_who_then_signs_in_and_revokes_another_session() {
    let srv = TestServer::start().await;
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

    // The new user, in a second browser, with another session open elsewhere (the API).
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

    ada.close().await;
    admin.close().await;
    browser.close();
    srv.finish().await;
}
