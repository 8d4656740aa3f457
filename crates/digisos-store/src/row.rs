//! The textual form in which every backend keeps an event, and its conversion to and
//! from [`StoredEvent`].

use crate::error::StoreError;
use crate::event::{EventHash, StoredEvent};
use crate::hash;
use crate::payload::Payload;

/// One stored event with `at`, payload and hashes in their stored (hashed) text forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row {
    pub(crate) position: u64,
    pub(crate) stream: String,
    pub(crate) version: u64,
    pub(crate) kind: String,
    pub(crate) actor: String,
    pub(crate) at: String,
    pub(crate) payload: String,
    pub(crate) prev_hash: String,
    pub(crate) hash: String,
}

impl Row {
    /// Parses the row back into an event; fails with [`StoreError::Corrupt`] if a text
    /// field does not parse. Does not check the hash: that is `verify`'s job.
    pub(crate) fn decode(self) -> Result<StoredEvent, StoreError> {
        let position = self.position;
        let corrupt = |reason: String| StoreError::Corrupt { position, reason };
        let at = hash::parse_at(&self.at)
            .map_err(|e| corrupt(format!("timestamp `{}` does not parse: {e}", self.at)))?;
        serde_json::from_str::<serde::de::IgnoredAny>(&self.payload)
            .map_err(|e| corrupt(format!("payload is not JSON: {e}")))?;
        let payload = Payload::from_stored(self.payload);
        let prev_hash: EventHash = self
            .prev_hash
            .parse()
            .map_err(|e| corrupt(format!("prev_hash: {e}")))?;
        let hash: EventHash = self
            .hash
            .parse()
            .map_err(|e| corrupt(format!("hash: {e}")))?;
        Ok(StoredEvent {
            position,
            stream: self.stream,
            version: self.version,
            kind: self.kind,
            actor: self.actor,
            at,
            payload,
            prev_hash,
            hash,
        })
    }

    /// The hash input over the row's stored texts; `prev` is the parsed `prev_hash`.
    pub(crate) fn hash_input<'a>(&'a self, prev: &'a EventHash) -> hash::HashInput<'a> {
        hash::HashInput {
            position: self.position,
            stream: &self.stream,
            version: self.version,
            kind: &self.kind,
            actor: &self.actor,
            at: &self.at,
            payload: &self.payload,
            prev_hash: prev,
        }
    }
}

/// Converts a database integer to a position or version; negative values are corrupt.
pub(crate) fn to_u64(value: i64, position: i64, column: &str) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| StoreError::Corrupt {
        position: u64::try_from(position).unwrap_or(0),
        reason: format!("column `{column}` holds negative value {value}"),
    })
}

/// Converts a position or version to a database integer; fails beyond `i64::MAX`.
pub(crate) fn to_i64(value: u64) -> Result<i64, StoreError> {
    i64::try_from(value).map_err(|_| StoreError::InvalidEvent {
        reason: format!("{value} exceeds the database's integer range"),
    })
}
