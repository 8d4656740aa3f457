//! Operations endpoints: `/healthz`, `/readyz`, `/metrics`, `/openapi.json`, and the
//! OpenAPI document skeleton ([`ApiDoc`]) that domain routes are merged into.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

use crate::json::ApiJson;
use crate::problem::{ApiError, Problem};
use crate::state::{Infra, ReadinessCheck};

/// Name of the bearer security scheme in the OpenAPI document; domain routes declare
/// `security(("bearer" = []))`.
pub const BEARER_SCHEME: &str = "bearer";

/// The OpenAPI 3.1 document of the infrastructure routes and shared schemas. Domain
/// routes are added through `utoipa_axum::router::OpenApiRouter` in [`crate::app::app`].
#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "digisos API",
        description = "IT emergency help of the Land: framework contract, call-offs, incidents. \
            Errors are RFC 9457 problem+json; POSTs accept Idempotency-Key; versioned \
            resources carry ETag and take If-Match.",
        license(name = "EUPL-1.2")
    ),
    paths(healthz, readyz, metrics, openapi_json),
    components(schemas(Problem, Health, Ready, ReadinessCheck)),
    modifiers(&BearerAuth),
    tags((name = "operations", description = "Health, readiness, metrics, API description"))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER_SCHEME,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("dsos_<64 hex digits>")
                    .description(Some(
                        "An opaque token `dsos_…` made with `digisos token create`. When the \
                         server runs with OIDC enabled (`digisos serve --oidc-issuer …`), a \
                         JWT access token of that identity provider is accepted as well; its \
                         claims name the role and binding (see docs/oidc.md).",
                    ))
                    .build(),
            ),
        );
    }
}

/// Liveness answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok`.
    pub status: &'static str,
}

/// Readiness answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Ready {
    /// Always `ready` (otherwise the answer is a 503 problem).
    pub status: &'static str,
    /// Every check that ran.
    pub checks: Vec<ReadinessCheck>,
}

/// Liveness: the process answers. Touches no dependency.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "The process is alive", body = Health)))]
pub async fn healthz() -> ApiJson<Health> {
    ApiJson(Health { status: "ok" })
}

/// Readiness: every readiness check passes (store reachable, migrations current).
///
/// Otherwise `503 /problems/not-ready` lists the checks.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, description = "Ready to serve", body = Ready),
        (status = 503, description = "A check failed", body = Problem,
            content_type = "application/problem+json"),
    ))]
pub async fn readyz(State(infra): State<Infra>) -> Result<ApiJson<Ready>, ApiError> {
    let checks = infra.readiness().check().await;
    if checks.iter().all(|c| c.ok) {
        Ok(ApiJson(Ready {
            status: "ready",
            checks,
        }))
    } else {
        Err(ApiError::NotReady(checks))
    }
}

/// Prometheus metrics in text exposition format.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text format 0.0.4", body = String,
        content_type = "text/plain; version=0.0.4")))]
pub async fn metrics(State(infra): State<Infra>) -> Response {
    (
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        infra.metrics().render(),
    )
        .into_response()
}

/// This OpenAPI 3.1 document.
#[utoipa::path(get, path = "/openapi.json", tag = "operations",
    responses((status = 200, description = "OpenAPI 3.1 document", content_type = "application/json")))]
// Served by a closure over the document built in `app`, hence the argument.
pub async fn openapi_json(doc: Arc<utoipa::openapi::OpenApi>) -> Response {
    ApiJson(doc.as_ref()).into_response()
}
