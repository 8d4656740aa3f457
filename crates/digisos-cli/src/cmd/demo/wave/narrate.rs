//! How the wave tells its story: one line per notable event (reports, call-offs,
//! declines, missed windows, limit warnings, overdue duties, closes), and the follow-ups
//! events cause (the next provider's answer, approvals of reservations and time entries).

use super::{C, E, Step, Wave, capacity, min};
use chrono::{DateTime, TimeDelta, Utc};
use digisos_core::duties::DutyEvent;
use digisos_core::ids::ProviderId;
use digisos_core::incident::IncidentId;
use digisos_core::ledger::{LedgerEvent, LimitKey};
use digisos_core::principal::Principal;
use digisos_core::programme::ProgrammeEvent;
use digisos_core::service::{Recorded, Store};

impl<S: Store> Wave<'_, S> {
    pub(super) fn narrate(&mut self, recorded: &[Recorded]) {
        for r in recorded {
            let ProgrammeEvent::Incident { id, event } = &r.event else {
                continue;
            };
            let at = event.at;
            let who = self.name(id);
            match &event.kind {
                E::Reported { .. } => {
                    let what = match self.roles.get(id) {
                        Some(r) if r.shared_provider => {
                            "ransomware in the data centre, all customers cut off"
                        }
                        _ => "the IT provider is down, Fachverfahren unreachable",
                    };
                    self.say(at, format!("{who} reports: {what}"));
                }
                E::TimeEntrySubmitted { entry, .. } => {
                    let body = self.roles.get(id).map(|r| Principal::body(r.key.clone()));
                    if let Some(Ok(body)) = body {
                        let approve = C::ApproveTimeEntry { entry: *entry };
                        self.at(
                            at + TimeDelta::hours(3),
                            Step::Run(id.clone(), body, approve),
                        );
                    }
                }
                E::Rejected { reasons } => {
                    self.say(at, format!("   {who} rejected: {}", reasons.join("; ")))
                }
                E::Dispatched {
                    call_off, provider, ..
                } => {
                    let amount = self
                        .service
                        .state()
                        .ledger()
                        .reservation(call_off)
                        .map(|r| super::super::report::grid::money(r.amount))
                        .unwrap_or_default();
                    self.say(
                        at,
                        format!(
                            "   {id}: call-off {call_off} ({amount} EUR) offered to {provider}"
                        ),
                    );
                }
                E::Ledger(LedgerEvent::ReservationAwaitingApproval {
                    call_off, amount, ..
                }) => {
                    let amount = super::super::report::grid::money(*amount);
                    self.say(at, format!("   {id}: call-off {call_off} of {amount} EUR is above the approval threshold"));
                    let approve =
                        Step::Run(id.clone(), Principal::coordinator(), C::ApproveReservation);
                    self.at(at + min(3), approve);
                }
                E::Ledger(LedgerEvent::UtilisationWarningReached { limit, percent }) => {
                    self.say(at, format!("!! WARNING: {limit} reached {percent} %"));
                    if matches!(limit, LimitKey::Lot(_)) && *percent >= 90 && !self.small_packages {
                        self.small_packages = true;
                        self.say(at, "   the hotline now dispatches 5-person-day first-response packages only");
                    }
                }
                E::Ledger(LedgerEvent::FrameworkExhausted) => {
                    self.say(
                        at,
                        "!! the contract maximum is reached: the framework is exhausted",
                    );
                }
                E::Accepted { provider } => self.say(at, format!("   {id}: {provider} accepts")),
                E::Declined { provider, next, .. } => {
                    let to = next.as_ref().map_or_else(
                        || "nobody left: unserved".to_string(),
                        |n| format!("offered to {n}"),
                    );
                    self.say(
                        at,
                        format!("   {id}: {provider} declines (no capacity), {to}"),
                    );
                    self.offer(at, id, next.as_ref());
                }
                E::AcceptanceWindowMissed { provider, next, .. } => {
                    let to = next.as_ref().map_or_else(
                        || "nobody left: unserved".to_string(),
                        |n| format!("cascade to {n}"),
                    );
                    self.say(
                        at,
                        format!("!! {id}: {provider} missed its acceptance window, {to}"),
                    );
                    self.offer(at, id, next.as_ref());
                }
                E::Closed { released, .. } => {
                    self.closed += 1;
                    let released = super::super::report::grid::money(*released);
                    self.say(at, format!("   {who} closed, {released} EUR released"));
                }
                E::Duty(DutyEvent::Overdue { kind, .. }) => {
                    self.say(at, format!("!! {who}: {kind} overdue"))
                }
                E::Duty(DutyEvent::Submitted {
                    kind, late: true, ..
                }) => {
                    self.say(at, format!("   {who}: {kind} submitted late"));
                }
                _ => {}
            }
            if let E::Dispatched { provider, .. } = &event.kind {
                self.offer(at, id, Some(provider));
            }
        }
    }

    /// Schedules `provider`'s answer to an offer made at `at`.
    fn offer(&mut self, at: DateTime<Utc>, id: &IncidentId, provider: Option<&ProviderId>) {
        let Some(provider) = provider else { return };
        let busy = self.load.get(provider).copied().unwrap_or(0) >= capacity(provider);
        let delay = if busy {
            self.rng.range(5, 15)
        } else {
            self.rng.range(10, 45)
        };
        self.at(at + min(delay), Step::Respond(id.clone(), provider.clone()));
    }
}
