//! The facts `decide` needs beside the incident itself: the contract in force, the
//! compiled calendars, the register, the ledger and the programme's counters.

use crate::calendar::Calendars;
use crate::contract::{Contract, Lot};
use crate::ids::{LotId, ProviderId};
use crate::ledger::{CallOffId, Ledger, Limits};
use crate::register::Register;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::Berlin;

/// Read-only facts for one decision. Built by the programme from its state.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    /// The contract in force, if one was adopted.
    pub contract: Option<&'a Contract>,
    /// Presets plus the contract's calendars.
    pub calendars: &'a Calendars,
    /// The register of bodies.
    pub register: &'a Register,
    /// The limits ledger of the contract.
    pub ledger: &'a Ledger,
    /// The provider asked first for the lot's previous call-off (for rotation).
    pub previous_first: Option<&'a ProviderId>,
    /// The id a new call-off gets.
    pub next_call_off: &'a CallOffId,
}

impl<'a> Facts<'a> {
    /// The lot `id` of the contract in force.
    pub(crate) fn lot(&self, id: &LotId) -> Option<&'a Lot> {
        self.contract?.lot(id)
    }

    /// The ledger limits that apply to a call-off in `lot`.
    pub(crate) fn limits(&self, lot: &Lot) -> Option<Limits> {
        let c = self.contract?;
        let mut limits = Limits::new(c.maximum_value);
        limits.lot_ceilings = c
            .lots
            .iter()
            .filter_map(|l| l.ceiling.map(|m| (l.id.clone(), m)))
            .collect();
        limits.body_year_cap = c.per_body_year;
        limits.call_off_cap = lot.limits.per_call_off;
        limits.call_off_person_days_cap = lot.limits.per_call_off_person_days;
        limits.approval_threshold = lot.limits.approval_threshold;
        limits.warning_levels.clone_from(&c.warning_levels);
        Some(limits)
    }
}

/// The calendar date of an instant in Europe/Berlin (dates of the programme are local).
pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&Berlin).date_naive()
}
