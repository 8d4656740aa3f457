//! Conformance of the keyed side records: written alone or with a transaction's events
//! (all or nothing), replaced by key, loaded by age, pruned by age, kept across reopen.

use super::amount;
use super::backends::{Backend, Durable};
use chrono::{DateTime, Duration, Utc};
use digisos_store::{EventLogExt, NewEvent, Record, StoreError};

fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_740_000_000 + secs, 0).unwrap()
}

fn rec(ns: &str, key: &str, value: &[u8], secs: i64) -> Record {
    Record::new(ns, key, value.to_vec(), at(secs))
}

/// The records of `ns` since `since`, sorted by key, as (key, value, written_at).
fn loaded(b: &dyn Backend, ns: &str, since: i64) -> Vec<(String, Vec<u8>, DateTime<Utc>)> {
    let mut all: Vec<_> = b
        .log()
        .load_records(ns, at(since))
        .unwrap()
        .into_iter()
        .map(|r| {
            assert_eq!(r.namespace, ns);
            (r.key, r.value, r.written_at)
        })
        .collect();
    all.sort();
    all
}

fn row(key: &str, value: &[u8], secs: i64) -> (String, Vec<u8>, DateTime<Utc>) {
    (key.to_owned(), value.to_vec(), at(secs))
}

pub(crate) fn records_are_replaced_by_key_and_pruned_by_age(b: &dyn Backend) {
    let log = b.log();
    assert!(loaded(b, "idem", 0).is_empty());
    log.put_records(vec![
        rec("idem", "a", b"first", 10),
        rec("idem", "b", &[0, 255, 7], 20),
        rec("other", "a", b"elsewhere", 10),
        // the last one for a key in one batch wins
        rec("idem", "c", b"c1", 30),
        rec("idem", "c", b"c2", 31),
    ])
    .unwrap();
    assert_eq!(
        loaded(b, "idem", 0),
        vec![
            row("a", b"first", 10),
            row("b", &[0, 255, 7], 20),
            row("c", b"c2", 31)
        ]
    );
    // `since` is inclusive, to the second
    assert_eq!(
        loaded(b, "idem", 20),
        vec![row("b", &[0, 255, 7], 20), row("c", b"c2", 31)]
    );
    // a record for an existing key replaces value and time
    log.put_records(vec![rec("idem", "a", b"second", 40)])
        .unwrap();
    assert_eq!(loaded(b, "idem", 35), vec![row("a", b"second", 40)]);
    // an empty key is refused and nothing of that batch is written
    let refused = log.put_records(vec![rec("idem", "d", b"d", 50), rec("idem", "", b"x", 50)]);
    assert!(
        matches!(refused, Err(StoreError::InvalidEvent { .. })),
        "{refused:?}"
    );
    assert!(loaded(b, "idem", 45).is_empty());
    // pruning removes the records written before the cutoff, in that namespace only
    assert_eq!(log.prune_records("idem", at(31)).unwrap(), 1);
    assert_eq!(
        loaded(b, "idem", 0),
        vec![row("a", b"second", 40), row("c", b"c2", 31)]
    );
    assert_eq!(loaded(b, "other", 0), vec![row("a", b"elsewhere", 10)]);
    assert_eq!(log.prune_records("idem", at(31)).unwrap(), 0);
    // records never touch the events
    assert_eq!(log.last_position().unwrap(), 0);
}

pub(crate) fn records_commit_with_the_transaction_or_not_at_all(b: &dyn Backend) {
    let log = b.log();
    // with events
    let (_, stored) = log
        .transact::<_, StoreError, _>("contract-x", |tx| {
            tx.put_record("idem", "with-events", b"pending", at(1));
            tx.put_record("idem", "with-events", b"replaced", at(2));
            Ok(((), vec![amount(1)]))
        })
        .unwrap();
    assert_eq!(stored.len(), 1);
    // without events: the transaction still commits its records
    log.transact::<_, StoreError, _>("contract-x", |tx| {
        tx.put_record("idem", "no-events", b"done", at(3));
        Ok(((), Vec::<NewEvent>::new()))
    })
    .unwrap();
    assert_eq!(
        loaded(b, "idem", 0),
        vec![
            row("no-events", b"done", 3),
            row("with-events", b"replaced", 2)
        ]
    );
    // a body that fails rolls the records back with the events
    #[derive(Debug)]
    struct Refused;
    impl From<StoreError> for Refused {
        fn from(_: StoreError) -> Self {
            Refused
        }
    }
    let res: Result<((), _), Refused> = log.transact("contract-x", |tx| {
        tx.put_record("idem", "rolled-back", b"x", at(4));
        Err(Refused)
    });
    assert!(res.is_err());
    // so does a store failure while appending (an invalid event)
    let res: Result<((), _), StoreError> = log.transact("contract-x", |tx| {
        tx.put_record("idem", "invalid", b"x", at(5));
        Ok((
            (),
            vec![NewEvent::new("", "K", "a", at(5), serde_json::json!(0))],
        ))
    });
    assert!(matches!(res, Err(StoreError::InvalidEvent { .. })));
    // and an invalid record fails the transaction, writing no event
    let res: Result<((), _), StoreError> = log.transact("contract-x", |tx| {
        tx.put_record("idem", "", b"x", at(6));
        Ok(((), vec![amount(2)]))
    });
    assert!(matches!(res, Err(StoreError::InvalidEvent { .. })));
    assert_eq!(loaded(b, "idem", 4), vec![]);
    assert_eq!(log.last_position().unwrap(), 1);
    assert!(log.verify().unwrap().is_intact());
}

pub(crate) fn records_survive_reopen(b: &dyn Durable) {
    let now = at(86_400);
    b.log()
        .transact::<_, StoreError, _>("contract-x", |tx| {
            tx.put_record("idem", "k", b"kept", now);
            Ok(((), vec![amount(1)]))
        })
        .unwrap();
    let again = b.reopen().unwrap();
    let found = again
        .load_records("idem", now - Duration::hours(24))
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(
        (found[0].key.as_str(), found[0].value.as_slice()),
        ("k", &b"kept"[..])
    );
    assert_eq!(found[0].written_at.timestamp(), now.timestamp());
}
