//! The in-memory store: the [`Store`] port over a vector behind a mutex. For tests,
//! examples and embedders who keep their own persistence.

use super::{Decision, Recorded, Store};
use std::sync::Mutex;

/// An event log in memory. Cheap to create; lost when dropped.
#[derive(Debug, Default)]
pub struct MemoryStore {
    events: Mutex<Vec<Recorded>>,
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
}
