use reqwest::Method;
use sentinelops_testkit::TestServer;

#[tokio::test]
async fn health_readiness_metrics_and_api_reference() {
    let srv = TestServer::start().await;
    let (status, health) = srv.call(Method::GET, "/health", None, None).await;
    assert_eq!(status, 200);
    assert_eq!(health["status"], "healthy");
    assert_eq!(health["database"], "connected");
    assert_eq!(health["statistics"]["users"], 0);
    assert_eq!(health["backend"], if srv.database().is_postgres() { "postgres" } else { "sqlite" });

    let (status, ready) = srv.call(Method::GET, "/health/ready", None, None).await;
    assert_eq!((status.as_u16(), ready["ready"].as_bool()), (200, Some(true)));

    let metrics = srv.client.get(srv.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("http_requests_total{method=\"GET\",route=\"/health\",status=\"200\"}"), "{metrics}");
    assert!(metrics.contains("http_request_duration_seconds_bucket"));
    assert!(metrics.contains("db_pool_connections"));

    let (status, doc) = srv.call(Method::GET, "/openapi/v1.json", None, None).await;
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in ["/auth/signin", "/api/v1/users", "/api/v1/auth/events", "/api/v1/org/sections"] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing from the OpenAPI document");
    }
    let page = srv.client.get(srv.url("/api/docs")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("SentinelOps API reference") && page.contains("/api/docs/reference.js"));
    let script = srv.client.get(srv.url("/api/docs/reference.js")).send().await.unwrap();
    assert!(script.headers()["content-type"].to_str().unwrap().starts_with("text/javascript"));
}
