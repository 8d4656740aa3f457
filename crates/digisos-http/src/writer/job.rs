//! The writer thread's loop: drain the queue, group consecutive commands into one batch,
//! commit, publish to the read model, then reply. On a store with deferred syncs the
//! publishing and replying move to the syncer ([`super::pipeline`]), so the next batch
//! is decided while this one's fsync runs. Each batch's transaction also carries the
//! idempotency records: a pending one per keyed command, and the responses completed
//! since the last commit (see [`crate::idempotency::DurableIdempotencyStore`]).

use std::collections::BTreeSet;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use digisos_core::incident::IncidentId;
use digisos_core::principal::Principal;
use digisos_core::programme::{Command, Programme};
use digisos_core::service::{Recorded, Service, Store};
use digisos_store::{ProgrammeLog, Record, StoredEvent, VerifyReport};
use tokio::sync::Notify;

use super::pipeline::{Pending, Pipeline, not_durable};
use super::{MAX_BATCH, Precondition, ReadModel, ServiceError, WriterOptions, store_error};
use crate::clock::Clock;
use crate::idempotency::{
    DurableIdempotencyStore, Fingerprint, NAMESPACE, PRUNE_EVERY, RETENTION, ScopedKey, record_key,
};

/// How long the writer waits idle before it writes the queued idempotency responses on
/// their own.
pub(super) const FLUSH_IDLE: Duration = Duration::from_secs(1);

/// Events since the last snapshot from which a planned stop writes a new one.
pub(super) const SNAPSHOT_ON_STOP: u64 = 1_000;

/// How the writer answers: called exactly once (dropping it means "stopped").
pub(super) type Reply<T> = Box<dyn FnOnce(Result<T, ServiceError>) + Send>;

/// One request to the writer.
pub(super) enum Job {
    Command {
        command: Box<Command>,
        by: Principal,
        precondition: Precondition,
        /// The request's `Idempotency-Key`, recorded in the command's transaction.
        idempotency: Option<(ScopedKey, Fingerprint)>,
        reply: Reply<Vec<Recorded>>,
    },
    Tick {
        reply: Reply<usize>,
    },
    Export {
        since: u64,
        limit: usize,
        reply: Reply<Vec<StoredEvent>>,
    },
    Verify {
        reply: Reply<VerifyReport>,
    },
    IncidentEvents {
        id: IncidentId,
        reply: Reply<Vec<Recorded>>,
    },
    Ping {
        reply: Reply<u64>,
    },
    /// Fold what other writers (another instance, the CLI) appended to the log.
    Refresh {
        reply: Reply<u64>,
    },
    Stop,
}

struct Queued {
    command: Box<Command>,
    by: Principal,
    precondition: Precondition,
    idempotency: Option<(ScopedKey, Fingerprint)>,
    reply: Reply<Vec<Recorded>>,
}

pub(super) struct Writer {
    service: Service<ProgrammeLog>,
    read: Arc<RwLock<ReadModel>>,
    clock: Arc<dyn Clock>,
    changed: Arc<Notify>,
    /// Set when the store defers its syncs: batches are made durable and answered by
    /// the syncer thread.
    pipeline: Option<Pipeline>,
    /// The log position up to which events went to the read model (directly or through
    /// the pipeline); the read model itself may still be behind while a sync runs.
    handed: u64,
    idempotency: Arc<DurableIdempotencyStore>,
    /// Idempotency records written since the expired ones were last pruned.
    since_prune: u64,
}

impl Writer {
    pub(super) fn new(
        service: Service<ProgrammeLog>,
        read: Arc<RwLock<ReadModel>>,
        clock: Arc<dyn Clock>,
        changed: Arc<Notify>,
        options: WriterOptions,
        idempotency: Arc<DurableIdempotencyStore>,
    ) -> Self {
        let deferred = if options.pipelined {
            service.store().log().defer_sync()
        } else {
            Ok(None)
        };
        let pipeline = match deferred {
            Ok(Some(sync)) => Pipeline::start(sync, read.clone(), changed.clone()),
            Ok(None) => None,
            Err(err) => {
                tracing::warn!(%err, "the store syncs at every commit (no pipelining)");
                None
            }
        };
        if pipeline.is_some() {
            tracing::info!("pipelined group commit: a batch is decided while the last one syncs");
        }
        // a snapshot (every 100,000 events) is encoded and stored off this thread
        service.store().write_snapshots_in_background();
        let handed = service.position();
        Writer {
            service,
            read,
            clock,
            changed,
            pipeline,
            handed,
            idempotency,
            since_prune: 0,
        }
    }

    /// Runs until [`Job::Stop`] or until every sender is gone. Jobs queued before the stop
    /// are finished first. Idle for [`FLUSH_IDLE`], it writes the queued idempotency
    /// responses; it writes the rest when it stops.
    pub(super) fn run(mut self, rx: &Receiver<Job>) {
        let mut stopping = false;
        while !stopping {
            let first = match rx.recv_timeout(FLUSH_IDLE) {
                Ok(job) => job,
                Err(RecvTimeoutError::Timeout) => {
                    self.flush_responses();
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => break,
            };
            let mut jobs = vec![first];
            while jobs.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(job) => jobs.push(job),
                    Err(_) => break,
                }
            }
            let mut batch: Vec<Queued> = Vec::new();
            let mut touched: BTreeSet<IncidentId> = BTreeSet::new();
            for job in jobs {
                match job {
                    Job::Command {
                        command,
                        by,
                        precondition,
                        idempotency,
                        reply,
                    } => {
                        // a precondition must see the commands before it committed
                        if let Some((id, _)) = &precondition
                            && touched.contains(id)
                        {
                            self.commit(std::mem::take(&mut batch));
                            touched.clear();
                        }
                        if let Command::Incident { id, .. } = command.as_ref() {
                            touched.insert(id.clone());
                        }
                        batch.push(Queued {
                            command,
                            by,
                            precondition,
                            idempotency,
                            reply,
                        });
                    }
                    other => {
                        self.commit(std::mem::take(&mut batch));
                        touched.clear();
                        stopping |= self.query(other);
                    }
                }
            }
            self.commit(batch);
        }
        self.barrier();
        self.flush_responses();
        self.snapshot_on_stop();
        // finishes what the syncer holds, then stops it
        self.pipeline.take();
        self.changed.notify_one();
    }

    /// Waits until every batch handed to the syncer is durable and answered (so a query
    /// sees exactly what was acknowledged, and a direct commit syncs after them).
    fn barrier(&self) {
        if let Some(p) = &self.pipeline {
            p.barrier();
        }
    }

    /// Makes a commit the writer publishes itself durable (a no-op when the store syncs
    /// at every commit).
    fn make_durable(&self) -> Result<(), ServiceError> {
        self.pipeline.as_ref().map_or(Ok(()), Pipeline::sync_now)
    }

    /// Writes the queued idempotency responses in a transaction of their own (the writer
    /// is idle or stopping). On failure they stay queued for the next commit.
    fn flush_responses(&mut self) {
        let records = self.idempotency.take_responses();
        if records.is_empty() {
            return;
        }
        let count = records.len() as u64;
        // with pipelining the commit only reaches the disk with a sync
        let written = self
            .service
            .store()
            .log()
            .put_records(records.clone())
            .map_err(|e| store_error(&e))
            .and_then(|()| self.make_durable());
        match written {
            Ok(()) => self.wrote_records(count),
            Err(err) => {
                tracing::warn!(%err, "idempotency responses not written; retried with the next commit");
                self.idempotency.requeue_responses(records);
            }
        }
    }

    /// Counts written idempotency records and prunes the expired ones every
    /// [`PRUNE_EVERY`] records.
    fn wrote_records(&mut self, count: u64) {
        self.since_prune += count;
        if self.since_prune < PRUNE_EVERY {
            return;
        }
        self.since_prune = 0;
        let before = self.clock.now() - RETENTION;
        if let Err(err) = self.service.store().log().prune_records(NAMESPACE, before) {
            tracing::warn!(%err, "expired idempotency records not pruned; retried later");
        }
    }

    /// Settles the keyed commands of a batch whose write failed: a command counts as
    /// executed if its pending record is in the store (the commit took effect after
    /// all) or if the store cannot tell.
    fn settle_failed(&self, keys: &[&ScopedKey], since: chrono::DateTime<chrono::Utc>) {
        if keys.is_empty() {
            return;
        }
        let found = self
            .service
            .store()
            .log()
            .load_records(NAMESPACE, since - chrono::TimeDelta::minutes(1))
            .ok();
        for key in keys {
            let stored_as = record_key(key);
            let executed = found
                .as_ref()
                .is_none_or(|records| records.iter().any(|r| r.key == stored_as));
            self.idempotency.settle(key, executed);
        }
    }

    /// A planned stop writes a snapshot when the log has grown by [`SNAPSHOT_ON_STOP`]
    /// events since the last one, so the next start restores it instead of replaying
    /// the tail. A failure only costs that replay.
    fn snapshot_on_stop(&mut self) {
        let tail = self
            .service
            .position()
            .saturating_sub(self.service.snapshot_position());
        if tail < SNAPSHOT_ON_STOP {
            return;
        }
        // one still being written in the background would make this one skip
        if let Err(err) = self.service.store().finish_snapshot() {
            tracing::warn!(%err, "the last background snapshot failed");
        }
        let saved = self
            .service
            .save_snapshot()
            .and_then(|_| self.service.store().finish_snapshot());
        match saved {
            Ok(()) => tracing::info!(
                position = self.service.position(),
                "snapshot written at shutdown"
            ),
            Err(err) => {
                tracing::warn!(%err, "no snapshot at shutdown; the next start replays the tail")
            }
        }
    }

    /// Answers a non-command job; returns whether it was [`Job::Stop`].
    fn query(&mut self, job: Job) -> bool {
        self.barrier();
        match job {
            Job::Tick { reply } => {
                let now = self.clock.now();
                let result = self.service.tick(now).map_err(|e| store_error(&e));
                let result = result.and_then(|recorded| {
                    self.make_durable()?;
                    self.publish(recorded.clone())?;
                    Ok(recorded.len())
                });
                reply(result);
            }
            Job::Export {
                since,
                limit,
                reply,
            } => reply(
                self.service
                    .store()
                    .log()
                    .read_all(since.saturating_add(1), limit)
                    .map_err(|e| store_error(&e)),
            ),
            Job::Verify { reply } => {
                reply(
                    self.service
                        .store()
                        .log()
                        .verify()
                        .map_err(|e| store_error(&e)),
                );
            }
            Job::IncidentEvents { id, reply } => reply(
                self.service
                    .store()
                    .incident_events(&id)
                    .map_err(|e| store_error(&e)),
            ),
            Job::Ping { reply } => reply(if self.pipeline.as_ref().is_some_and(Pipeline::failed) {
                Err(not_durable())
            } else {
                self.service
                    .store()
                    .log()
                    .last_position()
                    .map_err(|e| store_error(&e))
            }),
            Job::Refresh { reply } => {
                let result = self
                    .service
                    .refresh()
                    .map_err(|e| store_error(&e))
                    .and_then(|()| self.publish(Vec::new()))
                    .map(|()| self.service.position());
                reply(result);
            }
            Job::Command { reply, .. } => reply(Err(ServiceError::Stopped)),
            Job::Stop => return true,
        }
        false
    }

    /// Executes `batch` in one transaction; replies to each caller after publishing —
    /// here, or through the syncer once the batch is durable.
    fn commit(&mut self, batch: Vec<Queued>) {
        if batch.is_empty() {
            return;
        }
        if self.pipeline.as_ref().is_some_and(Pipeline::failed) {
            for q in batch {
                (q.reply)(Err(not_durable()));
            }
            return;
        }
        let now = self.clock.now();
        let mut known = Vec::new();
        if self.service.next_timeout().is_some_and(|t| t <= now) {
            match self.service.tick(now) {
                Ok(recorded) => known.extend(recorded),
                Err(e) => {
                    for q in batch {
                        if let Some((key, _)) = &q.idempotency {
                            self.idempotency.settle(key, false);
                        }
                        (q.reply)(Err(store_error(&e)));
                    }
                    return;
                }
            }
        }
        let mut runnable = Vec::with_capacity(batch.len());
        for q in batch {
            match check(self.service.state(), &q) {
                Ok(()) => runnable.push(q),
                Err(e) => {
                    if let Some((key, _)) = &q.idempotency {
                        self.idempotency.settle(key, false);
                    }
                    (q.reply)(Err(e));
                }
            }
        }
        let commands: Vec<(Command, Principal)> = runnable
            .iter()
            .map(|q| (q.command.as_ref().clone(), q.by.clone()))
            .collect();
        let keys: Vec<&ScopedKey> = runnable
            .iter()
            .filter_map(|q| q.idempotency.as_ref().map(|(key, _)| key))
            .collect();
        // the pending records commit with the commands, the queued responses with them
        let responses = self.idempotency.take_responses();
        let pending: Vec<Record> = runnable
            .iter()
            .filter_map(|q| q.idempotency.as_ref())
            .map(|(key, fingerprint)| self.idempotency.pending(key, fingerprint))
            .collect();
        let records = (pending.len() + responses.len()) as u64;
        self.service
            .store()
            .stage_records(pending.into_iter().chain(responses.iter().cloned()));
        let executed = self.service.execute_batch(&commands, now);
        if executed.is_ok() {
            for key in &keys {
                self.idempotency.settle(key, true);
            }
        } else {
            // nothing of it was written (or cannot be told): the pending records go,
            // the responses wait for the next commit
            drop(self.service.store().take_staged());
            self.idempotency.requeue_responses(responses);
            self.settle_failed(&keys, now);
        }
        let outcomes = match executed {
            Ok(outcomes) => {
                self.wrote_records(records);
                outcomes
            }
            Err(e) => {
                for q in runnable {
                    (q.reply)(Err(store_error(&e)));
                }
                return;
            }
        };
        for events in outcomes.iter().flatten() {
            known.extend(events.iter().cloned());
        }
        let gap = self.gap(known, self.handed);
        let replies: Vec<Pending> = runnable
            .into_iter()
            .zip(outcomes)
            .map(|(q, outcome)| {
                let result = match (&gap, outcome) {
                    (Err(e), _) => Err(ServiceError::Store(e.to_string())),
                    (Ok(_), Ok(events)) => Ok(events),
                    (Ok(_), Err(r)) => Err(ServiceError::Rejected(r)),
                };
                (q.reply, result)
            })
            .collect();
        let events = gap.unwrap_or_default();
        if let Some(last) = events.last() {
            self.handed = last.position;
        }
        match &self.pipeline {
            // the service's state is the read model's with `events` folded: hand a copy over
            Some(p) => p.hand_over(
                (!events.is_empty()).then(|| {
                    (
                        Box::new(self.service.state().clone()),
                        self.service.position(),
                    )
                }),
                replies,
            ),
            None => {
                self.fold(&events);
                for (reply, result) in replies {
                    reply(result);
                }
            }
        }
    }

    /// The events from position `from` (exclusive) up to the service's position: the
    /// ones this writer knows when they are exactly that gap, else read from the log
    /// (another writer appended too, or a timer fired inside the batch).
    fn gap(&self, mut known: Vec<Recorded>, from: u64) -> Result<Vec<Recorded>, ServiceError> {
        let to = self.service.position();
        if to <= from {
            return Ok(Vec::new());
        }
        known.sort_by_key(|r| r.position);
        known.retain(|r| r.position > from);
        let exact = known.first().is_some_and(|r| r.position == from + 1)
            && known.len() as u64 == to - from
            && known.windows(2).all(|w| w[1].position == w[0].position + 1);
        if exact {
            return Ok(known);
        }
        self.service
            .store()
            .read_after(from)
            .map_err(|e| store_error(&e))
    }

    /// Folds `events` into the read model now and wakes the timer task.
    fn fold(&self, events: &[Recorded]) {
        if events.is_empty() {
            return;
        }
        let mut read = self.read.write().unwrap_or_else(|p| p.into_inner());
        for r in events {
            read.fold(r);
        }
        drop(read);
        self.changed.notify_one();
    }

    /// Brings the read model up to the service's position (after a barrier: nothing is
    /// in the pipeline, so the read model is at `handed`).
    fn publish(&mut self, known: Vec<Recorded>) -> Result<(), ServiceError> {
        let from = self
            .read
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .position();
        let events = self.gap(known, from)?;
        if let Some(last) = events.last() {
            self.handed = last.position;
        }
        self.fold(&events);
        Ok(())
    }
}

/// The `If-Match` precondition of a queued command, against the committed state. An
/// incident the caller may not see is left to the core (which answers not-found).
fn check(state: &Programme, q: &Queued) -> Result<(), ServiceError> {
    let Some((id, if_match)) = &q.precondition else {
        return Ok(());
    };
    let Some(incident) = state.incident_for(id, &q.by) else {
        return Ok(());
    };
    if_match
        .check(incident.version, false)
        .map_err(|e| match e {
            crate::problem::ApiError::PreconditionFailed { given, current } => {
                ServiceError::Precondition { given, current }
            }
            other => ServiceError::Store(other.to_string()),
        })
}
