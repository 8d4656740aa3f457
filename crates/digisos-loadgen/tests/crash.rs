//! Crash safety: `digisos-crashload` runs call-off load against a SQLite file and is
//! killed with SIGKILL at random points (after a random number of acknowledgements, so
//! mid-batch, mid-commit or mid-print), then restarted — 24 times. Afterwards every
//! acknowledged command's events are in the log, the hash chain verifies and a fresh
//! replay gives a ledger without invariant violations.

#![allow(clippy::unwrap_used)]

use digisos_core::service::Service;
use digisos_store::ProgrammeLog;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

const ROUNDS: usize = 24;

/// One acknowledged event: position, stream, kind.
type Acked = (u64, String, String);

/// Reads complete lines (a torn last line is dropped: it was never acknowledged).
fn next_line(reader: &mut impl BufRead) -> Option<String> {
    let mut line = String::new();
    match reader.read_line(&mut line) {
        Ok(n) if n > 0 && line.ends_with('\n') => Some(line.trim_end().to_owned()),
        _ => None,
    }
}

/// Parses an `ack` line into its events; `rej` lines carry none.
fn acked(line: &str) -> Vec<Acked> {
    let mut fields = line.split('\t');
    match (fields.next(), fields.next(), fields.next()) {
        (Some("ack"), Some(_), Some(events)) => events
            .split("; ")
            .map(|e| {
                let mut parts = e.split(' ');
                let pos = parts.next().unwrap().parse().unwrap();
                let stream = parts.next().unwrap().to_owned();
                let kind = parts.next().unwrap().to_owned();
                (pos, stream, kind)
            })
            .collect(),
        (Some("rej"), Some(_), Some(_)) => Vec::new(),
        _ => panic!("unexpected line {line:?}"),
    }
}

/// Runs the load process once and kills it after `acks` acknowledgements; returns every
/// complete line it printed (also those printed between the decision and the kill).
fn round(url: &str, acks: usize) -> Vec<String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_digisos-crashload"))
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut lines = Vec::new();
    while lines.len() < acks {
        match next_line(&mut reader) {
            Some(l) => lines.push(l),
            None => {
                let mut err = String::new();
                child
                    .stderr
                    .take()
                    .unwrap()
                    .read_to_string(&mut err)
                    .unwrap();
                panic!("the load process ended early: {:?}: {err}", child.wait());
            }
        }
    }
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    while let Some(l) = next_line(&mut reader) {
        lines.push(l);
    }
    lines
}

#[test]
fn every_acknowledged_command_survives_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("digisos.db").display());
    let mut expected: Vec<Acked> = Vec::new();
    let mut commands = 0;
    for _ in 0..ROUNDS {
        for line in round(&url, fastrand::usize(1..=40)) {
            expected.extend(acked(&line));
            commands += 1;
        }
    }
    assert!(commands >= ROUNDS);

    let service = Service::open(ProgrammeLog::open(&url).unwrap()).unwrap();
    let log = service.store().log();
    let report = log.verify().unwrap();
    assert!(report.is_intact(), "{report:?}");
    let stored: BTreeMap<u64, (String, String)> = log
        .read_all(1, usize::MAX)
        .unwrap()
        .into_iter()
        .map(|e| (e.position, (e.stream, e.kind)))
        .collect();
    for (pos, stream, kind) in &expected {
        assert_eq!(
            stored.get(pos),
            Some(&(stream.clone(), kind.clone())),
            "acknowledged event at {pos} is missing or different"
        );
    }
    assert_eq!(service.position(), stored.len() as u64);
    let ledger = service.state().ledger();
    assert!(
        ledger.invariant_violations().is_empty(),
        "{:?}",
        ledger.invariant_violations()
    );
    assert!(service.state().incidents().len() > ROUNDS);
}
