//! Router tests with `tower::ServiceExt::oneshot`: every problem type, idempotency,
//! preconditions, operations endpoints (logs: `tests/logs.rs`). Demo routes exist only in `support`.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

#[path = "router/support.rs"]
mod support;

#[path = "router/idempotency.rs"]
mod idempotency;
#[path = "router/ops.rs"]
mod ops;
#[path = "router/problems.rs"]
mod problems;
