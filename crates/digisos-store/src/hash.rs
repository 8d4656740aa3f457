//! The canonical encoding of a stored event and its SHA-256 chain hash.
//!
//! # Encoding (version 1)
//!
//! The hash of an event is `SHA-256(encoding)`, where `encoding` is the concatenation of
//!
//! 1. the 16 ASCII bytes `digisos-event-v1` and one zero byte (domain separation),
//! 2. `position` as 8 bytes big-endian,
//! 3. `stream` as a field,
//! 4. `version` as 8 bytes big-endian,
//! 5. `kind` as a field,
//! 6. `actor` as a field,
//! 7. `at` as a field, formatted RFC 3339 in UTC with exactly nine fractional digits and
//!    a `Z` suffix (`2025-03-01T08:15:00.000000000Z`, see [`format_at`]),
//! 8. the payload as a field, in canonical JSON (see [`canonical_json`]),
//! 9. `prev_hash` as its 32 raw bytes (32 zero bytes for position 1).
//!
//! A *field* is the UTF-8 length in bytes as 8 bytes big-endian, followed by the UTF-8
//! bytes; the length prefix makes the encoding unambiguous. Canonical JSON is
//! `serde_json`'s compact output with every object's keys sorted by their UTF-8 bytes
//! (recursively); numbers and string escapes are as `serde_json` writes them. The store
//! keeps `at` and the payload in exactly these textual forms, so verification hashes
//! the stored bytes without re-encoding.

use crate::event::EventHash;
use chrono::{DateTime, Utc};
use digisos_core::wire::{Fraction, format_instant};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use sha2::{Digest, Sha256};

/// The domain-separation prefix of encoding version 1.
const PREFIX: &[u8] = b"digisos-event-v1\0";

/// The fields of an event exactly as they are hashed (textual forms already canonical).
#[derive(Debug, Clone, Copy)]
pub struct HashInput<'a> {
    /// Global position.
    pub position: u64,
    /// Stream name.
    pub stream: &'a str,
    /// Version within the stream.
    pub version: u64,
    /// Event type name.
    pub kind: &'a str,
    /// Who caused the event.
    pub actor: &'a str,
    /// `at` as produced by [`format_at`].
    pub at: &'a str,
    /// Payload as produced by [`canonical_json`].
    pub payload: &'a str,
    /// The predecessor's hash.
    pub prev_hash: &'a EventHash,
}

/// Computes the chain hash of one event (see the module docs for the encoding).
pub fn event_hash(input: &HashInput<'_>) -> EventHash {
    let mut h = Sha256::new();
    h.update(PREFIX);
    h.update(input.position.to_be_bytes());
    field(&mut h, input.stream);
    h.update(input.version.to_be_bytes());
    field(&mut h, input.kind);
    field(&mut h, input.actor);
    field(&mut h, input.at);
    field(&mut h, input.payload);
    h.update(input.prev_hash.0);
    EventHash(h.finalize().into())
}

fn field(h: &mut Sha256, text: &str) {
    // usize -> u64 is lossless on every supported target.
    h.update((text.len() as u64).to_be_bytes());
    h.update(text.as_bytes());
}

/// Formats a timestamp the one way the store keeps and hashes it: RFC 3339, UTC, nine
/// fractional digits, `Z`.
pub fn format_at(at: &DateTime<Utc>) -> String {
    // chrono's `to_rfc3339_opts(SecondsFormat::Nanos, true)`, without its `fmt` machinery
    format_instant(at, Fraction::Nanos).as_str().to_owned()
}

/// Parses a stored timestamp; fails if `text` is not RFC 3339.
pub fn parse_at(text: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc))
}

/// Renders a JSON value canonically: compact, object keys sorted by UTF-8 bytes.
pub fn canonical_json(value: &serde_json::Value) -> String {
    // Serialising a `Value` into a `String` cannot fail: no IO, keys are strings.
    serde_json::to_string(&Canonical(value)).unwrap_or_default()
}

/// A serialisation wrapper that writes a JSON value with sorted object keys, whatever
/// `serde_json`'s map order is in this build.
#[derive(Debug, Clone, Copy)]
pub struct Canonical<'a>(pub &'a serde_json::Value);

impl Serialize for Canonical<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            serde_json::Value::Object(map) => {
                let mut entries: Vec<_> = map.iter().collect();
                entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
                let mut m = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    m.serialize_entry(k, &Canonical(v))?;
                }
                m.end()
            }
            serde_json::Value::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for v in items {
                    seq.serialize_element(&Canonical(v))?;
                }
                seq.end()
            }
            other => other.serialize(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn canonical_json_sorts_keys_recursively_and_is_compact() {
        let v = json!({"b": 1, "a": {"z": [ {"y": 2, "x": 1} ], "c": "é"}});
        assert_eq!(
            canonical_json(&v),
            r#"{"a":{"c":"é","z":[{"x":1,"y":2}]},"b":1}"#
        );
    }

    #[test]
    fn at_has_nine_fraction_digits_in_utc() {
        let at = parse_at("2025-03-01T09:15:00.5+01:00").unwrap();
        assert_eq!(format_at(&at), "2025-03-01T08:15:00.500000000Z");
        assert_eq!(parse_at(&format_at(&at)).unwrap(), at);
    }

    /// Pins encoding version 1: if this changes, every stored chain breaks.
    #[test]
    fn known_answer() {
        let prev = EventHash::ZERO;
        let input = HashInput {
            position: 1,
            stream: "contract-digi-sos-2025",
            version: 1,
            kind: "ContractPublished",
            actor: "coordinator",
            at: "2025-01-01T00:00:00.000000000Z",
            payload: r#"{"budget":"1000000.00"}"#,
            prev_hash: &prev,
        };
        assert_eq!(
            event_hash(&input).to_hex(),
            "1da02b0d6a3a72767c6f6026ad9b58a8c5325c89d79723b70608b6e19c4ad23f"
        );
    }

    #[test]
    fn hash_is_stable_and_depends_on_every_field() {
        let prev = EventHash::ZERO;
        let base = HashInput {
            position: 1,
            stream: "s",
            version: 1,
            kind: "k",
            actor: "a",
            at: "2025-01-01T00:00:00.000000000Z",
            payload: "{}",
            prev_hash: &prev,
        };
        let h = event_hash(&base);
        assert_eq!(h, event_hash(&base));
        let other_prev = EventHash([1; 32]);
        let variants = [
            HashInput {
                position: 2,
                ..base
            },
            HashInput {
                stream: "t",
                ..base
            },
            HashInput { version: 2, ..base },
            HashInput { kind: "l", ..base },
            HashInput { actor: "b", ..base },
            HashInput {
                at: "2025-01-01T00:00:00.000000001Z",
                ..base
            },
            HashInput {
                payload: "[]",
                ..base
            },
            HashInput {
                prev_hash: &other_prev,
                ..base
            },
            // Moving a byte between adjacent fields must change the hash too.
            HashInput {
                stream: "sk",
                kind: "",
                ..base
            },
        ];
        for v in variants {
            assert_ne!(event_hash(&v), h, "{v:?}");
        }
    }
}
