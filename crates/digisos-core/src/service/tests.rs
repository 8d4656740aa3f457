//! The service after a store failure: what the failed batch folded is dropped, the
//! state is rebuilt from the log.

use super::*;
use crate::service::memory::Poisoned;
use chrono::TimeZone;
use std::cell::Cell;

/// A memory store whose appends can be made to fail after the decision was taken (as a
/// commit that fails would).
struct Flaky {
    inner: MemoryStore,
    fail: Cell<bool>,
}

impl Store for Flaky {
    type Error = Poisoned;

    fn read_after(&self, position: u64) -> Result<Vec<Recorded>, Poisoned> {
        self.inner.read_after(position)
    }

    fn append_with(
        &self,
        position: u64,
        decide: &mut Decision<'_>,
    ) -> Result<Vec<Recorded>, Poisoned> {
        if self.fail.get() {
            let _ = decide(&[]);
            return Err(Poisoned);
        }
        self.inner.append_with(position, decide)
    }
}

fn issue(id: &str) -> (Command, Principal) {
    let command = Command::IssueToken {
        token_id: id.into(),
        token_hash: format!("hash-{id}"),
        principal: Principal::auditor(),
        label: id.into(),
    };
    (command, Principal::coordinator())
}

#[test]
fn a_failed_write_leaves_nothing_behind_in_the_state() {
    let now = Utc.with_ymd_and_hms(2025, 10, 6, 8, 0, 0).unwrap();
    let store = Flaky {
        inner: MemoryStore::new(),
        fail: Cell::new(false),
    };
    let mut service = Service::open(store).unwrap();
    let outcomes = service.execute_batch(&[issue("t1")], now).unwrap();
    assert!(outcomes[0].is_ok());

    // when the store fails after the batch was decided
    service.store().fail.set(true);
    assert!(service.execute_batch(&[issue("t2")], now).is_err());

    // then the next write starts from the log: t2 was never recorded, so it is new
    service.store().fail.set(false);
    let outcomes = service.execute_batch(&[issue("t2")], now).unwrap();
    assert!(outcomes[0].is_ok(), "{:?}", outcomes[0]);
    assert_eq!(service.position(), 2);
    assert_eq!(service.state().tokens().count(), 2);
    assert_eq!(service.state().events_applied(), 2);
}
