//! The port every backend implements: [`EventLog`], its transaction view [`Tx`], and the
//! typed [`EventLogExt::transact`] entry point services call.

use crate::chain::VerifyReport;
use crate::durability::DeferredSync;
use crate::error::StoreError;
use crate::event::{ExpectedVersion, NewEvent, StoredEvent};
use crate::record::Record;
use chrono::{DateTime, Utc};
use std::fmt;
use std::sync::Arc;

/// The closure [`EventLog::transact_dyn`] runs inside its transaction: reads through
/// the [`Tx`], returns the events to append (or an error to roll back).
pub type TxBody<'a> = dyn FnMut(&mut dyn Tx) -> Result<Vec<NewEvent>, StoreError> + 'a;

/// An append-only, hash-chained event log.
///
/// The API is synchronous: an async service calls it from a dedicated writer thread or
/// `spawn_blocking`. Every method may fail with [`StoreError::Backend`] when the
/// database fails; reads fail with [`StoreError::Corrupt`] if a stored row no longer
/// parses. Positions and versions are 1-based; `from_*` arguments are inclusive (0 is
/// treated as 1).
pub trait EventLog: Send + Sync + fmt::Debug {
    /// Appends `events` atomically, in order, after checking every `expected` stream
    /// version — all in one transaction and one fsync (group commit). Returns the stored
    /// events. On [`StoreError::Conflict`] or [`StoreError::InvalidEvent`] nothing is
    /// written. An empty `events` only checks the expectations.
    fn append(
        &self,
        expected: &[(&str, ExpectedVersion)],
        events: Vec<NewEvent>,
    ) -> Result<Vec<StoredEvent>, StoreError>;

    /// Up to `limit` events with position `>= from_position`, in position order. Call it
    /// repeatedly with `last.position + 1` to page through (or catch up on) the log.
    fn read_all(&self, from_position: u64, limit: usize) -> Result<Vec<StoredEvent>, StoreError>;

    /// As [`EventLog::read_all`], but only each event's position and its payload as the
    /// stored canonical JSON text — the fast path for replaying a large log (no parsing
    /// of hashes, timestamps or a JSON tree). The default derives it from `read_all`.
    fn read_payloads(
        &self,
        from_position: u64,
        limit: usize,
    ) -> Result<Vec<(u64, String)>, StoreError> {
        Ok(self
            .read_all(from_position, limit)?
            .into_iter()
            .map(|e| (e.position, e.payload.into_string()))
            .collect())
    }

    /// Hands up to `limit` events with position `>= from_position` to `each`, in order, as
    /// their position and stored payload text (as [`EventLog::read_payloads`] returns
    /// them), and returns how many it handed over. The text may be the backend's own
    /// buffer, valid only during the call: nothing is copied or kept, so replaying reads
    /// each payload once. Stops at the first error `each` returns. The default goes
    /// through `read_payloads`.
    fn for_each_payload(
        &self,
        from_position: u64,
        limit: usize,
        each: &mut dyn FnMut(u64, &str) -> Result<(), StoreError>,
    ) -> Result<usize, StoreError> {
        let page = self.read_payloads(from_position, limit)?;
        for (position, payload) in &page {
            each(*position, payload)?;
        }
        Ok(page.len())
    }

    /// All events of `stream` with version `>= from_version`, in version order (empty if
    /// the stream does not exist).
    fn read_stream(&self, stream: &str, from_version: u64) -> Result<Vec<StoredEvent>, StoreError>;

    /// The current version of `stream` (0 if it does not exist).
    fn stream_version(&self, stream: &str) -> Result<u64, StoreError>;

    /// The position of the last event (0 for an empty log).
    fn last_position(&self) -> Result<u64, StoreError>;

    /// Walks the whole log, recomputing every hash and link, and reports the first
    /// broken position and why. Fails only if the database cannot be read; a broken
    /// chain is a report with `first_break` set (see [`VerifyReport::into_result`]).
    fn verify(&self) -> Result<VerifyReport, StoreError>;

    /// Keeps `state` (a snapshot encoded in `format`, taken after the event at
    /// `position`, as bytes) together with that event's hash, replacing one at the same
    /// position; only the newest few snapshots are kept. Fails with
    /// [`StoreError::NoSuchPosition`] if the log has no event at `position`. Never touches
    /// the events.
    fn save_snapshot(&self, position: u64, format: u32, state: &[u8]) -> Result<(), StoreError>;

    /// The newest snapshot in `format` whose recorded hash is the hash of the event at
    /// its position (so it belongs to this log), as `(position, state)`; `None` if there
    /// is none. Snapshots in other formats are never returned.
    fn load_snapshot(&self, format: u32) -> Result<Option<(u64, Vec<u8>)>, StoreError>;

    /// Switches this log to deferred durability, if the backend supports it: from now on
    /// its commits return once written but before they are durable, and the returned
    /// [`DeferredSync`] makes them durable (see the `durability` module for the rule the
    /// caller must follow). `None` (the default) means every commit stays durable when it
    /// returns — memory, PostgreSQL (which groups commits itself) and in-memory SQLite.
    /// Fails if the backend cannot be switched.
    fn defer_sync(&self) -> Result<Option<Arc<dyn DeferredSync>>, StoreError> {
        Ok(None)
    }

    /// Writes `records` in one transaction of their own (see [`crate::record`]): each
    /// replaces a record with the same namespace and key; within `records` the last one
    /// for a key wins. Fails with [`StoreError::InvalidEvent`] (writing nothing) if a
    /// namespace or key is empty. Never touches the events.
    fn put_records(&self, records: Vec<Record>) -> Result<(), StoreError>;

    /// Every record of `namespace` written at or after `since` (to the second), in no
    /// particular order.
    fn load_records(
        &self,
        namespace: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<Record>, StoreError>;

    /// Deletes the records of `namespace` written before `before` (to the second);
    /// returns how many it deleted.
    fn prune_records(&self, namespace: &str, before: DateTime<Utc>) -> Result<u64, StoreError>;

    /// Object-safe core of [`EventLogExt::transact`]: in ONE transaction, takes the
    /// exclusive lock for `lock_key`, calls `body` exactly once, then checks the
    /// expectations registered with [`Tx::expect`], appends the returned events, writes
    /// the records given to [`Tx::put_record`] and commits — also when `body` returned
    /// no events. If `body` fails, the transaction is rolled back and its error
    /// returned (no event and no record is written). Prefer [`EventLogExt::transact`],
    /// which carries a caller value and error type.
    fn transact_dyn(
        &self,
        lock_key: &str,
        body: &mut TxBody<'_>,
    ) -> Result<Vec<StoredEvent>, StoreError>;
}

/// The view of the log inside a [`EventLogExt::transact`] closure: reads see the log as
/// of the transaction (after the lock was taken), so a decision made on them cannot be
/// overtaken by another writer holding the same lock key.
pub trait Tx {
    /// As [`EventLog::read_all`], inside the transaction.
    fn read_all(
        &mut self,
        from_position: u64,
        limit: usize,
    ) -> Result<Vec<StoredEvent>, StoreError>;

    /// As [`EventLog::read_stream`], inside the transaction.
    fn read_stream(
        &mut self,
        stream: &str,
        from_version: u64,
    ) -> Result<Vec<StoredEvent>, StoreError>;

    /// As [`EventLog::stream_version`], inside the transaction.
    fn stream_version(&mut self, stream: &str) -> Result<u64, StoreError>;

    /// As [`EventLog::last_position`], inside the transaction.
    fn last_position(&mut self) -> Result<u64, StoreError>;

    /// Registers an expected version for `stream`, checked when the closure's events are
    /// appended (use it for streams not guarded by the lock key); an unmet expectation
    /// fails the transaction with [`StoreError::Conflict`] and writes nothing.
    fn expect(&mut self, stream: &str, expected: ExpectedVersion);

    /// Buffers a keyed record (see [`crate::record`]) to be written in this transaction,
    /// after the events: it commits with them or not at all. It replaces a record with
    /// the same namespace and key (also one put earlier in this transaction).
    fn put_record(&mut self, namespace: &str, key: &str, value: &[u8], written_at: DateTime<Utc>);
}

/// The typed transaction entry point, available on every [`EventLog`] (also `dyn`).
pub trait EventLogExt: EventLog {
    /// Runs `decide` in one transaction under the exclusive lock for `lock_key` (e.g.
    /// `contract-digi-sos-2025`): catch up with the [`Tx`] reads, decide, and return a
    /// caller value plus the events to append; they are appended and committed before
    /// this returns `(value, stored_events)`.
    ///
    /// Two processes sharing one PostgreSQL database serialise on the same `lock_key`,
    /// so a budget can never be spent twice. If `decide` returns `Err`, nothing is
    /// written and that error is returned; store failures (including a
    /// [`StoreError::Conflict`] from [`Tx::expect`]) are converted with `E::from`.
    ///
    /// Inside `decide`, use only the [`Tx`]: calling the same log instance again would
    /// wait for the transaction `decide` is part of (deadlock). Plain
    /// [`EventLog::append`]s take no lock key, so writers of a guarded stream must all
    /// go through `transact` with the same key (or use [`Tx::expect`]).
    fn transact<T, E, F>(&self, lock_key: &str, decide: F) -> Result<(T, Vec<StoredEvent>), E>
    where
        F: FnOnce(&mut dyn Tx) -> Result<(T, Vec<NewEvent>), E>,
        E: From<StoreError>;
}

impl<L: EventLog + ?Sized> EventLogExt for L {
    fn transact<T, E, F>(&self, lock_key: &str, decide: F) -> Result<(T, Vec<StoredEvent>), E>
    where
        F: FnOnce(&mut dyn Tx) -> Result<(T, Vec<NewEvent>), E>,
        E: From<StoreError>,
    {
        let mut decide = Some(decide);
        let mut outcome: Option<Result<T, E>> = None;
        let result = self.transact_dyn(lock_key, &mut |tx| {
            let Some(decide) = decide.take() else {
                return Err(StoreError::Aborted);
            };
            match decide(tx) {
                Ok((value, events)) => {
                    outcome = Some(Ok(value));
                    Ok(events)
                }
                Err(e) => {
                    outcome = Some(Err(e));
                    Err(StoreError::Aborted)
                }
            }
        });
        match (result, outcome) {
            (_, Some(Err(e))) => Err(e),
            (Err(store), _) => Err(E::from(store)),
            (Ok(stored), Some(Ok(value))) => Ok((value, stored)),
            // A backend that never called the closure: treat as aborted.
            (Ok(_), None) => Err(E::from(StoreError::Aborted)),
        }
    }
}
