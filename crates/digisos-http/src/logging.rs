//! Structured JSON logs: one span per request with request id, method and route
//! template, one event when it finishes with status and latency.
//!
//! Never logged: headers (so neither `Authorization` nor tokens), query strings, raw
//! paths (they may carry ids of bodies), bodies. The authenticated token's id (not the
//! token) is recorded on the span by the `Caller` extractor.

use std::time::Duration;

use axum::extract::MatchedPath;
use axum::http::{Request, Response};
use tracing::Span;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

use crate::metrics::UNMATCHED_ROUTE;

/// Builds the JSON log subscriber writing to `writer`; `filter` is an `EnvFilter`
/// directive such as `info` or `digisos_http=debug`.
pub fn json_subscriber<W>(filter: &str, writer: W) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(EnvFilter::new(filter))
        .with_current_span(true)
        .with_span_list(false)
        .with_writer(writer)
        .finish()
}

/// Installs JSON logs to stderr for the process, filtered by `RUST_LOG` (default
/// `info`). Call once from the binary; fails if a global subscriber is already set.
pub fn init_logging() -> Result<(), tracing::subscriber::SetGlobalDefaultError> {
    let filter = std::env::var("RUST_LOG").unwrap_or_else(|_| "info".to_owned());
    tracing::subscriber::set_global_default(json_subscriber(&filter, std::io::stderr))
}

/// Span of one request (for `TraceLayer::make_span_with`).
pub fn request_span<B>(req: &Request<B>) -> Span {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or(UNMATCHED_ROUTE, MatchedPath::as_str);
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    tracing::info_span!(
        "request",
        request_id = %request_id,
        method = %req.method(),
        route = %route,
        token_id = tracing::field::Empty,
    )
}

/// Event at the end of one request (for `TraceLayer::on_response`).
pub fn request_finished<B>(res: &Response<B>, latency: Duration, _span: &Span) {
    tracing::info!(
        status = res.status().as_u16(),
        latency_ms = latency.as_secs_f64() * 1000.0,
        "request finished"
    );
}
