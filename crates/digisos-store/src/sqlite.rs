//! [`SqliteLog`]: the embedded default backend — one SQLite file, WAL,
//! `synchronous=FULL`, so an acknowledged append survives a crash or power loss. A writer
//! that pipelines its commits switches to deferred syncs ([`EventLog::defer_sync`]) and
//! acknowledges only after the WAL is fsynced.

use crate::chain::{self, Head, Verifier, VerifyReport};
use crate::durability::{DeferredSync, WalSync};
use crate::error::StoreError;
use crate::event::{ExpectedVersion, NewEvent, StoredEvent};
use crate::log::{EventLog, Tx, TxBody};
use crate::migrate;
use crate::record::{self, Record};
use crate::row::{Row, to_i64, to_u64};
use chrono::{DateTime, Utc};
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

mod checkpoint;
mod snapshot_dir;
mod snapshot_file;
use checkpoint::Checkpointer;

/// How long a writer waits for another connection's write lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(60);
/// Rows fetched per query while verifying.
const PAGE: usize = 10_000;
/// The page cache of a log file's connection, in KiB (SQLite's default is 2 MiB). Every
/// commit looks up and inserts into the `(stream, version)` index, whose inner pages and
/// recent leaves should stay cached. It is not larger because a commit can cost time in
/// proportion to the cache: when a B-tree split reorders its new pages, SQLite parks one
/// on the page number of the lock byte (1 GiB), and at the end of that transaction it
/// drops every cached page above the database's size by walking the whole cache — with
/// 64 MiB (16,384 pages) that walk was 15 % of the writer's time on a log under 1 GiB.
const CACHE_KIB: i64 = 8 * 1024;

/// An event log in one SQLite database file. Several `SqliteLog`s (in one or more
/// processes) may share a file: SQLite's write lock (`BEGIN IMMEDIATE`) serialises
/// writers, readers never block.
#[derive(Debug)]
pub struct SqliteLog {
    conn: Arc<Mutex<Connection>>,
    /// Background WAL checkpoints (files only; declared after `conn`, so it stops after
    /// the writer's connection is closed; it holds that connection only weakly).
    checkpointer: Option<Checkpointer>,
    /// The `-wal` file of a database on disk (`None` in memory).
    wal: Option<PathBuf>,
    /// The database file (`None` in memory): snapshots go to a file next to it.
    path: Option<PathBuf>,
}

impl SqliteLog {
    /// Opens (creating if absent) the database file at `path` and migrates it. Fails if
    /// the file cannot be opened (its directory must exist), is not a SQLite database,
    /// or has a newer schema ([`StoreError::SchemaTooNew`]).
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref();
        let conn = Connection::open(path).map_err(|e| StoreError::Backend {
            context: "opening the sqlite database",
            detail: format!("{}: {e}", path.display()),
        })?;
        let mut log = Self::init(conn, true)?;
        log.checkpointer = Some(Checkpointer::start(path, Arc::downgrade(&log.conn))?);
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        log.wal = Some(PathBuf::from(wal));
        log.path = Some(path.to_owned());
        Ok(log)
    }

    /// A private in-memory SQLite database (gone when dropped), for tests.
    pub fn open_in_memory() -> Result<Self, StoreError> {
        let conn = Connection::open_in_memory()
            .map_err(StoreError::backend("opening an in-memory sqlite database"))?;
        Self::init(conn, false)
    }

    fn init(mut conn: Connection, wal: bool) -> Result<Self, StoreError> {
        let setup = StoreError::backend("configuring the sqlite connection");
        conn.busy_timeout(BUSY_TIMEOUT).map_err(&setup)?;
        // Without the query planner stability guarantee, a statement with `LIMIT ?` is
        // compiled again each time the limit is bound (the planner looks at the value).
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)
            .map_err(&setup)?;
        if wal {
            let mode: String = conn
                .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
                .map_err(&setup)?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(StoreError::Backend {
                    context: "configuring the sqlite connection",
                    detail: format!("journal_mode is `{mode}`, WAL could not be enabled"),
                });
            }
        }
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(&setup)?;
        if wal {
            conn.pragma_update(None, "cache_size", -CACHE_KIB)
                .map_err(&setup)?;
            // the checkpoint thread started by `open` does the regular checkpoints
            conn.pragma_update(None, "wal_autocheckpoint", checkpoint::BACKSTOP_PAGES)
                .map_err(&setup)?;
        }
        migrate_sqlite(&mut conn)?;
        Ok(SqliteLog {
            conn: Arc::new(Mutex::new(conn)),
            checkpointer: None,
            wal: None,
            path: None,
        })
    }

    /// Lets the checkpoint thread know that a commit wrote WAL frames.
    fn committed(&self) {
        if let Some(c) = &self.checkpointer {
            c.nudge();
        }
    }

    /// Writes the snapshot row into the database's own `snapshots` table (in memory; a
    /// file on disk uses the snapshot file), see [`snapshot_file::write_row`].
    fn save_snapshot_in_table(
        &self,
        position: u64,
        format: u32,
        state: &[u8],
    ) -> Result<(), StoreError> {
        let mut conn = self.lock()?;
        let err = StoreError::backend("writing a snapshot to sqlite");
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&err)?;
        let hash: Option<String> = tx
            .query_row(
                "SELECT hash FROM events WHERE position = ?1",
                [to_i64(position)?],
                |r| r.get(0),
            )
            .optional()
            .map_err(&err)?;
        let Some(hash) = hash else {
            let last = head(&tx)?.position;
            return Err(StoreError::NoSuchPosition { position, last });
        };
        snapshot_file::write_row(&tx, position, &hash, format, state)?;
        tx.commit().map_err(&err)
    }

    /// Finds the snapshot and reads its blob straight into one buffer of its size (SQLite's
    /// incremental blob I/O: no second copy of the state), in one read transaction.
    /// Only one newer than `newer_than` is read (`None`: any).
    fn load_snapshot_in_table(
        &self,
        format: u32,
        newer_than: Option<u64>,
    ) -> Result<Option<(u64, Vec<u8>)>, StoreError> {
        let mut conn = self.lock()?;
        let err = StoreError::backend("reading a snapshot from sqlite");
        let tx = conn.transaction().map_err(&err)?;
        let found: Option<(i64, i64)> = tx
            .query_row(
                "SELECT s.position, length(s.state) FROM snapshots s
                 JOIN events e ON e.position = s.position AND e.hash = s.event_hash
                 WHERE s.format = ?1 ORDER BY s.position DESC LIMIT 1",
                [format],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(&err)?;
        let Some((pos, size)) = found else {
            return Ok(None);
        };
        if newer_than.is_some_and(|n| u64::try_from(pos).is_ok_and(|p| p <= n)) {
            return Ok(None);
        }
        let mut state = vec![0u8; usize::try_from(size).unwrap_or(0)];
        {
            let blob = tx
                .blob_open(c"main", c"snapshots", c"state", pos, true)
                .map_err(&err)?;
            blob.read_at_exact(&mut state, 0).map_err(&err)?;
        }
        tx.commit().map_err(&err)?;
        Ok(Some((to_u64(pos, pos, "position")?, state)))
    }

    fn lock(&self) -> Result<MutexGuard<'_, Connection>, StoreError> {
        self.conn.lock().map_err(|_| StoreError::Backend {
            context: "locking the sqlite connection",
            detail: "a writer panicked while holding the connection".to_owned(),
        })
    }
}

fn migrate_sqlite(conn: &mut Connection) -> Result<(), StoreError> {
    let err = StoreError::backend("migrating the sqlite schema");
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(&err)?;
    tx.execute_batch(migrate::VERSION_TABLE).map_err(&err)?;
    let found: u32 = tx
        .query_row(
            "SELECT COALESCE(MAX(version), 0) FROM schema_version",
            [],
            |r| r.get(0),
        )
        .map_err(&err)?;
    for m in migrate::pending(found)? {
        tx.execute_batch(m.sqlite).map_err(&err)?;
        tx.execute(
            "INSERT INTO schema_version (version, description, applied_at)
             VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
            params![m.version, m.description],
        )
        .map_err(&err)?;
    }
    tx.commit().map_err(&err)
}

const COLUMNS: &str = "position, stream, version, kind, actor, at, payload, prev_hash, hash";

fn row_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, String, i64, [String; 6])> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        [
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
            r.get(6)?,
            r.get(7)?,
            r.get(8)?,
        ],
    ))
}

fn into_row(
    (pos, stream, version, texts): (i64, String, i64, [String; 6]),
) -> Result<Row, StoreError> {
    let [kind, actor, at, payload, prev_hash, hash] = texts;
    Ok(Row {
        position: to_u64(pos, pos, "position")?,
        stream,
        version: to_u64(version, pos, "version")?,
        kind,
        actor,
        at,
        payload,
        prev_hash,
        hash,
    })
}

fn query_rows(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<Row>, StoreError> {
    let err = StoreError::backend("reading events from sqlite");
    let mut stmt = conn.prepare_cached(sql).map_err(&err)?;
    let raw = stmt
        .query_map(params, row_from)
        .map_err(&err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(&err)?;
    raw.into_iter().map(into_row).collect()
}

fn read_rows(conn: &Connection, from_position: u64, limit: usize) -> Result<Vec<Row>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    query_rows(
        conn,
        &format!("SELECT {COLUMNS} FROM events WHERE position >= ?1 ORDER BY position LIMIT ?2"),
        params![to_i64(from_position.max(1))?, limit],
    )
}

fn read_all(conn: &Connection, from: u64, limit: usize) -> Result<Vec<StoredEvent>, StoreError> {
    read_rows(conn, from, limit)?
        .into_iter()
        .map(Row::decode)
        .collect()
}

fn read_stream(conn: &Connection, stream: &str, from: u64) -> Result<Vec<StoredEvent>, StoreError> {
    let rows = query_rows(
        conn,
        &format!(
            "SELECT {COLUMNS} FROM events WHERE stream = ?1 AND version >= ?2 ORDER BY version"
        ),
        params![stream, to_i64(from.max(1))?],
    )?;
    rows.into_iter().map(Row::decode).collect()
}

fn stream_version(conn: &Connection, stream: &str) -> Result<u64, StoreError> {
    let v: i64 = conn
        .prepare_cached("SELECT COALESCE(MAX(version), 0) FROM events WHERE stream = ?1")
        .and_then(|mut s| s.query_row([stream], |r| r.get(0)))
        .map_err(StoreError::backend("reading a stream version from sqlite"))?;
    to_u64(v, 0, "version")
}

fn head(conn: &Connection) -> Result<Head, StoreError> {
    let last: Option<(i64, String)> = conn
        .prepare_cached("SELECT position, hash FROM events ORDER BY position DESC LIMIT 1")
        .and_then(|mut s| s.query_row([], |r| Ok((r.get(0)?, r.get(1)?))).optional())
        .map_err(StoreError::backend("reading the log head from sqlite"))?;
    match last {
        None => Ok(Head::EMPTY),
        Some((pos, hash)) => Head::parse(to_u64(pos, pos, "position")?, &hash),
    }
}

/// Rows per `INSERT` statement, largest first: a batch's events go in as few statements
/// as these sizes allow (a 110-event batch: three of 32, one of 8, six of 1). One
/// statement per row opened the table's and the index's cursors again for every event
/// and sought the table's end from its root; a multi-row statement keeps them open.
const INSERT_ROWS: [usize; 3] = [32, 8, 1];

/// The `INSERT`s of [`INSERT_ROWS`] events each (positional parameters, nine per row),
/// written once.
static INSERT_SQL: LazyLock<[String; 3]> = LazyLock::new(|| INSERT_ROWS.map(insert_sql));

/// The `INSERT` of `rows` events.
fn insert_sql(rows: usize) -> String {
    let row = "(?, ?, ?, ?, ?, ?, ?, ?, ?)";
    let mut sql = format!("INSERT INTO events ({COLUMNS}) VALUES {row}");
    for _ in 1..rows {
        sql.push_str(", ");
        sql.push_str(row);
    }
    sql
}

/// Seals and inserts `events` inside the caller's write transaction.
fn append_in(
    conn: &Connection,
    expected: &[(&str, ExpectedVersion)],
    events: Vec<NewEvent>,
) -> Result<Vec<StoredEvent>, StoreError> {
    let sealed = chain::seal(head(conn)?, expected, events, |s| stream_version(conn, s))?;
    let err = StoreError::backend("inserting events into sqlite");
    let mut rest = &sealed[..];
    for (rows, sql) in INSERT_ROWS.into_iter().zip(INSERT_SQL.iter()) {
        if rest.len() < rows {
            continue;
        }
        let mut stmt = conn.prepare_cached(sql).map_err(&err)?;
        while rest.len() >= rows {
            let (now, later) = rest.split_at(rows);
            for (i, s) in now.iter().enumerate() {
                let (e, at) = (&s.event, i * 9);
                let (position, version) = (to_i64(e.position)?, to_i64(e.version)?);
                stmt.raw_bind_parameter(at + 1, position)
                    .and_then(|()| stmt.raw_bind_parameter(at + 2, e.stream.as_str()))
                    .and_then(|()| stmt.raw_bind_parameter(at + 3, version))
                    .and_then(|()| stmt.raw_bind_parameter(at + 4, e.kind.as_str()))
                    .and_then(|()| stmt.raw_bind_parameter(at + 5, e.actor.as_str()))
                    .and_then(|()| stmt.raw_bind_parameter(at + 6, s.at.as_str()))
                    .and_then(|()| stmt.raw_bind_parameter(at + 7, e.payload.as_str()))
                    .and_then(|()| stmt.raw_bind_parameter(at + 8, s.prev_hash.as_str()))
                    .and_then(|()| stmt.raw_bind_parameter(at + 9, s.hash.as_str()))
                    .map_err(&err)?;
            }
            stmt.raw_execute().map_err(&err)?;
            rest = later;
        }
    }
    Ok(sealed.into_iter().map(|s| s.event).collect())
}

/// Writes `records` (the last per key) inside the caller's write transaction.
fn put_records_in(conn: &Connection, records: Vec<Record>) -> Result<(), StoreError> {
    records.iter().try_for_each(record::check)?;
    let err = StoreError::backend("writing records to sqlite");
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO records (namespace, key, value, written_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value,
                 written_at = excluded.written_at",
        )
        .map_err(&err)?;
    for r in record::last_per_key(records) {
        stmt.execute(params![
            r.namespace,
            r.key,
            r.value,
            record::to_secs(r.written_at)
        ])
        .map_err(&err)?;
    }
    Ok(())
}

impl EventLog for SqliteLog {
    fn append(
        &self,
        expected: &[(&str, ExpectedVersion)],
        events: Vec<NewEvent>,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let mut conn = self.lock()?;
        let err = StoreError::backend("committing an append to sqlite");
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&err)?;
        let stored = append_in(&tx, expected, events)?;
        tx.commit().map_err(&err)?;
        self.committed();
        Ok(stored)
    }

    fn read_all(&self, from_position: u64, limit: usize) -> Result<Vec<StoredEvent>, StoreError> {
        read_all(&*self.lock()?, from_position, limit)
    }

    fn read_payloads(
        &self,
        from_position: u64,
        limit: usize,
    ) -> Result<Vec<(u64, String)>, StoreError> {
        let conn = self.lock()?;
        let err = StoreError::backend("reading payloads from sqlite");
        let mut stmt = conn
            .prepare_cached(
                "SELECT position, payload FROM events WHERE position >= ?1 ORDER BY position LIMIT ?2",
            )
            .map_err(&err)?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt
            .query_map(params![to_i64(from_position.max(1))?, limit], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(&err)?;
        rows.map(|r| {
            let (pos, payload) = r.map_err(&err)?;
            Ok((to_u64(pos, pos, "position")?, payload))
        })
        .collect()
    }

    /// Reads each payload as SQLite's own text of the row (no `String` per event).
    fn for_each_payload(
        &self,
        from_position: u64,
        limit: usize,
        each: &mut dyn FnMut(u64, &str) -> Result<(), StoreError>,
    ) -> Result<usize, StoreError> {
        let conn = self.lock()?;
        let err = StoreError::backend("reading payloads from sqlite");
        let mut stmt = conn
            .prepare_cached(
                "SELECT position, payload FROM events WHERE position >= ?1 ORDER BY position LIMIT ?2",
            )
            .map_err(&err)?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut rows = stmt
            .query(params![to_i64(from_position.max(1))?, limit])
            .map_err(&err)?;
        let mut count = 0;
        while let Some(row) = rows.next().map_err(&err)? {
            let pos: i64 = row.get(0).map_err(&err)?;
            let payload = row
                .get_ref(1)
                .and_then(|v| v.as_str().map_err(rusqlite::Error::from))
                .map_err(&err)?;
            each(to_u64(pos, pos, "position")?, payload)?;
            count += 1;
        }
        Ok(count)
    }

    fn read_stream(&self, stream: &str, from_version: u64) -> Result<Vec<StoredEvent>, StoreError> {
        read_stream(&*self.lock()?, stream, from_version)
    }

    fn stream_version(&self, stream: &str) -> Result<u64, StoreError> {
        stream_version(&*self.lock()?, stream)
    }

    fn last_position(&self) -> Result<u64, StoreError> {
        Ok(head(&*self.lock()?)?.position)
    }

    fn verify(&self) -> Result<VerifyReport, StoreError> {
        let conn = self.lock()?;
        let mut verifier = Verifier::default();
        let mut from = 1;
        loop {
            let rows = read_rows(&conn, from, PAGE)?;
            let Some(last) = rows.last().map(|r| r.position) else {
                break;
            };
            if !rows.into_iter().all(|r| verifier.push(r)) {
                break;
            }
            from = last + 1;
        }
        verifier.finish()
    }

    /// On disk: into a file of the snapshot directory next to the database (see
    /// `snapshot_dir`), so the log's write lock is never held for it; in memory: into
    /// the `snapshots` table.
    fn save_snapshot(&self, position: u64, format: u32, state: &[u8]) -> Result<(), StoreError> {
        let Some(database) = &self.path else {
            return self.save_snapshot_in_table(position, format, state);
        };
        if snapshot_dir::save(database, position, format, state)? {
            Ok(())
        } else {
            let last = self.last_position()?;
            Err(StoreError::NoSuchPosition { position, last })
        }
    }

    /// The newest usable snapshot of the snapshot directory, the snapshot file that
    /// earlier binaries wrote (`snapshot_file`) and the `snapshots` table.
    fn load_snapshot(&self, format: u32) -> Result<Option<(u64, Vec<u8>)>, StoreError> {
        let mut best = match &self.path {
            Some(database) => snapshot_dir::load(database, format)?,
            None => None,
        };
        if let Some(database) = &self.path {
            let legacy = snapshot_file::load(database, format, best.as_ref().map(|s| s.0))?;
            best = newer(best, legacy);
        }
        let in_table = self.load_snapshot_in_table(format, best.as_ref().map(|s| s.0))?;
        Ok(newer(best, in_table))
    }

    /// Sets `synchronous=NORMAL` on the writer's connection: a commit writes its WAL
    /// frames without waiting for the disk, and [`WalSync`] fsyncs the WAL afterwards.
    fn defer_sync(&self) -> Result<Option<Arc<dyn DeferredSync>>, StoreError> {
        let Some(wal) = &self.wal else {
            return Ok(None);
        };
        self.lock()?
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(StoreError::backend("deferring sqlite syncs"))?;
        Ok(Some(Arc::new(WalSync { wal: wal.clone() })))
    }

    fn put_records(&self, records: Vec<Record>) -> Result<(), StoreError> {
        if records.is_empty() {
            return Ok(());
        }
        let mut conn = self.lock()?;
        let err = StoreError::backend("writing records to sqlite");
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&err)?;
        put_records_in(&tx, records)?;
        tx.commit().map_err(&err)?;
        drop(conn);
        self.committed();
        Ok(())
    }

    fn load_records(
        &self,
        namespace: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<Record>, StoreError> {
        let conn = self.lock()?;
        let err = StoreError::backend("reading records from sqlite");
        let mut stmt = conn
            .prepare_cached(
                "SELECT key, value, written_at FROM records
                 WHERE namespace = ?1 AND written_at >= ?2",
            )
            .map_err(&err)?;
        let rows = stmt
            .query_map(params![namespace, record::to_secs(since)], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Vec<u8>>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })
            .map_err(&err)?;
        rows.map(|row| {
            let (key, value, at) = row.map_err(&err)?;
            Ok(Record::new(namespace, key, value, record::from_secs(at)?))
        })
        .collect()
    }

    fn prune_records(&self, namespace: &str, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let conn = self.lock()?;
        let deleted = conn
            .execute(
                "DELETE FROM records WHERE namespace = ?1 AND written_at < ?2",
                params![namespace, record::to_secs(before)],
            )
            .map_err(StoreError::backend("pruning records in sqlite"))?;
        drop(conn);
        self.committed();
        Ok(deleted as u64)
    }

    fn transact_dyn(
        &self,
        _lock_key: &str,
        body: &mut TxBody<'_>,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        // BEGIN IMMEDIATE takes SQLite's single write lock: it serialises every writer on
        // the file, so it also holds every lock key.
        let mut conn = self.lock()?;
        let err = StoreError::backend("running a sqlite transaction");
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&err)?;
        let mut view = SqliteTx {
            conn: &tx,
            expected: Vec::new(),
            records: Vec::new(),
        };
        // On error `tx` is dropped, which rolls back.
        let events = body(&mut view)?;
        let (expected, records) = (view.expected, view.records);
        let stored = append_in(&tx, &chain::borrow(&expected), events)?;
        put_records_in(&tx, records)?;
        tx.commit().map_err(&err)?;
        drop(conn);
        self.committed();
        Ok(stored)
    }
}

struct SqliteTx<'a> {
    conn: &'a Connection,
    expected: Vec<(String, ExpectedVersion)>,
    records: Vec<Record>,
}

impl Tx for SqliteTx<'_> {
    fn read_all(
        &mut self,
        from_position: u64,
        limit: usize,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        read_all(self.conn, from_position, limit)
    }

    fn read_stream(
        &mut self,
        stream: &str,
        from_version: u64,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        read_stream(self.conn, stream, from_version)
    }

    fn stream_version(&mut self, stream: &str) -> Result<u64, StoreError> {
        stream_version(self.conn, stream)
    }

    fn last_position(&mut self) -> Result<u64, StoreError> {
        Ok(head(self.conn)?.position)
    }

    fn expect(&mut self, stream: &str, expected: ExpectedVersion) {
        self.expected.push((stream.to_owned(), expected));
    }

    fn put_record(&mut self, namespace: &str, key: &str, value: &[u8], written_at: DateTime<Utc>) {
        self.records
            .push(Record::new(namespace, key, value.to_vec(), written_at));
    }
}

/// The snapshot at the later position of the two.
fn newer(a: Option<(u64, Vec<u8>)>, b: Option<(u64, Vec<u8>)>) -> Option<(u64, Vec<u8>)> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if b.0 > a.0 { b } else { a }),
        (a, b) => a.or(b),
    }
}
