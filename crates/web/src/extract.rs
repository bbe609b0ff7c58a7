//! Extractors: request parts into use-case inputs, with every rejection answered in
//! the original's `{detail}` shape and a 4xx status.

use std::net::{IpAddr, SocketAddr};

use axum::body::Bytes;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use sentinelops_app::{Actor, AuthError, RequestMeta};

use crate::error::{auth_error, detail};
use crate::state::AppState;

/// JSON body with the original's error answers: 400 malformed, 422 wrong shape,
/// 413 too large, 415 wrong content type. NUL characters are refused (422) because
/// PostgreSQL cannot store them in text, and a client must never cause a 500.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| {
                let mime = mime.trim().to_ascii_lowercase();
                mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
            });
        if !is_json {
            return Err(detail(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Expected a JSON body with Content-Type: application/json",
            ));
        }
        let bytes = match Bytes::from_request(req, state).await {
            Ok(bytes) => bytes,
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(detail(StatusCode::PAYLOAD_TOO_LARGE, "Request body is too large"));
            }
            Err(rejection) => return Err(detail(rejection.status(), rejection.body_text())),
        };
        if contains_nul_escape(&bytes) {
            return Err(detail(StatusCode::UNPROCESSABLE_ENTITY, "Text must not contain NUL characters"));
        }
        let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
        let value = match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
            Ok(value) => value,
            Err(e) if e.inner().is_data() => {
                let path = e.path().to_string();
                let message = if path == "." { e.inner().to_string() } else { format!("{path}: {}", e.inner()) };
                return Err(detail(StatusCode::UNPROCESSABLE_ENTITY, format!("Invalid request body: {message}")));
            }
            Err(_) => return Err(detail(StatusCode::BAD_REQUEST, "Malformed JSON in request body")),
        };
        // Trailing bytes after the value are malformed too.
        match deserializer.end() {
            Ok(()) => Ok(ApiJson(value)),
            Err(_) => Err(detail(StatusCode::BAD_REQUEST, "Malformed JSON in request body")),
        }
    }
}

/// A JSON body that may be absent: no body (or an empty one) is `None`; a body must
/// be valid JSON of the expected shape, with the same answers as `ApiJson`.
#[derive(Debug, Clone, Default)]
pub struct OptionalJson<T>(pub Option<T>);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for OptionalJson<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let bytes = match Bytes::from_request(Request::from_parts(parts.clone(), body), state).await {
            Ok(bytes) => bytes,
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(detail(StatusCode::PAYLOAD_TOO_LARGE, "Request body is too large"));
            }
            Err(rejection) => return Err(detail(rejection.status(), rejection.body_text())),
        };
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(OptionalJson(None));
        }
        let mut parts = parts;
        parts.headers.insert(header::CONTENT_TYPE, axum::http::HeaderValue::from_static("application/json"));
        let req = Request::from_parts(parts, axum::body::Body::from(bytes));
        ApiJson::<T>::from_request(req, state).await.map(|ApiJson(v)| OptionalJson(Some(v)))
    }
}

/// True when a JSON text spells a NUL character (`\u0000`); raw NUL bytes are not valid JSON.
fn contains_nul_escape(bytes: &[u8]) -> bool {
    bytes.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000"))
}

/// Path parameters; a malformed id is a 422 naming the problem.
#[derive(Debug, Clone, Copy)]
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(ApiPath(value)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => {
                Err(detail(StatusCode::UNPROCESSABLE_ENTITY, format!("Invalid path parameter: {}", e.body_text())))
            }
            Err(other) => Err(detail(other.status(), other.body_text())),
        }
    }
}

/// Query parameters; a wrong type is a 422 naming the parameter.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if parts.uri.query().is_some_and(|q| q.contains("%00")) {
            return Err(detail(StatusCode::UNPROCESSABLE_ENTITY, "Query parameters must not contain NUL characters"));
        }
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(ApiQuery(value)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => {
                Err(detail(StatusCode::UNPROCESSABLE_ENTITY, format!("Invalid query parameter: {}", e.body_text())))
            }
            Err(other) => Err(detail(other.status(), other.body_text())),
        }
    }
}

/// The client's address and user agent. `X-Forwarded-For` counts only when the
/// direct peer is a configured trusted proxy; then the right-most address that is
/// not itself a trusted proxy is the client.
#[derive(Debug, Clone)]
pub struct ClientMeta(pub RequestMeta);

pub fn client_ip(headers: &HeaderMap, peer: Option<IpAddr>, state: &AppState) -> Option<IpAddr> {
    let trusted = |ip: &IpAddr| state.web.trusted_proxies.iter().any(|net| net.contains(ip));
    let peer = peer?;
    if !trusted(&peer) {
        return Some(peer);
    }
    let entries: Vec<String> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|part| part.trim().to_owned())
        .collect();
    // Walk back from the nearest hop: trusted proxies are skipped; the first other
    // address is the client. An entry that is not an address cannot be vouched for,
    // so the last trusted hop is used rather than anything a client wrote before it.
    let mut client = peer;
    for entry in entries.iter().rev() {
        match parse_forwarded(entry) {
            Some(ip) if trusted(&ip) => client = ip,
            Some(ip) => return Some(ip),
            None => return Some(client),
        }
    }
    Some(client)
}

/// An address as proxies write it: `1.2.3.4`, `1.2.3.4:5678`, `::1` or `[::1]:5678`.
fn parse_forwarded(entry: &str) -> Option<IpAddr> {
    if let Ok(ip) = entry.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(addr) = entry.parse::<SocketAddr>() {
        return Some(addr.ip());
    }
    entry.strip_prefix('[').and_then(|rest| rest.split(']').next()).and_then(|ip| ip.parse().ok())
}

pub fn request_meta(parts: &Parts, state: &AppState) -> RequestMeta {
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip());
    let ip = client_ip(&parts.headers, peer, state).map(|ip| ip.to_string());
    let user_agent =
        parts.headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(|ua| ua.chars().take(512).collect());
    RequestMeta { ip, user_agent }
}

impl FromRequestParts<AppState> for ClientMeta {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(ClientMeta(request_meta(parts, state)))
    }
}

/// The bearer token of a request, if any (`Authorization: Bearer …`).
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

/// An authenticated request: the acting user and where the request came from.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub actor: Actor,
    pub meta: RequestMeta,
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let meta = request_meta(parts, state);
        let Some(token) = bearer_token(&parts.headers) else {
            return Err(auth_error(AuthError::TokenMissing));
        };
        match state.app.authenticate(token, &meta).await {
            Ok(actor) => Ok(AuthUser { actor, meta }),
            Err(err) => Err(crate::error::ApiError(err).into_response()),
        }
    }
}
