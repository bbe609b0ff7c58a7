//! Sign-in and sign-out. Sign-in uses the same use case as `POST /auth/signin`, so
//! lockout, auditing and the messages are the API's; the token lands in an HttpOnly
//! cookie instead of the page.

use askama::Template;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::extract::ClientMeta;
use crate::live::SESSION_COOKIE;
use crate::state::AppState;
use crate::ui::extract::UiForm;
use crate::ui::render::{self, Layout};
use crate::ui::session::{self, LOGIN_CSRF_COOKIE, cookie, safe_next, set_cookie};
use sentinelops_app::RequestMeta;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ui/login", get(login_page).post(sign_in))
        .route("/ui/login/oidc", get(single_sign_on))
        .route("/ui/login/oidc/callback", get(single_sign_on_return))
        .route("/ui/logout", post(sign_out))
}

/// Binds an OpenID Connect flow to the browser that started it: the provider's return
/// is accepted only with the same `state` in this cookie, so a link carrying someone
/// else's code and state cannot sign a victim in as the attacker.
const OIDC_STATE_COOKIE: &str = "sentinelops_oidc_state";
const OIDC_COOKIE_PATH: &str = "/ui/login/oidc";

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub layout: Layout,
    pub login: String,
    pub next: String,
    pub error: Option<String>,
    pub notice: Option<&'static str>,
    /// "Sign in with …" (the OpenID provider's name), when single sign-on is configured.
    pub single_sign_on: Option<String>,
    /// Passwords are checked by the directory (LDAP / AD) for directory accounts.
    pub directory: bool,
}

impl LoginPage {
    fn new(state: &AppState, csrf: String, login: String, next: String) -> LoginPage {
        LoginPage {
            layout: Layout::anonymous("Sign in", csrf),
            login,
            next,
            error: None,
            notice: None,
            single_sign_on: state.app.single_sign_on().map(str::to_owned),
            directory: state.app.config.directory.ldap.is_some(),
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    signed_out: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// The double-submit token: the browser's existing one, or a fresh random one.
fn login_csrf(headers: &HeaderMap) -> (String, bool) {
    match cookie(headers, LOGIN_CSRF_COOKIE).filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit())) {
        Some(token) => (token, false),
        None => {
            let token = format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
            (token, true)
        }
    }
}

fn login_response(headers: &HeaderMap, status: StatusCode, page: LoginPage, new_cookie: bool) -> Response {
    let token = page.layout.csrf.clone();
    let mut response = render::page_status(status, &page);
    if new_cookie {
        let cookie = set_cookie(headers, LOGIN_CSRF_COOKIE, &token, "/ui/login", None);
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

async fn login_page(
    State(state): State<AppState>,
    query: Result<Query<LoginQuery>, QueryRejection>,
    headers: HeaderMap,
    request: axum::extract::Request,
) -> Response {
    let query = query.ok().map(|Query(q)| q);
    let next = query.as_ref().and_then(|q| q.next.as_deref()).and_then(safe_next).unwrap_or("").to_owned();
    // Already signed in: straight on.
    let (parts, _) = request.into_parts();
    if session::current_user(&parts, &state).await.is_some() {
        return Redirect::to(if next.is_empty() { "/ui/dashboard" } else { &next }).into_response();
    }
    let (csrf, new_cookie) = login_csrf(&headers);
    let notice = query.and_then(|q| q.signed_out).map(|_| "You have signed out.");
    let page = LoginPage { notice, ..LoginPage::new(&state, csrf, String::new(), next) };
    login_response(&headers, StatusCode::OK, page, new_cookie)
}

/// `csrf_guard` has already matched the form's token with the double-submit cookie.
async fn sign_in(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    headers: HeaderMap,
    UiForm(form): UiForm<LoginForm>,
) -> Response {
    let next = safe_next(&form.next).unwrap_or("/ui/dashboard").to_owned();
    match state.app.sign_in(&form.login, &form.password, &meta).await {
        Ok(signed_in) => {
            // A session this browser already held is replaced, not left alive unseen.
            let mut response = start_session(&state, &meta, &headers, &signed_in.token, &next).await;
            // The sign-in token has done its job; a fresh one comes with the next form.
            let used = set_cookie(&headers, LOGIN_CSRF_COOKIE, "", "/ui/login", Some(0));
            response.headers_mut().append(header::SET_COOKIE, used);
            response
        }
        Err(err) => {
            let (status, message) = render::error_message(&err);
            if status.is_server_error() {
                tracing::error!("sign-in failed: {err}");
            }
            let (csrf, new_cookie) = login_csrf(&headers);
            let login = form.login.chars().take(254).collect();
            let next = safe_next(&form.next).unwrap_or("").to_owned();
            let page = LoginPage { error: Some(message), ..LoginPage::new(&state, csrf, login, next) };
            login_response(&headers, status, page, new_cookie)
        }
    }
}

/// The session cookie for a new sign-in, replacing (and ending) one this browser held.
async fn start_session(state: &AppState, meta: &RequestMeta, headers: &HeaderMap, token: &str, next: &str) -> Response {
    if let Some(old) = cookie(headers, SESSION_COOKIE)
        && let Err(err) = state.app.logout(Some(&old), meta).await
    {
        tracing::debug!("the replaced session could not be ended: {err}");
    }
    let mut response = Redirect::to(next).into_response();
    response.headers_mut().append(header::SET_COOKIE, set_cookie(headers, SESSION_COOKIE, token, "/", None));
    response
}

#[derive(Debug, Deserialize)]
pub struct SingleSignOnQuery {
    #[serde(default)]
    next: Option<String>,
}

/// "Sign in with …": saves the flow and sends the browser to the provider.
async fn single_sign_on(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    query: Result<Query<SingleSignOnQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Response {
    let next = query.ok().and_then(|Query(q)| q.next).filter(|n| safe_next(n).is_some());
    match state.app.oidc_begin(next.as_deref(), &meta).await {
        Ok(begun) => {
            let mut response = Redirect::to(&begun.authorize_url).into_response();
            let cookie = set_cookie(&headers, OIDC_STATE_COOKIE, &begun.state, OIDC_COOKIE_PATH, Some(600));
            response.headers_mut().append(header::SET_COOKIE, cookie);
            response
        }
        Err(err) => login_failure(&state, &headers, &err).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct SingleSignOnReturn {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    state: Option<String>,
    /// The provider's refusal (`access_denied`, …) instead of a code.
    #[serde(default)]
    error: Option<String>,
}

/// The provider sends the browser back here with a code (or an error).
async fn single_sign_on_return(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    query: Result<Query<SingleSignOnReturn>, QueryRejection>,
    headers: HeaderMap,
) -> Response {
    let answer = query.ok().map(|Query(q)| q);
    let bound = cookie(&headers, OIDC_STATE_COOKIE);
    let result = match answer {
        Some(SingleSignOnReturn { code: Some(code), state: Some(flow), error: None })
            if bound.as_deref().is_some_and(|b| crate::ui::session::constant_time_eq(b, &flow)) =>
        {
            state.app.oidc_finish(&code, &flow, &meta).await
        }
        Some(SingleSignOnReturn { error: Some(error), .. }) => {
            tracing::info!(error = %error.chars().take(64).collect::<String>(), "the identity provider refused the sign-in");
            Err(sentinelops_app::AppError::Auth(sentinelops_app::AuthError::SingleSignOnRejected))
        }
        // A return without this browser's state cookie: not a flow this browser began.
        _ => state.app.oidc_reject_return(&meta).await,
    };
    let mut response = match result {
        Ok(done) => {
            let next = done.next.as_deref().and_then(safe_next).unwrap_or("/ui/dashboard").to_owned();
            start_session(&state, &meta, &headers, &done.signed_in.token, &next).await
        }
        Err(err) => login_failure(&state, &headers, &err).await,
    };
    let clear = set_cookie(&headers, OIDC_STATE_COOKIE, "", OIDC_COOKIE_PATH, Some(0));
    response.headers_mut().append(header::SET_COOKIE, clear);
    response
}

/// The sign-in page with the error of a single sign-on that did not work.
async fn login_failure(state: &AppState, headers: &HeaderMap, err: &sentinelops_app::AppError) -> Response {
    let (status, message) = render::error_message(err);
    if status.is_server_error() {
        tracing::warn!("single sign-on failed: {err}");
    }
    let (csrf, new_cookie) = login_csrf(headers);
    let page = LoginPage { error: Some(message), ..LoginPage::new(state, csrf, String::new(), String::new()) };
    login_response(headers, status, page, new_cookie)
}

/// `csrf_guard` has checked the session's token. Ends the session on the server (so
/// the token is dead everywhere, not just forgotten by this browser).
async fn sign_out(State(state): State<AppState>, ClientMeta(meta): ClientMeta, headers: HeaderMap) -> Response {
    if let Some(token) = cookie(&headers, SESSION_COOKIE)
        && let Err(err) = state.app.logout(Some(token.as_str()), &meta).await
    {
        let (status, message) = render::error_message(&err);
        let mut response = render::error_page(&state, None, &headers, status, &message).await;
        response.extensions_mut().insert(crate::error::InternalFailure(format!("sign-out: {err}")));
        return response;
    }
    let mut response = Redirect::to("/ui/login?signed_out=1").into_response();
    response.headers_mut().append(header::SET_COOKIE, set_cookie(&headers, SESSION_COOKIE, "", "/", Some(0)));
    response
}
