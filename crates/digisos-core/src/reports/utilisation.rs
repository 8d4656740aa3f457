//! Utilisation report (*Ausschöpfung*): reserved, posted, released and remaining money
//! per contract, lot, provider, contract year and body per contract year, with the
//! warning levels reached.

use crate::incident::{Incident, Milestone};
use crate::ledger::{Balance, CallOffId, LimitKey};
use crate::money::Money;
use crate::programme::Programme;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a line of the utilisation report adds up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UtilisationScope {
    /// The whole contract, against its maximum value (*Höchstwert*).
    Contract,
    /// One lot, against its ceiling.
    Lot,
    /// The call-offs a provider accepted (key `-`: not accepted by anyone yet).
    Provider,
    /// All call-offs of one contract year (key: the year index, 1-based).
    ContractYear,
    /// One body in one contract year, against the per-body-per-year cap (key `BODY/YEAR`).
    BodyYear,
}

impl UtilisationScope {
    /// The scope's serialised name (`contract_year`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            UtilisationScope::Contract => "contract",
            UtilisationScope::Lot => "lot",
            UtilisationScope::Provider => "provider",
            UtilisationScope::ContractYear => "contract_year",
            UtilisationScope::BodyYear => "body_year",
        }
    }
}

/// One line of the utilisation report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UtilisationLine {
    /// What the line adds up.
    pub scope: UtilisationScope,
    /// Contract id, lot id, provider id, year index or `BODY/YEAR`.
    pub key: String,
    /// A name for people (lot title, provider or body name); empty if unknown.
    pub name: String,
    /// Number of call-offs counted (reservations, also resolved ones).
    pub call_offs: u32,
    /// The limit, if the scope has one.
    pub limit: Option<Money>,
    /// Held by open reservations and not yet posted.
    pub reserved: Money,
    /// Posted by approved time entries (net of reversals).
    pub posted: Money,
    /// Released by closes, voids, refusals and lowerings.
    pub released: Money,
    /// Still free under the limit; `None` without a limit.
    pub remaining: Option<Money>,
    /// `posted + reserved` in percent of the limit (two decimals); `None` without a limit.
    pub percent: Option<Decimal>,
    /// Warning levels (percent) announced for this limit (contract and lots only).
    pub warnings_reached: Vec<u8>,
}

/// The utilisation report as of `as_of`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UtilisationReport {
    /// The instant the report describes.
    pub as_of: DateTime<Utc>,
    /// The contract in force, if one was adopted.
    pub contract: Option<String>,
    /// True once the contract maximum was reached (EuGH C-23/20): no new call-offs.
    pub exhausted: bool,
    /// Contract, lots, providers, contract years, body-years, in that order.
    pub lines: Vec<UtilisationLine>,
}

#[derive(Default)]
struct Sum {
    call_offs: u32,
    reserved: Money,
    posted: Money,
    released: Money,
}

impl Sum {
    fn add(&mut self, reserved: Money, posted: Money, released: Money) {
        self.call_offs = self.call_offs.saturating_add(1);
        for (total, part) in [
            (&mut self.reserved, reserved),
            (&mut self.posted, posted),
            (&mut self.released, released),
        ] {
            *total = total.checked_add(part).unwrap_or(*total);
        }
    }

    fn line(&self, scope: UtilisationScope, key: String, name: String) -> UtilisationLine {
        line(scope, key, name, self, None, Vec::new())
    }
}

fn line(
    scope: UtilisationScope,
    key: String,
    name: String,
    sum: &Sum,
    limit: Option<Money>,
    warnings_reached: Vec<u8>,
) -> UtilisationLine {
    let used = sum.posted.checked_add(sum.reserved).unwrap_or(sum.posted);
    UtilisationLine {
        scope,
        key,
        name,
        call_offs: sum.call_offs,
        limit,
        reserved: sum.reserved,
        posted: sum.posted,
        released: sum.released,
        remaining: limit.map(|l| l.saturating_sub(used)),
        percent: limit.map(|l| {
            let mut p = used.percent_of(l);
            p.rescale(2);
            p
        }),
        warnings_reached,
    }
}

fn from_balance(
    scope: UtilisationScope,
    key: String,
    name: String,
    balance: Option<&Balance>,
    call_offs: u32,
    fallback_limit: Option<Money>,
) -> UtilisationLine {
    let sum = Sum {
        call_offs,
        reserved: balance.map_or(Money::ZERO, |b| b.reserved),
        posted: balance.map_or(Money::ZERO, |b| b.posted),
        released: balance.map_or(Money::ZERO, |b| b.released),
    };
    let limit = balance.map_or(fallback_limit, |b| b.limit.or(fallback_limit));
    let warnings = balance.map_or_else(Vec::new, |b| b.warnings_reached.iter().copied().collect());
    line(scope, key, name, &sum, limit, warnings)
}

/// The utilisation of the contract in force as of `now`. Call it for the ministry's
/// monthly figures or before a large call-off; it never fails (an empty programme gives
/// an empty report).
pub fn utilisation(programme: &Programme, now: DateTime<Utc>) -> UtilisationReport {
    let ledger = programme.ledger();
    let contract = programme.contract();
    let by_call_off: BTreeMap<&CallOffId, &Incident> = programme
        .incidents()
        .values()
        .filter_map(|i| i.call_off.as_ref().map(|c| (c, i.as_ref())))
        .collect();

    let mut lots: BTreeMap<String, u32> = BTreeMap::new();
    let mut providers: BTreeMap<String, Sum> = BTreeMap::new();
    let mut years: BTreeMap<i32, Sum> = BTreeMap::new();
    let mut body_years: BTreeMap<(String, i32), u32> = BTreeMap::new();
    let mut total = 0u32;
    for (id, r) in ledger.reservations() {
        total = total.saturating_add(1);
        let count = lots.entry(r.lot.to_string()).or_default();
        *count = count.saturating_add(1);
        let count = body_years.entry((r.body.clone(), r.year)).or_default();
        *count = count.saturating_add(1);
        let (reserved, posted, released) = (r.unposted(), r.posted, r.released);
        let provider = by_call_off
            .get(id)
            .filter(|i| i.milestones.contains_key(&Milestone::Accepted))
            .and_then(|i| i.provider.as_ref())
            .map_or_else(|| "-".to_string(), ToString::to_string);
        providers
            .entry(provider)
            .or_default()
            .add(reserved, posted, released);
        years
            .entry(r.year)
            .or_default()
            .add(reserved, posted, released);
    }

    let mut lines = Vec::new();
    if let Some(c) = contract {
        lines.push(from_balance(
            UtilisationScope::Contract,
            c.id.to_string(),
            c.title.clone(),
            ledger.balance(&LimitKey::Contract),
            total,
            Some(c.maximum_value),
        ));
        for lot in &c.lots {
            lines.push(from_balance(
                UtilisationScope::Lot,
                lot.id.to_string(),
                lot.title.clone(),
                ledger.balance(&LimitKey::Lot(lot.id.clone())),
                lots.get(lot.id.as_str()).copied().unwrap_or(0),
                lot.ceiling,
            ));
        }
    }
    for (provider, sum) in &providers {
        let name = contract
            .and_then(|c| c.providers.iter().find(|(id, _)| id.as_str() == provider))
            .map_or_else(
                || "(no provider has accepted)".to_string(),
                |(_, p)| p.name.clone(),
            );
        lines.push(sum.line(UtilisationScope::Provider, provider.clone(), name));
    }
    for (year, sum) in &years {
        lines.push(sum.line(
            UtilisationScope::ContractYear,
            year.to_string(),
            String::new(),
        ));
    }
    for ((body, year), count) in &body_years {
        let key = LimitKey::BodyYear {
            body: body.clone(),
            year: *year,
        };
        lines.push(from_balance(
            UtilisationScope::BodyYear,
            format!("{body}/{year}"),
            body_name(programme, body),
            ledger.balance(&key),
            *count,
            None,
        ));
    }
    UtilisationReport {
        as_of: now,
        contract: contract.map(|c| c.id.to_string()),
        exhausted: ledger.is_exhausted(),
        lines,
    }
}

/// The register name of `body`, or an empty string.
pub(super) fn body_name(programme: &Programme, body: &str) -> String {
    body.parse()
        .ok()
        .and_then(|key| programme.register().get(&key))
        .map_or_else(String::new, |b| b.name.clone())
}
