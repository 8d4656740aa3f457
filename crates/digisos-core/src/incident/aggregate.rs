//! The incident aggregate's state and its `apply` fold (the *evolve* step).
//!
//! [`Incident`] is built only by folding the events that `decide` produced; it never
//! computes anything that `decide` did not record (deadlines, prices, amounts).

use super::command::{IncidentCategory, TimeEntryNo};
use super::event::{IncidentEvent, IncidentEventKind as E};
use super::id::IncidentId;
use super::lifecycle::{self, Lifecycle};
use super::state::IncidentState;
use crate::duties::{Duties, Nis2Class};
use crate::ids::{LotId, ProviderId, RoleId};
use crate::ledger::{CallOffId, LedgerEvent};
use crate::money::Money;
use crate::sla::{Clock, Severity, WindowKind};
use crate::vecmap::VecMap;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One incident and its call-off, as folded from its events. Serialisable for snapshots
/// of the programme (see `Programme`'s serde implementation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    /// Incident id.
    pub id: IncidentId,
    /// The affected body's register key.
    pub body: String,
    /// Short title.
    pub title: String,
    /// What happened.
    pub description: String,
    /// Kind of incident.
    pub category: IncidentCategory,
    /// Services affected.
    pub affected_services: Vec<String>,
    /// Whether personal data is affected.
    pub personal_data: bool,
    /// The body's NIS2 class.
    pub nis2: Nis2Class,
    /// Whether on-site help was requested.
    pub on_site_needed: bool,
    /// Time of awareness.
    #[serde(with = "crate::wire::instant")]
    pub aware_at: DateTime<Utc>,
    /// When the report was recorded.
    #[serde(with = "crate::wire::instant")]
    pub reported_at: DateTime<Utc>,
    /// Graph state and waiting flag.
    pub lifecycle: Lifecycle,
    /// Severity, once triaged.
    pub severity: Option<Severity>,
    /// Lot, once triaged.
    pub lot: Option<LotId>,
    /// Reasons of a rejection.
    pub rejection_reasons: Vec<String>,
    /// The call-off in the ledger, once reserved.
    pub call_off: Option<CallOffId>,
    /// The cascade order of the current dispatch.
    pub order: Vec<ProviderId>,
    /// The provider holding the call-off now (until accepted, declined or timed out).
    pub provider: Option<ProviderId>,
    /// Every provider the call-off was ever offered to, in order.
    pub offered_to: Vec<ProviderId>,
    /// When the call-off was first dispatched, accepted, first contacted, …
    #[serde(with = "crate::wire::instant_map")]
    pub milestones: BTreeMap<Milestone, DateTime<Utc>>,
    /// SLA clocks, per provider and window.
    pub clocks: Vec<ProviderClock>,
    /// Reporting duties.
    pub duties: Duties,
    /// Time entries by number (a map kept as a sorted vector: most incidents have one).
    pub time_entries: VecMap<TimeEntryNo, TimeEntryRecord>,
    /// Reference of the final report, once closed.
    pub final_report_ref: Option<String>,
    /// Number of events folded (the stream version).
    pub version: u64,
}

/// Milestones of an incident, with the instant they were reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Milestone {
    /// Triaged.
    Triaged,
    /// First dispatched.
    Dispatched,
    /// Accepted by a provider.
    Accepted,
    /// First qualified contact.
    FirstContact,
    /// Remote analysis started.
    RemoteStart,
    /// On-site arrival.
    OnSite,
    /// Contained.
    Contained,
    /// Recovered.
    Recovered,
    /// Closed, withdrawn, rejected or cancelled.
    Ended,
}

/// One SLA clock of one provider.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderClock {
    /// The provider it runs against.
    pub provider: ProviderId,
    /// The clock.
    pub clock: Clock,
}

/// What happened to a time entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeEntryState {
    /// Submitted, waiting for the body.
    Submitted,
    /// Approved and posted.
    Approved,
    /// Disputed by the body.
    Disputed,
    /// Posted, then reversed.
    Reversed,
}

/// A provider's time entry on the call-off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeEntryRecord {
    /// Number within the incident.
    pub entry: TimeEntryNo,
    /// The provider.
    pub provider: ProviderId,
    /// Rate-card role.
    pub role: RoleId,
    /// Start.
    #[serde(with = "crate::wire::instant")]
    pub start: DateTime<Utc>,
    /// End.
    #[serde(with = "crate::wire::instant")]
    pub end: DateTime<Utc>,
    /// What was done.
    pub description: String,
    /// Net price.
    pub amount: Money,
    /// State.
    pub state: TimeEntryState,
    /// Why it was disputed or reversed.
    pub note: Option<String>,
}

impl Incident {
    /// Builds an incident from its first event; `None` unless it is `Reported`.
    pub fn from_first(id: IncidentId, event: &IncidentEvent) -> Option<Incident> {
        let E::Reported {
            body,
            title,
            description,
            category,
            aware_at,
            affected_services,
            personal_data,
            nis2,
            on_site_needed,
        } = &event.kind
        else {
            return None;
        };
        Some(Incident {
            id,
            body: body.clone(),
            title: title.clone(),
            description: description.clone(),
            category: *category,
            affected_services: affected_services.clone(),
            personal_data: *personal_data,
            nis2: *nis2,
            on_site_needed: *on_site_needed,
            aware_at: *aware_at,
            reported_at: event.at,
            lifecycle: lifecycle::evolve(None, &event.kind)?,
            severity: None,
            lot: None,
            rejection_reasons: Vec::new(),
            call_off: None,
            order: Vec::new(),
            provider: None,
            offered_to: Vec::new(),
            milestones: BTreeMap::new(),
            clocks: Vec::new(),
            duties: Duties::for_incident(*aware_at, *nis2, *personal_data),
            time_entries: VecMap::new(),
            final_report_ref: None,
            version: 1,
        })
    }

    /// The lifecycle state.
    pub fn state(&self) -> IncidentState {
        self.lifecycle.state
    }

    /// The clock of `provider` for `window`, if started.
    pub fn clock(&self, provider: &ProviderId, window: WindowKind) -> Option<&Clock> {
        self.clocks
            .iter()
            .find(|c| &c.provider == provider && c.clock.kind() == window)
            .map(|c| &c.clock)
    }

    /// Net amount of the entries posted and not reversed.
    pub fn posted(&self) -> Money {
        self.time_entries
            .values()
            .filter(|e| e.state == TimeEntryState::Approved)
            .map(|e| e.amount)
            .sum()
    }

    /// Folds one event (never fails; ignores what does not fit, so replay is total).
    pub fn apply(&mut self, event: &IncidentEvent) {
        self.version += 1;
        if let Some(l) = lifecycle::evolve(Some(self.lifecycle), &event.kind) {
            self.lifecycle = l;
        }
        let at = event.at;
        match &event.kind {
            E::Reported { .. } => {}
            E::Triaged { severity, lot } => {
                self.severity = Some(*severity);
                self.lot = Some(lot.clone());
                self.milestone(Milestone::Triaged, at);
            }
            E::Rejected { reasons } => {
                self.rejection_reasons.clone_from(reasons);
                self.milestone(Milestone::Ended, at);
            }
            E::Dispatched {
                call_off,
                provider,
                order,
            } => {
                self.call_off = Some(call_off.clone());
                self.order.clone_from(order);
                self.offer(provider);
                self.milestone(Milestone::Dispatched, at);
            }
            E::Accepted { .. } => self.milestone(Milestone::Accepted, at),
            E::Declined { next, .. } | E::AcceptanceWindowMissed { next, .. } => {
                self.provider = None;
                if let Some(p) = next {
                    self.offer(p);
                }
            }
            E::FirstContactRecorded => self.milestone(Milestone::FirstContact, at),
            E::RemoteStartRecorded => self.milestone(Milestone::RemoteStart, at),
            E::OnSiteArrivalRecorded => self.milestone(Milestone::OnSite, at),
            E::Contained => self.milestone(Milestone::Contained, at),
            E::Recovered => self.milestone(Milestone::Recovered, at),
            E::Closed {
                final_report_ref, ..
            } => {
                self.final_report_ref = Some(final_report_ref.clone());
                self.milestone(Milestone::Ended, at);
            }
            E::Withdrawn { .. } | E::Cancelled { .. } => self.milestone(Milestone::Ended, at),
            E::WaitingForBody { .. } | E::ResumedFromBody => {}
            E::Ledger(LedgerEvent::Reserved { call_off, .. })
            | E::Ledger(LedgerEvent::ReservationAwaitingApproval { call_off, .. }) => {
                self.call_off = Some(call_off.clone());
            }
            E::Ledger(_) => {}
            E::Duty(d) => self.duties.apply(d),
            E::Sla {
                window,
                provider,
                event,
            } => self.clock_mut(provider, *window).apply(event),
            E::SlaStarted { provider, clocks } => {
                for start in clocks {
                    self.clock_mut(provider, start.window).apply_start(start);
                }
            }
            E::TimeEntrySubmitted {
                entry,
                provider,
                role,
                start,
                end,
                description,
                amount,
            } => {
                self.time_entries.insert(
                    *entry,
                    TimeEntryRecord {
                        entry: *entry,
                        provider: provider.clone(),
                        role: role.clone(),
                        start: *start,
                        end: *end,
                        description: description.clone(),
                        amount: *amount,
                        state: TimeEntryState::Submitted,
                        note: None,
                    },
                );
            }
            E::TimeEntryApproved { entry, .. } => {
                self.entry_state(*entry, TimeEntryState::Approved, None)
            }
            E::TimeEntryDisputed { entry, reason } => {
                self.entry_state(*entry, TimeEntryState::Disputed, Some(reason));
            }
            E::TimeEntryReversed { entry, reason, .. } => {
                self.entry_state(*entry, TimeEntryState::Reversed, Some(reason));
            }
        }
    }

    fn offer(&mut self, provider: &ProviderId) {
        self.provider = Some(provider.clone());
        push_exact(&mut self.offered_to, provider.clone());
    }

    /// `provider`'s clock for `window`, added pending if it has none yet.
    fn clock_mut(&mut self, provider: &ProviderId, window: WindowKind) -> &mut Clock {
        let at = self
            .clocks
            .iter()
            .position(|c| &c.provider == provider && c.clock.kind() == window)
            .unwrap_or_else(|| {
                push_exact(
                    &mut self.clocks,
                    ProviderClock {
                        provider: provider.clone(),
                        clock: Clock::new(window),
                    },
                );
                self.clocks.len() - 1
            });
        &mut self.clocks[at].clock
    }

    fn milestone(&mut self, m: Milestone, at: DateTime<Utc>) {
        self.milestones.entry(m).or_insert(at);
    }

    fn entry_state(&mut self, entry: TimeEntryNo, state: TimeEntryState, note: Option<&String>) {
        if let Some(e) = self.time_entries.get_mut(&entry) {
            e.state = state;
            e.note = note.cloned();
        }
    }
}

/// Pushes without the vector's growth slack for its first few elements (a `Vec` would
/// make room for four clocks at the first one; incidents have two or three).
fn push_exact<T>(v: &mut Vec<T>, item: T) {
    if v.len() == v.capacity() && v.len() < 4 {
        v.reserve_exact(1);
    }
    v.push(item);
}
