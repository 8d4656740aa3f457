use super::*;
use crate::clock::FixedClock;
use axum::http::header::CONTENT_TYPE;
use digisos_store::MemoryLog;

fn key(k: &str) -> ScopedKey {
    ScopedKey {
        token: TokenId::new("tok-1"),
        key: k.into(),
    }
}

fn fp(s: &str) -> Fingerprint {
    Fingerprint(s.into())
}

fn created() -> StoredResponse {
    StoredResponse {
        status: StatusCode::CREATED,
        headers: vec![(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        body: Bytes::from(r#"{"id":"INC-000001"}"#),
    }
}

fn clock() -> Arc<dyn Clock> {
    Arc::new(FixedClock::new(
        DateTime::from_timestamp(1_760_000_000, 0).unwrap_or_default(),
    ))
}

#[test]
fn records_round_trip_through_their_encoding() {
    let binary = StoredResponse {
        body: Bytes::from_static(&[0, 159, 146, 150]),
        ..created()
    };
    for response in [created(), binary] {
        let record = done_record(&key("a"), &fp("f"), &response, Utc::now());
        assert_eq!(record.namespace, NAMESPACE);
        let (k, f, r) = decode(&record.value).unwrap();
        assert_eq!((k, f, r), (key("a"), fp("f"), Some(response)));
    }
    let pending = pending_record(&key("a:b"), &fp("f"), Utc::now());
    assert_eq!(pending.key, "5:tok-1:a:b");
    assert_eq!(decode(&pending.value), Some((key("a:b"), fp("f"), None)));
    assert_eq!(decode(b"not json"), None);
}

#[test]
fn a_restart_replays_done_keys_and_refuses_pending_ones() {
    let log = MemoryLog::new();
    let clock = clock();
    let now = clock.now();
    log.put_records(vec![
        done_record(&key("done"), &fp("1"), &created(), now),
        pending_record(&key("pending"), &fp("1"), now),
        // older than the retention: pruned at start
        done_record(
            &key("old"),
            &fp("1"),
            &created(),
            now - RETENTION - TimeDelta::seconds(1),
        ),
    ])
    .unwrap();
    let store = DurableIdempotencyStore::open(&log, clock, 10).unwrap();
    assert_eq!(store.len(), 2);
    assert_eq!(
        store.begin(&key("done"), &fp("1")),
        Begin::Replay(created())
    );
    assert_eq!(store.begin(&key("done"), &fp("2")), Begin::Mismatch);
    assert_eq!(
        store.begin(&key("pending"), &fp("1")),
        Begin::OutcomeUnknown
    );
    assert_eq!(store.begin(&key("pending"), &fp("2")), Begin::Mismatch);
    assert_eq!(store.begin(&key("old"), &fp("1")), Begin::Proceed);
    assert_eq!(
        log.load_records(NAMESPACE, now - TimeDelta::days(9))
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn only_responses_of_requests_that_reached_the_writer_are_queued() {
    let store = DurableIdempotencyStore::open(&MemoryLog::new(), clock(), 10).unwrap();
    assert_eq!(store.begin(&key("local"), &fp("1")), Begin::Proceed);
    store.complete(&key("local"), created());
    assert!(!store.has_responses());
    assert_eq!(store.begin(&key("sent"), &fp("1")), Begin::Proceed);
    assert!(store.attach(&key("sent")));
    assert!(!store.attach(&key("unknown")));
    store.settle(&key("sent"), true);
    store.complete(&key("sent"), created());
    let queued = store.take_responses();
    assert_eq!(queued.len(), 1);
    assert_eq!(decode(&queued[0].value).unwrap().2, Some(created()));
    store.requeue_responses(queued);
    assert!(store.has_responses());
}

#[test]
fn abandoned_keys_are_forgotten_only_if_nothing_can_have_run() {
    let store = DurableIdempotencyStore::open(&MemoryLog::new(), clock(), 10).unwrap();
    // never sent: forgotten
    store.begin(&key("a"), &fp("1"));
    store.abandon(&key("a"));
    assert_eq!(store.begin(&key("a"), &fp("1")), Begin::Proceed);
    // queued at the writer, then dropped by it: forgotten once the writer says so
    store.begin(&key("b"), &fp("1"));
    store.attach(&key("b"));
    store.abandon(&key("b"));
    assert_eq!(store.begin(&key("b"), &fp("1")), Begin::InProgress);
    store.settle(&key("b"), false);
    assert_eq!(store.begin(&key("b"), &fp("1")), Begin::Proceed);
    // queued, abandoned, then executed: outcome unknown
    store.begin(&key("c"), &fp("1"));
    store.attach(&key("c"));
    store.abandon(&key("c"));
    store.settle(&key("c"), true);
    assert_eq!(store.begin(&key("c"), &fp("1")), Begin::OutcomeUnknown);
    // executed, then a 5xx: outcome unknown
    store.begin(&key("d"), &fp("1"));
    store.attach(&key("d"));
    store.settle(&key("d"), true);
    store.abandon(&key("d"));
    assert_eq!(store.begin(&key("d"), &fp("1")), Begin::OutcomeUnknown);
    assert!(!store.has_responses());
}

#[test]
fn memory_is_bounded_and_keeps_the_newest_keys() {
    let store = DurableIdempotencyStore::open(&MemoryLog::new(), clock(), 2).unwrap();
    for k in ["a", "b", "c"] {
        assert_eq!(store.begin(&key(k), &fp("1")), Begin::Proceed);
    }
    assert_eq!(store.len(), 2);
    assert_eq!(store.begin(&key("c"), &fp("1")), Begin::InProgress);
    assert_eq!(store.begin(&key("a"), &fp("1")), Begin::Proceed);
}
