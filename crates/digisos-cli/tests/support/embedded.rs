//! Helpers for CLI tests in embedded mode: a temp data directory per test, a fixed clock
//! (`t0` = Thursday 2 October 2025, 20:00 in Berlin; the 3rd is a public holiday), and
//! the example NRW contract and register adopted a month before.

#![allow(dead_code, clippy::unwrap_used)] // each test file uses a part of the helpers

use assert_cmd::Command;
use assert_cmd::assert::Assert;
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// One test's data directory and the instant `t0` its steps are timed from.
pub(crate) struct World {
    _dir: tempfile::TempDir,
    pub(crate) data: PathBuf,
}

/// `t0`: 2025-10-02T18:00:00Z (20:00 in Berlin).
pub(crate) fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2025-10-02T18:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// `t0` plus `m` minutes, as an RFC 3339 argument.
pub(crate) fn at(m: i64) -> String {
    (t0() + TimeDelta::minutes(m)).to_rfc3339()
}

/// A path in the repository.
pub(crate) fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

impl World {
    /// An empty data directory.
    pub(crate) fn empty() -> World {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        World { _dir: dir, data }
    }

    /// A data directory with the example contract adopted and the example register
    /// imported 30 days before `t0`.
    pub(crate) fn nrw() -> World {
        let w = World::empty();
        let before = at(-30 * 24 * 60);
        w.run(&before, "coordinator", &["contract", "adopt"])
            .arg(repo("examples/nrw/contract.toml"))
            .assert()
            .success();
        w.run(&before, "coordinator", &["registry", "import", "csv"])
            .arg(repo("examples/nrw/register.csv"))
            .assert()
            .success();
        w
    }

    /// `digisos --data DIR --now NOW --as WHO ARGS…` (environment cleared of overrides).
    pub(crate) fn run(&self, now: &str, who: &str, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("digisos").unwrap();
        cmd.env_remove("DIGISOS_DATA")
            .env_remove("DIGISOS_STORE")
            .arg("--data")
            .arg(&self.data)
            .args(["--now", now, "--as", who])
            .args(args);
        cmd
    }

    /// Runs and expects success.
    pub(crate) fn ok(&self, now: &str, who: &str, args: &[&str]) -> Assert {
        self.run(now, who, args).assert().success()
    }

    /// Runs with `--json`, expects success and parses stdout.
    pub(crate) fn json(&self, now: &str, who: &str, args: &[&str]) -> Value {
        let out = self.run(now, who, args).arg("--json").output().unwrap();
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// Runs and returns stdout as text, expecting success.
    pub(crate) fn text(&self, now: &str, who: &str, args: &[&str]) -> String {
        let out = self.ok(now, who, args);
        String::from_utf8(out.get_output().stdout.clone()).unwrap()
    }

    /// Kreis Olpe reports a ransomware incident at `t0` (aware 30 min before, personal
    /// data affected, on-site help needed); returns its id.
    pub(crate) fn report_olpe(&self) -> String {
        let v = self.json(
            &at(0),
            "body:05966",
            &[
                "incident",
                "report",
                "--body",
                "05966",
                "--title",
                "Ransomware: Fachverfahren verschlüsselt",
                "--description",
                "Der kommunale IT-Dienstleister ist ausgefallen",
                "--category",
                "ransomware",
                "--aware-at",
                &at(-30),
                "--service",
                "Kfz-Zulassung",
                "--service",
                "Meldewesen",
                "--personal-data",
                "--on-site",
            ],
        );
        assert_eq!(v["state"], "reported");
        v["incident"].as_str().unwrap().to_string()
    }

    /// Triage critical for lot 2 at `t0`+5 and dispatch 5 person-days at `t0`+10.
    pub(crate) fn triage_and_dispatch(&self, id: &str) {
        self.ok(
            &at(5),
            "coordinator",
            &[
                "incident",
                "triage",
                id,
                "--severity",
                "critical",
                "--lot",
                "los-2-westfalen",
            ],
        );
        self.ok(
            &at(10),
            "coordinator",
            &["incident", "dispatch", id, "--person-days", "5"],
        );
    }
}
