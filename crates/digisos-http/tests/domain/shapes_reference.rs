//! The JSON of every success response of the reference, register and audit routes, pinned
//! as insta snapshots (see `shapes.rs`). Hashes of the log depend on the random token
//! secrets of the test world and are redacted.

use serde_json::{Value, json};

use crate::shapes::shape;
use crate::support::{As, World};

#[tokio::test]
async fn contract_and_calendar_answers_keep_their_shape() {
    let w = &World::new();
    let get = |uri: &'static str| async move { w.call(Some(As::Body), "GET", uri, "").await };
    insta::assert_json_snapshot!("contract", shape(&get("/v1/contract").await));
    insta::assert_json_snapshot!("lots", shape(&get("/v1/contract/lots").await));
    insta::assert_json_snapshot!(
        "utilisation_empty",
        shape(&get("/v1/contract/utilisation").await)
    );
    w.dispatched().await;
    insta::assert_json_snapshot!("utilisation", shape(&get("/v1/contract/utilisation").await));
    insta::assert_json_snapshot!(
        "deadline_business",
        shape(&get("/v1/calendar/deadline?start=2025-10-02T16:00:00Z&minutes=180").await)
    );
    insta::assert_json_snapshot!(
        "deadline_24x7",
        shape(
            &get("/v1/calendar/deadline?start=2025-10-02T16:00:00Z&minutes=60&calendar=24x7").await
        )
    );
    insta::assert_json_snapshot!(
        "holidays",
        shape(&get("/v1/calendar/holidays?year=2025&calendar=leitstelle").await)
    );
    insta::assert_json_snapshot!(
        "holidays_24x7",
        shape(&get("/v1/calendar/holidays?year=2025&calendar=24x7").await)
    );
}

#[tokio::test]
async fn register_answers_keep_their_shape() {
    let w = &World::new();
    let get = |uri: &'static str| async move { w.call(Some(As::Body), "GET", uri, "").await };
    insta::assert_json_snapshot!("bodies_first_page", shape(&get("/v1/bodies?limit=3").await));
    insta::assert_json_snapshot!("bodies_companies", shape(&get("/v1/bodies?q=fiktiv").await));
    insta::assert_json_snapshot!("bodies_none", shape(&get("/v1/bodies?q=atlantis").await));
    insta::assert_json_snapshot!("body_gemeinde", shape(&get("/v1/bodies/05970040").await));
    insta::assert_json_snapshot!(
        "body_company",
        shape(&get("/v1/bodies/SW-SIEGERLAND-FIKTIV").await)
    );
    let mut decisions = Vec::new();
    for key in [
        "05315000",
        "SW-SIEGERLAND-FIKTIV",
        "NETZ-FIKTIV",
        "PRIVAT-FIKTIV",
        "05999999",
    ] {
        let uri = format!("/v1/eligibility/{key}?on=2019-06-01");
        decisions.push(shape(&w.call(Some(As::Body), "GET", &uri, "").await));
    }
    insta::assert_json_snapshot!("eligibility", decisions);
    insta::assert_json_snapshot!(
        "eligibility_today",
        shape(&get("/v1/eligibility/05315000").await)
    );

    let import = json!({
        "format": "csv",
        "content": "key,name,kind,land,regierungsbezirk,parent,owners,valid_from,valid_to\n\
            LWL,Landschaftsverband Westfalen-Lippe,landschaftsverband,05,,,,,\n",
        "source": "Nachtrag",
    });
    let a = w
        .call(
            Some(As::Coordinator),
            "POST",
            "/v1/register/imports",
            &import.to_string(),
        )
        .await;
    insta::assert_json_snapshot!("register_import", shape(&a));
}

#[tokio::test]
async fn audit_answers_keep_their_shape() {
    let w = World::new();
    let before = w
        .call(Some(As::Auditor), "GET", "/v1/audit/verify", "")
        .await;
    let since = before.json()["last_position"].as_u64().unwrap();
    w.dispatched().await;
    let a = w
        .call(Some(As::Auditor), "GET", "/v1/audit/verify", "")
        .await;
    insta::assert_json_snapshot!("audit_verify", shape(&a), { ".body.head_hash" => "[hash]" });

    let a = w
        .call(
            Some(As::Auditor),
            "GET",
            &format!("/v1/audit/export?since={since}"),
            "",
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.text());
    assert_eq!(a.headers["content-type"], "application/x-ndjson");
    let lines: Vec<Value> = a
        .text()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    insta::assert_json_snapshot!("audit_export", lines, {
        "[].hash" => "[hash]",
        "[].prev_hash" => "[hash]",
    });
}
