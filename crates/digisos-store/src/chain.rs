//! The hash chain: sealing a batch of new events onto the log's head, and walking the
//! stored log to find the first broken link.

use crate::error::StoreError;
use crate::event::{EventHash, ExpectedVersion, NewEvent, StoredEvent};
use crate::hash;
use crate::row::Row;
use std::collections::HashMap;

/// The last stored event's position and hash (position 0 and [`EventHash::ZERO`] for an
/// empty log).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Head {
    pub(crate) position: u64,
    pub(crate) hash: EventHash,
}

impl Head {
    pub(crate) const EMPTY: Head = Head {
        position: 0,
        hash: EventHash::ZERO,
    };

    /// The head from the last row's position and stored hash text.
    pub(crate) fn parse(position: u64, hash: &str) -> Result<Head, StoreError> {
        let hash = hash.parse().map_err(|e| StoreError::Corrupt {
            position,
            reason: format!("hash: {e}"),
        })?;
        Ok(Head { position, hash })
    }
}

/// Borrows owned expectations (as collected by a [`crate::Tx`]) for [`seal`].
pub(crate) fn borrow(expected: &[(String, ExpectedVersion)]) -> Vec<(&str, ExpectedVersion)> {
    expected.iter().map(|(s, e)| (s.as_str(), *e)).collect()
}

/// A sealed event with the text forms a backend stores next to its other fields (the
/// rest of its row it borrows from the event, so the payload is not copied to be written).
#[derive(Debug)]
pub(crate) struct Sealed {
    pub(crate) event: StoredEvent,
    /// `at` as stored and hashed ([`hash::format_at`]).
    pub(crate) at: String,
    /// `prev_hash` in hex.
    pub(crate) prev_hash: String,
    /// `hash` in hex.
    pub(crate) hash: String,
}

impl Sealed {
    /// The stored row (a copy, for the in-memory log).
    pub(crate) fn to_row(&self) -> Row {
        Row {
            position: self.event.position,
            stream: self.event.stream.clone(),
            version: self.event.version,
            kind: self.event.kind.clone(),
            actor: self.event.actor.clone(),
            at: self.at.clone(),
            payload: self.event.payload.as_str().to_owned(),
            prev_hash: self.prev_hash.clone(),
            hash: self.hash.clone(),
        }
    }
}

/// Checks `expected` and turns `events` into chained rows after `head`.
///
/// `version_of` reports a stream's current stored version (0 if absent). Fails with
/// [`StoreError::Conflict`] on the first unmet expectation and with
/// [`StoreError::InvalidEvent`] on an empty stream, kind or actor; nothing is produced
/// then.
pub(crate) fn seal(
    head: Head,
    expected: &[(&str, ExpectedVersion)],
    events: Vec<NewEvent>,
    mut version_of: impl FnMut(&str) -> Result<u64, StoreError>,
) -> Result<Vec<Sealed>, StoreError> {
    for (stream, exp) in expected {
        let actual = version_of(stream)?;
        if !exp.admits(actual) {
            return Err(StoreError::Conflict {
                stream: (*stream).to_owned(),
                expected: *exp,
                actual,
            });
        }
    }
    let mut versions: HashMap<String, u64> = HashMap::new();
    let mut prev = head.hash;
    let mut prev_hex = prev.to_hex();
    let mut out = Vec::with_capacity(events.len());
    for (i, e) in events.into_iter().enumerate() {
        validate(&e)?;
        let version = match versions.get_mut(&e.stream) {
            Some(v) => {
                *v += 1;
                *v
            }
            None => {
                let v = version_of(&e.stream)? + 1;
                versions.insert(e.stream.clone(), v);
                v
            }
        };
        // `i` is bounded by memory, far below u64::MAX.
        let position = head.position + i as u64 + 1;
        let at = hash::format_at(&e.at);
        let input = hash::HashInput {
            position,
            stream: &e.stream,
            version,
            kind: &e.kind,
            actor: &e.actor,
            at: &at,
            payload: e.payload.as_str(),
            prev_hash: &prev,
        };
        let h = hash::event_hash(&input);
        let hash_hex = h.to_hex();
        out.push(Sealed {
            event: StoredEvent {
                position,
                stream: e.stream,
                version,
                kind: e.kind,
                actor: e.actor,
                at: e.at,
                payload: e.payload,
                prev_hash: prev,
                hash: h,
            },
            at,
            prev_hash: std::mem::replace(&mut prev_hex, hash_hex.clone()),
            hash: hash_hex,
        });
        prev = h;
    }
    Ok(out)
}

fn validate(e: &NewEvent) -> Result<(), StoreError> {
    for (name, value) in [
        ("stream", &e.stream),
        ("kind", &e.kind),
        ("actor", &e.actor),
    ] {
        if value.trim().is_empty() {
            return Err(StoreError::InvalidEvent {
                reason: format!("`{name}` must not be empty (stream `{}`)", e.stream),
            });
        }
    }
    Ok(())
}

/// The outcome of walking the whole log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Events whose links were checked (up to and including a break, if any).
    pub events_checked: u64,
    /// Position and hash of the last intact event (0 and [`EventHash::ZERO`] if none).
    /// Record it outside the database to also detect truncation later.
    pub last_position: u64,
    /// See `last_position`.
    pub head_hash: EventHash,
    /// The first broken event, if any; the walk stops there.
    pub first_break: Option<ChainBreak>,
}

impl VerifyReport {
    /// Whether the whole chain is intact.
    pub fn is_intact(&self) -> bool {
        self.first_break.is_none()
    }

    /// The report if intact; otherwise [`StoreError::Corrupt`] naming the first break.
    pub fn into_result(self) -> Result<VerifyReport, StoreError> {
        match self.first_break {
            None => Ok(self),
            Some(b) => Err(StoreError::Corrupt {
                position: b.position,
                reason: b.reason.to_string(),
            }),
        }
    }
}

/// The first event at which the chain is broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    /// Its global position.
    pub position: u64,
    /// What is wrong.
    pub reason: BreakReason,
}

/// Why an event breaks the chain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BreakReason {
    /// Positions are not 1, 2, 3, ...: an event was removed or inserted.
    #[error("expected position {expected}, found {found} (an event is missing or inserted)")]
    PositionGap {
        /// The position that should come next.
        expected: u64,
        /// The position found.
        found: u64,
    },
    /// A stream's versions are not 1, 2, 3, ...
    #[error("stream `{stream}` expected version {expected}, found {found}")]
    VersionGap {
        /// The stream.
        stream: String,
        /// The version that should come next.
        expected: u64,
        /// The version found.
        found: u64,
    },
    /// The stored `prev_hash` is not the predecessor's hash.
    #[error("prev_hash `{found}` is not the predecessor's hash {expected}")]
    PrevHashMismatch {
        /// The predecessor's stored hash.
        expected: String,
        /// The stored `prev_hash`.
        found: String,
    },
    /// The stored fields do not hash to the stored hash: the event was altered.
    #[error(
        "content does not match its hash (stored {stored}, computed {computed}): the event was altered"
    )]
    HashMismatch {
        /// The stored hash.
        stored: String,
        /// The hash of the stored fields.
        computed: EventHash,
    },
    /// A field does not parse (a timestamp, the payload JSON or a hash).
    #[error("undecodable: {0}")]
    Undecodable(String),
}

/// Walks rows in position order and remembers the first break.
#[derive(Debug, Default)]
pub(crate) struct Verifier {
    checked: u64,
    head: Option<(u64, String)>,
    versions: HashMap<String, u64>,
    first_break: Option<ChainBreak>,
}

impl Verifier {
    /// Checks the next row; returns `false` once a break was found (stop walking).
    pub(crate) fn push(&mut self, row: Row) -> bool {
        if self.first_break.is_some() {
            return false;
        }
        self.checked += 1;
        match self.check(&row) {
            Ok(()) => {
                self.versions.insert(row.stream, row.version);
                self.head = Some((row.position, row.hash));
                true
            }
            Err(reason) => {
                self.first_break = Some(ChainBreak {
                    position: row.position,
                    reason,
                });
                false
            }
        }
    }

    fn check(&self, row: &Row) -> Result<(), BreakReason> {
        let (expected_pos, expected_prev) = match &self.head {
            Some((p, h)) => (p + 1, h.as_str()),
            None => (1, ZERO_HEX),
        };
        if row.position != expected_pos {
            return Err(BreakReason::PositionGap {
                expected: expected_pos,
                found: row.position,
            });
        }
        let expected_version = self.versions.get(&row.stream).copied().unwrap_or(0) + 1;
        if row.version != expected_version {
            return Err(BreakReason::VersionGap {
                stream: row.stream.clone(),
                expected: expected_version,
                found: row.version,
            });
        }
        if row.prev_hash != expected_prev {
            return Err(BreakReason::PrevHashMismatch {
                expected: expected_prev.to_owned(),
                found: row.prev_hash.clone(),
            });
        }
        let prev: EventHash = row
            .prev_hash
            .parse()
            .map_err(|e| BreakReason::Undecodable(format!("prev_hash: {e}")))?;
        let computed = hash::event_hash(&row.hash_input(&prev));
        if computed.to_hex() != row.hash {
            return Err(BreakReason::HashMismatch {
                stored: row.hash.clone(),
                computed,
            });
        }
        // The hash matches, so the texts are what was written; a failure here means a
        // writer stored something unreadable (a bug, not tampering).
        hash::parse_at(&row.at)
            .map_err(|e| BreakReason::Undecodable(format!("timestamp `{}`: {e}", row.at)))?;
        serde_json::from_str::<serde::de::IgnoredAny>(&row.payload)
            .map(|_| ())
            .map_err(|e| BreakReason::Undecodable(format!("payload is not JSON: {e}")))
    }

    /// The report after the last row (or the break).
    pub(crate) fn finish(self) -> Result<VerifyReport, StoreError> {
        let (last_position, head_hash) = match self.head {
            Some((p, h)) => (
                p,
                h.parse().map_err(|e| StoreError::Corrupt {
                    position: p,
                    reason: format!("hash: {e}"),
                })?,
            ),
            None => (0, EventHash::ZERO),
        };
        Ok(VerifyReport {
            events_checked: self.checked,
            last_position,
            head_hash,
            first_break: self.first_break,
        })
    }
}

const ZERO_HEX: &str = "0000000000000000000000000000000000000000000000000000000000000000";
