//! A whole incident through the API, and timers that act without a request.

use chrono::TimeDelta;

use crate::support::{As, KOELN, World, t0};

#[tokio::test]
async fn an_incident_goes_from_report_to_settlement() {
    let w = World::new();
    let id = w.report(As::Body, KOELN).await;
    let a = w
        .call(Some(As::Body), "GET", &format!("/v1/incidents/{id}"), "")
        .await;
    assert_eq!(a.headers["etag"], "\"v1\"");
    assert_eq!(a.json()["state"], "reported");

    let triage = format!("/v1/incidents/{id}/triage");
    let body = r#"{"severity":"critical","lot":"los-1-rheinland"}"#;
    let a = w
        .call_with(
            Some(As::Coordinator),
            "POST",
            &triage,
            body,
            &[("if-match", "\"v1\"")],
        )
        .await;
    assert_eq!(a.json()["state"], "triaged", "{}", a.text());
    let v = a.headers["etag"].to_str().unwrap().to_owned();

    let dispatch = format!("/v1/incidents/{id}/dispatch");
    let body = r#"{"estimate":{"person_days":"5"}}"#;
    let stale = w
        .call_with(
            Some(As::Coordinator),
            "POST",
            &dispatch,
            body,
            &[("if-match", "\"v1\"")],
        )
        .await;
    stale.problem(412, "precondition-failed");
    let a = w
        .call_with(
            Some(As::Coordinator),
            "POST",
            &dispatch,
            body,
            &[("if-match", &v)],
        )
        .await;
    assert_eq!(a.json()["provider"], "rheinwacht", "{}", a.text());

    for step in ["accept", "first-contact", "remote-start", "on-site"] {
        w.ok(As::Provider, &format!("/v1/incidents/{id}/{step}"), "")
            .await;
    }
    w.clock.advance(TimeDelta::hours(1));
    let entry = serde_json::json!({
        "role": "incident_responder",
        "start": (t0() + TimeDelta::minutes(10)).to_rfc3339(),
        "end": (t0() + TimeDelta::minutes(70)).to_rfc3339(),
        "description": "Erstanalyse",
    });
    let a = w
        .call(
            Some(As::Provider),
            "POST",
            &format!("/v1/incidents/{id}/time-entries"),
            &entry.to_string(),
        )
        .await;
    assert_eq!(a.status, 201, "{}", a.text());
    w.ok(
        As::Body,
        &format!("/v1/incidents/{id}/time-entries/1/approve"),
        "",
    )
    .await;
    let entries = w
        .call(
            Some(As::Body),
            "GET",
            &format!("/v1/incidents/{id}/time-entries"),
            "",
        )
        .await;
    assert_eq!(entries.json()["items"][0]["state"], "approved");

    w.ok(As::Provider, &format!("/v1/incidents/{id}/contain"), "")
        .await;
    w.ok(As::Provider, &format!("/v1/incidents/{id}/recover"), "")
        .await;
    let a = w
        .ok(
            As::Coordinator,
            &format!("/v1/incidents/{id}/close"),
            r#"{"final_report_ref":"AB-1"}"#,
        )
        .await;
    assert_eq!(a.json()["state"], "closed");

    let sla = w
        .call(
            Some(As::Provider),
            "GET",
            &format!("/v1/incidents/{id}/sla"),
            "",
        )
        .await
        .json();
    assert!(
        sla["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["stage"] == "met"),
        "{sla}"
    );
    let duties = w
        .call(
            Some(As::Body),
            "GET",
            &format!("/v1/incidents/{id}/duties"),
            "",
        )
        .await
        .json();
    assert_eq!(duties["items"][0]["kind"], "gdpr_notification", "{duties}");
    let events = w
        .call(
            Some(As::Auditor),
            "GET",
            &format!("/v1/incidents/{id}/events"),
            "",
        )
        .await
        .json();
    assert!(events["items"].as_array().unwrap().len() > 10);

    let rows = w
        .call(Some(As::Auditor), "GET", "/v1/contract/utilisation", "")
        .await
        .json();
    assert!(
        rows["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["key"] == "contract"),
        "{rows}"
    );
    let verify = w
        .call(Some(As::Auditor), "GET", "/v1/audit/verify", "")
        .await
        .json();
    assert_eq!(verify["intact"], true);
    let export = w
        .call(Some(As::Auditor), "GET", "/v1/audit/export?since=2", "")
        .await;
    assert_eq!(export.headers["content-type"], "application/x-ndjson");
    assert!(
        export
            .text()
            .lines()
            .next()
            .unwrap()
            .contains("\"position\":3")
    );
    let metrics = w.call(None, "GET", "/metrics", "").await.text();
    assert!(metrics.contains("digisos_open_incidents 0"), "{metrics}");
    assert!(
        metrics.contains(r#"digisos_budget_used_eur{lot="los-1-rheinland"}"#),
        "{metrics}"
    );
}

#[tokio::test]
async fn a_missed_acceptance_window_cascades_on_a_tick_without_a_request() {
    let w = World::new();
    let id = w.dispatched().await;
    w.clock.advance(TimeDelta::minutes(61));
    let due = w.handle.read().programme().next_timeout().unwrap();
    assert!(due <= w.handle.now());
    assert!(w.handle.tick().await.unwrap() > 0);
    let a = w
        .call(
            Some(As::Coordinator),
            "GET",
            &format!("/v1/incidents/{id}"),
            "",
        )
        .await
        .json();
    assert_eq!(a["provider"], "ruhrschild", "{a}");
    let metrics = w.call(None, "GET", "/metrics", "").await.text();
    assert!(metrics.contains("digisos_sla_breaches 1"), "{metrics}");
}

#[tokio::test]
async fn lists_filter_by_visibility_state_and_cursor() {
    let w = World::new();
    for _ in 0..3 {
        w.report(As::Body, KOELN).await;
    }
    w.report(As::Coordinator, crate::support::OLPE).await;
    let page = w
        .call(Some(As::Body), "GET", "/v1/incidents?limit=2", "")
        .await
        .json();
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let next = page["next_cursor"].as_str().unwrap().to_owned();
    let page = w
        .call(
            Some(As::Body),
            "GET",
            &format!("/v1/incidents?limit=2&cursor={next}"),
            "",
        )
        .await
        .json();
    assert_eq!(
        page["items"].as_array().unwrap().len(),
        1,
        "the Olpe incident is invisible"
    );
    assert!(page["next_cursor"].is_null());
    let all = w
        .call(Some(As::Auditor), "GET", "/v1/incidents?state=reported", "")
        .await
        .json();
    assert_eq!(all["items"].as_array().unwrap().len(), 4);
    let bodies = w
        .call(Some(As::Body), "GET", "/v1/bodies?kind=kreis&q=olpe", "")
        .await
        .json();
    assert_eq!(bodies["items"][0]["key"], "05966", "{bodies}");
    let elig = w
        .call(
            Some(As::Body),
            "GET",
            "/v1/eligibility/05315000?on=2025-10-02",
            "",
        )
        .await
        .json();
    assert_eq!(elig["decision"]["eligible"], true, "{elig}");
    let d = w
        .call(
            Some(As::Body),
            "GET",
            "/v1/calendar/deadline?start=2025-10-02T16:00:00Z&minutes=60&calendar=24x7",
            "",
        )
        .await
        .json();
    assert_eq!(d["deadline"], "2025-10-02T17:00:00Z");
    let h = w
        .call(Some(As::Body), "GET", "/v1/calendar/holidays?year=2025", "")
        .await
        .json();
    assert!(
        h["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["name"] == "Fronleichnam"),
        "{h}"
    );
}
