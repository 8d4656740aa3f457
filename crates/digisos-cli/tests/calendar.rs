//! CLI tests of `digisos calendar deadline|holidays`: edge days, contract calendars, iCalendar
//! holidays, bad input.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns may panic

use assert_cmd::Command;
use predicates::str::contains;
use serde_json::Value;

fn digisos() -> Command {
    let mut cmd = Command::cargo_bin("digisos").unwrap();
    cmd.env_remove("DIGISOS_DATA");
    cmd
}

fn deadline_json(start: &str, minutes: u32, calendar: &str, extra: &[&str]) -> Value {
    let out = digisos()
        .args(["--json", "calendar", "deadline", "--start", start])
        .args(["--minutes", &minutes.to_string(), "--calendar", calendar])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn deadlines_on_edge_days() {
    // (case, start, minutes, calendar, expected deadline in the calendar's zone)
    let table = [
        (
            "working day",
            "2025-04-07T08:00:00+02:00",
            600,
            "nrw-business",
            "2025-04-07T18:00:00+02:00",
        ),
        (
            "saturday night",
            "2025-04-05T23:30:00+02:00",
            30,
            "nrw-business",
            "2025-04-07T08:30:00+02:00",
        ),
        (
            "at closing time",
            "2025-04-07T18:00:00+02:00",
            60,
            "nrw-business",
            "2025-04-08T09:00:00+02:00",
        ),
        (
            "dst start",
            "2025-03-28T17:00:00+01:00",
            120,
            "nrw-business",
            "2025-03-31T09:00:00+02:00",
        ),
        (
            "dst end",
            "2025-10-24T17:00:00+02:00",
            120,
            "nrw-business",
            "2025-10-27T09:00:00+01:00",
        ),
        (
            "easter",
            "2025-04-17T17:00:00+02:00",
            120,
            "nrw-business",
            "2025-04-22T09:00:00+02:00",
        ),
        (
            "himmelfahrt",
            "2025-05-28T17:00:00+02:00",
            120,
            "nrw-business",
            "2025-05-30T09:00:00+02:00",
        ),
        (
            "fronleichnam",
            "2025-06-18T17:30:00+02:00",
            60,
            "nrw-business",
            "2025-06-20T08:30:00+02:00",
        ),
        (
            "allerheiligen weekday",
            "2024-10-31T17:00:00+01:00",
            120,
            "nrw-business",
            "2024-11-04T09:00:00+01:00",
        ),
        (
            "allerheiligen sunday",
            "2026-10-30T17:00:00+01:00",
            120,
            "nrw-business",
            "2026-11-02T09:00:00+01:00",
        ),
        (
            "christmas",
            "2025-12-24T17:00:00+01:00",
            120,
            "nrw-business",
            "2025-12-29T09:00:00+01:00",
        ),
        (
            "new year",
            "2025-12-31T17:00:00+01:00",
            120,
            "nrw-business",
            "2026-01-02T09:00:00+01:00",
        ),
        (
            "start on holiday",
            "2025-05-01T10:00:00+02:00",
            60,
            "nrw-business",
            "2025-05-02T09:00:00+02:00",
        ),
        (
            "leap day",
            "2028-02-28T17:00:00+01:00",
            120,
            "nrw-business",
            "2028-02-29T09:00:00+01:00",
        ),
        (
            "24x7 across dst",
            "2025-03-30T00:30:00+01:00",
            180,
            "24x7",
            "2025-03-30T02:30:00+00:00",
        ),
    ];
    for (case, start, minutes, calendar, expected) in table {
        let v = deadline_json(start, minutes, calendar, &[]);
        assert_eq!(v["deadline"], expected, "{case}");
        assert_eq!(v["minutes"], minutes, "{case}");
        assert_eq!(v["calendar"], calendar, "{case}");
    }
}

#[test]
fn deadline_json_has_utc_too() {
    let v = deadline_json("2025-04-07T08:00:00+02:00", 600, "nrw-business", &[]);
    assert_eq!(v["deadline_utc"], "2025-04-07T16:00:00Z");
}

#[test]
fn human_output_is_one_line() {
    digisos()
        .args([
            "calendar",
            "deadline",
            "--start",
            "2025-04-05T23:30:00+02:00",
        ])
        .args(["--minutes", "30", "--calendar", "nrw-business"])
        .assert()
        .success()
        .stdout(contains("2025-04-07T08:30:00+02:00"));
}

#[test]
fn holidays_lists_the_closed_days() {
    let out = digisos()
        .args(["--json", "calendar", "holidays", "--year", "2026"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let days = v["closed_days"].as_array().unwrap();
    assert_eq!(days.len(), 11);
    assert_eq!(days[0]["date"], "2026-01-01");
    assert!(
        days.iter()
            .any(|d| d["date"] == "2026-06-04" && d["name"] == "Fronleichnam")
    );
    assert!(
        days.iter()
            .any(|d| d["date"] == "2026-11-01" && d["weekday"] == "Sun")
    );
    digisos()
        .args([
            "calendar",
            "holidays",
            "--year",
            "2025",
            "--calendar",
            "24x7",
        ])
        .assert()
        .success()
        .stdout(contains("no closed days"));
}

const CONTRACT: &str = r#"
[contract]
id = "digi-sos-2025"

[calendars.rz-nord]
kind = "business"
time_zone = "Europe/Berlin"
holidays = "nrw"
closed_on = ["2025-12-24", "2025-12-31"]
extra_holidays = [{ date = "2025-11-11", name = "Karneval" }]

[calendars.rz-nord.hours]
mon = ["07:00-12:00", "13:00-16:00"]
tue = ["07:00-12:00", "13:00-16:00"]
wed = ["07:00-12:00", "13:00-16:00"]
thu = ["07:00-12:00", "13:00-16:00"]
fri = ["07:00-12:00"]
"#;

fn contract_file(text: &str) -> tempfile::NamedTempFile {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), text).unwrap();
    file
}

#[test]
fn contract_calendars_work() {
    let file = contract_file(CONTRACT);
    let path = file.path().to_str().unwrap();
    // Tue 23 Dec 15:30 + 60 min: 30 min Tue, 24th closed, 25/26 holidays → Mon 29th 07:30.
    let v = deadline_json(
        "2025-12-23T15:30:00+01:00",
        60,
        "rz-nord",
        &["--contract", path],
    );
    assert_eq!(v["deadline"], "2025-12-29T07:30:00+01:00");
    // Lunch break is not counted.
    let v = deadline_json(
        "2025-04-07T11:30:00+02:00",
        60,
        "rz-nord",
        &["--contract", path],
    );
    assert_eq!(v["deadline"], "2025-04-07T13:30:00+02:00");
    let out = digisos()
        .args([
            "calendar",
            "holidays",
            "--year",
            "2025",
            "--calendar",
            "rz-nord",
            "--contract",
            path,
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("2025-11-11 Tue Karneval"), "{text}");
    assert!(text.contains("2025-12-24 Wed Schließtag"), "{text}");
}

#[test]
fn bad_input_fails_with_a_clear_message() {
    digisos()
        .args([
            "calendar",
            "deadline",
            "--start",
            "yesterday",
            "--minutes",
            "5",
            "--calendar",
            "24x7",
        ])
        .assert()
        .code(2)
        .stderr(contains("RFC 3339"));
    digisos()
        .args([
            "calendar",
            "deadline",
            "--start",
            "2025-04-07T08:00:00Z",
            "--minutes",
            "5",
            "--calendar",
            "mars",
        ])
        .assert()
        .code(2)
        .stderr(contains(
            "unknown calendar \"mars\": known are 24x7, nrw-business",
        ));
    digisos()
        .args([
            "calendar",
            "deadline",
            "--start",
            "2025-04-07T08:00:00Z",
            "--minutes",
            "-5",
            "--calendar",
            "24x7",
        ])
        .assert()
        .code(2);
    digisos()
        .args([
            "calendar",
            "deadline",
            "--start",
            "2025-04-07T08:00:00Z",
            "--minutes",
            "5",
        ])
        .args([
            "--calendar",
            "24x7",
            "--contract",
            "/nonexistent/contract.toml",
        ])
        .assert()
        .code(3)
        .stderr(contains("reading /nonexistent/contract.toml"));
}

#[test]
fn an_invalid_contract_calendar_lists_every_problem() {
    let file = contract_file(
        "[calendars.bad]\nkind = \"business\"\ntime_zone = \"Mars/Olympus\"\n[calendars.bad.hours]\nmon = [\"18:00-08:00\"]\n",
    );
    digisos()
        .args([
            "calendar",
            "holidays",
            "--year",
            "2025",
            "--calendar",
            "bad",
        ])
        .args(["--contract", file.path().to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(contains(
            "calendars.bad.time_zone: unknown time zone \"Mars/Olympus\"",
        ))
        .stderr(contains(
            "calendars.bad.hours.mon[0]: \"18:00-08:00\" closes before it opens",
        ));
    let file = contract_file("[calendars.x]\nkind = \"weekly\"\n");
    digisos()
        .args(["calendar", "holidays", "--year", "2025", "--calendar", "x"])
        .args(["--contract", file.path().to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(contains("unknown variant `weekly`"));
}

/// A works outing (*Betriebsausflug*) on Monday 7 April 2025 and a two-day closure
/// 2–3 October 2025 (3 October is a holiday anyway), CRLF line ends as in real exports.
const OUTING_ICS: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//digisos//test//DE\r\n\
BEGIN:VEVENT\r\nUID:1@test\r\nDTSTART;VALUE=DATE:20250407\r\nDTEND;VALUE=DATE:20250408\r\n\
SUMMARY:Betriebsausflug\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:2@test\r\nDTSTART;VALUE=DATE:20251002\r\nDTEND;VALUE=DATE:20251004\r\n\
SUMMARY:Brückentag\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

#[test]
fn ics_holidays_move_deadlines_and_are_listed() {
    let file = contract_file(OUTING_ICS);
    let ics = file.path().to_str().unwrap();
    // Fri 17:00 + 2 h: without the file Monday 09:00, with it Tuesday 09:00.
    let start = "2025-04-04T17:00:00+02:00";
    let v = deadline_json(start, 120, "nrw-business", &[]);
    assert_eq!(v["deadline"], "2025-04-07T09:00:00+02:00");
    let v = deadline_json(start, 120, "nrw-business", &["--ics", ics]);
    assert_eq!(v["deadline"], "2025-04-08T09:00:00+02:00");
    // A contract calendar works the same (07:00 opening).
    let contract = contract_file(CONTRACT);
    let v = deadline_json(
        start,
        60,
        "rz-nord",
        &[
            "--contract",
            contract.path().to_str().unwrap(),
            "--ics",
            ics,
        ],
    );
    assert_eq!(v["deadline"], "2025-04-08T08:00:00+02:00");

    let out = digisos()
        .args(["--json", "calendar", "holidays", "--year", "2025"])
        .args(["--ics", ics])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let days = v["closed_days"].as_array().unwrap();
    // 11 NRW holidays + outing + 2 October (3 October stays "Tag der Deutschen Einheit").
    assert_eq!(days.len(), 13);
    assert!(
        days.iter()
            .any(|d| d["date"] == "2025-04-07" && d["name"] == "Betriebsausflug")
    );
    assert!(
        days.iter()
            .any(|d| d["date"] == "2025-10-02" && d["name"] == "Brückentag")
    );
    assert!(
        days.iter()
            .any(|d| d["date"] == "2025-10-03" && d["name"] == "Tag der Deutschen Einheit")
    );
}

#[test]
fn ics_files_are_repeatable() {
    let outing = contract_file(OUTING_ICS);
    let more = contract_file(
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20250408\nSUMMARY:Inventur\nEND:VEVENT\nEND:VCALENDAR\n",
    );
    let v = deadline_json(
        "2025-04-04T17:00:00+02:00",
        120,
        "nrw-business",
        &[
            "--ics",
            outing.path().to_str().unwrap(),
            "--ics",
            more.path().to_str().unwrap(),
        ],
    );
    assert_eq!(v["deadline"], "2025-04-09T09:00:00+02:00");
}

#[test]
fn bad_ics_input_fails_with_a_clear_message() {
    let bad = contract_file(
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20250407T090000Z\nEND:VEVENT\nEND:VCALENDAR\n",
    );
    let bad_path = bad.path().to_str().unwrap();
    digisos()
        .args(["calendar", "holidays", "--year", "2025", "--ics", bad_path])
        .assert()
        .code(1)
        .stderr(contains(format!("{bad_path}: line 3:")));
    let good = contract_file(OUTING_ICS);
    digisos()
        .args(["calendar", "deadline", "--start", "2025-04-04T17:00:00Z"])
        .args(["--minutes", "5", "--calendar", "24x7"])
        .args(["--ics", good.path().to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(contains("24x7"));
    digisos()
        .args(["calendar", "holidays", "--year", "2025"])
        .args(["--ics", "/nonexistent/holidays.ics"])
        .assert()
        .code(3)
        .stderr(contains("reading /nonexistent/holidays.ics"));
}
