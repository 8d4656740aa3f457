//! The JSON of the report routes (`/v1/reports/...`), pinned as insta snapshots through
//! the real router with the fixed clock (see `shapes.rs`), on a small programme: one
//! incident settled and closed, one cascaded after a missed acceptance window, one left
//! untriaged. Each answer must also be exactly the core report's own JSON, which is what
//! `digisos --json report …` prints and what the CLI's remote mode reads back.

use chrono::TimeDelta;
use digisos_core::reports::{self, ocds};
use digisos_http::clock::Clock as _;
use serde_json::{Value, json};

use crate::shapes::shape;
use crate::support::{As, KOELN, OLPE, World, t0};

/// The report routes and the core report each must answer with, as of the clock's now.
fn expected(w: &World, uri: &str) -> Value {
    let now = w.clock.now();
    let read = w.handle.read();
    let p = read.programme();
    let value = match uri {
        "/v1/reports/utilisation" => serde_json::to_value(reports::utilisation(p, now)),
        "/v1/reports/sla" => serde_json::to_value(reports::sla(p, now)),
        "/v1/reports/incidents" => serde_json::to_value(reports::incident_statistics(p, now)),
        "/v1/reports/duties" => serde_json::to_value(reports::duties(p, now)),
        _ => {
            let prefix = ocds::OcidPrefix::new("ocds-a1b2c3").unwrap();
            serde_json::to_value(ocds::export(p, &prefix, now).unwrap())
        }
    };
    value.unwrap()
}

const REPORTS: [(&str, &str); 5] = [
    ("report_utilisation", "/v1/reports/utilisation"),
    ("report_sla", "/v1/reports/sla"),
    ("report_incidents", "/v1/reports/incidents"),
    ("report_duties", "/v1/reports/duties"),
    ("report_ocds", "/v1/reports/ocds?ocid_prefix=ocds-a1b2c3"),
];

/// Settles and closes one incident, cascades another, leaves a third untriaged.
async fn programme(w: &World) {
    let one = w.dispatched().await;
    let at = |id: &str, path: &str| format!("/v1/incidents/{id}{path}");
    for (minutes, step) in [(20, "accept"), (25, "first-contact"), (30, "remote-start")] {
        w.clock.advance(TimeDelta::minutes(minutes));
        w.ok(As::Provider, &at(&one, &format!("/{step}")), "").await;
    }
    w.ok(
        As::Body,
        &at(&one, "/duties"),
        r#"{"kind":"gdpr_notification","submitted_at":"2025-10-02T19:00:00Z","reference":"LDI-2025-17"}"#,
    )
    .await;
    w.clock.advance(TimeDelta::hours(2));
    w.ok(As::Provider, &at(&one, "/on-site"), "").await;
    let entry = json!({
        "role": "forensic_analyst",
        "start": (t0() + TimeDelta::minutes(10)).to_rfc3339(),
        "end": (t0() + TimeDelta::minutes(100)).to_rfc3339(),
        "description": "Erstanalyse",
    });
    w.ok(As::Provider, &at(&one, "/time-entries"), &entry.to_string())
        .await;
    w.ok(As::Body, &at(&one, "/time-entries/1/approve"), "")
        .await;
    for step in ["contain", "recover"] {
        w.clock.advance(TimeDelta::hours(3));
        w.ok(As::Provider, &at(&one, &format!("/{step}")), "").await;
    }
    w.ok(
        As::Coordinator,
        &at(&one, "/close"),
        r#"{"final_report_ref":"AB-1"}"#,
    )
    .await;

    // rheinwacht misses the acceptance window of the second call-off: it moves on
    w.dispatched().await;
    w.clock.advance(TimeDelta::minutes(61));
    assert!(w.handle.tick().await.unwrap() > 0);

    w.report(As::ForeignBody, OLPE).await;
    // the GDPR duties of the open incidents fall overdue
    w.clock.advance(TimeDelta::days(3));
}

#[tokio::test]
async fn every_report_answers_in_the_core_reports_shape() {
    let w = World::new();
    let mut before = serde_json::Map::new();
    for (name, uri) in &REPORTS[..4] {
        let a = w.call(Some(As::Auditor), "GET", uri, "").await;
        assert_eq!(a.json(), expected(&w, uri), "{uri}");
        before.insert((*name).to_owned(), shape(&a));
    }
    insta::assert_json_snapshot!("reports_before_any_incident", before);

    programme(&w).await;
    for (name, uri) in REPORTS {
        let a = w.call(Some(As::Coordinator), "GET", uri, "").await;
        insta::assert_json_snapshot!(name, shape(&a));
        assert_eq!(a.json(), expected(&w, uri), "{uri}");
        let auditor = w.call(Some(As::Auditor), "GET", uri, "").await;
        assert_eq!(auditor.json(), a.json(), "{uri}");
    }
}

#[tokio::test]
async fn reports_are_for_the_coordinator_and_the_auditor_only() {
    let w = World::new();
    w.dispatched().await;
    w.report(As::Body, KOELN).await;
    for (_, uri) in REPORTS {
        for who in [As::Body, As::ForeignBody, As::Provider, As::ForeignProvider] {
            let a = w.call(Some(who), "GET", uri, "").await;
            a.problem(403, "forbidden");
        }
        w.call(None, "GET", uri, "")
            .await
            .problem(401, "unauthorized");
    }
}

#[tokio::test]
async fn the_ocds_package_takes_the_ocid_prefix_of_the_cli_with_the_same_default() {
    let w = World::new();
    w.dispatched().await;
    let a = w
        .call(Some(As::Coordinator), "GET", "/v1/reports/ocds", "")
        .await;
    assert_eq!(a.status, 200, "{}", a.text());
    let package = a.json();
    assert_eq!(package["version"], "1.1");
    assert_eq!(
        package["releases"][0]["ocid"],
        format!("{}-digi-sos-nrw-2025", ocds::PLACEHOLDER_PREFIX)
    );
    assert_eq!(
        package["releases"][1]["relatedProcesses"][0]["identifier"],
        package["releases"][0]["ocid"]
    );
    assert_eq!(package["publishedDate"], "2025-10-02T18:00:00Z");

    let bad = w
        .call(
            Some(As::Coordinator),
            "GET",
            "/v1/reports/ocds?ocid_prefix=ocds-1",
            "",
        )
        .await;
    let p = bad.problem(400, "invalid-ocid-prefix");
    assert_eq!(p["ocid_prefix"], "ocds-1");
    assert!(
        p["detail"].as_str().unwrap().contains("six lowercase"),
        "{p}"
    );
    // a body may not learn whether its prefix would have been valid
    w.call(
        Some(As::Body),
        "GET",
        "/v1/reports/ocds?ocid_prefix=ocds-1",
        "",
    )
    .await
    .problem(403, "forbidden");
    w.call(
        Some(As::Coordinator),
        "GET",
        "/v1/reports/ocds?prefix=ocds-a1b2c3",
        "",
    )
    .await
    .problem(400, "bad-request");
}
