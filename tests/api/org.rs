use sentinelops_testkit::TestServer;
use serde_json::json;

use crate::admin;

#[tokio::test]
async fn admins_manage_departments_and_sections_everyone_reads_them() {
    let srv = TestServer::start().await;
    let (_, admin_token) = admin(&srv).await;
    let (_, user_token) = srv.user_with_token("olu", "user", None).await;

    let (status, ict) = srv.post("/api/v1/org/departments", &admin_token, json!({"department_name": "ICT"})).await;
    assert_eq!(status, 201, "{ict}");
    assert_eq!(ict["department_name"], "ICT");
    let ict_id = ict["id"].as_i64().unwrap();
    assert_eq!(srv.post("/api/v1/org/departments", &admin_token, json!({"name": "ICT"})).await.0, 409);
    assert_eq!(srv.post("/api/v1/org/departments", &admin_token, json!({"name": "  "})).await.0, 422);
    assert_eq!(srv.post("/api/v1/org/departments", &user_token, json!({"name": "Shadow IT"})).await.0, 403);

    let (status, sysops) = srv
        .post("/api/v1/org/sections", &admin_token, json!({"section_name": "SysOps", "department_id": ict_id}))
        .await;
    assert_eq!(status, 201, "{sysops}");
    assert_eq!(sysops["department_id"], ict_id);
    assert_eq!(srv.post("/api/v1/org/sections", &admin_token, json!({"name": "X", "department_id": 999})).await.0, 422);
    assert_eq!(srv.post("/api/v1/org/sections", &admin_token, json!({"name": "SysOps"})).await.0, 409);
    assert_eq!(srv.post("/api/v1/org/sections", &user_token, json!({"name": "Mine"})).await.0, 403);

    let (status, list) = srv.get("/api/v1/org/departments", &user_token).await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 1);
    let (_, by_dept) = srv.get(&format!("/api/v1/org/sections/by-department/{ict_id}"), &user_token).await;
    assert_eq!(by_dept[0]["section_name"], "SysOps");
    let (_, filtered) = srv.get(&format!("/api/v1/org/sections?department_id={ict_id}"), &user_token).await;
    assert_eq!(filtered.as_array().unwrap().len(), 1);
    let (_, none) = srv.get("/api/v1/org/sections?department_id=999", &user_token).await;
    assert_eq!(none, json!([]));
    assert_eq!(srv.get("/api/v1/org/sections?department_id=abc", &user_token).await.0, 422);

    let section_path = format!("/api/v1/org/sections/{}", sysops["id"].as_str().unwrap());
    let (status, renamed) = srv.patch(&section_path, &admin_token, json!({"name": "Systems Operations"})).await;
    assert_eq!(status, 200);
    assert_eq!(renamed["section_name"], "Systems Operations");
    assert_eq!(srv.patch(&section_path, &user_token, json!({"name": "Mine"})).await.0, 403);
    let (status, dept) =
        srv.patch(&format!("/api/v1/org/departments/{ict_id}"), &admin_token, json!({"name": "ICT Division"})).await;
    assert_eq!((status.as_u16(), dept["name"].as_str()), (200, Some("ICT Division")));
    assert_eq!(srv.patch("/api/v1/org/departments/777", &admin_token, json!({"name": "Nope"})).await.0, 404);

    let (_, events) = srv.get("/api/v1/ops/events?entity_type=SECTION", &admin_token).await;
    let types: Vec<&str> =
        events["items"].as_array().unwrap().iter().map(|e| e["event_type"].as_str().unwrap()).collect();
    assert_eq!(types, ["SECTION_UPDATED", "SECTION_CREATED"]);
}

#[tokio::test]
async fn org_endpoints_require_a_session() {
    let srv = TestServer::start().await;
    for path in ["/api/v1/org/departments", "/api/v1/org/sections", "/api/v1/org/sections/by-department/1"] {
        let (status, body) = srv.call(reqwest::Method::GET, path, None, None).await;
        assert_eq!(status, 401, "{path}");
        assert_eq!(body["code"], "TOKEN_MISSING");
    }
}

#[tokio::test]
async fn a_sections_manager_is_shown_to_admins_and_its_members_only() {
    let srv = TestServer::start().await;
    let (_, admin_token) = admin(&srv).await;
    let ops = srv.create_section("Ops").await;
    let desk = srv.create_section("Desk").await;
    let (boss, _) = srv.user_with_token("boss", "manager", Some(ops)).await;
    let (_, member) = srv.user_with_token("olu", "user", Some(ops)).await;
    let (_, outsider) = srv.user_with_token("otto", "manager", Some(desk)).await;
    let (_, nobody) = srv.user_with_token("nia", "user", None).await;
    let (status, _) = srv
        .call(
            reqwest::Method::PATCH,
            &format!("/api/v1/org/sections/{ops}"),
            Some(&admin_token),
            Some(json!({"manager_id": boss["id"]})),
        )
        .await;
    assert_eq!(status, 200);
    let department = {
        let (_, sections) = srv.get("/api/v1/org/sections", &admin_token).await;
        sections.as_array().unwrap().iter().find(|s| s["id"] == json!(ops)).unwrap()["department_id"].clone()
    };

    for (who, token, sees) in [
        ("admin", &admin_token, true),
        ("member", &member, true),
        ("outsider", &outsider, false),
        ("nobody", &nobody, false),
    ] {
        for path in ["/api/v1/org/sections".to_owned(), format!("/api/v1/org/sections/by-department/{department}")] {
            let (status, sections) = srv.get(&path, token).await;
            assert_eq!(status, 200, "{who} {path}: {sections}");
            let section = sections.as_array().unwrap().iter().find(|s| s["id"] == json!(ops)).expect("listed");
            // The shape is the same for everyone; only the value is withheld.
            assert!(section.as_object().unwrap().contains_key("manager_id"), "{who}: {section}");
            let expected = if sees { boss["id"].clone() } else { json!(null) };
            assert_eq!(section["manager_id"], expected, "{who} {path}");
        }
    }
}
