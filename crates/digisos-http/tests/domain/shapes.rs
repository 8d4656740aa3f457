//! The JSON of every success response of the incident routes, pinned as insta snapshots
//! through the real router with the fixed clock: clients depend on these names, on null
//! versus absent members, on money as decimal strings and on RFC 3339 instants. A change
//! of a snapshot is a change of the wire format and needs a reviewed reason.
//!
//! Reference data, the register and the audit trail: `shapes_reference.rs`.

use chrono::TimeDelta;
use serde_json::{Value, json};

use crate::support::{Answer, As, KOELN, World, t0};

/// The status and body of a JSON answer, for a snapshot.
pub(crate) fn shape(a: &Answer) -> Value {
    assert!(a.status.is_success(), "{}: {}", a.status, a.text());
    assert_eq!(
        a.headers["content-type"],
        "application/json",
        "{}",
        a.text()
    );
    json!({ "status": a.status.as_u16(), "body": a.json() })
}

/// A JSON answer's status, body, `ETag` and `Location`, for a snapshot.
fn shape_with_headers(a: &Answer) -> Value {
    let header = |name: &str| a.headers.get(name).map(|v| v.to_str().unwrap().to_owned());
    let mut v = shape(a);
    v["etag"] = json!(header("etag"));
    v["location"] = json!(header("location"));
    v
}

fn entry(minutes_from: i64, minutes_to: i64, what: &str) -> String {
    json!({
        "role": "forensic_analyst",
        "start": (t0() + TimeDelta::minutes(minutes_from)).to_rfc3339(),
        "end": (t0() + TimeDelta::minutes(minutes_to)).to_rfc3339(),
        "description": what,
    })
    .to_string()
}

#[tokio::test]
async fn an_incident_answers_in_the_same_shape_at_every_step() {
    let w = &World::new();
    let get = |uri: String| async move { w.call(Some(As::Body), "GET", &uri, "").await };

    let report = json!({
        "body": KOELN,
        "title": "Ransomware: Fachverfahren verschlüsselt",
        "description": "Dateiserver verschlüsselt, Lösegeldforderung",
        "category": "ransomware",
        "aware_at": (t0() - TimeDelta::minutes(30)).to_rfc3339(),
        "affected_services": ["Meldewesen", "Kfz-Zulassung"],
        "personal_data": true,
        "nis2": "important",
        "on_site_needed": true,
    });
    let a = w
        .call(Some(As::Body), "POST", "/v1/incidents", &report.to_string())
        .await;
    insta::assert_json_snapshot!("report", shape_with_headers(&a));
    let id = a.json()["id"].as_str().unwrap().to_owned();
    let at = |path: &str| format!("/v1/incidents/{id}{path}");

    let a = get(at("")).await;
    insta::assert_json_snapshot!("get_incident_reported", shape_with_headers(&a));
    insta::assert_json_snapshot!("sla_reported", shape(&get(at("/sla")).await));
    insta::assert_json_snapshot!("duties_reported", shape(&get(at("/duties")).await));
    insta::assert_json_snapshot!("time_entries_none", shape(&get(at("/time-entries")).await));

    let a = w
        .ok(
            As::Coordinator,
            &at("/triage"),
            r#"{"severity":"critical","lot":"los-1-rheinland"}"#,
        )
        .await;
    insta::assert_json_snapshot!("transition_triage", shape_with_headers(&a));
    let a = w
        .ok(
            As::Coordinator,
            &at("/dispatch"),
            r#"{"estimate":{"person_days":"5"}}"#,
        )
        .await;
    insta::assert_json_snapshot!("transition_dispatch", shape_with_headers(&a));
    insta::assert_json_snapshot!("sla_dispatched", shape(&get(at("/sla")).await));

    let a = w
        .ok(
            As::Provider,
            &at("/call-off/amend"),
            r#"{"estimate":{"amount":"9000.00"},"reason":"Forensik aufwendiger"}"#,
        )
        .await;
    insta::assert_json_snapshot!("call_off_amend", shape_with_headers(&a));
    for step in ["accept", "first-contact", "remote-start"] {
        w.ok(As::Provider, &at(&format!("/{step}")), "").await;
    }
    let a = w
        .ok(As::Provider, &at("/wait"), r#"{"reason":"Zugang fehlt"}"#)
        .await;
    insta::assert_json_snapshot!("transition_wait", shape_with_headers(&a));
    w.clock.advance(TimeDelta::minutes(20));
    insta::assert_json_snapshot!("sla_waiting", shape(&get(at("/sla")).await));
    w.ok(As::Body, &at("/resume"), "").await;

    w.clock.advance(TimeDelta::hours(3));
    let a = w
        .call(
            Some(As::Provider),
            "POST",
            &at("/time-entries"),
            &entry(10, 100, "Erstanalyse"),
        )
        .await;
    insta::assert_json_snapshot!("time_entry_submitted", shape_with_headers(&a));
    w.ok(
        As::Provider,
        &at("/time-entries"),
        &entry(100, 160, "Sicherung"),
    )
    .await;
    w.ok(
        As::Provider,
        &at("/time-entries"),
        &entry(160, 170, "Doppelt"),
    )
    .await;
    let a = w.ok(As::Body, &at("/time-entries/1/approve"), "").await;
    insta::assert_json_snapshot!("time_entry_approve", shape_with_headers(&a));
    let a = w
        .ok(
            As::Body,
            &at("/time-entries/2/dispute"),
            r#"{"reason":"nicht beauftragt"}"#,
        )
        .await;
    insta::assert_json_snapshot!("time_entry_dispute", shape_with_headers(&a));
    w.ok(
        As::Coordinator,
        &at("/time-entries/1/reverse"),
        r#"{"reason":"Doppelbuchung"}"#,
    )
    .await;
    insta::assert_json_snapshot!("time_entries", shape(&get(at("/time-entries")).await));

    let a = w
        .ok(
            As::Body,
            &at("/duties"),
            r#"{"kind":"gdpr_notification","submitted_at":"2025-10-02T19:00:00Z","reference":"LDI-2025-17"}"#,
        )
        .await;
    insta::assert_json_snapshot!("record_duty", shape_with_headers(&a));
    insta::assert_json_snapshot!("duties_submitted", shape(&get(at("/duties")).await));
    w.clock.advance(TimeDelta::days(3));
    insta::assert_json_snapshot!("duties_overdue", shape(&get(at("/duties")).await));

    insta::assert_json_snapshot!("sla_accepted", shape(&get(at("/sla")).await));
    let a = w.call(Some(As::Auditor), "GET", &at("/events"), "").await;
    insta::assert_json_snapshot!("events", shape(&a));
}

#[tokio::test]
async fn a_cascade_and_a_closed_incident_answer_in_the_same_shape() {
    let w = World::new();
    let id = w.dispatched().await;
    let at = |path: &str| format!("/v1/incidents/{id}{path}");
    w.clock.advance(TimeDelta::minutes(61));
    assert!(w.handle.tick().await.unwrap() > 0);
    let a = w.call(Some(As::Coordinator), "GET", &at(""), "").await;
    insta::assert_json_snapshot!("get_incident_cascaded", shape_with_headers(&a));
    let a = w.call(Some(As::Coordinator), "GET", &at("/sla"), "").await;
    insta::assert_json_snapshot!("sla_breached", shape(&a));

    let provider = As::Coordinator;
    for step in [
        "accept",
        "first-contact",
        "remote-start",
        "on-site",
        "contain",
        "recover",
    ] {
        w.ok(provider, &at(&format!("/{step}")), "").await;
    }
    let a = w
        .ok(
            As::Coordinator,
            &at("/close"),
            r#"{"final_report_ref":"AB-1"}"#,
        )
        .await;
    insta::assert_json_snapshot!("transition_close", shape_with_headers(&a));
    let a = w.call(Some(As::Coordinator), "GET", &at("/sla"), "").await;
    insta::assert_json_snapshot!("sla_closed", shape(&a));

    let other = w.report(As::Body, KOELN).await;
    let a = w
        .ok(
            As::Coordinator,
            &format!("/v1/incidents/{other}/reject"),
            r#"{"reasons":["kein Sicherheitsvorfall","Dublette"]}"#,
        )
        .await;
    insta::assert_json_snapshot!("transition_reject", shape_with_headers(&a));
}

#[tokio::test]
async fn incident_lists_answer_in_the_same_shape() {
    let w = &World::new();
    for _ in 0..3 {
        w.report(As::Body, KOELN).await;
    }
    let page = |uri: &'static str| async move { w.call(Some(As::Body), "GET", uri, "").await };
    insta::assert_json_snapshot!(
        "incidents_first_page",
        shape(&page("/v1/incidents?limit=2").await)
    );
    insta::assert_json_snapshot!(
        "incidents_last_page",
        shape(&page("/v1/incidents?limit=2&cursor=INC-000002").await)
    );
    insta::assert_json_snapshot!(
        "incidents_empty",
        shape(&page("/v1/incidents?state=closed").await)
    );
}
