//! Application state: the domain-independent infrastructure ([`Infra`]) plus the
//! domain service slot of [`AppState`].
//!
//! Extension point: the lead's domain service goes into `AppState::service` (any
//! `Clone + Send + Sync + 'static` type, typically an `Arc`). Handlers take
//! `State<AppState<S>>` for the service; the infrastructure extractors (`Caller`,
//! idempotency, metrics) only need `Infra: FromRef<state>`, which `AppState<S>` provides.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::FromRef;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::oidc::Oidc;
use crate::auth::{InMemoryTokenStore, TokenStore};
use crate::idempotency::{IdempotencyStore, InMemoryIdempotencyStore};
use crate::json::DEFAULT_BODY_LIMIT;
use crate::metrics::Metrics;

/// Tunables of the HTTP layer.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Largest accepted request body in bytes (default 1 MiB); larger → 413.
    pub body_limit: usize,
    /// Longest a request may take (default 30 s); longer → 503 `/problems/timeout`.
    pub request_timeout: Duration,
    /// JWT access tokens of an OIDC identity provider, accepted besides the opaque
    /// tokens when set (default: none; see `docs/oidc.md`).
    pub oidc: Option<Arc<Oidc>>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            body_limit: DEFAULT_BODY_LIMIT,
            request_timeout: Duration::from_secs(30),
            oidc: None,
        }
    }
}

/// The outcome of one readiness check (`store reachable`, `migrations current`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ReadinessCheck {
    /// What was checked.
    pub name: String,
    /// Whether it passed.
    pub ok: bool,
    /// Why it failed (must not contain secrets such as connection passwords).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// A boxed future returned by [`Readiness::check`].
pub type ReadinessFuture<'a> = Pin<Box<dyn Future<Output = Vec<ReadinessCheck>> + Send + 'a>>;

/// Tells `/readyz` whether the server can serve: implement it over the store.
pub trait Readiness: Send + Sync + std::fmt::Debug {
    /// Runs every check; `/readyz` answers 200 only when all pass.
    fn check(&self) -> ReadinessFuture<'_>;
}

/// A [`Readiness`] that is always ready, for tests and stores without dependencies.
#[derive(Debug, Clone, Copy, Default)]
pub struct AlwaysReady;

impl Readiness for AlwaysReady {
    fn check(&self) -> ReadinessFuture<'_> {
        Box::pin(async { Vec::new() })
    }
}

/// The infrastructure every route needs: tokens, idempotency records, metrics,
/// readiness and configuration. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Infra(Arc<InfraInner>);

#[derive(Debug)]
struct InfraInner {
    config: HttpConfig,
    tokens: Arc<dyn TokenStore>,
    idempotency: Arc<dyn IdempotencyStore>,
    readiness: Arc<dyn Readiness>,
    metrics: Metrics,
}

impl Infra {
    /// Assembles the infrastructure from its backends.
    pub fn new(
        config: HttpConfig,
        tokens: Arc<dyn TokenStore>,
        idempotency: Arc<dyn IdempotencyStore>,
        readiness: Arc<dyn Readiness>,
    ) -> Self {
        Infra(Arc::new(InfraInner {
            config,
            tokens,
            idempotency,
            readiness,
            metrics: Metrics::new(),
        }))
    }

    /// In-memory backends (10 000 idempotency keys, always ready): tests and demos.
    pub fn in_memory(config: HttpConfig) -> Self {
        Infra::new(
            config,
            Arc::new(InMemoryTokenStore::new()),
            Arc::new(InMemoryIdempotencyStore::new(10_000)),
            Arc::new(AlwaysReady),
        )
    }

    /// The configuration.
    pub fn config(&self) -> &HttpConfig {
        &self.0.config
    }
    /// The token store (to issue tokens in tests and the CLI).
    pub fn tokens(&self) -> &dyn TokenStore {
        self.0.tokens.as_ref()
    }
    /// The idempotency store.
    pub fn idempotency(&self) -> &dyn IdempotencyStore {
        self.0.idempotency.as_ref()
    }
    /// The readiness checks.
    pub fn readiness(&self) -> &dyn Readiness {
        self.0.readiness.as_ref()
    }
    /// The metrics registry (register gauges here).
    pub fn metrics(&self) -> &Metrics {
        &self.0.metrics
    }
}

/// The router state: infrastructure plus the domain service `S`.
#[derive(Debug, Clone)]
pub struct AppState<S> {
    /// Domain-independent infrastructure.
    pub infra: Infra,
    /// The domain service (the lead's slot); `()` when there is none.
    pub service: S,
}

impl<S> AppState<S> {
    /// Combines infrastructure and domain service.
    pub fn new(infra: Infra, service: S) -> Self {
        AppState { infra, service }
    }
}

impl<S> FromRef<AppState<S>> for Infra {
    fn from_ref(state: &AppState<S>) -> Infra {
        state.infra.clone()
    }
}

impl<S> FromRef<AppState<S>> for Metrics {
    fn from_ref(state: &AppState<S>) -> Metrics {
        state.infra.metrics().clone()
    }
}
