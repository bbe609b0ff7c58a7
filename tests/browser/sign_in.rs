//! Sign-in through the built-in UI (`/ui/login`): two people side by side, each in
//! their own browser session.

use sentinelops_testkit::browser::{Browser, Session};
use sentinelops_testkit::{PASSWORD, TestServer};

/// Signs in through the form and waits for the signed-in layout naming the user
/// (`main#main` alone is also on the sign-in page).
pub(crate) async fn sign_in(session: &Session, login: &str) {
    session.goto("/ui/login").await;
    session.fill("input[name=login]", login).await;
    session.fill("input[name=password]", PASSWORD).await;
    session.click("button[type=submit]").await;
    session.wait_for("main#main").await;
    session.wait_for_text("header", login).await;
}

#[tokio::test]
async fn an_operator_and_a_manager_sign_in_side_by_side() {
    let srv = TestServer::start().await;
    let section = srv.create_section("ICT Operations").await;
    // The harness names users "<username> Tester", so the header shows the username.
    srv.create_user("op.one", "user", Some(section)).await;
    srv.create_user("mgr.one", "manager", Some(section)).await;
    let browser = Browser::launch(&srv).await;
    let operator = browser.session("operator").await;
    let manager = browser.session("manager").await;

    sign_in(&operator, "op.one").await;
    sign_in(&manager, "mgr.one").await;
    assert!(!operator.path().await.starts_with("/ui/login"), "the operator left the sign-in page");
    operator.screenshot("signed-in").await;
    manager.screenshot("signed-in").await;

    // Each session keeps its own user.
    operator.goto("/ui/").await;
    operator.wait_for_text("header", "op.one").await;
    assert!(!operator.text("header").await.contains("mgr.one"));

    operator.close().await;
    manager.close().await;
    browser.close();
}
