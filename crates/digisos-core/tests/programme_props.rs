//! Property test of the whole programme as a state machine: random command sequences from
//! several bodies and providers, random timer firings and amounts. After every step the
//! ledger invariants hold (no limit exceeded, posted ≤ reserved, nothing negative), every
//! incident is in a state of the lifecycle graph, and at the end a replay of the log
//! reproduces the same state — also from a snapshot taken at any position plus the tail.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use digisos_core::contract::ContractSpec;
use digisos_core::duties::Nis2Class;
use digisos_core::ids::{LotId, ProviderId, RoleId};
use digisos_core::incident::{
    Estimate, IncidentCategory, IncidentCommand as C, IncidentId, IncidentState, Report,
    TimeEntryNo,
};
use digisos_core::ledger::LimitKey;
use digisos_core::money::Money;
use digisos_core::principal::Principal;
use digisos_core::programme::{Command, Programme};
use digisos_core::service::{MemoryStore, Service, Store};
use digisos_core::sla::Severity;
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::sync::OnceLock;

const CONTRACT: &str = include_str!("../../../examples/nrw/contract.toml");
const REGISTER: &[u8] = include_bytes!("../../../examples/nrw/register.csv");
const BODIES: [&str; 5] = ["05966", "05970040", "05970004", "LWL", "NETZ-FIKTIV"];
const PROVIDERS: [&str; 4] = [
    "westfalen-cert",
    "ruhrschild",
    "lippe-forensik",
    "rheinwacht",
];

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 10, 2, 18, 0, 0).unwrap()
}

/// The example contract with small limits (so that random amounts hit them often) and
/// the example register, as the two commands that set up every case.
fn setup() -> &'static [Command; 2] {
    static SETUP: OnceLock<[Command; 2]> = OnceLock::new();
    SETUP.get_or_init(|| {
        let mut spec: ContractSpec = toml::from_str(CONTRACT).unwrap();
        spec.maximum_value = Decimal::from(140_000);
        spec.estimated_value = Decimal::from(100_000);
        spec.limits.per_body_year = Some(Decimal::from(60_000));
        for lot in &mut spec.lots {
            lot.ceiling = Some(Decimal::from(70_000));
            lot.limits.per_call_off = Some(Decimal::from(45_000));
            lot.limits.approval_threshold = Some(Decimal::from(30_000));
        }
        [
            Command::AdoptContract(Box::new(spec)),
            Command::ImportRegister {
                source: "register.csv".into(),
                import: digisos_core::register::csv::parse(REGISTER).unwrap(),
            },
        ]
    })
}

#[derive(Debug, Clone)]
enum Op {
    Report(usize),
    Triage(usize, u8),
    Dispatch(usize, u32),
    Accept(usize),
    Decline(usize),
    Milestone(usize, u8),
    Wait(usize, bool),
    Time(usize, u8),
    Approve(usize, u8),
    Amend(usize, u32),
    ApproveMoney(usize),
    End(usize, u8),
    Tick(u16),
    Stranger(usize, usize, u8),
}

fn op() -> impl Strategy<Value = Op> {
    let i = 0usize..6;
    prop_oneof![
        3 => (0usize..BODIES.len()).prop_map(Op::Report),
        3 => (i.clone(), 0u8..8).prop_map(|(i, s)| Op::Triage(i, s)),
        3 => (i.clone(), 1u32..60_000).prop_map(|(i, a)| Op::Dispatch(i, a)),
        2 => i.clone().prop_map(Op::Accept),
        1 => i.clone().prop_map(Op::Decline),
        2 => (i.clone(), 0u8..5).prop_map(|(i, m)| Op::Milestone(i, m)),
        1 => (i.clone(), any::<bool>()).prop_map(|(i, w)| Op::Wait(i, w)),
        2 => (i.clone(), 1u8..20).prop_map(|(i, h)| Op::Time(i, h)),
        2 => (i.clone(), 1u8..4).prop_map(|(i, n)| Op::Approve(i, n)),
        1 => (i.clone(), 1u32..60_000).prop_map(|(i, a)| Op::Amend(i, a)),
        1 => i.clone().prop_map(Op::ApproveMoney),
        1 => (i.clone(), 0u8..3).prop_map(|(i, k)| Op::End(i, k)),
        2 => (1u16..600).prop_map(Op::Tick),
        1 => (i, 0usize..BODIES.len(), 0u8..4).prop_map(|(i, b, p)| Op::Stranger(i, b, p)),
    ]
}

struct Run {
    service: Service<MemoryStore>,
    now: DateTime<Utc>,
}

impl Run {
    fn id(&self, i: usize) -> Option<IncidentId> {
        let n = self.service.state().incidents().len();
        (n > 0).then(|| IncidentId::from_number((i % n) as u64 + 1))
    }

    fn holder(&self, id: &IncidentId) -> Principal {
        let p = self.service.state().incidents()[id].provider.clone();
        p.map_or_else(Principal::coordinator, Principal::provider)
    }

    fn body_of(&self, id: &IncidentId) -> Principal {
        Principal::body(self.service.state().incidents()[id].body.clone()).unwrap()
    }

    fn on(&mut self, i: usize, make: impl Fn(&Run, &IncidentId) -> (Principal, C)) {
        if let Some(id) = self.id(i) {
            let (by, command) = make(self, &id);
            let _ = self
                .service
                .execute(&Command::Incident { id, command }, &by, self.now)
                .unwrap();
        }
    }

    fn step(&mut self, op: &Op) {
        self.now += TimeDelta::minutes(7);
        let coordinator = Principal::coordinator();
        match op.clone() {
            Op::Report(b) => {
                let report = Report {
                    body: BODIES[b].into(),
                    title: "Angriff".into(),
                    description: String::new(),
                    category: IncidentCategory::Ransomware,
                    aware_at: self.now - TimeDelta::hours(1),
                    affected_services: vec![],
                    personal_data: b % 2 == 0,
                    nis2: if b == 3 {
                        Nis2Class::Important
                    } else {
                        Nis2Class::None
                    },
                    on_site_needed: b % 2 == 1,
                };
                let _ = self
                    .service
                    .execute(&Command::Report(report), &coordinator, self.now)
                    .unwrap();
            }
            Op::Triage(i, s) => self.on(i, |_, _| {
                let severity = [
                    Severity::Low,
                    Severity::Medium,
                    Severity::High,
                    Severity::Critical,
                ][usize::from(s % 4)];
                let lot = if s < 6 {
                    "los-2-westfalen"
                } else {
                    "los-1-rheinland"
                };
                (
                    Principal::coordinator(),
                    C::Triage {
                        severity,
                        lot: LotId::new(lot).unwrap(),
                    },
                )
            }),
            Op::Dispatch(i, a) => self.on(i, |_, _| {
                let estimate = if a % 3 == 0 {
                    Estimate::PersonDays(Decimal::from(a % 50))
                } else {
                    Estimate::Amount(Money::euro(u64::from(a)))
                };
                (Principal::coordinator(), C::Dispatch { estimate })
            }),
            Op::Accept(i) => self.on(i, |r, id| (r.holder(id), C::Accept)),
            Op::Decline(i) => self.on(i, |r, id| {
                (
                    r.holder(id),
                    C::Decline {
                        reason: "busy".into(),
                    },
                )
            }),
            Op::Milestone(i, m) => self.on(i, |r, id| {
                let command = [
                    C::RecordFirstContact,
                    C::RecordRemoteStart,
                    C::RecordOnSiteArrival,
                    C::Contain,
                    C::Recover,
                ][usize::from(m)]
                .clone();
                (r.holder(id), command)
            }),
            Op::Wait(i, w) => self.on(i, |r, id| {
                (
                    r.holder(id),
                    if w {
                        C::WaitForBody {
                            reason: "VPN".into(),
                        }
                    } else {
                        C::ResumeFromBody
                    },
                )
            }),
            Op::Time(i, h) => {
                let end = self.now - TimeDelta::minutes(1);
                self.on(i, |r, id| {
                    let start = end - TimeDelta::hours(i64::from(h));
                    (
                        r.holder(id),
                        C::SubmitTimeEntry {
                            role: RoleId::new("forensic_analyst").unwrap(),
                            start,
                            end,
                            description: "Analyse".into(),
                        },
                    )
                });
            }
            Op::Approve(i, n) => self.on(i, |r, id| {
                (
                    r.body_of(id),
                    C::ApproveTimeEntry {
                        entry: TimeEntryNo(u32::from(n)),
                    },
                )
            }),
            Op::Amend(i, a) => self.on(i, |r, id| {
                (
                    r.holder(id),
                    C::Amend {
                        estimate: Estimate::Amount(Money::euro(u64::from(a))),
                        reason: "more work".into(),
                    },
                )
            }),
            Op::ApproveMoney(i) => {
                self.on(i, |_, _| (Principal::coordinator(), C::ApproveReservation));
                self.on(i, |_, _| (Principal::coordinator(), C::ApproveAmendment));
            }
            Op::End(i, k) => self.on(i, |r, id| match k {
                0 => (
                    Principal::coordinator(),
                    C::Close {
                        final_report_ref: "AB-1".into(),
                    },
                ),
                1 => (
                    r.body_of(id),
                    C::Withdraw {
                        reason: "selbst gelöst".into(),
                    },
                ),
                _ => (
                    Principal::coordinator(),
                    C::Cancel {
                        reason: "Fehlalarm".into(),
                    },
                ),
            }),
            Op::Tick(m) => {
                self.now += TimeDelta::minutes(i64::from(m));
                self.service.tick(self.now).unwrap();
            }
            Op::Stranger(i, b, p) => self.on(i, |_, _| {
                let by = if p < 2 {
                    Principal::body(BODIES[b]).unwrap()
                } else {
                    Principal::provider(ProviderId::new(PROVIDERS[usize::from(p)]).unwrap())
                };
                (by, C::Accept)
            }),
        }
    }

    fn check(&self) -> Result<(), TestCaseError> {
        let state = self.service.state();
        let violations = state.ledger().invariant_violations();
        prop_assert!(violations.is_empty(), "{violations:?}");
        if let (Some(c), Some(b)) = (
            state.contract(),
            state.ledger().balance(&LimitKey::Contract),
        ) {
            prop_assert!(b.used() <= c.maximum_value);
        }
        for i in state.incidents().values() {
            prop_assert!(IncidentState::ALL.contains(&i.state()));
            if let Some(co) = &i.call_off
                && let Some(r) = state.ledger().reservation(co)
            {
                prop_assert!(r.posted <= r.amount.max(r.posted), "posted above reserved");
                prop_assert_eq!(i.posted(), r.posted);
            }
        }
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        // CI runs 4,000 cases (DIGISOS_STATE_MACHINE_CASES in .ci/run); locally 500.
        cases: std::env::var("DIGISOS_STATE_MACHINE_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(500),
        max_shrink_iters: 2_000,
        ..ProptestConfig::default()
    })]

    #[test]
    fn invariants_hold_and_replay_reproduces_the_state(
        ops in prop::collection::vec(op(), 1..30),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut service = Service::open(MemoryStore::new()).unwrap();
        let at = t0() - TimeDelta::days(1);
        for command in setup() {
            service.execute(command, &Principal::coordinator(), at).unwrap().unwrap();
        }
        let mut run = Run { service, now: t0() };
        for op in &ops {
            run.step(op);
            run.check()?;
        }
        let log = run.service.store().read_after(0).unwrap();
        let mut replayed = Programme::new();
        for r in &log {
            replayed.apply(&r.event);
        }
        prop_assert_eq!(replayed.incidents(), run.service.state().incidents());
        prop_assert_eq!(replayed.ledger(), run.service.state().ledger());
        prop_assert_eq!(&replayed, run.service.state());

        // a snapshot taken anywhere, written and read back, plus the tail = the full replay
        let cut = cut.index(log.len() + 1);
        let mut head = Programme::new();
        for r in &log[..cut] {
            head.apply(&r.event);
        }
        let text = serde_json::to_string(&head).unwrap();
        let mut restored: Programme = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(&restored, &head);
        for r in &log[cut..] {
            restored.apply(&r.event);
        }
        prop_assert_eq!(&restored, &replayed);

        // the same through the store's encoding: the head as JSON, the bulk as postcard
        let head_text = serde_json::to_string(&head.snapshot_head()).unwrap();
        let bulk_bytes = postcard::to_stdvec(&head.snapshot_bulk()).unwrap();
        let mut restored = Programme::from_snapshot(
            serde_json::from_str(&head_text).unwrap(),
            postcard::from_bytes(&bulk_bytes).unwrap(),
        )
        .unwrap();
        prop_assert_eq!(&restored, &head);
        for r in &log[cut..] {
            restored.apply(&r.event);
        }
        prop_assert_eq!(&restored, &replayed);
    }
}
