//! OIDC: the JWT validator against the test keys of `tests/fixtures/oidc/` (every accepted
//! algorithm and role, and every way a token can be wrong), and the JWKS URL with a local
//! server (start-up fetch, key rotation, the re-fetch interval).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

#[path = "oidc/support.rs"]
mod support;

#[path = "oidc/jwks_url.rs"]
mod jwks_url;
#[path = "oidc/validator.rs"]
mod validator;
