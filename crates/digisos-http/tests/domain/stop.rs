//! A planned stop of the writer leaves a snapshot, so the next start restores the state
//! instead of replaying the log; the incident events the read model no longer holds are
//! read from the log.

use std::sync::Arc;

use digisos_core::principal::Principal;
use digisos_core::programme::Command;
use digisos_core::service::Service;
use digisos_http::ServiceHandle;
use digisos_http::clock::FixedClock;
use digisos_store::ProgrammeLog;

use super::support::t0;

fn tokens(n: usize) -> Vec<(Command, Principal)> {
    (0..n)
        .map(|i| {
            (
                Command::IssueToken {
                    token_id: format!("tok-{i:05}"),
                    token_hash: format!("{i:064x}"),
                    principal: Principal::auditor(),
                    label: "stop test".into(),
                },
                Principal::coordinator(),
            )
        })
        .collect()
}

#[test]
fn a_planned_stop_writes_a_snapshot_that_the_next_start_restores() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("digisos.db").display());
    let mut service = Service::open(ProgrammeLog::open(&url).unwrap()).unwrap();
    for outcome in service.execute_batch(&tokens(1_200), t0()).unwrap() {
        outcome.unwrap();
    }
    let position = service.position();
    assert_eq!(
        service.snapshot_position(),
        0,
        "no snapshot before the stop"
    );
    let handle = ServiceHandle::start(service, Arc::new(FixedClock::new(t0()))).unwrap();
    assert_eq!(
        handle.read().position(),
        position,
        "read model starts at the service"
    );
    handle.shutdown();
    drop(handle);

    let reopened = Service::open(ProgrammeLog::open(&url).unwrap()).unwrap();
    assert_eq!(reopened.position(), position);
    assert_eq!(
        reopened.snapshot_position(),
        position,
        "restored from the snapshot written at the stop"
    );
}
