//! Test harness: starts SentinelOps on 127.0.0.1:0 over a fresh database and talks
//! to it over real HTTP.
//!
//! The backend is SQLite (a temp file per test) unless `SENTINELOPS_TEST_DATABASE_URL`
//! names a PostgreSQL server: then every test gets its own database, copied from a
//! template migrated once per test process.
//!
//! `browser` drives pages of that server in headless Chromium (end-to-end UI tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

pub mod browser;
mod database;
pub mod http_sink;
pub mod pg_cluster;
pub mod process;
pub mod smtp;

use std::net::SocketAddr;
use std::sync::Arc;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use sentinelops_app::{App, AppConfig, PoolConfig, Store};
use sentinelops_domain::{Clock, ManualClock, SystemClock};
use sentinelops_web::{AppState, WebConfig};

pub use database::{TestDatabase, postgres_admin_url};
pub use pg_cluster::PrivateCluster;
pub use process::ServerProcess;

/// The password every user made by the harness has.
pub const PASSWORD: &str = "Sentinel@12345";

/// Knobs a test may turn before the server starts.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub clock: Option<ManualClock>,
    pub config: Option<AppConfig>,
    pub web: Option<WebConfig>,
}

/// A running server plus an HTTP client.
pub struct TestServer {
    pub base: String,
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    pub app: App,
    database: TestDatabase,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

/// The configuration tests run with: cheap password hashing, defaults otherwise.
pub fn test_config() -> AppConfig {
    let mut config = AppConfig::default();
    config.password_hashing.memory_kib = 1024;
    config.password_hashing.iterations = 1;
    // Tests run jobs by hand, at the instants they choose.
    config.jobs.enabled = false;
    config
}

impl TestServer {
    pub async fn start() -> TestServer {
        Self::start_with(Options::default()).await
    }

    pub async fn start_with(options: Options) -> TestServer {
        let database = TestDatabase::create().await;
        Self::start_on(database, options).await
    }

    /// Starts a server on an existing test database (a second instance, say).
    pub async fn start_on(database: TestDatabase, options: Options) -> TestServer {
        let store = Store::connect(&database.url, PoolConfig::default()).await.expect("connect to test database");
        store.migrate().await.expect("migrate test database");
        let clock: Arc<dyn Clock> = match options.clock {
            Some(clock) => Arc::new(clock),
            None => Arc::new(SystemClock),
        };
        let app = App::new(store, clock, options.config.unwrap_or_else(test_config)).await.expect("build app");
        app.start_background().await.expect("start live updates");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let state = AppState::new(app.clone(), options.web.unwrap_or_default());
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(sentinelops_web::serve(listener, state, async move {
            let _ = rx.await;
        }));
        let client = reqwest::Client::builder().no_proxy().build().expect("http client");
        TestServer { base: format!("http://{addr}"), addr, client, app, database, shutdown: Some(tx), task: Some(task) }
    }

    /// The server's operational day ("YYYY-MM-DD"): the date the dashboard and the
    /// timeline call today. Between midnight and the day boundary (07:00 local) it is
    /// yesterday's calendar date, so tests must not use the UTC date.
    pub async fn operational_today(&self) -> String {
        self.app.operational_today().await.expect("operational day").0.to_string()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// The database this server runs on (to start a second instance on it).
    pub fn database(&self) -> &TestDatabase {
        &self.database
    }

    /// Sends a request with an optional bearer token and JSON body; returns the status
    /// and the body parsed as JSON (`Value::Null` when empty, a string when not JSON).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request reaches the server");
        let status = response.status();
        let text = response.text().await.expect("response body");
        let value =
            if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        (status, value)
    }

    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PATCH, path, Some(token), Some(body)).await
    }

    pub async fn put(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PUT, path, Some(token), Some(body)).await
    }

    pub async fn delete(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::DELETE, path, Some(token), None).await
    }

    /// Signs in and returns the token; panics unless the sign-in succeeds.
    pub async fn login(&self, login: &str, password: &str) -> String {
        let (status, body) =
            self.call(Method::POST, "/auth/signin", None, Some(json!({ "email": login, "password": password }))).await;
        assert_eq!(status, StatusCode::OK, "sign-in of {login} failed: {body}");
        body["token"].as_str().expect("token in sign-in answer").to_owned()
    }

    /// Creates a user straight through the application (no HTTP) with `PASSWORD`.
    pub async fn create_user(&self, username: &str, role: &str, section_id: Option<uuid::Uuid>) -> Value {
        let user = self
            .app
            .create_user(
                &sentinelops_app::Actor::system(),
                sentinelops_app::users::CreateUser {
                    username: username.to_owned(),
                    email: format!("{username}@test.local"),
                    first_name: username.to_owned(),
                    last_name: "Tester".to_owned(),
                    position: None,
                    password: PASSWORD.to_owned(),
                    role: role.to_owned(),
                    department_id: None,
                    section_id,
                },
            )
            .await
            .expect("create test user");
        // The user as the API answers it.
        serde_json::to_value(sentinelops_web::api::users::UserView::from(user)).expect("user as json")
    }

    /// Creates a user and signs them in; returns (user, token).
    pub async fn user_with_token(&self, username: &str, role: &str, section_id: Option<uuid::Uuid>) -> (Value, String) {
        let user = self.create_user(username, role, section_id).await;
        let token = self.login(username, PASSWORD).await;
        (user, token)
    }

    /// Creates a section (and its department) straight through the application.
    pub async fn create_section(&self, name: &str) -> uuid::Uuid {
        let system = sentinelops_app::Actor::system();
        let department = self.app.create_department(&system, &format!("{name} department")).await.expect("department");
        let input = sentinelops_app::org::SectionInput {
            name: Some(name.to_owned()),
            department_id: Some(Some(department.id)),
            manager_id: None,
        };
        self.app.create_section(&system, input).await.expect("section").id
    }

    /// Stops the server and drops its database.
    pub async fn finish(mut self) {
        self.stop().await;
        self.database.clone().drop_now().await;
    }

    /// Stops the server but keeps the database (for restarts and second instances).
    pub async fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

/// A name unique within the test run.
pub fn unique(prefix: &str) -> String {
    format!("{prefix}{}", uuid::Uuid::new_v4().simple().to_string().get(..10).unwrap_or("x"))
}
