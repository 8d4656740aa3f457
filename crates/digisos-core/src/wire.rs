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
//! accepts exactly what chrono accepts. Writing one ([`format_instant`]) fills a small
//! buffer digit by digit, with exactly chrono's text, instead of going through
//! `fmt::Display`: the store writes several instants for every event it appends.

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

/// How many fraction digits [`format_instant`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fraction {
    /// As few as the instant needs, in groups of three (none, 3, 6 or 9): chrono's
    /// `SecondsFormat::AutoSi`, the form of an instant in JSON.
    Auto,
    /// Always nine: chrono's `SecondsFormat::Nanos`.
    Nanos,
}

/// An instant's RFC 3339 text in UTC (`…Z`), on the stack.
#[derive(Clone, Copy)]
pub struct Rfc3339 {
    buf: [u8; 40],
    len: u8,
}

impl Rfc3339 {
    /// The text.
    pub fn as_str(&self) -> &str {
        // only ASCII digits and separators are written (or chrono's own text)
        std::str::from_utf8(&self.buf[..usize::from(self.len)]).unwrap_or_default()
    }
}

impl fmt::Display for Rfc3339 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Rfc3339 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

/// `t` as chrono's `to_rfc3339_opts(…, true)` writes it, without `fmt` machinery for the
/// usual instants (years 0 to 9999, no leap second); the rest is chrono's text.
pub fn format_instant(t: &DateTime<Utc>, fraction: Fraction) -> Rfc3339 {
    use chrono::{Datelike, Timelike};
    let mut out = Rfc3339 {
        buf: [0; 40],
        len: 0,
    };
    let (year, nanos) = (t.year(), t.nanosecond());
    if !(0..=9999).contains(&year) || nanos >= 1_000_000_000 {
        let format = match fraction {
            Fraction::Auto => chrono::SecondsFormat::AutoSi,
            Fraction::Nanos => chrono::SecondsFormat::Nanos,
        };
        let text = t.to_rfc3339_opts(format, true);
        let len = text.len().min(out.buf.len());
        out.buf[..len].copy_from_slice(&text.as_bytes()[..len]);
        out.len = u8::try_from(len).unwrap_or(0);
        return out;
    }
    let mut w = Digits {
        buf: &mut out.buf,
        at: 0,
    };
    w.number(year.unsigned_abs(), 4);
    w.byte(b'-');
    w.number(t.month(), 2);
    w.byte(b'-');
    w.number(t.day(), 2);
    w.byte(b'T');
    w.number(t.hour(), 2);
    w.byte(b':');
    w.number(t.minute(), 2);
    w.byte(b':');
    w.number(t.second(), 2);
    let digits = match fraction {
        Fraction::Nanos => 9,
        Fraction::Auto if nanos == 0 => 0,
        Fraction::Auto if nanos % 1_000_000 == 0 => 3,
        Fraction::Auto if nanos % 1_000 == 0 => 6,
        Fraction::Auto => 9,
    };
    if digits > 0 {
        w.byte(b'.');
        w.number(nanos / 10u32.pow(9 - digits), digits);
    }
    w.byte(b'Z');
    let len = w.at;
    out.len = u8::try_from(len).unwrap_or(0);
    out
}

/// Writes ASCII into a buffer large enough for an instant.
struct Digits<'a> {
    buf: &'a mut [u8; 40],
    at: usize,
}

impl Digits<'_> {
    fn byte(&mut self, b: u8) {
        self.buf[self.at] = b;
        self.at += 1;
    }

    /// `value` in exactly `digits` decimal digits (leading zeros).
    fn number(&mut self, value: u32, digits: u32) {
        for d in (0..digits).rev() {
            let digit = (value / 10u32.pow(d)) % 10;
            self.byte(b'0' + u8::try_from(digit).unwrap_or(0));
        }
    }
}

/// An instant in the format-dependent form (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Instant(pub(crate) DateTime<Utc>);

impl Serialize for Instant {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(format_instant(&self.0, Fraction::Auto).as_str())
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

    proptest::proptest! {
        #[test]
        fn instants_are_written_as_chrono_writes_them(
            secs in -62_198_755_200i64..253_402_300_800i64,
            nanos in 0u32..1_000_000_000,
            round in 0u32..4,
        ) {
            // round the fraction to whole seconds, milli- or microseconds at times
            let nanos = match round {
                0 => 0,
                1 => nanos / 1_000_000 * 1_000_000,
                2 => nanos / 1_000 * 1_000,
                _ => nanos,
            };
            let t = DateTime::from_timestamp(secs, nanos).unwrap();
            let (auto, nanos) = (
                format_instant(&t, Fraction::Auto),
                format_instant(&t, Fraction::Nanos),
            );
            proptest::prop_assert_eq!(
                auto.as_str(),
                t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
            );
            proptest::prop_assert_eq!(
                nanos.as_str(),
                t.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
            );
            proptest::prop_assert_eq!(
                serde_json::to_string(&Instant(t)).unwrap(),
                serde_json::to_string(&t).unwrap()
            );
        }
    }

    #[test]
    fn instants_outside_four_digit_years_and_leap_seconds_are_chronos_text() {
        let cases = [
            DateTime::from_timestamp(-62_198_755_201, 5).unwrap(), // year -1
            DateTime::from_timestamp(253_402_300_800, 0).unwrap(), // year 10000
            DateTime::from_timestamp(1_483_228_799, 1_500_000_000).unwrap(), // leap second
        ];
        for t in cases {
            assert_eq!(
                format_instant(&t, Fraction::Auto).as_str(),
                t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
            );
            assert_eq!(
                format_instant(&t, Fraction::Nanos).as_str(),
                t.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
            );
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
