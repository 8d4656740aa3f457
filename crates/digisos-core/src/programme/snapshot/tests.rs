//! Snapshot round trips and refusals: the whole snapshot through JSON, and the bulk
//! through a binary format that is not self-describing (postcard, as the store writes it).

use super::*;
use crate::principal::Principal;
use crate::programme::{Command, ProgrammeEvent};
use chrono::{TimeZone, Utc};

const CONTRACT: &str = include_str!("../../../../../examples/nrw/contract.toml");
const REGISTER: &[u8] = include_bytes!("../../../../../examples/nrw/register.csv");

/// A programme with the example contract, register and a token.
fn programme() -> Programme {
    let at = Utc.with_ymd_and_hms(2025, 9, 1, 8, 0, 0).unwrap();
    let spec: ContractSpec = toml::from_str(CONTRACT).unwrap();
    let commands = [
        Command::AdoptContract(Box::new(spec)),
        Command::ImportRegister {
            source: "register.csv".into(),
            import: crate::register::csv::parse(REGISTER).unwrap(),
        },
        Command::IssueToken {
            token_id: "t1".into(),
            token_hash: "h1".into(),
            principal: Principal::auditor(),
            label: "audit".into(),
        },
    ];
    let mut p = Programme::new();
    for c in &commands {
        let events: Vec<ProgrammeEvent> = p.decide(c, &Principal::coordinator(), at).unwrap();
        for e in &events {
            p.apply(e);
        }
    }
    p
}

#[test]
fn a_programme_survives_a_round_trip_with_contract_calendars_and_counters() {
    let p = programme();
    let text = serde_json::to_string(&p).unwrap();
    let back: Programme = serde_json::from_str(&text).unwrap();
    assert_eq!(back, p);
    assert_eq!(back.contract_versions(), 1);
    assert_eq!(back.events_applied(), 3);
    assert_eq!(back.calendars(), p.calendars());
    assert!(back.token_by_hash("h1").is_some());
}

#[test]
fn an_empty_programme_survives_a_round_trip() {
    let text = serde_json::to_string(&Programme::new()).unwrap();
    let back: Programme = serde_json::from_str(&text).unwrap();
    assert_eq!(back, Programme::new());
}

#[test]
fn a_snapshot_in_another_format_is_refused() {
    let mut value = serde_json::to_value(programme()).unwrap();
    value["head"]["format"] = serde_json::json!(SNAPSHOT_FORMAT + 1);
    let err = serde_json::from_value::<Programme>(value).unwrap_err();
    assert!(
        err.to_string().contains(&format!(
            "snapshot format {} is not the format this binary writes ({SNAPSHOT_FORMAT})",
            SNAPSHOT_FORMAT + 1
        )),
        "{err}"
    );
}

#[test]
fn a_snapshot_whose_contract_no_longer_validates_is_refused() {
    let mut value = serde_json::to_value(programme()).unwrap();
    value["head"]["contract"]["maximum_value"] = serde_json::json!("-1");
    let err = serde_json::from_value::<Programme>(value).unwrap_err();
    assert!(
        err.to_string()
            .contains("the contract in the snapshot does not validate any more"),
        "{err}"
    );
}

#[test]
fn a_snapshot_with_unknown_fields_is_refused() {
    let mut value = serde_json::to_value(programme()).unwrap();
    value["surprise"] = serde_json::json!(1);
    assert!(serde_json::from_value::<Programme>(value).is_err());
}

#[test]
fn the_bulk_survives_a_binary_format_and_the_head_json() {
    let p = programme();
    let head = serde_json::to_string(&p.snapshot_head()).unwrap();
    let bulk = postcard::to_stdvec(&p.snapshot_bulk()).unwrap();
    let back = Programme::from_snapshot(
        serde_json::from_str(&head).unwrap(),
        postcard::from_bytes(&bulk).unwrap(),
    )
    .unwrap();
    assert_eq!(back, p);
}

#[test]
fn a_head_in_another_format_is_refused() {
    let p = programme();
    let mut head = serde_json::to_value(p.snapshot_head()).unwrap();
    head["format"] = serde_json::json!(1);
    let head: HeadData = serde_json::from_value(head).unwrap();
    assert_eq!(head.format(), 1);
    let bulk = postcard::from_bytes(&postcard::to_stdvec(&p.snapshot_bulk()).unwrap()).unwrap();
    assert_eq!(
        Programme::from_snapshot(head, bulk),
        Err(SnapshotError::Format {
            found: 1,
            known: SNAPSHOT_FORMAT
        })
    );
}
