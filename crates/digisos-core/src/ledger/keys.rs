//! Identifiers of the ledger: call-offs, posted time entries, and the limit keys a
//! reservation is booked against.

use crate::compact::{CompactText, deserialize_text};
use crate::ids::LotId;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a text is not a valid call-off or entry id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerIdError {
    /// Not of the form `CO-` followed by 6 to 12 digits.
    #[error(
        "call-off id {0:?} is not valid: use \"CO-\" followed by 6 to 12 digits, e.g. \"CO-000042\""
    )]
    CallOff(String),
    /// Not 1–64 ASCII letters, digits, `-` or `_`.
    #[error("entry id {0:?} is not valid: use 1-64 ASCII letters, digits, '-' or '_'")]
    Entry(String),
}

/// A call-off (*Abruf*) under the framework contract, e.g. `CO-000042`.
///
/// Text form: `CO-` followed by 6 to 12 ASCII digits (kept inline, no heap allocation).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CallOffId(CompactText);

impl CallOffId {
    /// Validates a call-off id; fails unless it is `CO-` followed by 6 to 12 digits.
    pub fn new(value: impl Into<String>) -> Result<Self, LedgerIdError> {
        let value = value.into();
        if Self::valid(&value) {
            Ok(CallOffId(CompactText::new(&value)))
        } else {
            Err(LedgerIdError::CallOff(value))
        }
    }

    fn valid(value: &str) -> bool {
        value.strip_prefix("CO-").is_some_and(|digits| {
            (6..=12).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
        })
    }

    fn parse_text(value: &str) -> Result<Self, LedgerIdError> {
        if Self::valid(value) {
            Ok(CallOffId(CompactText::new(value)))
        } else {
            Err(LedgerIdError::CallOff(value.to_owned()))
        }
    }

    /// The id for a sequence number, zero-padded to six digits (`42` → `CO-000042`).
    /// Use it when the adapter numbers call-offs; it cannot fail.
    pub fn from_number(number: u32) -> Self {
        CallOffId(CompactText::new(&format!("CO-{number:06}")))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

/// A posting's key: the id of the approved time entry (or other charge) it books, e.g.
/// `TE-000007`. Text form: 1–64 ASCII letters, digits, `-` or `_` (inline up to 22).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EntryId(CompactText);

impl EntryId {
    /// Validates an entry id; fails unless it is 1–64 ASCII letters, digits, `-` or `_`.
    pub fn new(value: impl Into<String>) -> Result<Self, LedgerIdError> {
        let value = value.into();
        if Self::valid(&value) {
            Ok(EntryId(CompactText::new(&value)))
        } else {
            Err(LedgerIdError::Entry(value))
        }
    }

    fn valid(value: &str) -> bool {
        (1..=64).contains(&value.len())
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }

    fn parse_text(value: &str) -> Result<Self, LedgerIdError> {
        if Self::valid(value) {
            Ok(EntryId(CompactText::new(value)))
        } else {
            Err(LedgerIdError::Entry(value.to_owned()))
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

macro_rules! text_impls {
    ($name:ident) => {
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple(stringify!($name))
                    .field(&self.as_str())
                    .finish()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = LedgerIdError;
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

text_impls!(CallOffId);
text_impls!(EntryId);

/// One limit a reservation counts against. The variant order is the fixed order in which
/// limits are checked and reported (widest first): contract, lot, body per year, call-off.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitKey {
    /// The contract maximum (*Höchstwert*).
    Contract,
    /// The ceiling of one lot (*Los*).
    Lot(LotId),
    /// The cap per eligible body per contract year.
    BodyYear {
        /// The body's register key (AGS such as `05315000`, or a registry id such as `LVR`).
        body: String,
        /// The contract year index, starting at 1 for the first twelve months of the
        /// term; the caller computes it from the call-off date, the ledger does not.
        year: i32,
    },
    /// The cap of a single call-off.
    CallOff(CallOffId),
}

impl fmt::Display for LimitKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LimitKey::Contract => f.write_str("contract maximum"),
            LimitKey::Lot(lot) => write!(f, "ceiling of lot {lot}"),
            LimitKey::BodyYear { body, year } => {
                write!(f, "cap of body {body} in contract year {year}")
            }
            LimitKey::CallOff(id) => write!(f, "cap of call-off {id}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_off_ids_validate() {
        assert!(CallOffId::new("CO-000042").is_ok());
        assert!(CallOffId::new("CO-123456789012").is_ok());
        for bad in [
            "",
            "CO-",
            "CO-12345",
            "co-000042",
            "CO-00004a",
            "CO-1234567890123",
        ] {
            assert!(CallOffId::new(bad).is_err(), "{bad:?} should be refused");
        }
        assert_eq!(CallOffId::from_number(42).as_str(), "CO-000042");
        assert_eq!(CallOffId::from_number(u32::MAX).as_str(), "CO-4294967295");
        assert!(CallOffId::new(CallOffId::from_number(u32::MAX).as_str()).is_ok());
    }

    #[test]
    fn entry_ids_validate() {
        assert!(EntryId::new("TE-000007").is_ok());
        for bad in ["", "a b", "ü", &"a".repeat(65)] {
            assert!(EntryId::new(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn keys_check_widest_first() {
        let lot = LimitKey::Lot(LotId::new("los-1").unwrap());
        let body = LimitKey::BodyYear {
            body: "05315000".into(),
            year: 1,
        };
        let co = LimitKey::CallOff(CallOffId::from_number(1));
        assert!(LimitKey::Contract < lot && lot < body && body < co);
        assert_eq!(body.to_string(), "cap of body 05315000 in contract year 1");
    }
}
