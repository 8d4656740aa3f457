//! The incident aggregate (*Vorfall*): from "we were attacked" to a closed, settled
//! call-off. `decide` (commands → events, with facts passed in), `apply` (a dumb fold),
//! and sans-IO timers (`next_timeout` / `handle_timeout`).

pub mod aggregate;
pub mod command;
pub mod decide;
pub mod event;
pub mod facts;
pub mod id;
pub mod lifecycle;
pub mod rejection;
pub mod state;
mod timers;
pub mod waiting;

pub use aggregate::{Incident, Milestone, ProviderClock, TimeEntryRecord, TimeEntryState};
pub use command::{Estimate, IncidentCategory, IncidentCommand, Report, TimeEntryNo};
pub use decide::decide;
pub use event::{IncidentEvent, IncidentEventKind};
pub use facts::Facts;
pub use id::IncidentId;
pub use rejection::IncidentRejection;
pub use state::IncidentState;
