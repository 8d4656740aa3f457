//! Background WAL checkpoints for a [`super::SqliteLog`] on a file.
//!
//! By default SQLite checkpoints inside the commit that pushes the WAL past 1,000 pages:
//! that commit then also copies the WAL into the database file and fsyncs it, so every
//! thousandth page or so one writer (and every caller waiting for its group commit)
//! pays a second, larger fsync. Here the writer's connection only checkpoints as a
//! backstop ([`BACKSTOP_PAGES`]); a thread with its own connection runs `PASSIVE`
//! checkpoints — which never block a writer and never wait for one — shortly after
//! commits. Durability is unchanged: a commit is durable once its WAL frames are
//! fsynced (`synchronous=FULL`); checkpoints only move committed pages.

use crate::error::StoreError;
use rusqlite::Connection;
use std::path::Path;
use std::sync::mpsc::{self, RecvTimeoutError, SyncSender};
use std::thread::JoinHandle;
use std::time::Duration;

/// WAL pages after which the writer checkpoints inline, should the background thread
/// fall behind (SQLite's default is 1,000 for inline checkpoints).
pub(crate) const BACKSTOP_PAGES: u32 = 10_000;
/// Least time between two background checkpoints.
const MIN_INTERVAL: Duration = Duration::from_millis(100);
/// Longest time between checkpoints while commits keep coming without a nudge.
const IDLE: Duration = Duration::from_secs(5);

/// The checkpoint thread; stopped and joined on drop.
#[derive(Debug)]
pub(crate) struct Checkpointer {
    nudge: Option<SyncSender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Opens a second connection to `path` and starts the thread.
    pub(crate) fn start(path: &Path) -> Result<Checkpointer, StoreError> {
        let err = StoreError::backend("starting the sqlite checkpoint thread");
        let conn = Connection::open(path).map_err(&err)?;
        conn.busy_timeout(Duration::from_secs(5)).map_err(&err)?;
        let (nudge, rx) = mpsc::sync_channel::<()>(1);
        let thread = std::thread::Builder::new()
            .name("digisos-sqlite-checkpoint".into())
            .spawn(move || {
                while let Ok(()) | Err(RecvTimeoutError::Timeout) = rx.recv_timeout(IDLE) {
                    // A failed checkpoint is retried at the next nudge; the WAL keeps
                    // every committed page meanwhile, and the backstop bounds its size.
                    let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                    std::thread::sleep(MIN_INTERVAL);
                }
            })
            .map_err(|e| StoreError::Backend {
                context: "starting the sqlite checkpoint thread",
                detail: e.to_string(),
            })?;
        Ok(Checkpointer {
            nudge: Some(nudge),
            thread: Some(thread),
        })
    }

    /// Tells the thread that a commit added WAL frames (never blocks).
    pub(crate) fn nudge(&self) {
        if let Some(n) = &self.nudge {
            let _ = n.try_send(());
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.nudge.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
