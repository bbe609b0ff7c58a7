//! The OpenAPI document and the router agree. Each API route is declared once, with
//! `utoipa_axum::routes!` over the handler's `#[utoipa::path]` (`crates/web/src/api`), so
//! a routed operation is in the document by construction. Two things could still break
//! that: an operation documented but not routed (an `ApiDoc` `paths(...)` entry), and a
//! route added by hand with axum's `.route(...)`, which the document never sees. One test
//! for each.

use std::path::{Path, PathBuf};

use reqwest::{Method, StatusCode};
use sentinelops_testkit::TestServer;
use serde_json::json;

use crate::openapi::{document, operations};

/// Routes registered by hand, outside `routes!`, and so not in the document: what the
/// original answered but never documented. A new line here needs a reason.
const UNDOCUMENTED: [&str; 3] = [
    // A probe that the auth router answers.
    r#".route("/auth/test", get(auth_test))"#,
    // The collections answer with and without a trailing slash.
    r#".route("/api/v1/notifications", get(list_notifications))"#,
    r#".route("/api/v1/users/", get(list_users).post(create_user))"#,
];

/// Calls that add a route to an axum router directly.
const HAND_ROUTING: [&str; 4] = [".route(", ".route_service(", ".nest(", ".nest_service("];

#[tokio::test]
async fn every_documented_operation_is_routed() {
    let srv = TestServer::start().await;
    let doc = document(&srv).await;
    let mut unrouted = Vec::new();
    for (method, path, _) in operations(&doc) {
        // Any id will do: an anonymous call is refused or answered by the handler, while an
        // unrouted one gets the router's 404 (no such path) or 405 (no such method).
        let concrete = path_with_ids(&path);
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let (status, body) = srv.call(method.clone(), &concrete, None, None).await;
        let router_fallback = status == StatusCode::NOT_FOUND && body == json!({"detail": "Not Found"});
        if router_fallback || status == StatusCode::METHOD_NOT_ALLOWED {
            unrouted.push(format!("{method} {path}: {status} {body}"));
        }
    }
    assert!(unrouted.is_empty(), "documented but not routed:\n{}", unrouted.join("\n"));
}

#[test]
fn no_api_route_bypasses_the_document() {
    let api = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/web/src/api");
    let mut by_hand = Vec::new();
    for file in rust_files(&api) {
        let source = std::fs::read_to_string(&file).unwrap();
        for line in source.lines().map(str::trim) {
            if HAND_ROUTING.iter().any(|call| line.contains(call)) && !UNDOCUMENTED.contains(&line) {
                by_hand.push(format!("{}: {line}", file.display()));
            }
        }
    }
    assert!(
        by_hand.is_empty(),
        "routes added outside `routes!` are missing from the OpenAPI document; declare them with \
         `.routes(routes!(handler))` and a `#[utoipa::path]`:\n{}",
        by_hand.join("\n")
    );
}

/// `/a/{x}/b` → `/a/<uuid>/b`.
fn path_with_ids(path: &str) -> String {
    let id = uuid::Uuid::now_v7().to_string();
    path.split('/')
        .map(|segment| if segment.starts_with('{') { id.as_str() } else { segment })
        .collect::<Vec<_>>()
        .join("/")
}

/// The `.rs` files under `dir`, recursively.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
    files
}
