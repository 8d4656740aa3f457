//! `Idempotency-Key` over the router: replay, reuse, scoping, failures.

use axum::http::{StatusCode, header};
use digisos_http::Role;
use digisos_http::auth::Token;

use crate::support::{TestApp, echo_body, request};

fn keyed(token: Option<&Token>, key: &str, body: String) -> axum::http::Request<axum::body::Body> {
    let mut r = request("POST", "/v1/_echo", token, body);
    r.headers_mut()
        .insert("idempotency-key", key.parse().unwrap());
    r
}

#[tokio::test]
async fn same_key_and_body_replays_the_stored_response() {
    let app = TestApp::new();
    let token = app.token(Role::Body);
    let first = app.send(keyed(Some(&token), "k-1", echo_body("a"))).await;
    let second = app.send(keyed(Some(&token), "k-1", echo_body("a"))).await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(second.status, StatusCode::CREATED);
    assert_eq!(first.body, second.body);
    for h in [header::LOCATION, header::ETAG, header::CONTENT_TYPE] {
        assert_eq!(first.headers[&h], second.headers[&h], "{h}");
    }
    assert!(!first.headers.contains_key("idempotent-replayed"));
    assert_eq!(second.headers["idempotent-replayed"], "true");
    assert_eq!(app.executions(), 1);
}

#[tokio::test]
async fn same_key_with_another_body_answers_422() {
    let app = TestApp::new();
    let token = app.token(Role::Body);
    app.send(keyed(Some(&token), "k-1", echo_body("a"))).await;
    app.send(keyed(Some(&token), "k-1", echo_body("b")))
        .await
        .problem(422, "idempotency-key-reused");
    assert_eq!(app.executions(), 1);
}

#[tokio::test]
async fn keys_are_scoped_per_token_and_optional() {
    let app = TestApp::new();
    let (a, b) = (app.token(Role::Body), app.token(Role::Body));
    app.send(keyed(Some(&a), "shared", echo_body("a"))).await;
    let other = app.send(keyed(Some(&b), "shared", echo_body("a"))).await;
    assert_eq!(other.status, StatusCode::CREATED);
    assert!(!other.headers.contains_key("idempotent-replayed"));
    app.send(request("POST", "/v1/_echo", Some(&a), echo_body("a")))
        .await;
    app.send(request("POST", "/v1/_echo", Some(&a), echo_body("a")))
        .await;
    assert_eq!(app.executions(), 4);
}

#[tokio::test]
async fn client_errors_are_replayed_and_server_errors_run_again() {
    let app = TestApp::new();
    let token = app.token(Role::Body);
    let bad = || {
        keyed(
            Some(&token),
            "k-bad",
            r#"{"name": 1, "count": 1}"#.to_owned(),
        )
    };
    app.send(bad()).await.problem(422, "invalid-body");
    let again = app.send(bad()).await;
    again.problem(422, "invalid-body");
    assert_eq!(again.headers["idempotent-replayed"], "true");

    let fail = || {
        let mut r = request("POST", "/v1/_fail", Some(&token), "{}");
        r.headers_mut()
            .insert("idempotency-key", "k-fail".parse().unwrap());
        r
    };
    app.send(fail()).await.problem(500, "internal");
    app.send(fail()).await.problem(500, "internal");
    assert_eq!(app.executions(), 2, "a 5xx is not stored, the retry runs");
}

#[tokio::test]
async fn invalid_keys_answer_400_and_unauthenticated_requests_401() {
    let app = TestApp::new();
    let token = app.token(Role::Body);
    app.send(keyed(Some(&token), "", echo_body("a")))
        .await
        .problem(400, "invalid-idempotency-key");
    app.send(keyed(Some(&token), &"x".repeat(256), echo_body("a")))
        .await
        .problem(400, "invalid-idempotency-key");
    app.send(keyed(None, "k-1", echo_body("a")))
        .await
        .problem(401, "unauthorized");
    assert_eq!(app.executions(), 0);
}
