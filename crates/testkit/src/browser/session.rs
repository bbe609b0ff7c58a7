//! One browser user: a WebDriver session in its own Chromium and profile, with the
//! few steps page tests need, each bounded in time.

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use fantoccini::elements::Element;
use fantoccini::error::CmdError;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

use super::{Shared, file_name};

/// How long `wait_for*`, `fill` and `click` wait for their element by default.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(10);
/// The bound on any single WebDriver command (a page load, a screenshot).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);
/// Starting Chromium on a busy 2-core machine while other tests build pages.
const OPEN_TIMEOUT: Duration = Duration::from_secs(60);
/// Steps of the failure report (screenshot, URL): short, a hung browser must not hang it.
const REPORT_TIMEOUT: Duration = Duration::from_secs(5);
const POLL: Duration = Duration::from_millis(50);

pub(super) struct Setup {
    pub label: String,
    pub base: String,
    pub chromium: PathBuf,
    pub profile: PathBuf,
    pub screenshots: PathBuf,
    /// False for a browser with JavaScript turned off (pages' own scripts only).
    pub scripting: bool,
}

/// A signed-out browser user. Steps panic on failure with the selector, the page URL
/// and the path of a screenshot of the moment.
pub struct Session {
    client: Client,
    setup: Setup,
    wait: Duration,
    // Keeps chromedriver running while this session is; last so it drops last.
    _shared: Arc<Shared>,
}

impl Session {
    pub(super) async fn open(setup: Setup, driver: String, shared: Arc<Shared>) -> Result<Session> {
        let capabilities = capabilities(&setup);
        let mut builder = ClientBuilder::new(HttpConnector::new());
        builder.capabilities(capabilities);
        let client = tokio::time::timeout(OPEN_TIMEOUT, builder.connect(&driver))
            .await
            .with_context(|| format!("{}: Chromium did not start within {OPEN_TIMEOUT:?}", setup.label))?
            .with_context(|| format!("{}: Chromium did not start", setup.label))?;
        Ok(Session { client, setup, wait: DEFAULT_WAIT, _shared: shared })
    }

    /// How long the next steps wait for their element (default [`DEFAULT_WAIT`]).
    pub fn set_wait(&mut self, wait: Duration) {
        self.wait = wait;
    }

    /// The underlying WebDriver client, for steps the helpers lack (unbounded: wrap
    /// calls in `tokio::time::timeout`).
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Loads `path` (e.g. `/ui/login`) from the test server and waits for the page load.
    pub async fn goto(&self, path: &str) {
        assert!(path.starts_with('/'), "{}: goto takes a path on the test server, got {path:?}", self.setup.label);
        let url = format!("{}{path}", self.setup.base);
        self.command(&format!("load {url}"), self.client.goto(&url)).await;
    }

    /// The current page's path and query, e.g. `/ui/login?next=%2Fui%2F`.
    pub async fn path(&self) -> String {
        let url = self.command("read the URL", self.client.current_url()).await;
        match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// Waits for an element matching `css` to be in the page; returns the first.
    pub async fn wait_for(&self, css: &str) -> Element {
        let found = self.poll(|| async { Ok(self.client.find_all(Locator::Css(css)).await?.into_iter().next()) });
        match found.await {
            Ok(element) => element,
            Err(last) => self.fail(format!("no element matches `{css}` after {:?}{last}", self.wait)).await,
        }
    }

    /// Waits for an element matching `css` whose text contains `text`; returns it.
    pub async fn wait_for_text(&self, css: &str, text: &str) -> Element {
        let found = self.poll(|| async {
            for element in self.client.find_all(Locator::Css(css)).await? {
                if element.text().await?.contains(text) {
                    return Ok(Some(element));
                }
            }
            Ok(None)
        });
        match found.await {
            Ok(element) => element,
            Err(last) => {
                let seen = self.texts(css).await;
                self.fail(format!("no `{css}` contains {text:?} after {:?}{last}; texts seen: {seen:?}", self.wait))
                    .await
            }
        }
    }

    /// The visible text of the first element matching `css` (waiting for it).
    pub async fn text(&self, css: &str) -> String {
        let element = self.wait_for(css).await;
        self.command(&format!("read the text of `{css}`"), element.text()).await
    }

    /// Whether the first element matching `css` (waiting for it) is shown, i.e. not
    /// hidden by CSS.
    pub async fn is_displayed(&self, css: &str) -> bool {
        let element = self.wait_for(css).await;
        self.command(&format!("check whether `{css}` is displayed"), element.is_displayed()).await
    }

    /// Replaces the value of the field matching `css` with `text`.
    pub async fn fill(&self, css: &str, text: &str) {
        let filled = self.poll(|| async {
            let Some(field) = self.client.find_all(Locator::Css(css)).await?.into_iter().next() else {
                return Ok(None);
            };
            field.clear().await?;
            field.send_keys(text).await?;
            Ok(Some(()))
        });
        if let Err(last) = filled.await {
            self.fail(format!("could not fill `{css}` within {:?}{last}", self.wait)).await;
        }
    }

    /// Clicks the element matching `css`, retrying while it is missing, hidden or covered
    /// (a dialog still opening, a fragment being swapped).
    pub async fn click(&self, css: &str) {
        let clicked = self.poll(|| async {
            let Some(element) = self.client.find_all(Locator::Css(css)).await?.into_iter().next() else {
                return Ok(None);
            };
            element.click().await?;
            Ok(Some(()))
        });
        if let Err(last) = clicked.await {
            self.fail(format!("could not click `{css}` within {:?}{last}", self.wait)).await;
        }
    }

    /// Resizes the browser window to `width` x `height` CSS pixels (headless Chromium
    /// has no window chrome, so this is the viewport), e.g. 768 x 1024 for a tablet.
    pub async fn set_window_size(&self, width: u32, height: u32) {
        self.command(&format!("resize the window to {width}x{height}"), self.client.set_window_size(width, height))
            .await;
    }

    /// Presses `key` on the focused element (the page body when none), as a keyboard
    /// user would: `Key::Tab`, `Key::Enter`, `Key::Escape`.
    pub async fn press(&self, key: Key) {
        let focused = self.command("find the focused element", self.client.active_element()).await;
        self.command(&format!("press {key:?}"), focused.send_keys(&key.to_string())).await;
    }

    /// Runs `js` (a function body: `return …`) in the page and returns its value.
    pub async fn script(&self, js: &str) -> serde_json::Value {
        self.command("run a script", self.client.execute(js, vec![])).await
    }

    /// Saves a PNG of the viewport as `<label>-<name>.png` in the test's screenshot
    /// folder (under `target/browser-screenshots/`); returns its path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.command(&format!("take screenshot {name:?}"), self.client.screenshot()).await;
        match self.save(name, &png) {
            Ok(path) => path,
            Err(error) => panic!("{}: {error:#}", self.setup.label),
        }
    }

    /// Ends the WebDriver session (Chromium exits) and removes the profile.
    pub async fn close(self) {
        let label = self.setup.label.clone();
        match tokio::time::timeout(COMMAND_TIMEOUT, self.client.close()).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => panic!("{label}: closing the browser failed: {error}"),
            Err(_) => panic!("{label}: closing the browser took longer than {COMMAND_TIMEOUT:?}"),
        }
        let _ = std::fs::remove_dir_all(&self.setup.profile);
    }

    /// Runs `step` every `POLL` until it yields `Some` or `self.wait` has passed. Errors
    /// count as "not yet" (an element replaced mid-read is stale, one under a dialog is
    /// not clickable); the last one is returned for the report, formatted as "; …".
    async fn poll<T, F, Fut>(&self, mut step: F) -> Result<T, String>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<Option<T>, CmdError>>,
    {
        let deadline = Instant::now() + self.wait;
        let mut last = String::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left.max(POLL), step()).await {
                Ok(Ok(Some(value))) => return Ok(value),
                Ok(Ok(None)) => {}
                Ok(Err(error)) => last = format!("; last error: {error}"),
                Err(_) => last = "; the browser stopped answering".to_owned(),
            }
            if Instant::now() >= deadline {
                return Err(last);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Runs one WebDriver command within `COMMAND_TIMEOUT`, failing the test otherwise.
    async fn command<T>(&self, what: &str, command: impl Future<Output = Result<T, CmdError>>) -> T {
        match tokio::time::timeout(COMMAND_TIMEOUT, command).await {
            Ok(Ok(value)) => value,
            Ok(Err(error)) => self.fail(format!("could not {what}: {error}")).await,
            Err(_) => self.fail(format!("could not {what} within {COMMAND_TIMEOUT:?}")).await,
        }
    }

    /// Panics with `what`, where the browser was, and a screenshot of it.
    async fn fail(&self, what: String) -> ! {
        let url = match tokio::time::timeout(REPORT_TIMEOUT, self.client.current_url()).await {
            Ok(Ok(url)) => url.to_string(),
            _ => "(unknown)".to_owned(),
        };
        let shot = match tokio::time::timeout(REPORT_TIMEOUT, self.client.screenshot()).await {
            Ok(Ok(png)) => {
                self.save("failure", &png).map_or_else(|e| format!("(not saved: {e:#})"), |p| p.display().to_string())
            }
            _ => "(none: the browser did not answer)".to_owned(),
        };
        panic!("{}: {what}\n  page: {url}\n  screenshot: {shot}", self.setup.label);
    }

    /// The texts of the elements matching `css`, for a failure report.
    async fn texts(&self, css: &str) -> Vec<String> {
        let read = async {
            let mut texts = Vec::new();
            for element in self.client.find_all(Locator::Css(css)).await? {
                texts.push(element.text().await?);
            }
            Ok::<_, CmdError>(texts)
        };
        tokio::time::timeout(REPORT_TIMEOUT, read).await.ok().and_then(Result::ok).unwrap_or_default()
    }

    fn save(&self, name: &str, png: &[u8]) -> Result<PathBuf> {
        let dir = &self.setup.screenshots;
        std::fs::create_dir_all(dir).with_context(|| format!("create {}", dir.display()))?;
        let path = dir.join(format!("{}-{}.png", file_name(&self.setup.label), file_name(name)));
        std::fs::write(&path, png).with_context(|| format!("write {}", path.display()))?;
        Ok(path)
    }
}

/// Headless Chromium for a root CI machine, one fresh profile per session.
fn capabilities(setup: &Setup) -> fantoccini::wd::Capabilities {
    let mut args = vec![
        "--headless=new".to_owned(),
        // CI runs as root, where Chromium refuses to start with its sandbox.
        "--no-sandbox".to_owned(),
        "--disable-gpu".to_owned(),
        // Containers have a small /dev/shm; Chromium crashes when it fills.
        "--disable-dev-shm-usage".to_owned(),
        "--window-size=1280,900".to_owned(),
        format!("--user-data-dir={}", setup.profile.display()),
        // Tests talk to 127.0.0.1 only: no proxy from the environment, no calls home.
        "--no-proxy-server".to_owned(),
        "--disable-background-networking".to_owned(),
        "--no-first-run".to_owned(),
        "--lang=en-US".to_owned(),
    ];
    if !setup.scripting {
        // The page runs no script of its own; WebDriver's commands still work.
        args.push("--blink-settings=scriptEnabled=false".to_owned());
    }
    let capabilities = json!({
        "browserName": "chrome",
        "pageLoadStrategy": "normal",
        "timeouts": { "pageLoad": 20_000, "script": 10_000, "implicit": 0 },
        "goog:chromeOptions": { "binary": setup.chromium, "args": args },
    });
    match capabilities {
        serde_json::Value::Object(map) => map,
        _ => unreachable!("a JSON object literal"),
    }
}
