//! One conformance suite for every event-log backend: each property is a function over
//! a [`backends::Backend`], instantiated for memory, SQLite and PostgreSQL by a macro.
//!
//! PostgreSQL: set `DIGISOS_TEST_POSTGRES_URL` (e.g. `postgres://postgres@127.0.0.1:5432/test`);
//! each test uses a fresh schema and drops it. Unset, the PostgreSQL cases return early
//! with a note — unless `DIGISOS_REQUIRE_POSTGRES=1` (CI), which makes them fail.

// Property helpers outside `#[test]` functions panic on failed set-up, like the tests.
#![allow(clippy::unwrap_used)]

#[path = "conformance/backends.rs"]
mod backends;
#[path = "conformance/concurrency.rs"]
mod concurrency;
#[path = "conformance/records.rs"]
mod records;
#[path = "conformance/snapshots.rs"]
mod snapshots;

use backends::{Backend, Durable};
use chrono::{DateTime, Utc};
use concurrency::budget_is_never_overspent;
use digisos_store::{
    BreakReason, EventHash, EventLogExt, ExpectedVersion, NewEvent, SCHEMA_VERSION, StoreError,
};
use records::{
    records_are_replaced_by_key_and_pruned_by_age,
    records_commit_with_the_transaction_or_not_at_all, records_survive_reopen,
};
use serde_json::json;
use snapshots::snapshots_belong_to_their_log;

pub(crate) fn t0() -> DateTime<Utc> {
    "2025-03-01T08:15:00.123456789Z".parse().unwrap()
}

fn ev(stream: &str, kind: &str, payload: serde_json::Value) -> NewEvent {
    NewEvent::new(stream, kind, "coordinator", t0(), payload)
}

pub(crate) fn amount(n: i64) -> NewEvent {
    ev(
        "contract-x",
        "Reserved",
        json!({"amount": n, "note": "call-off"}),
    )
}

fn append_and_read(b: &dyn Backend) {
    let log = b.log();
    assert_eq!(log.last_position().unwrap(), 0);
    let stored = log
        .append(
            &[],
            vec![ev(
                "incident-INC-1",
                "Reported",
                json!({"b": 2, "a": [1, {"y": null, "x": "ü"}]}),
            )],
        )
        .unwrap();
    assert_eq!(stored.len(), 1);
    let e = &stored[0];
    assert_eq!((e.position, e.version), (1, 1));
    assert_eq!(
        (e.stream.as_str(), e.kind.as_str(), e.actor.as_str()),
        ("incident-INC-1", "Reported", "coordinator")
    );
    assert_eq!(e.at, t0(), "nanoseconds survive");
    assert_eq!(e.prev_hash, EventHash::ZERO);
    assert_eq!(log.read_all(1, 10).unwrap(), stored);
    assert_eq!(log.read_stream("incident-INC-1", 1).unwrap(), stored);
    assert_eq!(log.read_stream("nope", 1).unwrap(), vec![]);
    assert_eq!(log.last_position().unwrap(), 1);
}

/// The replay path: payload texts page by page, as a vector or handed to a callback,
/// are the canonical JSON of the stored payloads, in position order from `from`.
fn payload_texts_page_through_the_log(b: &dyn Backend) {
    let log = b.log();
    for i in 1..=5 {
        log.append(
            &[],
            vec![ev(
                "s",
                "K",
                json!({"n": i, "text": "Lösegeld \"x\"", "a": [null]}),
            )],
        )
        .unwrap();
    }
    let expected: Vec<(u64, String)> = log
        .read_all(2, 3)
        .unwrap()
        .iter()
        .map(|e| (e.position, e.payload.as_str().to_owned()))
        .collect();
    assert_eq!(expected.len(), 3);
    assert_eq!(log.read_payloads(2, 3).unwrap(), expected);
    let mut handed = Vec::new();
    let count = log
        .for_each_payload(2, 3, &mut |p, text| {
            handed.push((p, text.to_owned()));
            Ok(())
        })
        .unwrap();
    assert_eq!((count, handed), (3, expected));
    assert_eq!(log.for_each_payload(6, 10, &mut |_, _| Ok(())).unwrap(), 0);
    // an error from the callback stops the page and is returned
    let mut seen = 0;
    let stopped = log.for_each_payload(1, 10, &mut |p, _| {
        seen += 1;
        if p == 2 {
            Err(StoreError::Aborted)
        } else {
            Ok(())
        }
    });
    assert!(matches!(stopped, Err(StoreError::Aborted)));
    assert_eq!(seen, 2);
}

fn per_stream_versions(b: &dyn Backend) {
    let log = b.log();
    for (i, s) in ["a", "b", "a", "a", "b"].iter().enumerate() {
        log.append(&[], vec![ev(s, "K", json!({"i": i}))]).unwrap();
    }
    let a: Vec<_> = log
        .read_stream("a", 1)
        .unwrap()
        .iter()
        .map(|e| (e.version, e.position))
        .collect();
    assert_eq!(a, vec![(1, 1), (2, 3), (3, 4)]);
    assert_eq!(log.stream_version("a").unwrap(), 3);
    assert_eq!(log.stream_version("b").unwrap(), 2);
    assert_eq!(log.stream_version("c").unwrap(), 0);
    let tail: Vec<_> = log
        .read_stream("a", 2)
        .unwrap()
        .iter()
        .map(|e| e.version)
        .collect();
    assert_eq!(tail, vec![2, 3]);
}

fn conflict_on_wrong_expected_version(b: &dyn Backend) {
    let log = b.log();
    log.append(
        &[("s", ExpectedVersion::NoStream)],
        vec![ev("s", "K", json!(1))],
    )
    .unwrap();
    log.append(
        &[("s", ExpectedVersion::Exactly(1))],
        vec![ev("s", "K", json!(2))],
    )
    .unwrap();
    let table = [
        (ExpectedVersion::NoStream, 2),
        (ExpectedVersion::Exactly(1), 2),
        (ExpectedVersion::Exactly(3), 2),
    ];
    for (expected, actual) in table {
        match log.append(&[("s", expected)], vec![ev("s", "K", json!(3))]) {
            Err(StoreError::Conflict {
                stream,
                expected: e,
                actual: a,
            }) => {
                assert_eq!((stream.as_str(), e, a), ("s", expected, actual));
            }
            other => panic!("expected a conflict, got {other:?}"),
        }
    }
    // An expectation on another stream guards this append too.
    let err = log
        .append(
            &[("other", ExpectedVersion::Exactly(1))],
            vec![ev("s", "K", json!(3))],
        )
        .unwrap_err();
    assert!(err.is_conflict(), "{err}");
    assert_eq!(log.last_position().unwrap(), 2);
    log.append(&[("s", ExpectedVersion::Any)], vec![ev("s", "K", json!(3))])
        .unwrap();
    assert_eq!(log.stream_version("s").unwrap(), 3);
}

fn global_ordering_is_gapless(b: &dyn Backend) {
    let log = b.log();
    for i in 0..7 {
        let batch = (0..=i % 3)
            .map(|j| ev(&format!("s{}", (i + j) % 3), "K", json!([i, j])))
            .collect();
        log.append(&[], batch).unwrap();
    }
    let all = log.read_all(0, usize::MAX).unwrap();
    let positions: Vec<u64> = all.iter().map(|e| e.position).collect();
    assert_eq!(positions, (1..=all.len() as u64).collect::<Vec<_>>());
    assert_eq!(log.last_position().unwrap(), all.len() as u64);
    for pair in all.windows(2) {
        assert_eq!(pair[1].prev_hash, pair[0].hash);
    }
    // Paging with `last + 1` sees every event once.
    let mut paged = Vec::new();
    let mut from = 1;
    loop {
        let page = log.read_all(from, 4).unwrap();
        let Some(last) = page.last() else { break };
        from = last.position + 1;
        paged.extend(page);
    }
    assert_eq!(paged, all);
}

/// Batches of every size a backend may split into several statements (SQLite inserts 32,
/// 8 and 1 rows at a time) come back exactly as appended: in order, gapless, chained,
/// each stream's versions counting on across batches.
fn large_batches_keep_order_and_chain(b: &dyn Backend) {
    let log = b.log();
    let mut appended = Vec::new();
    for (n, size) in [1usize, 7, 8, 9, 32, 33, 41, 110].into_iter().enumerate() {
        let batch = (0..size)
            .map(|i| ev(&format!("s{}", i % 5), "K", json!({"batch": n, "i": i})))
            .collect();
        appended.extend(log.append(&[], batch).unwrap());
    }
    let total = 1 + 7 + 8 + 9 + 32 + 33 + 41 + 110;
    assert_eq!(appended.len(), total);
    assert_eq!(log.read_all(1, usize::MAX).unwrap(), appended);
    let positions: Vec<u64> = appended.iter().map(|e| e.position).collect();
    assert_eq!(positions, (1..=total as u64).collect::<Vec<_>>());
    let s3 = log.read_stream("s3", 1).unwrap();
    assert_eq!(
        s3.iter().map(|e| e.version).collect::<Vec<_>>(),
        (1..=s3.len() as u64).collect::<Vec<_>>()
    );
    assert_eq!(
        s3,
        appended
            .iter()
            .filter(|e| e.stream == "s3")
            .cloned()
            .collect::<Vec<_>>()
    );
    let report = log.verify().unwrap();
    assert!(report.is_intact());
    assert_eq!(report.events_checked, total as u64);
}

fn failing_batch_writes_nothing(b: &dyn Backend) {
    let log = b.log();
    log.append(&[], vec![amount(1)]).unwrap();
    let invalid = vec![amount(2), ev("contract-x", "", json!({})), amount(3)];
    assert!(matches!(
        log.append(&[], invalid),
        Err(StoreError::InvalidEvent { .. })
    ));
    let conflicting = vec![amount(2), amount(3)];
    assert!(
        log.append(&[("contract-x", ExpectedVersion::NoStream)], conflicting)
            .is_err()
    );
    assert_eq!(log.last_position().unwrap(), 1);
    assert_eq!(log.stream_version("contract-x").unwrap(), 1);
    // The chain continues from the last committed event.
    let next = log.append(&[], vec![amount(4), amount(5)]).unwrap();
    assert_eq!(
        next.iter().map(|e| e.position).collect::<Vec<_>>(),
        vec![2, 3]
    );
    assert!(log.verify().unwrap().is_intact());
}

fn audit_chain_verifies(b: &dyn Backend) {
    let log = b.log();
    let empty = log.verify().unwrap();
    assert_eq!(
        (empty.events_checked, empty.last_position, empty.head_hash),
        (0, 0, EventHash::ZERO)
    );
    for i in 0..5 {
        log.append(
            &[],
            vec![amount(i), ev("tokens", "TokenIssued", json!({"i": i}))],
        )
        .unwrap();
    }
    let report = log.verify().unwrap().into_result().unwrap();
    let last = log.read_all(10, 1).unwrap().remove(0);
    assert_eq!(
        (
            report.events_checked,
            report.last_position,
            report.head_hash
        ),
        (10, 10, last.hash)
    );
}

fn tampering_is_detected_at_its_position(b: &dyn Backend) {
    let log = b.log();
    for i in 1..=5 {
        log.append(&[], vec![amount(i * 10 + 1)]).unwrap();
    }
    let victim = log.read_all(3, 1).unwrap().remove(0);
    let original = victim.payload.as_str().to_owned();
    let tampered = original.replacen("31", "39", 1);
    assert_eq!(tampered.len(), original.len(), "one byte flipped");
    b.overwrite_payload(3, &tampered);
    let report = log.verify().unwrap();
    let broken = report.first_break.clone().expect("tampering detected");
    assert_eq!(broken.position, 3);
    assert!(
        matches!(broken.reason, BreakReason::HashMismatch { .. }),
        "{:?}",
        broken.reason
    );
    assert_eq!((report.events_checked, report.last_position), (3, 2));
    match report.into_result() {
        Err(StoreError::Corrupt {
            position: 3,
            reason,
        }) => assert!(reason.contains("altered"), "{reason}"),
        other => panic!("expected corrupt at 3, got {other:?}"),
    }
}

#[derive(Debug, PartialEq)]
enum Rejected {
    OverBudget,
    Store(String),
}

impl From<StoreError> for Rejected {
    fn from(e: StoreError) -> Self {
        Rejected::Store(e.to_string())
    }
}

fn transact_commits_and_rolls_back(b: &dyn Backend) {
    let log = b.log();
    log.append(&[], vec![amount(600)]).unwrap();
    let reserve = |n: i64| {
        log.transact("contract-x", |tx| {
            let spent: i64 = tx
                .read_stream("contract-x", 1)?
                .iter()
                .map(|e| e.payload.to_value().unwrap()["amount"].as_i64().unwrap())
                .sum();
            if spent + n > 1000 {
                return Err(Rejected::OverBudget);
            }
            Ok((spent + n, vec![amount(n)]))
        })
    };
    let (total, stored) = reserve(300).unwrap();
    assert_eq!((total, stored.len(), stored[0].position), (900, 1, 2));
    assert_eq!(reserve(200), Err(Rejected::OverBudget));
    assert_eq!(log.last_position().unwrap(), 2);
    // An unmet `Tx::expect` aborts the commit, as a conflict.
    let res: Result<((), _), StoreError> = log.transact("contract-x", |tx| {
        tx.expect("contract-x", ExpectedVersion::Exactly(1));
        Ok(((), vec![amount(1)]))
    });
    assert!(res.unwrap_err().is_conflict());
    // A store error inside the closure propagates and writes nothing either.
    let res: Result<((), _), StoreError> =
        log.transact("contract-x", |_| Ok(((), vec![ev("", "K", json!(0))])));
    assert!(matches!(res, Err(StoreError::InvalidEvent { .. })));
    assert_eq!(log.last_position().unwrap(), 2);
    // The transaction view sees the log and its catch-up reads.
    let (seen, _) = log
        .transact::<_, StoreError, _>("other-key", |tx| {
            Ok((
                (
                    tx.last_position()?,
                    tx.read_all(2, 9)?.len(),
                    tx.stream_version("contract-x")?,
                ),
                vec![],
            ))
        })
        .unwrap();
    assert_eq!(seen, (2, 1, 2));
    assert!(log.verify().unwrap().is_intact());
}

fn reopen_persists(b: &dyn Durable) {
    let stored = b.log().append(&[], vec![amount(1), amount(2)]).unwrap();
    let again = b.reopen().unwrap();
    assert_eq!(again.read_all(1, 10).unwrap(), stored);
    again
        .append(
            &[("contract-x", ExpectedVersion::Exactly(2))],
            vec![amount(3)],
        )
        .unwrap();
    assert_eq!(b.log().read_all(3, 1).unwrap()[0].prev_hash, stored[1].hash);
    assert!(b.log().verify().unwrap().is_intact());
}

fn migrations_are_idempotent(b: &dyn Durable) {
    let all: Vec<u32> = (1..=SCHEMA_VERSION).collect();
    assert_eq!(b.schema_versions(), all);
    b.log().append(&[], vec![amount(1)]).unwrap();
    drop(b.reopen().unwrap());
    drop(b.reopen().unwrap());
    assert_eq!(b.schema_versions(), all);
    assert_eq!(b.log().last_position().unwrap(), 1);
}

fn events_are_append_only_and_deletion_is_detected(b: &dyn Durable) {
    for i in 1..=4 {
        b.log().append(&[], vec![amount(i)]).unwrap();
    }
    let refused = b.raw_delete(2, false).unwrap_err();
    assert!(refused.contains("append-only"), "{refused}");
    b.raw_delete(2, true).unwrap();
    let broken = b.log().verify().unwrap().first_break.unwrap();
    assert_eq!(broken.position, 3);
    assert_eq!(
        broken.reason,
        BreakReason::PositionGap {
            expected: 2,
            found: 3
        }
    );
}

fn newer_schema_is_refused(b: &dyn Durable) {
    b.record_schema_version(SCHEMA_VERSION + 1);
    match b.reopen() {
        Err(e @ StoreError::SchemaTooNew { .. }) => {
            assert!(
                matches!(e, StoreError::SchemaTooNew { found, known } if found == SCHEMA_VERSION + 1 && known == SCHEMA_VERSION)
            );
            assert!(e.to_string().contains("upgrade digisos"), "{e}");
        }
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
}

macro_rules! suite {
    ($module:ident, $make:expr, instances = $n:expr, [$($common:ident),*], [$($durable:ident),*]) => {
        mod $module {
            use super::*;
            $(#[test] fn $common() { let Some(b) = $make else { return }; super::$common(&b); })*
            $(#[test] fn $durable() { let Some(b) = $make else { return }; super::$durable(&b); })*
            #[test]
            fn budget_is_never_overspent() {
                let Some(b) = $make else { return };
                super::budget_is_never_overspent(&b, $n);
            }
        }
    };
}

macro_rules! all_backends {
    ([$($common:ident),*], [$($durable:ident),*]) => {
        suite!(memory, Some(backends::memory()), instances = 1, [$($common),*], []);
        suite!(sqlite, Some(backends::sqlite()), instances = 4, [$($common),*], [$($durable),*]);
        suite!(postgres, backends::postgres(), instances = 2, [$($common),*], [$($durable),*]);
    };
}

all_backends!(
    [
        append_and_read,
        payload_texts_page_through_the_log,
        per_stream_versions,
        conflict_on_wrong_expected_version,
        global_ordering_is_gapless,
        large_batches_keep_order_and_chain,
        failing_batch_writes_nothing,
        audit_chain_verifies,
        tampering_is_detected_at_its_position,
        transact_commits_and_rolls_back,
        snapshots_belong_to_their_log,
        records_are_replaced_by_key_and_pruned_by_age,
        records_commit_with_the_transaction_or_not_at_all
    ],
    [
        reopen_persists,
        records_survive_reopen,
        migrations_are_idempotent,
        newer_schema_is_refused,
        events_are_append_only_and_deletion_is_detected
    ]
);

#[test]
fn open_picks_the_backend_by_url() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("by-url.db");
    let url = format!("sqlite://{}", file.display());
    for url in ["memory:", "sqlite::memory:", url.as_str()] {
        let log = digisos_store::open(url).unwrap();
        log.append(&[], vec![amount(1)]).unwrap();
        assert_eq!(log.last_position().unwrap(), 1, "{url}");
    }
    assert_eq!(
        digisos_store::open(&url).unwrap().last_position().unwrap(),
        1
    );
    assert!(matches!(
        digisos_store::open("mysql://x"),
        Err(StoreError::InvalidUrl { .. })
    ));
}

#[test]
fn postgres_url_names_the_schema() {
    let Some(b) = backends::postgres() else {
        return;
    };
    b.log().append(&[], vec![amount(1)]).unwrap();
    let by_url = digisos_store::open(&b.store_url()).unwrap();
    assert_eq!(
        by_url.read_all(1, 9).unwrap(),
        b.log().read_all(1, 9).unwrap()
    );
}

/// Only a SQLite file defers its syncs; a deferred commit is readable at once (by this
/// and by a new connection, which is all a process crash leaves), and `sync` makes it
/// durable. The other backends keep syncing at every commit.
#[test]
fn only_a_sqlite_file_defers_syncs() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("deferred.db");
    let url = format!("sqlite://{}", file.display());
    for url in ["memory:", "sqlite::memory:"] {
        let log = digisos_store::open(url).unwrap();
        assert!(log.defer_sync().unwrap().is_none(), "{url}");
    }
    let log = digisos_store::open(&url).unwrap();
    let sync = log
        .defer_sync()
        .unwrap()
        .expect("a sqlite file defers its syncs");
    sync.sync().unwrap(); // nothing written yet: still fine
    for i in 1..=3 {
        log.append(&[], vec![amount(i)]).unwrap();
    }
    sync.sync().unwrap();
    assert_eq!(log.last_position().unwrap(), 3);
    let other = digisos_store::open(&url).unwrap();
    assert_eq!(other.read_all(1, 10).unwrap(), log.read_all(1, 10).unwrap());
    assert!(log.verify().unwrap().first_break.is_none());
    if let Some(b) = backends::postgres() {
        assert!(b.log().defer_sync().unwrap().is_none(), "postgres");
    }
}
