//! SQLite (`synchronous=FULL`, WAL): call-off dispatches through
//! `Service::execute_batch` in groups vs one commit per command vs a raw batched insert
//! of the same rows.

use super::{BenchError, prepare, rate};
use digisos_core::principal::Principal;
use digisos_core::programme::Command;
use digisos_core::service::Service;
use digisos_store::ProgrammeLog;
use rusqlite::{Connection, params};
use std::path::Path;
use std::time::Instant;

/// One run's figures, in commands per second.
#[derive(Debug, Clone, Copy)]
pub struct SqliteRun {
    /// Through the service, `batch` commands per transaction.
    pub group: f64,
    /// Through the service, one transaction per command.
    pub single: f64,
    /// Raw inserts of the same rows, `batch` commands' rows per transaction, SQLite's
    /// default inline WAL checkpoints.
    pub raw: f64,
    /// The same raw inserts with inline checkpoints pushed beyond the run (the store's
    /// backstop of 10,000 pages and no checkpoint thread): no checkpoint work at all.
    pub raw_no_checkpoint: f64,
    /// Events (rows) per dispatch command.
    pub events_per_command: f64,
    /// Mean payload size of those rows, in bytes.
    pub payload_bytes: f64,
}

/// Runs the three variants once in `dir` (fresh files): `commands` dispatches in groups
/// of `batch` and as raw rows, `single` dispatches one by one.
pub fn run(
    dir: &Path,
    commands: usize,
    single: usize,
    batch: usize,
) -> Result<SqliteRun, BenchError> {
    let group_db = dir.join("group.db");
    let (group, first) = service_run(&group_db, commands, batch)?;
    let (single, _) = service_run(&dir.join("single.db"), single, 1)?;
    let rows = read_rows(&group_db, first)?;
    let events_per_command = rows.len() as f64 / commands as f64;
    let payload_bytes = rows.iter().map(|r| r[5].len()).sum::<usize>() as f64 / rows.len() as f64;
    let raw = raw_run(&dir.join("raw.db"), &rows, commands, batch, None)?;
    let raw_no_checkpoint = raw_run(&dir.join("raw2.db"), &rows, commands, batch, Some(10_000))?;
    Ok(SqliteRun {
        group,
        single,
        raw,
        raw_no_checkpoint,
        events_per_command,
        payload_bytes,
    })
}

/// Dispatches `n` prepared call-offs in batches of `batch`; returns commands/s and the
/// first position the dispatches wrote.
fn service_run(db: &Path, n: usize, batch: usize) -> Result<(f64, u64), BenchError> {
    let url = format!("sqlite://{}", db.display());
    let mut service = Service::open(ProgrammeLog::open(&url)?)?;
    let commands = prepare(&mut service, n)?;
    let first = service.position() + 1;
    let start = Instant::now();
    dispatch(&mut service, &commands, batch)?;
    Ok((rate(commands.len(), start.elapsed()), first))
}

/// Executes `commands` in batches; fails if any is refused.
pub fn dispatch<S: digisos_core::service::Store>(
    service: &mut Service<S>,
    commands: &[(Command, Principal)],
    batch: usize,
) -> Result<(), BenchError>
where
    BenchError: From<S::Error>,
{
    let now = crate::scenario::t0();
    for chunk in commands.chunks(batch.max(1)) {
        for outcome in service.execute_batch(chunk, now)? {
            outcome.map_err(|r| BenchError::Refused(r.to_string()))?;
        }
    }
    Ok(())
}

const COLUMNS: &str = "stream, version, kind, actor, at, payload, prev_hash, hash";

fn read_rows(db: &Path, first: u64) -> Result<Vec<[String; 8]>, BenchError> {
    let conn = Connection::open(db)?;
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM events WHERE position >= ?1 ORDER BY position"
    ))?;
    let rows = stmt
        .query_map([first as i64], |r| {
            Ok([
                r.get(0)?,
                r.get::<_, i64>(1)?.to_string(),
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
            ])
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Inserts `rows` into a table shaped like the event log, the rows of `batch` commands
/// per transaction (same pragmas as the store; `autocheckpoint` pages if given, else
/// SQLite's default); returns commands/s.
fn raw_run(
    db: &Path,
    rows: &[[String; 8]],
    commands: usize,
    batch: usize,
    autocheckpoint: Option<u32>,
) -> Result<f64, BenchError> {
    let mut conn = Connection::open(db)?;
    conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get::<_, String>(0))?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    if let Some(pages) = autocheckpoint {
        conn.pragma_update(None, "wal_autocheckpoint", pages)?;
    }
    conn.execute_batch(
        "CREATE TABLE raw (position INTEGER PRIMARY KEY, stream TEXT NOT NULL,
         version INTEGER NOT NULL, kind TEXT NOT NULL, actor TEXT NOT NULL, at TEXT NOT NULL,
         payload TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL,
         UNIQUE (stream, version))",
    )?;
    let per_tx = ((rows.len() * batch) / commands.max(1)).max(1);
    let start = Instant::now();
    let mut position = 0i64;
    for chunk in rows.chunks(per_tx) {
        let tx = conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(&format!(
                "INSERT INTO raw (position, {COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
            ))?;
            for r in chunk {
                position += 1;
                stmt.execute(params![
                    position, r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]
                ])?;
            }
        }
        tx.commit()?;
    }
    Ok(rate(commands, start.elapsed()))
}
