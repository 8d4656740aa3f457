//! Reports and exports of the programme (*Berichte*): utilisation of the limits, SLA
//! attainment, incident statistics, reporting duties, and the OCDS release package.
//!
//! Every report is a pure function of a [`crate::programme::Programme`] and `now`; it
//! never fails and never changes the state. Rows are serde-serialisable (money as
//! [`crate::money::Money`], durations in whole seconds) so that adapters render them as
//! tables, JSON or CSV without computing anything themselves.

mod duties;
mod incidents;
pub mod ocds;
mod sla;
mod stats;
mod utilisation;

#[cfg(test)]
mod tests;

pub use duties::{DutiesReport, DutyCounts, IncidentDuties, duties};
pub use incidents::{CountRow, IncidentStatistics, incident_statistics, region_name};
pub use sla::{SlaBreach, SlaReport, SlaRow, sla};
pub use stats::{DurationStats, median, percentile};
pub use utilisation::{UtilisationLine, UtilisationReport, UtilisationScope, utilisation};
