//! The decision: checks a command against the state and the limits and returns the
//! events to record, or a typed rejection. Never changes the state.

use super::messages::{Ceiling, LedgerCommand, LedgerEvent};
use super::rejection::{Exceeded, LedgerRejection};
use super::{CallOffId, Ledger, LimitKey, Limits, Reservation, ReservationState};
use crate::money::Money;
use rust_decimal::Decimal;

type Decided = Result<Vec<LedgerEvent>, LedgerRejection>;

impl Ledger {
    /// Decides a command against the current state and the `limits` in force. Returns the
    /// events to append and then [`Ledger::apply`] in order (possibly none, for an
    /// amendment to the same amount), or the reason the command is refused.
    pub fn decide(&self, command: LedgerCommand, limits: &Limits) -> Decided {
        match command {
            LedgerCommand::Reserve {
                call_off,
                body,
                lot,
                year,
                amount,
                person_days,
            } => {
                if self.reservations.contains_key(&call_off) {
                    return Err(LedgerRejection::CallOffExists(call_off));
                }
                if body.is_empty() {
                    return Err(LedgerRejection::EmptyBody);
                }
                if year < 1 {
                    return Err(LedgerRejection::InvalidYear(year));
                }
                check_amount(amount)?;
                if let Some(days) = person_days {
                    if days < Decimal::ZERO {
                        return Err(LedgerRejection::NegativePersonDays(days));
                    }
                    if let Some(cap) = limits.call_off_person_days_cap
                        && days > cap
                    {
                        return Err(LedgerRejection::PersonDaysExceeded {
                            cap,
                            requested: days,
                        });
                    }
                }
                let keys = [
                    LimitKey::Contract,
                    LimitKey::Lot(lot.clone()),
                    LimitKey::BodyYear {
                        body: body.clone(),
                        year,
                    },
                    LimitKey::CallOff(call_off.clone()),
                ];
                let ceilings = self.check_raise(&keys, amount, limits)?;
                let warnings = self.warnings(&keys, amount, limits);
                let needs_approval = limits.approval_threshold.is_some_and(|t| amount > t);
                let first = if needs_approval {
                    LedgerEvent::ReservationAwaitingApproval {
                        call_off,
                        body,
                        lot,
                        year,
                        amount,
                        person_days,
                        ceilings,
                    }
                } else {
                    LedgerEvent::Reserved {
                        call_off,
                        body,
                        lot,
                        year,
                        amount,
                        person_days,
                        ceilings,
                    }
                };
                Ok(std::iter::once(first).chain(warnings).collect())
            }
            LedgerCommand::Amend {
                call_off,
                new_amount,
            } => self.amend(call_off, new_amount, limits),
            LedgerCommand::Approve { call_off } => {
                let r = self.open(&call_off)?;
                match (r.state, r.pending_raise) {
                    (ReservationState::PendingApproval, _) => {
                        Ok(vec![LedgerEvent::ReservationApproved { call_off }])
                    }
                    (_, Some(amount)) => {
                        Ok(vec![LedgerEvent::AmendmentApproved { call_off, amount }])
                    }
                    _ => Err(LedgerRejection::NotAwaitingApproval(call_off)),
                }
            }
            LedgerCommand::Refuse { call_off } => {
                let r = self.open(&call_off)?;
                match (r.state, r.pending_raise) {
                    (ReservationState::PendingApproval, _) => {
                        let released = r.held();
                        Ok(vec![LedgerEvent::ReservationRefused { call_off, released }])
                    }
                    (_, Some(raise)) => Ok(vec![LedgerEvent::AmendmentRefused {
                        released: raise.saturating_sub(r.amount),
                        call_off,
                    }]),
                    _ => Err(LedgerRejection::NotAwaitingApproval(call_off)),
                }
            }
            LedgerCommand::Post {
                call_off,
                entry_id,
                amount,
            } => {
                let r = self.active(&call_off)?;
                check_amount(amount)?;
                if r.postings.contains_key(&entry_id) {
                    return Err(LedgerRejection::EntryAlreadyPosted { call_off, entry_id });
                }
                let after = r
                    .posted
                    .checked_add(amount)
                    .map_err(|_| LedgerRejection::Overflow)?;
                if after > r.amount {
                    return Err(LedgerRejection::PostingExceedsReservation {
                        reserved: r.amount,
                        posted: r.posted,
                        requested: amount,
                    });
                }
                Ok(vec![LedgerEvent::Posted {
                    call_off,
                    entry_id,
                    amount,
                }])
            }
            LedgerCommand::Reverse { call_off, entry_id } => {
                let r = self.known(&call_off)?;
                match r.postings.get(&entry_id) {
                    None => Err(LedgerRejection::UnknownEntry { call_off, entry_id }),
                    Some(p) if p.reversed => {
                        Err(LedgerRejection::AlreadyReversed { call_off, entry_id })
                    }
                    Some(p) => Ok(vec![LedgerEvent::PostingReversed {
                        amount: p.amount,
                        call_off,
                        entry_id,
                    }]),
                }
            }
            LedgerCommand::Close { call_off } => {
                let amount = self.active(&call_off)?.unposted();
                Ok(vec![LedgerEvent::Released { call_off, amount }])
            }
            LedgerCommand::Void { call_off } => {
                let amount = self.open(&call_off)?.unposted();
                Ok(vec![LedgerEvent::Voided { call_off, amount }])
            }
        }
    }

    fn amend(&self, call_off: CallOffId, new_amount: Money, limits: &Limits) -> Decided {
        let r = self.open(&call_off)?;
        if r.pending_raise.is_some() {
            return Err(LedgerRejection::AmendmentPending(call_off));
        }
        if new_amount.amount().scale() > 2 {
            return Err(LedgerRejection::NotWholeCents(new_amount));
        }
        if new_amount < r.posted {
            return Err(LedgerRejection::AmendBelowPosted {
                posted: r.posted,
                requested: new_amount,
            });
        }
        let from = r.amount;
        let Some(increase) = new_amount.checked_sub(from).filter(|i| !i.is_zero()) else {
            return Ok(if new_amount == from {
                Vec::new()
            } else {
                vec![LedgerEvent::ReservationAmended {
                    call_off,
                    from,
                    to: new_amount,
                    ceilings: Vec::new(),
                }]
            });
        };
        let ceilings = self.check_raise(&r.keys, increase, limits)?;
        let warnings = self.warnings(&r.keys, increase, limits);
        let needs_approval = r.state == ReservationState::Active
            && limits.approval_threshold.is_some_and(|t| new_amount > t);
        let first = if needs_approval {
            LedgerEvent::AmendmentAwaitingApproval {
                call_off,
                from,
                to: new_amount,
                ceilings,
            }
        } else {
            LedgerEvent::ReservationAmended {
                call_off,
                from,
                to: new_amount,
                ceilings,
            }
        };
        Ok(std::iter::once(first).chain(warnings).collect())
    }

    fn known(&self, call_off: &CallOffId) -> Result<&Reservation, LedgerRejection> {
        self.reservations
            .get(call_off)
            .map(AsRef::as_ref)
            .ok_or_else(|| LedgerRejection::UnknownCallOff(call_off.clone()))
    }

    fn open(&self, call_off: &CallOffId) -> Result<&Reservation, LedgerRejection> {
        let r = self.known(call_off)?;
        if r.state.is_resolved() {
            return Err(LedgerRejection::AlreadyResolved(call_off.clone()));
        }
        Ok(r)
    }

    fn active(&self, call_off: &CallOffId) -> Result<&Reservation, LedgerRejection> {
        let r = self.open(call_off)?;
        if r.state == ReservationState::PendingApproval {
            return Err(LedgerRejection::AwaitingApproval(call_off.clone()));
        }
        Ok(r)
    }

    fn used(&self, key: &LimitKey) -> Money {
        self.balances.get(key).map_or(Money::ZERO, |b| b.used())
    }

    /// Checks an increase against every key (all or nothing) and returns the ceilings
    /// it was checked against.
    fn check_raise(
        &self,
        keys: &[LimitKey],
        increase: Money,
        limits: &Limits,
    ) -> Result<Vec<Ceiling>, LedgerRejection> {
        if self.exhausted || self.used(&LimitKey::Contract) >= limits.contract_maximum {
            return Err(LedgerRejection::FrameworkExhausted);
        }
        let mut exceeded = Vec::new();
        let mut ceilings = Vec::with_capacity(keys.len());
        for key in keys {
            let limit = limit_for(key, limits);
            if let Some(limit_amount) = limit {
                let remaining = limit_amount.saturating_sub(self.used(key));
                if increase > remaining {
                    exceeded.push(Exceeded {
                        limit: key.clone(),
                        limit_amount,
                        remaining,
                    });
                }
            }
            ceilings.push(Ceiling {
                key: key.clone(),
                limit,
            });
        }
        match exceeded.first() {
            None => Ok(ceilings),
            Some(first) => Err(LedgerRejection::LimitExceeded {
                limit: first.limit.clone(),
                limit_amount: first.limit_amount,
                requested: increase,
                remaining: first.remaining,
                exceeded,
            }),
        }
    }

    /// Warning (and exhaustion) events for the contract and lot limits after `increase`.
    fn warnings(&self, keys: &[LimitKey], increase: Money, limits: &Limits) -> Vec<LedgerEvent> {
        let mut events = Vec::new();
        for key in keys {
            if !matches!(key, LimitKey::Contract | LimitKey::Lot(_)) {
                continue;
            }
            let Some(limit) = limit_for(key, limits) else {
                continue;
            };
            let balance = self.balances.get(key);
            let used = self.used(key).checked_add(increase).unwrap_or(limit);
            for &level in &limits.warning_levels {
                let reached = balance.is_some_and(|b| b.warnings_reached.contains(&level));
                let at = limit.amount() * Decimal::from(level) / Decimal::ONE_HUNDRED;
                if !reached && used.amount() >= at {
                    events.push(LedgerEvent::UtilisationWarningReached {
                        limit: key.clone(),
                        percent: level,
                    });
                }
            }
            if *key == LimitKey::Contract && used >= limit {
                events.push(LedgerEvent::FrameworkExhausted);
            }
        }
        events
    }
}

fn check_amount(amount: Money) -> Result<(), LedgerRejection> {
    if amount.is_zero() {
        return Err(LedgerRejection::ZeroAmount);
    }
    if amount.amount().scale() > 2 {
        return Err(LedgerRejection::NotWholeCents(amount));
    }
    Ok(())
}

/// The limit `limits` sets for `key`; `None` = unlimited.
fn limit_for(key: &LimitKey, limits: &Limits) -> Option<Money> {
    match key {
        LimitKey::Contract => Some(limits.contract_maximum),
        LimitKey::Lot(lot) => limits.lot_ceilings.get(lot).copied(),
        LimitKey::BodyYear { .. } => limits.body_year_cap,
        LimitKey::CallOff(_) => limits.call_off_cap,
    }
}
