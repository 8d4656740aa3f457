//! One module per command group; each exposes clap `Args`/`Subcommand` types and `run`.

pub(crate) mod args;
pub(crate) mod audit;
pub(crate) mod backend;
pub(crate) mod calendar;
pub(crate) mod call_off;
pub(crate) mod contract;
pub(crate) mod demo;
pub(crate) mod describe;
pub(crate) mod duties;
pub(crate) mod eligibility;
pub(crate) mod exec;
pub(crate) mod export;
pub(crate) mod incident;
pub(crate) mod registry;
pub(crate) mod report;
pub(crate) mod serve;
pub(crate) mod sla;
pub(crate) mod table;
pub(crate) mod time;
pub(crate) mod timers;
pub(crate) mod token;
