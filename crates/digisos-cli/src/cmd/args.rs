//! Argument types shared by the command groups: domain enums parsed by their serialised
//! names, the call-off estimate (`--person-days N | --amount EUR`) and incident ids.

use clap::Args;
use digisos_core::incident::Estimate;
use digisos_core::money::Money;
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;

/// Parses a domain enum by its serialised (snake_case) name, e.g. `critical` or
/// `account_compromise`; the error lists the accepted names.
pub(crate) fn domain_enum<T: DeserializeOwned>(s: &str) -> Result<T, String> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).map_err(|e| e.to_string())
}

/// The serialised (snake_case) name of a domain enum value, for tables and CSV.
pub(crate) fn name_of<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => "?".to_string(),
    }
}

/// How much a call-off reserves: estimated person-days (priced with the lot's rate card)
/// or a net amount in EUR.
#[derive(Debug, Clone, Args)]
#[group(required = true, multiple = false)]
pub(crate) struct EstimateArgs {
    /// Estimated person-days (e.g. 5 or 2.5), priced with the lot's rate card.
    #[arg(long, value_name = "N")]
    person_days: Option<Decimal>,
    /// A net amount in EUR (e.g. 12000.00).
    #[arg(long, value_name = "EUR")]
    amount: Option<Money>,
}

impl EstimateArgs {
    /// The estimate for the core (clap guarantees exactly one of the two).
    pub(crate) fn estimate(&self) -> Estimate {
        match (self.person_days, self.amount) {
            (_, Some(amount)) => Estimate::Amount(amount),
            (Some(days), None) => Estimate::PersonDays(days),
            (None, None) => Estimate::PersonDays(Decimal::ZERO),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use digisos_core::sla::Severity;

    #[test]
    fn domain_enums_parse_by_their_names_and_list_the_others() {
        assert_eq!(domain_enum::<Severity>("critical"), Ok(Severity::Critical));
        let err = domain_enum::<Severity>("urgent").unwrap_err();
        assert!(err.contains("expected one of"), "{err}");
        assert_eq!(name_of(&Severity::High), "high");
    }
}
