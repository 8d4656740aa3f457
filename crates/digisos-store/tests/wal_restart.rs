//! Under sustained writes the WAL of a SQLite log starts over from its beginning again and
//! again, instead of growing until the writer's backstop checkpoint (50,000 pages, about
//! 200 MB) — the background checkpoint thread finishes each round on the writer's
//! connection (see `sqlite/checkpoint.rs`).

#![allow(clippy::unwrap_used)]

use chrono::{TimeZone, Utc};
use digisos_store::{EventLog, NewEvent, SqliteLog};
use serde_json::json;

/// Bytes of one WAL frame: a 24-byte header and a 4 KiB page.
const FRAME: u64 = 24 + 4096;

#[test]
fn the_wal_restarts_under_sustained_writes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("log.db");
    let log = SqliteLog::open(&db).unwrap();
    let wal = dir.path().join("log.db-wal");
    let at = Utc.with_ymd_and_hms(2025, 3, 1, 8, 0, 0).unwrap();
    // 24,000 events of about one page each
    let filler = "x".repeat(3_500);
    let mut largest = 0;
    for batch in 0..1_200 {
        let events = (0..20)
            .map(|i| {
                let n = batch * 20 + i;
                NewEvent::new(
                    format!("stream-{}", n % 97),
                    "Filled",
                    "coordinator",
                    at,
                    json!({"n": n, "filler": filler}),
                )
            })
            .collect();
        log.append(&[], events).unwrap();
        largest = largest.max(std::fs::metadata(&wal).unwrap().len());
    }
    let frames = largest / FRAME;
    // restarted from 4,096 pages on, so the file holds a few thousand frames at most;
    // without restarts it grew to about 45,000 frames (table and index pages)
    assert!(
        frames < 12_000,
        "the WAL grew to {frames} frames ({largest} bytes) instead of restarting"
    );
    assert_eq!(log.read_all(1, usize::MAX).unwrap().len(), 24_000);
}
