//! Eligibility rules (*Abrufberechtigung*) as data: which kinds of bodies of which Land
//! may call off help, and when companies qualify through control by eligible owners.
//! A versioned [`RuleSet`] is part of the contract file; [`RuleSet::decide`] explains
//! its answer.

mod decision;

pub use decision::{Decision, MAX_OWNERSHIP_DEPTH, Reason};

use crate::ids::RuleId;
use crate::register::{BodyKind, LandCode};
use crate::validation::{Problem, Problems};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A versioned set of eligibility rules for one Land (TOML table `[eligibility]` of the
/// contract). Check it with [`RuleSet::validate`] before use. Dates are ISO strings
/// (`valid_from = "2025-04-01"`; a bare TOML date is refused by chrono's serde).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSet {
    /// Version label of the rule set, e.g. `2025-04`.
    pub version: String,
    /// Only bodies of this Land are eligible (`05`).
    pub land: LandCode,
    /// Rules admitting bodies by kind.
    #[serde(default)]
    pub rules: Vec<Rule>,
    /// How companies qualify through control by eligible owners.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_control: Option<CompanyControl>,
}

/// Admits every body of the listed kinds, while the rule is in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Unique id, named in decisions.
    pub id: RuleId,
    /// What the rule stands for (e.g. the wording of the announcement).
    #[serde(default)]
    pub description: String,
    /// The kinds it admits.
    pub kinds: Vec<BodyKind>,
    /// First day the rule applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<NaiveDate>,
    /// Last day the rule applies (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<NaiveDate>,
}

/// Admits companies of the listed kinds whose eligible owners together hold **more
/// than** `min_share_percent` (default 50: a majority).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompanyControl {
    /// Rule id named in decisions.
    pub id: RuleId,
    /// What the rule stands for.
    #[serde(default)]
    pub description: String,
    /// The company kinds it applies to.
    pub kinds: Vec<BodyKind>,
    /// The share that the counted owners must exceed (strictly more than), 0–100.
    pub min_share_percent: Decimal,
    /// `true`: only owners that are themselves eligible count (checked recursively).
    /// `false`: every owner in the register that belongs to the Land and exists on the
    /// date counts.
    pub owner_must_be_eligible: bool,
    /// First day the rule applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<NaiveDate>,
    /// Last day the rule applies (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<NaiveDate>,
}

impl RuleSet {
    /// The rules of the NRW Digi-SOS announcement: Kommunen (Gemeinden, Kreise,
    /// Landschaftsverbände), Landesbehörden, kommunale Körperschaften, Anstalten and
    /// Stiftungen des öffentlichen Rechts, and companies of the municipalities and of the
    /// Land through more than 50 % control by eligible owners.
    pub fn nrw_default() -> Self {
        let rule = |id: &str, description: &str, kinds: &[BodyKind]| Rule {
            id: rule_id(id),
            description: description.to_string(),
            kinds: kinds.to_vec(),
            valid_from: None,
            valid_to: None,
        };
        RuleSet {
            version: "2025-04".to_string(),
            land: LandCode::nrw(),
            rules: vec![
                rule(
                    "municipal-territorial",
                    "Kommunen: Gemeinden, Kreise und Landschaftsverbände in NRW",
                    &[
                        BodyKind::KreisfreieStadt,
                        BodyKind::KreisangehoerigeGemeinde,
                        BodyKind::Kreis,
                        BodyKind::Landschaftsverband,
                    ],
                ),
                rule(
                    "state-authorities",
                    "Behörden der Landesverwaltung NRW",
                    &[BodyKind::Landesbehoerde],
                ),
                rule(
                    "municipal-corporations",
                    "kommunale Körperschaften",
                    &[BodyKind::KommunaleKoerperschaft],
                ),
                rule(
                    "public-institutions",
                    "Anstalten und Stiftungen des öffentlichen Rechts",
                    &[
                        BodyKind::AnstaltOeffentlichenRechts,
                        BodyKind::StiftungOeffentlichenRechts,
                    ],
                ),
            ],
            company_control: Some(CompanyControl {
                id: rule_id("company-control"),
                description: "Unternehmen der Kommunen und der Landesverwaltung (mehr als 50 % in der Hand abrufberechtigter Stellen)".to_string(),
                kinds: vec![BodyKind::KommunalesUnternehmen, BodyKind::Landesunternehmen],
                min_share_percent: Decimal::from(50),
                owner_must_be_eligible: true,
                valid_from: None,
                valid_to: None,
            }),
        }
    }

    /// Every problem of the rule set, with paths (`rules[1].kinds[0]`): empty version,
    /// no rules, duplicate ids, empty kind lists, a kind admitted by two rules, kinds that
    /// are never eligible, a threshold outside 0–100, validity ending before it starts.
    pub fn validate(&self) -> Vec<Problem> {
        let mut p = Problems::new();
        if self.version.trim().is_empty() {
            p.push("version", "must not be empty");
        }
        if self.rules.is_empty() && self.company_control.is_none() {
            p.push("rules", "at least one rule or company_control is needed");
        }
        let mut ids: BTreeMap<&RuleId, String> = BTreeMap::new();
        let mut kinds: BTreeMap<BodyKind, &RuleId> = BTreeMap::new();
        let control = self.company_control.as_ref();
        let entries = self
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| {
                (
                    format!("rules[{i}]"),
                    &r.id,
                    &r.kinds,
                    r.valid_from,
                    r.valid_to,
                )
            })
            .chain(control.map(|c| {
                (
                    "company_control".to_string(),
                    &c.id,
                    &c.kinds,
                    c.valid_from,
                    c.valid_to,
                )
            }));
        for (path, id, rule_kinds, from, to) in entries {
            if let Some(first) = ids.insert(id, path.clone()) {
                p.push(
                    format!("{path}.id"),
                    format!("{id} is already used by {first}"),
                );
            }
            if rule_kinds.is_empty() {
                p.push(format!("{path}.kinds"), "must list at least one kind");
            }
            for (k, kind) in rule_kinds.iter().enumerate() {
                if kind.never_eligible() {
                    p.push(
                        format!("{path}.kinds[{k}]"),
                        format!("{kind} can never be eligible under a Land's programme"),
                    );
                } else if let Some(other) = kinds.insert(*kind, id) {
                    p.push(
                        format!("{path}.kinds[{k}]"),
                        format!("{kind} is already admitted by rule {other}"),
                    );
                }
            }
            if let (Some(f), Some(t)) = (from, to)
                && f > t
            {
                p.push(
                    format!("{path}.valid_to"),
                    format!("{t} is before valid_from {f}"),
                );
            }
        }
        if let Some(c) = control
            && (c.min_share_percent < Decimal::ZERO || c.min_share_percent >= Decimal::ONE_HUNDRED)
        {
            p.push(
                "company_control.min_share_percent",
                format!("{} must be at least 0 and below 100", c.min_share_percent),
            );
        }
        p.into_vec()
    }
}

fn rule_id(id: &str) -> RuleId {
    match RuleId::new(id) {
        Ok(id) => id,
        // The ids above are literals that satisfy the slug rules.
        Err(_) => unreachable!("built-in rule id {id:?} is a valid slug"),
    }
}

#[cfg(test)]
mod tests;
