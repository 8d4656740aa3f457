//! Test harnesses for each backend: a fresh store plus the raw access (tampering,
//! schema version) that the public API deliberately does not offer.

use digisos_store::{EventLog, MemoryLog, PostgresLog, SchemaName, SqliteLog, StoreError};
use std::sync::Arc;

/// A fresh, empty store of one backend.
pub(crate) trait Backend {
    /// The store under test.
    fn log(&self) -> &dyn EventLog;
    /// Another instance on the same storage (memory: the same one).
    fn instance(&self) -> Arc<dyn EventLog>;
    /// Overwrites one stored payload text behind the store's back.
    fn overwrite_payload(&self, position: u64, text: &str);
    /// Overwrites the event hash recorded with the snapshot at `position`.
    fn overwrite_snapshot_hash(&self, position: u64, hash: &str);
}

/// A backend whose data outlives its instances.
pub(crate) trait Durable: Backend {
    /// Opens a new instance on the same storage (migrating as at start-up).
    fn reopen(&self) -> Result<Box<dyn EventLog>, StoreError>;
    /// Records a schema version as if a newer binary had migrated the database.
    fn record_schema_version(&self, version: u32);
    /// The applied schema versions, in order.
    fn schema_versions(&self) -> Vec<u32>;
    /// Deletes one event with raw SQL; with `bypass_guard` the append-only trigger is
    /// disabled first. Returns the database's error, if any.
    fn raw_delete(&self, position: u64, bypass_guard: bool) -> Result<(), String>;
}

pub(crate) struct Memory(Arc<MemoryLog>);

pub(crate) fn memory() -> Memory {
    Memory(Arc::new(MemoryLog::new()))
}

impl Backend for Memory {
    fn log(&self) -> &dyn EventLog {
        &*self.0
    }
    fn instance(&self) -> Arc<dyn EventLog> {
        self.0.clone()
    }
    fn overwrite_payload(&self, position: u64, text: &str) {
        assert!(self.0.tamper_payload(position, text));
    }
    fn overwrite_snapshot_hash(&self, position: u64, hash: &str) {
        assert!(self.0.tamper_snapshot_hash(position, hash));
    }
}

pub(crate) struct Sqlite {
    dir: tempfile::TempDir,
    log: SqliteLog,
}

pub(crate) fn sqlite() -> Sqlite {
    let dir = tempfile::tempdir().unwrap();
    let log = SqliteLog::open(dir.path().join("events.db")).unwrap();
    Sqlite { dir, log }
}

impl Sqlite {
    fn raw(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.dir.path().join("events.db")).unwrap()
    }
}

impl Backend for Sqlite {
    fn log(&self) -> &dyn EventLog {
        &self.log
    }
    fn instance(&self) -> Arc<dyn EventLog> {
        Arc::new(SqliteLog::open(self.dir.path().join("events.db")).unwrap())
    }
    fn overwrite_payload(&self, position: u64, text: &str) {
        let conn = self.raw();
        // An attacker with file access can drop the append-only guard.
        conn.execute_batch("DROP TRIGGER events_no_update").unwrap();
        let n = conn
            .execute(
                "UPDATE events SET payload = ?1 WHERE position = ?2",
                rusqlite::params![text, position as i64],
            )
            .unwrap();
        assert_eq!(n, 1);
    }
    fn overwrite_snapshot_hash(&self, position: u64, hash: &str) {
        // a SQLite log on disk keeps its snapshots in files next to the database: a
        // line of JSON (the header), then the state
        let path = self
            .dir
            .path()
            .join("events.db-snapshots.d")
            .join(format!("{position:020}.snap"));
        let bytes = std::fs::read(&path).unwrap();
        let end = bytes.iter().position(|b| *b == b'\n').unwrap();
        let mut header: serde_json::Value = serde_json::from_slice(&bytes[..end]).unwrap();
        header["event_hash"] = hash.into();
        let mut out = serde_json::to_vec(&header).unwrap();
        out.extend_from_slice(&bytes[end..]);
        std::fs::write(&path, out).unwrap();
    }
}

impl Durable for Sqlite {
    fn reopen(&self) -> Result<Box<dyn EventLog>, StoreError> {
        Ok(Box::new(SqliteLog::open(
            self.dir.path().join("events.db"),
        )?))
    }
    fn record_schema_version(&self, version: u32) {
        self.raw()
            .execute(
                "INSERT INTO schema_version VALUES (?1, 'from the future', 'later')",
                [version],
            )
            .unwrap();
    }
    fn schema_versions(&self) -> Vec<u32> {
        let conn = self.raw();
        let mut stmt = conn
            .prepare("SELECT version FROM schema_version ORDER BY version")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }
    fn raw_delete(&self, position: u64, bypass_guard: bool) -> Result<(), String> {
        let conn = self.raw();
        if bypass_guard {
            conn.execute_batch("DROP TRIGGER events_no_delete").unwrap();
        }
        conn.execute("DELETE FROM events WHERE position = ?1", [position as i64])
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

pub(crate) struct Postgres {
    url: String,
    schema: SchemaName,
    log: PostgresLog,
}

/// A store in a fresh schema, or `None` (with a note) if no server is configured.
/// Panics if `DIGISOS_REQUIRE_POSTGRES=1` and the server is not configured or not
/// reachable: in CI the PostgreSQL suite must run, not skip.
pub(crate) fn postgres() -> Option<Postgres> {
    let required = std::env::var("DIGISOS_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
    let Ok(url) = std::env::var("DIGISOS_TEST_POSTGRES_URL") else {
        assert!(
            !required,
            "DIGISOS_REQUIRE_POSTGRES=1 but DIGISOS_TEST_POSTGRES_URL is not set"
        );
        eprintln!("note: DIGISOS_TEST_POSTGRES_URL is not set; skipping the PostgreSQL case");
        return None;
    };
    let schema = SchemaName::new(&format!("digisos_test_{:016x}", fastrand::u64(..))).unwrap();
    let log = PostgresLog::connect(&url, schema.clone())
        .unwrap_or_else(|e| panic!("PostgreSQL at DIGISOS_TEST_POSTGRES_URL unusable: {e}"));
    Some(Postgres { url, schema, log })
}

impl Postgres {
    /// The harness's store URL for [`digisos_store::open`], naming its schema.
    pub(crate) fn store_url(&self) -> String {
        let sep = if self.url.contains('?') { '&' } else { '?' };
        format!("{}{sep}schema={}", self.url, self.schema)
    }

    fn raw(&self) -> postgres::Client {
        postgres::Client::connect(&self.url, postgres::NoTls).unwrap()
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let sql = format!("DROP SCHEMA IF EXISTS \"{}\" CASCADE", self.schema);
        if let Err(e) = self.raw().batch_execute(&sql) {
            eprintln!("could not drop test schema {}: {e}", self.schema);
        }
    }
}

impl Backend for Postgres {
    fn log(&self) -> &dyn EventLog {
        &self.log
    }
    fn instance(&self) -> Arc<dyn EventLog> {
        Arc::new(PostgresLog::connect(&self.url, self.schema.clone()).unwrap())
    }
    fn overwrite_payload(&self, position: u64, text: &str) {
        let s = &self.schema;
        let mut raw = self.raw();
        raw.batch_execute(&format!(
            "ALTER TABLE \"{s}\".events DISABLE TRIGGER events_no_change"
        ))
        .unwrap();
        let n = raw
            .execute(
                &format!("UPDATE \"{s}\".events SET payload = $1 WHERE position = $2"),
                &[&text, &(position as i64)],
            )
            .unwrap();
        assert_eq!(n, 1);
    }
    fn overwrite_snapshot_hash(&self, position: u64, hash: &str) {
        let sql = format!(
            "UPDATE \"{}\".snapshots SET event_hash = $1 WHERE position = $2",
            self.schema
        );
        let n = self
            .raw()
            .execute(&sql, &[&hash, &(position as i64)])
            .unwrap();
        assert_eq!(n, 1);
    }
}

impl Durable for Postgres {
    fn reopen(&self) -> Result<Box<dyn EventLog>, StoreError> {
        Ok(Box::new(PostgresLog::connect(
            &self.url,
            self.schema.clone(),
        )?))
    }
    fn record_schema_version(&self, version: u32) {
        let sql = format!(
            "INSERT INTO \"{}\".schema_version VALUES ($1, 'from the future', 'later')",
            self.schema
        );
        self.raw().execute(&sql, &[&(version as i32)]).unwrap();
    }
    fn schema_versions(&self) -> Vec<u32> {
        let sql = format!(
            "SELECT version FROM \"{}\".schema_version ORDER BY version",
            self.schema
        );
        self.raw()
            .query(&sql, &[])
            .unwrap()
            .iter()
            .map(|r| r.get::<_, i32>(0) as u32)
            .collect()
    }
    fn raw_delete(&self, position: u64, bypass_guard: bool) -> Result<(), String> {
        let s = &self.schema;
        let mut raw = self.raw();
        if bypass_guard {
            raw.batch_execute(&format!(
                "ALTER TABLE \"{s}\".events DISABLE TRIGGER events_no_change"
            ))
            .unwrap();
        }
        raw.execute(
            &format!("DELETE FROM \"{s}\".events WHERE position = $1"),
            &[&(position as i64)],
        )
        .map(|_| ())
        .map_err(|e| format!("{e}: {:?}", e.as_db_error().map(|d| d.message())))
    }
}
