//! The contract file's raw form, as an adapter deserialises it (e.g. from TOML).
//!
//! Money and percentages are plain decimals here so that validation can report *every*
//! bad amount with its path instead of failing on the first one during parsing.

use crate::calendar::spec::CalendarSpec;
use crate::eligibility::RuleSet;
use crate::ids::{CalendarId, ContractId, LotId, ProviderId, RoleId};
use crate::sla::SlaPolicy;
use chrono::{NaiveDate, NaiveTime};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A contract file as written. Call [`ContractSpec::validate`] to obtain a contract.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContractSpec {
    /// Contract id, e.g. `digi-sos-2025`.
    pub id: ContractId,
    /// Title.
    pub title: String,
    /// Awarding authority.
    pub awarding_authority: String,
    /// Marks an example whose lots and prices are made up.
    #[serde(default)]
    pub illustrative: bool,
    /// Term of the contract.
    pub term: TermSpec,
    /// Estimated value, EUR net.
    pub estimated_value: Decimal,
    /// Maximum value (*Höchstwert*), EUR net.
    pub maximum_value: Decimal,
    /// Warning levels in percent of the maximum (default 80 and 90).
    #[serde(default = "default_warning_levels")]
    pub warning_levels: Vec<u8>,
    /// VAT rate in percent (default 19).
    #[serde(default = "default_vat")]
    pub vat_percent: Decimal,
    /// Limits that span the lots.
    #[serde(default)]
    pub limits: ContractLimitsSpec,
    /// Eligibility rules (*abrufberechtigte Stellen*).
    pub eligibility: RuleSet,
    /// Named calendars used by SLA windows.
    #[serde(default)]
    pub calendars: BTreeMap<CalendarId, CalendarSpec>,
    /// The providers of the framework.
    pub providers: Vec<ProviderSpec>,
    /// The lots (*Lose*).
    pub lots: Vec<LotSpec>,
}

fn default_warning_levels() -> Vec<u8> {
    vec![80, 90]
}

fn default_vat() -> Decimal {
    Decimal::from(19)
}

/// Term: first and last day (inclusive).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TermSpec {
    /// First day.
    pub start: NaiveDate,
    /// Last day, inclusive.
    pub end: NaiveDate,
}

/// A provider (*Dienstleister*) of the framework.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderSpec {
    /// Provider id.
    pub id: ProviderId,
    /// Name.
    pub name: String,
    /// Hotline or contact for dispatch, free text.
    #[serde(default)]
    pub contact: String,
}

/// A lot (*Los*, § 97 (4) GWB).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LotSpec {
    /// Lot id.
    pub id: LotId,
    /// Title.
    pub title: String,
    /// Scope of services.
    #[serde(default)]
    pub scope: String,
    /// Regierungsbezirke served (e.g. `["053", "059"]`); empty = the whole Land.
    #[serde(default)]
    pub regions: Vec<String>,
    /// Lot ceiling, EUR net (optional).
    #[serde(default)]
    pub ceiling: Option<Decimal>,
    /// Providers in rank order.
    pub providers: Vec<ProviderId>,
    /// How the first provider of a call-off is chosen.
    #[serde(default)]
    pub selection: super::ProviderSelection,
    /// Net hourly rates per role.
    pub rate_card: RateCardSpec,
    /// Surcharges for night, weekend and public holiday work.
    #[serde(default)]
    pub surcharges: SurchargesSpec,
    /// Call-off limits.
    pub limits: CallOffLimitsSpec,
    /// SLA windows per severity.
    pub sla: SlaPolicy,
}

/// A rate card: net hourly rate per role, and the hours of a person-day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateCardSpec {
    /// Net hourly rate per role, EUR.
    pub roles: BTreeMap<RoleId, Decimal>,
    /// Hours in one person-day (default 8).
    #[serde(default = "default_day_hours")]
    pub hours_per_day: Decimal,
    /// Role used to price estimates in person-days (default: the first role).
    #[serde(default)]
    pub estimate_role: Option<RoleId>,
}

fn default_day_hours() -> Decimal {
    Decimal::from(8)
}

/// Surcharges in percent of the hourly rate. The highest applicable one applies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurchargesSpec {
    /// Night surcharge in percent.
    #[serde(default)]
    pub night_percent: Decimal,
    /// Night starts (local time).
    #[serde(default = "default_night_from")]
    pub night_from: NaiveTime,
    /// Night ends (local time).
    #[serde(default = "default_night_to")]
    pub night_to: NaiveTime,
    /// Saturday and Sunday surcharge in percent.
    #[serde(default)]
    pub weekend_percent: Decimal,
    /// NRW public holiday surcharge in percent.
    #[serde(default)]
    pub holiday_percent: Decimal,
}

impl Default for SurchargesSpec {
    fn default() -> Self {
        SurchargesSpec {
            night_percent: Decimal::ZERO,
            night_from: default_night_from(),
            night_to: default_night_to(),
            weekend_percent: Decimal::ZERO,
            holiday_percent: Decimal::ZERO,
        }
    }
}

fn default_night_from() -> NaiveTime {
    NaiveTime::from_hms_opt(20, 0, 0).unwrap_or(NaiveTime::MIN)
}

fn default_night_to() -> NaiveTime {
    NaiveTime::from_hms_opt(6, 0, 0).unwrap_or(NaiveTime::MIN)
}

/// Call-off limits of a lot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallOffLimitsSpec {
    /// Maximum net amount of one call-off.
    #[serde(default)]
    pub per_call_off: Option<Decimal>,
    /// Maximum person-days of one call-off (e.g. 5 free days per incident in Hessen).
    #[serde(default)]
    pub per_call_off_person_days: Option<Decimal>,
    /// Reservations above this amount need the coordinator's approval.
    #[serde(default)]
    pub approval_threshold: Option<Decimal>,
}

/// Limits of the whole contract, beside its maximum value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContractLimitsSpec {
    /// Maximum net amount one body may reserve per contract year, over all lots.
    #[serde(default)]
    pub per_body_year: Option<Decimal>,
}
