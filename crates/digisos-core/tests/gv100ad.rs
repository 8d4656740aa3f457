//! GV100AD import against fixtures generated to the layout: encodings, line endings,
//! the double kreisfreie Stadt, line-numbered errors, and a stats snapshot.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod support;

use digisos_core::register::gv100ad::{Gv100Options, parse};
use digisos_core::register::{BodyKey, BodyKind, LandCode, Register};
use support::gv100ad as fx;

fn nrw() -> Gv100Options {
    Gv100Options {
        land: Some(LandCode::nrw()),
    }
}

fn key(k: &str) -> BodyKey {
    BodyKey::new(k).unwrap()
}

fn errors(bytes: &[u8]) -> Vec<String> {
    parse(bytes, &Gv100Options::default())
        .unwrap_err()
        .errors
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn lf_crlf_and_latin1_give_the_same_bodies() {
    let lf = parse(&fx::file(&fx::small_nrw(), false), &nrw()).unwrap();
    let crlf = parse(&fx::file(&fx::small_nrw(), true), &nrw()).unwrap();
    let latin = parse(&fx::latin1(&fx::file(&fx::small_nrw(), true)), &nrw()).unwrap();
    assert_eq!(lf, crlf);
    assert_eq!(lf, latin);
    assert_eq!(
        lf.gebietsstand,
        chrono::NaiveDate::from_ymd_opt(2023, 11, 30)
    );
    assert_eq!(lf.bodies.len(), 8);
}

#[test]
fn a_kreisfreie_stadt_is_one_body() {
    let import = parse(&fx::file(&fx::small_nrw(), false), &nrw()).unwrap();
    let mut r = Register::new();
    r.apply_import(import).unwrap();
    assert!(r.get(&key("05315")).is_none());
    let koeln = r.get(&key("05315000")).unwrap();
    assert_eq!(koeln.kind, BodyKind::KreisfreieStadt);
    assert_eq!(koeln.name, "Köln, Stadt");
    assert_eq!(koeln.parent, None);
    assert_eq!(koeln.regierungsbezirk.as_ref().unwrap().as_str(), "053");
    assert_eq!(r.bodies().filter(|b| b.name == "Köln, Stadt").count(), 1);
}

#[test]
fn aachen_is_a_gemeinde_of_the_staedteregion() {
    let mut r = Register::new();
    r.apply_import(parse(&fx::file(&fx::small_nrw(), true), &nrw()).unwrap())
        .unwrap();
    assert_eq!(r.get(&key("05334")).unwrap().kind, BodyKind::Kreis);
    assert_eq!(r.get(&key("05334")).unwrap().name, "Städteregion Aachen");
    let aachen = r.get(&key("05334002")).unwrap();
    assert_eq!(aachen.kind, BodyKind::KreisangehoerigeGemeinde);
    assert_eq!(aachen.parent, Some(key("05334")));
    assert_eq!(r.get(&key("05334012")).unwrap().name, "Würselen, Stadt");
}

#[test]
fn without_a_land_filter_every_land_is_kept() {
    let all = parse(&fx::file(&fx::small_nrw(), false), &Gv100Options::default()).unwrap();
    assert_eq!(all.bodies.len(), 10);
    let hessen = all
        .bodies
        .iter()
        .find(|b| b.key == key("06431001"))
        .unwrap();
    assert_eq!(hessen.land.as_str(), "06");
    assert_eq!(hessen.regierungsbezirk.as_ref().unwrap().as_str(), "064");
}

#[test]
fn a_record_of_the_wrong_length_is_refused() {
    let mut lines = fx::small_nrw();
    lines[3] = lines[3].trim_end().to_string();
    lines.push(lines[4][..150].to_string()); // 150 bytes, 149 characters (ü)
    let e = errors(&fx::file(&lines, false));
    assert_eq!(
        e,
        [
            "line 4: the record has 124 characters, expected 220 (cut short, wrong encoding or not a GV100AD file?)",
            "line 25: the record has 149 characters, expected 220 (cut short, wrong encoding or not a GV100AD file?)",
        ]
    );
}

#[test]
fn gemeindefreie_gebiete_and_satzart_50_give_no_body() {
    let lines = vec![
        fx::kreis("05966", "Olpe", "43"),
        fx::verband("05966004", "Finnentrop"),
        fx::gemeinde("05966999", "Forst (gemeindefrei)", "66"),
    ];
    let import = parse(&fx::file(&lines, false), &nrw()).unwrap();
    assert_eq!(import.bodies.len(), 1);
}

#[test]
fn every_malformed_line_is_reported_with_its_field() {
    let mut lines = fx::small_nrw();
    lines[2] = fx::record("7x", fx::DATE, "05111", "", "X", "", "41");
    lines[4] = fx::record("60", "20231131", "05111000", "0000", "X", "", "61");
    lines[6] = fx::record("40", "20221231", "0531 ", "", "", "", "47");
    lines[9] = format!("{}ü", lines[9]);
    lines.push(fx::gemeinde("05966004", "Finnentrop", "64"));
    let e = errors(&fx::file(&lines, true));
    assert_eq!(
        e,
        [
            "line 3: field Satzart: \"7x\" is not a known record type (10, 20, 30, 40, 50, 60)",
            "line 5: field Gebietsstand: \"20231131\" is not a date YYYYMMDD",
            "line 7: field Gebietsstand: 20221231 differs from 20231130 in line 1; one file has one Gebietsstand",
            "line 7: field Regionalschlüssel: \"0531    \" must be 5 digits of a Land 01-16 for Satzart 40, then blanks",
            "line 7: field Name: must not be blank",
            "line 7: field Textkennzeichen: \"47\" is not known for Satzart 40 (expected one of 41, 42, 43, 44, 45)",
            "line 10: the record has 221 characters, expected 220 (cut short, wrong encoding or not a GV100AD file?)",
            "line 25: field Regionalschlüssel: 05966004 appears again for Satzart 60 (first in line 18)",
        ]
    );
}

#[test]
fn a_mixed_encoding_is_caught() {
    // UTF-8 umlauts plus one ISO-8859-1 byte: the file falls back to ISO-8859-1 and the
    // UTF-8 lines come out too long.
    let mut bytes = fx::file(&fx::small_nrw(), false);
    bytes.extend_from_slice(&fx::latin1(&fx::file(
        &[fx::gemeinde("05966008", "Kirchhundem", "64").replace("Kirchhundem", "Kirchhündem")],
        false,
    )));
    let e = errors(&bytes);
    assert!(
        e.iter().all(|m| m.contains("characters, expected 220")),
        "{e:#?}"
    );
    assert_eq!(e.len(), 12);
}

#[test]
fn binary_and_empty_files_are_refused() {
    assert_eq!(
        errors(b"1\x000\x00"),
        ["line 1: the file contains NUL characters: not a GV100AD text file (UTF-16 or binary?)"]
    );
    assert_eq!(
        errors(b"\r\n\n"),
        ["line 1: the file holds no GV100AD record"]
    );
}

#[test]
fn stats_snapshot() {
    let mut r = Register::new();
    r.apply_import(parse(&fx::file(&fx::small_nrw(), false), &Gv100Options::default()).unwrap())
        .unwrap();
    insta::assert_json_snapshot!(r.stats(), @r#"
    {
      "bodies": 10,
      "by_kind": {
        "kreisfreie_stadt": 2,
        "kreisangehoerige_gemeinde": 5,
        "kreis": 3
      }
    }
    "#);
}
