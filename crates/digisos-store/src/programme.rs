//! The domain's [`Store`] port over an [`EventLog`]: programme events are stored as JSON
//! payloads with their stream, kind, actor and time; every write runs in one transaction
//! under the programme lock, so several `digisos serve` instances on one PostgreSQL
//! database never decide on stale state.

use crate::{EventLog, EventLogExt, NewEvent, StoreError, StoredEvent, open};
use digisos_core::programme::{Programme, ProgrammeEvent, SNAPSHOT_FORMAT};
use digisos_core::service::{Decision, Recorded, Store};
use serde::Deserialize;

/// The lock key all writers of one programme serialise on.
pub const PROGRAMME_LOCK: &str = "programme";

/// Page size when reading the log.
const PAGE: usize = 10_000;

/// The programme's event log in a backend chosen by URL.
pub struct ProgrammeLog {
    log: Box<dyn EventLog>,
}

impl std::fmt::Debug for ProgrammeLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProgrammeLog").finish_non_exhaustive()
    }
}

impl ProgrammeLog {
    /// Opens (and migrates) the log at `url` (`sqlite://PATH`, `postgres://…`, `memory:`).
    pub fn open(url: &str) -> Result<ProgrammeLog, StoreError> {
        Ok(ProgrammeLog { log: open(url)? })
    }

    /// Wraps an opened log.
    pub fn new(log: Box<dyn EventLog>) -> ProgrammeLog {
        ProgrammeLog { log }
    }

    /// The underlying log (for audit verify and export).
    pub fn log(&self) -> &dyn EventLog {
        self.log.as_ref()
    }
}

/// Encodes a programme event for the log.
pub fn encode(event: &ProgrammeEvent) -> Result<NewEvent, StoreError> {
    let payload = serde_json::to_value(event).map_err(|e| StoreError::InvalidEvent {
        reason: format!("cannot encode {}: {e}", event.kind_name()),
    })?;
    Ok(NewEvent::new(
        event.stream(),
        event.kind_name(),
        event.actor().to_string(),
        event.at(),
        payload,
    ))
}

/// Decodes a stored event into a programme event.
pub fn decode(stored: &StoredEvent) -> Result<Recorded, StoreError> {
    let event =
        ProgrammeEvent::deserialize(&stored.payload).map_err(|e| not_ours(stored.position, &e))?;
    Ok(Recorded {
        position: stored.position,
        event,
    })
}

/// Decodes a stored payload text (see [`EventLog::read_payloads`]) into a programme event.
pub fn decode_text(position: u64, payload: &str) -> Result<Recorded, StoreError> {
    let event = serde_json::from_str(payload).map_err(|e| not_ours(position, &e))?;
    Ok(Recorded { position, event })
}

fn not_ours(position: u64, e: &serde_json::Error) -> StoreError {
    StoreError::Corrupt {
        position,
        reason: format!("payload is not a digisos event: {e}"),
    }
}

fn read_after(
    read: &mut dyn FnMut(u64, usize) -> Result<Vec<StoredEvent>, StoreError>,
    position: u64,
) -> Result<Vec<Recorded>, StoreError> {
    let mut out = Vec::new();
    let mut from = position + 1;
    loop {
        let page = read(from, PAGE)?;
        let Some(last) = page.last() else { break };
        from = last.position + 1;
        let full = page.len() == PAGE;
        for s in &page {
            out.push(decode(s)?);
        }
        if !full {
            break;
        }
    }
    Ok(out)
}

impl Store for ProgrammeLog {
    type Error = StoreError;

    fn read_after(&self, position: u64) -> Result<Vec<Recorded>, StoreError> {
        let mut out = Vec::new();
        self.fold_after(position, &mut |r| out.push(r))?;
        Ok(out)
    }

    /// Reads the log page by page as payload texts and decodes each straight into a
    /// programme event: a replay holds one page in memory, not the log. (Decoding on a
    /// second thread was measured and did not pay on a loaded two-core machine.)
    fn fold_after(&self, position: u64, fold: &mut dyn FnMut(Recorded)) -> Result<(), StoreError> {
        let mut from = position + 1;
        loop {
            let page = self.log.read_payloads(from, PAGE)?;
            let full = page.len() == PAGE;
            for (position, payload) in &page {
                fold(decode_text(*position, payload)?);
                from = position + 1;
            }
            if !full {
                return Ok(());
            }
        }
    }

    /// The newest snapshot in [`SNAPSHOT_FORMAT`] that matches the log (see
    /// [`EventLog::load_snapshot`]), decoded (see [`crate::decode_snapshot`]). A snapshot
    /// that does not decode (another binary's, or its contract no longer validates) or
    /// that does not claim to have folded exactly the events up to its position is
    /// ignored: the service then replays the whole log.
    fn load_snapshot(&self) -> Result<Option<(u64, Programme)>, StoreError> {
        let Some((position, bytes)) = self.log.load_snapshot(SNAPSHOT_FORMAT)? else {
            return Ok(None);
        };
        Ok(crate::decode_snapshot(position, &bytes)
            .ok()
            .map(|p| (position, p)))
    }

    /// Encodes `state` (see [`crate::encode_snapshot`]) and keeps it with the hash of the
    /// event at `position`.
    fn save_snapshot(&self, position: u64, state: &Programme) -> Result<bool, StoreError> {
        let bytes = crate::encode_snapshot(state)?;
        self.log.save_snapshot(position, SNAPSHOT_FORMAT, &bytes)?;
        Ok(true)
    }

    fn append_with(
        &self,
        position: u64,
        decide: &mut Decision<'_>,
    ) -> Result<Vec<Recorded>, StoreError> {
        let (events, stored) = self.log.transact(PROGRAMME_LOCK, |tx| {
            let newer = read_after(&mut |from, limit| tx.read_all(from, limit), position)?;
            let events = decide(&newer);
            let encoded = events.iter().map(encode).collect::<Result<Vec<_>, _>>()?;
            Ok::<_, StoreError>((events, encoded))
        })?;
        Ok(stored
            .into_iter()
            .zip(events)
            .map(|(s, event)| Recorded {
                position: s.position,
                event,
            })
            .collect())
    }
}
