//! Commands of the incident aggregate (imperative): what a principal asks the incident to
//! do. The acting principal and `now` are passed to `decide` beside the command.

use crate::duties::{DutyKind, Nis2Class};
use crate::ids::{LotId, RoleId};
use crate::money::Money;
use crate::sla::Severity;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// What kind of attack or failure the body reports (*Art des Vorfalls*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentCategory {
    /// Files encrypted and/or data exfiltrated for ransom.
    Ransomware,
    /// Other malicious software.
    Malware,
    /// Compromised accounts or credentials (incl. phishing).
    AccountCompromise,
    /// Denial of service.
    DenialOfService,
    /// Data leaked or stolen without encryption.
    DataBreach,
    /// Anything else the coordinator classifies at triage.
    Other,
}

/// How a call-off's reservation is sized: estimated person-days times the lot's rates, or
/// an amount given directly (EUR net).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Estimate {
    /// Estimated person-days (*Personentage*), priced with the lot's rate card.
    PersonDays(Decimal),
    /// A net amount.
    Amount(Money),
}

/// The number of a time entry within its incident (1, 2, …), assigned on submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TimeEntryNo(pub u32);

/// The facts of a report (*Vorfallsmeldung*), as given by the body or the coordinator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// The affected body's register key (AGS or registry id).
    pub body: String,
    /// A short title.
    pub title: String,
    /// What happened, as far as known.
    pub description: String,
    /// The kind of incident.
    pub category: IncidentCategory,
    /// When the body became aware of the incident (*Kenntniserlangung*); reporting
    /// deadlines count from here.
    pub aware_at: DateTime<Utc>,
    /// Services affected (free text, e.g. "Kfz-Zulassung", "E-Mail").
    pub affected_services: Vec<String>,
    /// Whether personal data is affected (GDPR Art. 33 duty).
    pub personal_data: bool,
    /// The body's NIS2 class (NIS2 / § 32 BSIG duties unless `none`).
    pub nis2: Nis2Class,
    /// Whether on-site help is needed (starts the on-site clock).
    pub on_site_needed: bool,
}

/// A command to the incident aggregate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum IncidentCommand {
    /// Report a new incident (body for itself, or the coordinator on its behalf).
    ReportIncident(Report),
    /// Triage: set severity and lot; eligibility (a fact passed to `decide`) is checked as
    /// of the report date, an ineligible body is rejected with every reason.
    Triage {
        /// Severity chosen by the coordinator.
        severity: Severity,
        /// The lot whose providers and SLA policy apply.
        lot: LotId,
    },
    /// Reject at triage although the body is eligible (e.g. not an IT incident).
    Reject {
        /// Why (at least one reason).
        reasons: Vec<String>,
    },
    /// Issue the call-off to the lot's next provider, reserving the estimate against every
    /// limit (all or nothing); also re-dispatches an unserved incident.
    Dispatch {
        /// The amount to reserve.
        estimate: Estimate,
    },
    /// The coordinator approves a reservation above the approval threshold.
    ApproveReservation,
    /// The coordinator refuses a reservation above the approval threshold.
    RefuseReservation {
        /// Why.
        reason: String,
    },
    /// The current provider accepts the call-off.
    Accept,
    /// The current provider declines; the call-off moves to the next provider.
    Decline {
        /// Why (kept on the provider's record).
        reason: String,
    },
    /// The provider made the first qualified contact.
    RecordFirstContact,
    /// The provider started remote analysis.
    RecordRemoteStart,
    /// The provider's people arrived on site.
    RecordOnSiteArrival,
    /// Set "waiting for the body" (pauses the clocks that allow pausing).
    WaitForBody {
        /// What the provider waits for.
        reason: String,
    },
    /// Clear "waiting for the body".
    ResumeFromBody,
    /// The incident is contained.
    Contain,
    /// Operations are recovered.
    Recover,
    /// Close with the final report; releases the unposted remainder of the reservation.
    Close {
        /// Reference of the provider's final report.
        final_report_ref: String,
    },
    /// The body withdraws its report before acceptance.
    Withdraw {
        /// Why.
        reason: String,
    },
    /// The coordinator cancels; what is not posted is voided.
    Cancel {
        /// Why.
        reason: String,
    },
    /// The body records that it submitted a reporting duty (NIS2 / GDPR).
    RecordDutySubmission {
        /// Which duty.
        kind: DutyKind,
        /// When it was submitted to the authority.
        submitted_at: DateTime<Utc>,
        /// The report's reference.
        reference: String,
    },
    /// The provider submits worked time, priced by the lot's rate card.
    SubmitTimeEntry {
        /// The rate-card role that worked.
        role: RoleId,
        /// Start of the work.
        start: DateTime<Utc>,
        /// End of the work (after `start`).
        end: DateTime<Utc>,
        /// What was done.
        description: String,
    },
    /// The body approves a time entry; it posts against the reservation.
    ApproveTimeEntry {
        /// Which entry.
        entry: TimeEntryNo,
    },
    /// The body disputes a time entry.
    DisputeTimeEntry {
        /// Which entry.
        entry: TimeEntryNo,
        /// Why.
        reason: String,
    },
    /// Correct a posted time entry by a reversing entry (never an edit).
    ReverseTimeEntry {
        /// Which entry.
        entry: TimeEntryNo,
        /// Why.
        reason: String,
    },
    /// Ask to raise (or lower) the reservation, under the same limit checks.
    Amend {
        /// The new total to reserve.
        estimate: Estimate,
        /// Why.
        reason: String,
    },
    /// The coordinator approves a pending amendment above the approval threshold.
    ApproveAmendment,
    /// The coordinator refuses a pending amendment.
    RefuseAmendment {
        /// Why.
        reason: String,
    },
}
