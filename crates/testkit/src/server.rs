//! The application served in-process on 127.0.0.1:0, over a test database.

use std::net::SocketAddr;
use std::sync::Arc;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use sentinelops_app::{App, AppConfig, PoolConfig, Store};
use sentinelops_domain::{Clock, ManualClock, SystemClock};
use sentinelops_web::{AppState, WebConfig};

use crate::{PASSWORD, TestDatabase};

/// Knobs a test may turn before the server starts.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub clock: Option<ManualClock>,
    pub config: Option<AppConfig>,
    pub web: Option<WebConfig>,
}

/// A running server plus an HTTP client. Dropping it stops the server, and deletes its
/// database unless another handle (a second server, the test) still holds it.
pub struct TestServer {
    pub base: String,
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    pub app: App,
    database: TestDatabase,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
    /// The application's live-update tasks (they hold its database pool).
    background: Vec<JoinHandle<()>>,
    /// The static frontend's directory ([`TestServer::with_frontend`]), deleted with the server.
    frontend: Option<tempfile::TempDir>,
}

/// The configuration tests run with: cheap password hashing, defaults otherwise.
pub fn test_config() -> AppConfig {
    let mut config = AppConfig::default();
    config.password_hashing.memory_kib = 1024;
    config.password_hashing.iterations = 1;
    // Tests run jobs by hand, at the instants they choose.
    config.jobs.enabled = false;
    // Tests complete items faster than any person would; the burst test turns it on.
    config.scoring.min_seconds_per_item = 0;
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

    /// A server that also serves a small static frontend, as `--static-dir` does:
    /// `index.html` (titled "app") and `assets/app.js` (`console.log('hi')`).
    pub async fn with_frontend() -> TestServer {
        let dir = tempfile::Builder::new().prefix("sentinelops-static-").tempdir().expect("frontend directory");
        std::fs::create_dir_all(dir.path().join("assets")).expect("assets directory");
        std::fs::write(dir.path().join("index.html"), "<!doctype html><title>app</title>").expect("index.html");
        std::fs::write(dir.path().join("assets/app.js"), "console.log('hi')").expect("app.js");
        let web = WebConfig { static_dir: Some(dir.path().to_owned()), ..WebConfig::default() };
        let mut server = Self::start_with(Options { web: Some(web), ..Options::default() }).await;
        server.frontend = Some(dir);
        server
    }

    /// Starts a server on an existing test database (a second instance, say).
    pub async fn start_on(database: TestDatabase, options: Options) -> TestServer {
        crate::log::init();
        let store = Store::connect(&database.url, PoolConfig::default()).await.expect("connect to test database");
        store.migrate().await.expect("migrate test database");
        let clock: Arc<dyn Clock> = match options.clock {
            Some(clock) => Arc::new(clock),
            None => Arc::new(SystemClock),
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let mut config = options.config.unwrap_or_else(test_config);
        // The provider sends the browser back to this server, whose port is known only now.
        if let Some(oidc) = config.directory.oidc.as_mut().filter(|o| o.redirect_url.is_empty()) {
            oidc.redirect_url = format!("http://{addr}/ui/login/oidc/callback");
        }
        let app = App::new(store, clock, config).await.expect("build app");
        let background = app.start_background().await.expect("start live updates");
        let state = AppState::new(app.clone(), options.web.unwrap_or_default());
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(sentinelops_web::serve(listener, state, async move {
            let _ = rx.await;
        }));
        let client = reqwest::Client::builder().no_proxy().build().expect("http client");
        TestServer {
            base: format!("http://{addr}"),
            addr,
            client,
            app,
            database,
            shutdown: Some(tx),
            task: Some(task),
            background,
            frontend: None,
        }
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

impl Drop for TestServer {
    /// Teardown without `.await`: the shutdown signal is sent and the serving task
    /// cancelled; the database handle drops with the fields.
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
        for task in &self.background {
            task.abort();
        }
    }
}
