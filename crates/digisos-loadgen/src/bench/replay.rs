//! Replay at start-up: generate a realistic log of about N events (incidents walked
//! through their whole lifecycle, with ledger events; the service writes a snapshot
//! every 100,000 events as in production), then measure `Service::open` — from the newest
//! snapshot plus the tail, or a full replay — events per second and resident memory per
//! event.

use super::{BenchError, memory, rate, schedstat};
use crate::Driver;
use crate::scenario::{Limits, set_up, t0};
use chrono::TimeDelta;
use digisos_core::service::{Service, SnapshotPolicy};
use digisos_store::ProgrammeLog;
use std::time::Instant;

/// What [`generate`] produced.
#[derive(Debug, Clone, Copy)]
pub struct Generated {
    /// The log's last position.
    pub position: u64,
    /// The position of the newest snapshot (0 if none).
    pub snapshot_at: u64,
    /// Seconds the generation took (snapshots included).
    pub seconds: f64,
}

/// Appends load to the store at `url` until it holds at least `events` events, in
/// batches of `batch` commands with `open` incidents in flight, with the snapshot
/// `policy`.
pub fn generate(
    url: &str,
    events: u64,
    batch: usize,
    open: usize,
    policy: SnapshotPolicy,
) -> Result<Generated, BenchError> {
    let start = Instant::now();
    let mut service = Service::open_with(ProgrammeLog::open(url)?, policy)?;
    let at = t0();
    set_up(&mut service, Limits::Unbounded, at)?;
    let mut driver = Driver::new(service.state(), open);
    while service.position() < events {
        // one simulated minute per batch: SLA clocks run, a few warnings fire
        let now = at + TimeDelta::seconds(service.position() as i64);
        let steps = driver.next_batch(service.state(), now, batch);
        let commands: Vec<_> = steps
            .iter()
            .map(|s| (s.command.clone(), s.by.clone()))
            .collect();
        let outcomes = service.execute_batch(&commands, now)?;
        for (step, outcome) in steps.iter().zip(&outcomes) {
            driver.record(step, outcome);
        }
    }
    if let Some(e) = service.snapshot_error() {
        return Err(BenchError::Refused(format!("a snapshot failed: {e}")));
    }
    Ok(Generated {
        position: service.position(),
        snapshot_at: service.snapshot_position(),
        seconds: start.elapsed().as_secs_f64(),
    })
}

/// One replay's figures.
#[derive(Debug, Clone, Copy)]
pub struct ReplayRun {
    /// Events in the log (the position reached).
    pub events: u64,
    /// Where the restored snapshot was taken (0 for a full replay).
    pub snapshot_at: u64,
    /// Seconds `Service::open` took.
    pub seconds: f64,
    /// Events per second.
    pub events_per_second: f64,
    /// Resident memory added by the opened service, per event (bytes).
    pub resident_per_event: f64,
    /// Peak resident memory of the process during the replay, per event (bytes).
    pub peak_per_event: f64,
    /// Seconds of the start-up spent running on a CPU.
    pub cpu_seconds: f64,
    /// Seconds of the start-up spent waiting for a CPU (taken by other processes).
    pub wait_seconds: f64,
}

/// Opens a service on `url` and measures it: with `from_snapshot`, from the newest
/// snapshot plus the tail, else replaying the whole log (writing no snapshot either way).
/// Events per second count every event in the log (the state a start-up delivers). Run
/// it in a fresh process: the peak is the process's high-water mark.
pub fn replay(url: &str, from_snapshot: bool) -> Result<ReplayRun, BenchError> {
    let policy = SnapshotPolicy {
        load: from_snapshot,
        every: None,
        pacing: None,
    };
    let (before, _) = memory();
    let (cpu_before, wait_before) = schedstat();
    let start = Instant::now();
    let service = Service::open_with(ProgrammeLog::open(url)?, policy)?;
    let took = start.elapsed();
    let (cpu_after, wait_after) = schedstat();
    let (after, peak) = memory();
    let events = service.position();
    let per = |bytes: u64| bytes.saturating_sub(before) as f64 / events.max(1) as f64;
    Ok(ReplayRun {
        events,
        snapshot_at: service.snapshot_position(),
        seconds: took.as_secs_f64(),
        events_per_second: rate(events as usize, took),
        resident_per_event: per(after),
        peak_per_event: per(peak),
        cpu_seconds: cpu_after.saturating_sub(cpu_before) as f64 / 1e9,
        wait_seconds: wait_after.saturating_sub(wait_before) as f64 / 1e9,
    })
}

/// Opens the log at `url` with a full replay and writes one snapshot at its end (to
/// measure the cost of a snapshot). Returns the seconds the write took and the size of
/// the encoded snapshot in bytes.
pub fn snapshot(url: &str) -> Result<(f64, usize), BenchError> {
    let mut service = Service::open_with(ProgrammeLog::open(url)?, SnapshotPolicy::NEVER)?;
    let start = Instant::now();
    service.save_snapshot()?;
    let took = start.elapsed().as_secs_f64();
    let size = service
        .store()
        .log()
        .load_snapshot(digisos_core::programme::SNAPSHOT_FORMAT)?
        .map_or(0, |(_, text)| text.len());
    Ok((took, size))
}

/// The previous decode path, for comparison: every row parsed into a `StoredEvent`
/// (JSON tree, timestamps, hashes), then the tree into a programme event, folded into a
/// bare `Programme` page by page. Returns events per second.
pub fn replay_tree(url: &str) -> Result<f64, BenchError> {
    let log = ProgrammeLog::open(url)?;
    let mut state = digisos_core::programme::Programme::new();
    let start = Instant::now();
    let (mut from, mut events) = (1, 0u64);
    loop {
        let page = log.log().read_all(from, 10_000)?;
        let Some(last) = page.last().map(|e| e.position) else {
            break;
        };
        for stored in &page {
            state.apply(&digisos_store::decode(stored)?.event);
            events += 1;
        }
        from = last + 1;
    }
    Ok(rate(events as usize, start.elapsed()))
}
