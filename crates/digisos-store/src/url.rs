//! Store URLs (`memory:`, `sqlite::memory:`, `sqlite://PATH`, `postgres://...`) and
//! [`open`], which picks the backend.

use crate::error::StoreError;
use crate::log::EventLog;
use crate::memory::MemoryLog;
use crate::postgres::PostgresLog;
use crate::sqlite::SqliteLog;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

/// The PostgreSQL schema used when the URL names none.
pub const DEFAULT_SCHEMA: &str = "digisos";

/// Where the event log lives, parsed from a store URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreUrl {
    /// `memory:` — [`MemoryLog`].
    Memory,
    /// `sqlite::memory:` — a private in-memory SQLite database.
    SqliteMemory,
    /// `sqlite://PATH` — a SQLite file (`sqlite:///abs/path` or `sqlite://rel/path`).
    Sqlite(PathBuf),
    /// `postgres://...` or `postgresql://...`, with an optional `schema=NAME` query
    /// parameter (default [`DEFAULT_SCHEMA`]) that is removed before connecting.
    Postgres {
        /// The connection URL without the `schema` parameter.
        conn: String,
        /// The schema holding the tables.
        schema: SchemaName,
    },
}

impl FromStr for StoreUrl {
    type Err = StoreError;

    /// Parses a store URL; fails with [`StoreError::InvalidUrl`] on an unknown scheme, an
    /// empty SQLite path or an invalid schema name.
    fn from_str(url: &str) -> Result<Self, Self::Err> {
        let invalid = |reason: &str| StoreError::InvalidUrl {
            url: url.to_owned(),
            reason: reason.to_owned(),
        };
        if url == "memory:" {
            return Ok(StoreUrl::Memory);
        }
        if url == "sqlite::memory:" {
            return Ok(StoreUrl::SqliteMemory);
        }
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(invalid("the sqlite path is empty"));
            }
            return Ok(StoreUrl::Sqlite(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return parse_postgres(url).map_err(|reason| invalid(&reason));
        }
        Err(invalid("unknown scheme"))
    }
}

fn parse_postgres(url: &str) -> Result<StoreUrl, String> {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut schema = None;
    let mut rest = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.strip_prefix("schema=") {
            Some(name) => schema = Some(SchemaName::new(name).map_err(|e| e.to_string())?),
            None => rest.push(pair),
        }
    }
    let conn = if rest.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", rest.join("&"))
    };
    let schema = match schema {
        Some(s) => s,
        None => SchemaName::new(DEFAULT_SCHEMA).map_err(|e| e.to_string())?,
    };
    Ok(StoreUrl::Postgres { conn, schema })
}

/// Opens the event log a store URL names, creating and migrating it if needed.
///
/// Fails with [`StoreError::InvalidUrl`] on a malformed URL and otherwise as the
/// backend's constructor does (unreachable server, unopenable file,
/// [`StoreError::SchemaTooNew`]).
pub fn open(url: &str) -> Result<Box<dyn EventLog>, StoreError> {
    Ok(match url.parse::<StoreUrl>()? {
        StoreUrl::Memory => Box::new(MemoryLog::new()),
        StoreUrl::SqliteMemory => Box::new(SqliteLog::open_in_memory()?),
        StoreUrl::Sqlite(path) => Box::new(SqliteLog::open(path)?),
        StoreUrl::Postgres { conn, schema } => Box::new(PostgresLog::connect(&conn, schema)?),
    })
}

/// A PostgreSQL schema name: 1 to 63 characters of `a-z`, `0-9`, `_`, not starting with
/// a digit (so it never needs escaping and cannot inject SQL).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SchemaName(String);

/// Why a text is not a [`SchemaName`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid schema name `{0}`: use 1-63 characters a-z, 0-9, _ not starting with a digit")]
pub struct SchemaNameError(String);

impl SchemaName {
    /// Validates `name`; fails if it is empty, too long or has other characters.
    pub fn new(name: &str) -> Result<Self, SchemaNameError> {
        let ok = (1..=63).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            && !name.as_bytes()[0].is_ascii_digit();
        if ok {
            Ok(SchemaName(name.to_owned()))
        } else {
            Err(SchemaNameError(name.to_owned()))
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SchemaName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(s: &str) -> SchemaName {
        SchemaName::new(s).unwrap()
    }

    #[test]
    fn parses_every_scheme() {
        let table = [
            ("memory:", StoreUrl::Memory),
            ("sqlite::memory:", StoreUrl::SqliteMemory),
            (
                "sqlite:///var/lib/digisos/log.db",
                StoreUrl::Sqlite("/var/lib/digisos/log.db".into()),
            ),
            (
                "sqlite://data/log.db",
                StoreUrl::Sqlite("data/log.db".into()),
            ),
            (
                "postgres://postgres@127.0.0.1:5432/test",
                StoreUrl::Postgres {
                    conn: "postgres://postgres@127.0.0.1:5432/test".into(),
                    schema: schema(DEFAULT_SCHEMA),
                },
            ),
            (
                "postgresql://u@h/db?sslmode=disable&schema=digisos_test_1&connect_timeout=5",
                StoreUrl::Postgres {
                    conn: "postgresql://u@h/db?sslmode=disable&connect_timeout=5".into(),
                    schema: schema("digisos_test_1"),
                },
            ),
        ];
        for (url, want) in table {
            assert_eq!(url.parse::<StoreUrl>().unwrap(), want, "{url}");
        }
    }

    #[test]
    fn rejects_bad_urls() {
        for url in [
            "",
            "sqlite://",
            "mysql://x",
            "memory",
            "postgres://h/db?schema=Bad-Name",
            "postgres://h/db?schema=1x",
        ] {
            assert!(
                matches!(url.parse::<StoreUrl>(), Err(StoreError::InvalidUrl { .. })),
                "{url}"
            );
        }
    }

    #[test]
    fn schema_names() {
        assert!(SchemaName::new("digisos_test_abc123").is_ok());
        assert!(SchemaName::new(&"a".repeat(63)).is_ok());
        for bad in ["", "A", "a-b", "a\"b", "9a", &"a".repeat(64)] {
            assert!(SchemaName::new(bad).is_err(), "{bad}");
        }
    }
}
