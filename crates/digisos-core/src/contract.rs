//! The framework contract (*Rahmenvertrag*, § 21 VgV): term, values, lots, providers,
//! rate cards, surcharges, call-off limits, SLA policies, calendars and eligibility rules.
//!
//! A contract file is read by an adapter (TOML) into a [`ContractSpec`]; [`ContractSpec::validate`]
//! returns either a [`Contract`] whose preconditions hold, or **every** problem with its path.

mod lot;
mod spec;
mod validate;

#[cfg(test)]
mod tests;

pub use lot::{CallOffLimits, Lot, Provider, ProviderSelection};
pub use spec::{
    CallOffLimitsSpec, ContractSpec, LotSpec, ProviderSpec, RateCardSpec, SurchargesSpec, TermSpec,
};

use crate::calendar::Calendars;
use crate::calendar::spec::CalendarSpec;
use crate::eligibility::RuleSet;
use crate::ids::{CalendarId, ContractId, LotId, ProviderId};
use crate::money::Money;
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

/// The longest term a framework contract may have (§ 21 (6) VgV: four years).
pub const MAX_TERM_YEARS: i32 = 4;

/// A validated framework contract. Built only by [`ContractSpec::validate`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contract {
    /// Contract id.
    pub id: ContractId,
    /// Title.
    pub title: String,
    /// Awarding authority (*Vergabestelle*).
    pub awarding_authority: String,
    /// True for the project's illustrative example contracts.
    pub illustrative: bool,
    /// First day of the term.
    pub term_start: NaiveDate,
    /// Last day of the term (inclusive).
    pub term_end: NaiveDate,
    /// Estimated total value, net.
    pub estimated_value: Money,
    /// Maximum value (*Höchstwert*), net. At 100 % the framework is exhausted (EuGH C-23/20).
    pub maximum_value: Money,
    /// Percentages of the maximum at which warnings are raised, ascending (e.g. 80, 90).
    pub warning_levels: Vec<u8>,
    /// Maximum net amount one body may reserve per contract year, over all lots.
    pub per_body_year: Option<Money>,
    /// VAT rate in percent, shown separately, never part of limits.
    pub vat_percent: Decimal,
    /// Who may call off.
    pub eligibility: RuleSet,
    /// Named calendars defined by the contract (presets `24x7`, `nrw-business` always exist).
    pub calendars: BTreeMap<CalendarId, CalendarSpec>,
    /// Providers by id.
    pub providers: BTreeMap<ProviderId, Provider>,
    /// Lots in the order of the contract file.
    pub lots: Vec<Lot>,
}

impl Contract {
    /// The lot with this id, if any.
    pub fn lot(&self, id: &LotId) -> Option<&Lot> {
        self.lots.iter().find(|l| &l.id == id)
    }

    /// True if `on` lies within the term.
    pub fn in_term(&self, on: NaiveDate) -> bool {
        self.term_start <= on && on <= self.term_end
    }

    /// The contract year (1-based) that contains `on`, counted from the term start; `None`
    /// outside the term. Per-body-per-year limits are counted per contract year.
    pub fn contract_year(&self, on: NaiveDate) -> Option<u32> {
        if !self.in_term(on) {
            return None;
        }
        let mut year = 1u32;
        let mut start = self.term_start;
        loop {
            let next = add_years(start, 1)?;
            if on < next {
                return Some(year);
            }
            start = next;
            year += 1;
        }
    }

    /// The lots a body in Regierungsbezirk `region` may call off from, in contract order.
    pub fn lots_for_region<'a>(&'a self, region: Option<&'a str>) -> impl Iterator<Item = &'a Lot> {
        self.lots.iter().filter(move |l| l.serves_region(region))
    }

    /// The contract's calendars together with the built-in presets, compiled.
    ///
    /// Fails only if a calendar spec is invalid, which validation already excludes.
    pub fn compiled_calendars(&self) -> Result<Calendars, Vec<crate::validation::Problem>> {
        Calendars::from_specs(&self.calendars)
    }
}

/// `date` plus whole years (29 Feb → 28 Feb in non-leap years).
pub(crate) fn add_years(date: NaiveDate, years: i32) -> Option<NaiveDate> {
    let y = date.year() + years;
    NaiveDate::from_ymd_opt(y, date.month(), date.day())
        .or_else(|| NaiveDate::from_ymd_opt(y, date.month(), date.day() - 1))
}
