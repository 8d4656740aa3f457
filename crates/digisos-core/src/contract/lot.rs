//! A validated lot (*Los*): ranked providers, selection, rates, surcharges, limits, SLA.

use crate::ids::{LotId, ProviderId, RoleId};
use crate::money::Money;
use crate::sla::SlaPolicy;
use chrono::NaiveTime;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How the first provider of a new call-off is chosen in a lot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderSelection {
    /// Always start with the first-ranked provider; on decline or timeout go down the ranking.
    #[default]
    Cascade,
    /// Start with the provider after the one that got the previous call-off (round robin),
    /// then continue down the ranking, wrapping around.
    Rotation,
}

/// A provider of the framework.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provider {
    /// Provider id.
    pub id: ProviderId,
    /// Name.
    pub name: String,
    /// Contact for dispatch.
    pub contact: String,
}

/// Call-off limits of a lot, validated (all amounts positive).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallOffLimits {
    /// Maximum net amount of one call-off.
    pub per_call_off: Option<Money>,
    /// Maximum person-days of one call-off.
    pub per_call_off_person_days: Option<Decimal>,
    /// Reservations above this need the coordinator's approval.
    pub approval_threshold: Option<Money>,
}

/// A validated lot.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lot {
    /// Lot id.
    pub id: LotId,
    /// Title.
    pub title: String,
    /// Scope of services.
    pub scope: String,
    /// Regierungsbezirke served; empty = the whole Land.
    pub regions: Vec<String>,
    /// Lot ceiling, if any.
    pub ceiling: Option<Money>,
    /// Providers in rank order (never empty, no duplicates).
    pub providers: Vec<ProviderId>,
    /// Provider selection strategy.
    pub selection: ProviderSelection,
    /// Net hourly rates per role (never empty, all positive).
    pub rates: BTreeMap<RoleId, Money>,
    /// Hours of one person-day.
    pub hours_per_day: Decimal,
    /// Role whose rate prices estimates in person-days.
    pub estimate_role: RoleId,
    /// Night surcharge, percent.
    pub night_percent: Decimal,
    /// Night start, local time.
    pub night_from: NaiveTime,
    /// Night end, local time.
    pub night_to: NaiveTime,
    /// Weekend surcharge, percent.
    pub weekend_percent: Decimal,
    /// Public holiday surcharge, percent.
    pub holiday_percent: Decimal,
    /// Call-off limits.
    pub limits: CallOffLimits,
    /// SLA windows per severity.
    pub sla: SlaPolicy,
}

impl Lot {
    /// True if a body in Regierungsbezirk `region` may call off from this lot.
    pub fn serves_region(&self, region: Option<&str>) -> bool {
        self.regions.is_empty() || region.is_some_and(|r| self.regions.iter().any(|x| x == r))
    }

    /// The order in which providers are asked for a new call-off. `previous_first` is the
    /// provider that was asked first for the lot's previous call-off (for rotation).
    pub fn provider_order(&self, previous_first: Option<&ProviderId>) -> Vec<ProviderId> {
        let start = match (self.selection, previous_first) {
            (ProviderSelection::Rotation, Some(prev)) => self
                .providers
                .iter()
                .position(|p| p == prev)
                .map_or(0, |i| (i + 1) % self.providers.len().max(1)),
            _ => 0,
        };
        self.providers[start..]
            .iter()
            .chain(self.providers[..start].iter())
            .cloned()
            .collect()
    }

    /// Net estimate for `person_days` at the estimate role's rate, rounded to cents.
    pub fn estimate(&self, person_days: Decimal) -> Option<Money> {
        let rate = self.rates.get(&self.estimate_role)?;
        rate.times(person_days * self.hours_per_day)
            .ok()
            .map(Money::round_cents)
    }
}

impl Lot {
    /// The lot's rate card in the form the pricing module takes.
    pub fn rate_card(&self) -> crate::pricing::RateCard {
        crate::pricing::RateCard {
            roles: self.rates.clone(),
        }
    }

    /// The lot's surcharges in the form the pricing module takes (the highest applies).
    pub fn surcharges(&self) -> crate::pricing::Surcharges {
        crate::pricing::Surcharges {
            night_percent: self.night_percent,
            night_from: self.night_from,
            night_to: self.night_to,
            weekend_percent: self.weekend_percent,
            holiday_percent: self.holiday_percent,
            combine: crate::pricing::Combine::default(),
        }
    }
}
