//! Proves the harness on pages that exist today: the API reference (rendered by its
//! script from the OpenAPI document) and the health endpoint.

use std::time::Duration;

use sentinelops_testkit::TestServer;
use sentinelops_testkit::browser::Browser;

#[tokio::test]
async fn api_reference_renders_and_filters_in_a_real_browser() {
    let srv = TestServer::start().await;
    let browser = Browser::launch(&srv).await;
    let reader = browser.session("reader").await;

    reader.goto("/api/docs").await;
    reader.wait_for_text("h1", "SentinelOps API reference").await;
    // Only the page's script puts operations in: this waits for JavaScript and a fetch.
    let signin = reader.wait_for_text("#reference summary", "/auth/signin").await;
    assert!(reader.text("#reference").await.contains("/api/v1/users"));

    // Typing in the filter hides the operations that do not match.
    reader.fill("#filter", "signin").await;
    reader.wait_for("#reference details[hidden]").await;
    assert!(signin.is_displayed().await.unwrap(), "the matching operation stays visible");
    let shot = reader.screenshot("filtered").await;
    let png = std::fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG"), "{} is not a PNG", shot.display());

    // A second session is another user: nothing of the first one's storage.
    reader.client().execute("document.cookie = 'seen=1; path=/'", vec![]).await.unwrap();
    let other = browser.session("other").await;
    other.goto("/health").await;
    other.wait_for_text("body", "\"healthy\"").await;
    let cookies = other.client().execute("return document.cookie", vec![]).await.unwrap();
    assert_eq!(cookies, "", "sessions must not share a profile");
    assert_eq!(other.path().await, "/health");

    other.close().await;
    reader.close().await;
    browser.close();
}

/// A step that cannot succeed fails within its bound, naming the selector.
#[tokio::test]
#[should_panic(expected = "no element matches `#not-on-this-page`")]
async fn a_missing_element_fails_the_test_with_its_selector() {
    let srv = TestServer::start().await;
    let browser = Browser::launch(&srv).await;
    let mut visitor = browser.session("visitor").await;
    visitor.set_wait(Duration::from_millis(500));
    visitor.goto("/api/docs").await;
    visitor.wait_for("#not-on-this-page").await;
}
