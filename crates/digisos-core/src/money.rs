//! Money in euro (net amounts), backed by `rust_decimal`; never floats.
//!
//! [`Money`] is never negative: a value that would drop below zero is refused, so every
//! balance in the ledger is non-negative by construction. Amounts are rounded per line to
//! cents half-up (*kaufmännisch*, away from zero at the midpoint) with [`Money::round_cents`].

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use std::fmt;

/// A non-negative amount of euro. Serialised as a decimal string (`"1234.50"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(Decimal);

/// Why an amount is not valid money.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// The amount is below zero.
    #[error("amount {0} is negative; money amounts must be zero or more")]
    Negative(Decimal),
    /// The amount has more than two decimal places where cents are required.
    #[error("amount {0} has more than two decimal places; give whole cents")]
    SubCent(Decimal),
    /// The text is not a decimal number.
    #[error("{0:?} is not a decimal amount (expected e.g. \"1250.00\")")]
    NotANumber(String),
    /// The result does not fit the decimal range.
    #[error("amount overflow")]
    Overflow,
}

impl Money {
    /// Zero euro.
    pub const ZERO: Money = Money(Decimal::ZERO);

    /// Validates a non-negative amount (any precision; call [`Money::round_cents`] to settle).
    pub fn new(amount: Decimal) -> Result<Self, MoneyError> {
        if amount.is_sign_negative() && !amount.is_zero() {
            return Err(MoneyError::Negative(amount));
        }
        Ok(Money(amount.normalize()))
    }

    /// Validates a non-negative amount given in whole cents (at most two decimal places).
    pub fn cents(amount: Decimal) -> Result<Self, MoneyError> {
        let m = Self::new(amount)?;
        if m.0.scale() > 2 {
            return Err(MoneyError::SubCent(amount));
        }
        Ok(m)
    }

    /// Whole euro, for literals in tests and examples.
    pub fn euro(amount: u64) -> Self {
        Money(Decimal::from(amount))
    }

    /// The decimal value.
    pub fn amount(self) -> Decimal {
        self.0
    }

    /// Rounds to cents, half-up (kaufmännisch).
    pub fn round_cents(self) -> Self {
        Money(
            self.0
                .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero),
        )
    }

    /// Sum, or [`MoneyError::Overflow`].
    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.0
            .checked_add(other.0)
            .map(Money)
            .ok_or(MoneyError::Overflow)
    }

    /// Difference, or `None` if it would be negative.
    pub fn checked_sub(self, other: Money) -> Option<Money> {
        if other.0 > self.0 {
            None
        } else {
            Some(Money(self.0 - other.0))
        }
    }

    /// Difference clamped at zero.
    pub fn saturating_sub(self, other: Money) -> Money {
        self.checked_sub(other).unwrap_or(Money::ZERO)
    }

    /// Multiplies by a non-negative factor (hours, person-days, a percentage as fraction).
    pub fn times(self, factor: Decimal) -> Result<Money, MoneyError> {
        let v = self.0.checked_mul(factor).ok_or(MoneyError::Overflow)?;
        Money::new(v)
    }

    /// `self` as a percentage of `of` (0 when `of` is zero), two decimal places.
    pub fn percent_of(self, of: Money) -> Decimal {
        if of.0.is_zero() {
            return Decimal::ZERO;
        }
        (self.0 * Decimal::ONE_HUNDRED / of.0)
            .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
    }

    /// True when the amount is zero.
    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:.2}",
            self.0
                .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
        )
    }
}

impl std::str::FromStr for Money {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let d: Decimal = s
            .trim()
            .parse()
            .map_err(|_| MoneyError::NotANumber(s.to_string()))?;
        Money::new(d)
    }
}

impl Serialize for Money {
    /// As a decimal string with at least two decimal places (`"185.00"`, `"0.125"`); in a
    /// binary format (snapshots) as the decimal's `(mantissa, scale)`, exactly.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if !s.is_human_readable() {
            (self.0.mantissa(), self.0.scale()).serialize(s)
        } else if self.0.scale() <= 2 {
            s.collect_str(&format_args!("{:.2}", self.0))
        } else {
            s.collect_str(&self.0)
        }
    }
}

impl<'de> Deserialize<'de> for Money {
    /// From a decimal string or number; in a binary format from `(mantissa, scale)`,
    /// kept as it was written (not normalised). Refuses a negative amount either way.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if d.is_human_readable() {
            let v = <Decimal as Deserialize>::deserialize(d)?;
            return Money::new(v).map_err(serde::de::Error::custom);
        }
        let (mantissa, scale) = <(i128, u32)>::deserialize(d)?;
        let v =
            Decimal::try_from_i128_with_scale(mantissa, scale).map_err(serde::de::Error::custom)?;
        if v.is_sign_negative() && !v.is_zero() {
            return Err(serde::de::Error::custom(MoneyError::Negative(v)));
        }
        Ok(Money(v))
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        Money(iter.map(|m| m.0).sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn rounds_half_up_to_cents() {
        assert_eq!(
            Money::new(dec!(1.005)).unwrap().round_cents().amount(),
            dec!(1.01)
        );
        assert_eq!(
            Money::new(dec!(1.004)).unwrap().round_cents().amount(),
            dec!(1.00)
        );
        assert_eq!(
            Money::new(dec!(2.675)).unwrap().round_cents().amount(),
            dec!(2.68)
        );
    }

    #[test]
    fn refuses_negative_and_sub_cent() {
        assert_eq!(
            Money::new(dec!(-0.01)),
            Err(MoneyError::Negative(dec!(-0.01)))
        );
        assert!(matches!(
            Money::cents(dec!(0.001)),
            Err(MoneyError::SubCent(_))
        ));
        assert!(Money::new(dec!(-0)).is_ok());
    }

    #[test]
    fn subtraction_never_goes_negative() {
        assert_eq!(Money::euro(1).checked_sub(Money::euro(2)), None);
        assert_eq!(Money::euro(1).saturating_sub(Money::euro(2)), Money::ZERO);
        assert_eq!(
            Money::euro(3).checked_sub(Money::euro(2)),
            Some(Money::euro(1))
        );
    }

    #[test]
    fn display_and_parse() {
        let m: Money = "1250.5".parse().unwrap();
        assert_eq!(m.to_string(), "1250.50");
        assert!("abc".parse::<Money>().is_err());
        assert!("-3".parse::<Money>().is_err());
    }
}
