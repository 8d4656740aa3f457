//! The load driver: keeps a number of incidents open and moves each one step along its
//! lifecycle per batch (report, triage, dispatch with an amount, accept, first contact,
//! a time entry and its approval, contain, recover, close). A refused step cancels the
//! incident, so the load never stalls.

use crate::scenario::{BODIES, lot_of};
use chrono::{DateTime, TimeDelta, Utc};
use digisos_core::duties::Nis2Class;
use digisos_core::ids::RoleId;
use digisos_core::incident::{
    Estimate, Incident, IncidentCategory, IncidentCommand as C, IncidentId, IncidentState, Report,
    TimeEntryState,
};
use digisos_core::money::Money;
use digisos_core::principal::Principal;
use digisos_core::programme::{Command, Programme, ProgrammeEvent};
use digisos_core::service::Outcome;
use digisos_core::sla::Severity;
use std::collections::BTreeSet;

/// One command of a batch, with who issues it and a label for the acknowledgement.
#[derive(Debug, Clone)]
pub struct Step {
    /// E.g. `dispatch INC-7` or `report 05966`.
    pub label: String,
    /// The command.
    pub command: Command,
    /// Who issues it.
    pub by: Principal,
    /// The incident it concerns (none for a report).
    incident: Option<IncidentId>,
}

/// Chooses the next commands from the programme's state.
#[derive(Debug)]
pub struct Driver {
    open: BTreeSet<IncidentId>,
    refused: BTreeSet<IncidentId>,
    abandoned: BTreeSet<IncidentId>,
    open_target: usize,
    reports: usize,
    amount: Money,
}

impl Driver {
    /// A driver keeping `open_target` incidents open, picking up the open incidents of
    /// `state` (call once after opening the service).
    pub fn new(state: &Programme, open_target: usize) -> Driver {
        let open = state
            .incidents()
            .values()
            .filter(|i| !i.state().is_terminal())
            .map(|i| i.id.clone())
            .collect();
        Driver {
            open,
            refused: BTreeSet::new(),
            abandoned: BTreeSet::new(),
            open_target,
            reports: state.incidents().len(),
            amount: Money::euro(2_000),
        }
    }

    /// Up to `max` steps for the next batch at `now`: one per open incident, then new
    /// reports up to the open target.
    pub fn next_batch(&mut self, state: &Programme, now: DateTime<Utc>, max: usize) -> Vec<Step> {
        let mut steps = Vec::new();
        let ids: Vec<IncidentId> = self.open.iter().cloned().collect();
        for id in ids {
            if steps.len() >= max {
                break;
            }
            let step = state.incidents().get(&id).and_then(|i| self.step(i, now));
            match step {
                Some(step) => steps.push(step),
                None => {
                    self.open.remove(&id);
                }
            }
        }
        while steps.len() < max && self.open.len() + reports(&steps) < self.open_target {
            steps.push(self.report(now));
        }
        steps
    }

    /// Takes note of a step's outcome: a new incident is tracked, a refused step marks
    /// its incident for cancellation.
    pub fn record(&mut self, step: &Step, outcome: &Outcome) {
        match (outcome, &step.incident) {
            (Ok(events), None) => {
                if let Some(ProgrammeEvent::Incident { id, .. }) = events.first().map(|r| &r.event)
                {
                    self.open.insert(id.clone());
                }
            }
            (Ok(_), Some(_)) => {}
            (Err(_), Some(id)) => {
                if !self.refused.insert(id.clone()) {
                    // even the cancellation was refused: leave it alone
                    self.abandoned.insert(id.clone());
                    self.open.remove(id);
                }
            }
            (Err(_), None) => {}
        }
    }

    fn report(&mut self, now: DateTime<Utc>) -> Step {
        let (body, _) = BODIES[self.reports % BODIES.len()];
        self.reports += 1;
        let report = Report {
            body: body.to_owned(),
            title: format!("Verschlüsselte Server, Meldung {}", self.reports),
            description: "Fachverfahren und E-Mail ausgefallen; Lösegeldforderung".into(),
            category: IncidentCategory::Ransomware,
            aware_at: now - TimeDelta::minutes(45),
            affected_services: vec!["E-Mail".into(), "Meldewesen".into()],
            personal_data: self.reports.is_multiple_of(3),
            nis2: Nis2Class::None,
            on_site_needed: false,
        };
        Step {
            label: format!("report {body}"),
            command: Command::Report(report),
            by: Principal::coordinator(),
            incident: None,
        }
    }

    fn step(&self, i: &Incident, now: DateTime<Utc>) -> Option<Step> {
        if self.abandoned.contains(&i.id) || i.state().is_terminal() {
            return None;
        }
        let coordinator = Principal::coordinator();
        let provider = i.provider.clone().map(Principal::provider);
        let body = Principal::body(i.body.clone()).ok()?;
        let (name, by, command) = if self.refused.contains(&i.id) {
            let reason = "load driver: step refused".to_owned();
            ("cancel", coordinator, C::Cancel { reason })
        } else {
            match i.state() {
                IncidentState::Reported => {
                    let lot = lot_of(&i.body)?;
                    let severity = Severity::High;
                    ("triage", coordinator, C::Triage { severity, lot })
                }
                IncidentState::Triaged | IncidentState::Unserved => {
                    let estimate = Estimate::Amount(self.amount);
                    ("dispatch", coordinator, C::Dispatch { estimate })
                }
                IncidentState::Dispatched => ("accept", provider?, C::Accept),
                IncidentState::Accepted => ("first-contact", provider?, C::RecordFirstContact),
                IncidentState::Responding | IncidentState::OnSite => {
                    match i.time_entries.values().last().map(|e| e.state) {
                        None => {
                            let role = RoleId::new("incident_responder").ok()?;
                            let command = C::SubmitTimeEntry {
                                role,
                                start: now - TimeDelta::minutes(90),
                                end: now - TimeDelta::minutes(30),
                                description: "Analyse der Domänencontroller".into(),
                            };
                            ("time-entry", provider?, command)
                        }
                        Some(TimeEntryState::Submitted) => {
                            let entry = i.time_entries.keys().last().copied()?;
                            ("approve", body, C::ApproveTimeEntry { entry })
                        }
                        Some(_) => ("contain", provider?, C::Contain),
                    }
                }
                IncidentState::Contained => ("recover", provider?, C::Recover),
                IncidentState::Recovered => {
                    let final_report_ref = format!("AB-{}", i.id);
                    ("close", coordinator, C::Close { final_report_ref })
                }
                _ => return None,
            }
        };
        Some(Step {
            label: format!("{name} {}", i.id),
            command: Command::Incident {
                id: i.id.clone(),
                command,
            },
            by,
            incident: Some(i.id.clone()),
        })
    }
}

fn reports(steps: &[Step]) -> usize {
    steps.iter().filter(|s| s.incident.is_none()).count()
}
