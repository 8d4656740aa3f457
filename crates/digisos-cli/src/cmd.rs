//! One module per command group; each exposes clap `Args`/`Subcommand` types and `run`.

pub(crate) mod calendar;
pub(crate) mod contract;
pub(crate) mod eligibility;
pub(crate) mod registry;
pub(crate) mod serve;
pub(crate) mod token;
