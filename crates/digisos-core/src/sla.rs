//! SLA response windows (*Reaktionszeiten*): the policy data from the contract and the
//! clocks that run against it, with pause, warnings and breaches as events.

pub mod clock;
pub mod policy;

pub use clock::{Clock, ClockEvent, ClockRejection, ClockStage, ClockStart, ClockStatus};
pub use policy::{Severity, SlaPolicy, WindowKind, WindowSpec, WindowStart};
