//! digisos-core: the pure domain of the Land's IT emergency-help programme (Digi-SOS).
//!
//! Everything here is deterministic and free of IO: no clock, no files, no network, no
//! threads, no environment. Time is always a parameter (`now: DateTime<Utc>` or an `on`
//! date); parsers take `&str`/`&[u8]` that an adapter has read. See `ARCHITECTURE.md`.

pub mod calendar;
mod compact;
pub mod contract;
pub mod duties;
pub mod eligibility;
pub mod ids;
pub mod incident;
pub mod ledger;
pub mod money;
pub mod pricing;
pub mod principal;
pub mod programme;
pub mod register;
pub mod reports;
pub mod service;
pub mod sla;
mod tagged;
pub mod validation;
pub mod vecmap;
pub mod wire;
