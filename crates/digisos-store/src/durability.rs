//! Deferred durability: commits that return before they are on disk, made durable by
//! one later [`DeferredSync::sync`] that serves every commit before it.
//!
//! A backend that syncs at each commit (`synchronous=FULL`) makes the writer wait for
//! the disk before it can start deciding the next batch. With [`EventLog::defer_sync`]
//! the writer commits batch N+1 while a second thread syncs batch N (pipelined group
//! commit, as PostgreSQL's WAL writer or MySQL's binlog group commit do). The rule that
//! keeps this safe is the caller's: **acknowledge a commit only after a `sync` that
//! started after the commit returned succeeded**, and publish its effects to readers
//! only then. After a failed `sync`, nothing written since the last successful one may
//! be assumed durable (Linux may drop the dirty pages and report the error only once),
//! so the caller must stop acknowledging writes until it is restarted.
//!
//! [`EventLog::defer_sync`]: crate::EventLog::defer_sync

use crate::error::StoreError;
use std::fmt;
use std::fs::File;
use std::io::ErrorKind;
use std::path::PathBuf;

/// Makes the commits that returned before the call durable.
pub trait DeferredSync: Send + Sync + fmt::Debug {
    /// Flushes every commit that returned before this call to stable storage. Fails if
    /// the disk does (then see the module docs: stop acknowledging).
    fn sync(&self) -> Result<(), StoreError>;
}

/// [`DeferredSync`] of a SQLite database in WAL mode with `synchronous=NORMAL`: a commit
/// has written its frames to the `-wal` file (page cache), and `fdatasync` of that file
/// makes them durable — what `synchronous=FULL` would have done inside the commit.
/// SQLite itself still syncs the WAL header when it restarts the WAL and the WAL before
/// every checkpoint (its `NORMAL` rules), so frames never reach the database file
/// before they are durable in the WAL.
#[derive(Debug)]
pub(crate) struct WalSync {
    /// The `-wal` file next to the database.
    pub(crate) wal: PathBuf,
}

impl DeferredSync for WalSync {
    fn sync(&self) -> Result<(), StoreError> {
        // Opened per call: fsync flushes the inode whoever wrote it, and a fresh handle
        // never refers to a WAL file that SQLite has since replaced.
        let file = match File::open(&self.wal) {
            Ok(f) => f,
            // no WAL: SQLite removed it after checkpointing everything into the database
            // file, which it synced first
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(sync_failed(&self.wal, &e)),
        };
        file.sync_data().map_err(|e| sync_failed(&self.wal, &e))
    }
}

fn sync_failed(path: &std::path::Path, e: &std::io::Error) -> StoreError {
    StoreError::Backend {
        context: "syncing the sqlite write-ahead log",
        detail: format!("{}: {e}", path.display()),
    }
}
