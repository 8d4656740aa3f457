//! The ledger invariant through the domain service: threads with their own
//! `Service<ProgrammeLog>` race to dispatch call-offs against a nearly exhausted lot —
//! on one SQLite file, and as two instances on one PostgreSQL schema. Exactly as many
//! call-offs win as the remaining budget allows; the rest are refused by the ledger.
//!
//! PostgreSQL: `DIGISOS_TEST_POSTGRES_URL` (fresh schema per test, dropped afterwards);
//! with `DIGISOS_REQUIRE_POSTGRES=1` a missing server is a failure.

#![allow(clippy::unwrap_used)]

use chrono::{DateTime, TimeZone, Utc};
use digisos_core::contract::ContractSpec;
use digisos_core::duties::Nis2Class;
use digisos_core::ids::LotId;
use digisos_core::incident::{
    Estimate, IncidentCategory, IncidentCommand, IncidentId, IncidentRejection, Report,
};
use digisos_core::ledger::{LedgerRejection, LimitKey};
use digisos_core::money::Money;
use digisos_core::principal::Principal;
use digisos_core::programme::{Command, ProgrammeEvent, Rejection};
use digisos_core::service::{Outcome, Service};
use digisos_store::ProgrammeLog;
use rust_decimal::Decimal;
use std::str::FromStr;
use std::sync::Mutex;

const CONTRACT: &str = include_str!("../../../examples/nrw/contract.toml");
const REGISTER: &[u8] = include_bytes!("../../../examples/nrw/register.csv");
/// Kreis Olpe (Regierungsbezirk Arnsberg): served by lot 2.
const BODY: &str = "05966";
const LOT: &str = "los-2-westfalen";
/// The lot's ceiling in this test.
const CEILING: &str = "100000.00";
/// Already reserved before the race: two call-offs of this amount (70,000.00).
const EARLIER: &str = "35000.00";
/// What every racing call-off asks for: 9 fit into the remaining 30,000.00 (0.03 stay free).
const ASK: &str = "3333.33";
const FIT: usize = 9;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 10, 6, 9, 0, 0).unwrap()
}

fn money(s: &str) -> Money {
    Money::new(Decimal::from_str(s).unwrap()).unwrap()
}

fn lot() -> LotId {
    LotId::new(LOT).unwrap()
}

/// The example contract with lot 2's ceiling lowered to [`CEILING`].
fn spec() -> ContractSpec {
    let mut doc: toml::Table = toml::from_str(CONTRACT).unwrap();
    let lots = doc.get_mut("lots").unwrap().as_array_mut().unwrap();
    let lot2 = lots
        .iter_mut()
        .find(|l| l.get("id").and_then(|v| v.as_str()) == Some(LOT))
        .unwrap();
    lot2.as_table_mut()
        .unwrap()
        .insert("ceiling".into(), CEILING.into());
    toml::Value::Table(doc).try_into().unwrap()
}

fn report() -> Command {
    Command::Report(Report {
        body: BODY.into(),
        title: "Ransomware im Kreishaus".into(),
        description: "Fileserver verschlüsselt".into(),
        category: IncidentCategory::Ransomware,
        aware_at: t0(),
        affected_services: vec!["E-Mail".into()],
        personal_data: false,
        nis2: Nis2Class::None,
        on_site_needed: false,
    })
}

fn on(id: &IncidentId, command: IncidentCommand) -> Command {
    Command::Incident {
        id: id.clone(),
        command,
    }
}

/// Runs one command through some service.
type Exec<'a> = dyn FnMut(&Command) -> Outcome + 'a;

/// Runs `command` on `service` as the coordinator at `t0`.
fn run(service: &mut Service<ProgrammeLog>, command: &Command) -> Outcome {
    service
        .execute(command, &Principal::coordinator(), t0())
        .unwrap()
}

/// Reports, triages and dispatches one call-off of `amount`; the dispatch's outcome.
fn call_off(exec: &mut Exec<'_>, amount: &str) -> Result<(), Rejection> {
    let reported = exec(&report()).unwrap();
    let id = match &reported[0].event {
        ProgrammeEvent::Incident { id, .. } => id.clone(),
        other => panic!("unexpected first event {other:?}"),
    };
    let triage = IncidentCommand::Triage {
        severity: digisos_core::sla::Severity::High,
        lot: lot(),
    };
    exec(&on(&id, triage)).unwrap();
    let dispatch = IncidentCommand::Dispatch {
        estimate: Estimate::Amount(money(amount)),
    };
    exec(&on(&id, dispatch)).map(|_| ())
}

/// Adopts the contract, imports the register and reserves the two earlier call-offs.
fn set_up(url: &str) {
    let mut service = Service::open(ProgrammeLog::open(url).unwrap()).unwrap();
    let by = Principal::coordinator();
    service
        .execute(&Command::AdoptContract(Box::new(spec())), &by, t0())
        .unwrap()
        .unwrap();
    let import = digisos_core::register::csv::parse(REGISTER).unwrap();
    let command = Command::ImportRegister {
        source: "register.csv".into(),
        import,
    };
    service.execute(&command, &by, t0()).unwrap().unwrap();
    for _ in 0..2 {
        call_off(&mut |c| run(&mut service, c), EARLIER).unwrap();
    }
}

fn is_lot_limit(rejection: &Rejection) -> bool {
    matches!(
        rejection,
        Rejection::Incident(IncidentRejection::Ledger(LedgerRejection::LimitExceeded {
            limit: LimitKey::Lot(l),
            ..
        })) if *l == lot()
    )
}

/// Tallies the outcomes of every racing call-off and checks a fresh replay of the log.
fn check(url: &str, outcomes: Vec<Result<(), Rejection>>) {
    let won = outcomes.iter().filter(|o| o.is_ok()).count();
    for o in &outcomes {
        if let Err(r) = o {
            assert!(is_lot_limit(r), "refused for another reason: {r}");
        }
    }
    assert_eq!(won, FIT, "exactly the call-offs that fit win");
    let service = Service::open(ProgrammeLog::open(url).unwrap()).unwrap();
    let ledger = service.state().ledger();
    assert!(
        ledger.invariant_violations().is_empty(),
        "{:?}",
        ledger.invariant_violations()
    );
    let expected = (money(EARLIER).amount() * Decimal::from(2)
        + money(ASK).amount() * Decimal::from(FIT as u64))
    .to_string();
    assert_eq!(expected, "99999.97");
    for key in [LimitKey::Lot(lot()), LimitKey::Contract] {
        let balance = ledger.balance(&key).unwrap();
        assert_eq!(balance.reserved, money(&expected), "{key}");
        assert_eq!(balance.posted, Money::ZERO, "{key}");
    }
    assert_eq!(
        ledger.balance(&LimitKey::Lot(lot())).unwrap().remaining(),
        Some(money("0.03"))
    );
    assert_eq!(ledger.reservations().count(), 2 + FIT);
    assert_eq!(service.state().incidents().len(), 2 + outcomes.len());
    assert!(service.store().log().verify().unwrap().is_intact());
}

#[test]
fn sqlite_threads_with_their_own_service_never_overspend_a_lot() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("digisos.db").display());
    set_up(&url);
    let outcomes: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..6)
            .map(|_| {
                let url = url.as_str();
                s.spawn(move || {
                    let mut service = Service::open(ProgrammeLog::open(url).unwrap()).unwrap();
                    (0..3)
                        .map(|_| call_off(&mut |c| run(&mut service, c), ASK))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert_eq!(outcomes.len(), 18);
    check(&url, outcomes);
}

/// A fresh schema on the configured server, dropped on drop.
struct PgSchema {
    base: String,
    schema: String,
}

impl PgSchema {
    fn new() -> Option<PgSchema> {
        let required = std::env::var("DIGISOS_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
        let Ok(base) = std::env::var("DIGISOS_TEST_POSTGRES_URL") else {
            assert!(!required, "DIGISOS_REQUIRE_POSTGRES=1 but no URL is set");
            eprintln!("note: DIGISOS_TEST_POSTGRES_URL is not set; skipping");
            return None;
        };
        let schema = format!("digisos_svc_{:016x}", fastrand::u64(..));
        Some(PgSchema { base, schema })
    }

    fn url(&self) -> String {
        let sep = if self.base.contains('?') { '&' } else { '?' };
        format!("{}{sep}schema={}", self.base, self.schema)
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&self.base, postgres::NoTls) {
            let sql = format!("DROP SCHEMA IF EXISTS \"{}\" CASCADE", self.schema);
            if let Err(e) = c.batch_execute(&sql) {
                eprintln!("could not drop {}: {e}", self.schema);
            }
        }
    }
}

#[test]
fn two_postgres_instances_with_several_threads_never_overspend_a_lot() {
    let Some(pg) = PgSchema::new() else { return };
    let url = pg.url();
    set_up(&url);
    // Two "servers", each one service over its own connection, shared by 4 threads.
    let instances: Vec<Mutex<Service<ProgrammeLog>>> = (0..2)
        .map(|_| Mutex::new(Service::open(ProgrammeLog::open(&url).unwrap()).unwrap()))
        .collect();
    let outcomes: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let instance = &instances[i % 2];
                s.spawn(move || {
                    (0..2)
                        .map(|_| call_off(&mut |c| run(&mut instance.lock().unwrap(), c), ASK))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert_eq!(outcomes.len(), 16);
    check(&url, outcomes);
}
