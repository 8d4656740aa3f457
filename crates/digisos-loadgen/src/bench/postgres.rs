//! PostgreSQL: several service instances (one connection each, as several
//! `digisos serve` processes would have) dispatch call-offs against one schema, each in
//! batches, serialising on the programme's advisory lock.

use super::sqlite::dispatch;
use super::{BenchError, prepare, rate};
use digisos_core::service::Service;
use digisos_store::ProgrammeLog;
use std::time::Instant;

/// Runs once in a fresh schema `schema` of the database at `base` (dropped afterwards):
/// `commands` dispatches shared by `instances` services, `batch` per transaction.
/// Returns commands per second over all instances.
pub fn run(
    base: &str,
    schema: &str,
    instances: usize,
    commands: usize,
    batch: usize,
) -> Result<f64, BenchError> {
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}schema={schema}");
    let result = run_in(&url, instances.max(1), commands, batch);
    let mut client = ::postgres::Client::connect(base, ::postgres::NoTls)?;
    client.batch_execute(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))?;
    result
}

fn run_in(url: &str, instances: usize, commands: usize, batch: usize) -> Result<f64, BenchError> {
    let mut first = Service::open(ProgrammeLog::open(url)?)?;
    let all = prepare(&mut first, commands)?;
    let mut services = vec![first];
    for _ in 1..instances {
        services.push(Service::open(ProgrammeLog::open(url)?)?);
    }
    let share = all.len().div_ceil(instances);
    let start = Instant::now();
    std::thread::scope(|s| {
        let handles: Vec<_> = services
            .iter_mut()
            .zip(all.chunks(share))
            .map(|(service, mine)| s.spawn(move || dispatch(service, mine, batch)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(BenchError::Refused("a worker panicked".into())))
            })
            .collect::<Result<Vec<()>, _>>()
    })?;
    Ok(rate(all.len(), start.elapsed()))
}
