//! The fold: applies one recorded event to the ledger state. Dumb and total.

use super::messages::{Ceiling, LedgerEvent};
use super::{Balance, Ledger, LimitKey, Posting, Reservation, ReservationState};
use crate::money::Money;

/// What one call-off contributes to each of its limits.
#[derive(Debug, Clone, Copy)]
struct Part {
    posted: Money,
    reserved: Money,
}

impl Part {
    fn of(r: &Reservation) -> Part {
        Part {
            posted: r.posted,
            reserved: r.unposted(),
        }
    }

    fn total(self) -> Money {
        plus(self.posted, self.reserved)
    }
}

/// Sum that cannot fail: amounts are bounded by the contract maximum, far below the
/// decimal range, so the fallback is never taken for events `decide` produced.
fn plus(a: Money, b: Money) -> Money {
    a.checked_add(b).unwrap_or(a.max(b))
}

impl Balance {
    fn shift(&mut self, before: Part, after: Part, released: Money) {
        self.reserved = plus(
            self.reserved.saturating_sub(before.reserved),
            after.reserved,
        );
        self.posted = plus(self.posted.saturating_sub(before.posted), after.posted);
        self.released = plus(self.released, released);
    }
}

impl Ledger {
    /// Folds one event into the state. Call it for every event `decide` returned (in
    /// order) and when replaying the log. Never fails and never panics; an event that
    /// names an unknown call-off (which `decide` never produces) changes nothing.
    pub fn apply(&mut self, event: &LedgerEvent) {
        match event {
            LedgerEvent::Reserved {
                call_off,
                body,
                lot,
                year,
                amount,
                person_days,
                ceilings,
            }
            | LedgerEvent::ReservationAwaitingApproval {
                call_off,
                body,
                lot,
                year,
                amount,
                person_days,
                ceilings,
            } => {
                if self.reservations.contains_key(call_off) {
                    return;
                }
                let state = match event {
                    LedgerEvent::Reserved { .. } => ReservationState::Active,
                    _ => ReservationState::PendingApproval,
                };
                self.set_ceilings(ceilings);
                let keys = vec![
                    LimitKey::Contract,
                    LimitKey::Lot(lot.clone()),
                    LimitKey::BodyYear {
                        body: body.clone(),
                        year: *year,
                    },
                    LimitKey::CallOff(call_off.clone()),
                ];
                for key in &keys {
                    self.balances.entry(key.clone()).or_default();
                }
                let record = Reservation {
                    body: body.clone(),
                    lot: lot.clone(),
                    year: *year,
                    amount: Money::ZERO,
                    pending_raise: None,
                    person_days: *person_days,
                    posted: Money::ZERO,
                    released: Money::ZERO,
                    state,
                    keys,
                    postings: Default::default(),
                };
                self.reservations
                    .insert(call_off.clone(), std::sync::Arc::new(record));
                self.change(call_off, |r| r.amount = *amount);
            }
            LedgerEvent::ReservationApproved { call_off } => {
                self.change(call_off, |r| r.state = ReservationState::Active);
            }
            LedgerEvent::ReservationRefused { call_off, .. } => {
                self.change(call_off, |r| r.state = ReservationState::Refused);
            }
            LedgerEvent::ReservationAmended {
                call_off,
                to,
                ceilings,
                ..
            } => {
                self.set_ceilings(ceilings);
                self.change(call_off, |r| r.amount = *to);
            }
            LedgerEvent::AmendmentAwaitingApproval {
                call_off,
                to,
                ceilings,
                ..
            } => {
                self.set_ceilings(ceilings);
                self.change(call_off, |r| r.pending_raise = Some(*to));
            }
            LedgerEvent::AmendmentApproved { call_off, amount } => {
                self.change(call_off, |r| {
                    r.amount = *amount;
                    r.pending_raise = None;
                });
            }
            LedgerEvent::AmendmentRefused { call_off, .. } => {
                self.change(call_off, |r| r.pending_raise = None);
            }
            LedgerEvent::Posted {
                call_off,
                entry_id,
                amount,
            } => self.change(call_off, |r| {
                r.posted = plus(r.posted, *amount);
                r.postings.insert(
                    entry_id.clone(),
                    Posting {
                        amount: *amount,
                        reversed: false,
                    },
                );
            }),
            LedgerEvent::PostingReversed {
                call_off,
                entry_id,
                amount,
            } => self.change(call_off, |r| {
                if let Some(p) = r.postings.get_mut(entry_id)
                    && !p.reversed
                {
                    p.reversed = true;
                    r.posted = r.posted.saturating_sub(*amount);
                }
            }),
            LedgerEvent::Released { call_off, .. } => self.change(call_off, |r| {
                r.state = ReservationState::Closed;
                r.pending_raise = None;
            }),
            LedgerEvent::Voided { call_off, .. } => self.change(call_off, |r| {
                r.state = ReservationState::Voided;
                r.pending_raise = None;
            }),
            LedgerEvent::UtilisationWarningReached { limit, percent } => {
                self.balances
                    .entry(limit.clone())
                    .or_default()
                    .warnings_reached
                    .insert(*percent);
            }
            LedgerEvent::FrameworkExhausted => self.exhausted = true,
        }
    }

    fn set_ceilings(&mut self, ceilings: &[Ceiling]) {
        for c in ceilings {
            match self.balances.get_mut(&c.key) {
                Some(b) => b.limit = c.limit,
                None => {
                    let b = Balance {
                        limit: c.limit,
                        ..Balance::default()
                    };
                    self.balances.insert(c.key.clone(), b);
                }
            }
        }
    }

    /// Changes one call-off and moves the difference of its contribution through every
    /// limit it touches; money that stops counting is recorded as released.
    fn change(&mut self, call_off: &super::CallOffId, f: impl FnOnce(&mut Reservation)) {
        let Ledger {
            balances,
            reservations,
            ..
        } = self;
        let Some(r) = reservations.get_mut(call_off) else {
            return;
        };
        let r = std::sync::Arc::make_mut(r);
        let before = Part::of(r);
        f(r);
        let after = Part::of(r);
        let released = before.total().saturating_sub(after.total());
        r.released = plus(r.released, released);
        for key in &r.keys {
            if let Some(b) = balances.get_mut(key) {
                b.shift(before, after, released);
            }
        }
    }
}
