//! The router: infrastructure routes, the lead's domain routes, and the layers every
//! request passes (request id, logs, metrics, problem+json, timeout, body limit,
//! idempotency).
//!
//! Adding a domain route: write a handler with `#[utoipa::path(...)]` returning
//! `Result<_, ApiError>`, taking `Caller`, `ApiJson<T>`, `IfMatch` as needed, and add
//! `.routes(utoipa_axum::routes!(handler))` to the `OpenApiRouter` passed to [`app`].
//! Answer with a typed body from [`crate::views`] (`Serialize` + `ToSchema`) and name it
//! in `responses(... body = ...)`: a bare `Object` fails `tests/domain/openapi.rs`.
//! (utoipa needs named arguments: write `_caller: Caller`, not `Caller(_): Caller`.)

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use tower::ServiceBuilder;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::fallback::{ensure_problem, not_found};
use crate::idempotency::idempotency;
use crate::json::BodyLimit;
use crate::logging::{request_finished, request_span};
use crate::metrics::track;
use crate::ops::{ApiDoc, healthz, metrics, openapi_json, readyz};
use crate::problem::ApiError;
use crate::state::AppState;

/// Builds the complete router from the state and the domain routes `api` (pass
/// `OpenApiRouter::new()` when there are none). Call once at start-up.
///
/// Layers, outermost first: request id (`x-request-id`, generated if absent, echoed),
/// JSON request logs, metrics by route template, problem+json for every error
/// response, timeout (503), body limit (413); POST routes additionally pass the
/// `Idempotency-Key` middleware. Unknown routes answer 404, wrong methods 405, both as
/// problem+json.
pub fn app<S>(state: AppState<S>, api: OpenApiRouter<AppState<S>>) -> Router
where
    S: Clone + Send + Sync + 'static,
{
    let infra = state.infra.clone();
    let config = infra.config().clone();
    let (api_router, doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(api)
        .split_for_parts();
    let doc = Arc::new(doc);
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(move || openapi_json(doc.clone())))
        .merge(api_router)
        .route_layer(middleware::from_fn_with_state(infra.clone(), idempotency))
        .fallback(not_found)
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(PropagateRequestIdLayer::x_request_id())
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(request_span)
                        .on_request(())
                        .on_response(request_finished)
                        .on_failure(()),
                )
                .layer(middleware::from_fn_with_state(
                    infra.metrics().clone(),
                    track,
                ))
                .layer(middleware::map_response(ensure_problem))
                .layer(middleware::from_fn_with_state(
                    config.request_timeout,
                    timeout,
                ))
                .layer(Extension(BodyLimit(config.body_limit)))
                .layer(DefaultBodyLimit::max(config.body_limit))
                .layer(RequestBodyLimitLayer::new(config.body_limit)),
        )
        .with_state(state)
}

/// The OpenAPI document [`app`] serves for these domain routes (for snapshot tests
/// and `digisos openapi`-style exports).
pub fn openapi<S>(api: OpenApiRouter<AppState<S>>) -> utoipa::openapi::OpenApi
where
    S: Clone + Send + Sync + 'static,
{
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(api)
        .into_openapi()
}

/// Ends a request that runs longer than the limit with `503 /problems/timeout`. The
/// handler's future is dropped: durable commands must run in a task of their own (the
/// store's writer) so that a timeout never cuts one in half.
async fn timeout(State(limit): State<Duration>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(res) => res,
        Err(_) => ApiError::Timeout.into_response(),
    }
}
