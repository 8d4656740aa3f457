//! The in-memory store: the [`Store`] port over a vector behind a mutex. For tests,
//! examples and embedders who keep their own persistence.

use super::{Decision, Recorded, Store};
use crate::programme::Programme;
use std::sync::Mutex;

/// An event log in memory. Cheap to create; lost when dropped. It keeps the newest
/// snapshot as a copy of the state (no encoding).
#[derive(Debug, Default)]
pub struct MemoryStore {
    events: Mutex<Vec<Recorded>>,
    snapshot: Mutex<Option<(u64, Programme)>>,
}

/// The in-memory store cannot fail except through a poisoned lock.
#[derive(Debug, thiserror::Error)]
#[error("the in-memory store is unusable after a panic in another writer")]
pub struct Poisoned;

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Store for MemoryStore {
    type Error = Poisoned;

    fn read_after(&self, position: u64) -> Result<Vec<Recorded>, Poisoned> {
        let events = self.events.lock().map_err(|_| Poisoned)?;
        Ok(events
            .iter()
            .filter(|r| r.position > position)
            .cloned()
            .collect())
    }

    fn append_with(
        &self,
        position: u64,
        decide: &mut Decision<'_>,
    ) -> Result<Vec<Recorded>, Poisoned> {
        let mut events = self.events.lock().map_err(|_| Poisoned)?;
        let newer: Vec<Recorded> = events
            .iter()
            .filter(|r| r.position > position)
            .cloned()
            .collect();
        let mut next = events.last().map_or(1, |r| r.position + 1);
        let appended: Vec<Recorded> = decide(&newer)
            .into_iter()
            .map(|event| {
                let r = Recorded {
                    position: next,
                    event,
                };
                next += 1;
                r
            })
            .collect();
        events.extend(appended.iter().cloned());
        Ok(appended)
    }

    fn load_snapshot(&self) -> Result<Option<(u64, Programme)>, Poisoned> {
        let snapshot = self.snapshot.lock().map_err(|_| Poisoned)?;
        Ok(snapshot.clone())
    }

    /// Keeps a copy of `state`; `false` (nothing kept) if `position` is not in the log.
    fn save_snapshot(&self, position: u64, state: &Programme) -> Result<bool, Poisoned> {
        let last = self
            .events
            .lock()
            .map_err(|_| Poisoned)?
            .last()
            .map_or(0, |r| r.position);
        if position == 0 || position > last {
            return Ok(false);
        }
        *self.snapshot.lock().map_err(|_| Poisoned)? = Some((position, state.clone()));
        Ok(true)
    }
}
