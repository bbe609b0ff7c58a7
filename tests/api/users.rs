use sentinelops_testkit::{PASSWORD, TestServer};
use serde_json::{Value, json};

use crate::admin;

fn new_user(username: &str) -> Value {
    json!({
        "username": username, "email": format!("{username}@bank.example"), "first_name": "Ola", "last_name": "Ops",
        "password": "Str0ng-pass", "role": "operator",
    })
}

#[tokio::test]
async fn admins_create_users_with_201_and_the_user_can_sign_in() {
    let srv = TestServer::start().await;
    let (_, admin_token) = admin(&srv).await;
    let section = srv.create_section("SysOps").await;
    let mut body = new_user("ola.ops");
    body["section_id"] = json!(section);
    body["department_id"] = json!("");
    let (status, user) = srv.post("/api/v1/users", &admin_token, body).await;
    assert_eq!(status, 201, "{user}");
    assert_eq!(user["role"], "user", "operator is an alias of user");
    assert_eq!(user["section_id"], json!(section));
    assert_eq!(user["section_name"], "SysOps");
    assert_eq!(user["department_name"], "SysOps department", "the department follows the section");
    assert_eq!(user["is_active"], true);
    assert!(user.get("password_hash").is_none());
    srv.login("ola.ops@bank.example", "Str0ng-pass").await;

    let (_, events) = srv.get("/api/v1/ops/events?event_type=USER_CREATED", &admin_token).await;
    let created = events["items"].as_array().unwrap().iter().find(|e| e["payload"]["username"] == "ola.ops").unwrap();
    assert_eq!(created["entity_type"], "USER");
    assert_eq!(created["payload"]["actor_username"], "root.admin");
}

#[tokio::test]
async fn invalid_or_duplicate_users_are_refused_and_nothing_is_written() {
    let srv = TestServer::start().await;
    let (_, admin_token) = admin(&srv).await;
    let (status, _) = srv.post("/api/v1/users", &admin_token, new_user("dup.user")).await;
    assert_eq!(status, 201);
    let (_, before) = srv.get("/api/v1/users", &admin_token).await;

    // A valid body but for the fields given (a field it lacks is added last).
    let valid = json!({"username": "ok.name", "email": "ok@bank.example", "first_name": "a", "last_name": "b", "password": "Str0ng-pass", "role": "user"});
    let valid_but = |changes: Value| {
        let mut body = valid.clone();
        for (key, value) in changes.as_object().unwrap() {
            body[key] = value.clone();
        }
        body
    };
    let cases: Vec<(Value, u16)> = vec![
        (new_user("dup.user"), 409),
        (valid_but(json!({"username": "x1y", "email": "dup.user@bank.example"})), 409),
        (valid_but(json!({"email": "not-an-email"})), 422),
        (valid_but(json!({"password": "short"})), 422),
        (valid_but(json!({"role": "root"})), 422),
        (valid_but(json!({"first_name": ""})), 422),
        (valid_but(json!({"username": "no"})), 422),
        (valid_but(json!({"section_id": "0192f0c1-0000-7000-8000-000000000000"})), 422),
        (valid_but(json!({"section_id": "not-a-uuid"})), 422),
        (valid_but(json!({"department_id": 4242})), 422),
        (json!({"username": "ok.name"}), 422),
    ];
    for (body, expected) in cases {
        let (status, answer) = srv.post("/api/v1/users", &admin_token, body.clone()).await;
        assert_eq!(status.as_u16(), expected, "{body} → {answer}");
        assert!(answer["detail"].is_string(), "{answer}");
    }
    let (_, after) = srv.get("/api/v1/users", &admin_token).await;
    assert_eq!(before, after);
}

#[tokio::test]
async fn only_admins_administer_users() {
    let srv = TestServer::start().await;
    let section = srv.create_section("SysOps").await;
    let (manager, manager_token) = srv.user_with_token("max", "manager", Some(section)).await;
    let (operator, operator_token) = srv.user_with_token("olu", "user", Some(section)).await;
    let (outsider, _) = srv.user_with_token("otto", "user", None).await;
    let id = |u: &Value| u["id"].as_str().unwrap().to_owned();

    assert_eq!(srv.get("/api/v1/users", &manager_token).await.0, 403);
    assert_eq!(srv.post("/api/v1/users", &manager_token, new_user("sneaky")).await.0, 403);
    assert_eq!(
        srv.patch(&format!("/api/v1/users/{}", id(&operator)), &manager_token, json!({"role": "admin"})).await.0,
        403
    );
    assert_eq!(
        srv.patch(&format!("/api/v1/users/{}", id(&manager)), &operator_token, json!({"is_active": false})).await.0,
        403
    );

    // Reading: yourself always; managers their section; nobody else.
    assert_eq!(srv.get(&format!("/api/v1/users/{}", id(&operator)), &operator_token).await.0, 200);
    assert_eq!(srv.get(&format!("/api/v1/users/{}", id(&manager)), &operator_token).await.0, 403);
    assert_eq!(srv.get(&format!("/api/v1/users/{}", id(&operator)), &manager_token).await.0, 200);
    assert_eq!(srv.get(&format!("/api/v1/users/{}", id(&outsider)), &manager_token).await.0, 403);
    assert_eq!(srv.get("/api/v1/users/0192f0c1-0000-7000-8000-000000000000", &manager_token).await.0, 404);
}

#[tokio::test]
async fn users_by_section_is_scoped_to_your_section() {
    let srv = TestServer::start().await;
    let (_, admin_token) = admin(&srv).await;
    let a = srv.create_section("Section A").await;
    let b = srv.create_section("Section B").await;
    let (_, token_a) = srv.user_with_token("anna", "user", Some(a)).await;
    srv.create_user("bert", "user", Some(b)).await;

    let (status, own) = srv.get("/api/v1/users/by-section", &token_a).await;
    assert_eq!(status, 200);
    let names: Vec<&str> = own.as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect();
    assert_eq!(names, ["anna"]);
    assert_eq!(srv.get(&format!("/api/v1/users/by-section?section_id={b}"), &token_a).await.0, 403);
    let (_, theirs) = srv.get(&format!("/api/v1/users/by-section?section_id={b}"), &admin_token).await;
    assert_eq!(theirs[0]["username"], "bert");
}

#[tokio::test]
async fn updates_change_role_placement_and_activity_and_are_audited() {
    let srv = TestServer::start().await;
    let (root, admin_token) = admin(&srv).await;
    let a = srv.create_section("Section A").await;
    let olu = srv.create_user("olu", "user", None).await;
    let path = format!("/api/v1/users/{}", olu["id"].as_str().unwrap());

    let (status, updated) =
        srv.patch(&path, &admin_token, json!({"role": "supervisor", "section_id": a, "first_name": "Olumide"})).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["role"], "manager");
    assert_eq!(updated["section_id"], json!(a));
    assert_eq!(updated["first_name"], "Olumide");
    let (status, cleared) = srv.patch(&path, &admin_token, json!({"section_id": null})).await;
    assert_eq!(status, 200);
    assert_eq!(cleared["section_id"], json!(null));

    let (_, events) = srv.get("/api/v1/ops/events?event_type=USER_UPDATED", &admin_token).await;
    let first = events["items"].as_array().unwrap().last().unwrap();
    assert_eq!(first["payload"]["changes"]["role"], json!({"from": "user", "to": "manager"}));
    assert_eq!(first["actor_id"], root["id"]);

    // Invalid values are refused and change nothing.
    for (body, expected) in [
        (json!({"role": "root"}), 422),
        (json!({"email": "bad"}), 422),
        (json!({"password": "short"}), 422),
        (json!({"is_active": "yes"}), 422),
        (json!({"section_id": "nope"}), 422),
        (json!({"username": "root.admin"}), 409),
    ] {
        assert_eq!(srv.patch(&path, &admin_token, body.clone()).await.0.as_u16(), expected, "{body}");
    }
    let (_, now) = srv.get(&path, &admin_token).await;
    assert_eq!(now["role"], "manager");
    assert_eq!(now["email"], "olu@test.local");
    assert_eq!(
        srv.patch("/api/v1/users/0192f0c1-0000-7000-8000-000000000000", &admin_token, json!({"role": "user"})).await.0,
        404
    );
}

#[tokio::test]
async fn the_last_active_admin_cannot_be_demoted_or_deactivated() {
    let srv = TestServer::start().await;
    let (root, admin_token) = admin(&srv).await;
    let path = format!("/api/v1/users/{}", root["id"].as_str().unwrap());
    assert_eq!(srv.patch(&path, &admin_token, json!({"role": "user"})).await.0, 409);
    assert_eq!(srv.patch(&path, &admin_token, json!({"is_active": false})).await.0, 409);
    let (second, _) = srv.user_with_token("second.admin", "admin", None).await;
    assert_eq!(srv.patch(&path, &admin_token, json!({"role": "manager"})).await.0, 200);
    let second_token = srv.login("second.admin", PASSWORD).await;
    let path = format!("/api/v1/users/{}", second["id"].as_str().unwrap());
    assert_eq!(srv.patch(&path, &second_token, json!({"is_active": false})).await.0, 409);
}
