//! The built-in web UI over real HTTP: cookie session, CSRF, security headers, the
//! bell's badge. Redirects are not followed, so each answer is checked as sent.

use reqwest::StatusCode;
use sentinelops_app::notifications::{self, Audience, Draft, Priority};
use sentinelops_testkit::ui::{
    UiSession, attr_after, client, cookie_value, location, login_form, post_login, set_cookie,
};
use sentinelops_testkit::{PASSWORD, TestServer};
use uuid::Uuid;

/// `n` notifications to one user, straight through the application.
pub(crate) async fn send_alerts(srv: &TestServer, user_id: Uuid, n: usize) {
    for i in 0..n {
        let draft = Draft {
            title: format!("Alert {i}"),
            message: "details".to_owned(),
            priority: Priority::Medium,
            related_entity: "checklist_instance",
            related_id: None,
            section_id: None,
            audience: Audience::Users(vec![user_id]),
            exclude: None,
        };
        notifications::send(srv.app.store.reader(), srv.app.clock.now(), draft).await.unwrap();
    }
}

#[tokio::test]
async fn a_page_without_a_session_redirects_to_sign_in_with_the_way_back() {
    let srv = TestServer::start().await;
    let c = client();
    let response = c.get(srv.url("/ui/dashboard")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/ui/login?next=/ui/dashboard");

    // A script's request gets 401 rather than a redirect it cannot show.
    let response = c.get(srv.url("/ui/notifications/badge")).header("X-Requested-With", "fetch").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    // The site's root leads to the UI when no other frontend is configured.
    let response = c.get(srv.url("/")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/ui/");
}

#[tokio::test]
async fn a_wrong_password_shows_the_apis_message_and_sets_no_session() {
    let srv = TestServer::start().await;
    srv.create_user("ui.wrong", "user", None).await;
    let c = client();
    let response = post_login(&srv, &c, "ui.wrong", "not-the-password", "").await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(set_cookie(response.headers(), "sentinelops_session").is_none());
    let html = response.text().await.unwrap();
    assert!(html.contains("Invalid email or password"), "{html}");
    // The typed login comes back; the password never does.
    assert!(html.contains("value=\"ui.wrong\""), "{html}");
    assert!(!html.contains("not-the-password"));
}

#[tokio::test]
async fn a_disabled_account_signing_in_gets_the_wrong_password_page() {
    let srv = TestServer::start().await;
    let (_, admin_token) = crate::admin(&srv).await;
    let user = srv.create_user("ui.gone", "user", None).await;
    let path = format!("/api/v1/users/{}", user["id"].as_str().unwrap());
    assert_eq!(srv.patch(&path, &admin_token, serde_json::json!({"is_active": false})).await.0, 200);
    let c = client();
    let response = post_login(&srv, &c, "ui.gone", PASSWORD, "").await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(set_cookie(response.headers(), "sentinelops_session").is_none());
    let html = response.text().await.unwrap();
    assert!(html.contains("Invalid email or password"), "{html}");
    assert!(!html.to_lowercase().contains("disabled"), "{html}");
}

#[tokio::test]
async fn signing_in_sets_an_httponly_samesite_cookie_and_goes_to_a_local_next_only() {
    let srv = TestServer::start().await;
    srv.create_user("ui.good", "user", None).await;
    let c = client();
    let response = post_login(&srv, &c, "ui.good@test.local", PASSWORD, "/ui/notifications?page=2").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/ui/notifications?page=2");
    let cookie = set_cookie(response.headers(), "sentinelops_session").unwrap();
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.split("; ").any(|a| a == attribute), "{attribute} in {cookie}");
    }
    // Local use over plain HTTP: no Secure for 127.0.0.1.
    assert!(!cookie.split("; ").any(|a| a == "Secure"), "{cookie}");
    let session = cookie_value(&cookie);
    // The cookie is a real session: the page shows the user, the API accepts it.
    let html = UiSession::with_token(&srv, &session).await.page("/ui/dashboard").await;
    assert!(html.contains("ui.good") && html.contains("<h1>Today</h1>"), "{html}");
    let (status, _) = srv.get("/auth/me", &session).await;
    assert_eq!(status, 200);

    // Another site as `next` is ignored.
    for next in ["//evil.example/ui/", "https://evil.example/", "/\\evil.example", "/api/v1/users"] {
        let response = post_login(&srv, &c, "ui.good", PASSWORD, next).await;
        assert_eq!(location(&response), "/ui/dashboard", "{next}");
    }
}

#[tokio::test]
async fn a_post_without_the_csrf_token_or_from_another_origin_is_refused() {
    let srv = TestServer::start().await;
    srv.create_user("ui.csrf", "user", None).await;
    let c = client();
    let session = UiSession::sign_in(&srv, "ui.csrf").await;
    let cookie = format!("sentinelops_session={}", session.token());
    let no_token = c.post(srv.url("/ui/logout")).header("Cookie", &cookie).send().await.unwrap();
    assert_eq!(no_token.status(), StatusCode::FORBIDDEN);
    let wrong = c.post(srv.url("/ui/logout")).header("Cookie", &cookie).form(&[("csrf", "0".repeat(64))]).send();
    assert_eq!(wrong.await.unwrap().status(), StatusCode::FORBIDDEN);
    let html = session.get("/ui/dashboard").await.text().await.unwrap();
    let token = attr_after(&html, "name=\"csrf-token\"", "content");
    let cross_site = c
        .post(srv.url("/ui/logout"))
        .header("Cookie", &cookie)
        .header("Origin", "https://evil.example")
        .form(&[("csrf", token.as_str())])
        .send();
    assert_eq!(cross_site.await.unwrap().status(), StatusCode::FORBIDDEN);
    // None of them ended the session.
    assert_eq!(srv.get("/auth/me", session.token()).await.0, 200);

    // Sign-in without the double-submit cookie is refused too.
    let (_, token) = login_form(&srv, &c).await;
    let response = c
        .post(srv.url("/ui/login"))
        .form(&[("csrf", token.as_str()), ("login", "ui.csrf"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(set_cookie(response.headers(), "sentinelops_session").is_none());
}

#[tokio::test]
async fn pages_carry_the_csp_and_no_inline_script_or_style() {
    let srv = TestServer::start().await;
    let c = client();
    let response = c.get(srv.url("/ui/login")).send().await.unwrap();
    let headers = response.headers().clone();
    let csp = headers.get("content-security-policy").unwrap().to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(headers.get("x-content-type-options").unwrap(), "nosniff");
    assert_eq!(headers.get("x-frame-options").unwrap(), "DENY");
    assert_eq!(headers.get("cache-control").unwrap(), "no-store");
    let html = response.text().await.unwrap().to_lowercase();
    assert_eq!(html.matches("<script").count(), html.matches("<script src=\"/ui/static/").count(), "{html}");
    assert!(!html.contains(" style=") && !html.contains("<style"), "{html}");
    assert!(!html.contains(" onclick=") && !html.contains(" onload=") && !html.contains(" onsubmit="), "{html}");

    // The stylesheet is served with a validator, and revalidates to 304.
    let css = c.get(srv.url("/ui/static/ui.css")).send().await.unwrap();
    assert_eq!(css.status(), 200);
    let etag = css.headers().get("etag").unwrap().clone();
    let again = c.get(srv.url("/ui/static/ui.css")).header("If-None-Match", etag).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(c.get(srv.url("/ui/static/../Cargo.toml")).send().await.unwrap().status(), 404);
}

#[tokio::test]
async fn the_bell_badge_shows_the_unread_count_capped_at_99_plus() {
    let srv = TestServer::start().await;
    let user = srv.create_user("ui.bell", "user", None).await;
    let user_id: Uuid = user["id"].as_str().unwrap().parse().unwrap();
    let session = UiSession::sign_in(&srv, "ui.bell").await;
    let badge = session.get("/ui/notifications/badge").await.text().await.unwrap();
    assert!(!badge.contains("data-count"), "{badge}");

    send_alerts(&srv, user_id, 3).await;
    let badge = session.get("/ui/notifications/badge").await.text().await.unwrap();
    assert!(badge.contains("data-count=\"3\">3<"), "{badge}");
    // The layout's bell shows the same count without script.
    let html = session.get("/ui/dashboard").await.text().await.unwrap();
    assert!(html.contains("data-count=\"3\">3<"), "{html}");
    send_alerts(&srv, user_id, 100).await;
    let badge = session.get("/ui/notifications/badge").await.text().await.unwrap();
    assert!(badge.contains(">99+<"), "{badge}");
}

#[tokio::test]
async fn signing_out_clears_the_cookie_and_ends_the_session_for_the_api_too() {
    let srv = TestServer::start().await;
    srv.create_user("ui.out", "user", None).await;
    let c = client();
    let session = UiSession::sign_in(&srv, "ui.out").await;
    let html = session.get("/ui/dashboard").await.text().await.unwrap();
    let token = attr_after(&html, "name=\"csrf-token\"", "content");
    // A browser's same-origin `Origin` is accepted.
    let response = c
        .post(srv.url("/ui/logout"))
        .header("Cookie", format!("sentinelops_session={}", session.token()))
        .header("Origin", &srv.base)
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/ui/login?signed_out=1");
    let cleared = set_cookie(response.headers(), "sentinelops_session").unwrap();
    assert!(cleared.starts_with("sentinelops_session=;") && cleared.contains("Max-Age=0"), "{cleared}");
    let (status, _) = srv.get("/auth/me", session.token()).await;
    assert_eq!(status, 401);
    let response = session.get("/ui/dashboard").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn an_unknown_ui_path_is_a_404_page_not_json() {
    let srv = TestServer::start().await;
    let c = client();
    let response = c.get(srv.url("/ui/no-such-page")).send().await.unwrap();
    assert_eq!(response.status(), 404);
    assert!(response.headers().get("content-type").unwrap().to_str().unwrap().starts_with("text/html"));
    assert!(response.text().await.unwrap().contains("Not found"));
}

#[tokio::test]
async fn the_nav_follows_the_role_and_bad_form_input_is_a_4xx_page_never_a_500() {
    let srv = TestServer::start().await;
    srv.create_user("ui.op", "user", None).await;
    srv.create_user("ui.mgr", "manager", None).await;
    let c = client();
    let op = UiSession::sign_in(&srv, "ui.op").await;
    let html = op.get("/ui/dashboard").await.text().await.unwrap();
    assert!(html.contains("href=\"/ui/checklists\"") && !html.contains("href=\"/ui/templates\""), "{html}");
    assert!(!html.contains("href=\"/ui/admin\"") && html.contains("Operator"), "{html}");
    let mgr = UiSession::sign_in(&srv, "ui.mgr").await;
    let html = mgr.get("/ui/dashboard").await.text().await.unwrap();
    assert!(html.contains("href=\"/ui/templates\"") && html.contains("href=\"/ui/audit\""), "{html}");
    assert!(!html.contains("href=\"/ui/admin\""), "{html}");

    let (cookie, token) = login_form(&srv, &c).await;
    for body in [format!("csrf={token}&login=a%00b&password=x"), format!("csrf={token}&login=%ZZ&password=%FF%FE")] {
        let response = c
            .post(srv.url("/ui/login"))
            .header("Cookie", format!("sentinelops_login_csrf={cookie}"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert!(response.status().is_client_error(), "{body}: {}", response.status());
        assert!(set_cookie(response.headers(), "sentinelops_session").is_none());
    }
}

#[tokio::test]
async fn a_flash_message_is_shown_once_escaped_in_the_status_area() {
    let srv = TestServer::start().await;
    srv.create_user("ui.flash", "user", None).await;
    let c = client();
    let session = UiSession::sign_in(&srv, "ui.flash").await;
    // "o" + hex of "Saved <b>" (what `render::redirect_with_flash` sets).
    let hex: String = "Saved <b>".bytes().map(|b| format!("{b:02x}")).collect();
    let response = c
        .get(srv.url("/ui/dashboard"))
        .header("Cookie", format!("sentinelops_session={}; sentinelops_flash=o{hex}", session.token()))
        .send()
        .await
        .unwrap();
    let cleared = set_cookie(response.headers(), "sentinelops_flash").unwrap();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    let html = response.text().await.unwrap();
    assert!(html.contains("<p class=\"flash flash-ok\">Saved &#60;b&#62;</p>"), "{html}");
    assert!(!html.contains("Saved <b>"), "{html}");
    assert!(html.contains("role=\"status\"") && html.contains("<main id=\"main\""), "{html}");
}

#[tokio::test]
async fn behind_a_proxy_the_cookie_is_secure_and_a_second_sign_in_ends_the_first_session() {
    let srv = TestServer::start().await;
    srv.create_user("ui.proxied", "user", None).await;
    let c = client();
    let (cookie, token) = login_form(&srv, &c).await;
    let response = c
        .post(srv.url("/ui/login"))
        .header("Cookie", format!("sentinelops_login_csrf={cookie}"))
        .header("X-Forwarded-Proto", "https")
        .form(&[("csrf", token.as_str()), ("login", "ui.proxied"), ("password", PASSWORD), ("next", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let first = set_cookie(response.headers(), "sentinelops_session").unwrap();
    assert!(first.split("; ").any(|a| a == "Secure"), "{first}");
    let first = cookie_value(&first);

    // The same browser signs in again while holding the first session.
    let (cookie, token) = login_form(&srv, &c).await;
    let response = c
        .post(srv.url("/ui/login"))
        .header("Cookie", format!("sentinelops_login_csrf={cookie}; sentinelops_session={first}"))
        .form(&[("csrf", token.as_str()), ("login", "ui.proxied"), ("password", PASSWORD), ("next", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let second = cookie_value(&set_cookie(response.headers(), "sentinelops_session").unwrap());
    assert_eq!(srv.get("/auth/me", &second).await.0, 200);
    assert_eq!(srv.get("/auth/me", &first).await.0, 401, "the replaced session still works");
}

#[tokio::test]
async fn a_raw_nul_in_a_form_is_a_422_and_answers_outside_the_routes_keep_the_csp() {
    let srv = TestServer::start().await;
    let c = client();
    let (cookie, token) = login_form(&srv, &c).await;
    let body = format!("csrf={token}&login=a\0b&password=x&next=");
    let response = c
        .post(srv.url("/ui/login"))
        .header("Cookie", format!("sentinelops_login_csrf={cookie}"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Sign-out is POST only: the 405 comes from the router, not a UI handler.
    let response = c.get(srv.url("/ui/logout")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    let csp = response.headers().get("content-security-policy").map(|v| v.to_str().unwrap().to_owned());
    assert!(csp.is_some_and(|v| v.contains("script-src 'self'")));
    assert_eq!(response.headers().get("cache-control").unwrap(), "no-store");
}
