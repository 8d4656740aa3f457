//! The service after a store failure: what the failed batch folded is dropped, the
//! state is rebuilt from the log.

use super::*;
use crate::service::memory::Poisoned;
use chrono::TimeZone;
use std::cell::Cell;
use std::num::NonZeroU64;

/// A memory store whose appends can be made to fail after the decision was taken (as a
/// commit that fails would).
struct Flaky {
    inner: MemoryStore,
    fail: Cell<bool>,
}

impl Store for Flaky {
    type Error = Poisoned;

    fn read_after(&self, position: u64) -> Result<Vec<Recorded>, Poisoned> {
        self.inner.read_after(position)
    }

    fn append_with(
        &self,
        position: u64,
        decide: &mut Decision<'_>,
    ) -> Result<Vec<Recorded>, Poisoned> {
        if self.fail.get() {
            let _ = decide(&[]);
            return Err(Poisoned);
        }
        self.inner.append_with(position, decide)
    }
}

fn issue(id: &str) -> (Command, Principal) {
    let command = Command::IssueToken {
        token_id: id.into(),
        token_hash: format!("hash-{id}"),
        principal: Principal::auditor(),
        label: id.into(),
    };
    (command, Principal::coordinator())
}

#[test]
fn a_failed_write_leaves_nothing_behind_in_the_state() {
    let now = Utc.with_ymd_and_hms(2025, 10, 6, 8, 0, 0).unwrap();
    let store = Flaky {
        inner: MemoryStore::new(),
        fail: Cell::new(false),
    };
    let mut service = Service::open(store).unwrap();
    let outcomes = service.execute_batch(&[issue("t1")], now).unwrap();
    assert!(outcomes[0].is_ok());

    // when the store fails after the batch was decided
    service.store().fail.set(true);
    assert!(service.execute_batch(&[issue("t2")], now).is_err());

    // then the next write starts from the log: t2 was never recorded, so it is new
    service.store().fail.set(false);
    let outcomes = service.execute_batch(&[issue("t2")], now).unwrap();
    assert!(outcomes[0].is_ok(), "{:?}", outcomes[0]);
    assert_eq!(service.position(), 2);
    assert_eq!(service.state().tokens().count(), 2);
    assert_eq!(service.state().events_applied(), 2);
}

/// A memory store that counts how many events start-up reads.
struct Counting {
    inner: MemoryStore,
    read: Cell<usize>,
}

impl Store for Counting {
    type Error = Poisoned;

    fn read_after(&self, position: u64) -> Result<Vec<Recorded>, Poisoned> {
        let events = self.inner.read_after(position)?;
        self.read.set(self.read.get() + events.len());
        Ok(events)
    }

    fn append_with(
        &self,
        position: u64,
        decide: &mut Decision<'_>,
    ) -> Result<Vec<Recorded>, Poisoned> {
        self.inner.append_with(position, decide)
    }

    fn load_snapshot(&self) -> Result<Option<(u64, Programme)>, Poisoned> {
        self.inner.load_snapshot()
    }

    fn save_snapshot(&self, position: u64, state: &Programme) -> Result<bool, Poisoned> {
        self.inner.save_snapshot(position, state)
    }
}

fn every(n: u64) -> SnapshotPolicy {
    SnapshotPolicy {
        load: true,
        every: NonZeroU64::new(n),
        pacing: None,
    }
}

/// Pacing with a 10 s `min_gap`, the given tail cap and growth share.
fn pacing(max_tail: u64, growth_percent: u16) -> SnapshotPacing {
    SnapshotPacing {
        min_gap: TimeDelta::seconds(10),
        max_tail: NonZeroU64::new(max_tail).unwrap(),
        growth_percent,
    }
}

/// A snapshot every 3 events, paced with a tail cap of 7 and `growth_percent`.
fn every_3_paced(growth_percent: u16) -> SnapshotPolicy {
    SnapshotPolicy {
        pacing: Some(pacing(7, growth_percent)),
        ..every(3)
    }
}

#[test]
fn pacing_defers_snapshots_under_sustained_load_up_to_the_longest_tail() {
    let t0 = Utc.with_ymd_and_hms(2025, 10, 6, 8, 0, 0).unwrap();
    let policy = every_3_paced(0);
    let mut service = Service::open_with(MemoryStore::new(), policy).unwrap();
    let write = |service: &mut Service<MemoryStore>, i: usize, now| {
        service
            .execute_batch(&[issue(&format!("t{i}"))], now)
            .unwrap();
        service.snapshot_position()
    };
    // the first snapshot is not held back
    let positions: Vec<u64> = (0..3).map(|i| write(&mut service, i, t0)).collect();
    assert_eq!(positions, [0, 0, 3]);
    // within 10 s, the tail grows past `every` up to `max_tail`
    let positions: Vec<u64> = (3..10).map(|i| write(&mut service, i, t0)).collect();
    assert_eq!(positions, [3, 3, 3, 3, 3, 3, 10], "due at a tail of 7");
    // 10 s after the last one, a tail of `every` is enough again
    let later = t0 + TimeDelta::seconds(10);
    let positions: Vec<u64> = (10..13).map(|i| write(&mut service, i, later)).collect();
    assert_eq!(positions, [10, 10, 13]);
    // without pacing, every 3 events whatever the time
    let mut unpaced = Service::open_with(MemoryStore::new(), every(3)).unwrap();
    let positions: Vec<u64> = (0..7).map(|i| write(&mut unpaced, i, t0)).collect();
    assert_eq!(positions, [0, 0, 3, 3, 3, 6, 6]);
}

#[test]
fn sustained_load_is_a_rate_not_a_time_since_the_last_snapshot() {
    let t0 = Utc.with_ymd_and_hms(2025, 10, 6, 8, 0, 0).unwrap();
    let policy = every_3_paced(0);
    // one write per `step` seconds; the snapshot position after each
    let run = |step: i64| {
        let mut service = Service::open_with(MemoryStore::new(), policy).unwrap();
        (0..12)
            .map(|i| {
                let now = t0 + TimeDelta::seconds(step * i);
                service
                    .execute_batch(&[issue(&format!("t{i}"))], now)
                    .unwrap();
                service.snapshot_position()
            })
            .collect::<Vec<u64>>()
    };
    // 1 event per 2 s is more than 3 per 10 s: sustained, so 12 s after the snapshot at
    // 3 (a tail of 6) is not enough; the tail of 7 is
    assert_eq!(run(2), [0, 0, 3, 3, 3, 3, 3, 3, 3, 10, 10, 10]);
    // 1 event per 4 s is less: a snapshot every 3 events
    assert_eq!(run(4), [0, 0, 3, 3, 3, 6, 6, 6, 9, 9, 9, 12]);
}

#[test]
fn pacing_lets_the_tail_grow_with_the_log() {
    let t0 = Utc.with_ymd_and_hms(2025, 10, 6, 8, 0, 0).unwrap();
    let policy = every_3_paced(100);
    let mut service = Service::open_with(MemoryStore::new(), policy).unwrap();
    let mut taken = Vec::new();
    for i in 0..45 {
        service
            .execute_batch(&[issue(&format!("t{i}"))], t0)
            .unwrap();
        if taken.last() != Some(&service.snapshot_position()) {
            taken.push(service.snapshot_position());
        }
    }
    // all within 10 s: the first at `every`, then at a tail of `max_tail` (7 > 3), then
    // each once the log has doubled since the last one
    assert_eq!(taken, [0, 3, 10, 20, 40]);
}

#[test]
fn the_forced_tail_is_the_larger_of_the_cap_and_the_growth() {
    let pacing = |growth_percent| pacing(300_000, growth_percent);
    assert_eq!(pacing(50).forced_tail(0), 300_000);
    assert_eq!(pacing(50).forced_tail(600_000), 300_000);
    assert_eq!(pacing(50).forced_tail(3_000_001), 1_500_000);
    assert_eq!(pacing(0).forced_tail(3_000_000), 300_000);
    assert_eq!(pacing(250).forced_tail(1_000_099), 2_500_247);
    // no overflow at the far end
    assert_eq!(pacing(200).forced_tail(u64::MAX), u64::MAX);
    assert_eq!(pacing(100).forced_tail(u64::MAX), u64::MAX);
    assert_eq!(
        SnapshotPolicy::DEFAULT_PACING.forced_tail(4_000_000),
        2_000_000
    );
}

#[test]
fn start_up_restores_the_snapshot_and_replays_only_the_tail() {
    let now = Utc.with_ymd_and_hms(2025, 10, 6, 8, 0, 0).unwrap();
    let mut service = Service::open_with(MemoryStore::new(), every(3)).unwrap();
    for i in 0..7 {
        service
            .execute_batch(&[issue(&format!("t{i}"))], now)
            .unwrap();
    }
    // snapshots after events 3 and 6
    assert_eq!(service.snapshot_position(), 6);
    let full = service.state().clone();
    let store = Counting {
        inner: MemoryStore::new(),
        read: Cell::new(0),
    };
    // move the log and the snapshot over
    let events = service.store().read_after(0).unwrap();
    store
        .append_with(0, &mut |_| events.iter().map(|r| r.event.clone()).collect())
        .unwrap();
    let (at, snapshot) = service.store().load_snapshot().unwrap().unwrap();
    assert!(store.save_snapshot(at, &snapshot).unwrap());

    let reopened = Service::open_with(store, every(3)).unwrap();
    assert_eq!(
        reopened.store().read.get(),
        1,
        "only the tail after position 6"
    );
    assert_eq!(reopened.position(), 7);
    assert_eq!(reopened.state(), &full);

    let replayed = Service::open_with(reopened.store, SnapshotPolicy::NEVER).unwrap();
    assert_eq!(replayed.state(), &full);
}

#[test]
fn a_long_tail_at_start_up_and_an_explicit_request_write_snapshots() {
    let now = Utc.with_ymd_and_hms(2025, 10, 6, 8, 0, 0).unwrap();
    let mut service = Service::open_with(MemoryStore::new(), SnapshotPolicy::NEVER).unwrap();
    for i in 0..4 {
        service
            .execute_batch(&[issue(&format!("t{i}"))], now)
            .unwrap();
    }
    assert!(service.store().load_snapshot().unwrap().is_none());
    assert!(service.save_snapshot().unwrap());
    assert_eq!(
        service.store().load_snapshot().unwrap().map(|s| s.0),
        Some(4)
    );

    service.execute_batch(&[issue("t4")], now).unwrap();
    let reopened = Service::open_with(service.store, every(1)).unwrap();
    assert_eq!(reopened.snapshot_position(), 5);
    assert_eq!(
        reopened.store().load_snapshot().unwrap().map(|s| s.0),
        Some(5)
    );
    assert!(reopened.snapshot_error().is_none());
}
