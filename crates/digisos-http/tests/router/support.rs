//! Demo app for the router tests: test-only routes on top of the real infrastructure.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Request, StatusCode, header};
use axum::routing::{get, post};
use digisos_core::ids::ProviderId;
use digisos_http::auth::Token;
use digisos_http::etag::{IfMatch, etag_header};
use digisos_http::{ApiError, ApiJson, AppState, Caller, HttpConfig, Infra, Role, require_role};
use http_body_util::BodyExt;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tower::ServiceExt;
use utoipa_axum::router::OpenApiRouter;

/// The demo service: counts executions of `/v1/_echo`.
pub(crate) type Counter = Arc<AtomicU64>;

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EchoBody {
    pub(crate) name: String,
    pub(crate) count: u32,
}

async fn echo(
    State(state): State<AppState<Counter>>,
    Caller(who): Caller,
    ApiJson(body): ApiJson<EchoBody>,
) -> Result<(StatusCode, HeaderMap, ApiJson<Value>), ApiError> {
    let n = state.service.fetch_add(1, Ordering::SeqCst) + 1;
    let mut headers = HeaderMap::new();
    headers.insert(header::LOCATION, format!("/v1/_echo/{n}").parse().unwrap());
    let (name, value) = etag_header(n);
    headers.insert(name, value);
    let out = json!({ "echo": body, "role": who.role(), "execution": n });
    Ok((StatusCode::CREATED, headers, ApiJson(out)))
}

async fn thing(Path(id): Path<String>) -> ApiJson<Value> {
    ApiJson(json!({ "id": id }))
}

async fn transition(Caller(_): Caller, if_match: IfMatch) -> Result<HeaderMap, ApiError> {
    if_match.check(3, true)?;
    let mut headers = HeaderMap::new();
    let (name, value) = etag_header(4);
    headers.insert(name, value);
    Ok(headers)
}

async fn coordinator_only(Caller(who): Caller) -> Result<&'static str, ApiError> {
    require_role(&who, &[Role::Coordinator])?;
    Ok("welcome")
}

async fn fail(State(state): State<AppState<Counter>>, Caller(_): Caller) -> ApiError {
    state.service.fetch_add(1, Ordering::SeqCst);
    ApiError::Internal("database file /secret/path is corrupt".into())
}

async fn slow() -> &'static str {
    std::future::pending::<()>().await;
    "never"
}

/// Test-only routes.
pub(crate) fn demo_routes() -> OpenApiRouter<AppState<Counter>> {
    OpenApiRouter::new()
        .route("/v1/_echo", post(echo))
        .route("/v1/_things/{id}", get(thing))
        .route("/v1/_things/{id}/transition", post(transition))
        .route("/v1/_coordinator_only", get(coordinator_only))
        .route("/v1/_fail", post(fail))
        .route("/v1/_slow", get(slow))
}

/// A demo app with in-memory infrastructure.
pub(crate) struct TestApp {
    pub(crate) router: Router,
    pub(crate) infra: Infra,
    pub(crate) counter: Counter,
}

impl TestApp {
    pub(crate) fn new() -> Self {
        Self::with_infra(Infra::in_memory(HttpConfig::default()))
    }

    pub(crate) fn with_infra(infra: Infra) -> Self {
        let counter = Counter::default();
        let state = AppState::new(infra.clone(), counter.clone());
        TestApp {
            router: digisos_http::app(state, demo_routes()),
            infra,
            counter,
        }
    }

    pub(crate) fn token(&self, role: Role) -> Token {
        let (body, provider) = match role {
            Role::Body => (Some("05315000".to_owned()), None),
            Role::Provider => (None, Some(ProviderId::new("acme").unwrap())),
            _ => (None, None),
        };
        self.infra
            .tokens()
            .issue(role, body, provider, "test")
            .unwrap()
            .0
    }

    pub(crate) fn executions(&self) -> u64 {
        self.counter.load(Ordering::SeqCst)
    }

    pub(crate) async fn send(&self, req: Request<Body>) -> Answer {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.unwrap().to_bytes();
        Answer {
            status,
            headers,
            body,
        }
    }
}

/// A response, fully read.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl Answer {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    /// Asserts an RFC 9457 problem with this status and type; returns it.
    pub(crate) fn problem(&self, status: u16, slug: &str) -> Value {
        assert_eq!(self.status.as_u16(), status, "body: {:?}", self.body);
        assert_eq!(
            self.headers[header::CONTENT_TYPE],
            "application/problem+json"
        );
        let p = self.json();
        assert_eq!(p["type"], format!("/problems/{slug}"), "{p}");
        assert_eq!(p["status"], status, "{p}");
        assert!(p["title"].as_str().is_some_and(|t| !t.is_empty()), "{p}");
        assert!(p["detail"].as_str().is_some_and(|t| !t.is_empty()), "{p}");
        p
    }
}

/// A request with optional bearer token and JSON content type.
pub(crate) fn request(
    method: &str,
    uri: &str,
    token: Option<&Token>,
    body: impl Into<Body>,
) -> Request<Body> {
    let mut b = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(token) = token {
        b = b.header(
            header::AUTHORIZATION,
            format!("Bearer {}", token.expose_secret()),
        );
    }
    b.body(body.into()).unwrap()
}

/// A valid `/v1/_echo` body.
pub(crate) fn echo_body(name: &str) -> String {
    json!({ "name": name, "count": 1 }).to_string()
}
