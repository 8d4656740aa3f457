//! Tests of contract validation and the contract's queries, on the example NRW contract.

use super::*;
use crate::validation::Problem;
use rust_decimal_macros::dec;

const EXAMPLE: &str = include_str!("../../../../examples/nrw/contract.toml");

fn spec() -> ContractSpec {
    toml::from_str(EXAMPLE).expect("example parses")
}

fn problems(spec: &ContractSpec) -> Vec<String> {
    spec.validate()
        .err()
        .unwrap_or_default()
        .iter()
        .map(Problem::to_string)
        .collect()
}

fn d(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

#[test]
fn the_example_contract_is_valid() {
    let c = spec().validate().expect("valid");
    assert_eq!(c.lots.len(), 2);
    assert_eq!(c.providers.len(), 4);
    assert_eq!(c.maximum_value, Money::euro(10_000_000));
    assert!(c.compiled_calendars().is_ok());
}

#[test]
fn term_may_not_exceed_four_years() {
    let mut s = spec();
    s.term.end = d("2029-03-31");
    assert!(problems(&s).is_empty());
    s.term.end = d("2029-04-01");
    assert_eq!(
        problems(&s),
        ["term: runs from 2025-04-01 to 2029-04-01, longer than 4 years (§ 21 (6) VgV)"]
    );
    s.term.end = d("2025-03-01");
    assert_eq!(
        problems(&s),
        ["term: ends 2025-03-01 before it starts 2025-04-01"]
    );
}

#[test]
fn every_problem_is_reported_with_its_path() {
    let mut s = spec();
    s.maximum_value = dec!(0);
    s.lots[0].providers.clear();
    s.lots[1]
        .rate_card
        .roles
        .insert(crate::ids::RoleId::new("pentester").expect("role"), dec!(0));
    s.lots[1].limits.per_call_off = Some(dec!(-5));
    s.lots[1].id = s.lots[0].id.clone();
    let p = problems(&s);
    assert!(
        p.contains(&"maximum_value: amount must be positive, got 0".to_string()),
        "{p:?}"
    );
    assert!(p.contains(&"lots[0].providers: a lot needs at least one provider".to_string()));
    assert!(p.contains(&"lots[1].rate_card.roles.pentester: rate must be positive".to_string()));
    assert!(
        p.contains(&"lots[1].limits.per_call_off: amount must be positive, got -5".to_string())
    );
    assert!(p.contains(&"lots[1].id: duplicate lot id los-1-rheinland".to_string()));
    assert!(
        p.iter()
            .any(|x| x.starts_with("lots: lot ceilings sum to 9000000.00"))
    );
}

#[test]
fn contract_years_count_from_the_term_start() {
    let c = spec().validate().expect("valid");
    assert_eq!(c.contract_year(d("2025-03-31")), None);
    assert_eq!(c.contract_year(d("2025-04-01")), Some(1));
    assert_eq!(c.contract_year(d("2026-03-31")), Some(1));
    assert_eq!(c.contract_year(d("2026-04-01")), Some(2));
    assert_eq!(c.contract_year(d("2029-03-31")), Some(4));
    assert_eq!(c.contract_year(d("2029-04-01")), None);
}

#[test]
fn lots_serve_their_regions() {
    let c = spec().validate().expect("valid");
    let ids = |r: Option<&str>| -> Vec<String> {
        c.lots_for_region(r).map(|l| l.id.to_string()).collect()
    };
    assert_eq!(ids(Some("059")), ["los-2-westfalen"]);
    assert_eq!(ids(Some("053")), ["los-1-rheinland"]);
    assert!(ids(None).is_empty());
}

#[test]
fn provider_order_cascades_or_rotates() {
    let c = spec().validate().expect("valid");
    let mut lot = c.lots[1].clone();
    let names = |v: Vec<ProviderId>| v.iter().map(ToString::to_string).collect::<Vec<_>>();
    assert_eq!(
        names(lot.provider_order(None)),
        [
            "westfalen-cert",
            "ruhrschild",
            "lippe-forensik",
            "rheinwacht"
        ]
    );
    let first = lot.providers[0].clone();
    assert_eq!(names(lot.provider_order(Some(&first)))[0], "westfalen-cert");
    lot.selection = ProviderSelection::Rotation;
    assert_eq!(
        names(lot.provider_order(Some(&first))),
        [
            "ruhrschild",
            "lippe-forensik",
            "rheinwacht",
            "westfalen-cert"
        ]
    );
    let last = lot.providers[3].clone();
    assert_eq!(names(lot.provider_order(Some(&last)))[0], "westfalen-cert");
}

#[test]
fn estimates_price_person_days_at_the_estimate_role() {
    let c = spec().validate().expect("valid");
    // 5 person-days × 8 h × 160.00 EUR (incident_responder, lot 2)
    assert_eq!(c.lots[1].estimate(dec!(5)), Some(Money::euro(6_400)));
    assert_eq!(c.lots[0].estimate(dec!(0.5)), Money::new(dec!(660)).ok());
}
