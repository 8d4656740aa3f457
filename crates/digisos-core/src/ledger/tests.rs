//! Given/when/then tests of the ledger: every command, rejection and limit path.

use super::*;
use crate::ids::LotId;
use rust_decimal_macros::dec;

fn co(n: u32) -> CallOffId {
    CallOffId::from_number(n)
}

fn lot() -> LotId {
    LotId::new("los-1").unwrap()
}

fn eur(n: u64) -> Money {
    Money::euro(n)
}

fn limits() -> Limits {
    let mut l = Limits::new(eur(100_000));
    l.lot_ceilings.insert(lot(), eur(60_000));
    l.body_year_cap = Some(eur(30_000));
    l.call_off_cap = Some(eur(25_000));
    l.call_off_person_days_cap = Some(dec!(5));
    l.approval_threshold = Some(eur(20_000));
    l
}

fn reserve(n: u32, body: &str, amount: u64) -> LedgerCommand {
    LedgerCommand::Reserve {
        call_off: co(n),
        body: body.into(),
        lot: lot(),
        year: 1,
        amount: eur(amount),
        person_days: None,
    }
}

fn post(n: u32, entry: &str, amount: u64) -> LedgerCommand {
    LedgerCommand::Post {
        call_off: co(n),
        entry_id: EntryId::new(entry).unwrap(),
        amount: eur(amount),
    }
}

/// A ledger plus its event log; `when` decides and applies like the service will.
#[derive(Default)]
struct Given {
    ledger: Ledger,
    log: Vec<LedgerEvent>,
    limits: Option<Limits>,
}

impl Given {
    fn with(limits: Limits) -> Self {
        Given {
            limits: Some(limits),
            ..Default::default()
        }
    }

    fn when(&mut self, cmd: LedgerCommand) -> Result<Vec<LedgerEvent>, LedgerRejection> {
        let limits = self.limits.clone().unwrap_or_else(limits);
        let before = self.ledger.clone();
        let result = self.ledger.decide(cmd, &limits);
        match &result {
            Ok(events) => {
                for e in events {
                    self.ledger.apply(e);
                    assert_eq!(self.ledger.invariant_violations(), Vec::<String>::new());
                }
                self.log.extend(events.iter().cloned());
            }
            Err(_) => assert_eq!(before, self.ledger),
        }
        result
    }

    fn ok(&mut self, cmd: LedgerCommand) -> Vec<LedgerEvent> {
        self.when(cmd).unwrap()
    }

    fn used(&self, key: &LimitKey) -> Money {
        self.ledger.balance(key).unwrap().used()
    }
}

#[test]
fn reserve_books_against_every_limit_and_records_ceilings() {
    let mut g = Given::default();
    let events = g.ok(reserve(1, "05315000", 10_000));
    let LedgerEvent::Reserved { ceilings, .. } = &events[0] else {
        panic!("expected Reserved, got {events:?}")
    };
    let limits: Vec<Option<Money>> = ceilings.iter().map(|c| c.limit).collect();
    assert_eq!(
        limits,
        [
            Some(eur(100_000)),
            Some(eur(60_000)),
            Some(eur(30_000)),
            Some(eur(25_000))
        ]
    );
    for key in &g.ledger.reservation(&co(1)).unwrap().keys {
        assert_eq!(g.ledger.balance(key).unwrap().reserved, eur(10_000));
    }
}

#[test]
fn reserve_is_all_or_nothing_and_reports_the_first_limit() {
    let mut g = Given::default();
    g.ok(reserve(1, "05315000", 18_000));
    let err = g.when(reserve(2, "05315000", 15_000)).unwrap_err();
    let LedgerRejection::LimitExceeded {
        limit,
        remaining,
        exceeded,
        ..
    } = &err
    else {
        panic!("expected LimitExceeded, got {err:?}")
    };
    assert_eq!(
        *limit,
        LimitKey::BodyYear {
            body: "05315000".into(),
            year: 1
        }
    );
    assert_eq!(*remaining, eur(12_000));
    assert_eq!(exceeded.len(), 1);
    assert_eq!(g.used(&LimitKey::Lot(lot())), eur(18_000));
    assert!(g.ledger.reservation(&co(2)).is_none());
    assert_eq!(
        err.to_string(),
        "the cap of body 05315000 in contract year 1 would be exceeded: 15000.00 requested but only 12000.00 of 30000.00 remain; reduce the amount or ask the coordinator to raise the limit"
    );
}

#[test]
fn every_exceeded_limit_is_listed_in_fixed_order() {
    let mut g = Given::with(Limits {
        call_off_cap: Some(eur(5_000)),
        ..Limits::new(eur(8_000))
    });
    let err = g.when(reserve(1, "05334", 9_000)).unwrap_err();
    let LedgerRejection::LimitExceeded {
        limit, exceeded, ..
    } = err
    else {
        panic!("expected LimitExceeded")
    };
    assert_eq!(limit, LimitKey::Contract);
    let keys: Vec<LimitKey> = exceeded.into_iter().map(|e| e.limit).collect();
    assert_eq!(keys, [LimitKey::Contract, LimitKey::CallOff(co(1))]);
}

#[test]
fn above_the_threshold_money_is_held_until_approval() {
    let mut g = Given::default();
    let events = g.ok(reserve(1, "05315000", 24_000));
    assert!(matches!(
        events[0],
        LedgerEvent::ReservationAwaitingApproval { .. }
    ));
    assert_eq!(
        g.when(post(1, "TE-1", 100)),
        Err(LedgerRejection::AwaitingApproval(co(1)))
    );
    assert_eq!(
        g.when(LedgerCommand::Close { call_off: co(1) }),
        Err(LedgerRejection::AwaitingApproval(co(1)))
    );
    // the held money counts: the body has only 6,000 left
    assert!(matches!(
        g.when(reserve(2, "05315000", 7_000)),
        Err(LedgerRejection::LimitExceeded { .. })
    ));
    assert_eq!(
        g.ok(LedgerCommand::Approve { call_off: co(1) }),
        [LedgerEvent::ReservationApproved { call_off: co(1) }]
    );
    assert_eq!(
        g.when(LedgerCommand::Approve { call_off: co(1) }),
        Err(LedgerRejection::NotAwaitingApproval(co(1)))
    );
    g.ok(post(1, "TE-1", 100));
}

#[test]
fn refusal_releases_everything_and_resolves_once() {
    let mut g = Given::default();
    g.ok(reserve(1, "05315000", 24_000));
    assert_eq!(
        g.ok(LedgerCommand::Refuse { call_off: co(1) }),
        [LedgerEvent::ReservationRefused {
            call_off: co(1),
            released: eur(24_000)
        }]
    );
    assert_eq!(g.used(&LimitKey::Contract), Money::ZERO);
    assert_eq!(
        g.ledger.balance(&LimitKey::Contract).unwrap().released,
        eur(24_000)
    );
    for cmd in [
        LedgerCommand::Refuse { call_off: co(1) },
        LedgerCommand::Approve { call_off: co(1) },
        LedgerCommand::Void { call_off: co(1) },
        LedgerCommand::Close { call_off: co(1) },
    ] {
        assert_eq!(g.when(cmd), Err(LedgerRejection::AlreadyResolved(co(1))));
    }
}

#[test]
fn postings_never_exceed_the_reservation() {
    let mut g = Given::default();
    g.ok(reserve(1, "05315000", 1_000));
    g.ok(post(1, "TE-1", 600));
    let err = g.when(post(1, "TE-2", 500)).unwrap_err();
    assert_eq!(
        err,
        LedgerRejection::PostingExceedsReservation {
            reserved: eur(1_000),
            posted: eur(600),
            requested: eur(500)
        }
    );
    assert!(err.to_string().contains("must request an amendment"));
    assert_eq!(
        g.when(post(1, "TE-1", 1)),
        Err(LedgerRejection::EntryAlreadyPosted {
            call_off: co(1),
            entry_id: EntryId::new("TE-1").unwrap()
        })
    );
    g.ok(post(1, "TE-2", 400));
    let b = g.ledger.balance(&LimitKey::Contract).unwrap();
    assert_eq!((b.posted, b.reserved), (eur(1_000), Money::ZERO));
}

mod flows;
