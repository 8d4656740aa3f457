//! Why the incident aggregate refuses a command. Nothing was recorded when it does.

use super::command::TimeEntryNo;
use super::state::{IllegalTransition, IncidentState};
use crate::duties::DutyRejection;
use crate::ids::{LotId, ProviderId, RoleId};
use crate::ledger::LedgerRejection;
use crate::pricing::PricingError;
use crate::sla::{ClockRejection, Severity};

/// A refused incident command, precise enough to act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IncidentRejection {
    /// The caller may not do this on this incident (adapters answer 404 for foreign
    /// incidents and 403 for a wrong role on an own incident).
    #[error("{who} may not {what} on this incident")]
    Forbidden {
        /// The caller, e.g. `provider:rheinwacht`.
        who: String,
        /// What was attempted.
        what: &'static str,
    },
    /// The lifecycle does not allow the action in the current state.
    #[error(transparent)]
    Illegal(#[from] IllegalTransition),
    /// The incident already exists (a report must create a new one).
    #[error("the incident already exists")]
    AlreadyReported,
    /// The incident does not exist.
    #[error("no such incident")]
    NotFound,
    /// The body is not in the register.
    #[error("body {0} is not in the register; import it first or check the key")]
    UnknownBody(String),
    /// Awareness lies after the report.
    #[error("the time of awareness {aware_at} lies after the report at {now}")]
    AwarenessInFuture {
        /// Claimed awareness.
        aware_at: chrono::DateTime<chrono::Utc>,
        /// The report instant.
        now: chrono::DateTime<chrono::Utc>,
    },
    /// A required text is empty.
    #[error("{0} must not be empty")]
    Empty(&'static str),
    /// No contract is in force.
    #[error("no framework contract is in force; adopt one first (digisos contract adopt)")]
    NoContract,
    /// The report date lies outside the contract term.
    #[error("the report date {0} lies outside the contract term")]
    OutsideTerm(chrono::NaiveDate),
    /// The lot is unknown.
    #[error("lot {0} is not part of the contract")]
    UnknownLot(LotId),
    /// The lot does not serve the body's Regierungsbezirk.
    #[error(
        "lot {lot} does not serve Regierungsbezirk {region}; choose a lot for the body's region"
    )]
    LotNotForRegion {
        /// The lot.
        lot: LotId,
        /// The body's Regierungsbezirk (or "none").
        region: String,
    },
    /// The lot's SLA policy has no acceptance window for the severity.
    #[error("lot {lot} defines no SLA windows for severity {severity}")]
    NoSlaForSeverity {
        /// The lot.
        lot: LotId,
        /// The severity.
        severity: Severity,
    },
    /// The person-day estimate cannot be priced.
    #[error(
        "the estimate of {0} person-days cannot be priced; give a positive number or an amount"
    )]
    BadEstimate(String),
    /// The reservation waits for the coordinator's approval.
    #[error("the reservation waits for the coordinator's approval")]
    AwaitingApproval,
    /// A milestone was already recorded.
    #[error("{0} was already recorded")]
    AlreadyRecorded(&'static str),
    /// On-site help was not requested for this incident.
    #[error("on-site help was not requested for this incident")]
    NoOnSite,
    /// The role is not on the lot's rate card.
    #[error("role {0} is not on the lot's rate card")]
    UnknownRole(RoleId),
    /// Time entries are only taken while the call-off is with an accepting provider.
    #[error("time entries need an accepted call-off")]
    NoAcceptedCallOff,
    /// The time entry does not exist.
    #[error("time entry {0:?} does not exist")]
    UnknownEntry(TimeEntryNo),
    /// The time entry is not in a state that allows this.
    #[error("time entry {entry:?} is {state}; it cannot be {what}")]
    EntryState {
        /// Which entry.
        entry: TimeEntryNo,
        /// Its state.
        state: &'static str,
        /// What was attempted.
        what: &'static str,
    },
    /// Entries still wait for the body's review.
    #[error("{0} time entr(y/ies) still wait for approval or dispute; settle them before closing")]
    OpenTimeEntries(usize),
    /// The current provider is not the caller.
    #[error("the call-off is not with provider {0}")]
    NotYourCallOff(ProviderId),
    /// The time entry cannot be priced.
    #[error(transparent)]
    Pricing(#[from] PricingError),
    /// The ledger refused (a limit would be exceeded, the framework is exhausted, …).
    #[error(transparent)]
    Ledger(#[from] LedgerRejection),
    /// An SLA clock refused.
    #[error(transparent)]
    Clock(#[from] ClockRejection),
    /// A reporting duty refused.
    #[error(transparent)]
    Duty(#[from] DutyRejection),
    /// The state names where the incident is (for messages).
    #[error("the incident is {0}")]
    InState(IncidentState),
}
