//! Benchmark of the programme's decide+apply for a dispatch (a call-off reserved against
//! every limit: contract maximum, lot ceiling, body per year, per call-off cap, approval
//! threshold) on a programme with 10,000 existing incidents, plus the timer scan a
//! service runs once per batch (`next_timeout`, `handle_timeout`).
//! Run with `cargo bench -p digisos-core --bench programme`; results go to `BENCHMARKS.md`.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use digisos_core::contract::ContractSpec;
use digisos_core::duties::Nis2Class;
use digisos_core::ids::LotId;
use digisos_core::incident::{Estimate, IncidentCategory, IncidentCommand, IncidentId, Report};
use digisos_core::principal::Principal;
use digisos_core::programme::{Command, Programme};
use digisos_core::sla::Severity;
use rust_decimal::Decimal;
use std::hint::black_box;
use std::time::{Duration, Instant};

const CONTRACT: &str = include_str!("../../../examples/nrw/contract.toml");
const REGISTER: &[u8] = include_bytes!("../../../examples/nrw/register.csv");
const EXISTING: usize = 10_000;
/// Incidents a measurement may add before the programme is reset to its 10,000.
const GROWTH: usize = 1_000;
const BODIES: [(&str, &str); 6] = [
    ("05966", "los-2-westfalen"),
    ("05970040", "los-2-westfalen"),
    ("05913000", "los-2-westfalen"),
    ("05315000", "los-1-rheinland"),
    ("05111000", "los-1-rheinland"),
    ("05334002", "los-1-rheinland"),
];

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 10, 6, 8, 0, 0)
        .single()
        .expect("valid t0")
}

fn run(p: &mut Programme, command: &Command, by: &Principal, now: DateTime<Utc>) {
    let events = p.decide(command, by, now).expect("command accepted");
    for e in &events {
        p.apply(e);
    }
}

/// The example contract with limits far beyond the run (every limit is still checked).
fn contract() -> ContractSpec {
    let mut spec: ContractSpec = toml::from_str(CONTRACT).expect("example contract");
    spec.maximum_value = Decimal::from(9_000_000_000_000_i64);
    spec.estimated_value = spec.maximum_value;
    spec.limits.per_body_year = Some(Decimal::from(900_000_000_000_i64));
    for lot in &mut spec.lots {
        lot.ceiling = Some(Decimal::from(900_000_000_000_i64));
    }
    spec
}

/// Reports and triages incident number `n` (1-based) at `now`; returns its id.
fn report_and_triage(p: &mut Programme, n: usize, now: DateTime<Utc>) -> IncidentId {
    let (body, lot) = BODIES[n % BODIES.len()];
    let report = Report {
        body: body.into(),
        title: format!("Vorfall {n}"),
        description: "Verschlüsselte Fachverfahren".into(),
        category: IncidentCategory::Ransomware,
        aware_at: now - TimeDelta::minutes(30),
        affected_services: vec!["Meldewesen".into()],
        personal_data: n.is_multiple_of(2),
        nis2: Nis2Class::None,
        on_site_needed: n.is_multiple_of(3),
    };
    let coordinator = Principal::coordinator();
    run(p, &Command::Report(report), &coordinator, now);
    let id = IncidentId::from_number(p.incidents().len() as u64);
    let triage = IncidentCommand::Triage {
        severity: Severity::High,
        lot: LotId::new(lot).expect("lot id"),
    };
    let command = Command::Incident {
        id: id.clone(),
        command: triage,
    };
    run(p, &command, &coordinator, now);
    id
}

fn dispatch(id: &IncidentId) -> Command {
    Command::Incident {
        id: id.clone(),
        command: IncidentCommand::Dispatch {
            estimate: Estimate::PersonDays(Decimal::from(3)),
        },
    }
}

/// The contract, the register and 10,000 dispatched incidents (SLA clocks running,
/// reservations held), one per simulated minute.
fn programme() -> Programme {
    let mut p = Programme::new();
    let coordinator = Principal::coordinator();
    let import = digisos_core::register::csv::parse(REGISTER).expect("example register");
    let setup = [
        Command::AdoptContract(Box::new(contract())),
        Command::ImportRegister {
            source: "register.csv".into(),
            import,
        },
    ];
    for c in &setup {
        run(&mut p, c, &coordinator, t0() - TimeDelta::days(1));
    }
    for n in 0..EXISTING {
        let now = t0() + TimeDelta::seconds(n as i64);
        let id = report_and_triage(&mut p, n, now);
        run(&mut p, &dispatch(&id), &coordinator, now);
    }
    p
}

fn bench(c: &mut Criterion) {
    let base = programme();
    let now = t0() + TimeDelta::seconds(EXISTING as i64);
    let coordinator = Principal::coordinator();

    let mut group = c.benchmark_group("programme with 10,000 incidents");
    group.throughput(Throughput::Elements(1));
    group.bench_function("dispatch: decide + apply", |b| {
        b.iter_custom(|iters| {
            let mut p = base.clone();
            let mut added = 0;
            let mut took = Duration::ZERO;
            for _ in 0..iters {
                if added == GROWTH {
                    p = base.clone();
                    added = 0;
                }
                let id = report_and_triage(&mut p, added, now);
                added += 1;
                let command = dispatch(&id);
                let start = Instant::now();
                let events = p.decide(&command, &coordinator, now).expect("dispatched");
                for e in &events {
                    p.apply(e);
                }
                took += start.elapsed();
                black_box(&p);
            }
            took
        });
    });
    assert!(base.handle_timeout(t0()).is_empty(), "nothing due at t0");
    group.bench_function("timers: next_timeout", |b| {
        b.iter(|| black_box(base.next_timeout()));
    });
    group.bench_function("timers: handle_timeout (nothing due)", |b| {
        b.iter(|| black_box(base.handle_timeout(t0())));
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(4));
    targets = bench
}
criterion_main!(benches);
