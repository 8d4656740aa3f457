//! Validation of a contract file: every problem with its path, or a [`Contract`].

use super::{
    CallOffLimits, CallOffLimitsSpec, Contract, ContractSpec, LotSpec, MAX_TERM_YEARS, Provider,
    add_years,
};
use crate::calendar::Calendars;
use crate::ids::{CalendarId, ProviderId};
use crate::money::Money;
use crate::validation::Problems;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};

impl ContractSpec {
    /// Checks the whole contract file and returns the validated contract, or every problem
    /// found (term over four years, non-positive money, lot ceilings above the maximum,
    /// unknown roles, calendars or providers, duplicates, lots without providers, …).
    pub fn validate(&self) -> Result<Contract, Vec<crate::validation::Problem>> {
        let mut p = Problems::new();
        self.check_term(&mut p);
        let maximum = positive(&mut p, "maximum_value", self.maximum_value);
        let estimated = positive(&mut p, "estimated_value", self.estimated_value);
        if self.estimated_value > self.maximum_value && self.maximum_value > Decimal::ZERO {
            p.push(
                "estimated_value",
                format!(
                    "estimated value {} is above the maximum value {}",
                    self.estimated_value, self.maximum_value
                ),
            );
        }
        check_levels(&mut p, &self.warning_levels);
        let per_body_year = self
            .limits
            .per_body_year
            .and_then(|v| positive(&mut p, "limits.per_body_year", v));
        if self.vat_percent < Decimal::ZERO || self.vat_percent > Decimal::ONE_HUNDRED {
            p.push("vat_percent", "must be between 0 and 100");
        }
        p.extend_under("eligibility", self.eligibility.validate());
        let presets = Calendars::presets();
        for (id, spec) in &self.calendars {
            if presets.contains(id) {
                p.push(
                    format!("calendars.{id}"),
                    "redefines a built-in calendar; choose another name",
                );
            }
            p.extend_under(&format!("calendars.{id}"), spec.validate());
        }
        let providers = self.check_providers(&mut p);
        let known_calendar = |c: &CalendarId| presets.contains(c) || self.calendars.contains_key(c);
        let mut lots = Vec::new();
        let mut lot_ids = BTreeSet::new();
        let mut ceilings = Decimal::ZERO;
        for (i, lot) in self.lots.iter().enumerate() {
            let path = format!("lots[{i}]");
            if !lot_ids.insert(lot.id.clone()) {
                p.push(format!("{path}.id"), format!("duplicate lot id {}", lot.id));
            }
            ceilings += lot.ceiling.unwrap_or(Decimal::ZERO);
            if let Some(l) = check_lot(&mut p, &path, lot, &providers, &known_calendar) {
                lots.push(l);
            }
        }
        if self.lots.is_empty() {
            p.push(
                "lots",
                "the contract has no lots; add at least one [[lots]] table",
            );
        }
        if ceilings > self.maximum_value {
            p.push(
                "lots",
                format!(
                    "lot ceilings sum to {ceilings}, above the contract maximum value {}",
                    self.maximum_value
                ),
            );
        }
        if !p.is_empty() {
            return Err(p.into_vec());
        }
        Ok(Contract {
            id: self.id.clone(),
            title: self.title.clone(),
            awarding_authority: self.awarding_authority.clone(),
            illustrative: self.illustrative,
            term_start: self.term.start,
            term_end: self.term.end,
            estimated_value: estimated.unwrap_or_default(),
            maximum_value: maximum.unwrap_or_default(),
            warning_levels: self.warning_levels.clone(),
            per_body_year,
            vat_percent: self.vat_percent,
            eligibility: self.eligibility.clone(),
            calendars: self.calendars.clone(),
            providers,
            lots,
        })
    }

    fn check_term(&self, p: &mut Problems) {
        let (start, end) = (self.term.start, self.term.end);
        if end < start {
            p.push("term", format!("ends {end} before it starts {start}"));
        } else if add_years(start, MAX_TERM_YEARS).is_none_or(|limit| end >= limit) {
            p.push(
                "term",
                format!(
                    "runs from {start} to {end}, longer than {MAX_TERM_YEARS} years (§ 21 (6) VgV)"
                ),
            );
        }
    }

    fn check_providers(&self, p: &mut Problems) -> BTreeMap<ProviderId, Provider> {
        let mut out = BTreeMap::new();
        for (i, prov) in self.providers.iter().enumerate() {
            if prov.name.trim().is_empty() {
                p.push(format!("providers[{i}].name"), "must not be empty");
            }
            let entry = Provider {
                id: prov.id.clone(),
                name: prov.name.clone(),
                contact: prov.contact.clone(),
            };
            if out.insert(prov.id.clone(), entry).is_some() {
                p.push(
                    format!("providers[{i}].id"),
                    format!("duplicate provider id {}", prov.id),
                );
            }
        }
        out
    }
}

fn positive(p: &mut Problems, path: &str, amount: Decimal) -> Option<Money> {
    if amount <= Decimal::ZERO {
        p.push(path, format!("amount must be positive, got {amount}"));
        return None;
    }
    match Money::cents(amount) {
        Ok(m) => Some(m),
        Err(e) => {
            p.push(path, e.to_string());
            None
        }
    }
}

fn check_levels(p: &mut Problems, levels: &[u8]) {
    if levels.iter().any(|l| *l == 0 || *l >= 100) {
        p.push(
            "warning_levels",
            "each level must be between 1 and 99 percent",
        );
    }
    if levels.windows(2).any(|w| w[0] >= w[1]) {
        p.push("warning_levels", "levels must be strictly ascending");
    }
}

fn check_lot(
    p: &mut Problems,
    path: &str,
    lot: &LotSpec,
    providers: &BTreeMap<ProviderId, Provider>,
    known_calendar: &dyn Fn(&CalendarId) -> bool,
) -> Option<super::Lot> {
    let mut q = Problems::new();
    if lot.providers.is_empty() {
        q.push(
            format!("{path}.providers"),
            "a lot needs at least one provider",
        );
    }
    let mut seen = BTreeSet::new();
    for (r, prov) in lot.providers.iter().enumerate() {
        if !providers.contains_key(prov) {
            q.push(
                format!("{path}.providers[{r}]"),
                format!("unknown provider {prov}"),
            );
        }
        if !seen.insert(prov) {
            q.push(
                format!("{path}.providers[{r}]"),
                format!("provider {prov} is ranked twice"),
            );
        }
    }
    for (r, region) in lot.regions.iter().enumerate() {
        if region.len() != 3 || !region.bytes().all(|b| b.is_ascii_digit()) {
            q.push(
                format!("{path}.regions[{r}]"),
                format!("{region:?} is not a Regierungsbezirk key (3 digits, e.g. \"053\")"),
            );
        }
    }
    let ceiling = lot
        .ceiling
        .and_then(|c| positive(&mut q, &format!("{path}.ceiling"), c));
    let mut rates = BTreeMap::new();
    if lot.rate_card.roles.is_empty() {
        q.push(
            format!("{path}.rate_card.roles"),
            "the rate card lists no roles",
        );
    }
    for (role, rate) in &lot.rate_card.roles {
        if *rate <= Decimal::ZERO {
            q.push(
                format!("{path}.rate_card.roles.{role}"),
                "rate must be positive",
            );
        } else if let Some(m) = positive(&mut q, &format!("{path}.rate_card.roles.{role}"), *rate) {
            rates.insert(role.clone(), m);
        }
    }
    let day = lot.rate_card.hours_per_day;
    if day <= Decimal::ZERO || day > Decimal::from(24) {
        q.push(
            format!("{path}.rate_card.hours_per_day"),
            "must be more than 0 and at most 24",
        );
    }
    let estimate_role = match &lot.rate_card.estimate_role {
        Some(r) if !lot.rate_card.roles.contains_key(r) => {
            q.push(
                format!("{path}.rate_card.estimate_role"),
                format!("unknown role {r}; it must be listed in rate_card.roles"),
            );
            None
        }
        Some(r) => Some(r.clone()),
        None => lot.rate_card.roles.keys().next().cloned(),
    };
    let s = &lot.surcharges;
    for (name, v) in [
        ("night_percent", s.night_percent),
        ("weekend_percent", s.weekend_percent),
        ("holiday_percent", s.holiday_percent),
    ] {
        if v < Decimal::ZERO || v > Decimal::from(300) {
            q.push(
                format!("{path}.surcharges.{name}"),
                "must be between 0 and 300 percent",
            );
        }
    }
    let limits = check_limits(&mut q, &format!("{path}.limits"), &lot.limits, ceiling);
    q.extend_under(&format!("{path}.sla"), lot.sla.validate(known_calendar));
    let ok = q.is_empty();
    p.extend_under("", q.into_vec());
    if !ok {
        return None;
    }
    Some(super::Lot {
        id: lot.id.clone(),
        title: lot.title.clone(),
        scope: lot.scope.clone(),
        regions: lot.regions.clone(),
        ceiling,
        providers: lot.providers.clone(),
        selection: lot.selection,
        rates,
        hours_per_day: day,
        estimate_role: estimate_role?,
        night_percent: s.night_percent,
        night_from: s.night_from,
        night_to: s.night_to,
        weekend_percent: s.weekend_percent,
        holiday_percent: s.holiday_percent,
        limits,
        sla: lot.sla.clone(),
    })
}

fn check_limits(
    p: &mut Problems,
    path: &str,
    spec: &CallOffLimitsSpec,
    ceiling: Option<Money>,
) -> CallOffLimits {
    let opt = |p: &mut Problems, name: &str, v: Option<Decimal>| {
        v.and_then(|v| positive(p, &format!("{path}.{name}"), v))
    };
    let limits = CallOffLimits {
        per_call_off: opt(p, "per_call_off", spec.per_call_off),
        per_call_off_person_days: spec.per_call_off_person_days,
        approval_threshold: opt(p, "approval_threshold", spec.approval_threshold),
    };
    if spec
        .per_call_off_person_days
        .is_some_and(|d| d <= Decimal::ZERO)
    {
        p.push(
            format!("{path}.per_call_off_person_days"),
            "must be positive",
        );
    }
    if let (Some(c), Some(cap)) = (ceiling, limits.per_call_off)
        && cap > c
    {
        p.push(
            format!("{path}.per_call_off"),
            format!("{cap} is above the lot ceiling {c}"),
        );
    }
    limits
}
