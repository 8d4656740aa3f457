//! Pipelined group commit: the writer commits a batch without waiting for the disk and
//! hands its replies to the **syncer** thread, which fsyncs once for every batch handed
//! over meanwhile, then publishes their events to the read model and replies — in
//! order. So the writer decides batch N+1 while batch N's fsync runs, and a command that
//! arrives during an fsync is written at once instead of waiting for it.
//!
//! Nothing is acknowledged or visible to readers before it is durable: a reply and the
//! read model's update both follow a successful sync that started after the commit.
//! After a failed sync nothing is acknowledged any more (see `digisos_store`'s
//! `DeferredSync`): the writer refuses commands and `/readyz` fails until a restart.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, RwLock};
use std::thread::JoinHandle;

use digisos_core::programme::Programme;
use digisos_core::service::Recorded;
use digisos_store::DeferredSync;
use tokio::sync::Notify;

use super::job::Reply;
use super::{ReadModel, ServiceError};

/// The answer to one command of a committed batch, sent once the batch is durable.
pub(super) type Pending = (Reply<Vec<Recorded>>, Result<Vec<Recorded>, ServiceError>);

/// The writer's state after a commit and the commit's position: what the read model
/// becomes once the commit is durable (a copy that shares nearly all of the state, see
/// `Programme`, so no event is folded a second time).
pub(super) type Published = (Box<Programme>, u64);

/// What the writer hands the syncer.
enum Item {
    /// A committed batch: what takes the read model to the commit's position, and the
    /// replies to send once it is durable.
    Batch {
        /// `None` if the batch recorded no event.
        state: Option<Published>,
        replies: Vec<Pending>,
    },
    /// Answered once everything handed over before it is durable and published.
    Barrier(mpsc::SyncSender<()>),
}

/// The writer's end of the pipeline.
pub(super) struct Pipeline {
    tx: Option<Sender<Item>>,
    thread: Option<JoinHandle<()>>,
    sync: Arc<dyn DeferredSync>,
    failed: Arc<AtomicBool>,
}

impl Pipeline {
    /// Starts the syncer thread over `sync`; `None` if the thread cannot be started (the
    /// caller then keeps committing synchronously).
    pub(super) fn start(
        sync: Arc<dyn DeferredSync>,
        read: Arc<RwLock<ReadModel>>,
        changed: Arc<Notify>,
    ) -> Option<Pipeline> {
        let (tx, rx) = mpsc::channel();
        let failed = Arc::new(AtomicBool::new(false));
        let syncer = Syncer {
            sync: sync.clone(),
            read,
            changed,
            failed: failed.clone(),
        };
        let thread = std::thread::Builder::new()
            .name("digisos-syncer".into())
            .spawn(move || syncer.run(&rx))
            .ok()?;
        Some(Pipeline {
            tx: Some(tx),
            thread: Some(thread),
            sync,
            failed,
        })
    }

    /// Whether a sync failed: nothing may be acknowledged any more.
    pub(super) fn failed(&self) -> bool {
        self.failed.load(Ordering::Acquire)
    }

    /// Hands a committed batch over; it is published and replied to once durable.
    pub(super) fn hand_over(&self, state: Option<Published>, replies: Vec<Pending>) {
        let item = Item::Batch { state, replies };
        if let Some(Err(mpsc::SendError(Item::Batch { replies, .. }))) =
            self.tx.as_ref().map(|tx| tx.send(item))
        {
            for (reply, _) in replies {
                reply(Err(ServiceError::Stopped));
            }
        }
    }

    /// Waits until everything handed over is durable, published and replied to.
    pub(super) fn barrier(&self) {
        let (done, wait) = mpsc::sync_channel(1);
        if let Some(tx) = &self.tx
            && tx.send(Item::Barrier(done)).is_ok()
        {
            let _ = wait.recv();
        }
    }

    /// Syncs now, on the caller's thread (after a [`Pipeline::barrier`], for a commit
    /// the writer publishes itself).
    pub(super) fn sync_now(&self) -> Result<(), ServiceError> {
        if sync_once(self.sync.as_ref(), &self.failed) {
            Ok(())
        } else {
            Err(not_durable())
        }
    }
}

impl Drop for Pipeline {
    /// Finishes what was handed over, then stops the syncer.
    fn drop(&mut self) {
        self.tx.take();
        if let Some(t) = self.thread.take()
            && t.join().is_err()
        {
            tracing::error!("the syncer thread panicked");
        }
    }
}

/// Syncs unless a sync failed before; a failure is permanent (see the module docs).
/// Returns whether everything committed so far is durable.
fn sync_once(sync: &dyn DeferredSync, failed: &AtomicBool) -> bool {
    if failed.load(Ordering::Acquire) {
        return false;
    }
    match sync.sync() {
        Ok(()) => true,
        Err(e) => {
            failed.store(true, Ordering::Release);
            tracing::error!(err = %e, "sync failed; no further write is acknowledged");
            false
        }
    }
}

/// Why a command is refused after a failed sync.
pub(super) fn not_durable() -> ServiceError {
    ServiceError::Store(
        "a write could not be made durable (the disk failed to sync); \
         restart the server"
            .into(),
    )
}

struct Syncer {
    sync: Arc<dyn DeferredSync>,
    read: Arc<RwLock<ReadModel>>,
    changed: Arc<Notify>,
    failed: Arc<AtomicBool>,
}

impl Syncer {
    fn run(self, rx: &Receiver<Item>) {
        while let Ok(first) = rx.recv() {
            let mut items = vec![first];
            items.extend(rx.try_iter());
            let any_batch = items.iter().any(|i| matches!(i, Item::Batch { .. }));
            let durable = if any_batch {
                sync_once(self.sync.as_ref(), &self.failed)
            } else {
                !self.failed.load(Ordering::Acquire)
            };
            self.finish(items, durable);
        }
    }

    /// Publishes and replies (durable), or refuses every reply (sync failed).
    fn finish(&self, items: Vec<Item>, durable: bool) {
        let mut published = false;
        for item in items {
            match item {
                Item::Batch { state, replies } if durable => {
                    if let Some((programme, position)) = state {
                        let mut read = self.read.write().unwrap_or_else(|p| p.into_inner());
                        let replaced = read.replace(*programme, position);
                        drop(read);
                        drop(replaced); // outside the lock
                        published = true;
                    }
                    for (reply, result) in replies {
                        reply(result);
                    }
                }
                Item::Batch { replies, .. } => {
                    for (reply, _) in replies {
                        reply(Err(not_durable()));
                    }
                }
                Item::Barrier(done) => {
                    let _ = done.send(());
                }
            }
        }
        if published {
            self.changed.notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use digisos_core::principal::Principal;
    use digisos_core::programme::ProgrammeEvent;
    use digisos_store::StoreError;
    use std::sync::Mutex;
    use std::time::Duration;

    /// A sync that blocks until the test opens the gate, then succeeds or fails.
    #[derive(Debug)]
    struct Gate {
        open: Mutex<mpsc::Receiver<bool>>,
        calls: std::sync::atomic::AtomicUsize,
    }

    impl DeferredSync for Gate {
        fn sync(&self) -> Result<(), StoreError> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            let ok = self.open.lock().unwrap().recv().unwrap_or(false);
            if ok {
                Ok(())
            } else {
                Err(StoreError::Backend {
                    context: "test",
                    detail: "EIO".into(),
                })
            }
        }
    }

    fn setup() -> (
        Pipeline,
        mpsc::Sender<bool>,
        Arc<Gate>,
        Arc<RwLock<ReadModel>>,
    ) {
        let (open, gate) = mpsc::channel();
        let sync = Arc::new(Gate {
            open: Mutex::new(gate),
            calls: Default::default(),
        });
        let read = Arc::new(RwLock::new(ReadModel::default()));
        let p = Pipeline::start(sync.clone(), read.clone(), Arc::new(Notify::new())).unwrap();
        (p, open, sync, read)
    }

    fn event(position: u64) -> Recorded {
        Recorded {
            position,
            event: ProgrammeEvent::TokenRevoked {
                at: chrono::DateTime::UNIX_EPOCH,
                by: Principal::coordinator(),
                token_id: format!("t{position}"),
            },
        }
    }

    /// The writer's state after events 1 to `position`, as it hands it over.
    fn state_at(position: u64) -> Option<Published> {
        let mut state = Programme::default();
        for p in 1..=position {
            state.apply(&event(p).event);
        }
        Some((Box::new(state), position))
    }

    /// A reply that reports on `tx` whether it succeeded.
    fn reply(tx: &mpsc::Sender<Result<usize, String>>) -> Reply<Vec<Recorded>> {
        let tx = tx.clone();
        Box::new(move |r: Result<Vec<Recorded>, ServiceError>| {
            let _ = tx.send(r.map(|e| e.len()).map_err(|e| e.to_string()));
        })
    }

    #[test]
    fn replies_and_publishes_only_after_the_sync() {
        let (p, open, sync, read) = setup();
        let (tx, replies) = mpsc::channel();
        p.hand_over(state_at(1), vec![(reply(&tx), Ok(vec![event(1)]))]);
        // the syncer is inside sync(): nothing answered, nothing visible
        while sync.calls.load(Ordering::SeqCst) == 0 {
            std::thread::yield_now();
        }
        assert!(replies.recv_timeout(Duration::from_millis(100)).is_err());
        assert_eq!(read.read().unwrap().position(), 0);
        // batches handed over meanwhile share the next sync
        p.hand_over(None, vec![(reply(&tx), Ok(vec![]))]);
        p.hand_over(state_at(3), vec![(reply(&tx), Ok(vec![event(3)]))]);
        open.send(true).unwrap();
        assert_eq!(replies.recv().unwrap(), Ok(1));
        assert_eq!(read.read().unwrap().position(), 1);
        assert!(replies.recv_timeout(Duration::from_millis(100)).is_err());
        open.send(true).unwrap();
        assert_eq!(replies.recv().unwrap(), Ok(0));
        assert_eq!(replies.recv().unwrap(), Ok(1));
        assert_eq!(read.read().unwrap().position(), 3);
        assert_eq!(
            sync.calls.load(Ordering::SeqCst),
            2,
            "one sync for batches 2 and 3"
        );
        p.barrier(); // nothing pending: answers without a sync
        assert_eq!(sync.calls.load(Ordering::SeqCst), 2);
        assert!(!p.failed());
    }

    #[test]
    fn a_failed_sync_refuses_every_reply_from_then_on() {
        let (p, open, sync, read) = setup();
        let (tx, replies) = mpsc::channel();
        p.hand_over(state_at(1), vec![(reply(&tx), Ok(vec![event(1)]))]);
        open.send(false).unwrap();
        let refused = replies.recv().unwrap().unwrap_err();
        assert!(refused.contains("could not be made durable"), "{refused}");
        assert_eq!(read.read().unwrap().position(), 0, "not published");
        assert!(p.failed());
        // later batches are refused without touching the disk again
        p.hand_over(state_at(2), vec![(reply(&tx), Ok(vec![event(2)]))]);
        assert!(replies.recv().unwrap().is_err());
        assert!(p.sync_now().is_err());
        assert_eq!(sync.calls.load(Ordering::SeqCst), 1);
        assert_eq!(read.read().unwrap().position(), 0);
    }

    #[test]
    fn a_handed_over_state_replaces_the_read_model_once_durable_and_never_goes_back() {
        let (p, open, _sync, read) = setup();
        let (tx, replies) = mpsc::channel();
        // the writer's state after folding events 1..=2
        let mut state = Programme::default();
        state.apply(&event(1).event);
        state.apply(&event(2).event);
        p.hand_over(
            Some((Box::new(state.clone()), 2)),
            vec![(reply(&tx), Ok(vec![event(1), event(2)]))],
        );
        assert!(replies.recv_timeout(Duration::from_millis(100)).is_err());
        assert_eq!(read.read().unwrap().position(), 0, "not before the sync");
        open.send(true).unwrap();
        assert_eq!(replies.recv().unwrap(), Ok(2));
        assert_eq!(read.read().unwrap().position(), 2);
        assert_eq!(read.read().unwrap().programme(), &state);
        // a state behind the read model (never handed over in that order) is ignored
        p.hand_over(Some((Box::default(), 1)), vec![(reply(&tx), Ok(vec![]))]);
        open.send(true).unwrap();
        assert_eq!(replies.recv().unwrap(), Ok(0));
        assert_eq!(read.read().unwrap().position(), 2);
        assert_eq!(read.read().unwrap().programme(), &state);
    }
}
