use sentinelops_testkit::TestServer;
use serde_json::json;

use crate::admin;

#[tokio::test]
async fn the_business_time_zone_is_read_by_all_and_changed_by_admins_with_an_audit_row() {
    let srv = TestServer::start().await;
    let (_, admin_token) = admin(&srv).await;
    let (_, user_token) = srv.user_with_token("olu", "user", None).await;

    let (status, tz) = srv.get("/api/v1/app-settings/timezone", &user_token).await;
    assert_eq!(status, 200);
    assert_eq!(tz["timezone"], "UTC");
    for key in ["default_timezone", "recommended_timezones", "updated_by", "updated_at", "server_utc", "server_local"] {
        assert!(tz.get(key).is_some(), "{key} missing");
    }
    // Nobody set it: it comes from configuration.
    assert_eq!(tz["updated_by"], "environment");
    assert_eq!(tz["updated_at"], serde_json::Value::Null);
    assert_eq!(
        srv.put("/api/v1/app-settings/timezone", &user_token, json!({"timezone": "Africa/Harare"})).await.0,
        403
    );
    assert_eq!(
        srv.put("/api/v1/app-settings/timezone", &admin_token, json!({"timezone": "Mars/Olympus"})).await.0,
        422
    );
    let (status, tz) =
        srv.put("/api/v1/app-settings/timezone", &admin_token, json!({"timezone": "Africa/Harare"})).await;
    assert_eq!(status, 200);
    assert_eq!(tz["timezone"], "Africa/Harare");
    assert!(tz["server_local"].as_str().unwrap().ends_with("+02:00"));
    assert_eq!(tz["updated_by"], "root.admin", "the admin's username, not their id");
    let (_, tz) = srv.get("/api/v1/app-settings/timezone", &user_token).await;
    assert_eq!(tz["timezone"], "Africa/Harare");
    assert_eq!(tz["updated_by"], "root.admin");
    assert!(tz["updated_at"].is_string());

    let (_, events) = srv.get("/api/v1/ops/events?event_type=SETTING_UPDATED", &admin_token).await;
    assert_eq!(events["total"], 1);
    assert_eq!(events["items"][0]["payload"]["from"], "UTC");
    assert_eq!(events["items"][0]["payload"]["to"], "Africa/Harare");
}
