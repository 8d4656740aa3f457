//! Serde for `TimeDelta` as whole nanoseconds (exact; enough for 292 years).

use chrono::TimeDelta;
use serde::{Deserialize, Deserializer, Serializer};

pub(super) fn serialize<S: Serializer>(d: &TimeDelta, s: S) -> Result<S::Ok, S::Error> {
    match d.num_nanoseconds() {
        Some(n) => s.serialize_i64(n),
        None => Err(serde::ser::Error::custom(
            "duration too long for nanoseconds",
        )),
    }
}

pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<TimeDelta, D::Error> {
    i64::deserialize(d).map(TimeDelta::nanoseconds)
}
