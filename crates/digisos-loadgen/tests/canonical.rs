//! The store's canonical payload encoder (written straight from the typed event) renders
//! every event of a simulated programme exactly as the reference path does (build the
//! JSON tree, then sort its keys) — so the hash chain means the same as before.

use chrono::TimeDelta;
use digisos_core::service::{MemoryStore, Service, Store};
use digisos_loadgen::driver::Driver;
use digisos_loadgen::scenario::{Limits, set_up, t0};
use digisos_store::Payload;
use digisos_store::hash::canonical_json;
use std::collections::BTreeSet;

#[test]
fn every_event_of_a_simulated_programme_encodes_like_the_reference() {
    let mut service = Service::open(MemoryStore::new()).unwrap();
    set_up(&mut service, Limits::Example, t0()).unwrap();
    let mut driver = Driver::new(service.state(), 40);
    for minute in 0..600 {
        let now = t0() + TimeDelta::minutes(minute * 7);
        let steps = driver.next_batch(service.state(), now, 16);
        let commands: Vec<_> = steps
            .iter()
            .map(|s| (s.command.clone(), s.by.clone()))
            .collect();
        for (step, outcome) in steps
            .iter()
            .zip(service.execute_batch(&commands, now).unwrap())
        {
            driver.record(step, &outcome);
        }
    }
    let recorded = service.store().read_after(0).unwrap();
    let mut kinds = BTreeSet::new();
    for r in &recorded {
        let reference = canonical_json(&serde_json::to_value(&r.event).unwrap());
        let fast = Payload::encode(&r.event).unwrap();
        assert_eq!(fast.as_str(), reference, "event at {}", r.position);
        kinds.insert(r.event.kind_name());
    }
    assert!(recorded.len() > 5_000, "{} events", recorded.len());
    assert!(kinds.len() >= 14, "only {} kinds: {kinds:?}", kinds.len());
}
