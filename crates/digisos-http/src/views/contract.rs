//! The framework contract in force: terms, eligibility rules, providers (lots: `lot.rs`).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use digisos_core::calendar::spec::CalendarSpec;
use digisos_core::contract::{Contract, Provider};
use digisos_core::eligibility::{CompanyControl, Rule, RuleSet};
use digisos_core::ids::{CalendarId, ContractId, ProviderId, RuleId};
use digisos_core::money::Money;
use digisos_core::register::{BodyKind, LandCode};
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;

use super::lot::LotView;

/// A validated framework contract (*Rahmenvertrag*, § 21 VgV).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContractView {
    /// Contract id.
    #[schema(value_type = String)]
    pub id: ContractId,
    /// Title.
    pub title: String,
    /// Awarding authority (*Vergabestelle*).
    pub awarding_authority: String,
    /// True for the project's illustrative example contracts.
    pub illustrative: bool,
    /// First day of the term.
    #[schema(value_type = String, format = Date)]
    pub term_start: NaiveDate,
    /// Last day of the term (inclusive).
    #[schema(value_type = String, format = Date)]
    pub term_end: NaiveDate,
    /// Estimated total value, net (decimal string, EUR).
    #[schema(value_type = String)]
    pub estimated_value: Money,
    /// Maximum value (*Höchstwert*), net; at 100 % the framework is exhausted.
    #[schema(value_type = String)]
    pub maximum_value: Money,
    /// Percentages of the maximum at which warnings are raised, ascending.
    pub warning_levels: Vec<u8>,
    /// Maximum net amount one body may reserve per contract year over all lots; `null`
    /// when unlimited.
    #[schema(value_type = Option<String>)]
    pub per_body_year: Option<Money>,
    /// VAT rate in percent (decimal string), shown separately, never part of limits.
    #[schema(value_type = String)]
    pub vat_percent: Decimal,
    /// Who may call off.
    pub eligibility: RuleSetView,
    /// Named calendars defined by the contract, by id (the presets `24x7` and
    /// `nrw-business` always exist besides them). Each is the calendar as written in the
    /// contract file: `{"kind": "24x7"}` or `{"kind": "business", "time_zone",
    /// "hours": {"mon": ["08:00-18:00"], …}, "holidays", "closed_on", "extra_holidays"}`;
    /// it is not spelled out as a schema because it follows the contract file format.
    #[schema(value_type = BTreeMap<String, Object>)]
    pub calendars: BTreeMap<CalendarId, CalendarSpec>,
    /// Providers by id.
    #[schema(value_type = BTreeMap<String, ProviderView>)]
    pub providers: BTreeMap<ProviderId, ProviderView>,
    /// Lots in the order of the contract file.
    pub lots: Vec<LotView>,
}

impl From<&Contract> for ContractView {
    fn from(c: &Contract) -> Self {
        let Contract {
            id,
            title,
            awarding_authority,
            illustrative,
            term_start,
            term_end,
            estimated_value,
            maximum_value,
            warning_levels,
            per_body_year,
            vat_percent,
            eligibility,
            calendars,
            providers,
            lots,
        } = c;
        ContractView {
            id: id.clone(),
            title: title.clone(),
            awarding_authority: awarding_authority.clone(),
            illustrative: *illustrative,
            term_start: *term_start,
            term_end: *term_end,
            estimated_value: *estimated_value,
            maximum_value: *maximum_value,
            warning_levels: warning_levels.clone(),
            per_body_year: *per_body_year,
            vat_percent: *vat_percent,
            eligibility: eligibility.into(),
            calendars: calendars.clone(),
            providers: providers
                .iter()
                .map(|(id, p)| (id.clone(), p.into()))
                .collect(),
            lots: lots.iter().map(LotView::from).collect(),
        }
    }
}

/// A provider of the framework.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProviderView {
    /// Provider id.
    #[schema(value_type = String)]
    pub id: ProviderId,
    /// Name.
    pub name: String,
    /// Contact for dispatch.
    pub contact: String,
}

impl From<&Provider> for ProviderView {
    fn from(p: &Provider) -> Self {
        let Provider { id, name, contact } = p;
        ProviderView {
            id: id.clone(),
            name: name.clone(),
            contact: contact.clone(),
        }
    }
}

/// The versioned eligibility rules of the contract.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleSetView {
    /// Version label, e.g. `2025-04`.
    pub version: String,
    /// Only bodies of this Land are eligible (`05`).
    #[schema(value_type = String)]
    pub land: LandCode,
    /// Rules admitting bodies by kind.
    pub rules: Vec<RuleView>,
    /// How companies qualify through control by eligible owners; absent if they do not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company_control: Option<CompanyControlView>,
}

impl From<&RuleSet> for RuleSetView {
    fn from(r: &RuleSet) -> Self {
        let RuleSet {
            version,
            land,
            rules,
            company_control,
        } = r;
        RuleSetView {
            version: version.clone(),
            land: land.clone(),
            rules: rules.iter().map(RuleView::from).collect(),
            company_control: company_control.as_ref().map(CompanyControlView::from),
        }
    }
}

/// Admits every body of the listed kinds while the rule is in force.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleView {
    /// Rule id, named in decisions.
    #[schema(value_type = String)]
    pub id: RuleId,
    /// What the rule stands for.
    pub description: String,
    /// The body kinds it admits (`kreisfreie_stadt`, `landesbehoerde`, …).
    #[schema(value_type = Vec<String>)]
    pub kinds: Vec<BodyKind>,
    /// First day the rule applies; absent if always.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Date)]
    pub valid_from: Option<NaiveDate>,
    /// Last day the rule applies (inclusive); absent if open-ended.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Date)]
    pub valid_to: Option<NaiveDate>,
}

impl From<&Rule> for RuleView {
    fn from(r: &Rule) -> Self {
        let Rule {
            id,
            description,
            kinds,
            valid_from,
            valid_to,
        } = r;
        RuleView {
            id: id.clone(),
            description: description.clone(),
            kinds: kinds.clone(),
            valid_from: *valid_from,
            valid_to: *valid_to,
        }
    }
}

/// Admits companies whose eligible owners together hold more than a share.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CompanyControlView {
    /// Rule id, named in decisions.
    #[schema(value_type = String)]
    pub id: RuleId,
    /// What the rule stands for.
    pub description: String,
    /// The company kinds it applies to.
    #[schema(value_type = Vec<String>)]
    pub kinds: Vec<BodyKind>,
    /// The share the counted owners must exceed, in percent (decimal string).
    #[schema(value_type = String)]
    pub min_share_percent: Decimal,
    /// Whether only owners that are themselves eligible count.
    pub owner_must_be_eligible: bool,
    /// First day the rule applies; absent if always.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Date)]
    pub valid_from: Option<NaiveDate>,
    /// Last day the rule applies (inclusive); absent if open-ended.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Date)]
    pub valid_to: Option<NaiveDate>,
}

impl From<&CompanyControl> for CompanyControlView {
    fn from(c: &CompanyControl) -> Self {
        let CompanyControl {
            id,
            description,
            kinds,
            min_share_percent,
            owner_must_be_eligible,
            valid_from,
            valid_to,
        } = c;
        CompanyControlView {
            id: id.clone(),
            description: description.clone(),
            kinds: kinds.clone(),
            min_share_percent: *min_share_percent,
            owner_must_be_eligible: *owner_must_be_eligible,
            valid_from: *valid_from,
            valid_to: *valid_to,
        }
    }
}
