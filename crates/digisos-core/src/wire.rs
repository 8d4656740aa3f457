//! Serde forms that depend on the format: in a human-readable one (JSON — the log, the
//! HTTP API, the CLI) every type keeps its public shape; in a compact binary one (the
//! store's snapshots) instants and decimals travel as integers, so a snapshot neither
//! formats nor parses text for them.
//!
//! - an instant is its RFC 3339 text (`"2025-10-06T08:00:00Z"`, as chrono writes it) in
//!   JSON, and `(seconds, nanoseconds)` since the Unix epoch in binary;
//! - a decimal is as `rust_decimal` writes it in JSON, and `(mantissa, scale)` in binary.
//!
//! Reading an instant from JSON takes a fast path for the form the system writes
//! (`YYYY-MM-DDTHH:MM:SS[.fraction]Z`) and hands anything else to chrono's parser, so it
//! accepts exactly what chrono accepts.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, Utc};
use rust_decimal::Decimal;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

/// Parses the RFC 3339 forms chrono accepts; the usual `…Z` form without chrono's
/// general parser.
pub(crate) fn parse_instant(s: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    match fast_instant(s.as_bytes()) {
        Some(t) => Ok(t),
        None => s
            .parse::<DateTime<FixedOffset>>()
            .map(|t| t.with_timezone(&Utc)),
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z` with a valid date and time (no leap second); `None`
/// for anything else (the caller falls back to chrono).
fn fast_instant(b: &[u8]) -> Option<DateTime<Utc>> {
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[b.len() - 1] != b'Z'
    {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<u32> {
        b[from..to].iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    let year = i32::try_from(num(0, 4)?).ok()?;
    let (month, day) = (num(5, 7)?, num(8, 10)?);
    let (hour, minute, second) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    let nanos = match &b[19..b.len() - 1] {
        [] => 0,
        [b'.', digits @ ..] if (1..=9).contains(&digits.len()) => {
            let value = num(20, 20 + digits.len())?;
            let scale = 10u32.pow(9 - u32::try_from(digits.len()).ok()?);
            value * scale
        }
        _ => return None,
    };
    if second > 59 {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
    Some(date.and_time(time).and_utc())
}

/// An instant in the format-dependent form (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Instant(pub(crate) DateTime<Utc>);

impl Serialize for Instant {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            self.0.serialize(s)
        } else {
            (self.0.timestamp(), self.0.timestamp_subsec_nanos()).serialize(s)
        }
    }
}

struct InstantText;

impl Visitor<'_> for InstantText {
    type Value = DateTime<Utc>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an RFC 3339 formatted date and time string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<DateTime<Utc>, E> {
        parse_instant(v).map_err(E::custom)
    }
}

impl<'de> Deserialize<'de> for Instant {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if d.is_human_readable() {
            d.deserialize_str(InstantText).map(Instant)
        } else {
            let (secs, nanos) = <(i64, u32)>::deserialize(d)?;
            DateTime::from_timestamp(secs, nanos)
                .map(Instant)
                .ok_or_else(|| de::Error::custom("instant out of range"))
        }
    }
}

/// `#[serde(with = "crate::wire::instant")]` for a `DateTime<Utc>` field.
pub(crate) mod instant {
    use super::Instant;
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(crate) fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        Instant(*t).serialize(s)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        Instant::deserialize(d).map(|i| i.0)
    }
}

/// `#[serde(with = "crate::wire::instant_opt")]` for an `Option<DateTime<Utc>>` field.
pub(crate) mod instant_opt {
    use super::Instant;
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(crate) fn serialize<S: Serializer>(
        t: &Option<DateTime<Utc>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        t.map(Instant).serialize(s)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<DateTime<Utc>>, D::Error> {
        Ok(Option::<Instant>::deserialize(d)?.map(|i| i.0))
    }
}

/// `#[serde(with = "crate::wire::instant_map")]` for a `BTreeMap<K, DateTime<Utc>>` field.
pub(crate) mod instant_map {
    use super::Instant;
    use chrono::{DateTime, Utc};
    use serde::de::{MapAccess, Visitor};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::collections::BTreeMap;
    use std::fmt;
    use std::marker::PhantomData;

    pub(crate) fn serialize<K: Serialize, S: Serializer>(
        map: &BTreeMap<K, DateTime<Utc>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_map(map.iter().map(|(k, t)| (k, Instant(*t))))
    }

    pub(crate) fn deserialize<'de, K, D>(d: D) -> Result<BTreeMap<K, DateTime<Utc>>, D::Error>
    where
        K: Deserialize<'de> + Ord,
        D: Deserializer<'de>,
    {
        struct MapVisitor<K>(PhantomData<K>);

        impl<'de, K: Deserialize<'de> + Ord> Visitor<'de> for MapVisitor<K> {
            type Value = BTreeMap<K, DateTime<Utc>>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = BTreeMap::new();
                while let Some((k, t)) = map.next_entry::<K, Instant>()? {
                    out.insert(k, t.0);
                }
                Ok(out)
            }
        }

        d.deserialize_map(MapVisitor(PhantomData))
    }
}

/// `#[serde(deserialize_with = "crate::wire::btree_in_one_pass")]`: reads a map into a
/// `BTreeMap` by collecting its entries first, so that a map written in key order is
/// built in one pass with full nodes (inserted one by one in order, the nodes stay a
/// third empty). The shape is that of any map.
pub(crate) fn btree_in_one_pass<'de, K, V, D>(d: D) -> Result<BTreeMap<K, V>, D::Error>
where
    K: Deserialize<'de> + Ord,
    V: Deserialize<'de>,
    D: Deserializer<'de>,
{
    struct MapVisitor<K, V>(PhantomData<(K, V)>);

    impl<'de, K, V> Visitor<'de> for MapVisitor<K, V>
    where
        K: Deserialize<'de> + Ord,
        V: Deserialize<'de>,
    {
        type Value = BTreeMap<K, V>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a map")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0).min(1 << 16));
            while let Some(entry) = map.next_entry::<K, V>()? {
                entries.push(entry);
            }
            Ok(entries.into_iter().collect())
        }
    }

    d.deserialize_map(MapVisitor(PhantomData))
}

/// A decimal in the format-dependent form (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Dec(pub(crate) Decimal);

impl Serialize for Dec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            Serialize::serialize(&self.0, s)
        } else {
            (self.0.mantissa(), self.0.scale()).serialize(s)
        }
    }
}

impl<'de> Deserialize<'de> for Dec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if d.is_human_readable() {
            <Decimal as Deserialize>::deserialize(d).map(Dec)
        } else {
            let (mantissa, scale) = <(i128, u32)>::deserialize(d)?;
            Decimal::try_from_i128_with_scale(mantissa, scale)
                .map(Dec)
                .map_err(de::Error::custom)
        }
    }
}

/// `#[serde(with = "crate::wire::decimal_opt")]` for an `Option<Decimal>` field.
pub(crate) mod decimal_opt {
    use super::Dec;
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(crate) fn serialize<S: Serializer>(v: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        v.map(Dec).serialize(s)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Decimal>, D::Error> {
        Ok(Option::<Dec>::deserialize(d)?.map(|v| v.0))
    }
}

/// `#[serde(deserialize_with = "crate::wire::ordmap_in_one_pass")]`: reads a map (any
/// map's shape) into a persistent [`imbl::OrdMap`].
pub(crate) fn ordmap_in_one_pass<'de, K, V, D>(d: D) -> Result<imbl::OrdMap<K, V>, D::Error>
where
    K: Deserialize<'de> + Ord + Clone,
    V: Deserialize<'de> + Clone,
    D: Deserializer<'de>,
{
    Ok(btree_in_one_pass(d)?.into_iter().collect())
}

/// `#[serde(serialize_with = "crate::wire::ordmap_as_map")]`: writes a persistent
/// [`imbl::OrdMap`] as a map, in key order (the shape of a `BTreeMap`).
pub(crate) fn ordmap_as_map<K, V, S>(map: &imbl::OrdMap<K, V>, s: S) -> Result<S::Ok, S::Error>
where
    K: Serialize + Ord + Clone,
    V: Serialize + Clone,
    S: serde::Serializer,
{
    s.collect_map(map.iter())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_fast_path_reads_what_chrono_reads() {
        let texts = [
            "2025-10-06T08:00:00Z",
            "2025-10-06T08:00:00.5Z",
            "2025-10-06T08:00:00.123456789Z",
            "2024-02-29T23:59:59.000001Z",
            "0001-01-01T00:00:00Z",
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59.999999999Z",
        ];
        for text in texts {
            let chrono: DateTime<Utc> = text.parse::<DateTime<FixedOffset>>().unwrap().into();
            assert_eq!(fast_instant(text.as_bytes()), Some(chrono), "{text}");
            assert_eq!(parse_instant(text), Ok(chrono));
        }
        // not the fast path's form (or not valid): chrono decides, with its errors
        let others = [
            "2025-10-06T08:00:00+02:00",
            "2025-10-06 08:00:00Z",
            "2025-10-06t08:00:00z",
            "2016-12-31T23:59:60Z",
            "2025-10-06T08:00:00.1234567891Z",
            "2025-02-30T08:00:00Z",
            "2025-10-06T24:00:00Z",
            "2025-1x-06T08:00:00Z",
            "2025-10-06T08:00:00.Z",
            "+2025-10-06T08:00:00Z",
            "",
        ];
        for text in others {
            assert_eq!(fast_instant(text.as_bytes()), None, "{text}");
            let chrono = text
                .parse::<DateTime<FixedOffset>>()
                .map(|t| t.with_timezone(&Utc));
            assert_eq!(parse_instant(text), chrono, "{text}");
        }
    }

    #[test]
    fn json_keeps_the_public_shapes() {
        let t = Utc.with_ymd_and_hms(2025, 10, 6, 8, 0, 0).unwrap();
        assert_eq!(
            serde_json::to_string(&Instant(t)).unwrap(),
            serde_json::to_string(&t).unwrap()
        );
        let d = Decimal::new(12_550, 2);
        assert_eq!(
            serde_json::to_string(&Dec(d)).unwrap(),
            serde_json::to_string(&d).unwrap()
        );
        let back: Dec = serde_json::from_str("12.5").unwrap();
        assert_eq!(back.0, Decimal::new(125, 1));
    }
}
