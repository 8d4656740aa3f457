//! The incident aggregate (*Vorfall*): lifecycle graph, the "waiting for the body" flag,
//! commands and events. The full `decide` over lifecycle, SLA clocks, ledger and duties is
//! composed on top of these parts; [`placeholders`] stands in for types of other modules.

pub mod command;
pub mod event;
pub mod lifecycle;
pub mod placeholders;
pub mod state;
pub mod waiting;
