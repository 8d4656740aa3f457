//! The application service: the programme kept in memory over an event log behind the
//! [`Store`] port. Pure and synchronous; adapters own threads, timers and the clock.
//!
//! Every write goes through [`Store::append_with`]: under the store's lock the service
//! first folds what other writers appended since it last looked (catch-up), then decides
//! a **batch** of commands against the up-to-date state, and the store appends all their
//! events in one transaction (group commit). So the ledger invariant holds across
//! processes sharing one database, and one fsync serves many commands.
//!
//! Start-up restores the newest usable snapshot of the programme from the store (if the
//! store keeps any) and replays only the tail of the log; after writes the service hands
//! the store a new snapshot every [`SnapshotPolicy::every`] events, paced under sustained
//! load ([`SnapshotPacing`]).

pub mod memory;

pub use memory::MemoryStore;

use crate::principal::Principal;
use crate::programme::{Command, Programme, ProgrammeEvent, Rejection};
use chrono::{DateTime, TimeDelta, Utc};
use std::num::NonZeroU64;

/// An event with its global position in the log (1-based, gapless).
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    /// Global position.
    pub position: u64,
    /// The event.
    pub event: ProgrammeEvent,
}

/// What the decision step of [`Store::append_with`] returns: the events to append.
pub type Decision<'a> = dyn FnMut(&[Recorded]) -> Vec<ProgrammeEvent> + 'a;

/// The port to an event log (implemented in memory here and by `digisos-store`).
pub trait Store {
    /// The store's failure (IO, conflict after retries, corruption). Never a domain rejection.
    type Error: std::error::Error + Send + Sync + 'static;

    /// Every event after `position`, in order.
    fn read_after(&self, position: u64) -> Result<Vec<Recorded>, Self::Error>;

    /// Atomically: hands `decide` the events appended after `position` by others, appends
    /// what it returns (possibly nothing), and returns the appended events with their
    /// positions. No other writer may append between the read and the append. Calls
    /// `decide` exactly once (the service folds its result into its state as it goes).
    fn append_with(
        &self,
        position: u64,
        decide: &mut Decision<'_>,
    ) -> Result<Vec<Recorded>, Self::Error>;

    /// Hands every event after `position` to `fold`, in order. Stores override it to read
    /// page by page, so that replaying a large log never holds it in memory at once; the
    /// default collects [`Store::read_after`].
    fn fold_after(&self, position: u64, fold: &mut dyn FnMut(Recorded)) -> Result<(), Self::Error> {
        for r in self.read_after(position)? {
            fold(r);
        }
        Ok(())
    }

    /// The newest usable snapshot of the programme and the position of the last event it
    /// folded, or `None` (the service then replays the whole log). A store returns only a
    /// snapshot that matches its log (the event at that position is the one the snapshot
    /// was taken after) and decodes in the current format; one that does not decode is
    /// `None`, not an error. Fails only if the store cannot be read. The default keeps no
    /// snapshots.
    fn load_snapshot(&self) -> Result<Option<(u64, Programme)>, Self::Error> {
        Ok(None)
    }

    /// Keeps `state`, folded from the events up to `position`, as a snapshot. Returns
    /// whether one was stored (`false` for a store that keeps none, the default). Fails if
    /// the store cannot write it or `position` is not in the log; the log itself is never
    /// affected.
    fn save_snapshot(&self, position: u64, state: &Programme) -> Result<bool, Self::Error> {
        let _ = (position, state);
        Ok(false)
    }
}

/// When the service restores and writes snapshots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnapshotPolicy {
    /// Restore the newest snapshot at start-up (else replay the whole log).
    pub load: bool,
    /// Write a snapshot after a write once this many events were folded since the last
    /// one (also right after start-up, if the replayed tail was that long); `None` never.
    pub every: Option<NonZeroU64>,
    /// Under sustained load, space the snapshots out in time; `None`: every `every`
    /// events, however fast they come.
    pub pacing: Option<SnapshotPacing>,
}

/// How snapshots are spaced out under sustained load (*Lastspitzen*).
///
/// A snapshot costs time in proportion to the whole state (copying is cheap, but encoding
/// and storing 100 MB take a second or two), while it saves only the replay of the events
/// since the last one. At 50,000 events per second, one every 100,000 events would encode
/// the whole state every two seconds and take a fifth of a two-core machine.
///
/// So the plain rule (a snapshot every `every` events) holds only while the log grows
/// more slowly than `every` events per `min_gap` on average since the last snapshot. When
/// it grows faster (sustained load), the next snapshot waits until the tail is too long
/// to replay comfortably: `max_tail` events, or, for a large log, once the log has grown
/// by `growth_percent` since the last snapshot (the rule of Redis's
/// `auto-aof-rewrite-percentage`, which rewrites its append-only file once it has grown
/// by that share since the last rewrite). A snapshot every fixed number of events or
/// seconds would cost more per event the larger the state; with the growth rule the cost
/// per event stays constant, and a start-up replays at most that share of the log at
/// the last snapshot. At the load of a real programme (far below 100,000 events in ten
/// seconds) pacing never binds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnapshotPacing {
    /// With `every`, the rate that counts as sustained load: more than `every` events per
    /// `min_gap` since the last snapshot. Below it, at most one snapshot per `min_gap`.
    pub min_gap: TimeDelta,
    /// A tail this long forces a snapshot under sustained load, unless the growth rule
    /// allows a longer one.
    pub max_tail: NonZeroU64,
    /// Under sustained load, the tail may also grow to this percentage of the position of
    /// the last snapshot before one is forced (0: `max_tail` alone decides).
    pub growth_percent: u16,
}

impl SnapshotPacing {
    /// The tail that forces a snapshot when the last one was taken at `position`.
    pub fn forced_tail(&self, position: u64) -> u64 {
        let percent = u64::from(self.growth_percent);
        let grown = (position / 100)
            .saturating_mul(percent)
            .saturating_add(position % 100 * percent / 100);
        grown.max(self.max_tail.get())
    }

    /// Whether a tail of `tail` events written within `elapsed` is sustained load: more
    /// than `every` events per `min_gap` on average (a clock that went back counts as
    /// sustained, so it never triggers a snapshot early).
    pub fn is_sustained(&self, every: NonZeroU64, tail: u64, elapsed: TimeDelta) -> bool {
        // tail / elapsed > every / min_gap, in integer milliseconds
        let Ok(elapsed) = u128::try_from(elapsed.num_milliseconds()) else {
            return true;
        };
        let min_gap = u128::try_from(self.min_gap.num_milliseconds()).unwrap_or(0);
        u128::from(tail) * min_gap > u128::from(every.get()) * elapsed
    }
}

impl SnapshotPolicy {
    /// The default interval: a snapshot every 100,000 events. A snapshot of a 1M-event
    /// programme (52k incidents) is 35 MB and takes about a second to write, so at this
    /// interval writing a 1M-event log costs 17 % more than without snapshots; a start-up
    /// then replays at most about 100,000 events after the newest one (see BENCHMARKS.md).
    pub const DEFAULT_EVERY: NonZeroU64 = match NonZeroU64::new(100_000) {
        Some(n) => n,
        None => NonZeroU64::MIN,
    };

    /// The default pacing: above 100,000 events per 10 seconds, a snapshot once the
    /// tail has reached 300,000 events (a start-up replays those in under two seconds)
    /// or, for a log of more than 600,000 events, half the log at the last snapshot (then
    /// a start-up replays at most a third of the log).
    pub const DEFAULT_PACING: SnapshotPacing = SnapshotPacing {
        min_gap: TimeDelta::seconds(10),
        max_tail: match NonZeroU64::new(300_000) {
            Some(n) => n,
            None => NonZeroU64::MIN,
        },
        growth_percent: 50,
    };

    /// Neither restore nor write snapshots: every start-up replays the whole log.
    pub const NEVER: SnapshotPolicy = SnapshotPolicy {
        load: false,
        every: None,
        pacing: None,
    };
}

impl Default for SnapshotPolicy {
    fn default() -> Self {
        SnapshotPolicy {
            load: true,
            every: Some(Self::DEFAULT_EVERY),
            pacing: Some(Self::DEFAULT_PACING),
        }
    }
}

/// The outcome of one command of a batch: its events, or why it was refused.
pub type Outcome = Result<Vec<Recorded>, Rejection>;

/// The programme over a store.
#[derive(Debug)]
pub struct Service<S: Store> {
    store: S,
    state: Programme,
    position: u64,
    /// Set while a write is in flight; still set after a store failure.
    stale: bool,
    policy: SnapshotPolicy,
    /// The position of the last snapshot restored, written or attempted.
    snapshot_at: u64,
    /// When the last automatic snapshot after a write was handed to the store.
    snapshot_time: Option<DateTime<Utc>>,
    /// Why the last automatic snapshot failed, until one succeeds.
    snapshot_error: Option<S::Error>,
}

impl<S: Store> Service<S> {
    /// Opens the service with the default [`SnapshotPolicy`]: restores the newest
    /// snapshot and replays the tail of the log. Fails if the store cannot be read.
    pub fn open(store: S) -> Result<Self, S::Error> {
        Self::open_with(store, SnapshotPolicy::default())
    }

    /// Opens the service with `policy`: restores the newest usable snapshot (if
    /// `policy.load`) and replays the log after it. If the replayed tail is at least
    /// `policy.every` events long, writes a snapshot so the next start-up is short (a
    /// failure to write it is kept in [`Service::snapshot_error`], not returned). Fails if
    /// the store cannot be read.
    pub fn open_with(store: S, policy: SnapshotPolicy) -> Result<Self, S::Error> {
        let mut service = Service {
            store,
            state: Programme::new(),
            position: 0,
            stale: false,
            policy,
            snapshot_at: 0,
            snapshot_time: None,
            snapshot_error: None,
        };
        service.restore()?;
        service.snapshot_if_due(None);
        Ok(service)
    }

    /// Writes a snapshot of the current state now (on demand, e.g. before a planned
    /// restart). Returns whether the store kept one (`false` for an empty log or a store
    /// without snapshots). Fails if the store cannot write it.
    pub fn save_snapshot(&mut self) -> Result<bool, S::Error> {
        self.reload_if_stale()?;
        if self.position == 0 {
            return Ok(false);
        }
        let saved = self.store.save_snapshot(self.position, &self.state)?;
        self.snapshot_at = self.position;
        Ok(saved)
    }

    /// Why the last automatic snapshot failed, if the latest attempt failed. The writes
    /// themselves were committed; the next start-up just replays a longer tail.
    pub fn snapshot_error(&self) -> Option<&S::Error> {
        self.snapshot_error.as_ref()
    }

    /// The position of the last snapshot restored or written (0 if none).
    pub fn snapshot_position(&self) -> u64 {
        self.snapshot_at
    }

    /// Resets the state to the newest snapshot (if the policy allows) and folds the tail.
    fn restore(&mut self) -> Result<(), S::Error> {
        let restored = if self.policy.load {
            self.store.load_snapshot()?
        } else {
            None
        };
        (self.position, self.state) = restored.unwrap_or_default();
        self.snapshot_at = self.position;
        self.refresh()
    }

    /// After a committed write at `now` (or start-up, `None`): hands the store a snapshot
    /// if `every` events were folded since the last one, and pacing allows it. A failure
    /// is kept, not returned.
    fn snapshot_if_due(&mut self, now: Option<DateTime<Utc>>) {
        let Some(every) = self.policy.every else {
            return;
        };
        let tail = self.position.saturating_sub(self.snapshot_at);
        if tail < every.get() {
            return;
        }
        if let (Some(pacing), Some(now), Some(last)) = (self.policy.pacing, now, self.snapshot_time)
            && pacing.is_sustained(every, tail, now.signed_duration_since(last))
            && tail < pacing.forced_tail(self.snapshot_at)
        {
            return;
        }
        self.snapshot_at = self.position;
        if now.is_some() {
            self.snapshot_time = now;
        }
        match self.store.save_snapshot(self.position, &self.state) {
            Ok(_) => self.snapshot_error = None,
            Err(e) => self.snapshot_error = Some(e),
        }
    }

    /// Folds what other writers appended since the last look. Call before serving reads
    /// when several processes share the store.
    pub fn refresh(&mut self) -> Result<(), S::Error> {
        self.reload_if_stale()?;
        let (state, position) = (&mut self.state, &mut self.position);
        self.store.fold_after(*position, &mut |r| {
            if r.position > *position {
                state.apply(&r.event);
                *position = r.position;
            }
        })
    }

    /// The current state (as of the last write or refresh).
    pub fn state(&self) -> &Programme {
        &self.state
    }

    /// The position of the last folded event.
    pub fn position(&self) -> u64 {
        self.position
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Executes one command. `Ok(Err(rejection))` means the domain refused it and nothing
    /// was written; `Err` means the store failed.
    pub fn execute(
        &mut self,
        command: &Command,
        by: &Principal,
        now: DateTime<Utc>,
    ) -> Result<Outcome, S::Error> {
        let mut outcomes = self.execute_batch(&[(command.clone(), by.clone())], now)?;
        Ok(outcomes.pop().unwrap_or(Ok(Vec::new())))
    }

    /// Executes several commands in one transaction (group commit): each is decided
    /// against the state including the events of the commands before it; refused ones
    /// write nothing. Whatever fell due by `now` is recorded first.
    ///
    /// The commands are decided and folded on the service's own state inside the store's
    /// transaction (no copy of the programme per batch, so a batch costs the same with
    /// ten or a hundred thousand incidents). If the store then fails, that state may hold
    /// events that were never committed: the service is marked stale and rebuilds itself
    /// from the log at its next call.
    pub fn execute_batch(
        &mut self,
        batch: &[(Command, Principal)],
        now: DateTime<Utc>,
    ) -> Result<Vec<Outcome>, S::Error> {
        self.reload_if_stale()?;
        let mut counts: Vec<Result<usize, Rejection>> = Vec::new();
        let mut timer_count = 0usize;
        let state = &mut self.state;
        let mut caught_up = self.position;
        let mut decide = |newer: &[Recorded]| {
            catch_up(state, &mut caught_up, newer);
            let mut all = state.handle_timeout(now);
            for e in &all {
                state.apply(e);
            }
            timer_count = all.len();
            for (command, by) in batch {
                match state.decide(command, by, now) {
                    Ok(events) => {
                        for e in &events {
                            state.apply(e);
                        }
                        counts.push(Ok(events.len()));
                        all.extend(events);
                    }
                    Err(r) => counts.push(Err(r)),
                }
            }
            all
        };
        self.stale = true;
        let appended = self.store.append_with(self.position, &mut decide)?;
        self.position = appended.last().map_or(caught_up, |r| r.position);
        self.stale = false;
        self.snapshot_if_due(Some(now));
        let mut rest = appended.into_iter().skip(timer_count);
        Ok(counts
            .into_iter()
            .map(|c| c.map(|n| rest.by_ref().take(n).collect()))
            .collect())
    }

    /// Records everything that fell due by `now` (call when the timer set for
    /// [`Service::next_timeout`] fires). Returns the recorded events.
    pub fn tick(&mut self, now: DateTime<Utc>) -> Result<Vec<Recorded>, S::Error> {
        self.reload_if_stale()?;
        let state = &mut self.state;
        let mut caught_up = self.position;
        let mut decide = |newer: &[Recorded]| {
            catch_up(state, &mut caught_up, newer);
            let due = state.handle_timeout(now);
            for e in &due {
                state.apply(e);
            }
            due
        };
        self.stale = true;
        let appended = self.store.append_with(self.position, &mut decide)?;
        self.position = appended.last().map_or(caught_up, |r| r.position);
        self.stale = false;
        self.snapshot_if_due(Some(now));
        Ok(appended)
    }

    /// The next instant at which [`Service::tick`] has something to record.
    pub fn next_timeout(&self) -> Option<DateTime<Utc>> {
        self.state.next_timeout()
    }

    /// After a failed write the state may hold uncommitted events: rebuild it from the
    /// newest snapshot and the log.
    fn reload_if_stale(&mut self) -> Result<(), S::Error> {
        if self.stale {
            self.stale = false;
            if let Err(e) = self.restore() {
                self.stale = true;
                return Err(e);
            }
        }
        Ok(())
    }
}

/// Folds the events other writers appended (handed in by the store under its lock).
fn catch_up(state: &mut Programme, position: &mut u64, newer: &[Recorded]) {
    for r in newer {
        if r.position > *position {
            state.apply(&r.event);
            *position = r.position;
        }
    }
}

#[cfg(test)]
mod tests;
