//! One-line descriptions of recorded events for people (`incident events`, `tick`, and the
//! answer to every write), and their JSON view with position, kind, time and actor.

use crate::cmd::table::{instant, opt_instant};
use digisos_core::duties::DutyEvent;
use digisos_core::incident::{IncidentEventKind as E, IncidentId};
use digisos_core::ledger::LedgerEvent as L;
use digisos_core::programme::ProgrammeEvent;
use digisos_core::service::Recorded;
use digisos_core::sla::ClockEvent as C;
use serde::Serialize;

/// A recorded event as printed with `--json`: the summary beside the full event.
#[derive(Debug, Serialize)]
pub(crate) struct EventView<'a> {
    /// Global position in the log.
    pub(crate) position: u64,
    /// Type name (`incident.dispatched`).
    pub(crate) kind: String,
    /// When it happened.
    pub(crate) at: chrono::DateTime<chrono::Utc>,
    /// Who caused it (`coordinator`, `provider:ruhrschild`, `timer`).
    pub(crate) actor: String,
    /// What `summary` says for people.
    pub(crate) summary: String,
    /// The event as stored.
    pub(crate) event: &'a ProgrammeEvent,
}

/// The JSON view of a recorded event.
pub(crate) fn view(r: &Recorded) -> EventView<'_> {
    EventView {
        position: r.position,
        kind: r.event.kind_name(),
        at: r.event.at(),
        actor: r.event.actor().to_string(),
        summary: summary(&r.event),
        event: &r.event,
    }
}

/// Events as lines `INC-000001  summary`; the id is left out for events of `of` and for
/// programme events.
pub(crate) fn lines(recorded: &[Recorded], of: Option<&IncidentId>) -> String {
    recorded
        .iter()
        .map(|r| match &r.event {
            ProgrammeEvent::Incident { id, .. } if Some(id) != of => {
                format!("{id}  {}\n", summary(&r.event))
            }
            other => format!("{}\n", summary(other)),
        })
        .collect()
}

/// What an event means, in one line.
pub(crate) fn summary(event: &ProgrammeEvent) -> String {
    match event {
        ProgrammeEvent::ContractAdopted { spec, .. } => {
            format!("contract {} adopted", spec.id)
        }
        ProgrammeEvent::RegisterImported { source, bodies, .. } => {
            format!("register import {source}: {} bodies", bodies.len())
        }
        ProgrammeEvent::TokenIssued {
            token_id,
            principal,
            ..
        } => format!("token {token_id} issued for {principal}"),
        ProgrammeEvent::TokenRevoked { token_id, .. } => format!("token {token_id} revoked"),
        ProgrammeEvent::Incident { event, .. } => incident(&event.kind),
    }
}

fn next(next: &Option<digisos_core::ids::ProviderId>) -> String {
    match next {
        Some(p) => format!("the call-off passes to {p}"),
        None => {
            "no provider is left: the incident is unserved and the coordinator decides".to_string()
        }
    }
}

fn incident(kind: &E) -> String {
    match kind {
        E::Reported { body, title, .. } => format!("reported for {body}: {title}"),
        E::Triaged { severity, lot } => format!("triaged {severity} for lot {lot}"),
        E::Rejected { reasons } => format!("rejected: {}", reasons.join("; ")),
        E::Dispatched {
            call_off,
            provider,
            order,
        } => format!(
            "call-off {call_off} dispatched to {provider} (cascade: {})",
            order
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        E::Ledger(l) => ledger(l),
        E::Accepted { provider } => format!("accepted by {provider}"),
        E::Declined {
            provider,
            reason,
            next: n,
        } => format!("declined by {provider} ({reason}); {}", next(n)),
        E::AcceptanceWindowMissed {
            provider,
            due,
            next: n,
        } => format!(
            "{provider} missed the acceptance window due {} (breach); {}",
            instant(*due),
            next(n)
        ),
        E::FirstContactRecorded => "first qualified contact recorded".into(),
        E::RemoteStartRecorded => "remote analysis started".into(),
        E::OnSiteArrivalRecorded => "arrived on site".into(),
        E::WaitingForBody { reason } => format!("waiting for the body: {reason}"),
        E::ResumedFromBody => "no longer waiting for the body".into(),
        E::Contained => "contained".into(),
        E::Recovered => "recovered".into(),
        E::Closed {
            final_report_ref,
            released,
        } => format!("closed with final report {final_report_ref}; {released} EUR released"),
        E::Withdrawn { reason } => format!("withdrawn by the body: {reason}"),
        E::Cancelled { reason, voided } => {
            format!("cancelled ({reason}); {voided} EUR voided")
        }
        E::Duty(d) => duty(d),
        E::Sla {
            window,
            provider,
            event,
        } => format!("{provider} {window} clock {}", clock(event)),
        E::SlaStarted { provider, clocks } => {
            let windows: Vec<String> = clocks
                .iter()
                .map(|c| format!("{} due {}", c.window, instant(c.deadline)))
                .collect();
            format!("{provider} clocks started: {}", windows.join(", "))
        }
        E::TimeEntrySubmitted {
            entry,
            provider,
            role,
            start,
            end,
            amount,
            ..
        } => format!(
            "time entry {} by {provider}: {role} {} to {}, {amount} EUR net",
            entry.0,
            instant(*start),
            instant(*end)
        ),
        E::TimeEntryApproved { entry, amount } => {
            format!("time entry {} approved; {amount} EUR posted", entry.0)
        }
        E::TimeEntryDisputed { entry, reason } => {
            format!("time entry {} disputed: {reason}", entry.0)
        }
        E::TimeEntryReversed {
            entry,
            amount,
            reason,
        } => format!("time entry {} reversed ({reason}); {amount} EUR", entry.0),
    }
}

fn ledger(l: &L) -> String {
    match l {
        L::Reserved {
            call_off, amount, ..
        } => format!("{amount} EUR reserved for call-off {call_off}"),
        L::ReservationAwaitingApproval {
            call_off, amount, ..
        } => format!(
            "{amount} EUR held for call-off {call_off}; above the approval threshold, waits for the coordinator (digisos call-off approve)"
        ),
        L::ReservationApproved { call_off } => format!("reservation of {call_off} approved"),
        L::ReservationRefused { call_off, released } => {
            format!("reservation of {call_off} refused; {released} EUR released")
        }
        L::ReservationAmended {
            call_off, from, to, ..
        } => {
            format!("reservation of {call_off} amended from {from} to {to} EUR")
        }
        L::AmendmentAwaitingApproval {
            call_off, from, to, ..
        } => format!(
            "amendment of {call_off} from {from} to {to} EUR waits for the coordinator (digisos call-off approve-amendment)"
        ),
        L::AmendmentApproved { call_off, amount } => {
            format!("amendment of {call_off} approved; {amount} EUR reserved")
        }
        L::AmendmentRefused { call_off, released } => {
            format!("amendment of {call_off} refused; {released} EUR released")
        }
        L::Posted {
            call_off, amount, ..
        } => format!("{amount} EUR posted to {call_off}"),
        L::PostingReversed {
            call_off, amount, ..
        } => format!("posting of {amount} EUR on {call_off} reversed"),
        L::Released { call_off, amount } => format!("{amount} EUR of {call_off} released"),
        L::Voided { call_off, amount } => format!("{amount} EUR of {call_off} voided"),
        L::UtilisationWarningReached { limit, percent } => {
            format!("warning: the {limit} is {percent} % used")
        }
        L::FrameworkExhausted => {
            "the framework contract is exhausted and takes no new call-offs".into()
        }
    }
}

fn duty(d: &DutyEvent) -> String {
    match d {
        DutyEvent::Submitted {
            kind,
            at,
            reference,
            late,
        } => format!(
            "{kind} submitted {} as {reference}{}",
            instant(*at),
            if *late { " (late)" } else { "" }
        ),
        DutyEvent::Scheduled { kind, due } => format!("{kind} due {}", instant(*due)),
        DutyEvent::Overdue { kind, due } => format!("{kind} overdue since {}", instant(*due)),
    }
}

fn clock(c: &C) -> String {
    match c {
        C::Started { deadline, .. } => format!("started, due {}", instant(*deadline)),
        C::Paused { .. } => "paused".into(),
        C::Resumed { deadline, .. } => format!("resumed, due {}", instant(*deadline)),
        C::WindowChanged { deadline, .. } => {
            format!("window changed, due {}", opt_instant(*deadline))
        }
        C::WarningReached { percent, .. } => format!("warning: {percent} % of the window used"),
        C::Breached { at } => format!("BREACHED (due {})", instant(*at)),
        C::Stopped { met: true, .. } => "met".into(),
        C::Stopped { met: false, .. } => "stopped after its breach".into(),
        C::Cancelled { .. } => "cancelled".into(),
    }
}
