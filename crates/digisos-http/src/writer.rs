//! The single writer: ONE thread owns the [`Service`] over the store and executes queued
//! commands in batches — one transaction, one fsync per batch (group commit) — replying
//! to each caller only after the commit. Reads go to a shared [`ReadModel`] that the
//! writer updates before it replies, so a caller always reads its own writes.
//!
//! Handlers talk to it through [`ServiceHandle`] (async, no `spawn_blocking`); the CLI
//! may use the blocking variants outside a runtime.

mod job;
mod pipeline;
mod read_model;

pub use read_model::ReadModel;

use std::sync::mpsc;
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard};
use std::thread::JoinHandle;

use digisos_core::incident::IncidentId;
use digisos_core::principal::Principal;
use digisos_core::programme::{Command, Rejection};
use digisos_core::service::{Recorded, Service};
use digisos_store::{ProgrammeLog, StoreError, StoredEvent, VerifyReport};
use tokio::sync::Notify;

use crate::clock::Clock;
use crate::etag::IfMatch;
use crate::idempotency::{self, CAPACITY, DurableIdempotencyStore};
use crate::problem::ApiError;
use job::{Job, Reply};

/// Most commands folded into one transaction.
pub const MAX_BATCH: usize = 512;

/// How the writer commits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriterOptions {
    /// Decide the next batch while the last one syncs, where the store can defer its
    /// syncs (a SQLite file); replies still wait for the sync. Default `true`.
    pub pipelined: bool,
}

impl Default for WriterOptions {
    fn default() -> Self {
        WriterOptions { pipelined: true }
    }
}

/// Why a command or query sent to the writer did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The domain refused the command; nothing was written.
    #[error(transparent)]
    Rejected(Rejection),
    /// `If-Match` does not match the incident's current version.
    #[error("if-match {given} does not match the current version {current}")]
    Precondition {
        /// The tags sent.
        given: String,
        /// The current entity tag.
        current: String,
    },
    /// The store failed (IO, corruption); retry later.
    #[error("store failed: {0}")]
    Store(String),
    /// The writer has stopped (server shutting down).
    #[error("the writer has stopped")]
    Stopped,
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Rejected(r) => ApiError::rejection(&r),
            ServiceError::Precondition { given, current } => {
                ApiError::PreconditionFailed { given, current }
            }
            ServiceError::Store(msg) => ApiError::StoreUnavailable(msg),
            ServiceError::Stopped => ApiError::StoreUnavailable("the writer has stopped".into()),
        }
    }
}

fn store_error(e: &StoreError) -> ServiceError {
    ServiceError::Store(e.to_string())
}

/// A precondition on a command: the incident must be at the version `If-Match` names.
pub type Precondition = Option<(IncidentId, IfMatch)>;

/// Handle to the writer thread and the read model. Cheap to clone.
#[derive(Debug, Clone)]
pub struct ServiceHandle {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    tx: mpsc::Sender<Job>,
    read: Arc<RwLock<ReadModel>>,
    clock: Arc<dyn Clock>,
    changed: Arc<Notify>,
    idempotency: Arc<DurableIdempotencyStore>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        let _ = self.tx.send(Job::Stop);
    }
}

impl ServiceHandle {
    /// Starts the writer thread over an opened service with the default
    /// [`WriterOptions`] (see [`ServiceHandle::start_with`]).
    pub fn start(
        service: Service<ProgrammeLog>,
        clock: Arc<dyn Clock>,
    ) -> Result<ServiceHandle, ServiceError> {
        Self::start_with(service, clock, WriterOptions::default())
    }

    /// Starts the writer thread over an opened service, with the idempotency records of
    /// the last 24 hours loaded from its store (see [`ServiceHandle::idempotency`]).
    /// Fails if the store cannot be read, or the thread cannot be spawned.
    pub fn start_with(
        service: Service<ProgrammeLog>,
        clock: Arc<dyn Clock>,
        options: WriterOptions,
    ) -> Result<ServiceHandle, ServiceError> {
        let idempotency =
            DurableIdempotencyStore::open(service.store().log(), clock.clone(), CAPACITY)
                .map_err(|e| store_error(&e))?;
        let idempotency = Arc::new(idempotency);
        let model = ReadModel::new(service.state().clone(), service.position());
        let read = Arc::new(RwLock::new(model));
        let changed = Arc::new(Notify::new());
        let (tx, rx) = mpsc::channel();
        let writer = job::Writer::new(
            service,
            read.clone(),
            clock.clone(),
            changed.clone(),
            options,
            idempotency.clone(),
        );
        let thread = std::thread::Builder::new()
            .name("digisos-writer".into())
            .spawn(move || writer.run(&rx))
            .map_err(|e| ServiceError::Store(format!("cannot start the writer thread: {e}")))?;
        Ok(ServiceHandle {
            inner: Arc::new(Inner {
                tx,
                read,
                clock,
                changed,
                idempotency,
                thread: Mutex::new(Some(thread)),
            }),
        })
    }

    /// The idempotency records this writer keeps durable: install it in the router's
    /// [`crate::Infra`] (as [`crate::domain_app`] does) so that keyed commands are
    /// recorded in their own transaction.
    pub fn idempotency(&self) -> Arc<DurableIdempotencyStore> {
        self.inner.idempotency.clone()
    }

    /// The read model as of the last commit. Hold the guard briefly (no `.await` while
    /// holding it).
    pub fn read(&self) -> RwLockReadGuard<'_, ReadModel> {
        self.inner.read.read().unwrap_or_else(|p| p.into_inner())
    }

    /// The adapter's clock.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.inner.clock.now()
    }

    /// Notified after every commit (the timer task recomputes its deadline).
    pub fn changed(&self) -> Arc<Notify> {
        self.inner.changed.clone()
    }

    /// Executes one command at the clock's `now`, in the next batch. Returns the recorded
    /// events once they are committed and visible in [`ServiceHandle::read`].
    ///
    /// Called while handling a request with an `Idempotency-Key` (see
    /// [`idempotency::in_flight`]), the key is recorded in the command's transaction.
    pub async fn execute(
        &self,
        command: Command,
        by: Principal,
        precondition: Precondition,
    ) -> Result<Vec<Recorded>, ServiceError> {
        let keyed = idempotency::in_flight().filter(|(key, _)| self.inner.idempotency.attach(key));
        let key = keyed.as_ref().map(|(key, _)| key.clone());
        let result = self
            .call(|reply| Job::Command {
                command: Box::new(command),
                by,
                precondition,
                idempotency: keyed,
                reply,
            })
            .await;
        if let (Some(key), Err(ServiceError::Stopped)) = (key, &result) {
            // the writer is gone: it never ran the command
            self.inner.idempotency.settle(&key, false);
        }
        result
    }

    /// [`ServiceHandle::execute`] for callers outside an async runtime (the CLI).
    pub fn execute_blocking(
        &self,
        command: Command,
        by: Principal,
    ) -> Result<Vec<Recorded>, ServiceError> {
        self.call_blocking(|reply| Job::Command {
            command: Box::new(command),
            by,
            precondition: None,
            idempotency: None,
            reply,
        })
    }

    /// Records whatever fell due by now (SLA breaches, cascades, overdue duties).
    pub async fn tick(&self) -> Result<usize, ServiceError> {
        self.call(|reply| Job::Tick { reply }).await
    }

    /// Up to `limit` stored events after position `since`, as stored (hash-chained).
    pub async fn export(&self, since: u64, limit: usize) -> Result<Vec<StoredEvent>, ServiceError> {
        self.call(|reply| Job::Export {
            since,
            limit,
            reply,
        })
        .await
    }

    /// Every event of incident `id`, in order, read from the log (check visibility with
    /// `Programme::incident_for` first).
    pub async fn incident_events(&self, id: IncidentId) -> Result<Vec<Recorded>, ServiceError> {
        self.call(|reply| Job::IncidentEvents { id, reply }).await
    }

    /// Walks the hash chain of the whole log.
    pub async fn verify(&self) -> Result<VerifyReport, ServiceError> {
        self.call(|reply| Job::Verify { reply }).await
    }

    /// Folds what other writers appended to the log into the service and the read model;
    /// returns the position reached.
    pub async fn refresh(&self) -> Result<u64, ServiceError> {
        self.call(|reply| Job::Refresh { reply }).await
    }

    /// [`ServiceHandle::refresh`] from synchronous code (a token lookup that missed).
    pub fn refresh_blocking(&self) -> Result<u64, ServiceError> {
        self.call_blocking(|reply| Job::Refresh { reply })
    }

    /// The log position the store reports (readiness check).
    pub async fn ping(&self) -> Result<u64, ServiceError> {
        self.call(|reply| Job::Ping { reply }).await
    }

    /// Stops the writer after the commands already queued and waits for it. Idempotent.
    pub fn shutdown(&self) {
        let _ = self.inner.tx.send(Job::Stop);
        let thread = self
            .inner
            .thread
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(thread) = thread
            && thread.join().is_err()
        {
            tracing::error!("the writer thread panicked");
        }
    }

    async fn call<T: Send + 'static>(
        &self,
        make: impl FnOnce(Reply<T>) -> Job,
    ) -> Result<T, ServiceError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let reply: Reply<T> = Box::new(move |r| {
            let _ = tx.send(r);
        });
        self.inner
            .tx
            .send(make(reply))
            .map_err(|_| ServiceError::Stopped)?;
        rx.await.map_err(|_| ServiceError::Stopped)?
    }

    fn call_blocking<T: Send + 'static>(
        &self,
        make: impl FnOnce(Reply<T>) -> Job,
    ) -> Result<T, ServiceError> {
        let (tx, rx) = mpsc::sync_channel(1);
        let reply: Reply<T> = Box::new(move |r| {
            let _ = tx.send(r);
        });
        self.inner
            .tx
            .send(make(reply))
            .map_err(|_| ServiceError::Stopped)?;
        rx.recv().map_err(|_| ServiceError::Stopped)?
    }
}
