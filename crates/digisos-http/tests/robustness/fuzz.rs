//! Fuzz-ish robustness: a corpus of malformed bodies posted to EVERY POST route of
//! `/openapi.json` (path parameters filled from the document, so a new route or a new
//! action is covered without touching this file) → never a 5xx, every error answer is
//! `application/problem+json`, and only an empty body may succeed (actions without
//! parameters).

use axum::body::{Body, Bytes};
use axum::http::{Request, header};
use digisos_http::routes::{CallOffAction, TimeEntryAction, Transition};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use crate::support::{As, World};

/// One malformed request body: a name, the bytes, the content type (if any).
struct Case {
    name: &'static str,
    body: Bytes,
    content_type: Option<&'static str>,
}

fn json(name: &'static str, body: impl Into<Vec<u8>>) -> Case {
    Case {
        name,
        body: Bytes::from(body.into()),
        content_type: Some("application/json"),
    }
}

fn corpus() -> Vec<Case> {
    let mut huge = b"{\"reason\":\"".to_vec();
    huge.resize(10 * 1024 * 1024, b'x');
    huge.extend_from_slice(b"\"}");
    let depth = 10_000;
    let nested = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let nested_objects = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
    vec![
        json("truncated", r#"{"estimate":{"amount":"10"#),
        json("truncated-object", r#"{"body":"05315000","title":"#),
        json("huge-number", r#"{"estimate":{"amount":1e999999}}"#),
        json(
            "huge-integer",
            r#"{"estimate":{"person_days":123456789012345678901234567890123456789}}"#,
        ),
        json(
            "huge-decimal-string",
            r#"{"estimate":{"amount":"79228162514264337593543950336000.00"}}"#,
        ),
        json(
            "huge-entry-number",
            r#"99999999999999999999999999999999999"#,
        ),
        json("negative-money", r#"{"estimate":{"amount":"-1000.00"}}"#),
        json("negative-days", r#"{"estimate":{"person_days":"-3"}}"#),
        json(
            "wrong-enum",
            r#"{"severity":"apocalyptic","lot":"los-1-rheinland"}"#,
        ),
        json(
            "wrong-category",
            r#"{"body":"05315000","title":"x","category":"aliens","aware_at":"2025-10-01T00:00:00Z"}"#,
        ),
        json(
            "wrong-duty-kind",
            r#"{"kind":"tax_return","submitted_at":"2025-10-02T18:00:00Z","reference":"x"}"#,
        ),
        json("wrong-format", r#"{"format":"xml","content":"<a/>"}"#),
        json(
            "wrong-types",
            r#"{"estimate":true,"reason":42,"reasons":"x"}"#,
        ),
        json(
            "bad-timestamp",
            r#"{"role":"incident_responder","start":"yesterday","end":"2025-13-45T99:00:00Z","description":"x"}"#,
        ),
        json("duplicate-member", r#"{"reason":"a","reason":"b"}"#),
        json("unknown-member", r#"{"surprise":1}"#),
        json("null", "null"),
        json("array", "[]"),
        json("string", r#""dispatch""#),
        json("trailing-garbage", r#"{} {}"#),
        json("nul-bytes", b"{\"reason\":\"a\0b\"}\0".to_vec()),
        json(
            "invalid-utf8",
            b"{\"reason\":\"\xff\xfe\xc3\x28\"}".to_vec(),
        ),
        json("invalid-utf8-key", b"{\"\xff\":1}".to_vec()),
        json("bom", b"\xef\xbb\xbf{}".to_vec()),
        json("deeply-nested-arrays", nested),
        json("deeply-nested-objects", nested_objects),
        json("ten-megabytes", huge),
        json("empty", ""),
        Case {
            name: "wrong-content-type",
            body: Bytes::from_static(br#"{"reason":"x"}"#),
            content_type: Some("text/plain"),
        },
        Case {
            name: "form-content-type",
            body: Bytes::from_static(b"reason=x"),
            content_type: Some("application/x-www-form-urlencoded"),
        },
        Case {
            name: "no-content-type",
            body: Bytes::from_static(br#"{"reason":"x"}"#),
            content_type: None,
        },
    ]
}

/// Every POST route of the document, with its path parameters filled in: `{id}` is the
/// incident, `{n}` entry 1, and an enum parameter every value it documents.
fn post_uris(id: &str) -> Vec<String> {
    let doc = serde_json::to_value(digisos_http::openapi(digisos_http::routes())).unwrap();
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        let Some(post) = item.get("post") else {
            continue;
        };
        let mut uris = vec![path.clone()];
        let params = post["parameters"].as_array().cloned().unwrap_or_default();
        for p in params.iter().filter(|p| p["in"] == "path") {
            let name = p["name"].as_str().unwrap();
            let values = path_values(name, &p["schema"], id);
            uris = uris
                .iter()
                .flat_map(|u| {
                    values
                        .iter()
                        .map(move |v| u.replace(&format!("{{{name}}}"), v))
                })
                .collect();
        }
        assert!(
            uris.iter().all(|u| !u.contains('{')),
            "unfilled path parameter in {path}"
        );
        out.extend(uris);
    }
    out
}

fn path_values(name: &str, schema: &Value, id: &str) -> Vec<String> {
    if let Some(reference) = schema["$ref"].as_str() {
        return match reference.rsplit('/').next() {
            Some("Transition") => names(Transition::ALL, Transition::as_str),
            Some("CallOffAction") => names(CallOffAction::ALL, CallOffAction::as_str),
            Some("TimeEntryAction") => names(TimeEntryAction::ALL, TimeEntryAction::as_str),
            other => panic!("path parameter {name}: no values for schema {other:?}; add them"),
        };
    }
    match (name, schema["type"].as_str()) {
        ("id", _) => vec![id.to_owned()],
        (_, Some("integer")) => vec!["1".to_owned()],
        _ => panic!("path parameter {name} ({schema}): no value; add one"),
    }
}

/// The path segments of a path enum.
fn names<T: Copy>(all: &[T], as_str: fn(T) -> &'static str) -> Vec<String> {
    all.iter().map(|a| as_str(*a).to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_bodies_on_every_post_route_answer_problem_json_never_5xx() {
    let w = World::new();
    let id = w.dispatched().await;
    let uris = post_uris(&id);
    assert!(uris.len() >= 20, "too few POST routes found: {uris:?}");
    let token = w.token(As::Coordinator).expose_secret().to_owned();
    let corpus = corpus();
    let mut failures = Vec::new();
    for uri in &uris {
        for case in &corpus {
            let mut req = Request::post(uri.as_str())
                .header(header::AUTHORIZATION, format!("Bearer {token}"));
            if let Some(ct) = case.content_type {
                req = req.header(header::CONTENT_TYPE, ct);
            }
            let req = req.body(Body::from(case.body.clone())).unwrap();
            let res = w.router.clone().oneshot(req).await.unwrap();
            let status = res.status().as_u16();
            let content_type = res
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned();
            let body = res.into_body().collect().await.unwrap().to_bytes();
            let problem: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let ok = if (200..300).contains(&status) {
                case.name == "empty"
            } else {
                (400..500).contains(&status)
                    && content_type == "application/problem+json"
                    && problem["type"]
                        .as_str()
                        .is_some_and(|t| t.starts_with("/problems/"))
                    && problem["status"] == status
            };
            if !ok {
                failures.push(format!(
                    "{uri} [{}]: {status} {content_type} {}",
                    case.name,
                    String::from_utf8_lossy(&body[..body.len().min(300)])
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} requests misbehaved:\n{}",
        failures.len(),
        uris.len() * corpus.len(),
        failures.join("\n")
    );
}
