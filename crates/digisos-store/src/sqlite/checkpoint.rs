//! Background WAL checkpoints for a [`super::SqliteLog`] on a file.
//!
//! By default SQLite checkpoints inside the commit that pushes the WAL past 1,000 pages:
//! that commit then also copies the WAL into the database file and fsyncs it, so every
//! thousandth page or so one writer (and every caller waiting for its group commit)
//! pays a second, larger fsync. Here a thread with its own connection runs `PASSIVE`
//! checkpoints — which never block a writer and never wait for one — shortly after
//! commits. Durability is unchanged: a commit is durable once its WAL frames are
//! fsynced (`synchronous=FULL`); checkpoints only move committed pages.
//!
//! **Restarting the WAL.** SQLite writes the WAL from its start again only when a write
//! transaction begins while every frame is already in the database file. Under
//! sustained writes a background checkpoint never catches up completely: the writer
//! appends while it copies and syncs. Left alone, the WAL would grow until the writer's
//! own backstop checkpoint ([`BACKSTOP_PAGES`]) — the remainder copied and the
//! database file fsynced inside a commit, measured at 33–54 ms every second or so under
//! full load, and every caller of that batch waited for it. So once the WAL holds
//! [`RESTART_PAGES`], the thread finishes the job in two steps: it checkpoints on its
//! own connection (most frames, the long fsync, while the writer goes on), then takes
//! the writer's connection for a moment and checkpoints again there, which copies only
//! what was appended meanwhile and syncs little. The writer's next commit then restarts
//! the WAL.

use crate::error::StoreError;
use rusqlite::Connection;
use std::path::Path;
use std::sync::mpsc::{self, RecvTimeoutError, SyncSender};
use std::sync::{Mutex, Weak};
use std::thread::JoinHandle;
use std::time::Duration;

/// WAL pages after which the writer checkpoints inline, should the background thread
/// fall behind or stop (SQLite's default is 1,000 for inline checkpoints).
pub(crate) const BACKSTOP_PAGES: u32 = 50_000;
/// WAL pages from which the background thread makes the WAL restart (see the module
/// documentation): 16 MiB of 4 KiB pages.
pub(crate) const RESTART_PAGES: i64 = 4_096;
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
    /// Opens a second connection to `path` and starts the thread; `writer` is the
    /// writer's connection, taken briefly to let the WAL restart.
    pub(crate) fn start(
        path: &Path,
        writer: Weak<Mutex<Connection>>,
    ) -> Result<Checkpointer, StoreError> {
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
                    if let Some(log) = passive(&conn)
                        && log >= RESTART_PAGES
                    {
                        finish_on(&writer);
                    }
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

/// Runs a `PASSIVE` checkpoint on `conn`; the frames in the WAL, if it ran.
fn passive(conn: &Connection) -> Option<i64> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get::<_, i64>(1))
        .ok()
}

/// Checkpoints the few frames left on the writer's connection, holding it, so that the
/// writer's next transaction finds the WAL complete in the database and restarts it.
fn finish_on(writer: &Weak<Mutex<Connection>>) {
    let Some(writer) = writer.upgrade() else {
        return;
    };
    if let Ok(conn) = writer.lock() {
        let _ = passive(&conn);
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
