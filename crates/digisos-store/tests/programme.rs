//! The domain service over the SQLite log: what was acknowledged survives a reopen, and
//! the replayed state equals the state before.

use chrono::{TimeZone, Utc};
use digisos_core::contract::ContractSpec;
use digisos_core::principal::Principal;
use digisos_core::programme::Command;
use digisos_core::service::Service;
use digisos_store::ProgrammeLog;

const CONTRACT: &str = include_str!("../../../examples/nrw/contract.toml");
const REGISTER: &[u8] = include_bytes!("../../../examples/nrw/register.csv");

#[test]
fn the_programme_survives_a_reopen_of_the_sqlite_log() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("digisos.db").display());
    let at = Utc.with_ymd_and_hms(2025, 10, 1, 8, 0, 0).unwrap();
    let coordinator = Principal::coordinator();
    let (incidents, ledger, bodies) = {
        let mut service = Service::open(ProgrammeLog::open(&url).unwrap()).unwrap();
        let spec: ContractSpec = toml::from_str(CONTRACT).unwrap();
        let import = digisos_core::register::csv::parse(REGISTER).unwrap();
        service
            .execute(&Command::AdoptContract(Box::new(spec)), &coordinator, at)
            .unwrap()
            .unwrap();
        service
            .execute(
                &Command::ImportRegister {
                    source: "register.csv".into(),
                    import,
                },
                &coordinator,
                at,
            )
            .unwrap()
            .unwrap();
        assert_eq!(service.position(), 2);
        (
            service.state().incidents().clone(),
            service.state().ledger().clone(),
            service.state().register().len(),
        )
    };
    let service = Service::open(ProgrammeLog::open(&url).unwrap()).unwrap();
    assert_eq!(service.position(), 2);
    assert!(service.state().contract().is_some());
    assert!(bodies > 30);
    assert_eq!(service.state().register().len(), bodies);
    assert_eq!(service.state().incidents(), &incidents);
    assert_eq!(service.state().ledger(), &ledger);
    let report = service.store().log().verify().unwrap();
    assert!(report.is_intact());
}

/// Staged records commit with the next batch, also one that appends no event (a
/// rejected command); after a failed write they stay staged.
#[test]
fn staged_records_commit_with_the_next_batch() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("digisos.db").display());
    let at = Utc.with_ymd_and_hms(2025, 10, 1, 8, 0, 0).unwrap();
    let coordinator = Principal::coordinator();
    let record = |key: &str| digisos_store::Record::new("idem", key, b"v".to_vec(), at);
    {
        let mut service = Service::open(ProgrammeLog::open(&url).unwrap()).unwrap();
        service.store().stage_records([record("rejected")]);
        // an auditor may not import the register: no event, but the record commits
        let rejected = Command::ImportRegister {
            source: "register.csv".into(),
            import: digisos_core::register::csv::parse(REGISTER).unwrap(),
        };
        let outcomes = service
            .execute_batch(&[(rejected, Principal::auditor())], at)
            .unwrap();
        assert_eq!(outcomes.len(), 1);
        assert!(outcomes[0].is_err(), "the command is rejected");
        assert_eq!(service.position(), 0);
        assert!(
            service.store().take_staged().is_empty(),
            "written, not kept"
        );

        // an invalid record fails the write: the batch's records stay staged
        service.store().stage_records([record("kept"), record("")]);
        let spec: ContractSpec = toml::from_str(CONTRACT).unwrap();
        let adopt = Command::AdoptContract(Box::new(spec));
        assert!(service.execute(&adopt, &coordinator, at).is_err());
        let kept: Vec<String> = service
            .store()
            .take_staged()
            .into_iter()
            .map(|r| r.key)
            .collect();
        assert_eq!(kept, ["kept", ""]);
        assert_eq!(service.store().log().last_position().unwrap(), 0);
    }
    let log = ProgrammeLog::open(&url).unwrap();
    let keys: Vec<String> = log
        .log()
        .load_records("idem", at)
        .unwrap()
        .into_iter()
        .map(|r| r.key)
        .collect();
    assert_eq!(keys, ["rejected"]);
}
