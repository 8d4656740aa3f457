//! Table tests of eligibility decisions and rule-set validation.

use super::*;
use crate::register::{Body, BodyKey, Import, Ownership, Register};
use rust_decimal_macros::dec;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn body(key: &str, kind: BodyKind, land: &str, owners: &[(&str, Decimal)]) -> Body {
    let key = BodyKey::new(key).unwrap();
    Body {
        parent: (kind == BodyKind::KreisangehoerigeGemeinde)
            .then(|| key.kreis())
            .flatten(),
        key,
        name: "X".into(),
        kind,
        land: LandCode::new(land).unwrap(),
        regierungsbezirk: None,
        owners: owners
            .iter()
            .map(|(k, s)| Ownership {
                owner: BodyKey::new(*k).unwrap(),
                share_percent: *s,
            })
            .collect(),
        valid_from: None,
        valid_to: None,
    }
}

fn register() -> Register {
    use BodyKind::*;
    let mut closed = body("05970044", KreisangehoerigeGemeinde, "05", &[]);
    closed.valid_to = Some(d(2020, 12, 31));
    let mut future = body("FUTURE-AOR", AnstaltOeffentlichenRechts, "05", &[]);
    future.valid_from = Some(d(2026, 1, 1));
    let bodies = vec![
        body("05970", Kreis, "05", &[]),
        body("05970004", KreisangehoerigeGemeinde, "05", &[]),
        closed,
        future,
        body("05315000", KreisfreieStadt, "05", &[]),
        body("05314000", KreisfreieStadt, "05", &[]),
        body("06411000", KreisfreieStadt, "06", &[]),
        body("LVR", Landschaftsverband, "05", &[]),
        body("IT-NRW", Landesbehoerde, "05", &[]),
        body("BSI", Bundesbehoerde, "05", &[]),
        body("PRIV", PrivatesUnternehmen, "05", &[]),
        body(
            "SW-MAJ",
            KommunalesUnternehmen,
            "05",
            &[("05315000", dec!(40)), ("05314000", dec!(10.5))],
        ),
        body(
            "SW-EXACT",
            KommunalesUnternehmen,
            "05",
            &[("05315000", dec!(50)), ("PRIV", dec!(50))],
        ),
        body(
            "SW-MIN",
            KommunalesUnternehmen,
            "05",
            &[("05315000", dec!(30)), ("PRIV", dec!(70))],
        ),
        body(
            "SW-HESSEN",
            KommunalesUnternehmen,
            "05",
            &[("06411000", dec!(100))],
        ),
        body(
            "SW-CHAIN",
            KommunalesUnternehmen,
            "05",
            &[("SW-MAJ", dec!(51))],
        ),
        body("LU", Landesunternehmen, "05", &[("IT-NRW", dec!(100))]),
        body("CYC-A", KommunalesUnternehmen, "05", &[("CYC-B", dec!(60))]),
        body("CYC-B", KommunalesUnternehmen, "05", &[("CYC-A", dec!(60))]),
    ];
    let mut r = Register::new();
    r.apply_import(Import {
        gebietsstand: None,
        bodies,
    })
    .unwrap();
    r
}

/// Eligible, admitting rule, reasons as text.
type Outcome = (bool, Option<String>, Vec<String>);

fn check(rules: &RuleSet, key: &str, on: NaiveDate) -> Outcome {
    let dec = rules.decide(&register(), &BodyKey::new(key).unwrap(), on);
    (
        dec.eligible,
        dec.rule.map(|r| r.to_string()),
        dec.reasons.iter().map(ToString::to_string).collect(),
    )
}

#[test]
fn decisions_table() {
    let rules = RuleSet::nrw_default();
    let on = d(2025, 6, 1);
    let yes = |rule: &str| (true, Some(rule.to_string()), Vec::<String>::new());
    let no = |reasons: &[&str]| {
        (
            false,
            None,
            reasons.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        )
    };
    let table: Vec<(&str, Outcome)> = vec![
        ("05970", yes("municipal-territorial")),
        ("05970004", yes("municipal-territorial")),
        ("05315000", yes("municipal-territorial")),
        ("LVR", yes("municipal-territorial")),
        ("IT-NRW", yes("state-authorities")),
        ("SW-MAJ", yes("company-control")),
        ("SW-CHAIN", yes("company-control")),
        ("LU", yes("company-control")),
        ("99999999", no(&["99999999 is not in the register"])),
        (
            "05970044",
            no(&["the body ceased to exist after 2020-12-31"]),
        ),
        ("FUTURE-AOR", no(&["the body exists only from 2026-01-01"])),
        (
            "06411000",
            no(&["the body belongs to Land 06; only bodies of Land 05 are eligible"]),
        ),
        ("BSI", no(&["no rule admits bodies of kind bundesbehoerde"])),
        (
            "SW-EXACT",
            no(&[
                "eligible owners hold 50 %; control needs more than 50 %",
                "owner PRIV (50 %) is not eligible",
            ]),
        ),
        (
            "SW-MIN",
            no(&[
                "eligible owners hold 30 %; control needs more than 50 %",
                "owner PRIV (70 %) is not eligible",
            ]),
        ),
        (
            "SW-HESSEN",
            no(&[
                "eligible owners hold 0 %; control needs more than 50 %",
                "owner 06411000 (100 %) is not eligible",
            ]),
        ),
        (
            "CYC-A",
            no(&[
                "eligible owners hold 0 %; control needs more than 50 %",
                "owner CYC-B (60 %) is not eligible",
            ]),
        ),
    ];
    for (key, expected) in table {
        assert_eq!(check(&rules, key, on), expected, "{key}");
    }
}

#[test]
fn a_refusal_lists_every_reason() {
    let mut rules = RuleSet::nrw_default();
    rules.land = LandCode::new("06").unwrap();
    rules.rules[0].valid_to = Some(d(2024, 12, 31));
    let (eligible, rule, reasons) = check(&rules, "05970044", d(2025, 6, 1));
    assert!(!eligible);
    assert_eq!(rule, None);
    assert_eq!(
        reasons,
        [
            "the body belongs to Land 05; only bodies of Land 06 are eligible",
            "the body ceased to exist after 2020-12-31",
            "rule municipal-territorial applied only until 2024-12-31",
        ]
    );
}

#[test]
fn the_cycle_is_named_at_its_closing_owner() {
    let rules = RuleSet::nrw_default();
    let reg = register();
    let b = rules.decide(&reg, &BodyKey::new("CYC-B").unwrap(), d(2025, 1, 1));
    assert!(!b.eligible);
    // CYC-B -> CYC-A -> CYC-B: CYC-A is refused because its owner closes the cycle.
    assert!(b.reasons.contains(&Reason::OwnerNotEligible {
        owner: BodyKey::new("CYC-A").unwrap(),
        share_percent: dec!(60),
    }));
}

#[test]
fn owners_need_not_be_eligible_when_configured() {
    let mut rules = RuleSet::nrw_default();
    if let Some(c) = rules.company_control.as_mut() {
        c.owner_must_be_eligible = false;
    }
    assert!(check(&rules, "SW-EXACT", d(2025, 1, 1)).0);
    assert!(!check(&rules, "SW-HESSEN", d(2025, 1, 1)).0);
}

#[test]
fn reasons_serialise_with_a_code() {
    let reason = Reason::ControlBelowThreshold {
        eligible_share: dec!(30),
        threshold: dec!(50),
    };
    assert_eq!(
        serde_json::to_string(&reason).unwrap(),
        r#"{"code":"control_below_threshold","eligible_share":"30","threshold":"50"}"#
    );
}

#[test]
fn the_default_rule_set_is_valid_and_reads_from_toml() {
    assert_eq!(RuleSet::nrw_default().validate(), vec![]);
    let toml_text = r#"
        version = "2025-04"
        land = "05"

        [[rules]]
        id = "municipal-territorial"
        description = "Kommunen"
        kinds = ["kreisfreie_stadt", "kreisangehoerige_gemeinde", "kreis", "landschaftsverband"]

        [[rules]]
        id = "state-authorities"
        kinds = ["landesbehoerde"]
        valid_from = "2025-04-01"

        [company_control]
        id = "company-control"
        kinds = ["kommunales_unternehmen", "landesunternehmen"]
        min_share_percent = 50
        owner_must_be_eligible = true
    "#;
    let rules: RuleSet = toml::from_str(toml_text).unwrap();
    assert_eq!(rules.validate(), vec![]);
    assert_eq!(rules.rules[1].valid_from, Some(d(2025, 4, 1)));
    assert_eq!(rules.company_control.unwrap().min_share_percent, dec!(50));
}

#[test]
fn validation_lists_every_problem() {
    let mut rules = RuleSet::nrw_default();
    rules.version = " ".into();
    rules.rules[1].id = rules.rules[0].id.clone();
    rules.rules[1].kinds.push(BodyKind::Kreis);
    rules.rules[2].kinds.clear();
    rules.rules[3].kinds.push(BodyKind::Bundesbehoerde);
    rules.rules[3].valid_from = Some(d(2025, 2, 1));
    rules.rules[3].valid_to = Some(d(2025, 1, 1));
    if let Some(c) = rules.company_control.as_mut() {
        c.min_share_percent = dec!(100);
    }
    let text: Vec<String> = rules.validate().iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        [
            "version: must not be empty",
            "rules[1].id: municipal-territorial is already used by rules[0]",
            "rules[1].kinds[1]: kreis is already admitted by rule municipal-territorial",
            "rules[2].kinds: must list at least one kind",
            "rules[3].kinds[2]: bundesbehoerde can never be eligible under a Land's programme",
            "rules[3].valid_to: 2025-01-01 is before valid_from 2025-02-01",
            "company_control.min_share_percent: 100 must be at least 0 and below 100",
        ]
    );
}
