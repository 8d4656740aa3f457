//! Unit tests of the register CSV import.

use super::*;
use rust_decimal_macros::dec;

fn csv(rows: &[&str]) -> Vec<u8> {
    let mut s = format!("{HEADER}\n");
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s.into_bytes()
}

fn errors(bytes: &[u8]) -> Vec<String> {
    parse(bytes)
        .unwrap_err()
        .errors
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn reads_every_column() {
    let import = parse(&csv(&[
        "# comment lines are skipped",
        "LVR,Landschaftsverband Rheinland,landschaftsverband,05,,,,,",
        "\"SW-X\",\"Stadtwerke X GmbH, fiktiv\",kommunales_unternehmen,05,053,,05315000:60; 05314000:15.5,2024-01-01,2030-12-31",
        "05970004,Hilchenbach,kreisangehoerige_gemeinde,05,059,05970,,,",
    ]))
    .unwrap();
    assert_eq!(import.bodies.len(), 3);
    let sw = &import.bodies[1];
    assert_eq!(sw.name, "Stadtwerke X GmbH, fiktiv");
    assert_eq!(sw.owners[1].share_percent, dec!(15.5));
    assert_eq!(sw.regierungsbezirk.as_ref().unwrap().as_str(), "053");
    assert_eq!(sw.valid_to, NaiveDate::from_ymd_opt(2030, 12, 31));
    assert_eq!(import.bodies[2].parent.as_ref().unwrap().as_str(), "05970");
}

#[test]
fn accepts_crlf_and_bom() {
    let text = format!(
        "\u{feff}{HEADER}\r\nLWL,Landschaftsverband Westfalen-Lippe,landschaftsverband,05,,,,,\r\n"
    );
    assert_eq!(parse(text.as_bytes()).unwrap().bodies.len(), 1);
}

#[test]
fn reports_every_error_with_its_line() {
    let e = errors(&csv(&[
        "lvr,X,landschaftsverband,05,,,,,",
        "LWL,X,verband,5,,,,,",
        "SW,X,kommunales_unternehmen,05,,,05315000=60,2024-13-01,",
        "LVR2,X,landschaftsverband,05,,,,",
        "LVR3,X,landschaftsverband,05,,,,,",
        "LVR3,Y,landschaftsverband,05,,,,,",
        "05970004,,kreisangehoerige_gemeinde,05,,05966,,,",
    ]));
    assert_eq!(e.len(), 9, "{e:#?}");
    assert!(e[0].starts_with("line 2: field key: \"lvr\" is not a body key"));
    assert!(e[1].starts_with("line 3: field kind: \"verband\" is not a body kind"));
    assert!(e[2].starts_with("line 3: field land: \"5\" is not a Land code"));
    assert_eq!(
        e[3],
        "line 4: field owners: \"05315000=60\" is not KEY:PERCENT (e.g. 05315000:60;05314000:15)"
    );
    assert_eq!(
        e[4],
        "line 4: field valid_from: \"2024-13-01\" is not a date YYYY-MM-DD"
    );
    assert!(e[5].starts_with("line 5: 8 fields, expected 9"));
    assert_eq!(
        e[6],
        "line 7: field key: LVR3 appears again (first in line 6)"
    );
    assert_eq!(e[7], "line 8: field name: must not be empty");
    assert_eq!(
        e[8],
        "line 8: field parent: 05966 is not the Kreis of the AGS 05970004"
    );
}

#[test]
fn owner_problems_name_the_owner_index() {
    let e = errors(&csv(&["SW,X,kommunales_unternehmen,05,,,05315000:0,,"]));
    assert_eq!(
        e,
        ["line 2: field owners: owners[0].share_percent: 0 must be more than 0 and at most 100"]
    );
}

#[test]
fn refuses_a_wrong_header_bad_encoding_and_open_quotes() {
    assert_eq!(
        errors(b"key,name\nLVR,X\n"),
        [format!(
            "line 1: the first record must be the header {HEADER}"
        )]
    );
    let mut latin = csv(&["LVR,K"]);
    latin.extend_from_slice(b"LWL,M\xfcnster,landschaftsverband,05,,,,,\n");
    assert_eq!(
        errors(&latin),
        ["line 3: the file is not valid UTF-8 (byte 82); save it as UTF-8"]
    );
    assert_eq!(
        errors(&csv(&["LVR,\"open,landschaftsverband,05,,,,,"])),
        ["line 2: a quoted field is not closed"]
    );
}
