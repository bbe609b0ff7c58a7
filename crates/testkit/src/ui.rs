//! A browser-like client of the HTML UI: one signed-in session (its cookie and the
//! CSRF token the layout hands to forms), plain and fetch-mode requests, form posts.
//! Redirects are not followed, so each answer is checked as the server sent it.

use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};
use reqwest::{Client, Method, RequestBuilder, Response, StatusCode, redirect};

use crate::{PASSWORD, TestServer};

/// The session cookie of the UI (it holds the same token as the API's bearer).
pub const SESSION_COOKIE: &str = "sentinelops_session";

/// An HTTP client that does not follow redirects and bypasses any proxy.
pub fn client() -> Client {
    Client::builder().no_proxy().redirect(redirect::Policy::none()).build().expect("http client")
}

/// A signed-in UI session.
pub struct UiSession {
    http: Client,
    base: String,
    token: String,
    csrf: String,
}

impl UiSession {
    /// Signs `login` in through the sign-in form (with the harness's `PASSWORD`).
    pub async fn sign_in(srv: &TestServer, login: &str) -> UiSession {
        let http = client();
        let response = post_login(srv, &http, login, PASSWORD, "").await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "UI sign-in of {login}");
        let cookie = set_cookie(response.headers(), SESSION_COOKIE).expect("a session cookie");
        Self::open(srv, http, cookie_value(&cookie)).await
    }

    /// A session on an API token (the UI's cookie holds the same token).
    pub async fn with_token(srv: &TestServer, token: &str) -> UiSession {
        Self::open(srv, client(), token.to_owned()).await
    }

    /// Reads the CSRF token from a page's `<meta name="csrf-token">`.
    async fn open(srv: &TestServer, http: Client, token: String) -> UiSession {
        let mut session = UiSession { http, base: srv.base.clone(), token, csrf: String::new() };
        let (status, html) = session.html("/ui/profile").await;
        assert_eq!(status, StatusCode::OK, "the profile page opens: {html}");
        session.csrf = attr_after(&html, "name=\"csrf-token\"", "content");
        session
    }

    /// The session token (the cookie's value, usable as the API's bearer).
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The CSRF token forms carry.
    pub fn csrf(&self) -> &str {
        &self.csrf
    }

    /// A request with the session cookie, to finish as the test needs.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base))
            .header("Cookie", format!("{SESSION_COOKIE}={}", self.token))
    }

    pub async fn get(&self, path: &str) -> Response {
        self.request(Method::GET, path).send().await.expect("GET reaches the server")
    }

    /// A GET as the page's script sends it (fragments, partial updates).
    pub async fn fetch(&self, path: &str) -> Response {
        self.request(Method::GET, path)
            .header("X-Requested-With", "fetch")
            .send()
            .await
            .expect("GET reaches the server")
    }

    /// Status and body of a GET.
    pub async fn html(&self, path: &str) -> (StatusCode, String) {
        let response = self.get(path).await;
        (response.status(), response.text().await.expect("response body"))
    }

    /// The body of a page that must answer 200.
    pub async fn page(&self, path: &str) -> String {
        let (status, html) = self.html(path).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {html}");
        html
    }

    /// A plain form post carrying the CSRF token.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        self.form(path, fields).send().await.expect("POST reaches the server")
    }

    /// The same form posted by the page's script (it gets a fragment, not a redirect).
    pub async fn post_fetch(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        self.form(path, fields).header("X-Requested-With", "fetch").send().await.expect("POST reaches the server")
    }

    fn form(&self, path: &str, fields: &[(&str, &str)]) -> RequestBuilder {
        let mut form: Vec<(&str, &str)> = vec![("csrf", self.csrf.as_str())];
        form.extend_from_slice(fields);
        self.request(Method::POST, path).form(&form)
    }
}

/// Opens the sign-in page: (double-submit cookie, form token).
pub async fn login_form(srv: &TestServer, http: &Client) -> (String, String) {
    let response = http.get(srv.url("/ui/login")).send().await.expect("the sign-in page");
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = cookie_value(&set_cookie(response.headers(), "sentinelops_login_csrf").expect("login CSRF cookie"));
    let html = response.text().await.expect("sign-in page body");
    let token = attr_after(&html, "name=\"csrf\"", "value");
    (cookie, token)
}

/// Posts the sign-in form as a browser would (its CSRF cookie and token included).
pub async fn post_login(srv: &TestServer, http: &Client, login: &str, password: &str, next: &str) -> Response {
    let (cookie, token) = login_form(srv, http).await;
    http.post(srv.url("/ui/login"))
        .header("Cookie", format!("sentinelops_login_csrf={cookie}"))
        .form(&[("csrf", token.as_str()), ("login", login), ("password", password), ("next", next)])
        .send()
        .await
        .expect("POST /ui/login reaches the server")
}

/// The `Set-Cookie` header that sets `name`, if any.
pub fn set_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

/// The value part of a `Set-Cookie` header.
pub fn cookie_value(set_cookie: &str) -> String {
    let pair = set_cookie.split(';').next().unwrap_or_default();
    pair.split_once('=').map(|(_, value)| value.to_owned()).unwrap_or_default()
}

/// Where a redirect points ("" when it has no `Location`).
pub fn location(response: &Response) -> String {
    response.headers().get(LOCATION).map(|v| v.to_str().expect("ASCII location").to_owned()).unwrap_or_default()
}

/// The value of `attr` in the first tag after `marker`: `<input … name="{name}" value="…">`
/// or `<meta name="{name}" content="…">`.
pub fn attr_after(html: &str, marker: &str, attr: &str) -> String {
    let start = html.find(marker).unwrap_or_else(|| panic!("{marker} in {html}"));
    let rest = &html[start..];
    let at = rest.find(&format!("{attr}=\"")).unwrap_or_else(|| panic!("{attr} after {marker}")) + attr.len() + 2;
    rest[at..].split('"').next().unwrap_or_default().to_owned()
}
