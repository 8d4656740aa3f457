//! Conformance of the snapshot table: a snapshot is kept with the hash of the event at
//! its position and is only ever handed back while that event is still there.

use super::amount;
use super::backends::Backend;
use digisos_store::StoreError;

pub(crate) fn snapshots_belong_to_their_log(b: &dyn Backend) {
    let log = b.log();
    assert_eq!(log.load_snapshot(1).unwrap(), None);
    for i in 1..=3 {
        log.append(&[], vec![amount(i)]).unwrap();
    }
    for position in [0, 4] {
        assert!(matches!(
            log.save_snapshot(position, 1, b"x"),
            Err(StoreError::NoSuchPosition { position: p, last: 3 }) if p == position
        ));
    }
    assert_eq!(log.load_snapshot(1).unwrap(), None);

    log.save_snapshot(2, 1, b"at two").unwrap();
    log.save_snapshot(3, 1, b"at three").unwrap();
    assert_eq!(
        log.load_snapshot(1).unwrap(),
        Some((3, b"at three".to_vec()))
    );
    assert_eq!(log.load_snapshot(2).unwrap(), None, "another format");

    // the same position again replaces it; an older one is written and pruned
    log.save_snapshot(3, 1, b"at three, again").unwrap();
    log.save_snapshot(1, 1, b"at one").unwrap();
    assert_eq!(
        log.load_snapshot(1).unwrap(),
        Some((3, b"at three, again".to_vec()))
    );

    // a state is bytes of any value, also one spanning many database pages
    let big: Vec<u8> = (0..3_000_000u32).map(|i| (i * 7 % 256) as u8).collect();
    log.save_snapshot(3, 1, &big).unwrap();
    assert_eq!(log.load_snapshot(1).unwrap(), Some((3, big)));

    // a snapshot whose event hash is not the log's is never handed back
    b.overwrite_snapshot_hash(3, &"0".repeat(64));
    assert_eq!(log.load_snapshot(1).unwrap(), Some((2, b"at two".to_vec())));
    b.overwrite_snapshot_hash(2, &"0".repeat(64));
    assert_eq!(log.load_snapshot(1).unwrap(), None);

    // snapshots never touch the events
    assert_eq!(log.last_position().unwrap(), 3);
    assert!(log.verify().unwrap().is_intact());
}
