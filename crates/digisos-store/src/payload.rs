//! [`Payload`]: an event's data as canonical JSON text — the form the store keeps,
//! hashes and exports, so a payload is encoded once and never re-rendered.

use crate::canonical::{CanonicalError, to_canonical_string};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

/// An event's data as canonical JSON (compact, object keys sorted by their UTF-8 bytes;
/// see [`crate::hash`]). Build it with [`Payload::encode`] from any `Serialize` value or
/// with [`Payload::from_value`]; read it with [`Payload::decode`] or
/// [`Payload::to_value`]. Serialises as the JSON it holds (not as a string).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payload(String);

impl Payload {
    /// Encodes `value` canonically, without building a JSON tree. Fails only for values
    /// JSON cannot represent (a map key that is not a string, a 128-bit number out of
    /// range).
    pub fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Payload, CanonicalError> {
        to_canonical_string(value).map(Payload)
    }

    /// The canonical text of a JSON value.
    pub fn from_value(value: &serde_json::Value) -> Payload {
        Payload(crate::hash::canonical_json(value))
    }

    /// Wraps text read back from the store, where it was written by this type; `verify`
    /// checks that it still hashes to the chain.
    pub(crate) fn from_stored(text: String) -> Payload {
        Payload(text)
    }

    /// The canonical text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The canonical text, owned.
    pub fn into_string(self) -> String {
        self.0
    }

    /// Decodes the payload into `T`.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(&self.0)
    }

    /// The payload as a JSON tree.
    pub fn to_value(&self) -> Result<serde_json::Value, serde_json::Error> {
        serde_json::from_str(&self.0)
    }
}

impl From<serde_json::Value> for Payload {
    fn from(value: serde_json::Value) -> Self {
        Payload::from_value(&value)
    }
}

impl Serialize for Payload {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let raw: &RawValue = serde_json::from_str(&self.0).map_err(serde::ser::Error::custom)?;
        raw.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Payload {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde_json::Value::deserialize(d).map(Payload::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn encodes_canonically_and_serialises_as_json_not_as_a_string() {
        let p = Payload::encode(&json!({"b": [1, {"d": 2, "c": "x"}], "a": null})).unwrap();
        assert_eq!(p.as_str(), r#"{"a":null,"b":[1,{"c":"x","d":2}]}"#);
        let wrapped = serde_json::to_string(&json!({"payload": p.to_value().unwrap()})).unwrap();
        assert_eq!(
            serde_json::to_string(&std::collections::BTreeMap::from([("payload", &p)])).unwrap(),
            wrapped
        );
        let back: Payload = serde_json::from_str(r#"{ "z": 1, "a": 2 }"#).unwrap();
        assert_eq!(back.as_str(), r#"{"a":2,"z":1}"#);
        assert_eq!(back.decode::<serde_json::Value>().unwrap()["z"], 1);
    }
}
