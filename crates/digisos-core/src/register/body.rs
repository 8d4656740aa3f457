//! A body of the register (*Stelle*): key, name, kind, place in the Land, owners and
//! validity, with the checks every body must pass on its own.

use super::key::{BodyKey, KeyForm, LandCode, RegionCode};
use super::kind::BodyKind;
use crate::validation::Problems;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One owner of a company and its share of the capital (*Beteiligung*), in percent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ownership {
    /// The owning body; it must be in the register.
    pub owner: BodyKey,
    /// Share in percent, more than 0 and at most 100.
    pub share_percent: Decimal,
}

/// A public (or private) body that may ask for help under the programme, or that owns
/// such a body. Checked by [`Body::problems`] and again when a register import applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Body {
    /// Stable key: AGS, Kreisschlüssel or registry id.
    pub key: BodyKey,
    /// Official name, e.g. "Köln, Stadt".
    pub name: String,
    /// What kind of body it is.
    pub kind: BodyKind,
    /// The Land the body belongs to (`05`).
    pub land: LandCode,
    /// Its *Regierungsbezirk* (`053`), if the Land has them and the body belongs to one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regierungsbezirk: Option<RegionCode>,
    /// The Kreis a kreisangehörige Gemeinde belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<BodyKey>,
    /// Owners with their shares (companies).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub owners: Vec<Ownership>,
    /// First day the body exists in this form, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<NaiveDate>,
    /// Last day the body exists in this form (inclusive), if it has ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<NaiveDate>,
}

/// Where a date lies relative to a body's (or rule's) validity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validity {
    /// Valid on that date.
    Valid,
    /// Starts later, on the given date.
    NotYet(NaiveDate),
    /// Ended before, on the given (last valid) date.
    Ended(NaiveDate),
}

/// Validity of a `from..=to` range on `on`.
pub(crate) fn validity(from: Option<NaiveDate>, to: Option<NaiveDate>, on: NaiveDate) -> Validity {
    match (from, to) {
        (Some(f), _) if on < f => Validity::NotYet(f),
        (_, Some(t)) if on > t => Validity::Ended(t),
        _ => Validity::Valid,
    }
}

impl Body {
    /// Whether the body exists on `on` (validity dates inclusive).
    pub fn validity_on(&self, on: NaiveDate) -> Validity {
        validity(self.valid_from, self.valid_to, on)
    }

    /// Every problem of this body on its own (references to other bodies are checked by
    /// the register). Paths are field names (`owners[1].share_percent`).
    pub fn problems(&self) -> Problems {
        let mut p = Problems::new();
        if self.name.trim().is_empty() {
            p.push("name", "must not be empty");
        }
        match (self.kind, self.key.form()) {
            (BodyKind::KreisfreieStadt | BodyKind::KreisangehoerigeGemeinde, KeyForm::Ags)
            | (BodyKind::Kreis, KeyForm::Kreis) => {}
            (BodyKind::KreisfreieStadt | BodyKind::KreisangehoerigeGemeinde, _) => {
                p.push("key", "a Gemeinde needs an 8-digit AGS as key")
            }
            (BodyKind::Kreis, _) => p.push("key", "a Kreis needs a 5-digit Kreisschlüssel as key"),
            (_, KeyForm::Ags | KeyForm::Kreis) => p.push(
                "key",
                format!(
                    "a body of kind {} needs a registry id (e.g. LVR), not an AGS or Kreisschlüssel",
                    self.kind
                ),
            ),
            _ => {}
        }
        if self.key.form() != KeyForm::Registry
            && !self.key.as_str().starts_with(self.land.as_str())
        {
            p.push(
                "land",
                format!("{} does not match the key {}", self.land, self.key),
            );
        }
        if let Some(rb) = &self.regierungsbezirk
            && rb.land() != self.land
        {
            p.push(
                "regierungsbezirk",
                format!("{rb} is not in Land {}", self.land),
            );
        }
        self.check_parent(&mut p);
        if let (Some(f), Some(t)) = (self.valid_from, self.valid_to)
            && f > t
        {
            p.push("valid_to", format!("{t} is before valid_from {f}"));
        }
        self.check_owners(&mut p);
        p
    }

    fn check_parent(&self, p: &mut Problems) {
        match (&self.parent, self.kind) {
            (None, BodyKind::KreisangehoerigeGemeinde) => p.push(
                "parent",
                "a kreisangehörige Gemeinde needs its Kreis as parent",
            ),
            (Some(parent), _) if parent.form() != KeyForm::Kreis => p.push(
                "parent",
                format!("{parent} is not a 5-digit Kreisschlüssel"),
            ),
            (Some(parent), BodyKind::KreisangehoerigeGemeinde)
                if self.key.kreis().as_ref() != Some(parent) =>
            {
                p.push(
                    "parent",
                    format!("{parent} is not the Kreis of the AGS {}", self.key),
                )
            }
            (Some(_), BodyKind::KreisfreieStadt | BodyKind::Kreis) => p.push(
                "parent",
                format!("a body of kind {} has no parent Kreis", self.kind),
            ),
            _ => {}
        }
    }

    fn check_owners(&self, p: &mut Problems) {
        let mut total = Decimal::ZERO;
        for (i, o) in self.owners.iter().enumerate() {
            if o.share_percent <= Decimal::ZERO || o.share_percent > Decimal::ONE_HUNDRED {
                p.push(
                    format!("owners[{i}].share_percent"),
                    format!("{} must be more than 0 and at most 100", o.share_percent),
                );
            }
            if o.owner == self.key {
                p.push(format!("owners[{i}].owner"), "a body cannot own itself");
            }
            if self.owners[..i].iter().any(|e| e.owner == o.owner) {
                p.push(
                    format!("owners[{i}].owner"),
                    format!("{} is listed twice", o.owner),
                );
            }
            total += o.share_percent;
        }
        if total > Decimal::ONE_HUNDRED {
            p.push(
                "owners",
                format!("shares add up to {total} %, more than 100"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn body(key: &str, kind: BodyKind) -> Body {
        Body {
            key: BodyKey::new(key).unwrap(),
            name: "X".into(),
            kind,
            land: LandCode::nrw(),
            regierungsbezirk: None,
            parent: None,
            owners: vec![],
            valid_from: None,
            valid_to: None,
        }
    }

    fn messages(b: &Body) -> Vec<String> {
        b.problems()
            .into_vec()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn key_must_fit_the_kind() {
        assert!(messages(&body("05315000", BodyKind::KreisfreieStadt)).is_empty());
        assert_eq!(
            messages(&body("LVR", BodyKind::Kreis)),
            ["key: a Kreis needs a 5-digit Kreisschlüssel as key"]
        );
        assert_eq!(
            messages(&body("05315", BodyKind::Landesbehoerde)),
            [
                "key: a body of kind landesbehoerde needs a registry id (e.g. LVR), not an AGS or Kreisschlüssel"
            ]
        );
        assert_eq!(
            messages(&body("06411000", BodyKind::KreisfreieStadt)),
            ["land: 05 does not match the key 06411000"]
        );
    }

    #[test]
    fn gemeinde_parent_is_its_kreis() {
        let mut b = body("05970004", BodyKind::KreisangehoerigeGemeinde);
        assert_eq!(
            messages(&b),
            ["parent: a kreisangehörige Gemeinde needs its Kreis as parent"]
        );
        b.parent = Some(BodyKey::new("05966").unwrap());
        assert_eq!(
            messages(&b),
            ["parent: 05966 is not the Kreis of the AGS 05970004"]
        );
        b.parent = Some(BodyKey::new("05970").unwrap());
        assert!(messages(&b).is_empty());
    }

    #[test]
    fn every_owner_problem_is_listed() {
        let mut b = body("SW-X", BodyKind::KommunalesUnternehmen);
        let own = |k: &str, s| Ownership {
            owner: BodyKey::new(k).unwrap(),
            share_percent: s,
        };
        b.owners = vec![
            own("05315000", dec!(80)),
            own("05315000", dec!(30)),
            own("SW-X", dec!(0)),
        ];
        b.valid_from = NaiveDate::from_ymd_opt(2024, 1, 2);
        b.valid_to = NaiveDate::from_ymd_opt(2024, 1, 1);
        assert_eq!(
            messages(&b),
            [
                "valid_to: 2024-01-01 is before valid_from 2024-01-02",
                "owners[1].owner: 05315000 is listed twice",
                "owners[2].share_percent: 0 must be more than 0 and at most 100",
                "owners[2].owner: a body cannot own itself",
                "owners: shares add up to 110 %, more than 100",
            ]
        );
    }

    #[test]
    fn validity_is_inclusive() {
        let d = |day| NaiveDate::from_ymd_opt(2024, 1, day).unwrap();
        assert_eq!(
            validity(Some(d(2)), Some(d(3)), d(1)),
            Validity::NotYet(d(2))
        );
        assert_eq!(validity(Some(d(2)), Some(d(3)), d(2)), Validity::Valid);
        assert_eq!(validity(Some(d(2)), Some(d(3)), d(3)), Validity::Valid);
        assert_eq!(
            validity(Some(d(2)), Some(d(3)), d(4)),
            Validity::Ended(d(3))
        );
        assert_eq!(validity(None, None, d(4)), Validity::Valid);
    }
}
