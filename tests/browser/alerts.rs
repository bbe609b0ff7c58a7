//! Alerts in a real browser (issue 21): a manager is on the dashboard when an operator
//! fails an item; the unacknowledged-alert banner appears without a reload, the manager
//! acknowledges from it, the banner goes away and the alert's page names the owner.

use std::time::Duration;

use sentinelops_testkit::TestServer;
use sentinelops_testkit::browser::Browser;

use crate::dashboard::{fail_an_item, section_with_templates};
use crate::sign_in::sign_in;

#[tokio::test]
async fn a_manager_acknowledges_a_failure_from_the_banner() {
    let srv = TestServer::start().await;
    let operator = section_with_templates(&srv).await;
    let browser = Browser::launch(&srv).await;
    let manager = browser.session("manager").await;

    sign_in(&manager, "mary.manager").await;
    manager.goto("/ui/dashboard").await;
    manager.wait_for_text("h1", "Today").await;
    assert_eq!(manager.text("#alert-banner").await.trim(), "", "no alert yet");

    // The operator fails an item through the API; the manager's page is not reloaded.
    fail_an_item(&srv, &operator).await;

    manager.wait_for_text("#alert-banner .alert-banner", "1 unacknowledged").await;
    assert!(manager.text("#alert-banner").await.contains("Check services"));
    manager.screenshot("alert-banner").await;

    // Acknowledge, from the banner: back on the dashboard, the banner gone.
    manager.click("#alert-banner form button[type=submit]").await;
    manager.wait_for_text(".flash", "You acknowledged").await;
    assert_eq!(manager.path().await, "/ui/dashboard");
    let mut banner = manager.text("#alert-banner").await;
    for _ in 0..30 {
        if banner.trim().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        banner = manager.text("#alert-banner").await;
    }
    assert_eq!(banner.trim(), "", "the banner went away");

    // The alert's page names who owns it.
    manager.goto("/ui/alerts?status=acknowledged").await;
    manager.click(".alerts-table tbody a[href^='/ui/alerts/']").await;
    manager.wait_for_text("#alert-owner", "acknowledged by mary.manager").await;
    manager.wait_for_text("#alert-status", "Acknowledged").await;
    manager.screenshot("alert-page").await;

    manager.close().await;
    browser.close();
}
