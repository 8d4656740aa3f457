//! The wave itself: a time-ordered queue of what bodies, the hotline and the providers do,
//! replayed through the service at fixed instants; the timer (`Service::tick`) runs before
//! every step, so missed windows cascade and duties fall overdue on their own. Each
//! notable event becomes one line of the story.

use super::plan::{Gdpr, Rng, Role};
use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Europe::Berlin;
use digisos_core::duties::{DutyKind, Nis2Class};
use digisos_core::ids::{LotId, ProviderId, RoleId};
use digisos_core::incident::{
    Estimate, IncidentCategory, IncidentCommand as C, IncidentEventKind as E, IncidentId,
    IncidentState, Report,
};
use digisos_core::principal::Principal;
use digisos_core::programme::{Command, ProgrammeEvent};
use digisos_core::service::{Service, Store};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The lot every call-off of the wave goes to.
pub(crate) const LOT: &str = "los-2-westfalen";

/// Concurrent call-offs each provider can staff during the wave (rank order of lot 2).
const CAPACITY: [(&str, i64); 4] = [
    ("westfalen-cert", 7),
    ("ruhrschild", 5),
    ("lippe-forensik", 4),
    ("rheinwacht", 1000),
];

/// The provider whose hotline is flooded and lets its second offer go unanswered.
const MISSES: (&str, u32) = ("westfalen-cert", 2);

mod narrate;

const ROLES: [&str; 3] = [
    "incident_responder",
    "forensic_analyst",
    "recovery_engineer",
];

enum Step {
    Report(Box<Role>),
    Dispatch(IncidentId),
    Respond(IncidentId, ProviderId),
    Submit(IncidentId, ProviderId, usize, DateTime<Utc>),
    Run(IncidentId, Principal, C),
}

/// The replay of one wave over a service.
pub(crate) struct Wave<'a, S: Store> {
    service: &'a mut Service<S>,
    lot: LotId,
    rng: Rng,
    queue: BTreeMap<(DateTime<Utc>, u64), Step>,
    seq: u64,
    roles: BTreeMap<IncidentId, Role>,
    load: BTreeMap<ProviderId, i64>,
    offers: BTreeMap<ProviderId, u32>,
    hotline_free: DateTime<Utc>,
    small_packages: bool,
    closed: u32,
    /// The story so far, one line per notable event.
    pub(crate) out: String,
}

fn min(m: i64) -> TimeDelta {
    TimeDelta::minutes(m)
}

fn when(at: DateTime<Utc>) -> String {
    at.with_timezone(&Berlin)
        .format("%a %d.%m. %H:%M")
        .to_string()
}

impl<'a, S: Store> Wave<'a, S> {
    /// A wave of `cast` over `service` in `lot`, with its own random numbers.
    pub(crate) fn new(service: &'a mut Service<S>, lot: LotId, cast: Vec<Role>, rng: Rng) -> Self {
        let start = cast
            .first()
            .map_or(DateTime::<Utc>::MIN_UTC, |r| r.report_at);
        let mut wave = Wave {
            service,
            lot,
            rng,
            queue: BTreeMap::new(),
            seq: 0,
            roles: BTreeMap::new(),
            load: BTreeMap::new(),
            offers: BTreeMap::new(),
            hotline_free: start,
            small_packages: false,
            closed: 0,
            out: String::new(),
        };
        for role in cast {
            wave.at(role.report_at, Step::Report(Box::new(role)));
        }
        wave
    }

    fn at(&mut self, at: DateTime<Utc>, step: Step) {
        self.seq += 1;
        self.queue.insert((at, self.seq), step);
    }

    fn say(&mut self, at: DateTime<Utc>, text: impl AsRef<str>) {
        let _ = writeln!(self.out, "{}  {}", when(at), text.as_ref());
    }

    fn name(&self, incident: &IncidentId) -> String {
        self.roles.get(incident).map_or_else(
            || incident.to_string(),
            |r| format!("{incident} {}", r.name),
        )
    }

    /// Replays every step due up to `end`, then lets the timer catch up to `end`. Fails
    /// only when the store fails.
    pub(crate) fn run(&mut self, end: DateTime<Utc>) -> Result<(), S::Error> {
        while let Some(entry) = self.queue.first_entry() {
            let (at, _) = *entry.key();
            if at > end {
                break;
            }
            let step = entry.remove();
            let due = self.service.tick(at)?;
            self.narrate(&due);
            self.step(at, step)?;
        }
        let due = self.service.tick(end)?;
        self.narrate(&due);
        Ok(())
    }

    /// How many incidents were closed during the wave.
    pub(crate) fn closed(&self) -> u32 {
        self.closed
    }

    fn execute(
        &mut self,
        at: DateTime<Utc>,
        command: Command,
        by: &Principal,
    ) -> Result<bool, S::Error> {
        match self.service.execute(&command, by, at)? {
            Ok(recorded) => {
                self.narrate(&recorded);
                Ok(true)
            }
            Err(rejection) => {
                let what = match &command {
                    Command::Incident { id, .. } => self.name(id),
                    _ => String::new(),
                };
                self.say(at, format!("   refused for {what}: {rejection}"));
                Ok(false)
            }
        }
    }

    fn incident(&self, id: &IncidentId, by: Principal, command: C) -> (Command, Principal) {
        let command = Command::Incident {
            id: id.clone(),
            command,
        };
        (command, by)
    }

    fn step(&mut self, at: DateTime<Utc>, step: Step) -> Result<(), S::Error> {
        match step {
            Step::Report(role) => self.report(at, *role),
            Step::Dispatch(id) => {
                let days = if self.small_packages {
                    5
                } else {
                    self.roles.get(&id).map_or(5, |r| r.person_days)
                };
                let estimate = Estimate::PersonDays(Decimal::from(days));
                let (c, by) =
                    self.incident(&id, Principal::coordinator(), C::Dispatch { estimate });
                self.execute(at, c, &by)?;
                Ok(())
            }
            Step::Respond(id, provider) => self.respond(at, id, provider),
            Step::Submit(id, provider, n, start) => {
                let Ok(role) = RoleId::new(ROLES[n % ROLES.len()]) else {
                    return Ok(());
                };
                let entry = C::SubmitTimeEntry {
                    role,
                    start,
                    end: start + TimeDelta::hours(8),
                    description: "Analyse, Eindämmung und Wiederanlauf".into(),
                };
                let (c, by) = self.incident(&id, Principal::provider(provider), entry);
                self.execute(at, c, &by)?;
                Ok(())
            }
            Step::Run(id, by, command) => {
                let (c, by) = self.incident(&id, by, command);
                self.execute(at, c, &by)?;
                Ok(())
            }
        }
    }

    fn report(&mut self, at: DateTime<Utc>, role: Role) -> Result<(), S::Error> {
        let report = Report {
            body: role.key.clone(),
            title: "IT-Dienstleister ausgefallen: Fachverfahren nicht erreichbar".into(),
            description: "Verschlüsselung beim gemeinsamen kommunalen IT-Dienstleister".into(),
            category: IncidentCategory::Ransomware,
            aware_at: role.aware_at,
            affected_services: vec!["Meldewesen".into(), "Kfz-Zulassung".into(), "E-Mail".into()],
            personal_data: role.gdpr != Gdpr::NotAffected,
            nis2: role.nis2,
            on_site_needed: role.on_site,
        };
        let Ok(by) = Principal::body(role.key.clone()) else {
            return Ok(());
        };
        let recorded = match self.service.execute(&Command::Report(report), &by, at)? {
            Ok(recorded) => recorded,
            Err(rejection) => {
                self.say(
                    at,
                    format!("   report of {} refused: {rejection}", role.name),
                );
                return Ok(());
            }
        };
        let Some(ProgrammeEvent::Incident { id, .. }) = recorded.first().map(|r| &r.event) else {
            return Ok(());
        };
        let id = id.clone();
        self.roles.insert(id.clone(), role.clone());
        self.narrate(&recorded);
        // the hotline triages one report every six minutes, then dispatches
        let triage = (at + min(4)).max(self.hotline_free);
        self.hotline_free = triage + min(6);
        let triage_cmd = C::Triage {
            severity: role.severity,
            lot: self.lot.clone(),
        };
        self.at(
            triage,
            Step::Run(id.clone(), Principal::coordinator(), triage_cmd),
        );
        self.at(triage + min(2), Step::Dispatch(id.clone()));
        // the body's reporting duties
        let duty = |kind, hours: i64| (kind, role.aware_at + TimeDelta::hours(hours));
        let mut duties = Vec::new();
        if let Gdpr::After(h) = role.gdpr {
            duties.push(duty(DutyKind::GdprNotification, h));
        }
        if role.nis2 != Nis2Class::None {
            duties.push(duty(DutyKind::Nis2EarlyWarning, 6)); // the notification never comes
        }
        for (kind, when) in duties {
            let command = C::RecordDutySubmission {
                kind,
                submitted_at: when,
                reference: format!(
                    "{}-{}",
                    role.key,
                    kind.label().split(' ').next().unwrap_or("")
                ),
            };
            self.at(when, Step::Run(id.clone(), by.clone(), command));
        }
        Ok(())
    }

    fn respond(
        &mut self,
        at: DateTime<Utc>,
        id: IncidentId,
        provider: ProviderId,
    ) -> Result<(), S::Error> {
        let holds = self.service.state().incidents().get(&id).is_some_and(|i| {
            i.state() == IncidentState::Dispatched && i.provider.as_ref() == Some(&provider)
        });
        if !holds {
            return Ok(());
        }
        let offers = self.offers.entry(provider.clone()).or_default();
        *offers += 1;
        if (provider.as_str(), *offers) == MISSES {
            self.say(
                at,
                format!("   {provider}'s hotline is flooded; the offer of {id} goes unanswered"),
            );
            return Ok(());
        }
        let busy = self.load.get(&provider).copied().unwrap_or(0) >= capacity(&provider);
        let by = Principal::provider(provider.clone());
        if busy {
            let reason = "all teams deployed in the wave".to_string();
            let (c, by) = self.incident(&id, by, C::Decline { reason });
            self.execute(at, c, &by)?;
            return Ok(());
        }
        let (c, by) = self.incident(&id, by, C::Accept);
        if self.execute(at, c, &by)? {
            *self.load.entry(provider.clone()).or_default() += 1;
            self.plan_response(at, &id, &provider);
        }
        Ok(())
    }

    /// Schedules the accepted provider's work and the body's approvals.
    fn plan_response(&mut self, accepted: DateTime<Utc>, id: &IncidentId, provider: &ProviderId) {
        let Some(role) = self.roles.get(id).cloned() else {
            return;
        };
        let p = Principal::provider(provider.clone());
        let first = accepted + min(self.rng.range(10, 120));
        self.at(
            first,
            Step::Run(id.clone(), p.clone(), C::RecordFirstContact),
        );
        if role.severity == digisos_core::sla::Severity::Critical {
            let remote = first + min(self.rng.range(20, 150));
            self.at(
                remote,
                Step::Run(id.clone(), p.clone(), C::RecordRemoteStart),
            );
        }
        let mut busy_until = first;
        if role.on_site {
            busy_until = first + TimeDelta::hours(self.rng.range(2, 34));
            self.at(
                busy_until,
                Step::Run(id.clone(), p.clone(), C::RecordOnSiteArrival),
            );
        }
        let days = if self.small_packages {
            1
        } else {
            (role.person_days / 10).clamp(1, 3)
        };
        for n in 0..usize::try_from(days).unwrap_or(1) {
            let start =
                first + TimeDelta::hours(1) + TimeDelta::days(i64::try_from(n).unwrap_or(0));
            let submit = start + TimeDelta::hours(8) + min(30);
            self.at(submit, Step::Submit(id.clone(), provider.clone(), n, start));
        }
        let contained =
            busy_until.max(first + TimeDelta::days(days)) + TimeDelta::days(self.rng.range(1, 3));
        let recovered = contained + TimeDelta::days(self.rng.range(1, 3));
        self.at(contained, Step::Run(id.clone(), p.clone(), C::Contain));
        self.at(recovered, Step::Run(id.clone(), p, C::Recover));
        let close = C::Close {
            final_report_ref: format!("AB-{}", id.as_str().trim_start_matches("INC-")),
        };
        self.at(
            recovered + TimeDelta::hours(12),
            Step::Run(id.clone(), Principal::coordinator(), close),
        );
    }
}

fn capacity(provider: &ProviderId) -> i64 {
    CAPACITY
        .iter()
        .find(|(p, _)| *p == provider.as_str())
        .map_or(0, |(_, c)| *c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> ProviderId {
        ProviderId::new(s).unwrap()
    }

    #[test]
    fn every_provider_of_the_demo_has_a_capacity() {
        for (p, c) in CAPACITY {
            assert_eq!(capacity(&id(p)), c);
        }
        assert_eq!(capacity(&id("unknown")), 0);
    }
}
