//! Directory sign-in against a real OpenLDAP server (`slapd`, started on a loopback
//! port by the test harness): sign-in by e-mail and account name, the role and section
//! from groups (nested too), refusals, StartTLS with a test CA, the directory going
//! away mid-run, lockout, the periodic check, and the original frontend's contract.

use reqwest::Method;
use sentinelops_app::config::LdapConfig;
use sentinelops_app::jobs::Job;
use sentinelops_domain::directory::{Dn, LocalSignIn};
use sentinelops_testkit::ldap::{DirUser, TestLdap};
use sentinelops_testkit::world::World;
use sentinelops_testkit::{Options, test_config};
use sentinelops_testkit::{PASSWORD, TestServer};
use serde_json::{Value, json};

/// Every directory person's password (never stored by SentinelOps).
const DIRECTORY_PASSWORD: &str = "Directory-Pass-1";

const ADMINS: &str = "sentinel-admins";
const MANAGERS: &str = "sentinel-managers";
const USERS: &str = "sentinel-users";
/// A team group that is itself a member of `sentinel-users` (a nested group).
const NOC: &str = "noc-team";

fn person<'a>(uid: &'a str, mail: &'a str, given: &'a str, department: Option<&'a str>) -> DirUser<'a> {
    DirUser { uid, mail, given_name: given, surname: "Directory", password: DIRECTORY_PASSWORD, department }
}

/// The bank's directory: Dora (managers, Core Banking), Nia (the NOC team, nested in
/// users; Cards), Ivan (in no group), Dis (users, disabled), Eve (users, a section
/// SentinelOps does not have).
async fn bank_directory() -> TestLdap {
    let ldap = TestLdap::start().await;
    ldap.add_user(person("dora", "dora@bank.test", "Dora", Some("Core Banking"))).await;
    ldap.add_user(person("nia", "nia@bank.test", "Nia", Some("Cards"))).await;
    ldap.add_user(person("ivan", "ivan@bank.test", "Ivan", Some("Core Banking"))).await;
    ldap.add_user(person("dis", "dis@bank.test", "Dis", Some("Core Banking"))).await;
    ldap.add_user(person("eve", "eve@bank.test", "Eve", Some("Atlantis"))).await;
    ldap.set_disabled("dis", true).await;
    ldap.add_group(ADMINS, &[]).await;
    ldap.add_group(MANAGERS, &[TestLdap::user_dn("dora")]).await;
    ldap.add_group(NOC, &[TestLdap::user_dn("nia")]).await;
    ldap.add_group(USERS, &[TestLdap::group_dn(NOC), TestLdap::user_dn("dis"), TestLdap::user_dn("eve")]).await;
    ldap
}

/// The configuration that points at the harness's directory.
fn ldap_config(ldap: &TestLdap) -> LdapConfig {
    let mut config = LdapConfig::new(ldap.url(), TestLdap::BASE_DN);
    config.bind_dn = TestLdap::BIND_DN.to_owned();
    config.bind_password = Some(TestLdap::BIND_PASSWORD.to_owned().into());
    config.mapping.admin_group = Some(Dn::new(&TestLdap::group_dn(ADMINS)));
    config.mapping.manager_group = Some(Dn::new(&TestLdap::group_dn(MANAGERS)));
    config.mapping.user_group = Some(Dn::new(&TestLdap::group_dn(USERS)));
    config.mapping.section_attribute = Some("departmentNumber".into());
    config.timeout = std::time::Duration::from_secs(2);
    // Every status call probes: the tests watch the directory come and go.
    config.status_ttl = std::time::Duration::ZERO;
    config
}

async fn world_with(ldap: LdapConfig) -> World {
    let mut config = test_config();
    config.directory.ldap = Some(ldap);
    // A clock of the test's own, so the periodic check can be walked forward.
    World::builder()
        .at(sentinelops_domain::Clock::now(&sentinelops_domain::SystemClock))
        .cards()
        .options(Options { config: Some(config), ..Options::default() })
        .build()
        .await
}

/// A second instance on the world's database whose local sign-in is for administrators
/// only (the world's own people signed in before the rule).
async fn admins_only(w: &World, ldap: LdapConfig) -> TestServer {
    let mut config = test_config();
    config.directory.ldap = Some(ldap);
    config.directory.local_sign_in = LocalSignIn::Admins;
    let options = Options { config: Some(config), clock: Some(w.clock.clone()), ..Options::default() };
    TestServer::start_on(w.srv.database().clone(), options).await
}

async fn sign_in(srv: &TestServer, login: &str, password: &str) -> (reqwest::StatusCode, Value) {
    srv.call(Method::POST, "/auth/signin", None, Some(json!({ "email": login, "password": password }))).await
}

/// The newest auth event of a username, as the audit API shows it.
async fn last_event(w: &World, username: &str) -> Value {
    let (status, body) = w.srv.get(&format!("/api/v1/auth/events?username={username}&limit=1"), &w.admin).await;
    assert_eq!(status, 200, "{body}");
    body["items"][0].clone()
}

#[tokio::test]
async fn a_directory_user_signs_in_by_email_and_by_account_name_with_the_role_and_section_of_their_groups() {
    let ldap = bank_directory().await;
    let w = world_with(ldap_config(&ldap)).await;

    let (status, body) = sign_in(&w.srv, "dora@bank.test", DIRECTORY_PASSWORD).await;
    assert_eq!(status, 200, "{body}");
    // The original's answer, with its spelling of a directory sign-in.
    assert_eq!(body["auth_source"], "active_directory");
    let keys: Vec<&str> = body["user"].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        ["id", "username", "email", "first_name", "last_name", "department", "position", "section_id", "role"]
    );
    assert_eq!((body["user"]["username"].as_str(), body["user"]["role"].as_str()), (Some("dora"), Some("manager")));
    assert_eq!(body["user"]["first_name"], "Dora");
    let token = body["token"].as_str().unwrap().to_owned();
    let (status, me) = w.srv.get("/auth/me", &token).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["section_id"], json!(w.section), "departmentNumber names Core Banking");
    assert_eq!(me["auth_source"], "ldap");

    // By account name (uid / sAMAccountName) and by userPrincipalName: the same account.
    for login in ["dora", "DORA", "dora@bank.test"] {
        let (status, again) = sign_in(&w.srv, login, DIRECTORY_PASSWORD).await;
        assert_eq!(status, 200, "{login}: {again}");
        assert_eq!(again["user"]["id"], body["user"]["id"], "{login}");
    }
    let event = last_event(&w, "dora").await;
    assert_eq!(event["event_type"], "SESSION_CREATED");

    // Nested groups: Nia is in the NOC team, which is in the users group.
    let (status, nia) = sign_in(&w.srv, "nia", DIRECTORY_PASSWORD).await;
    assert_eq!(status, 200, "{nia}");
    assert_eq!(nia["user"]["role"], "user");
    let (_, me) = w.srv.get("/auth/me", nia["token"].as_str().unwrap()).await;
    assert_eq!(me["section_id"], json!(w.cards().id));

    // One account however she signs in, and the directory's password is not stored:
    // the account holds no password hash at all.
    let users = w.srv.app.list_users(&sentinelops_app::Actor::system()).await.unwrap();
    assert_eq!(users.iter().filter(|u| u.username == "dora").count(), 1);
    let row = w.srv.app.find_user_by_login("dora").await.unwrap();
    assert!(!row.password_hash.starts_with("$argon2"), "a directory account has no local password");
}

#[tokio::test]
async fn wrong_passwords_unknown_people_the_disabled_and_the_ungrouped_are_refused_and_audited() {
    let ldap = bank_directory().await;
    let w = world_with(ldap_config(&ldap)).await;

    let (status, body) = sign_in(&w.srv, "dora", "not-her-password").await;
    assert_eq!((status.as_u16(), body["code"].as_str()), (401, Some("INVALID_CREDENTIALS")), "{body}");
    let event = last_event(&w, "dora").await;
    assert_eq!(event["event_type"], "LOGIN_FAILURE");
    assert_eq!(event["metadata"]["source"], "ldap");
    assert_eq!(event["metadata"]["directory_answer"], "invalid_credentials");
    assert_eq!(event["metadata"]["reason"], "invalid_password");
    assert!(!event.to_string().contains("not-her-password"), "no password in the audit log: {event}");

    // An empty password is no "unauthenticated bind".
    let (status, _) = sign_in(&w.srv, "dora", "").await;
    assert_eq!(status, 401);

    let (status, body) = sign_in(&w.srv, "nobody@bank.test", DIRECTORY_PASSWORD).await;
    assert_eq!((status.as_u16(), body["code"].as_str()), (401, Some("INVALID_CREDENTIALS")));
    assert_eq!(last_event(&w, "nobody@bank.test").await["metadata"]["directory_answer"], "not_found");

    // A login that tries to widen the search filter finds nobody.
    let (status, _) = sign_in(&w.srv, "*", DIRECTORY_PASSWORD).await;
    assert_eq!(status, 401);
    let (status, _) = sign_in(&w.srv, "d*)(uid=*", DIRECTORY_PASSWORD).await;
    assert_eq!(status, 401);

    // Disabled in the directory: the same answer as a wrong password.
    let (status, body) = sign_in(&w.srv, "dis", DIRECTORY_PASSWORD).await;
    assert_eq!((status.as_u16(), body["code"].as_str()), (401, Some("INVALID_CREDENTIALS")));
    assert_eq!(last_event(&w, "dis").await["metadata"]["reason"], "user_disabled");

    // In no SentinelOps group: the password was right, so they are told why.
    let (status, body) = sign_in(&w.srv, "ivan", DIRECTORY_PASSWORD).await;
    assert_eq!((status.as_u16(), body["code"].as_str()), (403, Some("ACCESS_DENIED")), "{body}");
    assert!(body["message"].as_str().unwrap().contains("not in a SentinelOps group"));
    assert_eq!(last_event(&w, "ivan").await["metadata"]["reason"], "no_group");

    // A section SentinelOps does not have: refused, and no account is made.
    let (status, body) = sign_in(&w.srv, "eve", DIRECTORY_PASSWORD).await;
    assert_eq!((status.as_u16(), body["code"].as_str()), (403, Some("ACCESS_DENIED")), "{body}");
    let users = w.srv.app.list_users(&sentinelops_app::Actor::system()).await.unwrap();
    assert!(!users.iter().any(|u| ["ivan", "eve", "dis"].contains(&u.username.as_str())), "no account for refusals");
}

#[tokio::test]
async fn a_group_change_takes_effect_at_the_next_sign_in_and_the_check_ends_sessions_of_those_let_go() {
    let ldap = bank_directory().await;
    let w = world_with(ldap_config(&ldap)).await;
    let (_, first) = sign_in(&w.srv, "dora", DIRECTORY_PASSWORD).await;
    assert_eq!(first["user"]["role"], "manager");
    let first_token = first["token"].as_str().unwrap().to_owned();

    // Promoted to administrator and moved to Cards in the directory.
    ldap.add_member(ADMINS, &TestLdap::user_dn("dora")).await;
    ldap.set_department("dora", "Cards").await;
    let (_, second) = sign_in(&w.srv, "dora", DIRECTORY_PASSWORD).await;
    assert_eq!(second["user"]["role"], "admin");
    let (_, me) = w.srv.get("/auth/me", &first_token).await;
    assert_eq!((me["role"].as_str(), &me["section_id"]), (Some("admin"), &json!(w.cards().id)), "{me}");

    // Out of every group: the check ends her sessions, and she cannot sign in again.
    ldap.remove_member(ADMINS, &TestLdap::user_dn("dora")).await;
    ldap.remove_member(MANAGERS, &TestLdap::user_dn("dora")).await;
    let (status, _) = w.srv.get("/auth/me", &first_token).await;
    assert_eq!(status, 200, "until the check runs, the session stands");
    assert_eq!(w.srv.app.run_job(Job::DirectoryCheck).await.unwrap(), Some(1));
    for token in [&first_token, second["token"].as_str().unwrap()] {
        let (status, body) = w.srv.get("/auth/me", token).await;
        assert_eq!(status, 401, "{body}");
    }
    let (status, _) = sign_in(&w.srv, "dora", DIRECTORY_PASSWORD).await;
    assert_eq!(status, 403);

    // A person still in their groups keeps their session through the check.
    let (_, nia) = sign_in(&w.srv, "nia", DIRECTORY_PASSWORD).await;
    w.clock.advance(chrono::Duration::minutes(6));
    w.srv.app.run_job(Job::DirectoryCheck).await.unwrap();
    let (status, _) = w.srv.get("/auth/me", nia["token"].as_str().unwrap()).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn starttls_with_the_test_ca_works_and_an_untrusted_certificate_fails_closed() {
    let ldap = bank_directory().await;
    let mut config = ldap_config(&ldap);
    config.starttls = true;
    config.ca_file = Some(ldap.ca_file().to_owned());
    let w = world_with(config).await;
    let (status, body) = sign_in(&w.srv, "dora@bank.test", DIRECTORY_PASSWORD).await;
    assert_eq!(status, 200, "{body}");
    let (_, status_body) = w.srv.call(Method::GET, "/auth/ad/status", None, None).await;
    assert_eq!(status_body["available"], true, "{status_body}");

    // The system's roots do not know the test CA: the directory is unavailable, never
    // reached without TLS.
    let mut untrusted = ldap_config(&ldap);
    untrusted.starttls = true;
    let w = world_with(untrusted).await;
    let (status, body) = sign_in(&w.srv, "dora@bank.test", DIRECTORY_PASSWORD).await;
    assert_eq!((status.as_u16(), body["code"].as_str()), (502, Some("AD_AUTH_FAILED")), "{body}");
}

#[tokio::test]
async fn the_directory_going_away_blocks_only_directory_users_and_the_status_says_so() {
    let mut ldap = bank_directory().await;
    let w = world_with(ldap_config(&ldap)).await;
    let srv = admins_only(&w, ldap_config(&ldap)).await;

    // The original frontend's login page: "AD online".
    let (status, body) = srv.call(Method::GET, "/auth/ad/status", None, None).await;
    assert_eq!(status, 200);
    let keys: Vec<&str> = body.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["available", "source", "checked_at", "reason"]);
    assert_eq!((&body["available"], &body["source"]), (&json!(true), &json!("active_directory")), "{body}");

    ldap.stop().await;
    let started = std::time::Instant::now();
    let (status, body) = sign_in(&srv, "root.admin", PASSWORD).await;
    assert_eq!(status, 200, "the break-glass administrator signs in locally: {body}");
    assert_eq!(body["auth_source"], "sentinel");
    assert!(started.elapsed() < std::time::Duration::from_secs(1), "local sign-in does not wait on the directory");

    let (status, body) = sign_in(&srv, "dora", DIRECTORY_PASSWORD).await;
    assert_eq!((status.as_u16(), body["code"].as_str()), (502, Some("AD_AUTH_FAILED")), "{body}");
    assert!(body["message"].as_str().unwrap().contains("directory cannot be reached"), "{body}");
    let event = last_event(&w, "dora").await;
    assert_eq!(
        (&event["metadata"]["reason"], &event["metadata"]["directory_answer"]),
        (&json!("directory_unavailable"), &json!("unavailable"))
    );
    let (_, body) = srv.call(Method::GET, "/auth/ad/status", None, None).await;
    assert_eq!(body["available"], false, "{body}");
    assert!(body["reason"].as_str().unwrap().contains("does not answer"));

    // A directory that is down does not lock its people out, nor their office's address
    // (more failures than the address's threshold of 20): those are not guesses.
    for _ in 0..25 {
        sign_in(&srv, "dora", DIRECTORY_PASSWORD).await;
    }
    let (status, _) = sign_in(&srv, "root.admin", PASSWORD).await;
    assert_eq!(status, 200, "the administrator's address is not locked by the outage");
    ldap.restart().await;
    let (status, body) = sign_in(&srv, "dora", DIRECTORY_PASSWORD).await;
    assert_eq!(status, 200, "{body}");
    let (_, body) = srv.call(Method::GET, "/auth/ad/status", None, None).await;
    assert_eq!(body["available"], true);

    // With local sign-in for administrators only, a local operator is refused.
    let (status, _) = sign_in(&srv, "olu.operator", PASSWORD).await;
    assert_eq!(status, 401);
    assert_eq!(last_event(&w, "olu.operator").await["metadata"]["reason"], "local_signin_forbidden");
}

#[tokio::test]
async fn repeated_wrong_directory_passwords_lock_the_account() {
    let ldap = bank_directory().await;
    let w = world_with(ldap_config(&ldap)).await;
    // Each spelling of her login (account name, e-mail, upper case) counts against the
    // one account: five guesses in all, not five per spelling. She has never signed in.
    for login in ["dora", "dora@bank.test", "DORA", "dora", "Dora@Bank.test"] {
        let (status, _) = sign_in(&w.srv, login, "guess").await;
        assert_eq!(status, 401);
    }
    let (status, body) = sign_in(&w.srv, "dora@bank.test", DIRECTORY_PASSWORD).await;
    assert_eq!(status, 401, "locked, whatever the password: {body}");
    assert_eq!(last_event(&w, "dora").await["metadata"]["reason"], "locked");
}

#[tokio::test]
async fn the_directory_owns_a_directory_accounts_name_role_and_section_and_adopts_local_accounts() {
    let ldap = bank_directory().await;
    let w = world_with(ldap_config(&ldap)).await;
    let srv = admins_only(&w, ldap_config(&ldap)).await;
    let (_, dora) = sign_in(&srv, "dora", DIRECTORY_PASSWORD).await;
    let id = dora["user"]["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/users/{id}");
    for change in [json!({"role": "admin"}), json!({"email": "x@bank.test"}), json!({"password": "Another-Pass-9"})] {
        let (status, body) = srv.call(Method::PATCH, &path, Some(&w.admin), Some(change.clone())).await;
        assert_eq!(status, 422, "{change}: {body}");
        assert!(body["detail"].as_str().unwrap().contains("comes from the directory"), "{body}");
    }
    let (status, body) = srv.call(Method::PATCH, &path, Some(&w.admin), Some(json!({"position": "Shift lead"}))).await;
    assert_eq!((status.as_u16(), body["position"].as_str()), (200, Some("Shift lead")), "{body}");
    assert_eq!(body["auth_source"], "ldap");

    // A local account from before the directory, with the same e-mail: with local
    // sign-in limited to administrators, the directory vouches for it and it is adopted.
    let local = w.srv.create_user("nia.local", "user", Some(w.section)).await;
    let (status, _) = srv
        .patch(&format!("/api/v1/users/{}", local["id"].as_str().unwrap()), &w.admin, json!({"email": "nia@bank.test"}))
        .await;
    assert_eq!(status, 200);
    // Signed in locally before the rule changed (the world's server lets everyone in locally).
    let local_token = w.srv.login("nia.local", PASSWORD).await;
    let (status, nia) = sign_in(&srv, "nia@bank.test", DIRECTORY_PASSWORD).await;
    assert_eq!(status, 200, "{nia}");
    assert_eq!(nia["user"]["id"], local["id"], "the same account, now the directory's");
    assert_eq!(
        (nia["user"]["username"].as_str(), nia["auth_source"].as_str()),
        (Some("nia"), Some("active_directory"))
    );
    // Its old local password no longer works, and the session it opened has ended.
    let (status, _) = sign_in(&srv, "nia", PASSWORD).await;
    assert_eq!(status, 401);
    let (status, _) = srv.get("/auth/me", &local_token).await;
    assert_eq!(status, 401);
}
