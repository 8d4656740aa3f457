//! digisos-store: the append-only, hash-chained event log behind digisos — in memory,
//! in an embedded SQLite file (the default) or in PostgreSQL (several instances).
//!
//! The store knows nothing of the domain: an event is a stream name, a kind, an actor,
//! a time and an opaque JSON payload. Every stored event carries its global position,
//! its stream version and the SHA-256 hash of its predecessor (see [`hash`]), so
//! [`EventLog::verify`] detects any change. Writers that must not race (one contract's
//! budget) use [`EventLogExt::transact`] with a lock key. Pick a backend with [`open`].

mod canonical;
mod chain;
mod durability;
mod error;
mod event;
pub mod hash;
mod log;
mod memory;
mod migrate;
mod payload;
mod postgres;
mod programme;
pub mod record;
mod row;
mod snapshot;
mod sqlite;
mod url;

pub use canonical::CanonicalError;
pub use chain::{BreakReason, ChainBreak, VerifyReport};
pub use durability::DeferredSync;
pub use error::StoreError;
pub use event::{EventHash, ExpectedVersion, NewEvent, ParseHashError, StoredEvent};
pub use log::{EventLog, EventLogExt, Tx, TxBody};
pub use memory::MemoryLog;
pub use migrate::SCHEMA_VERSION;
pub use payload::Payload;
pub use postgres::PostgresLog;
pub use programme::{PROGRAMME_LOCK, ProgrammeLog, decode, decode_text, encode};
pub use record::Record;
pub use snapshot::{SnapshotDecodeError, decode_snapshot, encode_snapshot};
pub use sqlite::SqliteLog;
pub use url::{DEFAULT_SCHEMA, SchemaName, SchemaNameError, StoreUrl, open};
