//! CLI tests of `registry …` and `eligibility check` against generated GV100AD fixtures
//! and the example register in `examples/nrw/register.csv`; imports go through the event
//! store in the data directory.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

#[path = "../../digisos-core/tests/support/gv100ad.rs"]
mod fx;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn digisos(data: &Path) -> Command {
    let mut cmd = Command::cargo_bin("digisos").unwrap();
    cmd.arg("--data")
        .arg(data)
        .env_remove("DIGISOS_DATA")
        .env_remove("DIGISOS_STORE");
    cmd
}

fn json(data: &Path, args: &[&str]) -> Value {
    let out = digisos(data).arg("--json").args(args).assert().success();
    serde_json::from_slice(&out.get_output().stdout).unwrap()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn example_csv() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/nrw/register.csv")
}

#[test]
fn gv100ad_import_persists_and_counts_by_kind() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = write(dir.path(), "gv.txt", &fx::file(&fx::small_nrw(), true));
    digisos(&data)
        .args(["registry", "import", "gv100ad"])
        .arg(&file)
        .args(["--land", "05"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "(Gebietsstand 2023-11-30): 8 added, 0 replaced; the register holds 8 bodies",
        ));
    let stats = json(&data, &["registry", "stats"]);
    insta::assert_json_snapshot!(stats, @r#"
    {
      "bodies": 8,
      "by_kind": {
        "kreis": 2,
        "kreisangehoerige_gemeinde": 4,
        "kreisfreie_stadt": 2
      }
    }
    "#);
    let list = json(&data, &["registry", "list"]);
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.iter().filter(|n| **n == "Köln, Stadt").count(), 1);
    let aachen = json(&data, &["registry", "show", "05334002"]);
    assert_eq!(aachen["kind"], "kreisangehoerige_gemeinde");
    assert_eq!(aachen["parent"], "05334");
    assert_eq!(json(&data, &["registry", "show", "05334"])["kind"], "kreis");
    let kreise = json(&data, &["registry", "list", "--kind", "kreis"]);
    assert_eq!(kreise.as_array().unwrap().len(), 2);
}

#[test]
fn latin1_import_gives_the_same_register() {
    let dir = tempfile::tempdir().unwrap();
    let utf8 = write(dir.path(), "utf8.txt", &fx::file(&fx::small_nrw(), false));
    let latin1 = write(
        dir.path(),
        "latin1.txt",
        &fx::latin1(&fx::file(&fx::small_nrw(), true)),
    );
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for (data, file) in [(&a, &utf8), (&b, &latin1)] {
        digisos(data)
            .args(["registry", "import", "gv100ad"])
            .arg(file)
            .assert()
            .success();
    }
    assert_eq!(
        json(&a, &["registry", "list"]),
        json(&b, &["registry", "list"])
    );
    assert_eq!(
        json(&b, &["registry", "show", "05334012"])["name"],
        "Würselen, Stadt"
    );
}

#[test]
fn a_malformed_file_is_refused_whole_and_the_register_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let good = write(dir.path(), "good.txt", &fx::file(&fx::small_nrw(), false));
    digisos(&data)
        .args(["registry", "import", "gv100ad"])
        .arg(&good)
        .args(["--land", "05"])
        .assert()
        .success();
    let before = json(&data, &["registry", "list"]);
    let mut lines = fx::small_nrw();
    lines.push(fx::kreis("05970", "Siegen-Wittgenstein", "43"));
    lines[2] = fx::record("7x", fx::DATE, "05111", "", "X", "", "41");
    let bad = write(dir.path(), "bad.txt", &fx::file(&lines, false));
    digisos(&data)
        .args(["registry", "import", "gv100ad"])
        .arg(&bad)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "bad.txt: line 3: field Satzart: \"7x\" is not a known record type",
        ));
    assert_eq!(json(&data, &["registry", "list"]), before);
    // nothing was recorded: the log holds only the first import
    let export = digisos(&data).args(["audit", "export"]).assert().success();
    let stdout = String::from_utf8(export.get_output().stdout.clone()).unwrap();
    assert_eq!(stdout.lines().count(), 1);
    assert!(stdout.contains("\"source\":\"good.txt\""), "{stdout}");
}

#[test]
fn clear_errors_for_missing_files_unknown_keys_and_a_broken_store() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    digisos(&data)
        .args(["registry", "import", "csv", "/no/such/file.csv"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "error: reading /no/such/file.csv: No such file",
        ));
    digisos(&data)
        .args(["registry", "show", "05315000"])
        .assert()
        .code(1)
        .stderr("error: 05315000 is not in the register; check the key with `digisos registry list` or import it\n");
    digisos(&data)
        .args(["registry", "show", "0531"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("\"0531\" is not a body key"));
    let latin = write(dir.path(), "latin.csv", b"key,name,kind,land,regierungsbezirk,parent,owners,valid_from,valid_to\nLWL,M\xfcnster,landschaftsverband,05,,,,,\n");
    digisos(&data)
        .args(["registry", "import", "csv"])
        .arg(&latin)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "latin.csv: line 2: the file is not valid UTF-8",
        ));
    let broken = dir.path().join("broken");
    std::fs::create_dir_all(&broken).unwrap();
    std::fs::write(broken.join("digisos.db"), "not a database, just text").unwrap();
    digisos(&broken)
        .args(["registry", "stats"])
        .assert()
        .code(3)
        .stderr(predicate::str::starts_with("error: "));
}

#[test]
fn the_example_register_loads_and_answers_eligibility() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    digisos(&data)
        .args(["registry", "import", "csv"])
        .arg(example_csv())
        .assert()
        .success();
    let stats = json(&data, &["registry", "stats"]);
    assert_eq!(stats["bodies"], 80);
    assert_eq!(stats["by_kind"]["kreis"], 6);
    assert_eq!(stats["by_kind"]["kreisfreie_stadt"], 5);
    assert_eq!(stats["by_kind"]["kreisangehoerige_gemeinde"], 60);
    assert_eq!(stats["by_kind"]["landschaftsverband"], 2);
    let check = |key: &str| json(&data, &["eligibility", "check", key, "--on", "2025-06-01"]);
    let table = [
        ("05970040", true, "municipal-territorial"),
        ("LWL", true, "municipal-territorial"),
        ("IT-NRW", true, "state-authorities"),
        ("SIT", true, "municipal-corporations"),
        ("NRW-BANK", true, "public-institutions"),
        ("SW-SIEGERLAND-FIKTIV", true, "company-control"),
    ];
    for (key, eligible, rule) in table {
        let d = check(key);
        assert_eq!(d["eligible"], eligible, "{key}");
        assert_eq!(d["rule"], rule, "{key}");
        assert_eq!(d["reasons"], serde_json::json!([]), "{key}");
    }
    insta::assert_json_snapshot!(check("NETZ-FIKTIV"), @r#"
    {
      "eligible": false,
      "key": "NETZ-FIKTIV",
      "on": "2025-06-01",
      "reasons": [
        {
          "code": "control_below_threshold",
          "eligible_share": "30",
          "message": "eligible owners hold 30 %; control needs more than 50 %",
          "threshold": "50"
        },
        {
          "code": "owner_not_eligible",
          "message": "owner PRIVAT-FIKTIV (70 %) is not eligible",
          "owner": "PRIVAT-FIKTIV",
          "share_percent": "70"
        }
      ],
      "rule": null
    }
    "#);
    let bsi = check("BSI");
    assert_eq!(bsi["eligible"], false);
    assert_eq!(bsi["reasons"][0]["code"], "kind_not_eligible");
    let unknown = check("05999000");
    assert_eq!(
        unknown["reasons"][0]["message"],
        "05999000 is not in the register"
    );
    digisos(&data)
        .args(["eligibility", "check", "SW-SIEGERLAND-FIKTIV", "--on", "2019-12-31"])
        .assert()
        .success()
        .stdout("SW-SIEGERLAND-FIKTIV is not eligible on 2019-12-31:\n  - the body exists only from 2020-01-01\n");
}

#[test]
fn the_default_date_is_today_in_berlin() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    digisos(&data)
        .args(["registry", "import", "csv"])
        .arg(example_csv())
        .assert()
        .success();
    let d = json(
        &data,
        &[
            "--now",
            "2025-12-31T23:30:00Z",
            "eligibility",
            "check",
            "LVR",
        ],
    );
    assert_eq!(d["on"], "2026-01-01");
}
