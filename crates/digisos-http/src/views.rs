//! The response bodies of the API: one named type per answer, deriving `Serialize` for the
//! wire and `ToSchema` for `/openapi.json` (field doc comments become the schema
//! descriptions). Pure translation of core state: nothing here decides.
//!
//! Wire conventions: instants are RFC 3339 UTC strings, dates `YYYY-MM-DD`, money and
//! other decimals are decimal strings (`"185.00"`), ids and enums are strings. A member
//! that is `null` when it has no value is always present; members the register leaves
//! out when empty are absent. Core types embedded as they are carry a
//! `#[schema(value_type = …)]` saying how they serialise, because the core does not
//! depend on utoipa. Every `From` conversion destructures the core type completely, so
//! a field added to the core does not silently stay off the wire.
//!
//! The reports (`reports`, `ocds`) keep the member names of the core's reports and of
//! OCDS, so that `curl` and `digisos --json report …` print the same document (OCDS
//! amounts are JSON numbers, as the standard requires).
//!
//! Lists are concrete types (`IncidentPage`, `ClockList`, …) rather than a generic
//! `Page<T>`: utoipa inlines the schema of a generic argument, and clients are better
//! served by items that reference `IncidentView` by name.
//!
//! The JSON of each answer is pinned by `tests/domain/shapes*.rs`.

pub mod audit;
pub mod calendar;
pub mod contract;
pub mod incident;
pub mod ledger;
pub mod lists;
pub mod lot;
pub mod ocds;
pub mod register;
pub mod reports;
pub mod sla;

pub use audit::{ChainBreakView, VerifyView};
pub use calendar::{ClosedDayView, DeadlineView, HolidaysView};
pub use contract::{CompanyControlView, ContractView, ProviderView, RuleSetView, RuleView};
pub use incident::{
    DutyView, EventView, IncidentView, MilestonesView, TimeEntryView, clocks, events,
};
pub use ledger::{LimitKeyView, UtilisationRowView};
pub use lists::{
    BodyPage, ClockList, DutyList, EventList, IncidentPage, LotList, TimeEntryList, UtilisationList,
};
pub use lot::{CallOffLimitsView, LotView, WindowView};
pub use ocds::{
    OcdsAwardView, OcdsContractView, OcdsLotView, OcdsOrganizationView, OcdsPackageView,
    OcdsPartyView, OcdsPeriodView, OcdsPublisherView, OcdsRelatedProcessView, OcdsReleaseView,
    OcdsTechniquesView, OcdsTenderView, OcdsValueView,
};
pub use register::{
    BodyView, DecisionView, EligibilityView, ImportView, OwnershipView, ReasonView,
};
pub use reports::{
    CountRowView, DurationStatsView, DutiesReportView, DutyCountsView, IncidentDutiesView,
    IncidentStatisticsView, SlaBreachView, SlaReportView, SlaRowView, UtilisationLineView,
    UtilisationReportView,
};
pub use sla::{ClockReading, ClockView};
