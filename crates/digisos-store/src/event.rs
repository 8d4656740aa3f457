//! The event types the log stores: what a writer hands in ([`NewEvent`]), what the log
//! hands back ([`StoredEvent`]), optimistic-concurrency expectations and chain hashes.

use crate::payload::Payload;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// An event to append. The store treats `kind` and `payload` as opaque: the domain
/// decides what they mean.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    /// The stream (aggregate instance) it belongs to, e.g. `incident-INC-1`, `register`,
    /// `contract-digi-sos-2025`, `tokens`. Must not be empty.
    pub stream: String,
    /// The event type name, e.g. `CallOffReserved`. Must not be empty.
    pub kind: String,
    /// Who caused it, e.g. `coordinator`, `body:05970004`, `provider:x`. Must not be empty.
    pub actor: String,
    /// When it happened (the command's `now`, not the time of storage).
    pub at: DateTime<Utc>,
    /// The event's data, as the canonical JSON the store keeps and hashes.
    pub payload: Payload,
}

impl NewEvent {
    /// Builds an event; call [`crate::EventLog::append`] to store it.
    pub fn new(
        stream: impl Into<String>,
        kind: impl Into<String>,
        actor: impl Into<String>,
        at: DateTime<Utc>,
        payload: impl Into<Payload>,
    ) -> Self {
        NewEvent {
            stream: stream.into(),
            kind: kind.into(),
            actor: actor.into(),
            at,
            payload: payload.into(),
        }
    }
}

/// An event as stored: with its global position, stream version and chain hashes.
///
/// Serialises (e.g. to JSON Lines for a SIEM export) with the fields in declaration
/// order, `at` as RFC 3339 with nanoseconds in UTC, the payload with sorted keys and the
/// hashes as lowercase hex — the same encodings the hash is computed over.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredEvent {
    /// Global position in the log: 1-based, gapless, strictly increasing.
    pub position: u64,
    /// The stream it belongs to.
    pub stream: String,
    /// Version within its stream: 1-based, gapless.
    pub version: u64,
    /// The event type name.
    pub kind: String,
    /// Who caused it.
    pub actor: String,
    /// When it happened.
    #[serde(serialize_with = "serialize_at", deserialize_with = "deserialize_at")]
    pub at: DateTime<Utc>,
    /// The event's data.
    pub payload: Payload,
    /// Hash of the event at `position - 1` ([`EventHash::ZERO`] for position 1).
    pub prev_hash: EventHash,
    /// This event's hash, see [`crate::hash`].
    pub hash: EventHash,
}

fn serialize_at<S: Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&crate::hash::format_at(at))
}

fn deserialize_at<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    let text = String::deserialize(d)?;
    crate::hash::parse_at(&text).map_err(serde::de::Error::custom)
}

/// What a writer expects a stream's version to be before its append.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpectedVersion {
    /// No check.
    Any,
    /// The stream must not exist yet (version 0).
    NoStream,
    /// The stream must be exactly at this version (0 is the same as `NoStream`).
    Exactly(u64),
}

impl ExpectedVersion {
    /// Whether a stream at version `actual` satisfies this expectation.
    pub fn admits(self, actual: u64) -> bool {
        match self {
            ExpectedVersion::Any => true,
            ExpectedVersion::NoStream => actual == 0,
            ExpectedVersion::Exactly(v) => actual == v,
        }
    }
}

impl fmt::Display for ExpectedVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExpectedVersion::Any => f.write_str("any version"),
            ExpectedVersion::NoStream => f.write_str("no stream"),
            ExpectedVersion::Exactly(v) => write!(f, "version {v}"),
        }
    }
}

/// A SHA-256 chain hash; shown and serialised as 64 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventHash(pub [u8; 32]);

impl EventHash {
    /// The `prev_hash` of the first event (genesis): 32 zero bytes.
    pub const ZERO: EventHash = EventHash([0; 32]);

    /// The hash as 64 lowercase hex digits.
    pub fn to_hex(&self) -> String {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut text = String::with_capacity(64);
        for b in self.0 {
            text.push(char::from(DIGITS[usize::from(b >> 4)]));
            text.push(char::from(DIGITS[usize::from(b & 0x0f)]));
        }
        text
    }
}

impl fmt::Display for EventHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for EventHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EventHash({})", self.to_hex())
    }
}

/// Why a text is not an [`EventHash`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a sha-256 hash: expected 64 hex digits, got `{0}`")]
pub struct ParseHashError(String);

impl FromStr for EventHash {
    type Err = ParseHashError;

    /// Parses 64 hex digits; fails on any other length or a non-hex digit.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(s, &mut out).map_err(|_| ParseHashError(s.to_owned()))?;
        Ok(EventHash(out))
    }
}

impl Serialize for EventHash {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for EventHash {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> StoredEvent {
        StoredEvent {
            position: 7,
            stream: "incident-INC-1".into(),
            version: 2,
            kind: "CallOffReserved".into(),
            actor: "body:05970004".into(),
            at: "2025-03-01T08:15:00Z".parse().unwrap(),
            payload: json!({"lot": "L1", "amount": "1200.50"}).into(),
            prev_hash: EventHash::ZERO,
            hash: EventHash([0xab; 32]),
        }
    }

    #[test]
    fn json_line_has_stable_field_order_and_round_trips() {
        let line = serde_json::to_string(&sample()).unwrap();
        let zero = "0".repeat(64);
        let ab = "ab".repeat(32);
        assert_eq!(
            line,
            format!(
                r#"{{"position":7,"stream":"incident-INC-1","version":2,"kind":"CallOffReserved","actor":"body:05970004","at":"2025-03-01T08:15:00.000000000Z","payload":{{"amount":"1200.50","lot":"L1"}},"prev_hash":"{zero}","hash":"{ab}"}}"#
            )
        );
        let back: StoredEvent = serde_json::from_str(&line).unwrap();
        assert_eq!(back, sample());
    }

    #[test]
    fn expected_version_admits_table() {
        let table = [
            (ExpectedVersion::Any, 0, true),
            (ExpectedVersion::Any, 5, true),
            (ExpectedVersion::NoStream, 0, true),
            (ExpectedVersion::NoStream, 1, false),
            (ExpectedVersion::Exactly(0), 0, true),
            (ExpectedVersion::Exactly(3), 3, true),
            (ExpectedVersion::Exactly(3), 4, false),
        ];
        for (expected, actual, admitted) in table {
            assert_eq!(expected.admits(actual), admitted, "{expected} vs {actual}");
        }
    }

    #[test]
    fn hash_parses_only_64_hex_digits() {
        let h: EventHash = "ab".repeat(32).parse().unwrap();
        assert_eq!(h, EventHash([0xab; 32]));
        for bad in ["", "ab", &"zz".repeat(32), &"ab".repeat(33)] {
            assert!(bad.parse::<EventHash>().is_err(), "{bad}");
        }
    }
}
