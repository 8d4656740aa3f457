//! Router tests of the domain API with `oneshot` and a fixed clock: a whole incident,
//! the timer's cascade, every problem type the handlers can meet, and the authorisation
//! matrix (every route of `/openapi.json` × every role × own/foreign object), the JSON
//! shape of every success response, and JWT callers when OIDC is enabled.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

#[allow(dead_code)] // shared with tests/oidc.rs
#[path = "oidc/support.rs"]
mod oidc_support;
#[path = "domain/support.rs"]
mod support;

#[path = "domain/flow.rs"]
mod flow;
#[path = "domain/matrix.rs"]
mod matrix;
#[path = "domain/oidc.rs"]
mod oidc;
#[path = "domain/openapi.rs"]
mod openapi;
#[path = "domain/problems.rs"]
mod problems;
#[path = "domain/restart.rs"]
mod restart;
#[path = "domain/shapes.rs"]
mod shapes;
#[path = "domain/shapes_reference.rs"]
mod shapes_reference;
#[path = "domain/shapes_reports.rs"]
mod shapes_reports;
#[path = "domain/stop.rs"]
mod stop;
