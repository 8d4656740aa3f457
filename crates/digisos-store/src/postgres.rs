//! [`PostgresLog`]: the backend for several `digisos serve` instances sharing one
//! PostgreSQL database; advisory locks serialise writers across processes.

use crate::chain::{self, Head, Verifier, VerifyReport};
use crate::error::StoreError;
use crate::event::{ExpectedVersion, NewEvent, StoredEvent};
use crate::log::{EventLog, Tx, TxBody};
use crate::migrate;
use crate::record::{self, Record};
use crate::row::{Row, to_i64, to_u64};
use crate::url::SchemaName;
use chrono::{DateTime, Utc};
use postgres::{Client, GenericClient, NoTls};
use sha2::{Digest, Sha256};
use std::sync::{Mutex, MutexGuard};

/// Rows fetched per query while verifying.
const PAGE: usize = 10_000;

/// An event log in one schema of a PostgreSQL database, over one connection.
///
/// Every append takes a transaction-scoped advisory lock on the log head (appends are
/// chained, so they are serialised per schema); [`crate::EventLogExt::transact`] first
/// takes a lock derived from its key, so two processes can never decide on the same
/// key concurrently.
pub struct PostgresLog {
    client: Mutex<Client>,
    schema: SchemaName,
}

impl std::fmt::Debug for PostgresLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresLog")
            .field("schema", &self.schema)
            .finish_non_exhaustive()
    }
}

impl PostgresLog {
    /// Connects with a libpq-style URL or key/value string (without the `schema`
    /// parameter), creates `schema` if needed and migrates it. Fails if the server is
    /// unreachable, the credentials are refused, or the schema is newer than this binary
    /// ([`StoreError::SchemaTooNew`]).
    pub fn connect(conn: &str, schema: SchemaName) -> Result<Self, StoreError> {
        let mut client = Client::connect(conn, NoTls)
            .map_err(StoreError::backend("connecting to postgresql"))?;
        migrate_pg(&mut client, &schema)?;
        client
            .batch_execute(&format!("SET search_path TO \"{}\"", schema.as_str()))
            .map_err(StoreError::backend("selecting the postgresql schema"))?;
        Ok(PostgresLog {
            client: Mutex::new(client),
            schema,
        })
    }

    /// The schema the events live in.
    pub fn schema(&self) -> &SchemaName {
        &self.schema
    }

    fn lock(&self) -> Result<MutexGuard<'_, Client>, StoreError> {
        self.client.lock().map_err(|_| StoreError::Backend {
            context: "locking the postgresql connection",
            detail: "a writer panicked while holding the connection".to_owned(),
        })
    }
}

/// A 64-bit advisory lock key for `name` in `namespace`, scoped to the schema (so test
/// schemas never contend). Collisions only cost concurrency, never correctness.
fn advisory_key(schema: &SchemaName, namespace: &str, name: &str) -> i64 {
    let mut h = Sha256::new();
    for part in [schema.as_str(), namespace, name] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    let digest: [u8; 32] = h.finalize().into();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

fn advisory_lock(c: &mut impl GenericClient, key: i64) -> Result<(), StoreError> {
    c.execute("SELECT pg_advisory_xact_lock($1)", &[&key])
        .map(|_| ())
        .map_err(StoreError::backend("taking a postgresql advisory lock"))
}

fn migrate_pg(client: &mut Client, schema: &SchemaName) -> Result<(), StoreError> {
    let err = StoreError::backend("migrating the postgresql schema");
    let mut tx = client.transaction().map_err(&err)?;
    advisory_lock(&mut tx, advisory_key(schema, "migrate", ""))?;
    let s = schema.as_str();
    tx.batch_execute(&format!(
        "CREATE SCHEMA IF NOT EXISTS \"{s}\"; SET LOCAL search_path TO \"{s}\"; {}",
        migrate::VERSION_TABLE
    ))
    .map_err(&err)?;
    let found: i32 = tx
        .query_one("SELECT COALESCE(MAX(version), 0) FROM schema_version", &[])
        .map_err(&err)?
        .get(0);
    for m in migrate::pending(u32::try_from(found).unwrap_or(0))? {
        tx.batch_execute(m.postgres).map_err(&err)?;
        let version = i32::try_from(m.version).unwrap_or(i32::MAX);
        tx.execute(
            "INSERT INTO schema_version (version, description, applied_at)
             VALUES ($1, $2, now()::text)",
            &[&version, &m.description],
        )
        .map_err(&err)?;
    }
    tx.commit().map_err(&err)
}

const COLUMNS: &str = "position, stream, version, kind, actor, at, payload, prev_hash, hash";

fn into_row(r: &postgres::Row) -> Result<Row, StoreError> {
    let err = StoreError::backend("decoding a postgresql row");
    let pos: i64 = r.try_get(0).map_err(&err)?;
    let version: i64 = r.try_get(2).map_err(&err)?;
    Ok(Row {
        position: to_u64(pos, pos, "position")?,
        stream: r.try_get(1).map_err(&err)?,
        version: to_u64(version, pos, "version")?,
        kind: r.try_get(3).map_err(&err)?,
        actor: r.try_get(4).map_err(&err)?,
        at: r.try_get(5).map_err(&err)?,
        payload: r.try_get(6).map_err(&err)?,
        prev_hash: r.try_get(7).map_err(&err)?,
        hash: r.try_get(8).map_err(&err)?,
    })
}

fn read_rows(c: &mut impl GenericClient, from: u64, limit: usize) -> Result<Vec<Row>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    c.query(
        &format!("SELECT {COLUMNS} FROM events WHERE position >= $1 ORDER BY position LIMIT $2"),
        &[&to_i64(from.max(1))?, &limit],
    )
    .map_err(StoreError::backend("reading events from postgresql"))?
    .iter()
    .map(into_row)
    .collect()
}

fn read_all(
    c: &mut impl GenericClient,
    from: u64,
    limit: usize,
) -> Result<Vec<StoredEvent>, StoreError> {
    read_rows(c, from, limit)?
        .into_iter()
        .map(Row::decode)
        .collect()
}

fn read_stream(
    c: &mut impl GenericClient,
    stream: &str,
    from: u64,
) -> Result<Vec<StoredEvent>, StoreError> {
    c.query(
        &format!(
            "SELECT {COLUMNS} FROM events WHERE stream = $1 AND version >= $2 ORDER BY version"
        ),
        &[&stream, &to_i64(from.max(1))?],
    )
    .map_err(StoreError::backend("reading a stream from postgresql"))?
    .iter()
    .map(|r| into_row(r).and_then(Row::decode))
    .collect()
}

fn stream_version(c: &mut impl GenericClient, stream: &str) -> Result<u64, StoreError> {
    let v: i64 = c
        .query_one(
            "SELECT COALESCE(MAX(version), 0)::bigint FROM events WHERE stream = $1",
            &[&stream],
        )
        .map_err(StoreError::backend(
            "reading a stream version from postgresql",
        ))?
        .get(0);
    to_u64(v, 0, "version")
}

/// The current versions of the streams `events` and `expected` name (absent streams are
/// missing from the map: version 0).
fn stream_versions(
    c: &mut impl GenericClient,
    events: &[NewEvent],
    expected: &[(&str, ExpectedVersion)],
) -> Result<std::collections::HashMap<String, u64>, StoreError> {
    let mut streams: Vec<&str> = events
        .iter()
        .map(|e| e.stream.as_str())
        .chain(expected.iter().map(|(s, _)| *s))
        .collect();
    streams.sort_unstable();
    streams.dedup();
    let rows = c
        .query(
            "SELECT stream, MAX(version)::bigint FROM events WHERE stream = ANY($1)
             GROUP BY stream",
            &[&streams],
        )
        .map_err(StoreError::backend(
            "reading stream versions from postgresql",
        ))?;
    rows.iter()
        .map(|r| Ok((r.get::<_, String>(0), to_u64(r.get(1), 0, "version")?)))
        .collect()
}

fn head(c: &mut impl GenericClient) -> Result<Head, StoreError> {
    let row = c
        .query_opt(
            "SELECT position, hash FROM events ORDER BY position DESC LIMIT 1",
            &[],
        )
        .map_err(StoreError::backend("reading the log head from postgresql"))?;
    match row {
        None => Ok(Head::EMPTY),
        Some(r) => {
            let pos: i64 = r.get(0);
            let hash: String = r.get(1);
            Head::parse(to_u64(pos, pos, "position")?, &hash)
        }
    }
}

/// Takes the head lock, seals `events` and inserts them in one statement, all inside
/// the caller's transaction.
fn append_in(
    tx: &mut postgres::Transaction<'_>,
    schema: &SchemaName,
    expected: &[(&str, ExpectedVersion)],
    events: Vec<NewEvent>,
) -> Result<Vec<StoredEvent>, StoreError> {
    advisory_lock(tx, advisory_key(schema, "head", ""))?;
    let head = head(tx)?;
    // every stream's version in one round trip (a batch touches dozens of streams)
    let versions = stream_versions(tx, &events, expected)?;
    let sealed = chain::seal(head, expected, events, |s| {
        Ok(versions.get(s).copied().unwrap_or(0))
    })?;
    if sealed.is_empty() {
        return Ok(Vec::new());
    }
    let n = sealed.len();
    let (mut pos, mut ver) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let mut texts: [Vec<&str>; 7] = Default::default();
    for s in &sealed {
        pos.push(to_i64(s.event.position)?);
        ver.push(to_i64(s.event.version)?);
        let fields = [
            s.event.stream.as_str(),
            &s.event.kind,
            &s.event.actor,
            &s.at,
            s.event.payload.as_str(),
            &s.prev_hash,
            &s.hash,
        ];
        for (column, value) in texts.iter_mut().zip(fields) {
            column.push(value);
        }
    }
    let [stream, kind, actor, at, payload, prev_hash, hash] = &texts;
    tx.execute(
        "INSERT INTO events (position, version, stream, kind, actor, at, payload, prev_hash, hash)
         SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[],
                              $6::text[], $7::text[], $8::text[], $9::text[])",
        &[
            &pos, &ver, stream, kind, actor, at, payload, prev_hash, hash,
        ],
    )
    .map_err(StoreError::backend("inserting events into postgresql"))?;
    Ok(sealed.into_iter().map(|s| s.event).collect())
}

/// Writes `records` (the last per key) in one statement inside the caller's transaction.
fn put_records_in(tx: &mut impl GenericClient, records: Vec<Record>) -> Result<(), StoreError> {
    records.iter().try_for_each(record::check)?;
    let records = record::last_per_key(records);
    if records.is_empty() {
        return Ok(());
    }
    let namespaces: Vec<&str> = records.iter().map(|r| r.namespace.as_str()).collect();
    let keys: Vec<&str> = records.iter().map(|r| r.key.as_str()).collect();
    let values: Vec<&[u8]> = records.iter().map(|r| r.value.as_slice()).collect();
    let at: Vec<i64> = records
        .iter()
        .map(|r| record::to_secs(r.written_at))
        .collect();
    tx.execute(
        "INSERT INTO records (namespace, key, value, written_at)
         SELECT * FROM UNNEST($1::text[], $2::text[], $3::bytea[], $4::bigint[])
         ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value,
             written_at = excluded.written_at",
        &[&namespaces, &keys, &values, &at],
    )
    .map_err(StoreError::backend("writing records to postgresql"))?;
    Ok(())
}

impl EventLog for PostgresLog {
    fn append(
        &self,
        expected: &[(&str, ExpectedVersion)],
        events: Vec<NewEvent>,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let mut client = self.lock()?;
        let err = StoreError::backend("committing an append to postgresql");
        let mut tx = client.transaction().map_err(&err)?;
        let stored = append_in(&mut tx, &self.schema, expected, events)?;
        tx.commit().map_err(&err)?;
        Ok(stored)
    }

    fn read_all(&self, from_position: u64, limit: usize) -> Result<Vec<StoredEvent>, StoreError> {
        read_all(&mut *self.lock()?, from_position, limit)
    }

    fn read_payloads(
        &self,
        from_position: u64,
        limit: usize,
    ) -> Result<Vec<(u64, String)>, StoreError> {
        let err = StoreError::backend("reading payloads from postgresql");
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.lock()?
            .query(
                "SELECT position, payload FROM events WHERE position >= $1 ORDER BY position LIMIT $2",
                &[&to_i64(from_position.max(1))?, &limit],
            )
            .map_err(&err)?
            .iter()
            .map(|r| {
                let pos: i64 = r.try_get(0).map_err(&err)?;
                Ok((to_u64(pos, pos, "position")?, r.try_get(1).map_err(&err)?))
            })
            .collect()
    }

    fn read_stream(&self, stream: &str, from_version: u64) -> Result<Vec<StoredEvent>, StoreError> {
        read_stream(&mut *self.lock()?, stream, from_version)
    }

    fn stream_version(&self, stream: &str) -> Result<u64, StoreError> {
        stream_version(&mut *self.lock()?, stream)
    }

    fn last_position(&self) -> Result<u64, StoreError> {
        Ok(head(&mut *self.lock()?)?.position)
    }

    fn verify(&self) -> Result<VerifyReport, StoreError> {
        let mut client = self.lock()?;
        let mut verifier = Verifier::default();
        let mut from = 1;
        loop {
            let rows = read_rows(&mut *client, from, PAGE)?;
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

    fn save_snapshot(&self, position: u64, format: u32, state: &[u8]) -> Result<(), StoreError> {
        let mut client = self.lock()?;
        let err = StoreError::backend("writing a snapshot to postgresql");
        let mut tx = client.transaction().map_err(&err)?;
        let pos = to_i64(position)?;
        let row = tx
            .query_opt("SELECT hash FROM events WHERE position = $1", &[&pos])
            .map_err(&err)?;
        let Some(row) = row else {
            let last = head(&mut tx)?.position;
            return Err(StoreError::NoSuchPosition { position, last });
        };
        let hash: String = row.try_get(0).map_err(&err)?;
        let format = i32::try_from(format).unwrap_or(i32::MAX);
        tx.execute(
            "INSERT INTO snapshots (position, event_hash, format, taken_at, state)
             VALUES ($1, $2, $3, now()::text, $4)
             ON CONFLICT (position) DO UPDATE SET event_hash = excluded.event_hash,
                 format = excluded.format, taken_at = excluded.taken_at, state = excluded.state",
            &[&pos, &hash, &format, &state],
        )
        .map_err(&err)?;
        let kept = i64::from(migrate::SNAPSHOTS_KEPT);
        tx.execute(
            "DELETE FROM snapshots WHERE position NOT IN
                 (SELECT position FROM snapshots ORDER BY position DESC LIMIT $1)",
            &[&kept],
        )
        .map_err(&err)?;
        tx.commit().map_err(&err)
    }

    fn load_snapshot(&self, format: u32) -> Result<Option<(u64, Vec<u8>)>, StoreError> {
        let err = StoreError::backend("reading a snapshot from postgresql");
        let format = i32::try_from(format).unwrap_or(i32::MAX);
        let row = self
            .lock()?
            .query_opt(
                "SELECT s.position, s.state FROM snapshots s
                 JOIN events e ON e.position = s.position AND e.hash = s.event_hash
                 WHERE s.format = $1 ORDER BY s.position DESC LIMIT 1",
                &[&format],
            )
            .map_err(&err)?;
        let Some(row) = row else { return Ok(None) };
        let pos: i64 = row.try_get(0).map_err(&err)?;
        Ok(Some((
            to_u64(pos, pos, "position")?,
            row.try_get(1).map_err(&err)?,
        )))
    }

    fn put_records(&self, records: Vec<Record>) -> Result<(), StoreError> {
        if records.is_empty() {
            return Ok(());
        }
        let mut client = self.lock()?;
        let err = StoreError::backend("writing records to postgresql");
        let mut tx = client.transaction().map_err(&err)?;
        put_records_in(&mut tx, records)?;
        tx.commit().map_err(&err)
    }

    fn load_records(
        &self,
        namespace: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<Record>, StoreError> {
        let err = StoreError::backend("reading records from postgresql");
        self.lock()?
            .query(
                "SELECT key, value, written_at FROM records
                 WHERE namespace = $1 AND written_at >= $2",
                &[&namespace, &record::to_secs(since)],
            )
            .map_err(&err)?
            .iter()
            .map(|r| {
                let at: i64 = r.try_get(2).map_err(&err)?;
                Ok(Record::new(
                    namespace,
                    r.try_get::<_, String>(0).map_err(&err)?,
                    r.try_get::<_, Vec<u8>>(1).map_err(&err)?,
                    record::from_secs(at)?,
                ))
            })
            .collect()
    }

    fn prune_records(&self, namespace: &str, before: DateTime<Utc>) -> Result<u64, StoreError> {
        self.lock()?
            .execute(
                "DELETE FROM records WHERE namespace = $1 AND written_at < $2",
                &[&namespace, &record::to_secs(before)],
            )
            .map_err(StoreError::backend("pruning records in postgresql"))
    }

    fn transact_dyn(
        &self,
        lock_key: &str,
        body: &mut TxBody<'_>,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let mut client = self.lock()?;
        let err = StoreError::backend("running a postgresql transaction");
        let mut tx = client.transaction().map_err(&err)?;
        advisory_lock(&mut tx, advisory_key(&self.schema, "key", lock_key))?;
        let mut view = PgTx {
            tx: &mut tx,
            expected: Vec::new(),
            records: Vec::new(),
        };
        // On error `tx` is dropped, which rolls back (and releases the locks).
        let events = body(&mut view)?;
        let (expected, records) = (view.expected, view.records);
        let stored = append_in(&mut tx, &self.schema, &chain::borrow(&expected), events)?;
        put_records_in(&mut tx, records)?;
        tx.commit().map_err(&err)?;
        Ok(stored)
    }
}

struct PgTx<'a, 'b> {
    tx: &'a mut postgres::Transaction<'b>,
    expected: Vec<(String, ExpectedVersion)>,
    records: Vec<Record>,
}

impl Tx for PgTx<'_, '_> {
    fn read_all(
        &mut self,
        from_position: u64,
        limit: usize,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        read_all(self.tx, from_position, limit)
    }

    fn read_stream(
        &mut self,
        stream: &str,
        from_version: u64,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        read_stream(self.tx, stream, from_version)
    }

    fn stream_version(&mut self, stream: &str) -> Result<u64, StoreError> {
        stream_version(self.tx, stream)
    }

    fn last_position(&mut self) -> Result<u64, StoreError> {
        Ok(head(self.tx)?.position)
    }

    fn expect(&mut self, stream: &str, expected: ExpectedVersion) {
        self.expected.push((stream.to_owned(), expected));
    }

    fn put_record(&mut self, namespace: &str, key: &str, value: &[u8], written_at: DateTime<Utc>) {
        self.records
            .push(Record::new(namespace, key, value.to_vec(), written_at));
    }
}
