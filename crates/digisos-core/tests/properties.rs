//! Property tests: body keys round-trip, eligibility is deterministic and independent of
//! rule order, and any generated valid GV100AD record set imports to the bodies it holds.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod support;

use chrono::NaiveDate;
use digisos_core::eligibility::RuleSet;
use digisos_core::register::gv100ad::{Gv100Options, parse};
use digisos_core::register::{Body, BodyKey, BodyKind, Import, LandCode, Ownership, Register};
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use support::gv100ad as fx;

fn any_key() -> impl Strategy<Value = String> {
    prop_oneof!["[0-9]{8}", "[0-9]{5}", "[A-Z][A-Z0-9-]{0,31}",]
}

proptest! {
    #[test]
    fn valid_keys_round_trip(text in any_key()) {
        let key = BodyKey::new(text.clone()).unwrap();
        prop_assert_eq!(key.to_string(), text.clone());
        let json = serde_json::to_string(&key).unwrap();
        prop_assert_eq!(serde_json::from_str::<BodyKey>(&json).unwrap(), key);
    }

    #[test]
    fn parsing_never_alters_a_key(text in "\\PC{0,12}") {
        if let Ok(key) = text.parse::<BodyKey>() {
            prop_assert_eq!(key.as_str(), text.as_str());
        }
    }
}

/// A small register: municipal bodies, authorities, and companies whose owners are
/// drawn from the other bodies (cycles allowed).
fn register_strategy() -> impl Strategy<Value = Register> {
    let companies = prop::collection::vec(
        (
            prop::sample::select(vec![
                BodyKind::KommunalesUnternehmen,
                BodyKind::Landesunternehmen,
                BodyKind::PrivatesUnternehmen,
            ]),
            prop::collection::vec((0usize..12, 1u32..=60), 0..4),
            prop::option::of(2020i32..2030),
        ),
        1..8,
    );
    companies.prop_map(|companies| {
        let mut bodies = vec![
            body("05970", BodyKind::Kreis, "05"),
            body("05315000", BodyKind::KreisfreieStadt, "05"),
            body("06411000", BodyKind::KreisfreieStadt, "06"),
            body("LVR", BodyKind::Landschaftsverband, "05"),
            body("IT-NRW", BodyKind::Landesbehoerde, "05"),
            body("BSI", BodyKind::Bundesbehoerde, "05"),
        ];
        let base = bodies.len();
        let keys: Vec<String> = (0..base)
            .map(|i| bodies[i].key.to_string())
            .chain((0..companies.len()).map(|i| format!("CO-{i}")))
            .collect();
        for (i, (kind, owners, from)) in companies.into_iter().enumerate() {
            let mut b = body(&format!("CO-{i}"), kind, "05");
            b.valid_from = from.and_then(|y| NaiveDate::from_ymd_opt(y, 1, 1));
            let mut total = 0;
            for (idx, share) in owners {
                let owner = BodyKey::new(keys[idx % keys.len()].clone()).unwrap();
                if owner == b.key
                    || b.owners.iter().any(|o| o.owner == owner)
                    || total + share > 100
                {
                    continue;
                }
                total += share;
                b.owners.push(Ownership {
                    owner,
                    share_percent: Decimal::from(share),
                });
            }
            bodies.push(b);
        }
        let mut r = Register::new();
        r.apply_import(Import {
            gebietsstand: None,
            bodies,
        })
        .unwrap();
        r
    })
}

fn body(key: &str, kind: BodyKind, land: &str) -> Body {
    Body {
        key: BodyKey::new(key).unwrap(),
        name: key.to_string(),
        kind,
        land: LandCode::new(land).unwrap(),
        regierungsbezirk: None,
        parent: None,
        owners: vec![],
        valid_from: None,
        valid_to: None,
    }
}

fn shuffled_rules() -> impl Strategy<Value = RuleSet> {
    let base = RuleSet::nrw_default();
    let n = base.rules.len();
    (
        Just(base.rules.clone()).prop_shuffle(),
        prop::collection::vec(any::<prop::sample::Index>(), n),
    )
        .prop_map(move |(mut rules, rotations)| {
            for (rule, r) in rules.iter_mut().zip(rotations) {
                let k = r.index(rule.kinds.len());
                rule.kinds.rotate_left(k);
            }
            RuleSet {
                rules,
                ..RuleSet::nrw_default()
            }
        })
}

proptest! {
    #[test]
    fn eligibility_is_deterministic_and_independent_of_rule_order(
        register in register_strategy(),
        shuffled in shuffled_rules(),
        year in 2019i32..2031,
    ) {
        let on = NaiveDate::from_ymd_opt(year, 6, 1).unwrap();
        let reference = RuleSet::nrw_default();
        let mut keys: Vec<BodyKey> = register.bodies().map(|b| b.key.clone()).collect();
        keys.push(BodyKey::new("NOPE").unwrap());
        for key in keys {
            let a = reference.decide(&register, &key, on);
            prop_assert_eq!(&a, &reference.decide(&register, &key, on));
            prop_assert_eq!(&a, &shuffled.decide(&register, &key, on));
            prop_assert_eq!(a.eligible, a.rule.is_some());
            prop_assert_eq!(a.eligible, a.reasons.is_empty());
        }
    }
}

/// One generated Kreis with its Gemeinden, or one kreisfreie Stadt.
#[derive(Debug, Clone)]
enum Unit {
    Kreis {
        rb: u8,
        name: String,
        gemeinden: Vec<(String, String)>,
    },
    Stadt {
        rb: u8,
        name: String,
    },
}

fn name() -> impl Strategy<Value = String> {
    "[A-ZÄÖÜ][a-zäöüß]{1,15}( [A-Z][a-zäöüß]{1,10})?(, Stadt)?"
}

fn unit() -> impl Strategy<Value = Unit> {
    prop_oneof![
        (
            1u8..=9,
            name(),
            prop::collection::vec(
                (
                    name(),
                    prop::sample::select(vec!["60", "63", "64"]).prop_map(String::from)
                ),
                0..5
            )
        )
            .prop_map(|(rb, name, gemeinden)| Unit::Kreis {
                rb,
                name,
                gemeinden
            }),
        (1u8..=9, name()).prop_map(|(rb, name)| Unit::Stadt { rb, name }),
    ]
}

proptest! {
    #[test]
    fn generated_record_sets_import_round_trip(
        units in prop::collection::vec(unit(), 1..12),
        crlf in any::<bool>(),
        latin1 in any::<bool>(),
    ) {
        let mut lines = vec![fx::land("05", "Nordrhein-Westfalen")];
        let mut expected: BTreeMap<String, (BodyKind, String, Option<String>)> = BTreeMap::new();
        for (i, unit) in units.iter().enumerate() {
            match unit {
                Unit::Kreis { rb, name, gemeinden } => {
                    let kreis = format!("05{rb}{:02}", i + 10);
                    lines.push(fx::kreis(&kreis, name, "43"));
                    expected.insert(kreis.clone(), (BodyKind::Kreis, name.clone(), None));
                    for (j, (gname, tk)) in gemeinden.iter().enumerate() {
                        let ags = format!("{kreis}{:03}", j + 1);
                        lines.extend(fx::gemeinde_with_verband(&ags, gname, tk));
                        expected.insert(ags, (BodyKind::KreisangehoerigeGemeinde, gname.clone(), Some(kreis.clone())));
                    }
                }
                Unit::Stadt { rb, name } => {
                    let kreis = format!("05{rb}{:02}", i + 10);
                    let ags = format!("{kreis}000");
                    lines.push(fx::kreis(&kreis, name, "41"));
                    lines.extend(fx::gemeinde_with_verband(&ags, name, "61"));
                    expected.insert(ags, (BodyKind::KreisfreieStadt, name.clone(), None));
                }
            }
        }
        let mut bytes = fx::file(&lines, crlf);
        if latin1 {
            bytes = fx::latin1(&bytes);
        }
        let import = parse(&bytes, &Gv100Options::default()).unwrap();
        let got: BTreeMap<String, (BodyKind, String, Option<String>)> = import
            .bodies
            .iter()
            .map(|b| (b.key.to_string(), (b.kind, b.name.clone(), b.parent.as_ref().map(ToString::to_string))))
            .collect();
        prop_assert_eq!(got, expected);
        prop_assert_eq!(import.bodies.len(), import.bodies.iter().map(|b| &b.key).collect::<std::collections::BTreeSet<_>>().len());
        let mut r = Register::new();
        prop_assert!(r.apply_import(import).is_ok());
    }
}
