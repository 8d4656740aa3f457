//! Replay at start-up: generate a realistic log of about N events (incidents walked
//! through their whole lifecycle, with ledger events), then measure `Service::open` —
//! events per second and resident memory per event.

use super::{BenchError, memory, rate};
use crate::Driver;
use crate::scenario::{Limits, set_up, t0};
use chrono::TimeDelta;
use digisos_core::service::Service;
use digisos_store::ProgrammeLog;
use std::time::Instant;

/// Appends load to the store at `url` until it holds at least `events` events, in
/// batches of `batch` commands with `open` incidents in flight. Returns the position.
pub fn generate(url: &str, events: u64, batch: usize, open: usize) -> Result<u64, BenchError> {
    let mut service = Service::open(ProgrammeLog::open(url)?)?;
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
    Ok(service.position())
}

/// One replay's figures.
#[derive(Debug, Clone, Copy)]
pub struct ReplayRun {
    /// Events replayed.
    pub events: u64,
    /// Seconds `Service::open` took.
    pub seconds: f64,
    /// Events per second.
    pub events_per_second: f64,
    /// Resident memory added by the opened service, per event (bytes).
    pub resident_per_event: f64,
    /// Peak resident memory of the process during the replay, per event (bytes).
    pub peak_per_event: f64,
}

/// Opens a service on `url` (replaying the whole log) and measures it. Run it in a fresh
/// process: the peak is the process's high-water mark.
pub fn replay(url: &str) -> Result<ReplayRun, BenchError> {
    let (before, _) = memory();
    let start = Instant::now();
    let service = Service::open(ProgrammeLog::open(url)?)?;
    let took = start.elapsed();
    let (after, peak) = memory();
    let events = service.position();
    let per = |bytes: u64| bytes.saturating_sub(before) as f64 / events.max(1) as f64;
    Ok(ReplayRun {
        events,
        seconds: took.as_secs_f64(),
        events_per_second: rate(events as usize, took),
        resident_per_event: per(after),
        peak_per_event: per(peak),
    })
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
