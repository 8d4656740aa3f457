//! Storage benchmarks (run by `digisos-storebench`, see `scripts/bench-store.sh`):
//! durable call-off commands per second on SQLite and PostgreSQL, and replay of a large
//! log. Wall-clock measurements, repeated; the caller reports medians.

pub mod postgres;
pub mod replay;
pub mod sqlite;

use crate::scenario::{Limits, LoadError, set_up, t0};
use crate::{Driver, Step};
use digisos_core::incident::{Estimate, IncidentCommand, IncidentState};
use digisos_core::money::Money;
use digisos_core::principal::Principal;
use digisos_core::programme::Command;
use digisos_core::service::{Service, Store};
use std::time::Duration;

/// Why a benchmark could not run.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// Setting up the load failed.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The store failed.
    #[error("store: {0}")]
    Store(#[from] digisos_store::StoreError),
    /// A raw SQLite statement failed.
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A raw PostgreSQL statement failed.
    #[error("postgresql: {0}")]
    Postgres(#[from] ::postgres::Error),
    /// The domain refused a benchmark command (the load is broken).
    #[error("a benchmark command was refused: {0}")]
    Refused(String),
}

/// The median of `samples` (the upper middle for an even count; 0 when empty).
pub fn median(samples: &[f64]) -> f64 {
    let mut s = samples.to_vec();
    s.sort_by(f64::total_cmp);
    s.get(s.len() / 2).copied().unwrap_or(0.0)
}

/// Operations per second.
pub fn rate(ops: usize, took: Duration) -> f64 {
    ops as f64 / took.as_secs_f64().max(1e-9)
}

/// Sets the store up (unbounded limits) and reports and triages `n` incidents in large
/// batches, so that `n` call-offs are ready to be dispatched. Returns their dispatch
/// commands, issued by the coordinator.
pub fn prepare<S: Store>(
    service: &mut Service<S>,
    n: usize,
) -> Result<Vec<(Command, Principal)>, LoadError> {
    let store = |e: S::Error| LoadError::Store(e.to_string());
    set_up(service, Limits::Unbounded, t0())?;
    let mut driver = Driver::new(service.state(), n);
    // reports, then triages: two rounds of the driver
    for _ in 0..2 {
        let steps: Vec<Step> = driver.next_batch(service.state(), t0(), n);
        let batch: Vec<_> = steps
            .iter()
            .map(|s| (s.command.clone(), s.by.clone()))
            .collect();
        for chunk in batch.chunks(1024).zip(steps.chunks(1024)) {
            let outcomes = service.execute_batch(chunk.0, t0()).map_err(store)?;
            for (step, outcome) in chunk.1.iter().zip(&outcomes) {
                driver.record(step, outcome);
            }
        }
    }
    let estimate = Estimate::Amount(Money::euro(2_000));
    Ok(service
        .state()
        .incidents()
        .values()
        .filter(|i| i.state() == IncidentState::Triaged)
        .map(|i| {
            let command = Command::Incident {
                id: i.id.clone(),
                command: IncidentCommand::Dispatch { estimate },
            };
            (command, Principal::coordinator())
        })
        .collect())
}

/// The resident set size and its peak of this process, in bytes (Linux `/proc`).
pub fn memory() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Nanoseconds this thread has run on a CPU and has waited for one (ready to run, but
/// the CPUs were busy with other processes), from Linux `/proc/thread-self/schedstat`;
/// zeros where it is missing. On a shared machine the wait explains slow wall clocks.
pub fn schedstat() -> (u64, u64) {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
    let mut fields = text
        .split_whitespace()
        .map(|f| f.parse::<u64>().unwrap_or(0));
    (fields.next().unwrap_or(0), fields.next().unwrap_or(0))
}
