//! The snapshot file that earlier binaries kept next to a SQLite log on disk
//! (`<database>-snapshots`, a SQLite database with the layout of the log's own
//! `snapshots` table). This binary writes snapshots to the snapshot directory instead
//! (see `snapshot_dir`) and only still reads this file, so that an upgrade restores the
//! last snapshot instead of replaying the log; the newest usable snapshot of directory,
//! file and table wins.
//!
//! A snapshot here is used only if the event at its position in the log has the hash it
//! was taken with. [`write_row`] also writes the rows of the database's own table (an
//! in-memory log keeps its snapshots there).

use crate::error::StoreError;
use crate::migrate;
use crate::row::to_i64;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a snapshot writer waits for another one's lock on the file.
const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

/// The layout of the snapshot file (the database's own `snapshots` table since
/// migration 3).
const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS snapshots (
    position   INTEGER PRIMARY KEY CHECK (position > 0),
    event_hash TEXT    NOT NULL,
    format     INTEGER NOT NULL,
    taken_at   TEXT    NOT NULL,
    state      BLOB    NOT NULL
);";

/// The snapshot file next to the database at `database`.
pub(crate) fn path_for(database: &Path) -> PathBuf {
    let mut p = database.as_os_str().to_owned();
    p.push("-snapshots");
    PathBuf::from(p)
}

fn open(path: &Path) -> Result<Connection, StoreError> {
    let err = StoreError::backend("opening the sqlite snapshot file");
    let conn = Connection::open(path).map_err(&err)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(&err)?;
    conn.query_row("PRAGMA journal_mode=WAL", [], |_| Ok(()))
        .map_err(&err)?;
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(&err)?;
    conn.execute_batch(SCHEMA).map_err(&err)?;
    Ok(conn)
}

/// The hash of the event at `position` in the database, read on a connection of its own
/// (a WAL reader: it never waits for the log's writer).
pub(super) fn event_hash(database: &Path, position: u64) -> Result<Option<String>, StoreError> {
    let err = StoreError::backend("reading an event hash for a snapshot");
    let conn = Connection::open(database).map_err(&err)?;
    conn.query_row(
        "SELECT hash FROM events WHERE position = ?1",
        [to_i64(position)?],
        |r| r.get(0),
    )
    .optional()
    .map_err(&err)
}

/// Inside the caller's write transaction on a `snapshots` table (the database's own or
/// the snapshot file's): inserts a zero-filled blob of the right size, writes `state`
/// into it with SQLite's incremental blob I/O (so SQLite never copies the whole state
/// into a record of its own), replacing a row at `position`, and deletes all but the
/// newest few rows.
pub(crate) fn write_row(
    tx: &Transaction<'_>,
    position: u64,
    hash: &str,
    format: u32,
    state: &[u8],
) -> Result<(), StoreError> {
    let err = StoreError::backend("writing a snapshot to sqlite");
    let size = i32::try_from(state.len()).map_err(|_| StoreError::Backend {
        context: "writing a snapshot to sqlite",
        detail: format!(
            "the snapshot has {} bytes, more than a blob holds",
            state.len()
        ),
    })?;
    tx.execute(
        "INSERT INTO snapshots (position, event_hash, format, taken_at, state)
         VALUES (?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), zeroblob(?4))
         ON CONFLICT (position) DO UPDATE SET event_hash = excluded.event_hash,
             format = excluded.format, taken_at = excluded.taken_at, state = excluded.state",
        params![to_i64(position)?, hash, format, size],
    )
    .map_err(&err)?;
    {
        // `position` is the table's rowid
        let mut blob = tx
            .blob_open(c"main", c"snapshots", c"state", to_i64(position)?, false)
            .map_err(&err)?;
        blob.write_all_at(state, 0).map_err(&err)?;
    }
    tx.execute(
        "DELETE FROM snapshots WHERE position NOT IN
             (SELECT position FROM snapshots ORDER BY position DESC LIMIT ?1)",
        [migrate::SNAPSHOTS_KEPT],
    )
    .map_err(&err)?;
    Ok(())
}

/// The newest snapshot in `format` in the snapshot file, later than `newer_than`, whose
/// hash matches the log's event at its position, as `(position, state)`; `None` if there
/// is none (or no file).
pub(crate) fn load(
    database: &Path,
    format: u32,
    newer_than: Option<u64>,
) -> Result<Option<(u64, Vec<u8>)>, StoreError> {
    let path = path_for(database);
    if !path.exists() {
        return Ok(None);
    }
    let err = StoreError::backend("reading a snapshot from the sqlite snapshot file");
    let mut conn = open(&path)?;
    let tx = conn.transaction().map_err(&err)?;
    let candidates: Vec<(i64, String)> = {
        let mut stmt = tx
            .prepare(
                "SELECT position, event_hash FROM snapshots WHERE format = ?1
                 ORDER BY position DESC",
            )
            .map_err(&err)?;
        stmt.query_map([format], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(&err)?
            .collect::<Result<_, _>>()
            .map_err(&err)?
    };
    for (pos, hash) in candidates {
        let position = u64::try_from(pos).unwrap_or(0);
        if newer_than.is_some_and(|n| position <= n) {
            break; // newest first: none of the rest is newer either
        }
        if event_hash(database, position)?.as_deref() != Some(hash.as_str()) {
            continue; // another log's, or the log was replaced
        }
        let blob = tx
            .blob_open(c"main", c"snapshots", c"state", pos, true)
            .map_err(&err)?;
        let mut state = vec![0u8; blob.len()];
        blob.read_at_exact(&mut state, 0).map_err(&err)?;
        drop(blob);
        tx.commit().map_err(&err)?;
        return Ok(Some((position, state)));
    }
    Ok(None)
}
