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
        .env_remove("SENTINELOPS_DEMO_PASSWORD")
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
    assert!(first.contains("operator2@demo.local") && first.contains("shown once"), "{first}");
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
    db.drop_now().await;
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

    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "graceful shutdown exits 0, got {exit:?}");
    db.drop_now().await;
}
