//! The concurrency property: writers racing on one lock key never overspend a budget,
//! whether they share an instance, a SQLite file or a PostgreSQL database.

use crate::backends::Backend;
use crate::t0;
use chrono::Duration;
use digisos_store::{EventLogExt, NewEvent, StoreError};
use serde_json::json;

/// 16 threads race to reserve 70 each from a budget of 1000 under one lock key: exactly
/// 14 may win, and the stream must sum to 980.
pub(crate) fn budget_is_never_overspent(b: &dyn Backend, instances: usize) {
    let logs: Vec<_> = (0..instances).map(|_| b.instance()).collect();
    let wins: usize = std::thread::scope(|s| {
        let handles: Vec<_> = (0..16)
            .map(|i| {
                let log = logs[i % logs.len()].clone();
                s.spawn(move || {
                    let (won, _) = log
                        .transact::<_, StoreError, _>("contract-x", |tx| {
                            let spent: i64 = tx
                                .read_stream("contract-x", 1)?
                                .iter()
                                .map(|e| {
                                    e.payload.to_value().unwrap()["amount"]
                                        .as_i64()
                                        .unwrap_or(0)
                                })
                                .sum();
                            if spent + 70 > 1000 {
                                return Ok((false, vec![]));
                            }
                            let at = t0() + Duration::seconds(i as i64);
                            Ok((
                                true,
                                vec![NewEvent::new(
                                    "contract-x",
                                    "Reserved",
                                    format!("body:{i:08}"),
                                    at,
                                    json!({"amount": 70}),
                                )],
                            ))
                        })
                        .unwrap();
                    usize::from(won)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    assert_eq!(wins, 14);
    let events = b.log().read_stream("contract-x", 1).unwrap();
    let spent: i64 = events
        .iter()
        .map(|e| e.payload.to_value().unwrap()["amount"].as_i64().unwrap())
        .sum();
    assert_eq!((events.len(), spent), (14, 980));
    assert_eq!(b.log().last_position().unwrap(), 14);
    assert!(b.log().verify().unwrap().is_intact());
}
