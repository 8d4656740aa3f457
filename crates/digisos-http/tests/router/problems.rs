//! Every problem type the infrastructure produces, as problem+json.

use axum::http::{StatusCode, header};
use digisos_http::Role;

use crate::support::{TestApp, echo_body, request};

#[tokio::test]
async fn missing_malformed_invalid_and_revoked_tokens_answer_401() {
    let app = TestApp::new();
    let token = app.token(Role::Body);

    let res = app
        .send(request("POST", "/v1/_echo", None, echo_body("a")))
        .await;
    res.problem(401, "unauthorized");
    assert_eq!(res.headers[header::WWW_AUTHENTICATE], "Bearer");

    let mut basic = request("POST", "/v1/_echo", None, echo_body("a"));
    basic
        .headers_mut()
        .insert(header::AUTHORIZATION, "Basic dXNlcjpwdw==".parse().unwrap());
    let res = app.send(basic).await;
    res.problem(401, "unauthorized");
    assert_eq!(
        res.headers[header::WWW_AUTHENTICATE],
        r#"Bearer error="invalid_request", error_description="the Authorization header is not `Bearer <token>`""#
    );

    let mut unknown = request("POST", "/v1/_echo", None, echo_body("a"));
    unknown
        .headers_mut()
        .insert(header::AUTHORIZATION, "Bearer dsos_0000".parse().unwrap());
    let res = app.send(unknown).await;
    res.problem(401, "unauthorized");
    assert_eq!(
        res.headers[header::WWW_AUTHENTICATE],
        r#"Bearer error="invalid_token", error_description="the bearer token is unknown or revoked""#
    );

    let ok = app
        .send(request("POST", "/v1/_echo", Some(&token), echo_body("a")))
        .await;
    assert_eq!(ok.status, StatusCode::CREATED);
    let id = app.infra.tokens().list()[0].principal.token_id().clone();
    app.infra.tokens().revoke(&id).unwrap();
    let res = app
        .send(request("POST", "/v1/_echo", Some(&token), echo_body("a")))
        .await;
    let p = res.problem(401, "unauthorized");
    assert_eq!(p["detail"], "the bearer token is unknown or revoked");
}

#[tokio::test]
async fn wrong_role_answers_403() {
    let app = TestApp::new();
    let res = app
        .send(request(
            "GET",
            "/v1/_coordinator_only",
            Some(&app.token(Role::Auditor)),
            "",
        ))
        .await;
    res.problem(403, "forbidden");
    let ok = app
        .send(request(
            "GET",
            "/v1/_coordinator_only",
            Some(&app.token(Role::Coordinator)),
            "",
        ))
        .await;
    assert_eq!(ok.status, StatusCode::OK);
}

#[tokio::test]
async fn unknown_route_answers_404_and_wrong_method_405() {
    let app = TestApp::new();
    app.send(request("GET", "/v1/nothing/here", None, ""))
        .await
        .problem(404, "not-found");
    let res = app.send(request("GET", "/v1/_echo", None, "")).await;
    res.problem(405, "method-not-allowed");
    assert_eq!(res.headers[header::ALLOW], "POST");
    let res = app.send(request("DELETE", "/healthz", None, "")).await;
    res.problem(405, "method-not-allowed");
}

#[tokio::test]
async fn bodies_over_the_limit_answer_413_with_and_without_content_length() {
    let app = TestApp::new();
    let token = app.token(Role::Body);
    let huge = vec![b' '; 10 * 1024 * 1024];
    let mut req = request("POST", "/v1/_echo", Some(&token), huge.clone());
    req.headers_mut()
        .insert(header::CONTENT_LENGTH, huge.len().into());
    let p = app.send(req).await.problem(413, "payload-too-large");
    assert_eq!(p["status"], 413);

    // No Content-Length: the body limit trips while the extractor reads.
    let p = app
        .send(request("POST", "/v1/_echo", Some(&token), huge))
        .await
        .problem(413, "payload-too-large");
    assert_eq!(p["limit"], 1024 * 1024);
    assert_eq!(app.executions(), 0);
}

#[tokio::test]
async fn wrong_or_missing_content_type_answers_415() {
    let app = TestApp::new();
    let token = app.token(Role::Body);
    let mut req = request("POST", "/v1/_echo", Some(&token), echo_body("a"));
    req.headers_mut()
        .insert(header::CONTENT_TYPE, "text/plain".parse().unwrap());
    let p = app.send(req).await.problem(415, "unsupported-media-type");
    assert!(p["detail"].as_str().unwrap().contains("text/plain"));
    let mut req = request("POST", "/v1/_echo", Some(&token), echo_body("a"));
    req.headers_mut().remove(header::CONTENT_TYPE);
    app.send(req).await.problem(415, "unsupported-media-type");
}

#[tokio::test]
async fn malformed_bodies_answer_400_with_position() {
    let app = TestApp::new();
    let token = app.token(Role::Body);
    let cases: &[(&[u8], &str)] = &[
        (br#"{"name": "a", "count": 1"#, "truncated JSON"),
        (br#"{"name": "a" "count": 1}"#, "expected"),
        (b"{\"name\": \"\xc3\x28\", \"count\": 1}", "unicode"),
        (b"", "truncated JSON"),
        (br#"{"name": "a", "count": 1} trailing"#, "trailing"),
    ];
    for (body, needle) in cases {
        let res = app
            .send(request("POST", "/v1/_echo", Some(&token), body.to_vec()))
            .await;
        let p = res.problem(400, "malformed-json");
        assert!(p["detail"].as_str().unwrap().contains(needle), "{p}");
        assert!(p["line"].as_u64().unwrap() >= 1, "{p}");
        assert!(p["column"].is_u64(), "{p}");
    }
    assert_eq!(app.executions(), 0);
}

#[tokio::test]
async fn wrong_shapes_answer_422_with_pointer() {
    let app = TestApp::new();
    let token = app.token(Role::Body);
    let cases = [
        (
            r#"{"name": "a", "count": 1, "admin": true}"#,
            "/admin",
            "unknown field `admin`",
        ),
        (
            r#"{"name": 5, "count": 1}"#,
            "/name",
            "invalid type: integer `5`",
        ),
        (r#"{"name": "a", "count": -1}"#, "/count", "invalid value"),
        (
            r#"{"name": "a", "count": 99999999999999999999}"#,
            "/count",
            "invalid",
        ),
        (r#"{"name": "a"}"#, "", "missing field `count`"),
        (r#""just a string""#, "", "invalid type: string"),
    ];
    for (body, pointer, needle) in cases {
        let res = app
            .send(request("POST", "/v1/_echo", Some(&token), body))
            .await;
        let p = res.problem(422, "invalid-body");
        assert_eq!(p["pointer"], pointer, "{p}");
        assert!(p["detail"].as_str().unwrap().contains(needle), "{p}");
    }
    assert_eq!(app.executions(), 0);
}

#[tokio::test]
async fn if_match_mismatch_answers_412_and_absence_428() {
    let app = TestApp::new();
    let token = app.token(Role::Coordinator);
    let uri = "/v1/_things/x/transition";
    let with = |tag: &str| {
        let mut r = request("POST", uri, Some(&token), "");
        r.headers_mut()
            .insert(header::IF_MATCH, tag.parse().unwrap());
        r
    };
    let p = app
        .send(with("\"v2\""))
        .await
        .problem(412, "precondition-failed");
    assert_eq!(p["current_etag"], "\"v3\"");
    app.send(request("POST", uri, Some(&token), ""))
        .await
        .problem(428, "precondition-required");
    app.send(with("v3")).await.problem(400, "bad-request");
    let ok = app.send(with("\"v3\"")).await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.headers[header::ETAG], "\"v4\"");
}

#[tokio::test]
async fn internal_errors_answer_500_without_leaking() {
    let app = TestApp::new();
    let token = app.token(Role::Coordinator);
    let res = app
        .send(request("POST", "/v1/_fail", Some(&token), "{}"))
        .await;
    res.problem(500, "internal");
    assert!(!String::from_utf8_lossy(&res.body).contains("secret"));
}

#[tokio::test(start_paused = true)]
async fn slow_requests_answer_503_timeout() {
    let app = TestApp::new();
    app.send(request("GET", "/v1/_slow", None, ""))
        .await
        .problem(503, "timeout");
}

#[tokio::test]
async fn path_rejections_from_plain_extractors_become_problems() {
    // axum's own rejections (here a percent-encoded invalid UTF-8 path segment) are
    // turned into problem+json by the safety net.
    let app = TestApp::new();
    let res = app.send(request("GET", "/v1/_things/%FF", None, "")).await;
    res.problem(400, "bad-request");
}
