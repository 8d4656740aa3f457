//! Start-up from a snapshot over the SQLite log: snapshot plus tail gives the state of a
//! full replay, and a snapshot that cannot be used (corrupt, foreign format, another
//! log's, an older binary's JSON snapshot, also across the schema migration to binary
//! snapshots) falls back to the full replay.

// The scenario helper outside `#[test]` functions panics on failed set-up, like the tests.
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use digisos_core::contract::ContractSpec;
use digisos_core::duties::Nis2Class;
use digisos_core::ids::{LotId, ProviderId};
use digisos_core::incident::{
    Estimate, IncidentCategory, IncidentCommand as C, IncidentId, Report,
};
use digisos_core::principal::Principal;
use digisos_core::programme::{Command, Programme, SNAPSHOT_FORMAT};
use digisos_core::service::{Service, SnapshotPolicy};
use digisos_core::sla::Severity;
use digisos_store::ProgrammeLog;
use rust_decimal::Decimal;
use std::num::NonZeroU64;

const CONTRACT: &str = include_str!("../../../examples/nrw/contract.toml");
const REGISTER: &[u8] = include_bytes!("../../../examples/nrw/register.csv");

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 10, 6, 8, 0, 0).unwrap()
}

fn every(n: u64) -> SnapshotPolicy {
    SnapshotPolicy {
        load: true,
        every: NonZeroU64::new(n),
        pacing: None,
    }
}

/// A log with the contract, the register and six incidents at various stages (clocks
/// running, met and breached, reservations, duties), snapshots every 7 events.
fn scenario(url: &str) -> (u64, Programme) {
    scenario_with(url, false)
}

/// [`scenario`], with the snapshots written in the background if `background`.
fn scenario_with(url: &str, background: bool) -> (u64, Programme) {
    let log = ProgrammeLog::open(url).unwrap();
    if background {
        log.write_snapshots_in_background();
    }
    let mut s = Service::open_with(log, every(7)).unwrap();
    let coordinator = Principal::coordinator();
    let spec: ContractSpec = toml::from_str(CONTRACT).unwrap();
    let import = digisos_core::register::csv::parse(REGISTER).unwrap();
    let setup = [
        Command::AdoptContract(Box::new(spec)),
        Command::ImportRegister {
            source: "register.csv".into(),
            import,
        },
    ];
    for c in &setup {
        s.execute(c, &coordinator, t0()).unwrap().unwrap();
    }
    let lot = LotId::new("los-2-westfalen").unwrap();
    let first = Principal::provider(ProviderId::new("westfalen-cert").unwrap());
    for n in 0..6_i64 {
        let at = t0() + TimeDelta::minutes(10 * n);
        let report = Report {
            body: "05966".into(),
            title: format!("Vorfall {n}"),
            description: "Verschlüsselte Server".into(),
            category: IncidentCategory::Ransomware,
            aware_at: at,
            affected_services: vec!["Meldewesen".into()],
            personal_data: n % 2 == 0,
            nis2: Nis2Class::None,
            on_site_needed: n % 3 == 0,
        };
        s.execute(&Command::Report(report), &coordinator, at)
            .unwrap()
            .unwrap();
        let id = IncidentId::from_number(n as u64 + 1);
        let mut steps = vec![
            (
                coordinator.clone(),
                C::Triage {
                    severity: Severity::High,
                    lot: lot.clone(),
                },
            ),
            (
                coordinator.clone(),
                C::Dispatch {
                    estimate: Estimate::PersonDays(Decimal::from(2 + n)),
                },
            ),
        ];
        if n % 2 == 1 {
            steps.push((first.clone(), C::Accept));
        }
        for (by, command) in steps.into_iter().take(n as usize + 1) {
            let command = Command::Incident {
                id: id.clone(),
                command,
            };
            s.execute(&command, &by, at + TimeDelta::minutes(1))
                .unwrap()
                .unwrap();
        }
    }
    // a day later: windows missed, cascades, breaches, overdue duties
    s.tick(t0() + TimeDelta::days(1)).unwrap();
    let token = Command::IssueToken {
        token_id: "t1".into(),
        token_hash: "h1".into(),
        principal: Principal::auditor(),
        label: "audit".into(),
    };
    s.execute(&token, &coordinator, t0() + TimeDelta::days(1))
        .unwrap()
        .unwrap();
    assert!(s.snapshot_error().is_none());
    assert!(s.snapshot_position() > 2);
    s.store().finish_snapshot().unwrap();
    (s.position(), s.state().clone())
}

/// Removes the snapshot directory next to the database (where this binary keeps
/// snapshots), leaving only what the database's own `snapshots` table holds.
fn remove_snapshot_file(dir: &tempfile::TempDir) {
    std::fs::remove_dir_all(snapshot_dir(dir)).unwrap();
}

/// Where a SQLite log at `digisos.db` keeps its snapshots.
fn snapshot_dir(dir: &tempfile::TempDir) -> std::path::PathBuf {
    dir.path().join("digisos.db-snapshots.d")
}

/// The snapshot files, oldest first.
fn snapshot_files(dir: &tempfile::TempDir) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(snapshot_dir(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

/// A snapshot file split into its header (parsed) and its state.
fn split(bytes: &[u8]) -> (serde_json::Value, Vec<u8>) {
    let end = bytes.iter().position(|b| *b == b'\n').unwrap();
    (
        serde_json::from_slice(&bytes[..end]).unwrap(),
        bytes[end + 1..].to_vec(),
    )
}

/// A snapshot file of `header` and `state`.
fn join(header: &serde_json::Value, state: &[u8]) -> Vec<u8> {
    let mut out = serde_json::to_vec(header).unwrap();
    out.push(b'\n');
    out.extend_from_slice(state);
    out
}

#[test]
fn snapshots_written_in_the_background_restore_the_same_state() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir);
    let (position, state) = scenario_with(&url, true);
    let files = snapshot_files(&dir);
    assert!(!files.is_empty() && files.len() <= 2, "{files:?}");
    assert!(files.iter().all(|f| f.extension().unwrap() == "snap"));
    let log = ProgrammeLog::open(&url).unwrap();
    let (snapshot_at, _) = log.log().load_snapshot(SNAPSHOT_FORMAT).unwrap().unwrap();
    let restored = Service::open_with(log, every(1_000)).unwrap();
    assert!(snapshot_at > 2);
    assert_eq!(restored.snapshot_position(), snapshot_at);
    assert_eq!(restored.position(), position);
    assert_eq!(restored.state(), &state);
    // none of it went into the database's own table
    let raw = rusqlite::Connection::open(dir.path().join("digisos.db")).unwrap();
    let in_table: i64 = raw
        .query_row("SELECT COUNT(*) FROM snapshots", [], |r| r.get(0))
        .unwrap();
    assert_eq!(in_table, 0);
}

#[test]
fn a_newer_snapshot_in_the_database_table_wins_over_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir);
    let (position, state) = scenario(&url);
    let log = ProgrammeLog::open(&url).unwrap();
    let (in_file, bytes) = log.log().load_snapshot(SNAPSHOT_FORMAT).unwrap().unwrap();
    assert!(in_file < position);
    // an older binary kept one at the log's end in the database itself
    let encoded = digisos_store::encode_snapshot(&state).unwrap();
    let raw = rusqlite::Connection::open(dir.path().join("digisos.db")).unwrap();
    raw.execute(
        "INSERT INTO snapshots (position, event_hash, format, taken_at, state)
         SELECT position, hash, ?1, 'earlier', ?2 FROM events WHERE position = ?3",
        rusqlite::params![SNAPSHOT_FORMAT, encoded, position as i64],
    )
    .unwrap();
    assert_eq!(
        log.log().load_snapshot(SNAPSHOT_FORMAT).unwrap().unwrap().0,
        position
    );
    // and an older one in the table loses to the file's
    raw.execute(
        "UPDATE snapshots SET position = 1, event_hash = (SELECT hash FROM events WHERE position = 1)",
        [],
    )
    .unwrap();
    assert_eq!(
        log.log().load_snapshot(SNAPSHOT_FORMAT).unwrap(),
        Some((in_file, bytes))
    );
}

fn sqlite_url(dir: &tempfile::TempDir) -> String {
    format!("sqlite://{}", dir.path().join("digisos.db").display())
}

#[test]
fn start_up_from_a_snapshot_equals_a_full_replay() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir);
    let (position, state) = scenario(&url);
    let log = ProgrammeLog::open(&url).unwrap();
    let snapshot_at = log.log().load_snapshot(SNAPSHOT_FORMAT).unwrap().unwrap().0;
    assert!(snapshot_at < position, "a tail remains to replay");

    let restored = Service::open_with(log, every(1_000)).unwrap();
    assert_eq!(restored.snapshot_position(), snapshot_at);
    assert_eq!(restored.position(), position);
    assert_eq!(restored.state(), &state);

    let replayed =
        Service::open_with(ProgrammeLog::open(&url).unwrap(), SnapshotPolicy::NEVER).unwrap();
    assert_eq!(replayed.snapshot_position(), 0);
    assert_eq!(replayed.state(), &state);
}

#[test]
fn an_unusable_snapshot_falls_back_to_a_full_replay() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir);
    let (position, state) = scenario(&url);
    let kept: Vec<(std::path::PathBuf, Vec<u8>)> = snapshot_files(&dir)
        .into_iter()
        .map(|f| {
            let bytes = std::fs::read(&f).unwrap();
            (f, bytes)
        })
        .collect();
    assert!(!kept.is_empty());
    type Spoil = fn(&mut serde_json::Value, &mut Vec<u8>);
    let cases: [(&str, Spoil); 8] = [
        ("garbage", |_, s| *s = b"not a snapshot".to_vec()),
        ("a cut-off state", |_, s| s.truncate(s.len() - 7)),
        ("a flipped bit, same length", |_, s| {
            let mid = s.len() / 2;
            s[mid] ^= 0x10;
        }),
        ("a state claiming another format", |h, s| {
            s[4..8].copy_from_slice(&1u32.to_le_bytes());
            h["sha256"] = sha256_hex(s).into();
        }),
        ("another format", |h, _| h["format"] = 99.into()),
        ("a foreign log's", |h, _| h["event_hash"] = "ab".into()),
        ("another position", |h, _| h["position"] = 1.into()),
        ("a header that does not parse", |h, _| {
            h["unknown"] = true.into();
        }),
    ];
    for (case, spoil) in cases {
        // each case spoils every kept snapshot, starting from the good ones
        for (path, bytes) in &kept {
            let (mut header, mut state) = split(bytes);
            spoil(&mut header, &mut state);
            std::fs::write(path, join(&header, &state)).unwrap();
        }
        let service = Service::open_with(ProgrammeLog::open(&url).unwrap(), every(1_000)).unwrap();
        assert_eq!(service.snapshot_position(), 0, "{case}");
        assert_eq!(service.position(), position, "{case}");
        assert_eq!(service.state(), &state, "{case}");
    }
    // a file that was not finished (no `.snap` name) is never read
    for (path, bytes) in &kept {
        std::fs::remove_file(path).unwrap();
        std::fs::write(path.with_extension("snap.tmp"), bytes).unwrap();
    }
    let service = Service::open_with(ProgrammeLog::open(&url).unwrap(), every(1_000)).unwrap();
    assert_eq!(service.snapshot_position(), 0);
    drop(service);
    // the next start-up with the default policy writes a fresh snapshot, and uses it
    let service = Service::open_with(ProgrammeLog::open(&url).unwrap(), every(10)).unwrap();
    assert_eq!(service.snapshot_position(), position);
    drop(service);
    let service = Service::open(ProgrammeLog::open(&url).unwrap()).unwrap();
    assert_eq!(service.snapshot_position(), position);
    assert_eq!(service.state(), &state);
    // and the interrupted writes' leftovers are gone
    let files = snapshot_files(&dir);
    assert!(
        files.iter().all(|f| f.extension().unwrap() == "snap"),
        "{files:?}"
    );
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

#[test]
fn a_snapshot_file_of_an_earlier_binary_still_restores() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir);
    let (position, state) = scenario(&url);
    remove_snapshot_file(&dir);
    // earlier binaries kept snapshots in `<db>-snapshots`, a SQLite file of their own
    let encoded = digisos_store::encode_snapshot(&state).unwrap();
    let hash: String = rusqlite::Connection::open(dir.path().join("digisos.db"))
        .unwrap()
        .query_row(
            "SELECT hash FROM events WHERE position = ?1",
            [position as i64],
            |r| r.get(0),
        )
        .unwrap();
    let legacy = rusqlite::Connection::open(dir.path().join("digisos.db-snapshots")).unwrap();
    legacy
        .execute_batch(
            "CREATE TABLE snapshots (position INTEGER PRIMARY KEY CHECK (position > 0),
                 event_hash TEXT NOT NULL, format INTEGER NOT NULL, taken_at TEXT NOT NULL,
                 state BLOB NOT NULL)",
        )
        .unwrap();
    legacy
        .execute(
            "INSERT INTO snapshots VALUES (?1, ?2, ?3, 'earlier', ?4)",
            rusqlite::params![position as i64, hash, SNAPSHOT_FORMAT, encoded],
        )
        .unwrap();
    let restored = Service::open_with(ProgrammeLog::open(&url).unwrap(), every(1_000)).unwrap();
    assert_eq!(restored.snapshot_position(), position);
    assert_eq!(restored.state(), &state);
    drop(restored);
    // a newer one in the directory wins over it
    let log = ProgrammeLog::open(&url).unwrap();
    legacy
        .execute(
            "UPDATE snapshots SET position = 1, event_hash = (SELECT 'x')",
            [],
        )
        .unwrap();
    assert!(log.log().load_snapshot(SNAPSHOT_FORMAT).unwrap().is_none());
    let s = Service::open_with(log, every(1)).unwrap();
    assert_eq!(s.snapshot_position(), position, "written at start-up");
    drop(s);
    assert_eq!(snapshot_files(&dir).len(), 1);
}

/// The JSON text an older binary (snapshot format 1) kept in the snapshots table: the
/// whole state as one document, `{"format":1,…}`.
fn format_one_text(state: &Programme) -> String {
    let mut whole = serde_json::to_value(state).unwrap();
    whole["head"]["format"] = serde_json::json!(1);
    let mut old = whole["head"].as_object().unwrap().clone();
    for (k, v) in whole["bulk"].as_object().unwrap() {
        old.insert(k.clone(), v.clone());
    }
    serde_json::Value::Object(old).to_string()
}

#[test]
fn an_old_format_json_snapshot_row_is_ignored_and_the_log_replayed() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir);
    let (position, state) = scenario(&url);
    remove_snapshot_file(&dir);
    let raw = rusqlite::Connection::open(dir.path().join("digisos.db")).unwrap();
    // only a format-1 row, at the end of the log and matching its hash, as text
    raw.execute_batch("DELETE FROM snapshots").unwrap();
    raw.execute(
        "INSERT INTO snapshots (position, event_hash, format, taken_at, state)
         SELECT position, hash, 1, 'earlier', ?1 FROM events WHERE position = ?2",
        rusqlite::params![format_one_text(&state), position as i64],
    )
    .unwrap();
    let log = ProgrammeLog::open(&url).unwrap();
    assert_eq!(log.log().load_snapshot(SNAPSHOT_FORMAT).unwrap(), None);
    assert!(
        log.log().load_snapshot(1).unwrap().is_some(),
        "the row is there"
    );
    let service = Service::open_with(log, every(1_000)).unwrap();
    assert_eq!(service.snapshot_position(), 0, "replayed, not restored");
    assert_eq!(service.position(), position);
    assert_eq!(service.state(), &state);
}

#[test]
fn a_database_with_text_snapshots_migrates_and_replays_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir);
    let (position, state) = scenario(&url);
    remove_snapshot_file(&dir);
    // turn the database back into schema 2 (snapshot states as text, no records table)
    // holding an older binary's format-1 snapshot, as a database written before the
    // upgrade would be
    let raw = rusqlite::Connection::open(dir.path().join("digisos.db")).unwrap();
    raw.execute_batch(
        "DROP TABLE records;
         DROP TABLE snapshots;
         CREATE TABLE snapshots (
             position   INTEGER PRIMARY KEY CHECK (position > 0),
             event_hash TEXT    NOT NULL,
             format     INTEGER NOT NULL,
             taken_at   TEXT    NOT NULL,
             state      TEXT    NOT NULL
         );
         DELETE FROM schema_version WHERE version > 2;",
    )
    .unwrap();
    raw.execute(
        "INSERT INTO snapshots (position, event_hash, format, taken_at, state)
         SELECT position, hash, 1, 'earlier', ?1 FROM events WHERE position = ?2",
        rusqlite::params![format_one_text(&state), position as i64],
    )
    .unwrap();
    drop(raw);

    let log = ProgrammeLog::open(&url).unwrap();
    let raw = rusqlite::Connection::open(dir.path().join("digisos.db")).unwrap();
    let (version, kind): (u32, String) = raw
        .query_row(
            "SELECT (SELECT MAX(version) FROM schema_version),
                    (SELECT typeof(state) FROM snapshots)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (version, kind.as_str()),
        (digisos_store::SCHEMA_VERSION, "blob"),
        "migrated, row kept as bytes"
    );
    let service = Service::open_with(log, every(1_000)).unwrap();
    assert_eq!(
        service.snapshot_position(),
        0,
        "the format-1 row is ignored"
    );
    assert_eq!(service.state(), &state);
    drop(service);

    // the next start-up that replays enough writes a binary snapshot, and uses it
    let service = Service::open_with(ProgrammeLog::open(&url).unwrap(), every(10)).unwrap();
    assert_eq!(service.snapshot_position(), position);
    drop(service);
    let service = Service::open(ProgrammeLog::open(&url).unwrap()).unwrap();
    assert_eq!(service.snapshot_position(), position);
    assert_eq!(service.state(), &state);
}
