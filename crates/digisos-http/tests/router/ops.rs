//! `/healthz`, `/readyz`, `/metrics`, `/openapi.json` and the request id.

use std::sync::Arc;

use axum::http::{StatusCode, header};
use digisos_http::auth::InMemoryTokenStore;
use digisos_http::idempotency::InMemoryIdempotencyStore;
use digisos_http::metrics::Gauge;
use digisos_http::state::{Readiness, ReadinessCheck, ReadinessFuture};
use digisos_http::{AppState, HttpConfig, Infra};
use utoipa_axum::router::OpenApiRouter;

use crate::support::{TestApp, request};

#[derive(Debug)]
struct StoreDown;

impl Readiness for StoreDown {
    fn check(&self) -> ReadinessFuture<'_> {
        Box::pin(async {
            vec![
                ReadinessCheck {
                    name: "migrations current".into(),
                    ok: true,
                    detail: None,
                },
                ReadinessCheck {
                    name: "store reachable".into(),
                    ok: false,
                    detail: Some("connection refused".into()),
                },
            ]
        })
    }
}

#[tokio::test]
async fn healthz_and_readyz_answer_ok() {
    let app = TestApp::new();
    let res = app.send(request("GET", "/healthz", None, "")).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json()["status"], "ok");
    let res = app.send(request("GET", "/readyz", None, "")).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json()["status"], "ready");
}

#[tokio::test]
async fn readyz_answers_503_listing_the_failed_check() {
    let infra = Infra::new(
        HttpConfig::default(),
        Arc::new(InMemoryTokenStore::new()),
        Arc::new(InMemoryIdempotencyStore::new(10)),
        Arc::new(StoreDown),
    );
    let app = TestApp::with_infra(infra);
    let p = app
        .send(request("GET", "/readyz", None, ""))
        .await
        .problem(503, "not-ready");
    assert_eq!(p["checks"][1]["name"], "store reachable");
    assert_eq!(p["checks"][1]["ok"], false);
    let res = app.send(request("GET", "/healthz", None, "")).await;
    assert_eq!(
        res.status,
        StatusCode::OK,
        "liveness does not depend on the store"
    );
}

#[tokio::test]
async fn metrics_use_route_templates_and_include_gauges() {
    let app = TestApp::new();
    app.infra.metrics().register_gauges(Arc::new(|| {
        vec![Gauge {
            name: "digisos_open_incidents".into(),
            help: "Open incidents".into(),
            samples: vec![(vec![], 3.0)],
        }]
    }));
    app.send(request("GET", "/v1/_things/secret-body-05315000", None, ""))
        .await;
    app.send(request("GET", "/v1/_things/other", None, ""))
        .await;
    app.send(request("GET", "/no/such/route-xyz", None, ""))
        .await;
    let res = app.send(request("GET", "/metrics", None, "")).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(
        res.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = String::from_utf8(res.body.to_vec()).unwrap();
    assert!(
        text.contains(
            r#"http_requests_total{route="/v1/_things/{id}",method="GET",status="200"} 2"#
        ),
        "{text}"
    );
    assert!(
        text.contains(r#"route="<unmatched>",method="GET",status="404"} 1"#),
        "{text}"
    );
    assert!(text.contains(
        r#"http_request_duration_seconds_count{route="/v1/_things/{id}",method="GET"} 2"#
    ));
    assert!(text.contains("digisos_open_incidents 3"), "{text}");
    assert!(
        !text.contains("secret-body") && !text.contains("route-xyz"),
        "{text}"
    );
}

#[tokio::test]
async fn request_id_is_generated_or_echoed() {
    let app = TestApp::new();
    let res = app.send(request("GET", "/healthz", None, "")).await;
    let generated = res.headers["x-request-id"].to_str().unwrap();
    assert_eq!(generated.len(), 36, "a UUID: {generated}");
    let mut req = request("GET", "/nope", None, "");
    req.headers_mut()
        .insert("x-request-id", "abc-123".parse().unwrap());
    let res = app.send(req).await;
    assert_eq!(res.headers["x-request-id"], "abc-123");
}

#[tokio::test]
async fn openapi_document_is_3_1_and_matches_the_snapshot() {
    let infra = Infra::in_memory(HttpConfig::default());
    let router = digisos_http::app(AppState::new(infra, ()), OpenApiRouter::new());
    let app = TestApp {
        router,
        infra: Infra::in_memory(HttpConfig::default()),
        counter: Default::default(),
    };
    let res = app.send(request("GET", "/openapi.json", None, "")).await;
    assert_eq!(res.status, StatusCode::OK);
    let doc = res.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(doc["components"]["schemas"]["Problem"].is_object());
    assert_eq!(
        doc,
        serde_json::to_value(digisos_http::openapi::<()>(OpenApiRouter::new())).unwrap()
    );
    insta::assert_json_snapshot!("openapi", doc);
}

/// A documented domain route, added the way the lead adds real ones.
#[utoipa::path(get, path = "/v1/_documented/{id}", tag = "demo",
    params(("id" = String, Path, description = "Demo id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Found", body = String),
        (status = 401, description = "Not authenticated", body = digisos_http::Problem,
            content_type = "application/problem+json"),
    ))]
async fn documented(
    _caller: digisos_http::Caller,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> String {
    id
}

#[tokio::test]
async fn domain_routes_added_with_routes_macro_are_served_and_documented() {
    let infra = Infra::in_memory(HttpConfig::default());
    let api = OpenApiRouter::new().routes(utoipa_axum::routes!(documented));
    let router = digisos_http::app(AppState::new(infra.clone(), ()), api);
    let app = TestApp {
        router,
        infra,
        counter: Default::default(),
    };
    let token = app.token(digisos_http::Role::Auditor);
    let res = app
        .send(request("GET", "/v1/_documented/x1", Some(&token), ""))
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(&res.body[..], b"x1");
    app.send(request("GET", "/v1/_documented/x1", None, ""))
        .await
        .problem(401, "unauthorized");
    let doc = app
        .send(request("GET", "/openapi.json", None, ""))
        .await
        .json();
    let op = &doc["paths"]["/v1/_documented/{id}"]["get"];
    assert_eq!(op["security"][0]["bearer"], serde_json::json!([]));
    assert!(
        doc["paths"]["/healthz"].is_object(),
        "infrastructure routes stay documented"
    );
}
