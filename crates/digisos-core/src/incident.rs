//! The incident aggregate (*Vorfall*): lifecycle graph, the "waiting for the body" flag,
//! commands and events. The full `decide` over lifecycle, SLA clocks, ledger and duties is
//! composed on top of these parts.

pub mod state;
pub mod waiting;
