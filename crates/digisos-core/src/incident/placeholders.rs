//! Stand-ins for types owned by modules on other branches (`sla`); the lead replaces each
//! with a `pub use` of the real type when composing the aggregate. Keep them minimal.

use crate::ids::ProviderId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// PLACEHOLDER for `sla::policy::Severity`: how bad the incident is, chosen at triage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

/// PLACEHOLDER for the SLA module's clock kinds (DESIGN §1.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockKind {
    /// Acceptance of the call-off.
    Acceptance,
    /// First qualified contact.
    FirstContact,
    /// Remote analysis start.
    RemoteStart,
    /// On-site arrival.
    OnSiteArrival,
}

/// PLACEHOLDER for the SLA module's clock events (started, paused, met, breached, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "sla", rename_all = "snake_case")]
pub enum SlaEvent {
    /// A clock started for `provider`, with its deadline recorded.
    Started {
        /// Which clock.
        clock: ClockKind,
        /// The provider it runs against.
        provider: ProviderId,
        /// The deadline computed at start.
        due: DateTime<Utc>,
    },
    /// The window passed without the milestone: a breach against `provider`.
    Breached {
        /// Which clock.
        clock: ClockKind,
        /// The provider at fault.
        provider: ProviderId,
        /// The deadline that passed.
        due: DateTime<Utc>,
    },
}
