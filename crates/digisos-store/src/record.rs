//! Keyed side records: small values kept next to the log (outside the hash chain), each
//! under a namespace and a key, written in the same transaction as the events of a
//! [`crate::EventLogExt::transact`] call (see [`crate::Tx::put_record`]) or on their
//! own ([`crate::EventLog::put_records`]).
//!
//! They are not part of the audit trail: a record may be replaced (same namespace and
//! key) and pruned by age. The HTTP adapter keeps its `Idempotency-Key` records here.

use chrono::{DateTime, TimeZone, Utc};

use crate::error::StoreError;

/// One keyed record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The namespace (e.g. `idempotency`); one user's records never meet another's.
    pub namespace: String,
    /// The key, unique within the namespace.
    pub key: String,
    /// The value, opaque bytes.
    pub value: Vec<u8>,
    /// When the record was written, kept to whole seconds (pruning goes by it).
    pub written_at: DateTime<Utc>,
}

impl Record {
    /// A record of `value` under `namespace` and `key`, written at `written_at`.
    pub fn new(
        namespace: impl Into<String>,
        key: impl Into<String>,
        value: Vec<u8>,
        written_at: DateTime<Utc>,
    ) -> Self {
        Record {
            namespace: namespace.into(),
            key: key.into(),
            value,
            written_at,
        }
    }
}

/// The records of a batch as they will be stored: for each (namespace, key) only the
/// last one given, in the order of those last occurrences (a later record replaces an
/// earlier one, also inside one batch).
pub(crate) fn last_per_key(records: Vec<Record>) -> Vec<Record> {
    let mut seen = std::collections::HashSet::new();
    let mut kept: Vec<Record> = records
        .into_iter()
        .rev()
        .filter(|r| seen.insert((r.namespace.clone(), r.key.clone())))
        .collect();
    kept.reverse();
    kept
}

/// A record's time as stored: unix seconds.
pub(crate) fn to_secs(at: DateTime<Utc>) -> i64 {
    at.timestamp()
}

/// Unix seconds read back from a row.
pub(crate) fn from_secs(secs: i64) -> Result<DateTime<Utc>, StoreError> {
    Utc.timestamp_opt(secs, 0)
        .single()
        .ok_or_else(|| StoreError::Backend {
            context: "reading a record",
            detail: format!("written_at {secs} is not a valid instant"),
        })
}

/// Checks a record before it is written: the namespace and key must not be empty.
pub(crate) fn check(record: &Record) -> Result<(), StoreError> {
    if record.namespace.is_empty() || record.key.is_empty() {
        return Err(StoreError::InvalidEvent {
            reason: "a record needs a namespace and a key".to_owned(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_later_record_replaces_an_earlier_one_in_a_batch() {
        let at = Utc.timestamp_opt(1, 0).single().unwrap_or_default();
        let r = |k: &str, v: &[u8]| Record::new("n", k, v.to_vec(), at);
        let kept = last_per_key(vec![r("a", b"1"), r("b", b"2"), r("a", b"3")]);
        assert_eq!(kept, vec![r("b", b"2"), r("a", b"3")]);
    }
}
