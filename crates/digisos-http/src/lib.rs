//! digisos-http: the HTTP adapter. Translates requests into core calls and core results
//! into responses; it never decides anything about the domain.
//!
//! Entry points: [`app::app`] builds the router from an [`state::AppState`] and the
//! domain routes; [`serve::serve`] runs it. Every error is RFC 9457 problem+json
//! ([`problem`]), mapped in one table.

pub mod app;
pub mod auth;
pub mod clock;
pub mod etag;
pub mod fallback;
pub mod idempotency;
pub mod json;
pub mod logging;
pub mod metrics;
pub mod ops;
pub mod problem;
pub mod rejection;
pub mod routes;
pub mod serve;
pub mod state;
pub mod timer;
pub mod tokens;
pub mod views;
pub mod writer;

pub use app::{app, openapi};
pub use auth::{Caller, Principal, Role, require_role};
pub use json::ApiJson;
pub use problem::{ApiError, DomainProblem, Problem, problem_for};
pub use routes::{domain_app, routes};
pub use state::{AppState, HttpConfig, Infra};
pub use writer::{ServiceHandle, WriterOptions};
