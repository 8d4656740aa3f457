//! Rate cards (net hourly rate per role) and surcharges (night, weekend, public holiday)
//! of a lot, as configured in the contract.

use crate::ids::RoleId;
use crate::money::Money;
use crate::validation::{Problem, Problems};
use chrono::NaiveTime;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The net hourly rates of a lot (*Stundensätze*), per role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateCard {
    /// Net hourly rate in EUR per role.
    pub roles: BTreeMap<RoleId, Money>,
}

impl RateCard {
    /// Every problem with the rate card (empty when valid): no roles, a rate that is not
    /// positive or not in whole cents. Call after loading a contract.
    pub fn validate(&self) -> Vec<Problem> {
        let mut p = Problems::new();
        if self.roles.is_empty() {
            p.push(
                "roles",
                "is empty; list at least one role with its hourly rate",
            );
        }
        for (role, rate) in &self.roles {
            if rate.is_zero() {
                p.push(format!("roles.{role}"), "rate must be positive");
            } else if rate.amount().scale() > 2 {
                p.push(format!("roles.{role}"), "rate must be given in whole cents");
            }
        }
        p.into_vec()
    }
}

/// How surcharges combine when several apply to the same hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Combine {
    /// Only the highest applicable surcharge is paid (a holiday night pays the holiday
    /// or the night surcharge, whichever is higher, never both). On a tie the line is
    /// labelled holiday before weekend before night.
    #[default]
    HighestApplies,
}

/// Surcharges (*Zuschläge*) in percent of the hourly rate.
///
/// Night is a wall-clock window in the contract's time zone, `[night_from, night_to)`,
/// crossing midnight when `night_from > night_to` (e.g. 20:00–06:00). Weekend is all of
/// local Saturday and Sunday; holiday is every local date the holiday calendar names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Surcharges {
    /// Night surcharge, percent.
    pub night_percent: Decimal,
    /// Start of the night window (local time), e.g. 20:00.
    pub night_from: NaiveTime,
    /// End of the night window (local time, exclusive), e.g. 06:00.
    pub night_to: NaiveTime,
    /// Saturday/Sunday surcharge, percent.
    pub weekend_percent: Decimal,
    /// Public-holiday surcharge, percent.
    pub holiday_percent: Decimal,
    /// How overlapping surcharges combine.
    #[serde(default)]
    pub combine: Combine,
}

/// The highest surcharge accepted, in percent.
pub const MAX_SURCHARGE_PERCENT: u32 = 300;

impl Surcharges {
    /// Every problem with the surcharges (empty when valid): a percentage outside
    /// 0..=300, or a night surcharge with an empty night window.
    pub fn validate(&self) -> Vec<Problem> {
        let mut p = Problems::new();
        for (path, percent) in [
            ("night_percent", self.night_percent),
            ("weekend_percent", self.weekend_percent),
            ("holiday_percent", self.holiday_percent),
        ] {
            if percent < Decimal::ZERO || percent > Decimal::from(MAX_SURCHARGE_PERCENT) {
                p.push(
                    path,
                    format!("{percent} % is outside 0..={MAX_SURCHARGE_PERCENT} %"),
                );
            }
        }
        if self.night_from == self.night_to && !self.night_percent.is_zero() {
            p.push(
                "night_to",
                "equals night_from, so the night window is empty; set the night end (e.g. 06:00)",
            );
        }
        p.into_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn rate_card_problems_have_paths() {
        let card = RateCard {
            roles: [
                (RoleId::new("analyst").unwrap(), Money::ZERO),
                (
                    RoleId::new("lead").unwrap(),
                    Money::new(dec!(150.005)).unwrap(),
                ),
                (RoleId::new("ok").unwrap(), Money::euro(120)),
            ]
            .into(),
        };
        let got: Vec<String> = card.validate().iter().map(ToString::to_string).collect();
        assert_eq!(
            got,
            [
                "roles.analyst: rate must be positive",
                "roles.lead: rate must be given in whole cents"
            ]
        );
        let empty = RateCard {
            roles: BTreeMap::new(),
        };
        assert_eq!(empty.validate().len(), 1);
    }

    #[test]
    fn surcharge_problems_have_paths() {
        let s = Surcharges {
            night_percent: dec!(25),
            night_from: NaiveTime::from_hms_opt(20, 0, 0).unwrap(),
            night_to: NaiveTime::from_hms_opt(20, 0, 0).unwrap(),
            weekend_percent: dec!(-1),
            holiday_percent: dec!(300.5),
            combine: Combine::HighestApplies,
        };
        let paths: Vec<String> = s.validate().into_iter().map(|p| p.path).collect();
        assert_eq!(paths, ["weekend_percent", "holiday_percent", "night_to"]);
    }

    #[test]
    fn surcharges_deserialize_with_short_times_and_default_rule() {
        let s: Surcharges = serde_json::from_str(
            r#"{"night_percent":"25","night_from":"20:00","night_to":"06:00",
                "weekend_percent":"50","holiday_percent":"100"}"#,
        )
        .unwrap();
        assert_eq!(s.combine, Combine::HighestApplies);
        assert!(s.validate().is_empty());
    }
}
