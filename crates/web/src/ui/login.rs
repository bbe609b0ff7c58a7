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

pub fn routes() -> Router<AppState> {
    Router::new().route("/ui/login", get(login_page).post(sign_in)).route("/ui/logout", post(sign_out))
}

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub layout: Layout,
    pub login: String,
    pub next: String,
    pub error: Option<String>,
    pub notice: Option<&'static str>,
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
    let page =
        LoginPage { layout: Layout::anonymous("Sign in", csrf), login: String::new(), next, error: None, notice };
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
            if let Some(old) = cookie(&headers, SESSION_COOKIE)
                && let Err(err) = state.app.logout(Some(&old), &meta).await
            {
                tracing::debug!("the replaced session could not be ended: {err}");
            }
            let mut response = Redirect::to(&next).into_response();
            let cookies = [
                set_cookie(&headers, SESSION_COOKIE, &signed_in.token, "/", None),
                // The sign-in token has done its job; a fresh one comes with the next form.
                set_cookie(&headers, LOGIN_CSRF_COOKIE, "", "/ui/login", Some(0)),
            ];
            for cookie in cookies {
                response.headers_mut().append(header::SET_COOKIE, cookie);
            }
            response
        }
        Err(err) => {
            let (status, message) = render::error_message(&err);
            if status.is_server_error() {
                tracing::error!("sign-in failed: {err}");
            }
            let (csrf, new_cookie) = login_csrf(&headers);
            let page = LoginPage {
                layout: Layout::anonymous("Sign in", csrf),
                login: form.login.chars().take(254).collect(),
                next: safe_next(&form.next).unwrap_or("").to_owned(),
                error: Some(message),
                notice: None,
            };
            login_response(&headers, status, page, new_cookie)
        }
    }
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
