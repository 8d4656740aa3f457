//! The configured ceilings of a framework contract that the ledger enforces.

use crate::ids::LotId;
use crate::money::Money;
use crate::validation::{Problem, Problems};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The ceilings (*Höchstwerte, Abrufgrenzen*) the ledger checks every reservation against.
///
/// A plain struct that the contract fills; pass it to every [`crate::ledger::Ledger::decide`]
/// call. The limits in force are recorded in the events, so a later change never rewrites
/// history. When lots have different call-off caps, pass the lot's values for the command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// The contract maximum (*Höchstwert*). At 100 % the framework is exhausted (EuGH
    /// C-23/20) and refuses every new call-off and every raise, for good.
    pub contract_maximum: Money,
    /// Ceilings per lot; a lot without an entry has no ceiling of its own.
    #[serde(default)]
    pub lot_ceilings: BTreeMap<LotId, Money>,
    /// Cap per eligible body per contract year; `None` for no cap.
    #[serde(default)]
    pub body_year_cap: Option<Money>,
    /// Cap in money per call-off; `None` for no cap.
    #[serde(default)]
    pub call_off_cap: Option<Money>,
    /// Cap in person-days per call-off (Hessen grants 5 free days per incident); `None`
    /// for no cap. Only checked when the reservation states its person-days.
    #[serde(default)]
    pub call_off_person_days_cap: Option<Decimal>,
    /// Reservations above this amount wait for the coordinator's approval; `None` if
    /// none ever does.
    #[serde(default)]
    pub approval_threshold: Option<Money>,
    /// Utilisation levels in percent (ascending, each 1..=99) of the contract maximum and
    /// the lot ceilings at which a warning event is emitted once.
    #[serde(default = "default_warning_levels")]
    pub warning_levels: Vec<u8>,
}

fn default_warning_levels() -> Vec<u8> {
    vec![80, 90]
}

impl Limits {
    /// Limits with only a contract maximum, warnings at 80 % and 90 %, and nothing else.
    pub fn new(contract_maximum: Money) -> Self {
        Limits {
            contract_maximum,
            lot_ceilings: BTreeMap::new(),
            body_year_cap: None,
            call_off_cap: None,
            call_off_person_days_cap: None,
            approval_threshold: None,
            warning_levels: default_warning_levels(),
        }
    }

    /// Every problem with the configuration (empty when valid). Call after loading a
    /// contract; the ledger itself does not re-validate on each command.
    pub fn validate(&self) -> Vec<Problem> {
        let mut p = Problems::new();
        if self.contract_maximum.is_zero() {
            p.push("contract_maximum", "must be positive");
        }
        for (lot, ceiling) in &self.lot_ceilings {
            if ceiling.is_zero() {
                p.push(format!("lot_ceilings.{lot}"), "must be positive");
            }
            if *ceiling > self.contract_maximum {
                p.push(
                    format!("lot_ceilings.{lot}"),
                    "exceeds the contract maximum; lower it or leave it out",
                );
            }
        }
        for (path, cap) in [
            ("body_year_cap", self.body_year_cap),
            ("call_off_cap", self.call_off_cap),
        ] {
            if cap.is_some_and(Money::is_zero) {
                p.push(path, "must be positive; leave it out for no cap");
            }
        }
        if let Some(days) = self.call_off_person_days_cap
            && days <= Decimal::ZERO
        {
            p.push(
                "call_off_person_days_cap",
                "must be positive; leave it out for no cap",
            );
        }
        for (i, level) in self.warning_levels.iter().enumerate() {
            if !(1..=99).contains(level) {
                p.push(format!("warning_levels[{i}]"), "must be between 1 and 99");
            }
            if i > 0 && self.warning_levels[i - 1] >= *level {
                p.push(format!("warning_levels[{i}]"), "levels must be ascending");
            }
        }
        p.into_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn default_limits_are_valid() {
        let l = Limits::new(Money::euro(1_000_000));
        assert_eq!(l.warning_levels, [80, 90]);
        assert!(l.validate().is_empty());
    }

    #[test]
    fn reports_every_problem() {
        let mut l = Limits::new(Money::ZERO);
        l.lot_ceilings
            .insert(LotId::new("los-1").unwrap(), Money::euro(5));
        l.call_off_cap = Some(Money::ZERO);
        l.call_off_person_days_cap = Some(dec!(-1));
        l.warning_levels = vec![90, 80, 100];
        let paths: Vec<String> = l.validate().into_iter().map(|p| p.path).collect();
        assert_eq!(
            paths,
            [
                "contract_maximum",
                "lot_ceilings.los-1",
                "call_off_cap",
                "call_off_person_days_cap",
                "warning_levels[1]",
                "warning_levels[2]",
            ]
        );
    }
}
