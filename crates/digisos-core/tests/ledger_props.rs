//! Property test of the ledger: random command sequences over several bodies, lots and
//! call-offs never break an invariant, `apply` never panics on what `decide` produced,
//! and re-folding the log reproduces the state. Case count: `PROPTEST_CASES` (CI: 10000).

use digisos_core::ids::LotId;
use digisos_core::ledger::{
    CallOffId, EntryId, Ledger, LedgerCommand, LedgerEvent, LimitKey, Limits,
};
use digisos_core::money::Money;
use proptest::prelude::*;
use rust_decimal::Decimal;

const BODIES: [&str; 3] = ["05315000", "05334", "LVR"];
const LOTS: [&str; 2] = ["los-1", "los-2"];

#[derive(Debug, Clone)]
enum Op {
    Reserve {
        co: u32,
        body: usize,
        lot: usize,
        year: i32,
        cents: i64,
        days: Option<u32>,
    },
    Amend {
        co: u32,
        cents: i64,
    },
    Approve(u32),
    Refuse(u32),
    Post {
        co: u32,
        entry: u32,
        cents: i64,
    },
    Reverse {
        co: u32,
        entry: u32,
    },
    /// Reserve exactly what is left of the contract maximum (exhausts the framework).
    ReserveRest {
        co: u32,
        body: usize,
    },
    /// Post exactly what is left of the reservation.
    PostRest {
        co: u32,
        entry: u32,
    },
    Close(u32),
    Void(u32),
}

/// Amounts from small to exhausting (the contract maximum is at most 300,000 EUR).
fn cents() -> impl Strategy<Value = i64> {
    prop_oneof![
        3 => 1i64..100_000,
        6 => 100_000i64..2_000_000,
        1 => 2_000_000i64..40_000_000,
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let co = 0u32..10;
    prop_oneof![
        1 => (co.clone(), 0..BODIES.len()).prop_map(|(co, body)| Op::ReserveRest { co, body }),
        2 => (co.clone(), 0u32..6).prop_map(|(co, entry)| Op::PostRest { co, entry }),
        6 => (co.clone(), 0..BODIES.len(), 0..LOTS.len(), 1i32..3, cents(), proptest::option::of(0u32..8))
            .prop_map(|(co, body, lot, year, cents, days)| Op::Reserve { co, body, lot, year, cents, days }),
        2 => (co.clone(), 0i64..40_000_000).prop_map(|(co, cents)| Op::Amend { co, cents }),
        1 => co.clone().prop_map(Op::Approve),
        1 => co.clone().prop_map(Op::Refuse),
        4 => (co.clone(), 0u32..6, 1i64..1_000_000).prop_map(|(co, entry, cents)| Op::Post { co, entry, cents }),
        2 => (co.clone(), 0u32..6).prop_map(|(co, entry)| Op::Reverse { co, entry }),
        1 => co.clone().prop_map(Op::Close),
        1 => co.prop_map(Op::Void),
    ]
}

fn limits() -> impl Strategy<Value = Limits> {
    (
        100_000u64..300_000,
        proptest::option::of(20_000u64..150_000),
        proptest::option::of(10_000u64..100_000),
        proptest::option::of(5_000u64..80_000),
        proptest::option::of(10_000u64..100_000),
    )
        .prop_map(|(max, lot, body, call_off, threshold)| {
            let mut l = Limits::new(Money::euro(max));
            if let Some(c) = lot {
                l.lot_ceilings
                    .insert(LotId::new(LOTS[0]).expect("fixture lot id"), Money::euro(c));
            }
            l.body_year_cap = body.map(Money::euro);
            l.call_off_cap = call_off.map(Money::euro);
            l.call_off_person_days_cap = Some(Decimal::from(5));
            l.approval_threshold = threshold.map(Money::euro);
            l
        })
}

fn money(cents: i64) -> Money {
    Money::new(Decimal::new(cents, 2)).expect("positive cents")
}

/// The command for an op; the `*Rest` ops read the state to hit a limit exactly.
///
/// Ops other than reservations mostly address an existing call-off (`co` picks one);
/// `co == 9` addresses one that may not exist.
fn command(op: &Op, ledger: &Ledger) -> LedgerCommand {
    let existing: Vec<&CallOffId> = ledger.reservations().map(|(id, _)| id).collect();
    let id = |n: u32| match existing.len() {
        0 => CallOffId::from_number(n),
        len if n < 9 => existing[n as usize % len].clone(),
        _ => CallOffId::from_number(n),
    };
    let new_id = CallOffId::from_number;
    let entry = |n: u32| EntryId::new(format!("TE-{n}")).expect("fixture entry id");
    match op.clone() {
        Op::Reserve {
            co,
            body,
            lot,
            year,
            cents,
            days,
        } => LedgerCommand::Reserve {
            call_off: new_id(co),
            body: BODIES[body].into(),
            lot: LotId::new(LOTS[lot]).expect("fixture lot id"),
            year,
            amount: money(cents),
            person_days: days.map(Decimal::from),
        },
        Op::Amend { co, cents } => LedgerCommand::Amend {
            call_off: id(co),
            new_amount: money(cents),
        },
        Op::Approve(co) => LedgerCommand::Approve { call_off: id(co) },
        Op::Refuse(co) => LedgerCommand::Refuse { call_off: id(co) },
        Op::Post {
            co,
            entry: e,
            cents,
        } => LedgerCommand::Post {
            call_off: id(co),
            entry_id: entry(e),
            amount: money(cents),
        },
        Op::Reverse { co, entry: e } => LedgerCommand::Reverse {
            call_off: id(co),
            entry_id: entry(e),
        },
        Op::ReserveRest { co, body } => LedgerCommand::Reserve {
            call_off: new_id(co),
            body: BODIES[body].into(),
            lot: LotId::new(LOTS[1]).expect("fixture lot id"),
            year: 1,
            amount: ledger
                .balance(&LimitKey::Contract)
                .and_then(|b| b.remaining())
                .unwrap_or(Money::euro(100_000)),
            person_days: None,
        },
        Op::PostRest { co, entry: e } => LedgerCommand::Post {
            call_off: id(co),
            entry_id: entry(e),
            amount: ledger
                .reservation(&id(co))
                .map_or(Money::euro(1), |r| r.amount.saturating_sub(r.posted)),
        },
        Op::Close(co) => LedgerCommand::Close { call_off: id(co) },
        Op::Void(co) => LedgerCommand::Void { call_off: id(co) },
    }
}

/// The invariants, checked through the public API (independently of
/// `invariant_violations`, which is checked as well).
fn assert_invariants(ledger: &Ledger) -> Result<(), TestCaseError> {
    let violations = ledger.invariant_violations();
    prop_assert!(violations.is_empty(), "{violations:?}");
    for row in ledger.utilisation() {
        if let Some(limit) = row.limit {
            let used = row.posted.checked_add(row.reserved).expect("no overflow");
            prop_assert!(used <= limit, "{row:?}");
        }
    }
    for (id, r) in ledger.reservations() {
        prop_assert!(r.posted <= r.amount, "{id}: {r:?}");
        prop_assert!(r.posted <= r.held(), "{id}: {r:?}");
    }
    Ok(())
}

proptest! {
    #[test]
    fn ledger_invariants_hold_for_any_command_sequence(
        limits in limits(),
        ops in proptest::collection::vec(op(), 1..40),
    ) {
        let mut ledger = Ledger::new();
        let mut log: Vec<LedgerEvent> = Vec::new();
        let mut resolved = std::collections::BTreeSet::new();
        for op in &ops {
            let before = ledger.clone();
            match ledger.decide(command(op, &ledger), &limits) {
                Err(_) => prop_assert_eq!(&before, &ledger),
                Ok(events) => {
                    for e in &events {
                        // a reservation resolves at most once
                        if let LedgerEvent::Released { call_off, .. }
                        | LedgerEvent::Voided { call_off, .. }
                        | LedgerEvent::ReservationRefused { call_off, .. } = e
                        {
                            prop_assert!(resolved.insert(call_off.clone()), "{call_off} resolved twice");
                        }
                        ledger.apply(e);
                        assert_invariants(&ledger)?;
                    }
                    log.extend(events);
                }
            }
            if let Some(b) = ledger.balance(&LimitKey::Contract)
                && b.limit.is_some_and(|l| b.used() >= l) {
                    prop_assert!(ledger.is_exhausted());
                }
        }
        let mut refolded = Ledger::new();
        for e in &log {
            refolded.apply(e);
        }
        prop_assert_eq!(refolded, ledger);
    }
}
