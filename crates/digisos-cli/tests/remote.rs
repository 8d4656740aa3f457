//! Remote mode: the same incident scenario run once embedded (`--data`, `--now`, `--as`)
//! and once against a spawned `digisos serve` (`--server`, `--token`) prints the same
//! tables and JSON, modulo timestamps and measured durations (the server's clock decides
//! `at` remotely). The reports and the OCDS export the server computes are also compared
//! exactly with the embedded ones over the server's own store at the server's instant.
//! Also: `--as` with `--server` is a usage error, a bad token exit 1, an unreachable
//! server exit 3.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use assert_cmd::Command;
use chrono::{DateTime, TimeDelta, Utc};
use predicates::prelude::*;
use serde_json::Value;
use std::io::{BufRead as _, BufReader, Read as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_digisos");

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

fn digisos() -> Command {
    let mut cmd = Command::new(BIN);
    for var in ["DIGISOS_DATA", "DIGISOS_STORE", "DIGISOS_TOKEN"] {
        cmd.env_remove(var);
    }
    cmd
}

/// Replaces every RFC 3339 instant (`2025-10-02T20:00:00+02:00`, `…Z`, with fractions)
/// by `<T>`, every local time of a table (`2025-10-02 20:00 CEST`) by `<L>`, every
/// publication stamp (`20251002T180000Z`) by `<S>`, and the open time a clock consumed
/// (nanoseconds) and the durations the reports measured (seconds) by `<D>`. Runs of
/// blanks and of table rules collapse to one, since a table column is as wide as its
/// widest instant (whose fraction has 0, 3, 6 or 9 digits).
fn normalise(text: &str) -> String {
    let mut out = String::new();
    for ch in measured(text).chars() {
        let rule = matches!(ch, ' ' | '─' | '═');
        if !(rule && out.ends_with(ch)) {
            out.push(ch);
        }
    }
    out
}

/// Replaces stamps (see `stamps`) and measured durations by placeholders.
fn measured(text: &str) -> String {
    let text = stamps(text);
    let mut out = String::new();
    let mut rest = text.as_str();
    let keys = [
        "\"consumed\": ",
        "\"median_seconds\": ",
        "\"p90_seconds\": ",
    ];
    while let Some((i, key)) = keys
        .iter()
        .filter_map(|k| rest.find(k).map(|i| (i, *k)))
        .min()
    {
        out.push_str(&rest[..i + key.len()]);
        let after = &rest[i + key.len()..];
        let number = after.trim_start_matches(|c: char| c.is_ascii_digit());
        if number.len() < after.len() {
            out.push_str("<D>");
        }
        rest = number;
    }
    out.push_str(rest);
    out
}

/// Replaces what `normalise` calls instants, local times and publication stamps.
fn stamps(text: &str) -> String {
    let b = text.as_bytes();
    let fits = |i: usize, shape: &[u8]| {
        i + shape.len() <= b.len()
            && shape.iter().enumerate().all(|(k, s)| match s {
                b'd' => b[i + k].is_ascii_digit(),
                c => b[i + k] == *c,
            })
    };
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        if fits(i, b"dddd-dd-ddTdd:dd:dd") {
            i += 19;
            if b.get(i) == Some(&b'.') {
                i += 1;
                while b.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
            }
            match b.get(i) {
                Some(b'Z') => i += 1,
                Some(b'+' | b'-') if i + 6 <= b.len() && b[i + 3] == b':' => i += 6,
                _ => {}
            }
            out.push_str("<T>");
        } else if fits(i, b"dddd-dd-dd dd:dd CEST") || fits(i, b"dddd-dd-dd dd:dd CET") {
            i += if fits(i, b"dddd-dd-dd dd:dd CEST") {
                21
            } else {
                20
            };
            out.push_str("<L>");
        } else if fits(i, b"ddddddddTddddddZ") {
            i += 16;
            out.push_str("<S>");
        } else {
            let ch = text[i..].chars().next().unwrap();
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// A running `digisos serve`, killed when dropped.
struct ServerGuard {
    child: Child,
    url: String,
}

impl Drop for ServerGuard {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(data: &Path) -> ServerGuard {
    let mut child = std::process::Command::new(BIN)
        .env_remove("DIGISOS_STORE")
        .arg("--data")
        .arg(data)
        .args(["serve", "--listen", "127.0.0.1:0", "--contract"])
        .arg(repo("examples/nrw/contract.toml"))
        .arg("--register")
        .arg(repo("examples/nrw/register.csv"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    // keep draining stdout so that the server never blocks on a full pipe
    std::thread::spawn(move || {
        let mut sink = Vec::new();
        let _ = out.read_to_end(&mut sink);
    });
    ServerGuard { child, url }
}

/// Who acts in the scenario: `--as` embedded, the matching token remotely.
const WHO: [&str; 4] = [
    "coordinator",
    "body:05966",
    "provider:westfalen-cert",
    "provider:ruhrschild",
];

fn create_tokens(data: &Path) -> Vec<String> {
    let specs: [&[&str]; 4] = [
        &["--role", "coordinator"],
        &["--role", "body", "--body", "05966"],
        &["--role", "provider", "--provider", "westfalen-cert"],
        &["--role", "provider", "--provider", "ruhrschild"],
    ];
    specs
        .iter()
        .map(|spec| {
            let out = digisos()
                .arg("--data")
                .arg(data)
                .args(["--json", "token", "create"])
                .args(*spec)
                .output()
                .unwrap();
            assert!(out.status.success());
            let v: Value = serde_json::from_slice(&out.stdout).unwrap();
            v["token"].as_str().unwrap().to_string()
        })
        .collect()
}

/// One mode of running commands.
/// `--now` is passed in both modes: remotely the server's clock decides writes, reads
/// and reports, so `--now` has no effect there.
enum Mode {
    Embedded {
        data: PathBuf,
        base: DateTime<Utc>,
    },
    Remote {
        url: String,
        tokens: Vec<String>,
        base: DateTime<Utc>,
    },
}

impl Mode {
    fn cmd(&self, step: i64, who: &str) -> Command {
        let mut cmd = digisos();
        match self {
            Mode::Embedded { data, base } => {
                let now = (*base + TimeDelta::seconds(step)).to_rfc3339();
                cmd.arg("--data")
                    .arg(data)
                    .args(["--now", &now, "--as", who]);
            }
            Mode::Remote { url, tokens, base } => {
                let now = (*base + TimeDelta::seconds(step)).to_rfc3339();
                cmd.args(["--now", &now]);
                let i = WHO.iter().position(|w| *w == who).unwrap();
                cmd.args(["--server", url]).env("DIGISOS_TOKEN", &tokens[i]);
            }
        }
        cmd
    }

    /// Runs `args` as `who` in table form and in JSON; both outputs, normalised.
    fn run(&self, step: i64, who: &str, args: &[&str]) -> (String, String) {
        let text = self.cmd(step, who).args(args).output().unwrap();
        assert!(
            text.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&text.stderr)
        );
        let json = self
            .cmd(step, who)
            .arg("--json")
            .args(args)
            .output()
            .unwrap();
        (
            normalise(&String::from_utf8(text.stdout).unwrap()),
            normalise(&String::from_utf8(json.stdout).unwrap()),
        )
    }
}

/// The scenario: report for Kreis Olpe, triage critical lot 2, dispatch, decline by the
/// first provider, accept by the second, milestones, a time entry, approval, close; then
/// the read commands. Returns every output in order. Reads run before the writes they
/// would reveal so that `--json` re-runs of writes never happen: writes run once.
fn scenario(mode: &Mode) -> Vec<(String, String)> {
    let mut outputs = Vec::new();
    let write = |outputs: &mut Vec<(String, String)>, step: i64, who: &str, args: &[&str]| {
        let out = mode
            .cmd(step, who)
            .arg("--json")
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        outputs.push((
            String::new(),
            normalise(&String::from_utf8(out.stdout).unwrap()),
        ));
    };
    let id = "INC-000001";
    write(
        &mut outputs,
        0,
        "body:05966",
        &[
            "incident",
            "report",
            "--body",
            "05966",
            "--title",
            "Ransomware: Fachverfahren verschlüsselt",
            "--category",
            "ransomware",
            "--aware-at",
            "2025-10-02T17:30:00Z",
            "--service",
            "Kfz-Zulassung",
            "--personal-data",
            "--on-site",
        ],
    );
    let steps: Vec<(&str, Vec<&str>)> = vec![
        (
            "coordinator",
            vec![
                "incident",
                "triage",
                id,
                "--severity",
                "critical",
                "--lot",
                "los-2-westfalen",
            ],
        ),
        (
            "coordinator",
            vec!["incident", "dispatch", id, "--person-days", "5"],
        ),
        (
            "provider:westfalen-cert",
            vec!["incident", "decline", id, "--reason", "no capacity tonight"],
        ),
        ("provider:ruhrschild", vec!["incident", "accept", id]),
        ("provider:ruhrschild", vec!["incident", "first-contact", id]),
        ("provider:ruhrschild", vec!["incident", "remote-start", id]),
        ("provider:ruhrschild", vec!["incident", "on-site", id]),
        (
            "provider:ruhrschild",
            vec![
                "time",
                "submit",
                id,
                "--role",
                "forensic_analyst",
                "--start",
                "2025-10-06T08:00:00+02:00",
                "--end",
                "2025-10-06T12:30:00+02:00",
                "--description",
                "Forensische Sicherung",
            ],
        ),
        ("body:05966", vec!["time", "approve", id, "1"]),
        ("provider:ruhrschild", vec!["incident", "contain", id]),
        ("provider:ruhrschild", vec!["incident", "recover", id]),
        (
            "coordinator",
            vec!["incident", "close", id, "--final-report", "FR-2025-001"],
        ),
    ];
    for (n, (who, args)) in steps.iter().enumerate() {
        write(&mut outputs, n as i64 + 1, who, args);
    }
    let reads: [&[&str]; 11] = [
        &["incident", "show", id],
        &["incident", "list"],
        &["incident", "events", id],
        &["time", "list", id],
        &["registry", "show", "05966"],
        &["eligibility", "check", "05966", "--on", "2025-10-02"],
        &["report", "utilisation"],
        &["report", "sla"],
        &["report", "incidents"],
        &["report", "duties"],
        &["export", "ocds", "--ocid-prefix", "ocds-a1b2c3"],
    ];
    for args in reads {
        outputs.push(mode.run(100, "coordinator", args));
    }
    outputs
}

#[test]
fn the_same_scenario_prints_the_same_in_embedded_and_remote_mode() {
    let base = Utc::now();
    let dir = tempfile::tempdir().unwrap();

    // remote: tokens first, then the server adopts the contract and imports the register
    let remote_data = dir.path().join("remote");
    let tokens = create_tokens(&remote_data);
    let server = serve(&remote_data);

    // embedded: the same tokens and bootstrap, so that log positions agree
    let data = dir.path().join("embedded");
    create_tokens(&data);
    for args in [
        vec![
            "contract",
            "adopt",
            repo("examples/nrw/contract.toml").to_str().unwrap(),
        ],
        vec![
            "registry",
            "import",
            "csv",
            repo("examples/nrw/register.csv").to_str().unwrap(),
        ],
    ] {
        digisos()
            .arg("--data")
            .arg(&data)
            .args(&args)
            .assert()
            .success();
    }

    let embedded = scenario(&Mode::Embedded { data, base });
    let remote = scenario(&Mode::Remote {
        url: server.url.clone(),
        tokens: tokens.clone(),
        base,
    });
    assert_eq!(embedded.len(), remote.len());
    for (step, (e, r)) in embedded.iter().zip(&remote).enumerate() {
        assert_eq!(e.0, r.0, "table output of step {step}");
        assert_eq!(e.1, r.1, "JSON output of step {step}");
    }
    let closed: Value = serde_json::from_str(&remote[12].1).unwrap();
    assert_eq!(closed["state"], "closed");
    let show: Value = serde_json::from_str(&remote[13].1).unwrap();
    assert_eq!(show["provider"], "ruhrschild");
    assert_ne!(show["call_off"]["posted"], "0.00");

    server_reports_equal_embedded_ones(&remote_data, &server.url, &tokens);

    // the token is never printed, not even in errors
    let sla = Mode::Remote {
        url: server.url.clone(),
        tokens: tokens.clone(),
        base,
    }
    .cmd(0, "coordinator")
    .args(["sla", "status", "INC-000001"])
    .output()
    .unwrap();
    assert!(sla.status.success());
    assert!(!String::from_utf8_lossy(&sla.stdout).contains(&tokens[0]));

    // a wrong token is a rejection naming the token
    digisos()
        .args([
            "--server",
            &server.url,
            "--token",
            "dgs_wrong",
            "incident",
            "list",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("check your token"));
    // a provider does not see the body's audit trail
    digisos()
        .args(["--server", &server.url, "audit", "verify"])
        .env("DIGISOS_TOKEN", &tokens[2])
        .assert()
        .code(1);
    digisos()
        .args(["--server", &server.url, "audit", "verify"])
        .env("DIGISOS_TOKEN", &tokens[0])
        .assert()
        .success()
        .stdout(predicate::str::contains("intact"));
}

/// Runs `args` against the server with `token`; the output.
fn remote_out(url: &str, token: &str, args: &[&str]) -> String {
    let out = digisos()
        .args(["--server", url])
        .env("DIGISOS_TOKEN", token)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs `args` embedded over `data` at `now`; the output.
fn embedded_out(data: &Path, now: &str, args: &[&str]) -> String {
    let out = digisos()
        .arg("--data")
        .arg(data)
        .args(["--now", now])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Every report in every form and the OCDS export as the server computes them equal the
/// embedded ones over the server's own store (read beside the running server) at the
/// instant the server reported: JSON exactly, tables and CSV up to the minute the table
/// names. Only a coordinator or an auditor reads them, in both modes.
fn server_reports_equal_embedded_ones(data: &Path, url: &str, tokens: &[String]) {
    let coordinator = &tokens[0];
    let reports: [(&[&str], &[&[&str]]); 4] = [
        (&["report", "utilisation"], &[&[], &["--format", "csv"]]),
        (
            &["report", "sla"],
            &[
                &[],
                &["--format", "csv"],
                &["--format", "csv", "--breaches"],
            ],
        ),
        (&["report", "incidents"], &[&[], &["--format", "csv"]]),
        (&["report", "duties"], &[&[], &["--format", "csv"]]),
    ];
    for (report, forms) in reports {
        let json = [&["--json"][..], report].concat();
        let remote = remote_out(url, coordinator, &json);
        let v: Value = serde_json::from_str(&remote).unwrap();
        let as_of = v["as_of"].as_str().unwrap();
        assert_eq!(embedded_out(data, as_of, &json), remote, "{report:?}");
        for form in forms {
            let args = [report, form].concat();
            let remote = remote_out(url, coordinator, &args);
            let embedded = embedded_out(data, as_of, &args);
            assert_eq!(stamps(&embedded), stamps(&remote), "{args:?}");
        }
    }
    let ocds = ["export", "ocds", "--ocid-prefix", "ocds-a1b2c3"];
    let remote = remote_out(url, coordinator, &ocds);
    let v: Value = serde_json::from_str(&remote).unwrap();
    let published = v["publishedDate"].as_str().unwrap();
    assert_eq!(embedded_out(data, published, &ocds), remote);
    assert_eq!(v["releases"].as_array().unwrap().len(), 2);

    // the default ocid prefix is the same in both modes
    let remote: Value =
        serde_json::from_str(&remote_out(url, coordinator, &["export", "ocds"])).unwrap();
    assert!(
        remote["releases"][0]["ocid"]
            .as_str()
            .unwrap()
            .starts_with("ocds-xxxxxx-"),
        "{remote}"
    );

    // a body or a provider token reads no report, nor does `--as body:…` embedded
    for (token, args) in [
        (&tokens[1], &["report", "utilisation"][..]),
        (&tokens[2], &["export", "ocds"][..]),
    ] {
        digisos()
            .args(["--server", url])
            .env("DIGISOS_TOKEN", token)
            .args(args)
            .assert()
            .code(1)
            .stderr(predicate::str::contains("check your token"));
    }
    digisos()
        .arg("--data")
        .arg(data)
        .args(["--as", "body:05966", "report", "duties"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "body:05966 may not read the programme's reports",
        ));
    // a bad prefix is refused before anything is sent
    digisos()
        .args(["--server", url])
        .env("DIGISOS_TOKEN", coordinator)
        .args(["export", "ocds", "--ocid-prefix", "ocds-1"])
        .assert()
        .code(2);
}

#[test]
fn remote_mode_refuses_as_and_embedded_only_commands_and_names_an_unreachable_server() {
    digisos()
        .args([
            "--server",
            "http://127.0.0.1:9",
            "--as",
            "auditor",
            "incident",
            "list",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--as works in embedded mode only"));
    digisos()
        .args(["--server", "http://127.0.0.1:9", "tick"])
        .assert()
        .code(2);
    // port 9 (discard) is closed on a test machine: a connection error is exit 3
    digisos()
        .args([
            "--server",
            "http://127.0.0.1:9",
            "--token",
            "secret-token",
            "incident",
            "list",
        ])
        .assert()
        .code(3)
        .stderr(
            predicate::str::contains("http://127.0.0.1:9")
                .and(predicate::str::contains("secret-token").not()),
        );
}
