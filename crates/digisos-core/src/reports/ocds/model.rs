//! The subset of the Open Contracting Data Standard 1.1 (release package, release,
//! parties, tender with lots and techniques, awards, contracts, related processes) that
//! the export fills, as typed serde structs with OCDS's camelCase names. They also
//! deserialise, so that a client of the HTTP API reads back exactly the package the
//! server built.

use crate::money::Money;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// An OCDS release package: the releases published together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReleasePackage {
    /// Where the package is (or will be) published.
    pub uri: String,
    /// When it was published.
    pub published_date: DateTime<Utc>,
    /// Who publishes it.
    pub publisher: Publisher,
    /// The OCDS version, `1.1`.
    pub version: String,
    /// The releases: the framework first, then one per call-off.
    pub releases: Vec<Release>,
}

/// The publisher of a package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publisher {
    /// Name.
    pub name: String,
}

/// One release of one contracting process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Release {
    /// The contracting process: ocid prefix and a local id.
    pub ocid: String,
    /// The release id, unique within the process.
    pub id: String,
    /// When the information was published.
    pub date: DateTime<Utc>,
    /// Release tags (`award`, `contract`, …).
    pub tag: Vec<String>,
    /// Always `tender`.
    pub initiation_type: String,
    /// Every organisation the release names.
    pub parties: Vec<Party>,
    /// The buyer: the awarding authority of the framework, the calling-off body of a
    /// call-off.
    pub buyer: OrganizationRef,
    /// The tender.
    pub tender: Tender,
    /// Awards.
    pub awards: Vec<Award>,
    /// Contracts.
    pub contracts: Vec<Contract>,
    /// Links to other processes (a call-off to its framework).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related_processes: Vec<RelatedProcess>,
}

/// An organisation and its roles in the process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    /// Id within the release.
    pub id: String,
    /// Name.
    pub name: String,
    /// Roles (`buyer`, `procuringEntity`, `supplier`, `tenderer`).
    pub roles: Vec<String>,
}

/// A reference to a party.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationRef {
    /// The party id.
    pub id: String,
    /// Its name.
    pub name: String,
}

/// An amount in a currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Value {
    /// The amount, as a JSON number (OCDS requires one); see [`amount`].
    #[serde(serialize_with = "amount::serialize")]
    pub amount: Money,
    /// ISO 4217 code, `EUR` (the only currency of the programme).
    pub currency: &'static str,
}

/// A [`Value`] as read, before its currency is checked.
#[derive(Deserialize)]
struct ValueRepr {
    #[serde(deserialize_with = "amount::deserialize")]
    amount: Money,
    currency: String,
}

impl<'de> Deserialize<'de> for Value {
    /// Reads an amount and its currency; the programme pays in euro only, so anything but
    /// `EUR` is refused (the code is kept as a static string).
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        let v = ValueRepr::deserialize(d)?;
        if v.currency == "EUR" {
            Ok(Value::eur(v.amount))
        } else {
            Err(serde::de::Error::custom(format!(
                "currency {:?} is not EUR, the only currency of the programme",
                v.currency
            )))
        }
    }
}

impl Value {
    /// An amount in euro.
    pub fn eur(amount: Money) -> Value {
        Value {
            amount,
            currency: "EUR",
        }
    }
}

/// How an OCDS amount is written: whole euro as a JSON integer, otherwise the cent amount
/// as the nearest double (exact in its shortest decimal form for amounts below 2^53
/// cents). Use it as `#[serde(with = "…::ocds::amount")]` wherever the package's values
/// are written, so that every writer agrees on the number.
pub mod amount {
    use crate::money::Money;
    use rust_decimal::Decimal;
    use rust_decimal::prelude::ToPrimitive;
    use serde::de::{self, Visitor};
    use serde::{Deserializer, Serializer};
    use std::fmt;

    /// Writes `m` rounded to cents as a JSON number.
    pub fn serialize<S: Serializer>(m: &Money, s: S) -> Result<S::Ok, S::Error> {
        let d = m.round_cents().amount();
        match (d.fract().is_zero(), d.to_i64(), d.to_f64()) {
            (true, Some(i), _) => s.serialize_i64(i),
            (_, _, Some(f)) => s.serialize_f64(f),
            _ => s.collect_str(&d),
        }
    }

    /// Reads an amount written by [`serialize`]: an integer, a double (whole cents) or a
    /// decimal string; fails on a negative amount.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        d.deserialize_any(AmountVisitor)
    }

    struct AmountVisitor;

    impl AmountVisitor {
        fn money<E: de::Error>(d: Decimal) -> Result<Money, E> {
            Money::new(d).map_err(E::custom)
        }

        fn text<E: de::Error>(s: &str) -> Result<Money, E> {
            let d: Decimal = s
                .parse()
                .map_err(|_| E::custom(format!("{s:?} is not a decimal amount")))?;
            Self::money(d)
        }
    }

    impl Visitor<'_> for AmountVisitor {
        type Value = Money;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a non-negative amount in euro (a number)")
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Money, E> {
            Self::money(Decimal::from(v))
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Money, E> {
            Self::money(Decimal::from(v))
        }

        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Money, E> {
            // a double stands for whole cents (see `serialize`); its shortest decimal
            // form, rounded to cents, is the amount even if the parser was a bit off
            if v.is_finite() {
                Self::text(&v.to_string()).map(Money::round_cents)
            } else {
                Err(E::custom("an amount must be a finite number"))
            }
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Money, E> {
            Self::text(v)
        }
    }
}

/// A period of time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Period {
    /// Start.
    pub start_date: DateTime<Utc>,
    /// End.
    pub end_date: DateTime<Utc>,
}

/// The tender of a process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tender {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Status (`complete` once awarded).
    pub status: String,
    /// Estimated value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    /// Procurement techniques (the framework flag).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub techniques: Option<Techniques>,
    /// Lots (OCDS lots extension).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lots: Vec<Lot>,
}

/// Procurement techniques (OCDS techniques extension).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Techniques {
    /// True for a framework agreement.
    pub has_framework_agreement: bool,
}

/// A lot of the tender.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lot {
    /// Lot id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Scope.
    pub description: String,
    /// The lot ceiling, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    /// `active`.
    pub status: String,
}

/// An award.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Award {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// `pending`, `active` or `cancelled`.
    pub status: String,
    /// Value awarded.
    pub value: Value,
    /// The suppliers.
    pub suppliers: Vec<OrganizationRef>,
    /// The lots it covers.
    #[serde(rename = "relatedLots")]
    pub related_lots: Vec<String>,
}

/// A contract.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contract {
    /// Id.
    pub id: String,
    /// The award it implements.
    #[serde(rename = "awardID")]
    pub award_id: String,
    /// Title.
    pub title: String,
    /// `pending`, `active`, `terminated` or `cancelled`.
    pub status: String,
    /// Term.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
    /// Value.
    pub value: Value,
}

/// A link to another contracting process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelatedProcess {
    /// Id within the release.
    pub id: String,
    /// Relationship codes (`framework`).
    pub relationship: Vec<String>,
    /// Title of the other process.
    pub title: String,
    /// `ocid`.
    pub scheme: String,
    /// The other process's ocid.
    pub identifier: String,
}
