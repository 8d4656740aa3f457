//! Shared helpers of the core integration tests.

pub mod gv100ad;
