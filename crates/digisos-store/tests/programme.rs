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
