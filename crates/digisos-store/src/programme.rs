//! The domain's [`Store`] port over an [`EventLog`]: programme events are stored as JSON
//! payloads with their stream, kind, actor and time; every write runs in one transaction
//! under the programme lock, so several `digisos serve` instances on one PostgreSQL
//! database never decide on stale state.

use crate::{EventLog, EventLogExt, NewEvent, Payload, Record, StoreError, StoredEvent, open};
use digisos_core::incident::IncidentId;
use digisos_core::programme::{Programme, ProgrammeEvent, SNAPSHOT_FORMAT};
use digisos_core::service::{Decision, Recorded, Store};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// The lock key all writers of one programme serialise on.
pub const PROGRAMME_LOCK: &str = "programme";

/// Page size when reading the log.
const PAGE: usize = 10_000;

/// The most events the tail read-ahead decodes (and holds) while a snapshot is decoded;
/// the replay reads the rest as usual. Twice the default snapshot interval.
const READ_AHEAD: usize = 200_000;

/// The programme's event log in a backend chosen by URL.
pub struct ProgrammeLog {
    log: Arc<dyn EventLog>,
    /// The tail after the snapshot that `load_snapshot` last returned, read and decoded on
    /// a second thread while that snapshot was decoded; `fold_after` from the snapshot's
    /// position takes it over.
    read_ahead: Mutex<Option<ReadAhead>>,
    /// Whether snapshots are encoded and written on a thread of their own.
    background: AtomicBool,
    /// The snapshot being written in the background, if any.
    writing: Mutex<Option<JoinHandle<Result<(), StoreError>>>>,
    /// Records to write with the next [`Store::append_with`] (see
    /// [`ProgrammeLog::stage_records`]).
    staged: Mutex<Vec<Record>>,
}

impl std::fmt::Debug for ProgrammeLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProgrammeLog").finish_non_exhaustive()
    }
}

impl ProgrammeLog {
    /// Opens (and migrates) the log at `url` (`sqlite://PATH`, `postgres://…`, `memory:`).
    pub fn open(url: &str) -> Result<ProgrammeLog, StoreError> {
        Ok(ProgrammeLog::new(open(url)?))
    }

    /// Wraps an opened log.
    pub fn new(log: Box<dyn EventLog>) -> ProgrammeLog {
        ProgrammeLog {
            log: Arc::from(log),
            read_ahead: Mutex::new(None),
            background: AtomicBool::new(false),
            writing: Mutex::new(None),
            staged: Mutex::new(Vec::new()),
        }
    }

    /// Writes snapshots in the background from now on: [`Store::save_snapshot`] copies
    /// the state and returns; a thread of its own encodes and stores the copy (a SQLite
    /// file keeps it in a file of its own, so no commit waits for it). While one is being
    /// written, a further one is skipped (`Ok(false)`). A failure is returned by the next
    /// `save_snapshot` or by [`ProgrammeLog::finish_snapshot`]. A long-running writer
    /// (`digisos serve`) uses this so that a snapshot never holds up commands.
    pub fn write_snapshots_in_background(&self) {
        self.background.store(true, Ordering::Relaxed);
    }

    /// Waits for the snapshot being written in the background, if any, and returns how
    /// that went.
    pub fn finish_snapshot(&self) -> Result<(), StoreError> {
        let handle = self.writing.lock().ok().and_then(|mut w| w.take());
        handle.map_or(Ok(()), join_snapshot)
    }

    /// Stages `records` to be written in the transaction of the next
    /// [`Store::append_with`] (a command batch or a tick), after its events: they commit
    /// together, also when the batch appends no event. They stay staged until a commit
    /// writes them: after a failed write they are still here (take them with
    /// [`ProgrammeLog::take_staged`] to decide what to keep).
    pub fn stage_records(&self, records: impl IntoIterator<Item = Record>) {
        self.staged_mut().extend(records);
    }

    /// Removes and returns the staged records (none are left to the next write).
    pub fn take_staged(&self) -> Vec<Record> {
        std::mem::take(&mut *self.staged_mut())
    }

    fn staged_mut(&self) -> std::sync::MutexGuard<'_, Vec<Record>> {
        // a panic while holding it cannot leave the vector half-changed
        self.staged.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Every event of incident `id`, in order, read from its stream (empty if unknown).
    pub fn incident_events(&self, id: &IncidentId) -> Result<Vec<Recorded>, StoreError> {
        self.log
            .read_stream(&ProgrammeEvent::incident_stream(id), 1)?
            .iter()
            .map(decode)
            .collect()
    }

    /// The underlying log (for audit verify and export).
    pub fn log(&self) -> &dyn EventLog {
        self.log.as_ref()
    }

    fn take_read_ahead(&self) -> Option<ReadAhead> {
        self.read_ahead.lock().ok().and_then(|mut r| r.take())
    }
}

impl Drop for ProgrammeLog {
    /// Lets a snapshot being written in the background finish.
    fn drop(&mut self) {
        let _ = self.finish_snapshot();
    }
}

/// Gives the calling thread the lowest CPU priority: a snapshot of a large state takes
/// seconds of CPU, which requests should not wait for. On Linux `SCHED_IDLE`: the thread
/// runs only on a CPU nothing else wants, and a waking request's thread preempts it at
/// once (at nice 19 alone the kernel may let it finish its slice first). Measured in
/// BENCHMARKS.md ("HTTP API", fifth round). Where that fails, nice 19 (`PRIO_PROCESS`
/// with no pid sets the calling thread's nice value on Linux); where that fails too, the
/// thread runs at normal priority. Under CPU saturation a snapshot may then take long or
/// be skipped: it only costs start-up time, never a write.
fn background_priority() {
    use thread_priority::{
        NormalThreadSchedulePolicy, ThreadPriority, ThreadSchedulePolicy,
        set_thread_priority_and_policy, thread_native_id,
    };
    let idle = set_thread_priority_and_policy(
        thread_native_id(),
        ThreadPriority::Min,
        ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Idle),
    );
    if idle.is_err() {
        let _ = rustix::process::setpriority_process(None, 19);
    }
}

fn join_snapshot(handle: JoinHandle<Result<(), StoreError>>) -> Result<(), StoreError> {
    handle.join().unwrap_or_else(|_| {
        Err(StoreError::Backend {
            context: "writing a snapshot in the background",
            detail: "the snapshot thread panicked".into(),
        })
    })
}

/// The events after `after`, read and decoded on their own thread (at most
/// [`READ_AHEAD`]); `stop` ends it early when nobody will want them.
struct ReadAhead {
    after: u64,
    stop: Arc<AtomicBool>,
    thread: JoinHandle<Result<Vec<Recorded>, StoreError>>,
}

impl ReadAhead {
    /// Starts reading the events after `after`; `None` if no thread can be started (the
    /// replay then reads them itself).
    fn start(log: &Arc<dyn EventLog>, after: u64) -> Option<ReadAhead> {
        let stop = Arc::new(AtomicBool::new(false));
        let (log, flag) = (Arc::clone(log), Arc::clone(&stop));
        let thread = std::thread::Builder::new()
            .name("digisos-read-ahead".into())
            .spawn(move || {
                let mut events = Vec::new();
                let mut from = after + 1;
                while events.len() < READ_AHEAD && !flag.load(Ordering::Relaxed) {
                    let limit = PAGE.min(READ_AHEAD - events.len());
                    let count = log.for_each_payload(from, limit, &mut |position, payload| {
                        events.push(decode_text(position, payload)?);
                        from = position + 1;
                        Ok(())
                    })?;
                    if count < limit {
                        break;
                    }
                }
                Ok(events)
            })
            .ok()?;
        Some(ReadAhead {
            after,
            stop,
            thread,
        })
    }

    /// The events it read (empty if it failed: the caller reads them again itself).
    fn finish(self) -> Vec<Recorded> {
        self.thread
            .join()
            .ok()
            .and_then(Result::ok)
            .unwrap_or_default()
    }

    /// Stops it and waits for the thread.
    fn cancel(self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.thread.join();
    }
}

/// Encodes a programme event for the log.
pub fn encode(event: &ProgrammeEvent) -> Result<NewEvent, StoreError> {
    let payload = Payload::encode(event).map_err(|e| StoreError::InvalidEvent {
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
    let event = stored
        .payload
        .decode::<ProgrammeEvent>()
        .map_err(|e| not_ours(stored.position, &e))?;
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

    /// Reads the log page by page and decodes each payload text straight into a
    /// programme event, as the backend hands it over ([`EventLog::for_each_payload`]):
    /// a replay holds one event at a time, not a page or the log. (Decoding on a second
    /// thread was measured and did not pay on a loaded two-core machine.)
    ///
    /// After [`Store::load_snapshot`] returned a snapshot, the tail after it has already
    /// been read and decoded on a second thread while the snapshot was being decoded:
    /// a `fold_after` from the snapshot's position folds those events first.
    fn fold_after(&self, position: u64, fold: &mut dyn FnMut(Recorded)) -> Result<(), StoreError> {
        let mut from = position + 1;
        if let Some(read_ahead) = self.take_read_ahead() {
            if read_ahead.after == position {
                for r in read_ahead.finish() {
                    from = r.position + 1;
                    fold(r);
                }
            } else {
                read_ahead.cancel();
            }
        }
        loop {
            let count = self
                .log
                .for_each_payload(from, PAGE, &mut |position, payload| {
                    fold(decode_text(position, payload)?);
                    from = position + 1;
                    Ok(())
                })?;
            if count < PAGE {
                return Ok(());
            }
        }
    }

    /// The newest snapshot in [`SNAPSHOT_FORMAT`] that matches the log (see
    /// [`EventLog::load_snapshot`]), decoded (see [`crate::decode_snapshot`]). A snapshot
    /// that does not decode (another binary's, or its contract no longer validates) or
    /// that does not claim to have folded exactly the events up to its position is
    /// ignored: the service then replays the whole log.
    ///
    /// While the snapshot is decoded, a second thread reads and decodes the events after
    /// it (see [`Store::fold_after`]), so a start-up uses two cores.
    fn load_snapshot(&self) -> Result<Option<(u64, Programme)>, StoreError> {
        // a snapshot still being written is part of what there is to load
        let _ = self.finish_snapshot();
        if let Some(stale) = self.take_read_ahead() {
            stale.cancel();
        }
        let Some((position, bytes)) = self.log.load_snapshot(SNAPSHOT_FORMAT)? else {
            return Ok(None);
        };
        let read_ahead = ReadAhead::start(&self.log, position);
        match crate::decode_snapshot(position, &bytes) {
            Ok(state) => {
                match self.read_ahead.lock() {
                    Ok(mut slot) => *slot = read_ahead,
                    Err(_) => {
                        if let Some(r) = read_ahead {
                            r.cancel();
                        }
                    }
                }
                Ok(Some((position, state)))
            }
            Err(_) => {
                if let Some(r) = read_ahead {
                    r.cancel();
                }
                Ok(None)
            }
        }
    }

    /// Encodes `state` (see [`crate::encode_snapshot`]) and keeps it with the hash of the
    /// event at `position`.
    ///
    /// In the background (see [`ProgrammeLog::write_snapshots_in_background`]) only the
    /// copy of `state` is made on the caller's thread.
    fn save_snapshot(&self, position: u64, state: &Programme) -> Result<bool, StoreError> {
        if !self.background.load(Ordering::Relaxed) {
            let bytes = crate::encode_snapshot(state)?;
            self.log.save_snapshot(position, SNAPSHOT_FORMAT, &bytes)?;
            return Ok(true);
        }
        let Ok(mut writing) = self.writing.lock() else {
            return Ok(false);
        };
        if writing.as_ref().is_some_and(|h| !h.is_finished()) {
            return Ok(false);
        }
        if let Some(done) = writing.take() {
            join_snapshot(done)?;
        }
        let copied = std::time::Instant::now();
        let state = state.clone();
        let copy_ms = copied.elapsed().as_millis();
        let log = Arc::clone(&self.log);
        let thread = std::thread::Builder::new()
            .name("digisos-snapshot".into())
            .spawn(move || {
                background_priority();
                let started = std::time::Instant::now();
                let bytes = crate::encode_snapshot(&state)?;
                drop(state);
                let encode_ms = started.elapsed().as_millis();
                log.save_snapshot(position, SNAPSHOT_FORMAT, &bytes)?;
                tracing::info!(
                    position,
                    bytes = bytes.len(),
                    copy_ms,
                    encode_ms,
                    total_ms = started.elapsed().as_millis(),
                    "snapshot written in the background"
                );
                Ok(())
            })
            .map_err(|e| StoreError::Backend {
                context: "starting the snapshot thread",
                detail: e.to_string(),
            })?;
        *writing = Some(thread);
        Ok(true)
    }

    fn append_with(
        &self,
        position: u64,
        decide: &mut Decision<'_>,
    ) -> Result<Vec<Recorded>, StoreError> {
        // Staged records go into this transaction; they are taken out only once it has
        // committed, and put back in front of any staged meanwhile if it failed.
        let records = self.take_staged();
        let written = self.log.transact(PROGRAMME_LOCK, |tx| {
            let newer = read_after(&mut |from, limit| tx.read_all(from, limit), position)?;
            let events = decide(&newer);
            let encoded = events.iter().map(encode).collect::<Result<Vec<_>, _>>()?;
            for r in &records {
                tx.put_record(&r.namespace, &r.key, &r.value, r.written_at);
            }
            Ok::<_, StoreError>((events, encoded))
        });
        let (events, stored) = match written {
            Ok(written) => written,
            Err(e) => {
                let mut staged = self.staged_mut();
                let later = std::mem::replace(&mut *staged, records);
                staged.extend(later);
                return Err(e);
            }
        };
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

#[cfg(test)]
mod tests {
    #[cfg(target_os = "linux")]
    #[test]
    fn the_snapshot_thread_runs_at_the_idle_policy() {
        use thread_priority::{NormalThreadSchedulePolicy, ThreadSchedulePolicy};
        let policy = std::thread::spawn(|| {
            super::background_priority();
            thread_priority::thread_schedule_policy().unwrap()
        })
        .join()
        .unwrap();
        assert_eq!(
            policy,
            ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Idle)
        );
        // the caller's own thread is untouched
        assert_ne!(
            thread_priority::thread_schedule_policy().unwrap(),
            ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Idle)
        );
    }
}
