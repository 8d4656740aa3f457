//! Given/when/then tests of amendments, reversals, voids, warnings and reports.

use super::*;

#[test]
fn amendments_raise_under_the_same_checks_and_lower_not_below_posted() {
    let mut g = Given::default();
    g.ok(reserve(1, "05315000", 10_000));
    g.ok(post(1, "TE-1", 4_000));
    let amend = |n: u64| LedgerCommand::Amend {
        call_off: co(1),
        new_amount: eur(n),
    };
    assert!(matches!(
        g.when(amend(26_000)),
        Err(LedgerRejection::LimitExceeded {
            limit: LimitKey::CallOff(_),
            ..
        })
    ));
    g.ok(amend(15_000));
    assert_eq!(
        g.when(amend(3_000)),
        Err(LedgerRejection::AmendBelowPosted {
            posted: eur(4_000),
            requested: eur(3_000)
        })
    );
    assert_eq!(g.ok(amend(15_000)), []);
    g.ok(amend(5_000));
    let b = g.ledger.balance(&LimitKey::Contract).unwrap();
    assert_eq!(
        (b.reserved, b.posted, b.released),
        (eur(1_000), eur(4_000), eur(10_000))
    );
}

#[test]
fn a_raise_above_the_threshold_waits_and_can_be_refused() {
    let mut g = Given::default();
    g.ok(reserve(1, "05315000", 10_000));
    let raise = LedgerCommand::Amend {
        call_off: co(1),
        new_amount: eur(22_000),
    };
    assert!(matches!(
        g.ok(raise.clone())[0],
        LedgerEvent::AmendmentAwaitingApproval { .. }
    ));
    assert_eq!(g.used(&LimitKey::Contract), eur(22_000));
    assert_eq!(g.when(raise), Err(LedgerRejection::AmendmentPending(co(1))));
    // postings stay limited to the approved amount until the raise is approved
    assert!(matches!(
        g.when(post(1, "TE-1", 12_000)),
        Err(LedgerRejection::PostingExceedsReservation { .. })
    ));
    g.ok(LedgerCommand::Refuse { call_off: co(1) });
    assert_eq!(g.used(&LimitKey::Contract), eur(10_000));
    assert_eq!(
        g.ledger.reservation(&co(1)).unwrap().state,
        ReservationState::Active
    );
    g.ok(LedgerCommand::Amend {
        call_off: co(1),
        new_amount: eur(21_000),
    });
    g.ok(LedgerCommand::Approve { call_off: co(1) });
    g.ok(post(1, "TE-1", 21_000));
}

#[test]
fn reversals_are_new_entries_and_release_after_close() {
    let mut g = Given::default();
    g.ok(reserve(1, "05315000", 1_000));
    g.ok(post(1, "TE-1", 300));
    let reverse = || LedgerCommand::Reverse {
        call_off: co(1),
        entry_id: EntryId::new("TE-1").unwrap(),
    };
    g.ok(reverse());
    assert!(matches!(
        g.when(reverse()),
        Err(LedgerRejection::AlreadyReversed { .. })
    ));
    g.ok(post(1, "TE-2", 300));
    assert_eq!(
        g.ok(LedgerCommand::Close { call_off: co(1) }),
        [LedgerEvent::Released {
            call_off: co(1),
            amount: eur(700)
        }]
    );
    g.ok(LedgerCommand::Reverse {
        call_off: co(1),
        entry_id: EntryId::new("TE-2").unwrap(),
    });
    let b = g.ledger.balance(&LimitKey::Contract).unwrap();
    assert_eq!(
        (b.reserved, b.posted, b.released),
        (Money::ZERO, Money::ZERO, eur(1_000))
    );
    assert!(matches!(
        g.when(LedgerCommand::Reverse {
            call_off: co(1),
            entry_id: EntryId::new("TE-9").unwrap()
        }),
        Err(LedgerRejection::UnknownEntry { .. })
    ));
}

#[test]
fn void_cancels_what_is_not_posted() {
    let mut g = Given::default();
    g.ok(reserve(1, "05315000", 1_000));
    g.ok(post(1, "TE-1", 250));
    assert_eq!(
        g.ok(LedgerCommand::Void { call_off: co(1) }),
        [LedgerEvent::Voided {
            call_off: co(1),
            amount: eur(750)
        }]
    );
    assert_eq!(g.used(&LimitKey::Contract), eur(250));
    assert_eq!(
        g.when(post(1, "TE-2", 1)),
        Err(LedgerRejection::AlreadyResolved(co(1)))
    );
    // a waiting reservation can be voided too
    g.ok(reserve(2, "05334", 24_000));
    g.ok(LedgerCommand::Void { call_off: co(2) });
    assert_eq!(
        g.ledger.reservation(&co(2)).unwrap().state,
        ReservationState::Voided
    );
}

#[test]
fn warnings_once_per_level_and_exhaustion_for_good() {
    let mut g = Given::with(Limits::new(eur(1_000)));
    assert_eq!(g.ok(reserve(1, "a", 500)).len(), 1);
    let events = g.ok(reserve(2, "b", 350));
    assert_eq!(
        events[1..],
        [LedgerEvent::UtilisationWarningReached {
            limit: LimitKey::Contract,
            percent: 80
        }]
    );
    g.ok(LedgerCommand::Void { call_off: co(2) });
    let events = g.ok(reserve(3, "b", 400));
    assert_eq!(
        events[1..],
        [LedgerEvent::UtilisationWarningReached {
            limit: LimitKey::Contract,
            percent: 90
        }]
    );
    let events = g.ok(reserve(4, "c", 100));
    assert_eq!(events[1..], [LedgerEvent::FrameworkExhausted]);
    assert!(g.ledger.is_exhausted());
    g.ok(LedgerCommand::Void { call_off: co(4) });
    assert_eq!(
        g.when(reserve(5, "c", 1)),
        Err(LedgerRejection::FrameworkExhausted)
    );
    assert_eq!(
        g.when(LedgerCommand::Amend {
            call_off: co(1),
            new_amount: eur(501)
        }),
        Err(LedgerRejection::FrameworkExhausted)
    );
    // existing call-offs still post
    g.ok(post(1, "TE-1", 500));
}

#[test]
fn lot_ceilings_warn_too() {
    let mut g = Given::with(Limits {
        lot_ceilings: [(lot(), eur(100))].into(),
        ..Limits::new(eur(1_000))
    });
    let events = g.ok(reserve(1, "a", 95));
    let levels: Vec<(LimitKey, u8)> = events[1..]
        .iter()
        .map(|e| match e {
            LedgerEvent::UtilisationWarningReached { limit, percent } => (limit.clone(), *percent),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(
        levels,
        [(LimitKey::Lot(lot()), 80), (LimitKey::Lot(lot()), 90)]
    );
}

#[test]
fn person_days_are_capped() {
    let mut g = Given::default();
    let cmd = |days| LedgerCommand::Reserve {
        call_off: co(1),
        body: "05334".into(),
        lot: lot(),
        year: 1,
        amount: eur(5_000),
        person_days: Some(days),
    };
    assert_eq!(
        g.when(cmd(dec!(5.5))),
        Err(LedgerRejection::PersonDaysExceeded {
            cap: dec!(5),
            requested: dec!(5.5)
        })
    );
    assert_eq!(
        g.when(cmd(dec!(-1))),
        Err(LedgerRejection::NegativePersonDays(dec!(-1)))
    );
    g.ok(cmd(dec!(5)));
}

#[test]
fn malformed_commands_are_refused() {
    let mut g = Given::default();
    g.ok(reserve(1, "a", 10));
    let bad = |body: &str, year, amount| LedgerCommand::Reserve {
        call_off: co(2),
        body: body.into(),
        lot: lot(),
        year,
        amount,
        person_days: None,
    };
    let cases = [
        (reserve(1, "a", 10), LedgerRejection::CallOffExists(co(1))),
        (bad("", 1, eur(1)), LedgerRejection::EmptyBody),
        (bad("a", 0, eur(1)), LedgerRejection::InvalidYear(0)),
        (bad("a", 1, Money::ZERO), LedgerRejection::ZeroAmount),
        (
            bad("a", 1, Money::new(dec!(1.001)).unwrap()),
            LedgerRejection::NotWholeCents(Money::new(dec!(1.001)).unwrap()),
        ),
        (post(7, "TE-1", 1), LedgerRejection::UnknownCallOff(co(7))),
        (post(1, "TE-1", 0), LedgerRejection::ZeroAmount),
    ];
    for (cmd, expected) in cases {
        assert_eq!(g.when(cmd.clone()), Err(expected), "{cmd:?}");
    }
}

#[test]
fn utilisation_reports_every_limit_and_refolding_reproduces_the_state() {
    let mut g = Given::default();
    g.ok(reserve(1, "05315000", 10_000));
    g.ok(post(1, "TE-1", 2_500));
    g.ok(LedgerCommand::Close { call_off: co(1) });
    let rows = g.ledger.utilisation();
    assert_eq!(rows.len(), 4);
    let contract = &rows[0];
    assert_eq!(contract.key, LimitKey::Contract);
    assert_eq!(contract.posted, eur(2_500));
    assert_eq!(contract.released, eur(7_500));
    assert_eq!(contract.remaining, Some(eur(97_500)));
    assert_eq!(contract.percent, Some(dec!(2.5)));
    let mut refolded = Ledger::new();
    for e in &g.log {
        refolded.apply(e);
    }
    assert_eq!(refolded, g.ledger);
}
