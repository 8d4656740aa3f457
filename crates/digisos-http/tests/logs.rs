//! Structured logs: one JSON line per request with id, method, route template and
//! status; tokens never appear.
//!
//! A test binary of its own: tracing caches per-callsite interest process-wide, so a
//! thread-local subscriber could miss events that other tests' threads registered first.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

#[allow(dead_code)] // the demo app's helpers are shared with tests/router.rs
#[path = "router/support.rs"]
mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::http::header;
use digisos_http::Role;
use digisos_http::logging::json_subscriber;
use tracing_subscriber::fmt::MakeWriter;

use support::{TestApp, echo_body, request};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Capture {
        self.clone()
    }
}

#[tokio::test]
async fn request_logs_are_json_with_route_and_never_contain_tokens() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(json_subscriber("trace", capture.clone()));
    let app = TestApp::new();
    let token = app.token(Role::Body);
    let secret = token.expose_secret().to_owned();

    let mut req = request("POST", "/v1/_echo", Some(&token), echo_body("a"));
    req.headers_mut()
        .insert("x-request-id", "req-42".parse().unwrap());
    app.send(req).await;
    app.send(request("GET", "/v1/_things/05315000", Some(&token), ""))
        .await;
    let mut bad = request("POST", "/v1/_echo", None, echo_body("a"));
    bad.headers_mut().insert(
        header::AUTHORIZATION,
        format!("Bearer {secret}x").parse().unwrap(),
    );
    app.send(bad).await;

    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    let finished: Vec<serde_json::Value> = logs
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["fields"]["message"] == "request finished")
        .collect();
    assert_eq!(finished.len(), 3, "{logs}");
    let first = &finished[0];
    assert_eq!(first["span"]["request_id"], "req-42");
    assert_eq!(first["span"]["route"], "/v1/_echo");
    assert_eq!(first["span"]["method"], "POST");
    assert!(
        first["span"]["token_id"]
            .as_str()
            .unwrap()
            .starts_with("tok_")
    );
    assert_eq!(first["fields"]["status"], 201);
    assert!(first["fields"]["latency_ms"].is_number());
    assert_eq!(finished[1]["span"]["route"], "/v1/_things/{id}");
    assert_eq!(finished[2]["fields"]["status"], 401);

    assert!(!logs.contains(&secret), "token leaked into logs");
    assert!(
        !logs.contains(&secret[5..20]),
        "token fragment leaked into logs"
    );
    assert!(!logs.to_ascii_lowercase().contains("bearer"), "{logs}");
    assert!(!logs.contains("05315000"), "raw paths are not logged");
}

#[allow(dead_code)] // shared with tests/oidc.rs
#[path = "oidc/support.rs"]
mod oidc_support;

#[tokio::test]
async fn jwt_callers_are_logged_by_subject_and_jwts_never_appear() {
    use chrono::TimeZone;
    use digisos_http::clock::FixedClock;
    use digisos_http::{HttpConfig, Infra};

    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(json_subscriber("trace", capture.clone()));
    let now = chrono::Utc.with_ymd_and_hms(2025, 10, 2, 18, 0, 0).unwrap();
    let oidc = oidc_support::oidc(Arc::new(FixedClock::new(now)));
    let app = TestApp::with_infra(Infra::in_memory(HttpConfig {
        oidc: Some(Arc::new(oidc)),
        ..HttpConfig::default()
    }));
    let good = oidc_support::sign(
        oidc_support::Signer::Rsa1,
        &oidc_support::with(
            oidc_support::claims(now, "coordinator"),
            serde_json::json!({ "sub": "user-hotline" }),
        ),
    );
    let expired = oidc_support::sign(
        oidc_support::Signer::Ec1,
        &oidc_support::claims(now - chrono::TimeDelta::hours(1), "coordinator"),
    );
    for jwt in [&good, &expired] {
        let mut req = request("GET", "/v1/_coordinator_only", None, "");
        req.headers_mut().insert(
            header::AUTHORIZATION,
            format!("Bearer {jwt}").parse().unwrap(),
        );
        app.send(req).await;
    }

    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<serde_json::Value> = logs
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .collect();
    let finished: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|v| v["fields"]["message"] == "request finished")
        .collect();
    assert_eq!(finished.len(), 2, "{logs}");
    assert_eq!(finished[0]["fields"]["status"], 200);
    assert_eq!(finished[0]["span"]["token_id"], "oidc:user-hotline");
    assert_eq!(finished[1]["fields"]["status"], 401);
    let rejected = lines
        .iter()
        .find(|v| v["fields"]["message"] == "JWT rejected")
        .unwrap_or_else(|| panic!("no rejection logged: {logs}"));
    assert!(
        rejected["fields"]["reason"]
            .as_str()
            .unwrap()
            .starts_with("the JWT expired at"),
        "{rejected}"
    );
    for jwt in [&good, &expired] {
        for part in jwt.split('.') {
            assert!(!logs.contains(part), "a JWT segment leaked into logs");
        }
    }
    assert!(!logs.to_ascii_lowercase().contains("bearer"), "{logs}");
}
