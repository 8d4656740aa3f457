//! Identifiers used across the domain: validated newtypes, never bare strings.
//!
//! Slug identifiers (contract, lot, provider, role, calendar, rule ids) are lowercase
//! ASCII letters, digits, `-` and `_`, starting with a letter or digit, 1–64 characters.
//! Their text is kept inline when short (up to 22 bytes): such an id costs no heap
//! allocation, and cloning one is a copy.

use crate::compact::{CompactText, deserialize_text};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a text is not a valid identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{kind} {value:?} is not valid: use 1-64 lowercase letters, digits, '-' or '_', starting with a letter or digit"
)]
pub struct IdError {
    /// Which kind of identifier was expected.
    pub kind: &'static str,
    /// The offending text.
    pub value: String,
}

fn valid_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

macro_rules! slug_id {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(CompactText);

        impl $name {
            /// Validates the identifier.
            pub fn new(value: impl Into<String>) -> Result<Self, IdError> {
                let value = value.into();
                if valid_slug(&value) {
                    Ok(Self(CompactText::new(&value)))
                } else {
                    Err(IdError { kind: $kind, value })
                }
            }

            fn parse_text(value: &str) -> Result<Self, IdError> {
                if valid_slug(value) {
                    Ok(Self(CompactText::new(value)))
                } else {
                    Err(IdError {
                        kind: $kind,
                        value: value.to_owned(),
                    })
                }
            }

            /// The identifier as text.
            pub fn as_str(&self) -> &str {
                self.0.as_str()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple(stringify!($name)).field(&self.as_str()).finish()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse_text(s)
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                deserialize_text(d, "a string", Self::parse_text)
            }
        }
    };
}

slug_id!(
    /// A framework contract (*Rahmenvertrag*), e.g. `digi-sos-2025`.
    ContractId,
    "contract id"
);
slug_id!(
    /// A lot (*Los*) of the contract, e.g. `los-1-rheinland`.
    LotId,
    "lot id"
);
slug_id!(
    /// An incident-response provider under the framework contract.
    ProviderId,
    "provider id"
);
slug_id!(
    /// A role on a rate card, e.g. `forensic_analyst`.
    RoleId,
    "role id"
);
slug_id!(
    /// A named calendar, e.g. `24x7` or `nrw-business`.
    CalendarId,
    "calendar id"
);
slug_id!(
    /// An eligibility rule, e.g. `municipal-territorial`.
    RuleId,
    "rule id"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_validate() {
        assert!(LotId::new("los-1").is_ok());
        assert!(RoleId::new("forensic_analyst").is_ok());
        assert!(CalendarId::new("24x7").is_ok());
        for bad in ["", "-x", "Los1", "a b", "ü", &"a".repeat(65)] {
            assert!(LotId::new(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn error_names_the_kind() {
        let e = ProviderId::new("Bad Name").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("provider id \"Bad Name\" is not valid")
        );
    }
}
