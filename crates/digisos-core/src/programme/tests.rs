//! Given/when/then tests of the programme through the service with the in-memory store,
//! on the example NRW contract and register, with a fixed `t0`.

use super::*;
use crate::contract::ContractSpec;
use crate::duties::Nis2Class;
use crate::ids::RoleId;
use crate::incident::{
    Estimate, IncidentCategory, IncidentCommand as C, IncidentEvent, IncidentRejection,
    IncidentState, Report, TimeEntryNo,
};
use crate::ledger::{LedgerRejection, LimitKey};
use crate::money::Money;
use crate::service::{MemoryStore, Service, Store};
use crate::sla::Severity;
use chrono::{TimeDelta, TimeZone};
use chrono_tz::Europe::Berlin;
use rust_decimal_macros::dec;

const CONTRACT: &str = include_str!("../../../../examples/nrw/contract.toml");
const REGISTER: &[u8] = include_bytes!("../../../../examples/nrw/register.csv");

/// Thursday 2 October 2025, 20:00 in Berlin; the 3rd is a public holiday.
fn t0() -> DateTime<Utc> {
    Berlin
        .with_ymd_and_hms(2025, 10, 2, 20, 0, 0)
        .unwrap()
        .with_timezone(&Utc)
}

fn min(m: i64) -> TimeDelta {
    TimeDelta::minutes(m)
}

fn coordinator() -> Principal {
    Principal::coordinator()
}

fn body(key: &str) -> Principal {
    Principal::body(key).unwrap()
}

fn provider(id: &str) -> Principal {
    Principal::provider(ProviderId::new(id).unwrap())
}

struct World {
    service: Service<MemoryStore>,
}

impl World {
    fn new() -> World {
        let mut service = Service::open(MemoryStore::new()).unwrap();
        let spec: ContractSpec = toml::from_str(CONTRACT).unwrap();
        let import = crate::register::csv::parse(REGISTER).unwrap();
        let at = t0() - TimeDelta::days(30);
        ok(service.execute(&Command::AdoptContract(Box::new(spec)), &coordinator(), at));
        ok(service.execute(
            &Command::ImportRegister {
                source: "register.csv".into(),
                import,
            },
            &coordinator(),
            at,
        ));
        World { service }
    }

    fn report(&mut self, key: &str, at: DateTime<Utc>) -> IncidentId {
        let report = Report {
            body: key.into(),
            title: "Ransomware: Fachverfahren verschlüsselt".into(),
            description: "Der kommunale IT-Dienstleister ist ausgefallen".into(),
            category: IncidentCategory::Ransomware,
            aware_at: at - min(30),
            affected_services: vec!["Kfz-Zulassung".into(), "Meldewesen".into()],
            personal_data: true,
            nis2: Nis2Class::None,
            on_site_needed: true,
        };
        let events = ok(self
            .service
            .execute(&Command::Report(report), &body(key), at));
        match &events[0].event {
            ProgrammeEvent::Incident { id, .. } => id.clone(),
            other => panic!("unexpected {other:?}"),
        }
    }

    fn run(
        &mut self,
        id: &IncidentId,
        by: &Principal,
        command: C,
        at: DateTime<Utc>,
    ) -> Result<Vec<ProgrammeEvent>, Rejection> {
        let outcome = self
            .service
            .execute(
                &Command::Incident {
                    id: id.clone(),
                    command,
                },
                by,
                at,
            )
            .unwrap();
        outcome.map(|v| v.into_iter().map(|r| r.event).collect())
    }

    fn incident(&self, id: &IncidentId) -> &Incident {
        &self.service.state().incidents()[id]
    }
}

fn ok(
    outcome: Result<crate::service::Outcome, crate::service::memory::Poisoned>,
) -> Vec<crate::service::Recorded> {
    outcome.unwrap().unwrap()
}

fn lot2() -> LotId {
    LotId::new("los-2-westfalen").unwrap()
}

fn names(events: &[ProgrammeEvent]) -> Vec<String> {
    events.iter().map(ProgrammeEvent::kind_name).collect()
}

#[test]
fn a_kreis_is_helped_from_report_to_settlement() {
    let mut w = World::new();
    // given the Kreis Olpe reports at t0 (Thursday 20:00)
    let id = w.report("05966", t0());
    assert_eq!(w.incident(&id).state(), IncidentState::Reported);
    // when the hotline triages it critical for lot 2 and dispatches 5 person-days
    w.run(
        &id,
        &coordinator(),
        C::Triage {
            severity: Severity::Critical,
            lot: lot2(),
        },
        t0() + min(5),
    )
    .unwrap();
    let dispatched = w
        .run(
            &id,
            &coordinator(),
            C::Dispatch {
                estimate: Estimate::PersonDays(dec!(5)),
            },
            t0() + min(10),
        )
        .unwrap();
    // then 5 × 8 h × 160 EUR are reserved and the first-ranked provider gets the call-off
    assert!(names(&dispatched).contains(&"incident.dispatched".to_string()));
    let i = w.incident(&id);
    assert_eq!(i.provider, Some(ProviderId::new("westfalen-cert").unwrap()));
    let ledger = w.service.state().ledger();
    assert_eq!(
        ledger.balance(&LimitKey::Lot(lot2())).unwrap().reserved,
        Money::euro(6_400)
    );

    // when the first provider declines, the second gets it and accepts within the window
    w.run(
        &id,
        &provider("westfalen-cert"),
        C::Decline {
            reason: "no capacity tonight".into(),
        },
        t0() + min(20),
    )
    .unwrap();
    assert_eq!(
        w.incident(&id).provider,
        Some(ProviderId::new("ruhrschild").unwrap())
    );
    w.run(&id, &provider("ruhrschild"), C::Accept, t0() + min(50))
        .unwrap();
    w.run(
        &id,
        &provider("ruhrschild"),
        C::RecordFirstContact,
        t0() + min(70),
    )
    .unwrap();
    w.run(
        &id,
        &provider("ruhrschild"),
        C::RecordRemoteStart,
        t0() + min(90),
    )
    .unwrap();
    w.run(
        &id,
        &provider("ruhrschild"),
        C::RecordOnSiteArrival,
        t0() + min(600),
    )
    .unwrap();
    assert_eq!(w.incident(&id).state(), IncidentState::OnSite);
    let acceptance = w
        .incident(&id)
        .clock(
            &ProviderId::new("ruhrschild").unwrap(),
            crate::sla::WindowKind::Acceptance,
        )
        .unwrap();
    assert_eq!(acceptance.stage(), crate::sla::ClockStage::Met);

    // when the provider books 21:00–03:00 across midnight into the holiday (3 October)
    let role = RoleId::new("forensic_analyst").unwrap();
    let start = Berlin
        .with_ymd_and_hms(2025, 10, 2, 21, 0, 0)
        .unwrap()
        .with_timezone(&Utc);
    let submitted = w
        .run(
            &id,
            &provider("ruhrschild"),
            C::SubmitTimeEntry {
                role,
                start,
                end: start + TimeDelta::hours(6),
                description: "Forensik Domänencontroller".into(),
            },
            t0() + min(700),
        )
        .unwrap();
    // then 21–24 h are night (+25 %) and 0–3 h holiday (+100 %): 3×225 + 3×360 = 1755.00
    let amount = match submitted.last() {
        Some(ProgrammeEvent::Incident { event, .. }) => match &event.kind {
            IncidentEventKind::TimeEntrySubmitted { amount, .. } => *amount,
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    };
    assert_eq!(amount, Money::new(dec!(1755.00)).unwrap());
    // the body approves; it posts
    w.run(
        &id,
        &body("05966"),
        C::ApproveTimeEntry {
            entry: TimeEntryNo(1),
        },
        t0() + min(800),
    )
    .unwrap();
    assert_eq!(
        w.service
            .state()
            .ledger()
            .balance(&LimitKey::Contract)
            .unwrap()
            .posted,
        amount
    );
    w.run(&id, &provider("ruhrschild"), C::Contain, t0() + min(900))
        .unwrap();
    w.run(&id, &provider("ruhrschild"), C::Recover, t0() + min(2000))
        .unwrap();
    let closed = w
        .run(
            &id,
            &coordinator(),
            C::Close {
                final_report_ref: "AB-2025-117".into(),
            },
            t0() + min(3000),
        )
        .unwrap();
    assert_eq!(w.incident(&id).state(), IncidentState::Closed);
    // then the remainder is released and nothing stays reserved
    let contract = w
        .service
        .state()
        .ledger()
        .balance(&LimitKey::Contract)
        .unwrap()
        .clone();
    assert_eq!(contract.reserved, Money::ZERO);
    assert_eq!(contract.posted, amount);
    assert_eq!(contract.released, Money::new(dec!(4645.00)).unwrap());
    assert!(names(&closed).contains(&"incident.closed".to_string()));
    assert!(w.service.state().ledger().invariant_violations().is_empty());

    // and the whole event stream is pinned
    let stream: Vec<_> = w
        .service
        .store()
        .read_after(0)
        .unwrap()
        .into_iter()
        .skip(2)
        .map(|r| r.event)
        .collect();
    insta::assert_yaml_snapshot!("realistic_scenario_event_stream", stream);
}

#[test]
fn a_missed_acceptance_window_cascades_and_is_a_breach_of_the_late_provider() {
    let mut w = World::new();
    let id = w.report("05970040", t0());
    w.run(
        &id,
        &coordinator(),
        C::Triage {
            severity: Severity::Critical,
            lot: lot2(),
        },
        t0(),
    )
    .unwrap();
    w.run(
        &id,
        &coordinator(),
        C::Dispatch {
            estimate: Estimate::PersonDays(dec!(2)),
        },
        t0(),
    )
    .unwrap();
    // the acceptance window is 60 min of 24x7 time
    assert_eq!(w.service.next_timeout(), Some(t0() + min(30)));
    // when the timer fires far too late (2 h later), both misses are handled in order
    let recorded = w.service.tick(t0() + min(125)).unwrap();
    let kinds: Vec<String> = recorded.iter().map(|r| r.event.kind_name()).collect();
    assert_eq!(
        kinds
            .iter()
            .filter(|k| *k == "incident.acceptance_window_missed")
            .count(),
        2
    );
    let i = w.incident(&id);
    assert_eq!(i.provider, Some(ProviderId::new("lippe-forensik").unwrap()));
    assert_eq!(i.offered_to.len(), 3);
    let first = i
        .clock(
            &ProviderId::new("westfalen-cert").unwrap(),
            crate::sla::WindowKind::Acceptance,
        )
        .unwrap();
    assert_eq!(first.breached_at(), Some(t0() + min(60)));
    let second = i
        .clock(
            &ProviderId::new("ruhrschild").unwrap(),
            crate::sla::WindowKind::Acceptance,
        )
        .unwrap();
    assert_eq!(second.breached_at(), Some(t0() + min(120)));
    // and a tick at the same instant records nothing twice
    assert!(w.service.tick(t0() + min(125)).unwrap().is_empty());
}

#[test]
fn the_last_provider_missing_its_window_leaves_the_incident_unserved() {
    let mut w = World::new();
    let id = w.report("05970040", t0());
    w.run(
        &id,
        &coordinator(),
        C::Triage {
            severity: Severity::Critical,
            lot: lot2(),
        },
        t0(),
    )
    .unwrap();
    w.run(
        &id,
        &coordinator(),
        C::Dispatch {
            estimate: Estimate::Amount(Money::euro(1000)),
        },
        t0(),
    )
    .unwrap();
    w.service.tick(t0() + TimeDelta::hours(10)).unwrap();
    assert_eq!(w.incident(&id).state(), IncidentState::Unserved);
    // the coordinator dispatches again; the reservation is kept
    w.run(
        &id,
        &coordinator(),
        C::Dispatch {
            estimate: Estimate::Amount(Money::euro(1000)),
        },
        t0() + TimeDelta::hours(11),
    )
    .unwrap();
    assert_eq!(w.incident(&id).state(), IncidentState::Dispatched);
    assert_eq!(
        w.service
            .state()
            .ledger()
            .balance(&LimitKey::Contract)
            .unwrap()
            .reserved,
        Money::euro(1000)
    );
}

#[test]
fn an_ineligible_body_is_rejected_at_triage_with_every_reason() {
    let mut w = World::new();
    let id = w.report("NETZ-FIKTIV", t0());
    let events = w
        .run(
            &id,
            &coordinator(),
            C::Triage {
                severity: Severity::High,
                lot: LotId::new("los-1-rheinland").unwrap(),
            },
            t0(),
        )
        .unwrap();
    assert_eq!(w.incident(&id).state(), IncidentState::Rejected);
    assert_eq!(w.incident(&id).rejection_reasons.len(), 2, "{events:?}");
}

#[test]
fn a_body_sees_only_its_own_incidents_and_a_provider_only_what_it_was_offered() {
    let mut w = World::new();
    let id = w.report("05966", t0());
    let err = w
        .run(
            &id,
            &body("05970040"),
            C::Withdraw { reason: "x".into() },
            t0(),
        )
        .unwrap_err();
    assert_eq!(err, Rejection::Incident(IncidentRejection::NotFound));
    let err = w
        .run(&id, &provider("ruhrschild"), C::Accept, t0())
        .unwrap_err();
    assert_eq!(err, Rejection::Incident(IncidentRejection::NotFound));
    // a body may not triage its own incident
    let err = w
        .run(
            &id,
            &body("05966"),
            C::Triage {
                severity: Severity::Low,
                lot: lot2(),
            },
            t0(),
        )
        .unwrap_err();
    assert!(
        matches!(
            err,
            Rejection::Incident(IncidentRejection::Forbidden { .. })
        ),
        "{err:?}"
    );
    // a body may not report for another body
    let report = Report {
        body: "05966".into(),
        title: "x".into(),
        description: String::new(),
        category: IncidentCategory::Other,
        aware_at: t0(),
        affected_services: vec![],
        personal_data: false,
        nis2: Nis2Class::None,
        on_site_needed: false,
    };
    let outcome = w
        .service
        .execute(&Command::Report(report), &body("05970040"), t0())
        .unwrap();
    assert!(matches!(
        outcome,
        Err(Rejection::Incident(IncidentRejection::Forbidden { .. }))
    ));
}

#[test]
fn a_call_off_above_its_cap_is_refused_and_nothing_is_recorded() {
    let mut w = World::new();
    let id = w.report("05966", t0());
    w.run(
        &id,
        &coordinator(),
        C::Triage {
            severity: Severity::High,
            lot: lot2(),
        },
        t0(),
    )
    .unwrap();
    let before = w.service.position();
    let err = w
        .run(
            &id,
            &coordinator(),
            C::Dispatch {
                estimate: Estimate::Amount(Money::euro(80_000)),
            },
            t0(),
        )
        .unwrap_err();
    assert!(
        matches!(
            err,
            Rejection::Incident(IncidentRejection::Ledger(
                LedgerRejection::LimitExceeded { .. }
            ))
        ),
        "{err:?}"
    );
    assert_eq!(w.service.position(), before);
    assert_eq!(w.incident(&id).state(), IncidentState::Triaged);
}

#[test]
fn a_reservation_above_the_approval_threshold_waits_for_the_coordinator() {
    let mut w = World::new();
    let id = w.report("05966", t0());
    w.run(
        &id,
        &coordinator(),
        C::Triage {
            severity: Severity::High,
            lot: lot2(),
        },
        t0(),
    )
    .unwrap();
    w.run(
        &id,
        &coordinator(),
        C::Dispatch {
            estimate: Estimate::Amount(Money::euro(50_000)),
        },
        t0(),
    )
    .unwrap();
    assert_eq!(w.incident(&id).state(), IncidentState::Triaged);
    let err = w
        .run(&id, &body("05966"), C::ApproveReservation, t0())
        .unwrap_err();
    assert!(matches!(
        err,
        Rejection::Incident(IncidentRejection::Forbidden { .. })
    ));
    w.run(&id, &coordinator(), C::ApproveReservation, t0() + min(5))
        .unwrap();
    assert_eq!(w.incident(&id).state(), IncidentState::Dispatched);
}

#[test]
fn waiting_for_the_body_pauses_the_pausable_clocks() {
    let mut w = World::new();
    let id = w.report("05966", t0());
    w.run(
        &id,
        &coordinator(),
        C::Triage {
            severity: Severity::Critical,
            lot: lot2(),
        },
        t0(),
    )
    .unwrap();
    w.run(
        &id,
        &coordinator(),
        C::Dispatch {
            estimate: Estimate::PersonDays(dec!(1)),
        },
        t0(),
    )
    .unwrap();
    let p = provider("westfalen-cert");
    w.run(&id, &p, C::Accept, t0() + min(10)).unwrap();
    w.run(
        &id,
        &p,
        C::WaitForBody {
            reason: "VPN-Zugang fehlt".into(),
        },
        t0() + min(20),
    )
    .unwrap();
    let pid = ProviderId::new("westfalen-cert").unwrap();
    let on_site = w
        .incident(&id)
        .clock(&pid, crate::sla::WindowKind::OnSite)
        .unwrap();
    assert_eq!(on_site.stage(), crate::sla::ClockStage::Paused);
    let first_contact = w
        .incident(&id)
        .clock(&pid, crate::sla::WindowKind::FirstContact)
        .unwrap();
    assert_eq!(first_contact.stage(), crate::sla::ClockStage::Running);
    w.run(&id, &body("05966"), C::ResumeFromBody, t0() + min(80))
        .unwrap();
    let on_site = w
        .incident(&id)
        .clock(&pid, crate::sla::WindowKind::OnSite)
        .unwrap();
    assert_eq!(on_site.stage(), crate::sla::ClockStage::Running);
    // 60 min paused: the 24 h on-site deadline moved by one hour
    let status = on_site
        .status(t0() + min(80), w.service.state().calendars())
        .unwrap();
    assert_eq!(status.deadline, Some(t0() + TimeDelta::hours(25)));
}

#[test]
fn replaying_the_log_reproduces_the_state() {
    let mut w = World::new();
    let id = w.report("05966", t0());
    w.run(
        &id,
        &coordinator(),
        C::Triage {
            severity: Severity::Critical,
            lot: lot2(),
        },
        t0(),
    )
    .unwrap();
    w.run(
        &id,
        &coordinator(),
        C::Dispatch {
            estimate: Estimate::PersonDays(dec!(3)),
        },
        t0(),
    )
    .unwrap();
    w.service.tick(t0() + TimeDelta::hours(3)).unwrap();
    let events = w.service.store().read_after(0).unwrap();
    let mut replayed = Programme::new();
    for r in &events {
        replayed.apply(&r.event);
    }
    assert_eq!(replayed.incidents(), w.service.state().incidents());
    assert_eq!(replayed.ledger(), w.service.state().ledger());
}

#[test]
fn a_dispatch_starts_its_clocks_in_one_event_and_old_logs_replay_to_the_same_clocks() {
    let mut w = World::new();
    let id = w.report("05966", t0());
    let triage = C::Triage {
        severity: Severity::Critical,
        lot: lot2(),
    };
    w.run(&id, &coordinator(), triage, t0()).unwrap();
    let dispatch = C::Dispatch {
        estimate: Estimate::PersonDays(dec!(3)),
    };
    let events = w.run(&id, &coordinator(), dispatch, t0()).unwrap();
    assert_eq!(
        names(&events),
        [
            "incident.ledger",
            "incident.dispatched",
            "incident.sla_started"
        ]
    );
    // the same clocks as the log held them before: one `sla` event per started clock
    let mut old_log = Vec::new();
    for r in w.service.store().read_after(0).unwrap() {
        match r.event {
            ProgrammeEvent::Incident { id, event } => match &event.kind {
                IncidentEventKind::SlaStarted { provider, clocks } => {
                    old_log.extend(clocks.iter().map(|c| ProgrammeEvent::Incident {
                        id: id.clone(),
                        event: IncidentEvent {
                            kind: IncidentEventKind::Sla {
                                window: c.window,
                                provider: provider.clone(),
                                event: c.event(),
                            },
                            ..event.clone()
                        },
                    }));
                }
                _ => old_log.push(ProgrammeEvent::Incident { id, event }),
            },
            other => old_log.push(other),
        }
    }
    let mut replayed = Programme::new();
    for event in &old_log {
        replayed.apply(event);
    }
    let now = w.incident(&id);
    let old = &replayed.incidents()[&id];
    // on-site help was requested: four windows, all running with the same deadlines
    assert_eq!(now.clocks.len(), 4);
    assert_eq!(old.clocks, now.clocks);
    assert!(
        now.clocks
            .iter()
            .all(|c| c.clock.stage() == crate::sla::ClockStage::Running)
    );
}
