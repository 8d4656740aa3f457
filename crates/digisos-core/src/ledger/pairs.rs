//! Serde for a map whose keys are not strings (such as [`super::LimitKey`]) as a list of
//! `[key, value]` pairs, so formats with string-only map keys (JSON) can hold it.

use imbl::OrdMap;
use serde::de::{Deserialize, Deserializer};
use serde::ser::{Serialize, Serializer};

pub(super) fn serialize<K, V, S>(map: &OrdMap<K, V>, s: S) -> Result<S::Ok, S::Error>
where
    K: Serialize + Ord + Clone,
    V: Serialize + Clone,
    S: Serializer,
{
    s.collect_seq(map.iter())
}

pub(super) fn deserialize<'de, K, V, D>(d: D) -> Result<OrdMap<K, V>, D::Error>
where
    K: Deserialize<'de> + Ord + Clone,
    V: Deserialize<'de> + Clone,
    D: Deserializer<'de>,
{
    Ok(Vec::<(K, V)>::deserialize(d)?.into_iter().collect())
}
