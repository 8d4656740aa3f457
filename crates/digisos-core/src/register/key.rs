//! Keys of the register: the body key (AGS, Kreisschlüssel or registry id), the Land
//! code and the Regierungsbezirk code, each a validated newtype.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a text is not a valid key, Land code or Regierungsbezirk code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// Not an 8-digit AGS, a 5-digit Kreisschlüssel or a registry id.
    #[error(
        "{0:?} is not a body key: use an 8-digit AGS (05315000), a 5-digit Kreisschlüssel (05334) or a registry id of 1-32 uppercase letters, digits and '-' starting with a letter (LVR, IT-NRW)"
    )]
    Body(String),
    /// Not a two-digit Land code 01–16.
    #[error("{0:?} is not a Land code: use two digits 01-16 (05 = Nordrhein-Westfalen)")]
    Land(String),
    /// Not a three-digit Regierungsbezirk code.
    #[error("{0:?} is not a Regierungsbezirk code: use three digits, e.g. 053 for Köln")]
    Region(String),
}

/// Which form a [`BodyKey`] has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyForm {
    /// 8-digit *Amtlicher Gemeindeschlüssel* of a Gemeinde.
    Ags,
    /// 5-digit *Kreisschlüssel* of a Kreis.
    Kreis,
    /// A registry id for a body without AGS (`LVR`, `IT-NRW`).
    Registry,
}

/// The stable key of a body in the register (*Schlüssel*): an 8-digit AGS (`05315000`
/// Köln), a 5-digit Kreisschlüssel (`05334` Städteregion Aachen) or a registry id for
/// bodies without AGS (`LVR`). Build it with [`BodyKey::new`] or `parse`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct BodyKey(String);

impl BodyKey {
    /// Validates a key; fails with [`KeyError::Body`] for anything else (e.g. a 6-digit
    /// number, lowercase letters, spaces).
    pub fn new(value: impl Into<String>) -> Result<Self, KeyError> {
        let value = value.into();
        if Self::form_of(&value).is_some() {
            Ok(BodyKey(value))
        } else {
            Err(KeyError::Body(value))
        }
    }

    fn form_of(s: &str) -> Option<KeyForm> {
        let digits = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if digits {
            return match s.len() {
                8 => Some(KeyForm::Ags),
                5 => Some(KeyForm::Kreis),
                _ => None,
            };
        }
        let registry = (1..=32).contains(&s.len())
            && s.bytes().next().is_some_and(|b| b.is_ascii_uppercase())
            && s.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
        registry.then_some(KeyForm::Registry)
    }

    /// The form of the key.
    pub fn form(&self) -> KeyForm {
        Self::form_of(&self.0).unwrap_or(KeyForm::Registry)
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The Kreis key (first 5 digits) of an 8-digit AGS; `None` for other forms.
    pub fn kreis(&self) -> Option<BodyKey> {
        (self.form() == KeyForm::Ags).then(|| BodyKey(self.0[..5].to_string()))
    }
}

impl fmt::Display for BodyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

impl std::str::FromStr for BodyKey {
    type Err = KeyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl<'de> Deserialize<'de> for BodyKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::new(String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// A Land by its two-digit code (`05` Nordrhein-Westfalen).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct LandCode(String);

impl LandCode {
    /// Validates a code `01`–`16`; fails with [`KeyError::Land`].
    pub fn new(value: impl Into<String>) -> Result<Self, KeyError> {
        let value = value.into();
        let ok = value.len() == 2
            && value.bytes().all(|b| b.is_ascii_digit())
            && matches!(value.parse::<u8>(), Ok(1..=16));
        if ok {
            Ok(LandCode(value))
        } else {
            Err(KeyError::Land(value))
        }
    }

    /// Nordrhein-Westfalen (`05`).
    pub fn nrw() -> Self {
        LandCode("05".to_string())
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LandCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for LandCode {
    type Err = KeyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl<'de> Deserialize<'de> for LandCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::new(String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// A *Regierungsbezirk* by its three-digit code (`053` Köln): the Land code plus one
/// digit 1–9.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct RegionCode(String);

impl RegionCode {
    /// Validates a code; fails with [`KeyError::Region`] unless it is a valid Land code
    /// followed by a digit 1–9.
    pub fn new(value: impl Into<String>) -> Result<Self, KeyError> {
        let value = value.into();
        let ok = value.len() == 3
            && value.is_char_boundary(2)
            && LandCode::new(&value[..2]).is_ok()
            && matches!(value.as_bytes()[2], b'1'..=b'9');
        if ok {
            Ok(RegionCode(value))
        } else {
            Err(KeyError::Region(value))
        }
    }

    /// The Land this Regierungsbezirk belongs to.
    pub fn land(&self) -> LandCode {
        LandCode(self.0[..2].to_string())
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for RegionCode {
    type Err = KeyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl<'de> Deserialize<'de> for RegionCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::new(String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_forms() {
        let table = [
            ("05315000", Some(KeyForm::Ags)),
            ("05334", Some(KeyForm::Kreis)),
            ("LVR", Some(KeyForm::Registry)),
            ("IT-NRW", Some(KeyForm::Registry)),
            ("X1", Some(KeyForm::Registry)),
            ("053150", None),
            ("0531500", None),
            ("lvr", None),
            ("-LVR", None),
            ("1LVR", None),
            ("IT NRW", None),
            ("", None),
            ("KÖLN", None),
        ];
        for (text, form) in table {
            assert_eq!(BodyKey::new(text).ok().map(|k| k.form()), form, "{text}");
        }
    }

    #[test]
    fn kreis_of_an_ags() {
        let k = BodyKey::new("05970004").unwrap();
        assert_eq!(k.kreis().unwrap().as_str(), "05970");
        assert_eq!(BodyKey::new("05970").unwrap().kreis(), None);
    }

    #[test]
    fn land_and_region_codes() {
        assert!(LandCode::new("05").is_ok());
        assert!(LandCode::new("16").is_ok());
        for bad in ["00", "17", "5", "005", "ab"] {
            assert!(LandCode::new(bad).is_err(), "{bad}");
        }
        assert_eq!(RegionCode::new("053").unwrap().land(), LandCode::nrw());
        for bad in ["050", "05", "0531", "173", "05x", "0ü"] {
            assert!(RegionCode::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn error_says_what_to_use() {
        let e = BodyKey::new("0531").unwrap_err().to_string();
        assert!(e.starts_with("\"0531\" is not a body key: use an 8-digit AGS"));
    }
}
