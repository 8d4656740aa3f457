//! Unit tests of the register: all-or-nothing imports, merge semantics, references.

use super::*;
use rust_decimal_macros::dec;

fn body(key: &str, kind: BodyKind) -> Body {
    let key = BodyKey::new(key).unwrap();
    let parent = (kind == BodyKind::KreisangehoerigeGemeinde)
        .then(|| key.kreis())
        .flatten();
    Body {
        key,
        name: format!("Body {kind}"),
        kind,
        land: LandCode::nrw(),
        regierungsbezirk: None,
        parent,
        owners: vec![],
        valid_from: None,
        valid_to: None,
    }
}

fn import(bodies: Vec<Body>) -> Import {
    Import {
        gebietsstand: None,
        bodies,
    }
}

fn owned(key: &str, owners: &[(&str, rust_decimal::Decimal)]) -> Body {
    let mut b = body(key, BodyKind::KommunalesUnternehmen);
    b.owners = owners
        .iter()
        .map(|(k, s)| Ownership {
            owner: BodyKey::new(*k).unwrap(),
            share_percent: *s,
        })
        .collect();
    b
}

#[test]
fn an_import_adds_and_replaces_by_key() {
    let mut r = Register::new();
    let s = r
        .apply_import(import(vec![
            body("05970", BodyKind::Kreis),
            body("05970004", BodyKind::KreisangehoerigeGemeinde),
        ]))
        .unwrap();
    assert_eq!(
        s,
        ImportSummary {
            added: 2,
            replaced: 0
        }
    );
    let mut renamed = body("05970", BodyKind::Kreis);
    renamed.name = "Siegen-Wittgenstein".into();
    let s = r
        .apply_import(import(vec![
            renamed,
            body("LVR", BodyKind::Landschaftsverband),
        ]))
        .unwrap();
    assert_eq!(
        s,
        ImportSummary {
            added: 1,
            replaced: 1
        }
    );
    assert_eq!(r.len(), 3);
    assert_eq!(
        r.get(&BodyKey::new("05970").unwrap()).unwrap().name,
        "Siegen-Wittgenstein"
    );
    assert_eq!(r.of_kind(BodyKind::Kreis).count(), 1);
}

#[test]
fn a_failed_import_changes_nothing_and_lists_every_problem() {
    let mut r = Register::new();
    r.apply_import(import(vec![body("05315000", BodyKind::KreisfreieStadt)]))
        .unwrap();
    let before = r.clone();
    let mut nameless = body("LWL", BodyKind::Landschaftsverband);
    nameless.name = String::new();
    let problems = r
        .apply_import(import(vec![
            body("LVR", BodyKind::Landschaftsverband),
            body("05970004", BodyKind::KreisangehoerigeGemeinde),
            owned("SW-X", &[("05315000", dec!(60)), ("05314000", dec!(15))]),
            nameless,
            body("LVR", BodyKind::Landschaftsverband),
        ]))
        .unwrap_err();
    let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        [
            "LWL.name: must not be empty",
            "LVR: appears twice in the import",
            "05970004.parent: Kreis 05970 is not in the register; import it first or with this body",
            "SW-X.owners[1].owner: 05314000 is not in the register; import it first or with this body",
        ]
    );
    assert_eq!(r, before);
}

#[test]
fn a_parent_must_be_a_kreis() {
    let mut r = Register::new();
    let mut b = body("05970004", BodyKind::KreisangehoerigeGemeinde);
    b.parent = Some(BodyKey::new("05970").unwrap());
    let mut not_kreis = body("LVR", BodyKind::Landschaftsverband);
    not_kreis.key = BodyKey::new("05970").unwrap();
    let problems = r.apply_import(import(vec![not_kreis, b])).unwrap_err();
    assert!(
        problems
            .iter()
            .any(|p| p.to_string() == "05970004.parent: 05970 is a landschaftsverband, not a kreis"),
        "{problems:?}"
    );
}

#[test]
fn stats_count_by_kind() {
    let mut r = Register::new();
    r.apply_import(import(vec![
        body("05970", BodyKind::Kreis),
        body("05966", BodyKind::Kreis),
        body("LVR", BodyKind::Landschaftsverband),
    ]))
    .unwrap();
    let s = r.stats();
    assert_eq!(s.bodies, 3);
    assert_eq!(s.by_kind.get(&BodyKind::Kreis), Some(&2));
    assert_eq!(s.by_kind.get(&BodyKind::Landschaftsverband), Some(&1));
    assert_eq!(s.by_kind.get(&BodyKind::Bundesbehoerde), None);
    assert_eq!(
        serde_json::to_string(&s).unwrap(),
        r#"{"bodies":3,"by_kind":{"kreis":2,"landschaftsverband":1}}"#
    );
}

#[test]
fn json_round_trips_and_is_checked_when_read() {
    let mut r = Register::new();
    r.apply_import(import(vec![
        body("05315000", BodyKind::KreisfreieStadt),
        owned("SW-X", &[("05315000", dec!(60))]),
    ]))
    .unwrap();
    let json = serde_json::to_string(&r).unwrap();
    assert!(
        json.starts_with(r#"{"bodies":[{"key":"05315000""#),
        "{json}"
    );
    let back: Register = serde_json::from_str(&json).unwrap();
    assert_eq!(back, r);
    let broken = json.replace(r#""owner":"05315000""#, r#""owner":"05314000""#);
    let e = serde_json::from_str::<Register>(&broken)
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("invalid register: SW-X.owners[0].owner: 05314000 is not in the register"),
        "{e}"
    );
}
