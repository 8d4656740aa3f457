//! The store's error type: every way an append, read, open or verification can fail.

use crate::event::ExpectedVersion;

/// Everything that can go wrong in the event store.
///
/// Domain rejections are not here: they live in the core. A [`StoreError::Conflict`] is
/// the one error a service is expected to handle by re-reading and retrying; the others
/// are failures to report (and, for [`StoreError::Corrupt`], to investigate).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// An expected stream version did not match: another writer got there first.
    #[error("version conflict on stream `{stream}`: expected {expected}, found version {actual}")]
    Conflict {
        /// The stream whose version was checked.
        stream: String,
        /// What the caller expected.
        expected: ExpectedVersion,
        /// The stream's current version (0 = the stream does not exist).
        actual: u64,
    },
    /// The database was migrated by a newer binary; this one must not write to it.
    #[error(
        "database schema version {found} is newer than this binary knows ({known}); \
         upgrade digisos or point it at another database"
    )]
    SchemaTooNew {
        /// The schema version recorded in the database.
        found: u32,
        /// The newest schema version this binary can migrate to.
        known: u32,
    },
    /// A stored event cannot be decoded or breaks the hash chain.
    #[error("stored event at position {position} is corrupt: {reason}; run `digisos audit verify`")]
    Corrupt {
        /// Global position of the offending event.
        position: u64,
        /// What is wrong with it.
        reason: String,
    },
    /// The database driver or the file system failed.
    #[error("storage backend failed while {context}: {detail}")]
    Backend {
        /// What the store was doing.
        context: &'static str,
        /// The driver's message.
        detail: String,
    },
    /// A store URL could not be understood.
    #[error(
        "invalid store url `{url}`: {reason} (expected `memory:`, `sqlite::memory:`, \
         `sqlite://PATH` or `postgres://...[?schema=NAME]`)"
    )]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// An event handed to `append` is malformed (for example an empty stream name).
    #[error("invalid event: {reason}")]
    InvalidEvent {
        /// What is wrong with it.
        reason: String,
    },
    /// A snapshot was to be written for a position the log does not hold.
    #[error("cannot keep a snapshot at position {position}: the log ends at {last}")]
    NoSuchPosition {
        /// The position asked for.
        position: u64,
        /// The log's last position.
        last: u64,
    },
    /// The closure given to `transact` returned an error; nothing was written.
    #[error("transaction aborted by its caller; nothing was written")]
    Aborted,
}

impl StoreError {
    /// Builds a mapper from a driver error to [`StoreError::Backend`] with `context`
    /// (a gerund phrase such as "appending events"); the detail lists the error's
    /// whole source chain (drivers often keep the useful part, e.g. "connection
    /// refused", in a source).
    pub(crate) fn backend<E: std::error::Error>(context: &'static str) -> impl Fn(E) -> Self {
        move |e| {
            let mut detail = e.to_string();
            let mut source = e.source();
            while let Some(s) = source {
                let text = s.to_string();
                if !detail.contains(&text) {
                    detail.push_str(": ");
                    detail.push_str(&text);
                }
                source = s.source();
            }
            StoreError::Backend { context, detail }
        }
    }

    /// Whether retrying the whole command (re-read, decide, append) may succeed.
    pub fn is_conflict(&self) -> bool {
        matches!(self, StoreError::Conflict { .. })
    }
}
