//! CLI tests of `digisos contract validate|show` on the example contract and a broken one.

use assert_cmd::Command;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn digisos() -> Command {
    Command::cargo_bin("digisos").expect("binary built")
}

#[test]
fn the_example_contract_is_valid() {
    let out = digisos()
        .args(["contract", "validate"])
        .arg(root().join("examples/nrw/contract.toml"))
        .args(["--json"])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["valid"], true);
    assert_eq!(v["lots"], 2);
    assert_eq!(v["providers"], 4);
}

#[test]
fn show_prints_a_summary() {
    let out = digisos()
        .current_dir(root())
        .args(["contract", "show", "examples/nrw/contract.toml"])
        .output()
        .expect("runs");
    assert!(out.status.success());
    insta::assert_snapshot!("contract_show", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn show_json_has_the_lots_and_money_as_strings() {
    let out = digisos()
        .current_dir(root())
        .args(["contract", "show", "examples/nrw/contract.toml", "--json"])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["maximum_value"], "10000000.00");
    assert_eq!(v["lots"][1]["providers"][0], "westfalen-cert");
    assert_eq!(v["lots"][0]["rates"]["forensic_analyst"], "185.00");
}

#[test]
fn a_broken_contract_lists_every_problem_and_exits_1() {
    let out = digisos()
        .current_dir(root())
        .args([
            "contract",
            "validate",
            "crates/digisos-cli/tests/fixtures/broken-contract.toml",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(
        "contract_validate_broken",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn missing_file_and_bad_toml_are_clear_errors() {
    let out = digisos()
        .args(["contract", "validate", "/nonexistent/contract.toml"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(3));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("reading contract file /nonexistent/contract.toml")
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "id = \"x\"\ntitle = [").expect("write");
    let out = digisos()
        .args(["contract", "validate"])
        .arg(&bad)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.toml"));
}
