//! Robustness of the domain API through the real router: 200 parallel call-offs against
//! a lot ceiling that affords exactly K of them, and a corpus of malformed bodies posted
//! to every POST route of `/openapi.json` (never a 5xx, always problem+json).

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

#[allow(dead_code)] // shared with tests/domain.rs; not every helper is used here
#[path = "domain/support.rs"]
mod support;

#[path = "robustness/fuzz.rs"]
mod fuzz;
#[path = "robustness/limits.rs"]
mod limits;
