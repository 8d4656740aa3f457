//! Incident numbers (*Vorgangsnummern*): `INC-000042`, assigned in order of reporting.

use crate::compact::{CompactText, deserialize_text};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The id of an incident, `INC-` and at least six digits. Kept inline (no heap
/// allocation); ordered as its text.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IncidentId(CompactText);

/// The text is not an incident id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an incident id (expected INC- and 6 to 12 digits, e.g. INC-000042)")]
pub struct IncidentIdError(pub String);

impl IncidentId {
    /// The id of the `number`th incident (1-based).
    pub fn from_number(number: u64) -> IncidentId {
        IncidentId(CompactText::new(&format!("INC-{number:06}")))
    }

    /// Parses `INC-000042`.
    pub fn new(text: impl Into<String>) -> Result<IncidentId, IncidentIdError> {
        let text = text.into();
        if Self::valid(&text) {
            Ok(IncidentId(CompactText::new(&text)))
        } else {
            Err(IncidentIdError(text))
        }
    }

    fn valid(text: &str) -> bool {
        text.strip_prefix("INC-")
            .is_some_and(|d| (6..=12).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()))
    }

    fn parse_text(text: &str) -> Result<IncidentId, IncidentIdError> {
        if Self::valid(text) {
            Ok(IncidentId(CompactText::new(text)))
        } else {
            Err(IncidentIdError(text.to_owned()))
        }
    }

    /// The number (1-based).
    pub fn number(&self) -> u64 {
        self.as_str()
            .get(4..)
            .and_then(|d| d.parse().ok())
            .unwrap_or(0)
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Debug for IncidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("IncidentId").field(&self.as_str()).finish()
    }
}

impl fmt::Display for IncidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for IncidentId {
    type Err = IncidentIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        IncidentId::parse_text(s)
    }
}

impl Serialize for IncidentId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for IncidentId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize_text(d, "a string", IncidentId::parse_text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_refuse_garbage() {
        let id = IncidentId::from_number(42);
        assert_eq!(id.as_str(), "INC-000042");
        assert_eq!(IncidentId::new("INC-000042"), Ok(id.clone()));
        assert_eq!(id.number(), 42);
        for bad in ["INC-1", "inc-000001", "INC-00000a", "X-000001"] {
            assert!(IncidentId::new(bad).is_err(), "{bad}");
        }
    }
}
