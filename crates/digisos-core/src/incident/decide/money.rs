//! The parts of `decide` that touch the contract and the ledger: triage, dispatch with
//! reservation and approval, time entries, amendments, close and the side exits.

use super::super::aggregate::{Incident, TimeEntryState};
use super::super::command::{Estimate, TimeEntryNo};
use super::super::event::IncidentEventKind as E;
use super::super::facts::Facts;
use super::super::rejection::IncidentRejection as R;
use super::super::state::{Action, Eligibility};
use super::{cancel_all, forbidden, may, report_date, start_all};
use crate::calendar::holidays::nrw_holiday_name;
use crate::contract::Lot;
use crate::ids::{LotId, RoleId};
use crate::ledger::{CallOffId, EntryId, LedgerCommand, LedgerEvent, ReservationState};
use crate::money::Money;
use crate::pricing::{self, TimeEntry};
use crate::principal::{self, Principal, Role};
use crate::sla::Severity;
use chrono::{DateTime, Utc};
use chrono_tz::Europe::Berlin;

type Out = Result<Vec<E>, R>;

fn lot_of<'a>(i: &Incident, facts: &Facts<'a>) -> Result<&'a Lot, R> {
    let id = i.lot.as_ref().ok_or(R::InState(i.state()))?;
    facts.lot(id).ok_or_else(|| R::UnknownLot(id.clone()))
}

fn ledger(facts: &Facts<'_>, lot: &Lot, command: LedgerCommand) -> Out {
    let limits = facts.limits(lot).ok_or(R::NoContract)?;
    let events = facts.ledger.decide(command, &limits)?;
    Ok(events.into_iter().map(E::Ledger).collect())
}

fn coordinator_only(by: &Principal, what: &'static str) -> Result<(), R> {
    if principal::can_approve(by) {
        Ok(())
    } else {
        Err(forbidden(by, what))
    }
}

pub(super) fn triage(
    i: &Incident,
    by: &Principal,
    severity: Severity,
    lot_id: &LotId,
    facts: &Facts<'_>,
) -> Out {
    let contract = facts.contract.ok_or(R::NoContract)?;
    let on = report_date(i);
    let key = i.body.parse().map_err(|_| R::UnknownBody(i.body.clone()))?;
    let decision = contract.eligibility.decide(facts.register, &key, on);
    if !decision.eligible {
        may(i, by, Action::Triage(Eligibility::Ineligible), "triage")?;
        return Ok(vec![E::Rejected {
            reasons: decision.reasons.iter().map(ToString::to_string).collect(),
        }]);
    }
    may(i, by, Action::Triage(Eligibility::Eligible), "triage")?;
    if contract.contract_year(on).is_none() {
        return Err(R::OutsideTerm(on));
    }
    let lot = contract
        .lot(lot_id)
        .ok_or_else(|| R::UnknownLot(lot_id.clone()))?;
    let region = facts
        .register
        .get(&key)
        .and_then(|b| b.regierungsbezirk.as_ref().map(ToString::to_string));
    if !lot.serves_region(region.as_deref()) {
        return Err(R::LotNotForRegion {
            lot: lot_id.clone(),
            region: region.unwrap_or_else(|| "none".to_string()),
        });
    }
    if lot
        .sla
        .window(severity, crate::sla::WindowKind::Acceptance)
        .is_none()
    {
        return Err(R::NoSlaForSeverity {
            lot: lot_id.clone(),
            severity,
        });
    }
    Ok(vec![E::Triaged {
        severity,
        lot: lot_id.clone(),
    }])
}

fn amount_of(lot: &Lot, estimate: &Estimate) -> Result<(Money, Option<rust_decimal::Decimal>), R> {
    match estimate {
        Estimate::Amount(m) => Ok((*m, None)),
        Estimate::PersonDays(d) => {
            if *d <= rust_decimal::Decimal::ZERO {
                return Err(R::BadEstimate(d.to_string()));
            }
            let m = lot
                .estimate(*d)
                .ok_or_else(|| R::BadEstimate(d.to_string()))?;
            Ok((m, Some(*d)))
        }
    }
}

fn dispatch_events(
    i: &Incident,
    lot: &Lot,
    call_off: &CallOffId,
    facts: &Facts<'_>,
    now: DateTime<Utc>,
) -> Out {
    let order = lot.provider_order(facts.previous_first);
    let Some(first) = order.first().cloned() else {
        return Err(R::InState(i.state()));
    };
    let mut out = vec![E::Dispatched {
        call_off: call_off.clone(),
        provider: first.clone(),
        order,
    }];
    out.extend(start_all(i, lot, &first, now, facts)?);
    Ok(out)
}

pub(super) fn dispatch(
    i: &Incident,
    by: &Principal,
    estimate: &Estimate,
    facts: &Facts<'_>,
    now: DateTime<Utc>,
) -> Out {
    may(i, by, Action::Dispatch, "dispatch")?;
    let lot = lot_of(i, facts)?;
    // Re-dispatch of an unserved incident keeps its active reservation.
    if let Some(co) = &i.call_off
        && let Some(r) = facts.ledger.reservation(co)
    {
        match r.state {
            ReservationState::Active => return dispatch_events(i, lot, co, facts, now),
            ReservationState::PendingApproval => return Err(R::AwaitingApproval),
            _ => {}
        }
    }
    let (amount, person_days) = amount_of(lot, estimate)?;
    let year = facts
        .contract
        .and_then(|c| c.contract_year(report_date(i)))
        .ok_or(R::OutsideTerm(report_date(i)))?;
    let call_off = facts.next_call_off.clone();
    let mut out = ledger(
        facts,
        lot,
        LedgerCommand::Reserve {
            call_off: call_off.clone(),
            body: i.body.clone(),
            lot: lot.id.clone(),
            year: i32::try_from(year).unwrap_or(i32::MAX),
            amount,
            person_days,
        },
    )?;
    let waits = out.iter().any(|e| {
        matches!(
            e,
            E::Ledger(LedgerEvent::ReservationAwaitingApproval { .. })
        )
    });
    if !waits {
        out.extend(dispatch_events(i, lot, &call_off, facts, now)?);
    }
    Ok(out)
}

fn pending_call_off(i: &Incident, facts: &Facts<'_>) -> Result<CallOffId, R> {
    let co = i.call_off.clone().ok_or(R::InState(i.state()))?;
    match facts.ledger.reservation(&co) {
        Some(r) if r.state == ReservationState::PendingApproval => Ok(co),
        _ => Err(R::Ledger(
            crate::ledger::LedgerRejection::NotAwaitingApproval(co),
        )),
    }
}

pub(super) fn approve_reservation(
    i: &Incident,
    by: &Principal,
    facts: &Facts<'_>,
    now: DateTime<Utc>,
) -> Out {
    coordinator_only(by, "approve a reservation")?;
    let co = pending_call_off(i, facts)?;
    let lot = lot_of(i, facts)?;
    let mut out = ledger(
        facts,
        lot,
        LedgerCommand::Approve {
            call_off: co.clone(),
        },
    )?;
    if i.state().allowed(Action::Dispatch).is_ok() {
        out.extend(dispatch_events(i, lot, &co, facts, now)?);
    }
    Ok(out)
}

pub(super) fn refuse_reservation(
    i: &Incident,
    by: &Principal,
    reason: &str,
    facts: &Facts<'_>,
) -> Out {
    coordinator_only(by, "refuse a reservation")?;
    if reason.trim().is_empty() {
        return Err(R::Empty("reason"));
    }
    let co = pending_call_off(i, facts)?;
    ledger(
        facts,
        lot_of(i, facts)?,
        LedgerCommand::Refuse { call_off: co },
    )
}

fn open_reservation(i: &Incident, facts: &Facts<'_>) -> Option<CallOffId> {
    let co = i.call_off.as_ref()?;
    let r = facts.ledger.reservation(co)?;
    matches!(
        r.state,
        ReservationState::Active | ReservationState::PendingApproval
    )
    .then(|| co.clone())
}

pub(super) fn close(
    i: &Incident,
    by: &Principal,
    final_report_ref: &str,
    facts: &Facts<'_>,
    now: DateTime<Utc>,
) -> Out {
    may(i, by, Action::Close, "close")?;
    if final_report_ref.trim().is_empty() {
        return Err(R::Empty("final_report_ref"));
    }
    let open = i
        .time_entries
        .values()
        .filter(|e| {
            matches!(
                e.state,
                TimeEntryState::Submitted | TimeEntryState::Disputed
            )
        })
        .count();
    if open > 0 {
        return Err(R::OpenTimeEntries(open));
    }
    let mut out = Vec::new();
    if let Some(p) = &i.provider {
        out.extend(cancel_all(i, p, now, facts)?);
    }
    let mut released = Money::ZERO;
    if let Some(co) = open_reservation(i, facts) {
        let events = ledger(
            facts,
            lot_of(i, facts)?,
            LedgerCommand::Close { call_off: co },
        )?;
        for e in &events {
            if let E::Ledger(LedgerEvent::Released { amount, .. }) = e {
                released = released.checked_add(*amount).unwrap_or(released);
            }
        }
        out.extend(events);
    }
    out.push(E::Closed {
        final_report_ref: final_report_ref.to_string(),
        released,
    });
    Ok(out)
}

/// Withdraw (by the body) or cancel (by the coordinator): cancels clocks, voids money.
pub(super) fn end(
    i: &Incident,
    by: &Principal,
    action: Action,
    reason: &str,
    facts: &Facts<'_>,
    now: DateTime<Utc>,
) -> Out {
    may(
        i,
        by,
        action,
        if action == Action::Withdraw {
            "withdraw"
        } else {
            "cancel"
        },
    )?;
    if reason.trim().is_empty() {
        return Err(R::Empty("reason"));
    }
    let mut out = Vec::new();
    if let Some(p) = &i.provider {
        out.extend(cancel_all(i, p, now, facts)?);
    }
    let mut voided = Money::ZERO;
    if let Some(co) = open_reservation(i, facts) {
        let events = ledger(
            facts,
            lot_of(i, facts)?,
            LedgerCommand::Void { call_off: co },
        )?;
        for e in &events {
            if let E::Ledger(LedgerEvent::Voided { amount, .. }) = e {
                voided = voided.checked_add(*amount).unwrap_or(voided);
            }
        }
        out.extend(events);
    }
    out.push(if action == Action::Withdraw {
        E::Withdrawn {
            reason: reason.to_string(),
        }
    } else {
        E::Cancelled {
            reason: reason.to_string(),
            voided,
        }
    });
    Ok(out)
}

pub(super) fn submit_time(
    i: &Incident,
    by: &Principal,
    role: &RoleId,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    description: &str,
    facts: &Facts<'_>,
) -> Out {
    use super::super::state::IncidentState as S;
    let provider = i.provider.clone().ok_or(R::NoAcceptedCallOff)?;
    if !principal::can_submit_time_entry(by, &provider) {
        return Err(forbidden(by, "submit time entries"));
    }
    if !matches!(
        i.state(),
        S::Accepted | S::Responding | S::OnSite | S::Contained | S::Recovered
    ) {
        return Err(R::NoAcceptedCallOff);
    }
    let lot = lot_of(i, facts)?;
    if !lot.rates.contains_key(role) {
        return Err(R::UnknownRole(role.clone()));
    }
    let entry = TimeEntry {
        role: role.clone(),
        start,
        end,
        description: description.to_string(),
    };
    let priced = pricing::price(&entry, &lot.rate_card(), &lot.surcharges(), Berlin, |d| {
        nrw_holiday_name(d).is_some()
    })?;
    let no = TimeEntryNo(u32::try_from(i.time_entries.len() + 1).unwrap_or(u32::MAX));
    Ok(vec![E::TimeEntrySubmitted {
        entry: no,
        provider,
        role: role.clone(),
        start,
        end,
        description: description.to_string(),
        amount: priced.net_total,
    }])
}

fn entry_id(no: TimeEntryNo) -> Result<EntryId, R> {
    EntryId::new(format!("TE-{}", no.0)).map_err(|_| R::UnknownEntry(no))
}

fn entry_in(
    i: &Incident,
    no: TimeEntryNo,
    allowed: &[TimeEntryState],
    what: &'static str,
) -> Result<Money, R> {
    let e = i.time_entries.get(&no).ok_or(R::UnknownEntry(no))?;
    if !allowed.contains(&e.state) {
        let state = match e.state {
            TimeEntryState::Submitted => "submitted",
            TimeEntryState::Approved => "approved",
            TimeEntryState::Disputed => "disputed",
            TimeEntryState::Reversed => "reversed",
        };
        return Err(R::EntryState {
            entry: no,
            state,
            what,
        });
    }
    Ok(e.amount)
}

pub(super) fn approve_time(
    i: &Incident,
    by: &Principal,
    no: TimeEntryNo,
    facts: &Facts<'_>,
) -> Out {
    if !principal::can_review_time_entry(by, &i.body) {
        return Err(forbidden(by, "approve time entries"));
    }
    let amount = entry_in(
        i,
        no,
        &[TimeEntryState::Submitted, TimeEntryState::Disputed],
        "approved",
    )?;
    let co = i.call_off.clone().ok_or(R::NoAcceptedCallOff)?;
    let mut out = ledger(
        facts,
        lot_of(i, facts)?,
        LedgerCommand::Post {
            call_off: co,
            entry_id: entry_id(no)?,
            amount,
        },
    )?;
    out.push(E::TimeEntryApproved { entry: no, amount });
    Ok(out)
}

pub(super) fn dispute_time(i: &Incident, by: &Principal, no: TimeEntryNo, reason: &str) -> Out {
    if !principal::can_review_time_entry(by, &i.body) {
        return Err(forbidden(by, "dispute time entries"));
    }
    if reason.trim().is_empty() {
        return Err(R::Empty("reason"));
    }
    entry_in(i, no, &[TimeEntryState::Submitted], "disputed")?;
    Ok(vec![E::TimeEntryDisputed {
        entry: no,
        reason: reason.to_string(),
    }])
}

pub(super) fn reverse_time(
    i: &Incident,
    by: &Principal,
    no: TimeEntryNo,
    reason: &str,
    facts: &Facts<'_>,
) -> Out {
    coordinator_only(by, "reverse a posted time entry")?;
    if reason.trim().is_empty() {
        return Err(R::Empty("reason"));
    }
    let amount = entry_in(i, no, &[TimeEntryState::Approved], "reversed")?;
    let co = i.call_off.clone().ok_or(R::NoAcceptedCallOff)?;
    let mut out = ledger(
        facts,
        lot_of(i, facts)?,
        LedgerCommand::Reverse {
            call_off: co,
            entry_id: entry_id(no)?,
        },
    )?;
    out.push(E::TimeEntryReversed {
        entry: no,
        amount,
        reason: reason.to_string(),
    });
    Ok(out)
}

pub(super) fn amend(
    i: &Incident,
    by: &Principal,
    estimate: &Estimate,
    reason: &str,
    facts: &Facts<'_>,
) -> Out {
    let allowed = match by.role() {
        Role::Coordinator => true,
        Role::Provider => i.provider.as_ref().is_some_and(|p| by.is_provider(p)),
        Role::Body | Role::Auditor => false,
    };
    if !allowed {
        return Err(forbidden(by, "amend the call-off"));
    }
    if reason.trim().is_empty() {
        return Err(R::Empty("reason"));
    }
    let lot = lot_of(i, facts)?;
    let (new_amount, _) = amount_of(lot, estimate)?;
    let co = i.call_off.clone().ok_or(R::InState(i.state()))?;
    ledger(
        facts,
        lot,
        LedgerCommand::Amend {
            call_off: co,
            new_amount,
        },
    )
}

pub(super) fn decide_amendment(
    i: &Incident,
    by: &Principal,
    approve: bool,
    facts: &Facts<'_>,
) -> Out {
    coordinator_only(by, "decide on an amendment")?;
    let co = i.call_off.clone().ok_or(R::InState(i.state()))?;
    let pending = facts
        .ledger
        .reservation(&co)
        .is_some_and(|r| r.pending_raise.is_some() && r.state == ReservationState::Active);
    if !pending {
        return Err(R::Ledger(
            crate::ledger::LedgerRejection::NotAwaitingApproval(co),
        ));
    }
    let command = if approve {
        LedgerCommand::Approve { call_off: co }
    } else {
        LedgerCommand::Refuse { call_off: co }
    };
    ledger(facts, lot_of(i, facts)?, command)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_ids_are_valid() {
        assert_eq!(
            entry_id(TimeEntryNo(7)).map(|e| e.as_str().to_string()),
            Ok("TE-7".to_string())
        );
    }
}
