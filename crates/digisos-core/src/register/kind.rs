//! The kind of a body (*Art der Stelle*): what decides which eligibility rule applies.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a text is not a known body kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a body kind; use one of: {list}", list = BodyKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", "))]
pub struct KindError(pub String);

/// The kind of a public (or private) body. Serialised in snake_case (`kreisfreie_stadt`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyKind {
    /// *Kreisfreie Stadt* (GV100AD Textkennzeichen 61/62).
    KreisfreieStadt,
    /// *Kreisangehörige Gemeinde* (any other Gemeinde of GV100AD).
    KreisangehoerigeGemeinde,
    /// *Kreis* (also Landkreis, Städteregion, Regionalverband).
    Kreis,
    /// *Landschaftsverband* (LVR, LWL).
    Landschaftsverband,
    /// *Landesbehörde* or Landesbetrieb of the Land administration.
    Landesbehoerde,
    /// Other *kommunale Körperschaft* (Zweckverband, Regionalverband, …).
    KommunaleKoerperschaft,
    /// *Anstalt des öffentlichen Rechts*.
    AnstaltOeffentlichenRechts,
    /// *Stiftung des öffentlichen Rechts*.
    StiftungOeffentlichenRechts,
    /// Company of one or more municipalities (*kommunales Unternehmen*).
    KommunalesUnternehmen,
    /// Company of the Land (*Landesunternehmen*).
    Landesunternehmen,
    /// Federal authority (*Bundesbehörde*): never eligible under a Land's programme.
    Bundesbehoerde,
    /// Private company (*privates Unternehmen*): never eligible.
    PrivatesUnternehmen,
    /// A corporation of another Land (*Körperschaft eines anderen Landes*): never eligible.
    AndereLandKoerperschaft,
}

impl BodyKind {
    /// Every kind, in declaration order.
    pub const ALL: [BodyKind; 13] = [
        BodyKind::KreisfreieStadt,
        BodyKind::KreisangehoerigeGemeinde,
        BodyKind::Kreis,
        BodyKind::Landschaftsverband,
        BodyKind::Landesbehoerde,
        BodyKind::KommunaleKoerperschaft,
        BodyKind::AnstaltOeffentlichenRechts,
        BodyKind::StiftungOeffentlichenRechts,
        BodyKind::KommunalesUnternehmen,
        BodyKind::Landesunternehmen,
        BodyKind::Bundesbehoerde,
        BodyKind::PrivatesUnternehmen,
        BodyKind::AndereLandKoerperschaft,
    ];

    /// The snake_case name used in files and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            BodyKind::KreisfreieStadt => "kreisfreie_stadt",
            BodyKind::KreisangehoerigeGemeinde => "kreisangehoerige_gemeinde",
            BodyKind::Kreis => "kreis",
            BodyKind::Landschaftsverband => "landschaftsverband",
            BodyKind::Landesbehoerde => "landesbehoerde",
            BodyKind::KommunaleKoerperschaft => "kommunale_koerperschaft",
            BodyKind::AnstaltOeffentlichenRechts => "anstalt_oeffentlichen_rechts",
            BodyKind::StiftungOeffentlichenRechts => "stiftung_oeffentlichen_rechts",
            BodyKind::KommunalesUnternehmen => "kommunales_unternehmen",
            BodyKind::Landesunternehmen => "landesunternehmen",
            BodyKind::Bundesbehoerde => "bundesbehoerde",
            BodyKind::PrivatesUnternehmen => "privates_unternehmen",
            BodyKind::AndereLandKoerperschaft => "andere_land_koerperschaft",
        }
    }

    /// True for kinds that no Land programme may admit (federal, private, other Land);
    /// [`crate::eligibility::RuleSet::validate`] refuses rules that list them.
    pub fn never_eligible(self) -> bool {
        matches!(
            self,
            BodyKind::Bundesbehoerde
                | BodyKind::PrivatesUnternehmen
                | BodyKind::AndereLandKoerperschaft
        )
    }

    /// True for companies, which qualify only through control by eligible owners.
    pub fn is_company(self) -> bool {
        matches!(
            self,
            BodyKind::KommunalesUnternehmen
                | BodyKind::Landesunternehmen
                | BodyKind::PrivatesUnternehmen
        )
    }
}

impl fmt::Display for BodyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl std::str::FromStr for BodyKind {
    type Err = KindError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        BodyKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| KindError(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for k in BodyKind::ALL {
            assert_eq!(k.as_str().parse::<BodyKind>(), Ok(k));
        }
        assert!("Kreis".parse::<BodyKind>().is_err());
    }

    #[test]
    fn error_lists_the_kinds() {
        let e = "stadt".parse::<BodyKind>().unwrap_err().to_string();
        assert!(e.contains("kreisfreie_stadt, kreisangehoerige_gemeinde, kreis,"));
    }
}
