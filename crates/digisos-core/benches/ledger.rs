//! Benchmark of the ledger's decide+apply on a contract with 10,000 existing call-offs.
//! Run with `cargo bench -p digisos-core --bench ledger`; results go to `BENCHMARKS.md`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use digisos_core::ids::LotId;
use digisos_core::ledger::{CallOffId, EntryId, Ledger, LedgerCommand, Limits};
use digisos_core::money::Money;
use std::hint::black_box;

const EXISTING: u32 = 10_000;
const BODIES: [&str; 4] = ["05315000", "05334", "05111000", "LVR"];

fn lots() -> [LotId; 3] {
    ["los-1", "los-2", "los-3"].map(|l| LotId::new(l).expect("valid lot id"))
}

fn limits() -> Limits {
    let mut l = Limits::new(Money::euro(100_000_000_000));
    for lot in lots() {
        l.lot_ceilings.insert(lot, Money::euro(50_000_000_000));
    }
    l.body_year_cap = Some(Money::euro(40_000_000_000));
    l.call_off_cap = Some(Money::euro(250_000));
    l.approval_threshold = Some(Money::euro(200_000));
    l
}

fn reserve(n: u32) -> LedgerCommand {
    let lots = lots();
    LedgerCommand::Reserve {
        call_off: CallOffId::from_number(n),
        body: BODIES[n as usize % BODIES.len()].to_string(),
        lot: lots[n as usize % lots.len()].clone(),
        year: 1 + (n % 4) as i32,
        amount: Money::euro(20_000),
        person_days: None,
    }
}

fn execute(ledger: &mut Ledger, cmd: LedgerCommand, limits: &Limits) {
    let events = ledger.decide(cmd, limits).expect("command accepted");
    for e in &events {
        ledger.apply(e);
    }
}

fn ledger_with_call_offs(limits: &Limits) -> Ledger {
    let mut ledger = Ledger::new();
    for n in 0..EXISTING {
        execute(&mut ledger, reserve(n), limits);
    }
    ledger
}

fn bench(c: &mut Criterion) {
    let limits = limits();
    let mut group = c.benchmark_group("ledger");
    group.throughput(Throughput::Elements(1));

    let mut ledger = ledger_with_call_offs(&limits);
    let mut next = EXISTING;
    group.bench_function("reserve_with_limit_checks_10k_call_offs", |b| {
        b.iter(|| {
            execute(&mut ledger, black_box(reserve(next)), &limits);
            next += 1;
        })
    });

    let mut ledger = ledger_with_call_offs(&limits);
    let mut entry = 0u64;
    group.bench_function("post_10k_call_offs", |b| {
        b.iter(|| {
            let cmd = LedgerCommand::Post {
                call_off: CallOffId::from_number((entry % u64::from(EXISTING)) as u32),
                entry_id: EntryId::new(format!("TE-{entry}")).expect("valid entry id"),
                amount: Money::euro(1),
            };
            execute(&mut ledger, black_box(cmd), &limits);
            entry += 1;
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
