//! CLI tests of `audit verify|export` and `contract adopt` against the embedded store:
//! an intact chain, a changed event named by its position, who may audit, and how an
//! adopted contract's rules drive eligibility.

#[path = "support/embedded.rs"]
mod support;

use predicates::prelude::*;
use support::{World, at, repo};

#[test]
fn verify_names_the_first_changed_event() {
    let w = World::nrw();
    w.report_olpe();
    w.run(&at(1), "auditor", &["audit", "verify"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "the audit trail is intact: 3 event(s), head ",
        ));
    // when someone edits the actor of event 2 behind the store's back
    let conn = rusqlite::Connection::open(w.data.join("digisos.db")).unwrap();
    conn.execute_batch(
        "DROP TRIGGER events_no_update; UPDATE events SET actor = 'body:05966' WHERE position = 2;",
    )
    .unwrap();
    drop(conn);
    // then verify exits 1 and names position 2
    w.run(&at(2), "auditor", &["audit", "verify"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::starts_with(
            "error: the audit trail is broken at position 2: content does not match its hash",
        ))
        .stderr(predicate::str::contains(
            "events up to position 1 are intact",
        ));
    let out = w
        .run(&at(2), "auditor", &["--json", "audit", "verify"])
        .assert()
        .code(1);
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["intact"], false);
    assert_eq!(v["first_break"]["position"], 2);
}

#[test]
fn only_coordinator_and_auditor_read_the_audit_trail() {
    let w = World::nrw();
    for args in [
        ["audit", "verify"].as_slice(),
        ["audit", "export"].as_slice(),
    ] {
        w.run(&at(0), "body:05966", args)
            .assert()
            .code(1)
            .stderr(
                "error: body:05966 may not read the audit trail; act as --as auditor or --as coordinator\n",
            );
    }
    let empty = World::empty();
    empty
        .run(&at(0), "auditor", &["audit", "verify"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("there is no event store in"));
}

#[test]
fn export_writes_json_lines_after_a_position() {
    let w = World::nrw();
    let out = w.text(&at(0), "auditor", &["audit", "export", "--since", "1"]);
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1);
    let e = &lines[0];
    assert_eq!(e["position"], 2);
    assert_eq!(e["stream"], "register");
    assert_eq!(e["kind"], "register_imported");
    assert_eq!(e["actor"], "coordinator");
    assert_eq!(e["payload"]["source"], "register.csv");
    assert_eq!(e["hash"].as_str().unwrap().len(), 64);
}

#[test]
fn adopting_a_contract_records_versions_and_drives_eligibility() {
    let w = World::empty();
    let contract = repo("examples/nrw/contract.toml");
    // only the coordinator adopts, and only a valid contract
    w.run(&at(0), "auditor", &["contract", "adopt"])
        .arg(&contract)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("auditor may not adopt a contract"));
    w.run(&at(0), "coordinator", &["contract", "adopt"])
        .arg(repo(
            "crates/digisos-cli/tests/fixtures/broken-contract.toml",
        ))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("problem(s):"));
    w.run(&at(0), "coordinator", &["contract", "adopt"])
        .arg(&contract)
        .assert()
        .success()
        .stdout("adopted contract digi-sos-nrw-2025 (version 1) with 2 lot(s) and 4 provider(s)\n");
    let again = w
        .run(&at(1), "coordinator", &["--json", "contract", "adopt"])
        .arg(&contract)
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&again.get_output().stdout).unwrap();
    assert_eq!(v["version"], 2);
    // without a register every body is unknown; the adopted rules are used
    let d = w.json(
        &at(2),
        "coordinator",
        &["eligibility", "check", "05966", "--on", "2025-10-01"],
    );
    assert_eq!(d["eligible"], false);
    assert_eq!(d["reasons"][0]["message"], "05966 is not in the register");
    w.run(&at(3), "coordinator", &["registry", "import", "csv"])
        .arg(repo("examples/nrw/register.csv"))
        .assert()
        .success();
    let d = w.json(
        &at(4),
        "coordinator",
        &["eligibility", "check", "05966", "--on", "2025-10-01"],
    );
    assert_eq!(d["rule"], "municipal-territorial");
    // a body cannot import the register
    w.run(&at(5), "body:05966", &["registry", "import", "csv"])
        .arg(repo("examples/nrw/register.csv"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "body:05966 may not import the register",
        ));
}

#[test]
fn registry_lists_as_table_and_csv() {
    let w = World::nrw();
    let csv = w.text(
        &at(0),
        "coordinator",
        &["registry", "list", "--kind", "kreis", "--format", "csv"],
    );
    assert!(
        csv.starts_with("key,kind,name,regierungsbezirk,parent\n"),
        "{csv}"
    );
    assert!(csv.contains("05966,kreis,Olpe,059,-\n"), "{csv}");
    let table = w.text(&at(0), "coordinator", &["registry", "show", "05966004"]);
    assert!(table.contains("Attendorn, Hansestadt"), "{table}");
    assert!(table.contains("│ parent "), "{table}");
}
