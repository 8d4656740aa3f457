//! The programme: everything one framework contract governs, folded from one event log —
//! the contract in force, the register, the limits ledger, every incident and the access
//! tokens. [`Programme::decide`] turns a command into events (or a rejection),
//! [`Programme::apply`] folds them, and the timers report what falls due.

mod command;
mod event;
mod rejection;
mod snapshot;

pub use command::Command;
pub use event::ProgrammeEvent;
pub use rejection::Rejection;
pub use snapshot::{
    BulkData, HeadData, SNAPSHOT_FORMAT, SnapshotBulk, SnapshotError, SnapshotHead,
};

use crate::calendar::Calendars;
use crate::contract::{Contract, ContractSpec};
use crate::ids::{LotId, ProviderId};
use crate::incident::{self, Facts, Incident, IncidentEventKind, IncidentId};
use crate::ledger::{CallOffId, Ledger, LedgerEvent};
use crate::principal::{self, Principal, Role};
use crate::register::{Import, Register};
use chrono::{DateTime, Utc};
use imbl::{OrdMap, OrdSet};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// An access token as recorded: its hash and whom it acts as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRecord {
    /// Public id.
    pub token_id: String,
    /// SHA-256 of the secret, hex.
    pub token_hash: String,
    /// Whom it acts as.
    pub principal: Principal,
    /// Label.
    pub label: String,
    /// When it was issued.
    pub issued_at: DateTime<Utc>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// The state of the programme, folded from its events.
///
/// It serialises as a snapshot (see [`SNAPSHOT_FORMAT`], [`Programme::snapshot_head`] and
/// [`Programme::snapshot_bulk`]): a store may persist it with the position of the last
/// folded event and restore it instead of replaying the log up to there. Restoring
/// validates the contract again and compiles its calendars.
#[derive(Debug, Clone, PartialEq)]
pub struct Programme {
    // The contract, its calendars, the register and the tokens change rarely; behind an
    // `Arc` each, a copy of the programme (the syncer's after every batch, a background
    // snapshot's) shares them instead of copying them, and `apply` copies one only
    // while a copy still shares it ([`Arc::make_mut`]).
    contract: Option<Arc<Contract>>,
    /// The spec of the contract in force, as adopted (kept for snapshots).
    contract_spec: Option<Arc<ContractSpec>>,
    contract_versions: u32,
    calendars: Arc<Calendars>,
    register: Arc<Register>,
    ledger: Ledger,
    /// A persistent map of shared incidents: a copy of the programme (a snapshot
    /// written in the background) shares the whole tree and costs nothing; `apply`
    /// copies the path to an incident, and the incident, only while a copy still
    /// shares them ([`Arc::make_mut`]).
    incidents: OrdMap<IncidentId, Arc<Incident>>,
    first_by_lot: BTreeMap<LotId, ProviderId>,
    call_offs: u32,
    tokens: Arc<BTreeMap<String, TokenRecord>>,
    events: u64,
    /// Index of the timers: `(incident.next_timeout(), id)` for every incident that has
    /// one, kept by `apply` (so the timers never scan every incident).
    timers: OrdSet<(DateTime<Utc>, IncidentId)>,
}

impl Default for Programme {
    fn default() -> Self {
        Programme {
            contract: None,
            contract_spec: None,
            contract_versions: 0,
            calendars: Arc::new(Calendars::presets()),
            register: Arc::new(Register::new()),
            ledger: Ledger::new(),
            incidents: OrdMap::new(),
            first_by_lot: BTreeMap::new(),
            call_offs: 0,
            tokens: Arc::new(BTreeMap::new()),
            events: 0,
            timers: OrdSet::new(),
        }
    }
}

impl Programme {
    /// An empty programme (no contract, empty register).
    pub fn new() -> Self {
        Self::default()
    }

    /// The contract in force.
    pub fn contract(&self) -> Option<&Contract> {
        self.contract.as_deref()
    }

    /// How many contract versions were adopted.
    pub fn contract_versions(&self) -> u32 {
        self.contract_versions
    }

    /// The calendars (presets plus the contract's).
    pub fn calendars(&self) -> &Calendars {
        &self.calendars
    }

    /// The register of bodies.
    pub fn register(&self) -> &Register {
        &self.register
    }

    /// The limits ledger.
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// Every incident, by id.
    pub fn incidents(&self) -> &OrdMap<IncidentId, Arc<Incident>> {
        &self.incidents
    }

    /// The incidents `by` may see, in id order.
    pub fn visible_incidents<'a>(
        &'a self,
        by: &'a Principal,
    ) -> impl Iterator<Item = &'a Incident> {
        self.incidents
            .values()
            .map(Arc::as_ref)
            .filter(move |i| principal::can_view_incident(by, &i.body, &i.offered_to))
    }

    /// The incident `id` if `by` may see it (`None` both when missing and when foreign).
    pub fn incident_for(&self, id: &IncidentId, by: &Principal) -> Option<&Incident> {
        self.incidents
            .get(id)
            .map(Arc::as_ref)
            .filter(|i| principal::can_view_incident(by, &i.body, &i.offered_to))
    }

    /// The live token with this hash, if any.
    pub fn token_by_hash(&self, hash: &str) -> Option<&TokenRecord> {
        self.tokens
            .values()
            .find(|t| t.token_hash == hash && t.revoked_at.is_none())
    }

    /// Every token record (live and revoked).
    pub fn tokens(&self) -> impl Iterator<Item = &TokenRecord> {
        self.tokens.values()
    }

    /// Number of events folded.
    pub fn events_applied(&self) -> u64 {
        self.events
    }

    fn facts<'a>(&'a self, lot: Option<&LotId>, next_call_off: &'a CallOffId) -> Facts<'a> {
        Facts {
            contract: self.contract.as_deref(),
            calendars: &self.calendars,
            register: &self.register,
            ledger: &self.ledger,
            previous_first: lot.and_then(|l| self.first_by_lot.get(l)),
            next_call_off,
        }
    }

    fn next_call_off(&self) -> CallOffId {
        CallOffId::from_number(self.call_offs.saturating_add(1))
    }

    /// Decides `command` by `by` at `now`. On success the events are to be appended to
    /// the log and folded with [`Programme::apply`], in order.
    ///
    /// For a command on an incident, whatever fell due on that incident by `now` (a
    /// missed acceptance window, a breach) is decided first and comes first in the result.
    pub fn decide(
        &self,
        command: &Command,
        by: &Principal,
        now: DateTime<Utc>,
    ) -> Result<Vec<ProgrammeEvent>, Rejection> {
        match command {
            Command::AdoptContract(spec) => {
                require(by, Role::Coordinator, "adopt a contract")?;
                spec.validate().map_err(Rejection::InvalidContract)?;
                Ok(vec![ProgrammeEvent::ContractAdopted {
                    at: now,
                    by: by.clone(),
                    spec: spec.clone(),
                }])
            }
            Command::ImportRegister { source, import } => {
                require(by, Role::Coordinator, "import the register")?;
                Register::clone(&self.register)
                    .apply_import(import.clone())
                    .map_err(Rejection::InvalidImport)?;
                Ok(vec![ProgrammeEvent::RegisterImported {
                    at: now,
                    by: by.clone(),
                    source: source.clone(),
                    gebietsstand: import.gebietsstand,
                    bodies: import.bodies.clone(),
                }])
            }
            Command::IssueToken {
                token_id,
                token_hash,
                principal,
                label,
            } => {
                require(by, Role::Coordinator, "issue tokens")?;
                if self.tokens.contains_key(token_id)
                    || self.tokens.values().any(|t| &t.token_hash == token_hash)
                {
                    return Err(Rejection::TokenExists(token_id.clone()));
                }
                Ok(vec![ProgrammeEvent::TokenIssued {
                    at: now,
                    by: by.clone(),
                    token_id: token_id.clone(),
                    token_hash: token_hash.clone(),
                    principal: principal.clone(),
                    label: label.clone(),
                }])
            }
            Command::RevokeToken { token_id } => {
                require(by, Role::Coordinator, "revoke tokens")?;
                match self.tokens.get(token_id) {
                    Some(t) if t.revoked_at.is_none() => Ok(vec![ProgrammeEvent::TokenRevoked {
                        at: now,
                        by: by.clone(),
                        token_id: token_id.clone(),
                    }]),
                    Some(_) => Err(Rejection::TokenRevoked(token_id.clone())),
                    None => Err(Rejection::UnknownToken(token_id.clone())),
                }
            }
            Command::Report(report) => {
                let id = IncidentId::from_number(self.incidents.len() as u64 + 1);
                let next = self.next_call_off();
                let facts = self.facts(None, &next);
                let command = incident::IncidentCommand::ReportIncident(report.clone());
                let events = incident::decide(None, &command, by, &facts, now)?;
                Ok(wrap(&id, events))
            }
            Command::Incident { id, command } => {
                let current = self
                    .incidents
                    .get(id)
                    .ok_or(Rejection::Incident(incident::IncidentRejection::NotFound))?;
                let next = self.next_call_off();
                let facts = self.facts(current.lot.as_ref(), &next);
                let due = current.handle_timeout(now, &facts);
                // decided on the incident as it stands, or on a copy with what fell due
                let working = if due.is_empty() {
                    std::borrow::Cow::Borrowed(current.as_ref())
                } else {
                    let mut copy = Incident::clone(current);
                    for e in &due {
                        copy.apply(e);
                    }
                    std::borrow::Cow::Owned(copy)
                };
                let decided = incident::decide(Some(&working), command, by, &facts, now)?;
                let mut events = due;
                events.extend(decided);
                Ok(wrap(id, events))
            }
        }
    }

    /// The next instant at which [`Programme::handle_timeout`] has something to do.
    pub fn next_timeout(&self) -> Option<DateTime<Utc>> {
        self.timers.get_min().map(|(at, _)| *at)
    }

    /// Everything that fell due by `now` on any incident (SLA warnings and breaches,
    /// missed acceptance windows with their cascade, overdue reporting duties), incident
    /// by incident in id order. Looks only at the incidents with a timer due.
    pub fn handle_timeout(&self, now: DateTime<Utc>) -> Vec<ProgrammeEvent> {
        let next = self.next_call_off();
        let mut due: Vec<&IncidentId> = self
            .timers
            .iter()
            .take_while(|(at, _)| *at <= now)
            .map(|(_, id)| id)
            .collect();
        due.sort();
        let mut out = Vec::new();
        for id in due {
            if let Some(i) = self.incidents.get(id) {
                let facts = self.facts(i.lot.as_ref(), &next);
                out.extend(wrap(id, i.handle_timeout(now, &facts)));
            }
        }
        out
    }

    /// Rebuilds the timer index from the incidents (after restoring a snapshot).
    fn rebuild_timers(&mut self) {
        self.timers = self
            .incidents
            .values()
            .filter_map(|i| i.next_timeout().map(|at| (at, i.id.clone())))
            .collect();
    }

    /// Folds one event. Never fails: an event that does not fit is ignored, so a replay
    /// of any log is total.
    pub fn apply(&mut self, event: &ProgrammeEvent) {
        self.events += 1;
        match event {
            ProgrammeEvent::ContractAdopted { spec, .. } => {
                if let Ok(contract) = spec.validate() {
                    if let Ok(calendars) = contract.compiled_calendars() {
                        self.calendars = Arc::new(calendars);
                    }
                    self.contract = Some(Arc::new(contract));
                    self.contract_spec = Some(Arc::new(ContractSpec::clone(spec)));
                    self.contract_versions += 1;
                }
            }
            ProgrammeEvent::RegisterImported {
                gebietsstand,
                bodies,
                ..
            } => {
                let import = Import {
                    gebietsstand: *gebietsstand,
                    bodies: bodies.clone(),
                };
                let _ = Arc::make_mut(&mut self.register).apply_import(import);
            }
            ProgrammeEvent::TokenIssued {
                at,
                token_id,
                token_hash,
                principal,
                label,
                ..
            } => {
                Arc::make_mut(&mut self.tokens).insert(
                    token_id.clone(),
                    TokenRecord {
                        token_id: token_id.clone(),
                        token_hash: token_hash.clone(),
                        principal: principal.clone(),
                        label: label.clone(),
                        issued_at: *at,
                        revoked_at: None,
                    },
                );
            }
            ProgrammeEvent::TokenRevoked { at, token_id, .. } => {
                if let Some(t) = Arc::make_mut(&mut self.tokens).get_mut(token_id) {
                    t.revoked_at.get_or_insert(*at);
                }
            }
            ProgrammeEvent::Incident { id, event } => {
                match &event.kind {
                    IncidentEventKind::Ledger(le) => {
                        if matches!(
                            le,
                            LedgerEvent::Reserved { .. }
                                | LedgerEvent::ReservationAwaitingApproval { .. }
                        ) {
                            self.call_offs = self.call_offs.saturating_add(1);
                        }
                        self.ledger.apply(le);
                    }
                    IncidentEventKind::Dispatched { provider, .. } => {
                        if let Some(lot) = self.incidents.get(id).and_then(|i| i.lot.clone()) {
                            self.first_by_lot.insert(lot, provider.clone());
                        }
                    }
                    _ => {}
                }
                let (before, after) = match self.incidents.get_mut(id) {
                    Some(i) => {
                        let i = Arc::make_mut(i);
                        let before = i.next_timeout();
                        i.apply(event);
                        (before, i.next_timeout())
                    }
                    None => match Incident::from_first(id.clone(), event) {
                        Some(i) => {
                            let after = i.next_timeout();
                            self.incidents.insert(id.clone(), Arc::new(i));
                            (None, after)
                        }
                        None => (None, None),
                    },
                };
                if before != after {
                    if let Some(at) = before {
                        self.timers.remove(&(at, id.clone()));
                    }
                    if let Some(at) = after {
                        self.timers.insert((at, id.clone()));
                    }
                }
            }
        }
    }
}

fn require(by: &Principal, role: Role, what: &'static str) -> Result<(), Rejection> {
    if by.role() == role {
        Ok(())
    } else {
        Err(Rejection::Forbidden {
            who: by.to_string(),
            what,
        })
    }
}

fn wrap(id: &IncidentId, events: Vec<incident::IncidentEvent>) -> Vec<ProgrammeEvent> {
    events
        .into_iter()
        .map(|event| ProgrammeEvent::Incident {
            id: id.clone(),
            event,
        })
        .collect()
}

#[cfg(test)]
mod tests;
