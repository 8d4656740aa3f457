//! One module per command group; each exposes clap `Args`/`Subcommand` types and `run`.

pub(crate) mod calendar;
pub(crate) mod contract;
pub(crate) mod demo;
pub(crate) mod eligibility;
pub(crate) mod export;
pub(crate) mod registry;
pub(crate) mod report;
