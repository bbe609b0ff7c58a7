//! A small API reference page: our own HTML, CSS and script that read
//! `/openapi/v1.json`. Nothing is fetched from the internet.

use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};

pub async fn page() -> Html<&'static str> {
    Html(include_str!("../static/reference.html"))
}

fn with_type(body: &'static str, content_type: &'static str) -> Response {
    let mut response = body.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

pub async fn script() -> Response {
    with_type(include_str!("../static/reference.js"), "text/javascript; charset=utf-8")
}

pub async fn style() -> Response {
    with_type(include_str!("../static/reference.css"), "text/css; charset=utf-8")
}
