//! The OpenAPI document is complete enough for a schema-driven client or fuzzer: every path
//! parameter declared, every error answer documented with its body's schema.

use reqwest::Method;
use sentinelops_testkit::TestServer;
use serde_json::Value;

/// Operations that need no session.
const PUBLIC: [(&str, &str); 3] = [("post", "/auth/signin"), ("post", "/auth/logout"), ("get", "/auth/ad/status")];

pub async fn document(srv: &TestServer) -> Value {
    let (status, doc) = srv.call(Method::GET, "/openapi/v1.json", None, None).await;
    assert_eq!(status, 200, "{doc}");
    doc
}

/// Every (method, path, operation) of the document.
pub fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if ["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                out.push((method.clone(), path.clone(), op.clone()));
            }
        }
    }
    out
}

/// The names in `{…}` of a path template.
fn path_params(path: &str) -> Vec<&str> {
    path.split('/').filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}'))).collect()
}

/// The schema name a response's JSON body refers to (directly), if any.
fn body_ref(response: &Value) -> Option<&str> {
    response["content"]["application/json"]["schema"]["$ref"].as_str()
}

#[tokio::test]
async fn every_operation_declares_its_path_parameters_and_error_answers() {
    let srv = TestServer::start().await;
    let doc = document(&srv).await;
    let ops = operations(&doc);
    assert!(ops.len() >= 76, "only {} operations documented", ops.len());
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let mut problems = Vec::new();
    for (method, path, op) in &ops {
        let name = format!("{} {path}", method.to_uppercase());
        let params = op["parameters"].as_array().cloned().unwrap_or_default();
        for wanted in path_params(path) {
            let declared = params.iter().any(|p| p["name"] == wanted && p["in"] == "path" && p["required"] == true);
            if !declared {
                problems.push(format!("{name}: path parameter {wanted} not declared"));
            }
        }
        let responses = op["responses"].as_object().unwrap();
        let mut needed = Vec::new();
        if !PUBLIC.contains(&(method.as_str(), path.as_str())) {
            needed.extend(["401", "403"]);
        }
        if op.get("requestBody").is_some() {
            needed.extend(["400", "413", "415", "422"]);
        }
        if !path_params(path).is_empty() {
            needed.extend(["404", "422"]);
        }
        if method != "get" && !PUBLIC.contains(&(method.as_str(), path.as_str())) {
            needed.push("409");
        }
        for status in needed {
            match responses.get(status) {
                None => problems.push(format!("{name}: {status} not documented")),
                Some(response) => match body_ref(response) {
                    None => problems.push(format!("{name}: {status} has no JSON body schema")),
                    Some(reference) => {
                        let schema = reference.trim_start_matches("#/components/schemas/");
                        if !schemas.contains_key(schema) {
                            problems.push(format!("{name}: {status} refers to missing schema {schema}"));
                        }
                    }
                },
            }
        }
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));

    // The error bodies are the shapes the server sends.
    assert_eq!(schemas["Detail"]["required"], serde_json::json!(["detail"]));
    let auth = &schemas["AuthFailure"];
    for field in ["code", "message", "context"] {
        assert!(auth["properties"].get(field).is_some(), "AuthFailure lacks {field}: {auth}");
    }
    let (status, body) = srv.call(Method::GET, "/auth/me", None, None).await;
    assert_eq!((status.as_u16(), body["code"].as_str()), (401, Some("TOKEN_MISSING")), "{body}");
}

/// Every `$ref` in `value`, wherever it stands.
fn refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                match (key.as_str(), child) {
                    ("$ref", Value::String(target)) => out.push(target.clone()),
                    _ => refs(child, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| refs(item, out)),
        _ => {}
    }
}

#[tokio::test]
async fn every_reference_in_the_document_resolves() {
    // A dangling `$ref` (a type named in `params(...)` but never registered) breaks
    // every schema-driven client: schemathesis reports it as a schema error.
    let srv = TestServer::start().await;
    let doc = document(&srv).await;
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let mut found = Vec::new();
    refs(&doc, &mut found);
    assert!(found.len() > 50, "only {} references", found.len());
    let dangling: Vec<&String> = found
        .iter()
        .filter(|r| !r.strip_prefix("#/components/schemas/").is_some_and(|name| schemas.contains_key(name)))
        .collect();
    assert!(dangling.is_empty(), "unresolvable references: {dangling:?}");
}
