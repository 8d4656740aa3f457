//! Versioned schema migrations, applied at open by the SQL backends.
//!
//! Each migration exists once per dialect. The database records applied versions in a
//! `schema_version` table; a database with a version newer than [`SCHEMA_VERSION`] is
//! refused with [`StoreError::SchemaTooNew`] (it was written by a newer binary whose
//! invariants this one cannot uphold). Never edit a released migration: append one.

use crate::error::StoreError;

/// One schema change.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Migration {
    /// 1-based, consecutive.
    pub(crate) version: u32,
    /// What it does (stored in `schema_version`).
    pub(crate) description: &'static str,
    /// The SQLite statements.
    pub(crate) sqlite: &'static str,
    /// The PostgreSQL statements (run with `search_path` set to the store's schema).
    pub(crate) postgres: &'static str,
}

/// All migrations, oldest first.
pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        description: "append-only hash-chained events table",
        sqlite: "
        CREATE TABLE events (
            position  INTEGER PRIMARY KEY CHECK (position > 0),
            stream    TEXT    NOT NULL CHECK (stream <> ''),
            version   INTEGER NOT NULL CHECK (version > 0),
            kind      TEXT    NOT NULL,
            actor     TEXT    NOT NULL,
            at        TEXT    NOT NULL,
            payload   TEXT    NOT NULL,
            prev_hash TEXT    NOT NULL,
            hash      TEXT    NOT NULL,
            UNIQUE (stream, version)
        );
        CREATE TRIGGER events_no_update BEFORE UPDATE ON events
            BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
        CREATE TRIGGER events_no_delete BEFORE DELETE ON events
            BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
    ",
        postgres: "
        CREATE TABLE events (
            position  BIGINT PRIMARY KEY CHECK (position > 0),
            stream    TEXT   NOT NULL CHECK (stream <> ''),
            version   BIGINT NOT NULL CHECK (version > 0),
            kind      TEXT   NOT NULL,
            actor     TEXT   NOT NULL,
            at        TEXT   NOT NULL,
            payload   TEXT   NOT NULL,
            prev_hash TEXT   NOT NULL,
            hash      TEXT   NOT NULL,
            UNIQUE (stream, version)
        );
        CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'events are append-only'; END $$;
        CREATE TRIGGER events_no_change BEFORE UPDATE OR DELETE ON events
            FOR EACH ROW EXECUTE FUNCTION events_append_only();
        CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
            FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();
    ",
    },
    Migration {
        version: 2,
        description: "snapshots of the folded state, keyed by position, with the event's hash",
        sqlite: "
        CREATE TABLE snapshots (
            position   INTEGER PRIMARY KEY CHECK (position > 0),
            event_hash TEXT    NOT NULL,
            format     INTEGER NOT NULL,
            taken_at   TEXT    NOT NULL,
            state      TEXT    NOT NULL
        );
    ",
        postgres: "
        CREATE TABLE snapshots (
            position   BIGINT  PRIMARY KEY CHECK (position > 0),
            event_hash TEXT    NOT NULL,
            format     INTEGER NOT NULL,
            taken_at   TEXT    NOT NULL,
            state      TEXT    NOT NULL
        );
    ",
    },
    Migration {
        version: 3,
        description: "snapshot states are bytes (binary snapshot encoding)",
        // SQLite cannot change a column's type: rebuild the table, keeping its rows (an
        // older format's snapshot stays, as bytes, and is never chosen for this format).
        sqlite: "
        CREATE TABLE snapshots_v3 (
            position   INTEGER PRIMARY KEY CHECK (position > 0),
            event_hash TEXT    NOT NULL,
            format     INTEGER NOT NULL,
            taken_at   TEXT    NOT NULL,
            state      BLOB    NOT NULL
        );
        INSERT INTO snapshots_v3 (position, event_hash, format, taken_at, state)
            SELECT position, event_hash, format, taken_at, CAST(state AS BLOB) FROM snapshots;
        DROP TABLE snapshots;
        ALTER TABLE snapshots_v3 RENAME TO snapshots;
    ",
        postgres: "
        ALTER TABLE snapshots ALTER COLUMN state TYPE BYTEA USING convert_to(state, 'UTF8');
    ",
    },
    Migration {
        version: 4,
        description: "keyed side records (idempotency keys), written with the events",
        sqlite: "
        CREATE TABLE records (
            namespace  TEXT    NOT NULL CHECK (namespace <> ''),
            key        TEXT    NOT NULL CHECK (key <> ''),
            value      BLOB    NOT NULL,
            written_at INTEGER NOT NULL,
            PRIMARY KEY (namespace, key)
        );
        CREATE INDEX records_by_age ON records (namespace, written_at);
    ",
        postgres: "
        CREATE TABLE records (
            namespace  TEXT   NOT NULL CHECK (namespace <> ''),
            key        TEXT   NOT NULL CHECK (key <> ''),
            value      BYTEA  NOT NULL,
            written_at BIGINT NOT NULL,
            PRIMARY KEY (namespace, key)
        );
        CREATE INDEX records_by_age ON records (namespace, written_at);
    ",
    },
];

/// The newest schema version this binary knows.
pub const SCHEMA_VERSION: u32 = 4;

/// How many snapshots a store keeps (the newest ones); older ones are deleted when a new
/// one is written. Snapshots are a cache of the log, never part of the audit trail.
pub(crate) const SNAPSHOTS_KEPT: u32 = 2;

/// The table both dialects keep their applied versions in (same DDL works in both).
pub(crate) const VERSION_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_version (
    version     INTEGER PRIMARY KEY,
    description TEXT NOT NULL,
    applied_at  TEXT NOT NULL
)";

/// The migrations to apply to a database at schema version `found` (0 = fresh); fails
/// with [`StoreError::SchemaTooNew`] if `found` is newer than [`SCHEMA_VERSION`].
pub(crate) fn pending(found: u32) -> Result<&'static [Migration], StoreError> {
    if found > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            found,
            known: SCHEMA_VERSION,
        });
    }
    let start = MIGRATIONS
        .iter()
        .position(|m| m.version > found)
        .unwrap_or(MIGRATIONS.len());
    Ok(&MIGRATIONS[start..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_consecutive_and_end_at_schema_version() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version as usize, i + 1);
        }
        assert_eq!(MIGRATIONS.last().map(|m| m.version), Some(SCHEMA_VERSION));
    }

    #[test]
    fn pending_migrations_by_found_version() {
        assert_eq!(pending(0).unwrap().len(), MIGRATIONS.len());
        assert!(pending(SCHEMA_VERSION).unwrap().is_empty());
        assert!(matches!(
            pending(SCHEMA_VERSION + 1),
            Err(StoreError::SchemaTooNew { found, known }) if found == SCHEMA_VERSION + 1 && known == SCHEMA_VERSION
        ));
    }
}
