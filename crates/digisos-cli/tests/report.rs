//! CLI tests of `digisos report …` and `digisos export ocds` on a small deterministic
//! programme written to a temporary SQLite store through the service: every report in
//! table, JSON and CSV form is snapshot-tested.

#![allow(clippy::unwrap_used)] // tests fail loudly on any unexpected error

use assert_cmd::Command;
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Europe::Berlin;
use digisos_core::contract::ContractSpec;
use digisos_core::duties::Nis2Class;
use digisos_core::ids::{LotId, ProviderId, RoleId};
use digisos_core::incident::{
    Estimate, IncidentCategory, IncidentCommand as C, IncidentId, Report, TimeEntryNo,
};
use digisos_core::money::Money;
use digisos_core::principal::Principal;
use digisos_core::programme::{Command as P, ProgrammeEvent};
use digisos_core::service::Service;
use digisos_core::sla::Severity;
use digisos_store::ProgrammeLog;
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Monday 27 October 2025, 03:00 CET.
fn t0() -> DateTime<Utc> {
    Berlin
        .with_ymd_and_hms(2025, 10, 27, 3, 0, 0)
        .unwrap()
        .to_utc()
}

fn min(m: i64) -> DateTime<Utc> {
    t0() + TimeDelta::minutes(m)
}

const NOW: &str = "2025-10-31T03:00:00+01:00";

struct World(Service<ProgrammeLog>);

impl World {
    fn run(&mut self, id: &IncidentId, by: &Principal, command: C, at: i64) {
        let command = P::Incident {
            id: id.clone(),
            command,
        };
        self.0.execute(&command, by, min(at)).unwrap().unwrap();
    }

    fn report(&mut self, body: &str, nis2: Nis2Class, at: i64) -> IncidentId {
        let report = Report {
            body: body.into(),
            title: "Fachverfahren nicht erreichbar".into(),
            description: String::new(),
            category: IncidentCategory::Ransomware,
            aware_at: min(at - 15),
            affected_services: vec![],
            personal_data: false,
            nis2,
            on_site_needed: false,
        };
        let by = Principal::body(body).unwrap();
        let r = self
            .0
            .execute(&P::Report(report), &by, min(at))
            .unwrap()
            .unwrap();
        match &r[0].event {
            ProgrammeEvent::Incident { id, .. } => id.clone(),
            other => panic!("{other:?}"),
        }
    }
}

/// Three incidents: one settled and closed, one cascaded after a missed window, one
/// utility whose NIS2 duties fall overdue.
fn programme(dir: &Path) {
    let url = format!("sqlite://{}", dir.join("digisos.db").display());
    let mut w = World(Service::open(ProgrammeLog::open(&url).unwrap()).unwrap());
    let c = Principal::coordinator();
    let text = std::fs::read_to_string(root().join("examples/nrw/contract.toml")).unwrap();
    let spec: ContractSpec = toml::from_str(&text).unwrap();
    let bytes = std::fs::read(root().join("examples/nrw/register.csv")).unwrap();
    let import = digisos_core::register::csv::parse(&bytes).unwrap();
    let setup = t0() - TimeDelta::days(1);
    w.0.execute(&P::AdoptContract(Box::new(spec)), &c, setup)
        .unwrap()
        .unwrap();
    let source = "register.csv".to_string();
    w.0.execute(&P::ImportRegister { source, import }, &c, setup)
        .unwrap()
        .unwrap();
    let lot = || LotId::new("los-2-westfalen").unwrap();
    let wc = Principal::provider(ProviderId::new("westfalen-cert").unwrap());
    let rs = Principal::provider(ProviderId::new("ruhrschild").unwrap());

    let one = w.report("05966", Nis2Class::None, 0);
    w.run(
        &one,
        &c,
        C::Triage {
            severity: Severity::Critical,
            lot: lot(),
        },
        5,
    );
    let days = Estimate::PersonDays(Decimal::from(5));
    w.run(&one, &c, C::Dispatch { estimate: days }, 6);
    w.run(&one, &wc, C::Accept, 26);
    w.run(&one, &wc, C::RecordFirstContact, 56);
    let role = RoleId::new("forensic_analyst").unwrap();
    let (start, end) = (min(120), min(600));
    let entry = C::SubmitTimeEntry {
        role,
        start,
        end,
        description: "Forensik".into(),
    };
    w.run(&one, &wc, entry, 610);
    let olpe = Principal::body("05966").unwrap();
    w.run(
        &one,
        &olpe,
        C::ApproveTimeEntry {
            entry: TimeEntryNo(1),
        },
        700,
    );
    w.run(&one, &wc, C::Contain, 1500);
    w.run(&one, &wc, C::Recover, 2880);
    w.run(
        &one,
        &c,
        C::Close {
            final_report_ref: "AB-1".into(),
        },
        3000,
    );

    let two = w.report("05970040", Nis2Class::None, 10);
    w.run(
        &two,
        &c,
        C::Triage {
            severity: Severity::Critical,
            lot: lot(),
        },
        15,
    );
    let amount = Estimate::Amount(Money::euro(10_000));
    w.run(&two, &c, C::Dispatch { estimate: amount }, 16);
    w.0.tick(min(90)).unwrap();
    w.run(&two, &rs, C::Accept, 106);

    let three = w.report("SW-SIEGERLAND-FIKTIV", Nis2Class::Important, 30);
    w.run(
        &three,
        &c,
        C::Triage {
            severity: Severity::Medium,
            lot: lot(),
        },
        40,
    );
}

fn digisos(dir: &Path, args: &[&str]) -> String {
    let out = Command::cargo_bin("digisos")
        .unwrap()
        .arg("--data")
        .arg(dir)
        .args(["--now", NOW])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn every_report_in_every_form() {
    let dir = tempfile::tempdir().unwrap();
    programme(dir.path());
    for report in ["utilisation", "sla", "incidents", "duties"] {
        for (form, args) in [
            ("table", vec![]),
            ("json", vec!["--json"]),
            ("csv", vec!["--format", "csv"]),
        ] {
            let mut all = vec!["report", report];
            all.extend(args);
            let out = digisos(dir.path(), &all);
            insta::assert_snapshot!(format!("{report}_{form}"), out);
        }
    }
    let breaches = digisos(
        dir.path(),
        &["report", "sla", "--format", "csv", "--breaches"],
    );
    insta::assert_snapshot!("sla_breaches_csv", breaches);
}

#[test]
fn json_output_parses_and_format_json_equals_json_flag() {
    let dir = tempfile::tempdir().unwrap();
    programme(dir.path());
    let flag = digisos(dir.path(), &["report", "utilisation", "--json"]);
    let format = digisos(dir.path(), &["report", "utilisation", "--format", "json"]);
    assert_eq!(flag, format);
    let v: serde_json::Value = serde_json::from_str(&flag).unwrap();
    assert_eq!(v["lines"][0]["scope"], "contract");
    // 05:00–13:00 CET as forensic analyst: 1 h at night (+25 %) and 7 h at 180 EUR
    assert_eq!(v["lines"][0]["posted"], "1485.00");
}

#[test]
fn ocds_export_flags_the_framework_and_links_the_call_offs() {
    let dir = tempfile::tempdir().unwrap();
    programme(dir.path());
    let out = digisos(
        dir.path(),
        &["export", "ocds", "--ocid-prefix", "ocds-a1b2c3"],
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["version"], "1.1");
    let releases = v["releases"].as_array().unwrap();
    assert_eq!(releases.len(), 3);
    let framework = &releases[0];
    assert_eq!(
        framework["tender"]["techniques"]["hasFrameworkAgreement"],
        true
    );
    assert_eq!(framework["buyer"]["id"], "awarding-authority");
    for r in &releases[1..] {
        let link = &r["relatedProcesses"][0];
        assert_eq!(link["relationship"][0], "framework");
        assert_eq!(link["scheme"], "ocid");
        assert_eq!(link["identifier"], framework["ocid"]);
        assert_eq!(r["awards"][0]["value"]["currency"], "EUR");
    }
    assert_eq!(releases[1]["contracts"][0]["value"]["amount"], 1485);
    insta::assert_snapshot!("ocds_export", out);
}

#[test]
fn a_bad_ocid_prefix_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    Command::cargo_bin("digisos")
        .unwrap()
        .arg("--data")
        .arg(dir.path())
        .args(["export", "ocds", "--ocid-prefix", "ocds-1"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "ocid prefix \"ocds-1\" is not valid",
        ));
}
