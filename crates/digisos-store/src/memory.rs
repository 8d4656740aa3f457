//! [`MemoryLog`]: the event log in process memory, for tests and throw-away runs.

use crate::chain::{self, Head, Verifier, VerifyReport};
use crate::error::StoreError;
use crate::event::{ExpectedVersion, NewEvent, StoredEvent};
use crate::log::{EventLog, Tx, TxBody};
use crate::record::{self, Record};
use crate::row::Row;
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};

/// An event log held in memory behind one mutex: nothing survives the process. It
/// keeps events in their stored text form, exactly like the database backends.
#[derive(Debug, Default)]
pub struct MemoryLog {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    rows: Vec<Row>,
    /// Row indices per stream, in version order.
    streams: HashMap<String, Vec<usize>>,
    /// Snapshots by position: the event's hash, the format and the encoded state.
    snapshots: BTreeMap<u64, (String, u32, Vec<u8>)>,
    /// Keyed records by (namespace, key): the value and when it was written (seconds).
    records: HashMap<(String, String), (Vec<u8>, i64)>,
}

impl MemoryLog {
    /// An empty log.
    pub fn new() -> Self {
        MemoryLog::default()
    }

    /// Replaces the stored payload text of the event at `position`, bypassing the chain,
    /// to simulate tampering in tests of [`EventLog::verify`]. Returns `false` if there
    /// is no such event.
    pub fn tamper_payload(&self, position: u64, payload_text: &str) -> bool {
        let Ok(mut state) = self.lock() else {
            return false;
        };
        let index = usize::try_from(position.saturating_sub(1)).unwrap_or(usize::MAX);
        match state.rows.get_mut(index) {
            Some(row) if position > 0 => {
                payload_text.clone_into(&mut row.payload);
                true
            }
            _ => false,
        }
    }

    /// Replaces the event hash recorded with the snapshot at `position`, to simulate a
    /// snapshot that belongs to another log in tests. Returns `false` if there is none.
    pub fn tamper_snapshot_hash(&self, position: u64, hash: &str) -> bool {
        let Ok(mut state) = self.lock() else {
            return false;
        };
        match state.snapshots.get_mut(&position) {
            Some(s) => {
                hash.clone_into(&mut s.0);
                true
            }
            None => false,
        }
    }

    fn lock(&self) -> Result<MutexGuard<'_, State>, StoreError> {
        self.state.lock().map_err(|_| StoreError::Backend {
            context: "locking the in-memory log",
            detail: "a writer panicked while holding the lock".to_owned(),
        })
    }
}

impl State {
    fn head(&self) -> Result<Head, StoreError> {
        match self.rows.last() {
            None => Ok(Head::EMPTY),
            Some(row) => Head::parse(row.position, &row.hash),
        }
    }

    fn stream_version(&self, stream: &str) -> u64 {
        self.streams.get(stream).map_or(0, |v| v.len() as u64)
    }

    fn read_all(&self, from_position: u64, limit: usize) -> Result<Vec<StoredEvent>, StoreError> {
        let start = usize::try_from(from_position.max(1) - 1).unwrap_or(usize::MAX);
        self.rows
            .iter()
            .skip(start)
            .take(limit)
            .map(|r| r.clone().decode())
            .collect()
    }

    fn read_stream(&self, stream: &str, from_version: u64) -> Result<Vec<StoredEvent>, StoreError> {
        let start = usize::try_from(from_version.max(1) - 1).unwrap_or(usize::MAX);
        let Some(indices) = self.streams.get(stream) else {
            return Ok(Vec::new());
        };
        indices
            .iter()
            .skip(start)
            .map(|&i| self.rows[i].clone().decode())
            .collect()
    }

    fn append(
        &mut self,
        expected: &[(&str, ExpectedVersion)],
        events: Vec<NewEvent>,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let sealed = chain::seal(self.head()?, expected, events, |s| {
            Ok(self.stream_version(s))
        })?;
        let mut out = Vec::with_capacity(sealed.len());
        for s in sealed {
            self.streams
                .entry(s.event.stream.clone())
                .or_default()
                .push(self.rows.len());
            self.rows.push(s.to_row());
            out.push(s.event);
        }
        Ok(out)
    }

    /// Checks every record first, then writes them all (nothing on failure).
    fn put_records(&mut self, records: Vec<Record>) -> Result<(), StoreError> {
        records.iter().try_for_each(record::check)?;
        for r in records {
            let at = record::to_secs(r.written_at);
            self.records.insert((r.namespace, r.key), (r.value, at));
        }
        Ok(())
    }
}

impl EventLog for MemoryLog {
    fn append(
        &self,
        expected: &[(&str, ExpectedVersion)],
        events: Vec<NewEvent>,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        self.lock()?.append(expected, events)
    }

    fn read_all(&self, from_position: u64, limit: usize) -> Result<Vec<StoredEvent>, StoreError> {
        self.lock()?.read_all(from_position, limit)
    }

    fn read_stream(&self, stream: &str, from_version: u64) -> Result<Vec<StoredEvent>, StoreError> {
        self.lock()?.read_stream(stream, from_version)
    }

    fn stream_version(&self, stream: &str) -> Result<u64, StoreError> {
        Ok(self.lock()?.stream_version(stream))
    }

    fn last_position(&self) -> Result<u64, StoreError> {
        Ok(self.lock()?.rows.len() as u64)
    }

    fn verify(&self) -> Result<VerifyReport, StoreError> {
        let state = self.lock()?;
        let mut verifier = Verifier::default();
        for row in &state.rows {
            if !verifier.push(row.clone()) {
                break;
            }
        }
        verifier.finish()
    }

    fn save_snapshot(&self, position: u64, format: u32, state: &[u8]) -> Result<(), StoreError> {
        let mut s = self.lock()?;
        let index = usize::try_from(position.saturating_sub(1)).unwrap_or(usize::MAX);
        let hash = match s.rows.get(index) {
            Some(row) if position > 0 => row.hash.clone(),
            _ => {
                let last = s.rows.len() as u64;
                return Err(StoreError::NoSuchPosition { position, last });
            }
        };
        s.snapshots
            .insert(position, (hash, format, state.to_owned()));
        while s.snapshots.len() > crate::migrate::SNAPSHOTS_KEPT as usize {
            s.snapshots.pop_first();
        }
        Ok(())
    }

    fn load_snapshot(&self, format: u32) -> Result<Option<(u64, Vec<u8>)>, StoreError> {
        let s = self.lock()?;
        let matches = |position: u64, hash: &str| {
            let index = usize::try_from(position.saturating_sub(1)).unwrap_or(usize::MAX);
            s.rows.get(index).is_some_and(|r| r.hash == hash)
        };
        Ok(s.snapshots
            .iter()
            .rev()
            .find(|(p, (hash, f, _))| *f == format && matches(**p, hash))
            .map(|(p, (_, _, state))| (*p, state.clone())))
    }

    fn put_records(&self, records: Vec<Record>) -> Result<(), StoreError> {
        self.lock()?.put_records(records)
    }

    fn load_records(
        &self,
        namespace: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<Record>, StoreError> {
        let since = record::to_secs(since);
        let state = self.lock()?;
        state
            .records
            .iter()
            .filter(|((ns, _), (_, at))| ns == namespace && *at >= since)
            .map(|((ns, key), (value, at))| {
                Ok(Record::new(
                    ns.clone(),
                    key.clone(),
                    value.clone(),
                    record::from_secs(*at)?,
                ))
            })
            .collect()
    }

    fn prune_records(&self, namespace: &str, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let before = record::to_secs(before);
        let mut state = self.lock()?;
        let count = state.records.len();
        state
            .records
            .retain(|(ns, _), (_, at)| ns != namespace || *at >= before);
        Ok((count - state.records.len()) as u64)
    }

    fn transact_dyn(
        &self,
        _lock_key: &str,
        body: &mut TxBody<'_>,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        // One mutex serialises all writers, so every lock key is held.
        let mut state = self.lock()?;
        let mut tx = MemTx {
            state: &state,
            expected: Vec::new(),
            records: Vec::new(),
        };
        let events = body(&mut tx)?;
        let (expected, records) = (tx.expected, tx.records);
        records.iter().try_for_each(record::check)?;
        let stored = state.append(&chain::borrow(&expected), events)?;
        state.put_records(records)?;
        Ok(stored)
    }
}

struct MemTx<'a> {
    state: &'a State,
    expected: Vec<(String, ExpectedVersion)>,
    records: Vec<Record>,
}

impl Tx for MemTx<'_> {
    fn read_all(
        &mut self,
        from_position: u64,
        limit: usize,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        self.state.read_all(from_position, limit)
    }

    fn read_stream(
        &mut self,
        stream: &str,
        from_version: u64,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        self.state.read_stream(stream, from_version)
    }

    fn stream_version(&mut self, stream: &str) -> Result<u64, StoreError> {
        Ok(self.state.stream_version(stream))
    }

    fn last_position(&mut self) -> Result<u64, StoreError> {
        Ok(self.state.rows.len() as u64)
    }

    fn expect(&mut self, stream: &str, expected: ExpectedVersion) {
        self.expected.push((stream.to_owned(), expected));
    }

    fn put_record(&mut self, namespace: &str, key: &str, value: &[u8], written_at: DateTime<Utc>) {
        self.records
            .push(Record::new(namespace, key, value.to_vec(), written_at));
    }
}
