use super::to_canonical_string;
use crate::hash::canonical_json;
use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde::{Serialize, Serializer};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};

/// The reference: build the tree, then render it canonically.
fn slow<T: Serialize + ?Sized>(v: &T) -> Result<String, String> {
    serde_json::to_value(v)
        .map(|tree| canonical_json(&tree))
        .map_err(|e| e.to_string())
}

fn same<T: Serialize + ?Sized>(v: &T) -> String {
    let fast = to_canonical_string(v).map_err(|e| e.to_string());
    let reference = slow(v);
    match (&fast, &reference) {
        (Ok(f), Ok(r)) => assert_eq!(f, r),
        (Err(_), Err(_)) => {}
        _ => panic!("fast {fast:?} vs reference {reference:?}"),
    }
    fast.unwrap_or_default()
}

#[derive(Serialize)]
struct Unsorted {
    zeta: u8,
    alpha: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    skipped: Option<u8>,
    mid: Vec<Inner>,
    #[serde(rename = "Ärger")]
    umlaut: bool,
}

#[derive(Serialize)]
struct Inner {
    y: f64,
    x: i64,
}

#[derive(Serialize)]
struct Unit;

#[derive(Serialize)]
struct Newtype(String);

#[derive(Serialize)]
struct Tuple(u8, &'static str);

#[derive(Serialize)]
enum External {
    Plain,
    Wrapped(u32),
    Pair(u8, u8),
    Fields { b: u8, a: u8 },
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Internal {
    Started { zulu: u8, at: DateTime<Utc> },
    Stopped,
    Wrapped(Inner),
}

#[derive(Serialize)]
#[serde(tag = "t", content = "c")]
enum Adjacent {
    One(u8),
    Two { b: u8 },
}

#[derive(Serialize)]
#[serde(untagged)]
enum Untagged {
    Number(i64),
    Text(String),
}

#[derive(Serialize)]
struct Flattened {
    b: u8,
    #[serde(flatten)]
    rest: BTreeMap<String, Value>,
}

#[derive(Serialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum KeyKind {
    Second,
    First,
}

struct Bytes(&'static [u8]);
impl Serialize for Bytes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(self.0)
    }
}

#[test]
fn structs_are_sorted_recursively_and_skipped_fields_stay_out() {
    let v = Unsorted {
        zeta: 1,
        alpha: None,
        skipped: None,
        mid: vec![Inner { y: 0.5, x: -3 }, Inner { y: 1e300, x: 0 }],
        umlaut: true,
    };
    assert_eq!(
        same(&v),
        r#"{"alpha":null,"mid":[{"x":-3,"y":0.5},{"x":0,"y":1e+300}],"zeta":1,"Ärger":true}"#
    );
}

#[test]
fn every_enum_representation_matches_the_tree() {
    for e in [
        External::Plain,
        External::Wrapped(7),
        External::Pair(1, 2),
        External::Fields { b: 2, a: 1 },
    ] {
        same(&e);
    }
    let at = Utc.with_ymd_and_hms(2025, 3, 1, 8, 15, 0).unwrap();
    assert_eq!(
        same(&Internal::Started { zulu: 1, at }),
        r#"{"at":"2025-03-01T08:15:00Z","kind":"started","zulu":1}"#
    );
    same(&Internal::Stopped);
    same(&Internal::Wrapped(Inner { y: 2.0, x: 1 }));
    same(&Adjacent::One(1));
    same(&Adjacent::Two { b: 2 });
    same(&Untagged::Number(-1));
    same(&Untagged::Text("x".into()));
}

#[test]
fn scalars_units_newtypes_tuples_and_bytes_match_the_tree() {
    same(&Unit);
    same(&Newtype("n".into()));
    same(&Tuple(1, "a"));
    same(&(1u8, "b", None::<u8>, Some(2u8), ()));
    same(&Bytes(b"\x00\x7f\xff"));
    same(&[f64::NAN, f64::INFINITY, -0.0, 1.5, 1e-7]);
    same(&[f32::MAX, 0.1]);
    same(&[i128::from(i64::MIN), i128::from(u64::MAX)]);
    same(&(i128::from(u64::MAX) + 1));
    same(&u128::MAX);
    same(&'é');
    same("quote \" backslash \\ control \u{1} tab \t emoji 🦀 nul \u{0}");
    same(&Decimal::new(120_050, 2));
    same(&Utc.with_ymd_and_hms(2025, 12, 24, 23, 59, 59).unwrap());
}

#[test]
fn map_keys_follow_the_tree_rules() {
    same(&BTreeMap::from([(KeyKind::Second, 2), (KeyKind::First, 1)]));
    same(&BTreeMap::from([
        (10u32, "ten"),
        (9, "nine"),
        (100, "hundred"),
    ]));
    same(&BTreeMap::from([(-1i64, 1)]));
    same(&BTreeMap::from([(true, 1), (false, 0)]));
    same(&BTreeMap::from([('b', 1), ('a', 0)]));
    same(&HashMap::from([(Newtype("k".into()).0, 1)]));
    same(&BTreeMap::from([((1u8, 2u8), 1)]));
    same(&BTreeMap::from([(Some(1u8), 1)]));
    same(&HashMap::from([(1.5f64.to_bits(), 1)]));
}

#[test]
fn a_repeated_key_keeps_the_last_value_like_the_tree() {
    let v = Flattened {
        b: 1,
        rest: BTreeMap::from([("b".to_owned(), json!(2)), ("a".to_owned(), json!([]))]),
    };
    assert_eq!(same(&v), r#"{"a":[],"b":2}"#);
}

fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::from),
            prop::collection::btree_map(".{0,6}", inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn any_json_value_renders_like_the_reference(v in arbitrary_json()) {
        prop_assert_eq!(to_canonical_string(&v).ok(), Some(canonical_json(&v)));
    }
}
