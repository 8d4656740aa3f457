//! [`DurableIdempotencyStore`]: idempotency records that survive a restart or a crash.
//!
//! While the server runs, memory is authoritative (a bounded map, as in
//! [`super::InMemoryIdempotencyStore`]); the store's side table `records` (namespace
//! [`NAMESPACE`]) is written, and read once at start. Each record is written in a
//! transaction the writer thread commits anyway:
//!
//! - **pending** (key, fingerprint, no response): staged by the writer for every keyed
//!   command of a batch, so it commits in the same transaction as the command's events.
//!   A command is therefore never committed without its key, nor its key without it.
//! - **done** (with the response): [`IdempotencyStore::complete`] queues it; the writer
//!   stages the queue with its next batch, writes it on its own after ~1 s idle, and at a
//!   planned stop. No fsync is added in front of the next request.
//!
//! After a restart a done record replays its response. A pending one means the process
//! died after the command committed and before its response was written: the outcome is
//! unknown to the server, so a retry gets `409 /problems/idempotency-outcome-unknown`
//! and is never executed again. Records are kept 24 hours (as Stripe documents for its
//! `Idempotency-Key`: <https://docs.stripe.com/api/idempotent_requests>), pruned at start
//! and every [`PRUNE_EVERY`] records written.
//!
//! How a request that does not finish normally is settled ([`IdempotencyStore::abandon`]
//! after a 5xx or a cancelled request):
//! - it never reached the writer: the key is forgotten, a retry runs;
//! - it is queued at the writer: the key is marked abandoned and the writer settles it
//!   when it has run the batch — forgotten if the command was not executed, else
//!   "outcome unknown" (409) — so a retry can never overtake the queued command;
//! - its command committed (the response is a 5xx all the same, e.g. the read model
//!   could not be updated, or the request timed out after the commit): "outcome unknown",
//!   as its committed pending record says after a restart.
//!
//! If a batch's write fails, the writer asks the store whether the pending records are
//! there (a commit can fail after it took effect); if it cannot tell, the keys count as
//! executed. Memory is bounded ([`CAPACITY`] keys, the oldest evicted first): the
//! guarantee holds for the newest keys of the last 24 hours up to that number, per
//! process (instances sharing a PostgreSQL database do not see each other's keys).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Bytes;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use chrono::{DateTime, TimeDelta, Utc};
use digisos_store::{EventLog, Record, StoreError};
use serde::{Deserialize, Serialize};

use super::{Begin, Fingerprint, IdempotencyStore, ScopedKey, StoredResponse};
use crate::auth::TokenId;
use crate::clock::Clock;

/// The records' namespace in the store.
pub const NAMESPACE: &str = "idempotency";
/// How long a key is kept.
pub const RETENTION: TimeDelta = TimeDelta::hours(24);
/// Most keys held in memory.
pub const CAPACITY: usize = 100_000;
/// Records written between two prunes of the expired ones.
pub const PRUNE_EVERY: u64 = 4_096;

/// Where a keyed request stands with the writer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    /// Not sent to the writer (or the writer did not run it).
    Local,
    /// Queued at the writer.
    Sent,
    /// The writer ran it (committed, or its commit failed in a way that may have
    /// taken effect).
    Executed,
}

#[derive(Debug, Clone)]
enum Entry {
    InFlight {
        fingerprint: Fingerprint,
        stage: Stage,
        abandoned: bool,
    },
    Done(Fingerprint, StoredResponse),
    /// Its command may have committed, its response is lost.
    Unknown(Fingerprint),
}

impl Entry {
    fn fingerprint(&self) -> &Fingerprint {
        match self {
            Entry::InFlight { fingerprint, .. } | Entry::Done(fingerprint, _) => fingerprint,
            Entry::Unknown(fingerprint) => fingerprint,
        }
    }
}

#[derive(Debug, Default)]
struct State {
    map: HashMap<ScopedKey, Entry>,
    order: VecDeque<ScopedKey>,
    /// Done records not yet handed to the writer.
    responses: Vec<Record>,
}

impl State {
    fn insert(&mut self, key: ScopedKey, entry: Entry, capacity: usize) {
        if self.map.insert(key.clone(), entry).is_some() {
            return;
        }
        while self.map.len() > capacity {
            match self.order.pop_front() {
                Some(old) => self.map.remove(&old),
                None => break,
            };
        }
        self.order.push_back(key);
    }

    fn remove(&mut self, key: &ScopedKey) {
        if self.map.remove(key).is_some() {
            self.order.retain(|k| k != key);
        }
    }
}

/// An [`IdempotencyStore`] whose records are written to the event store (see the module
/// docs). Built by [`crate::ServiceHandle::start`], which hands it to its writer.
#[derive(Debug)]
pub struct DurableIdempotencyStore {
    capacity: usize,
    clock: Arc<dyn Clock>,
    state: Mutex<State>,
}

impl DurableIdempotencyStore {
    /// Prunes the records older than [`RETENTION`] from `log` and loads the rest (the
    /// newest `capacity` of them). Fails if the store cannot be read.
    pub fn open(
        log: &dyn EventLog,
        clock: Arc<dyn Clock>,
        capacity: usize,
    ) -> Result<Self, StoreError> {
        let since = clock.now() - RETENTION;
        log.prune_records(NAMESPACE, since)?;
        let mut records = log.load_records(NAMESPACE, since)?;
        records.sort_by_key(|r| r.written_at);
        let mut state = State::default();
        let capacity = capacity.max(1);
        for record in records {
            match decode(&record.value) {
                Some((key, fingerprint, None)) => {
                    state.insert(key, Entry::Unknown(fingerprint), capacity);
                }
                Some((key, fingerprint, Some(response))) => {
                    state.insert(key, Entry::Done(fingerprint, response), capacity);
                }
                None => tracing::warn!(key = record.key, "unreadable idempotency record ignored"),
            }
        }
        Ok(DurableIdempotencyStore {
            capacity,
            clock,
            state: Mutex::new(state),
        })
    }

    /// Number of keys held in memory.
    pub fn len(&self) -> usize {
        self.lock().map.len()
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The writer is about to queue a command for `key`: true if the key is in flight
    /// here (the command then carries it, and the writer stages its pending record).
    pub(crate) fn attach(&self, key: &ScopedKey) -> bool {
        match self.lock().map.get_mut(key) {
            Some(Entry::InFlight { stage, .. }) => {
                *stage = (*stage).max(Stage::Sent);
                true
            }
            _ => false,
        }
    }

    /// The writer has run (`executed`) or dropped the command of `key`.
    pub(crate) fn settle(&self, key: &ScopedKey, executed: bool) {
        let mut state = self.lock();
        let Some(Entry::InFlight {
            fingerprint,
            stage,
            abandoned,
        }) = state.map.get_mut(key)
        else {
            return;
        };
        let executed = executed || *stage == Stage::Executed;
        if !*abandoned {
            *stage = if executed {
                Stage::Executed
            } else {
                Stage::Local
            };
        } else if executed {
            let fingerprint = fingerprint.clone();
            state.map.insert(key.clone(), Entry::Unknown(fingerprint));
        } else {
            state.remove(key);
        }
    }

    /// The pending record of `key` at the clock's now.
    pub(crate) fn pending(&self, key: &ScopedKey, fingerprint: &Fingerprint) -> Record {
        pending_record(key, fingerprint, self.clock.now())
    }

    /// Takes the queued done records.
    pub(crate) fn take_responses(&self) -> Vec<Record> {
        std::mem::take(&mut self.lock().responses)
    }

    /// Puts done records back in front of the queue (their write failed).
    pub(crate) fn requeue_responses(&self, records: Vec<Record>) {
        let mut state = self.lock();
        let later = std::mem::replace(&mut state.responses, records);
        state.responses.extend(later);
    }

    /// Whether done records wait to be written.
    #[cfg(test)]
    pub(crate) fn has_responses(&self) -> bool {
        !self.lock().responses.is_empty()
    }
}

impl IdempotencyStore for DurableIdempotencyStore {
    fn begin(&self, key: &ScopedKey, fingerprint: &Fingerprint) -> Begin {
        let mut state = self.lock();
        match state.map.get(key) {
            Some(entry) if entry.fingerprint() != fingerprint => Begin::Mismatch,
            Some(Entry::InFlight { .. }) => Begin::InProgress,
            Some(Entry::Done(_, response)) => Begin::Replay(response.clone()),
            Some(Entry::Unknown(_)) => Begin::OutcomeUnknown,
            None => {
                let entry = Entry::InFlight {
                    fingerprint: fingerprint.clone(),
                    stage: Stage::Local,
                    abandoned: false,
                };
                state.insert(key.clone(), entry, self.capacity);
                Begin::Proceed
            }
        }
    }

    /// Keeps the response; it is written (with the next batch) only if the request
    /// reached the writer: a request refused before (validation, authorisation) executed
    /// nothing, and a retry after a restart is refused the same way.
    fn complete(&self, key: &ScopedKey, response: StoredResponse) {
        let now = self.clock.now();
        let mut state = self.lock();
        let Some(entry) = state.map.get_mut(key) else {
            return;
        };
        let Entry::InFlight {
            fingerprint, stage, ..
        } = entry
        else {
            return;
        };
        let record =
            (*stage != Stage::Local).then(|| done_record(key, fingerprint, &response, now));
        *entry = Entry::Done(fingerprint.clone(), response);
        state.responses.extend(record);
    }

    fn abandon(&self, key: &ScopedKey) {
        let mut state = self.lock();
        let Some(Entry::InFlight {
            fingerprint,
            stage,
            abandoned,
        }) = state.map.get_mut(key)
        else {
            return;
        };
        match stage {
            Stage::Local => state.remove(key),
            Stage::Sent => *abandoned = true,
            Stage::Executed => {
                let fingerprint = fingerprint.clone();
                state.map.insert(key.clone(), Entry::Unknown(fingerprint));
            }
        }
    }
}

/// The stored form of a record's value (JSON).
#[derive(Debug, Serialize, Deserialize)]
struct Value {
    token: String,
    key: String,
    fingerprint: String,
    /// `None` while the command's outcome is not recorded.
    response: Option<Response>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    /// The body as text when it is UTF-8 (JSON always is), else as hex in `body_hex`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    body_hex: Option<String>,
}

/// The record's key in the store: the token id, length-prefixed, then the key.
pub(crate) fn record_key(key: &ScopedKey) -> String {
    let token = key.token.as_str();
    format!("{}:{token}:{}", token.len(), key.key)
}

fn encode(key: &ScopedKey, fingerprint: &Fingerprint, response: Option<Response>) -> Vec<u8> {
    let value = Value {
        token: key.token.as_str().to_owned(),
        key: key.key.clone(),
        fingerprint: fingerprint.0.clone(),
        response,
    };
    // a struct of strings and numbers always serialises
    serde_json::to_vec(&value).unwrap_or_default()
}

/// The record of a command committed with `key` whose response is not written yet.
pub fn pending_record(key: &ScopedKey, fingerprint: &Fingerprint, at: DateTime<Utc>) -> Record {
    Record::new(
        NAMESPACE,
        record_key(key),
        encode(key, fingerprint, None),
        at,
    )
}

fn done_record(
    key: &ScopedKey,
    fingerprint: &Fingerprint,
    response: &StoredResponse,
    at: DateTime<Utc>,
) -> Record {
    let headers = response
        .headers
        .iter()
        .filter_map(|(n, v)| Some((n.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect();
    let (body, body_hex) = match std::str::from_utf8(&response.body) {
        Ok(text) => (Some(text.to_owned()), None),
        Err(_) => (None, Some(hex::encode(&response.body))),
    };
    let response = Response {
        status: response.status.as_u16(),
        headers,
        body,
        body_hex,
    };
    Record::new(
        NAMESPACE,
        record_key(key),
        encode(key, fingerprint, Some(response)),
        at,
    )
}

/// Reads a record's value back; `None` if it is not one of ours.
fn decode(value: &[u8]) -> Option<(ScopedKey, Fingerprint, Option<StoredResponse>)> {
    let value: Value = serde_json::from_slice(value).ok()?;
    let key = ScopedKey {
        token: TokenId::new(value.token),
        key: value.key,
    };
    let response = match value.response {
        None => None,
        Some(r) => {
            let body = match (r.body, r.body_hex) {
                (Some(text), _) => Bytes::from(text),
                (None, Some(hex)) => Bytes::from(hex::decode(hex).ok()?),
                (None, None) => Bytes::new(),
            };
            let headers = r
                .headers
                .into_iter()
                .map(|(n, v)| {
                    Some((
                        HeaderName::try_from(n).ok()?,
                        HeaderValue::try_from(v).ok()?,
                    ))
                })
                .collect::<Option<Vec<_>>>()?;
            Some(StoredResponse {
                status: StatusCode::from_u16(r.status).ok()?,
                headers,
                body,
            })
        }
    };
    Some((key, Fingerprint(value.fingerprint), response))
}

#[cfg(test)]
#[path = "durable_tests.rs"]
mod tests;
