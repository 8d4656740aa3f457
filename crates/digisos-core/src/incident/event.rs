//! Events of the incident aggregate (past tense), each recorded with its time and actor.
//!
//! Deadlines and amounts are computed once by `decide` and recorded in the event, so that a
//! later change of policy, rate card or contract never rewrites history.

use super::command::{IncidentCategory, TimeEntryNo};
use super::state::{Action, Cascade, Eligibility};
use super::waiting::WaitAction;
use crate::duties::{DutyEvent, Nis2Class};
use crate::ids::{LotId, ProviderId, RoleId};
use crate::ledger::{CallOffId, LedgerEvent};
use crate::money::Money;
use crate::principal::Actor;
use crate::sla::{ClockEvent, ClockStart, Severity, WindowKind};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

mod kind_de;

/// One event of an incident's stream: what happened, when (`now` of the decision) and by
/// whom (a principal, or the timer for missed windows and overdue duties).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentEvent {
    /// When it happened (the `now` passed to `decide` / `handle_timeout`).
    #[serde(with = "crate::wire::instant")]
    pub at: DateTime<Utc>,
    /// Who caused it.
    pub by: Actor,
    /// What happened.
    pub kind: IncidentEventKind,
}

/// What happened to an incident. (`Deserialize` is written out to read the tagged object
/// without buffering it.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum IncidentEventKind {
    /// The incident was reported.
    Reported {
        /// The affected body's register key.
        body: String,
        /// Short title.
        title: String,
        /// What happened.
        description: String,
        /// Kind of incident.
        category: IncidentCategory,
        /// Time of awareness (reporting duties count from here).
        aware_at: DateTime<Utc>,
        /// Services affected.
        affected_services: Vec<String>,
        /// Whether personal data is affected.
        personal_data: bool,
        /// The body's NIS2 class.
        nis2: Nis2Class,
        /// Whether on-site help is needed.
        on_site_needed: bool,
    },
    /// Triaged: severity and lot set; the body was eligible on the report date.
    Triaged {
        /// Severity.
        severity: Severity,
        /// Lot.
        lot: LotId,
    },
    /// Rejected at triage, with every reason (ineligibility reasons or the coordinator's).
    Rejected {
        /// All reasons.
        reasons: Vec<String>,
    },
    /// The call-off was issued to `provider` (first dispatch or re-dispatch when unserved),
    /// with the order in which the lot's providers will be asked.
    Dispatched {
        /// The call-off (*Abruf*) in the ledger.
        call_off: CallOffId,
        /// The provider now holding the call-off.
        provider: ProviderId,
        /// The cascade: every provider of the lot in the order they are asked.
        order: Vec<ProviderId>,
    },
    /// A ledger event of this incident's call-off (reservation, approval, amendment,
    /// posting, reversal, release, void, utilisation warning).
    Ledger(LedgerEvent),
    /// `provider` accepted.
    Accepted {
        /// The provider.
        provider: ProviderId,
    },
    /// `provider` declined; the call-off moved to `next`, or — with `next: None` — the
    /// incident is unserved and this event is the coordinator's notice.
    Declined {
        /// The provider that declined.
        provider: ProviderId,
        /// Its reason.
        reason: String,
        /// The next provider of the cascade, if any.
        next: Option<ProviderId>,
    },
    /// `provider` let the acceptance window pass (a breach against it); the call-off moved
    /// to `next`, or — with `next: None` — the incident is unserved (coordinator's notice).
    AcceptanceWindowMissed {
        /// The provider at fault.
        provider: ProviderId,
        /// The acceptance deadline that passed.
        due: DateTime<Utc>,
        /// The next provider of the cascade, if any.
        next: Option<ProviderId>,
    },
    /// First qualified contact.
    FirstContactRecorded,
    /// Remote analysis started.
    RemoteStartRecorded,
    /// On-site arrival.
    OnSiteArrivalRecorded,
    /// "Waiting for the body" set.
    WaitingForBody {
        /// What is awaited.
        reason: String,
    },
    /// "Waiting for the body" cleared.
    ResumedFromBody,
    /// Contained.
    Contained,
    /// Recovered.
    Recovered,
    /// Closed; the unposted remainder was released.
    Closed {
        /// Reference of the final report.
        final_report_ref: String,
        /// Net amount released back to the limits.
        released: Money,
    },
    /// Withdrawn by the body.
    Withdrawn {
        /// Why.
        reason: String,
    },
    /// Cancelled by the coordinator; what was not posted was voided.
    Cancelled {
        /// Why.
        reason: String,
        /// Net amount voided.
        voided: Money,
    },
    /// A reporting duty changed (submitted, scheduled, overdue).
    Duty(DutyEvent),
    /// An SLA clock of `provider` changed (started, paused, warning, breach, stopped, …).
    Sla {
        /// Which window.
        window: WindowKind,
        /// The provider the clock runs against.
        provider: ProviderId,
        /// What happened to the clock.
        event: ClockEvent,
    },
    /// The response windows of `provider` started together, at a dispatch or when the
    /// call-off moved down the cascade: one event for all of them (logs written before
    /// this event existed hold one `sla` event with a `started` clock event per window).
    SlaStarted {
        /// The provider the clocks run against.
        provider: ProviderId,
        /// One start per window, in window order.
        clocks: Vec<ClockStart>,
    },
    /// The provider submitted worked time, priced when submitted.
    TimeEntrySubmitted {
        /// Its number.
        entry: TimeEntryNo,
        /// The provider.
        provider: ProviderId,
        /// Rate-card role.
        role: RoleId,
        /// Start.
        start: DateTime<Utc>,
        /// End.
        end: DateTime<Utc>,
        /// What was done.
        description: String,
        /// Net price (surcharges split at their boundaries, rounded per line).
        amount: Money,
    },
    /// The body approved an entry; `amount` posted against the reservation.
    TimeEntryApproved {
        /// Which entry.
        entry: TimeEntryNo,
        /// Net amount posted.
        amount: Money,
    },
    /// The body disputed an entry.
    TimeEntryDisputed {
        /// Which entry.
        entry: TimeEntryNo,
        /// Why.
        reason: String,
    },
    /// A posted entry was reversed by a correcting entry.
    TimeEntryReversed {
        /// Which entry.
        entry: TimeEntryNo,
        /// Net amount taken back from the posted total.
        amount: Money,
        /// Why.
        reason: String,
    },
}

/// How an event moves the lifecycle: along the state graph, the waiting flag, or neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LifecycleEffect {
    /// A move along the graph ([`super::state::TRANSITIONS`]).
    Move(Action),
    /// Sets or clears "waiting for the body".
    Wait(WaitAction),
    /// No lifecycle change (money, duties, SLA, time entries).
    None,
}

fn cascade(next: &Option<ProviderId>) -> Cascade {
    if next.is_some() {
        Cascade::NextProvider
    } else {
        Cascade::NoProviderLeft
    }
}

impl IncidentEventKind {
    /// The lifecycle effect of this event, for `evolve`.
    pub fn lifecycle_effect(&self) -> LifecycleEffect {
        use IncidentEventKind as E;
        use LifecycleEffect::{Move, Wait};
        match self {
            E::Reported { .. } => Move(Action::Report),
            E::Triaged { .. } => Move(Action::Triage(Eligibility::Eligible)),
            E::Rejected { .. } => Move(Action::Triage(Eligibility::Ineligible)),
            E::Dispatched { .. } => Move(Action::Dispatch),
            E::Accepted { .. } => Move(Action::Accept),
            E::Declined { next, .. } => Move(Action::Decline(cascade(next))),
            E::AcceptanceWindowMissed { next, .. } => Move(Action::MissAcceptance(cascade(next))),
            E::FirstContactRecorded => Move(Action::RecordFirstContact),
            E::RemoteStartRecorded => Move(Action::RecordRemoteStart),
            E::OnSiteArrivalRecorded => Move(Action::RecordOnSiteArrival),
            E::Contained => Move(Action::Contain),
            E::Recovered => Move(Action::Recover),
            E::Closed { .. } => Move(Action::Close),
            E::Withdrawn { .. } => Move(Action::Withdraw),
            E::Cancelled { .. } => Move(Action::Cancel),
            E::WaitingForBody { .. } => Wait(WaitAction::Wait),
            E::ResumedFromBody => Wait(WaitAction::Resume),
            E::Ledger(_)
            | E::Duty(_)
            | E::Sla { .. }
            | E::SlaStarted { .. }
            | E::TimeEntrySubmitted { .. }
            | E::TimeEntryApproved { .. }
            | E::TimeEntryDisputed { .. }
            | E::TimeEntryReversed { .. } => LifecycleEffect::None,
        }
    }
}

impl IncidentEventKind {
    /// The event's type name in snake case (`dispatched`, `time_entry_approved`, …).
    pub fn name(&self) -> &'static str {
        use IncidentEventKind as E;
        match self {
            E::Reported { .. } => "reported",
            E::Triaged { .. } => "triaged",
            E::Rejected { .. } => "rejected",
            E::Dispatched { .. } => "dispatched",
            E::Ledger(_) => "ledger",
            E::Accepted { .. } => "accepted",
            E::Declined { .. } => "declined",
            E::AcceptanceWindowMissed { .. } => "acceptance_window_missed",
            E::FirstContactRecorded => "first_contact_recorded",
            E::RemoteStartRecorded => "remote_start_recorded",
            E::OnSiteArrivalRecorded => "on_site_arrival_recorded",
            E::WaitingForBody { .. } => "waiting_for_body",
            E::ResumedFromBody => "resumed_from_body",
            E::Contained => "contained",
            E::Recovered => "recovered",
            E::Closed { .. } => "closed",
            E::Withdrawn { .. } => "withdrawn",
            E::Cancelled { .. } => "cancelled",
            E::Duty(_) => "duty",
            E::Sla { .. } => "sla",
            E::SlaStarted { .. } => "sla_started",
            E::TimeEntrySubmitted { .. } => "time_entry_submitted",
            E::TimeEntryApproved { .. } => "time_entry_approved",
            E::TimeEntryDisputed { .. } => "time_entry_disputed",
            E::TimeEntryReversed { .. } => "time_entry_reversed",
        }
    }
}
