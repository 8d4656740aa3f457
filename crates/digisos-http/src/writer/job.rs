//! The writer thread's loop: drain the queue, group consecutive commands into one batch,
//! commit, publish to the read model, then reply.

use std::collections::BTreeSet;
use std::sync::mpsc::Receiver;
use std::sync::{Arc, RwLock};

use digisos_core::incident::IncidentId;
use digisos_core::principal::Principal;
use digisos_core::programme::{Command, Programme};
use digisos_core::service::{Recorded, Service, Store};
use digisos_store::{ProgrammeLog, StoredEvent, VerifyReport};
use tokio::sync::Notify;

use super::{MAX_BATCH, Precondition, ReadModel, ServiceError, store_error};
use crate::clock::Clock;

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
    reply: Reply<Vec<Recorded>>,
}

pub(super) struct Writer {
    service: Service<ProgrammeLog>,
    read: Arc<RwLock<ReadModel>>,
    clock: Arc<dyn Clock>,
    changed: Arc<Notify>,
}

impl Writer {
    pub(super) fn new(
        service: Service<ProgrammeLog>,
        read: Arc<RwLock<ReadModel>>,
        clock: Arc<dyn Clock>,
        changed: Arc<Notify>,
    ) -> Self {
        Writer {
            service,
            read,
            clock,
            changed,
        }
    }

    /// Runs until [`Job::Stop`] or until every sender is gone. Jobs queued before the stop
    /// are finished first.
    pub(super) fn run(mut self, rx: &Receiver<Job>) {
        let mut stopping = false;
        while !stopping {
            let Ok(first) = rx.recv() else { break };
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
        self.snapshot_on_stop();
        self.changed.notify_one();
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
        match self.service.save_snapshot() {
            Ok(_) => tracing::info!(
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
        match job {
            Job::Tick { reply } => {
                let now = self.clock.now();
                let result = self.service.tick(now).map_err(|e| store_error(&e));
                let result = result.and_then(|recorded| {
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
            Job::Ping { reply } => reply(
                self.service
                    .store()
                    .log()
                    .last_position()
                    .map_err(|e| store_error(&e)),
            ),
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

    /// Executes `batch` in one transaction and replies to each caller after publishing.
    fn commit(&mut self, batch: Vec<Queued>) {
        if batch.is_empty() {
            return;
        }
        let now = self.clock.now();
        let mut known = Vec::new();
        // the read model is at the service's position here; its index avoids a scan
        let due = self
            .read
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .next_timeout();
        if due.is_some_and(|t| t <= now) {
            match self.service.tick(now) {
                Ok(recorded) => known.extend(recorded),
                Err(e) => {
                    for q in batch {
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
                Err(e) => (q.reply)(Err(e)),
            }
        }
        let commands: Vec<(Command, Principal)> = runnable
            .iter()
            .map(|q| (q.command.as_ref().clone(), q.by.clone()))
            .collect();
        match self.service.execute_batch(&commands, now) {
            Ok(outcomes) => {
                for events in outcomes.iter().flatten() {
                    known.extend(events.iter().cloned());
                }
                let published = self.publish(known);
                for (q, outcome) in runnable.into_iter().zip(outcomes) {
                    let result = match (&published, outcome) {
                        (Err(e), _) => Err(ServiceError::Store(e.to_string())),
                        (Ok(()), Ok(events)) => Ok(events),
                        (Ok(()), Err(r)) => Err(ServiceError::Rejected(r)),
                    };
                    (q.reply)(result);
                }
            }
            Err(e) => {
                for q in runnable {
                    (q.reply)(Err(store_error(&e)));
                }
            }
        }
    }

    /// Brings the read model up to the service's position: from the events this writer
    /// knows when they are exactly the gap, else by reading the log (another writer).
    fn publish(&mut self, mut known: Vec<Recorded>) -> Result<(), ServiceError> {
        let mut read = self.read.write().unwrap_or_else(|p| p.into_inner());
        let from = read.position();
        let to = self.service.position();
        if to <= from {
            return Ok(());
        }
        known.sort_by_key(|r| r.position);
        let exact = known.first().is_some_and(|r| r.position == from + 1)
            && known.len() as u64 == to - from
            && known.windows(2).all(|w| w[1].position == w[0].position + 1);
        if !exact {
            known = self
                .service
                .store()
                .read_after(from)
                .map_err(|e| store_error(&e))?;
        }
        for r in &known {
            read.fold(r);
        }
        drop(read);
        self.changed.notify_one();
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
