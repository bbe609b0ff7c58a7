//! The binary itself: first run, demo loading, user administration, graceful stop.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sentinelops_testkit::TestDatabase;
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_sentinelops");

fn sentinelops(db: &TestDatabase, args: &[&str], stdin: Option<&str>) -> (bool, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .env("DATABASE_URL", &db.url)
        .env("SENTINELOPS_ARGON2_MEMORY_KIB", "1024")
        .env("SENTINELOPS_ARGON2_ITERATIONS", "1")
        .env("SENTINELOPS_DEMO_PASSWORD", sentinelops_testkit::PASSWORD)
        .env_remove("SENTINELOPS_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run sentinelops");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    let output = child.wait_with_output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    (output.status.success(), text)
}

#[tokio::test]
async fn demo_loads_once_and_user_commands_work() {
    let db = TestDatabase::create().await;
    let (ok, out) = sentinelops(&db, &["migrate"], None);
    assert!(ok, "{out}");
    let (ok, out) = sentinelops(&db, &["version"], None);
    assert!(ok && out.contains(env!("CARGO_PKG_VERSION")), "{out}");

    let (ok, first) = sentinelops(&db, &["demo"], None);
    assert!(ok, "{first}");
    assert!(
        first.contains("operator2@demo.local") && first.contains("the value of SENTINELOPS_DEMO_PASSWORD"),
        "{first}"
    );
    assert!(first.contains("Africa/Harare"));
    let (ok, second) = sentinelops(&db, &["demo"], None);
    assert!(ok, "{second}");
    assert!(second.contains("nothing changed"), "{second}");

    let (ok, list) = sentinelops(&db, &["user", "list"], None);
    assert!(ok, "{list}");
    for email in ["admin@demo.local", "manager@demo.local", "operator@demo.local", "operator2@demo.local"] {
        assert!(list.contains(email), "{email} missing from {list}");
    }
    let manager_line = list.lines().find(|l| l.contains("manager@demo.local")).unwrap();
    assert!(manager_line.contains("manager") && manager_line.contains("ICT Operations"), "{manager_line}");

    let (ok, out) = sentinelops(
        &db,
        &[
            "user",
            "create",
            "--username",
            "night.owl",
            "--email",
            "owl@bank.example",
            "--role",
            "supervisor",
            "--section",
            "SysOps",
            "--password-stdin",
        ],
        Some("Night-owl-123\n"),
    );
    assert!(ok, "{out}");
    let (ok, out) = sentinelops(&db, &["user", "create", "--username", "night.owl", "--email", "x@bank.example"], None);
    assert!(!ok && out.contains("already exists"), "{out}");
    let (ok, out) = sentinelops(&db, &["user", "set-password", "owl@bank.example"], None);
    assert!(ok && out.contains("New password (shown once)"), "{out}");
    let (ok, out) = sentinelops(&db, &["user", "deactivate", "night.owl"], None);
    assert!(ok, "{out}");
    let (_, list) = sentinelops(&db, &["user", "list"], None);
    let owl = list.lines().find(|l| l.contains("night.owl")).unwrap();
    assert!(owl.contains("manager") && owl.contains("false") && owl.contains("SysOps"), "{owl}");
    let (ok, out) = sentinelops(&db, &["user", "deactivate", "nobody"], None);
    assert!(!ok && out.contains("No user"), "{out}");
}

#[tokio::test]
async fn first_run_prints_a_usable_admin_and_sigterm_stops_cleanly() {
    let db = TestDatabase::create().await;
    let mut child = Command::new(BIN)
        .env("DATABASE_URL", &db.url)
        .env("SENTINELOPS_BIND", "127.0.0.1:0")
        .env("SENTINELOPS_ADMIN_EMAIL", "chief@bank.example")
        .env_remove("SENTINELOPS_ADMIN_PASSWORD")
        .env_remove("SENTINELOPS_CONFIG")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start sentinelops");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let (mut password, mut address) = (None, None);
    let started = Instant::now();
    while address.is_none() && started.elapsed() < Duration::from_secs(60) {
        let Some(Ok(line)) = lines.next() else { break };
        if let Some(p) = line.split("Password (shown once): ").nth(1) {
            password = Some(p.trim().to_owned());
        }
        if let Some(rest) = line.split("listening on http://").nth(1) {
            address = rest.split_whitespace().next().map(str::to_owned);
        }
    }
    let (password, address) = (password.expect("printed password"), address.expect("printed address"));
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let signin = client
        .post(format!("http://{address}/auth/signin"))
        .json(&json!({"email": "chief@bank.example", "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(signin.status(), 200);
    let body: serde_json::Value = signin.json().await.unwrap();
    assert_eq!(body["user"]["role"], "admin");

    // An open event stream must not hold the shutdown up.
    let token = body["token"].as_str().unwrap().to_owned();
    let stream = client.get(format!("http://{address}/api/v1/events")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(stream.status(), 200);
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let started = Instant::now();
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "shutdown hangs with a live stream open");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(exit.success(), "graceful shutdown exits 0, got {exit:?}");
    drop(stream);
}

fn fixtures() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/legacy-files")
}

#[tokio::test]
async fn demo_templates_and_the_legacy_import_are_idempotent_and_atomic() {
    let db = TestDatabase::create().await;
    let (ok, out) = sentinelops(&db, &["demo"], None);
    assert!(ok && out.contains("MORNING: Core ICT and Banking Operations"), "{out}");

    // A malformed file is refused with its name and field, and nothing is written.
    let bad = std::env::temp_dir().join(format!("so-legacy-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(bad.join("templates/NIGHT")).unwrap();
    std::fs::write(bad.join("templates/NIGHT/1.json"), r#"{"shift":"NIGHT","name":"Ok","items":[]}"#).unwrap();
    std::fs::write(
        bad.join("templates/NIGHT/2.json"),
        r#"{"shift":"NIGHT","name":"Broken","items":[{"id":"x","title":"T","item_type":"ROUTINE","severity":"high"}]}"#,
    )
    .unwrap();
    let (ok, out) = sentinelops(&db, &["import-legacy", bad.to_str().unwrap()], None);
    assert!(!ok, "{out}");
    assert!(out.contains("templates/NIGHT/2.json") && out.contains("items[0].severity"), "{out}");
    std::fs::write(bad.join("templates/NIGHT/2.json"), r#"{"shift":"NIGHT","name":"Late","items":[{"id":"x","title":"T","item_type":"TIMED","scheduled_time":"12:00"}]}"#).unwrap();
    let (ok, out) = sentinelops(&db, &["import-legacy", bad.to_str().unwrap()], None);
    assert!(!ok && out.contains("templates/NIGHT/2.json") && out.contains("outside the NIGHT shift window"), "{out}");
    let _ = std::fs::remove_dir_all(&bad);

    let dir = fixtures();
    let dir = dir.to_str().unwrap();
    let (ok, dry) = sentinelops(&db, &["import-legacy", dir, "--dry-run"], None);
    assert!(ok, "{dry}");
    assert!(dry.contains("templates would create: templates/AFTERNOON/1.json, templates/MORNING/1.json, templates/MORNING/1.yaml, templates/NIGHT/1.json"), "{dry}");
    let (ok, first) = sentinelops(&db, &["import-legacy", dir], None);
    assert!(ok, "{first}");
    assert!(first.contains("checklists created: instances/49dca317-34b6-4cb4-8727-04d12006f88d.json, instances/79c30c96-3d3a-4aa7-87e7-d56fb6aba357.json"), "{first}");
    let (ok, second) = sentinelops(&db, &["import-legacy", dir], None);
    assert!(ok && second.contains("nothing to change"), "{second}");

    // What landed is readable through the API, with its history.
    let srv = sentinelops_testkit::TestServer::start_on(db.clone(), Default::default()).await;
    let token = srv.login("admin@demo.local", sentinelops_testkit::PASSWORD).await;
    let (_, templates) = srv.get("/api/v1/checklists/templates?active_only=false", &token).await;
    let names: Vec<&str> = templates.as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 7, "3 demo + 4 imported: {names:?}");
    let counts: Vec<(String, usize, usize)> = templates
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["description"].as_str().is_some_and(|d| !d.starts_with("Imported")))
        .map(|t| {
            let items = t["items"].as_array().unwrap();
            (
                t["shift"].as_str().unwrap().to_owned(),
                items.len(),
                items.iter().map(|i| i["subitems"].as_array().unwrap().len()).sum(),
            )
        })
        .collect();
    assert!(
        counts.contains(&("MORNING".into(), 9, 29))
            && counts.contains(&("AFTERNOON".into(), 6, 14))
            && counts.contains(&("NIGHT".into(), 9, 28)),
        "{counts:?}"
    );
    let (status, imported) = srv.get("/api/v1/checklists/instances/79c30c96-3d3a-4aa7-87e7-d56fb6aba357", &token).await;
    assert_eq!(status, 200, "{imported}");
    assert_eq!(imported["checklist_date"], "2026-02-04");
    assert_eq!(imported["items"].as_array().unwrap().len(), 15);
    assert_eq!(imported["items"][0]["activities"][0]["user"]["username"], "ashumba");
}

#[tokio::test]
async fn the_database_acquire_timeout_is_a_setting_like_the_others() {
    let db = TestDatabase::create().await;
    let (ok, help) = sentinelops(&db, &["--help"], None);
    assert!(
        ok && help.contains("--db-acquire-timeout-ms") && help.contains("SENTINELOPS_DB_ACQUIRE_TIMEOUT_MS"),
        "{help}"
    );
    let file = std::env::temp_dir().join(format!("sentinelops-{}.toml", uuid::Uuid::new_v4().simple()));
    std::fs::write(&file, "db_acquire_timeout_ms = 250\n").unwrap();
    let (ok, out) = sentinelops(&db, &["--config", file.to_str().unwrap(), "migrate"], None);
    assert!(ok, "the TOML key is known: {out}");
    std::fs::remove_file(&file).unwrap();
    let (ok, out) = sentinelops(&db, &["--db-acquire-timeout-ms", "250", "migrate"], None);
    assert!(ok, "{out}");
    let (ok, out) = sentinelops(&db, &["--db-acquire-timeout-ms", "soon", "migrate"], None);
    assert!(!ok && out.contains("--db-acquire-timeout-ms"), "{out}");
}

/// `sentinelops directory test LOGIN` reports what the directory says about one person
/// (bind, search, groups, role, section) without signing in; a configuration that cannot
/// work is refused at start.
#[tokio::test]
async fn directory_test_reports_the_role_and_section_a_person_would_get() {
    use sentinelops_testkit::ldap::{DirUser, TestLdap};
    let ldap = TestLdap::start().await;
    let dora = DirUser {
        uid: "dora",
        mail: "dora@bank.test",
        given_name: "Dora",
        surname: "Directory",
        password: "Directory-Pass-1",
        department: Some("Core Banking"),
    };
    ldap.add_user(dora).await;
    ldap.add_group("noc-team", &[TestLdap::user_dn("dora")]).await;
    ldap.add_group("sentinel-managers", &[TestLdap::group_dn("noc-team")]).await;
    let db = TestDatabase::create().await;
    let run = |login: &str, extra: &[(&str, &str)]| {
        let mut command = Command::new(BIN);
        command
            .args(["directory", "test", login])
            .env("DATABASE_URL", &db.url)
            .env("SENTINELOPS_LDAP_URL", ldap.url())
            .env("SENTINELOPS_LDAP_BIND_DN", TestLdap::BIND_DN)
            .env("SENTINELOPS_LDAP_BIND_PASSWORD", TestLdap::BIND_PASSWORD)
            .env("SENTINELOPS_LDAP_BASE_DN", TestLdap::BASE_DN)
            .env("SENTINELOPS_LDAP_MANAGER_GROUP", TestLdap::group_dn("sentinel-managers"))
            .env("SENTINELOPS_LDAP_SECTION_ATTRIBUTE", "departmentNumber")
            .env("SENTINELOPS_LDAP_STARTTLS", "true")
            .env("SENTINELOPS_LDAP_CA_FILE", ldap.ca_file())
            .env_remove("SENTINELOPS_CONFIG");
        for (key, value) in extra {
            command.env(key, value);
        }
        let output = command.output().unwrap();
        let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        (output.status.success(), text)
    };
    let (ok, out) = run("dora@bank.test", &[]);
    assert!(ok, "{out}");
    assert!(out.contains("Connect and service bind: ok"), "{out}");
    assert!(out.contains("cn=sentinel-managers,ou=groups,dc=bank,dc=test"), "the nested group is listed: {out}");
    assert!(out.contains("Role: manager") && out.contains("Section: Core Banking"), "{out}");
    assert!(!out.contains(TestLdap::BIND_PASSWORD), "the service password is never printed: {out}");

    let (ok, out) = run("nobody", &[]);
    assert!(!ok && out.contains("FAILED"), "{out}");
    let (ok, out) = run("dora", &[("SENTINELOPS_LDAP_BIND_PASSWORD", "wrong")]);
    assert!(!ok && out.contains("service bind: FAILED"), "{out}");
    let (ok, out) = run("dora", &[("SENTINELOPS_LDAP_URL", "http://127.0.0.1:1")]);
    assert!(!ok && out.contains("must start with ldap://"), "{out}");
    let (ok, out) = run("dora", &[("SENTINELOPS_LOCAL_SIGNIN", "sometimes")]);
    assert!(!ok && out.contains("all, admins or none"), "{out}");
}
