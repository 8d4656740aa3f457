//! The authorisation matrix: every route of `/openapi.json` × every role × own/foreign
//! object → the status it answers, on an incident of Köln dispatched to rheinwacht. The
//! table is an insta snapshot (a reviewed change); the test fails when a documented route
//! has no row, when a foreign caller learns that an incident exists, when the auditor
//! changes anything, or on any 5xx.

use std::fmt::Write as _;

use digisos_http::routes::{CallOffAction, TimeEntryAction, Transition};

use crate::support::{As, World};

/// The requests exercising one documented route (`{id}` is the incident).
fn row(method: &str, path: &str) -> Option<Vec<(String, String)>> {
    let one = |uri: &str, body: &str| Some(vec![(uri.to_owned(), body.to_owned())]);
    let report =
        r#"{"body":"05315000","title":"x","category":"other","aware_at":"2025-10-01T00:00:00Z"}"#;
    match (method, path) {
        ("get", "/v1/bodies") => one("/v1/bodies?limit=1", ""),
        ("get", "/v1/bodies/{key}") => one("/v1/bodies/05315000", ""),
        ("post", "/v1/register/imports") => one(
            "/v1/register/imports",
            r#"{"format":"csv","content":"key,name,kind,land,regierungsbezirk,parent,owners,valid_from,valid_to\nLWL,Landschaftsverband Westfalen-Lippe,landschaftsverband,05,,,,,\n"}"#,
        ),
        ("get", "/v1/eligibility/{key}") => one("/v1/eligibility/05315000?on=2025-10-02", ""),
        ("get", "/v1/contract") => one("/v1/contract", ""),
        ("get", "/v1/contract/lots") => one("/v1/contract/lots", ""),
        ("get", "/v1/contract/utilisation") => one("/v1/contract/utilisation", ""),
        ("get", "/v1/calendar/deadline") => one(
            "/v1/calendar/deadline?start=2025-10-02T16:00:00Z&minutes=60",
            "",
        ),
        ("get", "/v1/calendar/holidays") => one("/v1/calendar/holidays?year=2025", ""),
        ("post", "/v1/incidents") => one("/v1/incidents", report),
        ("get", "/v1/incidents") => one("/v1/incidents", ""),
        ("get", "/v1/incidents/{id}") => one("/v1/incidents/{id}", ""),
        ("get", "/v1/incidents/{id}/events") => one("/v1/incidents/{id}/events", ""),
        ("get", "/v1/incidents/{id}/sla") => one("/v1/incidents/{id}/sla", ""),
        ("get", "/v1/incidents/{id}/duties") => one("/v1/incidents/{id}/duties", ""),
        ("post", "/v1/incidents/{id}/duties") => one(
            "/v1/incidents/{id}/duties",
            r#"{"kind":"gdpr_notification","submitted_at":"2025-10-02T18:00:00Z","reference":"LDI-1"}"#,
        ),
        ("post", "/v1/incidents/{id}/{action}") => Some(
            Transition::ALL
                .iter()
                .map(|a| {
                    let body = match a {
                        Transition::Triage => r#"{"severity":"low","lot":"los-1-rheinland"}"#,
                        Transition::Reject => r#"{"reasons":["x"]}"#,
                        Transition::Dispatch => r#"{"estimate":{"person_days":"1"}}"#,
                        Transition::Close => r#"{"final_report_ref":"x"}"#,
                        Transition::Decline
                        | Transition::Wait
                        | Transition::Withdraw
                        | Transition::Cancel => r#"{"reason":"x"}"#,
                        _ => "",
                    };
                    (
                        format!("/v1/incidents/{{id}}/{}", a.as_str()),
                        body.to_owned(),
                    )
                })
                .collect(),
        ),
        ("post", "/v1/incidents/{id}/call-off/{action}") => Some(
            CallOffAction::ALL
                .iter()
                .map(|a| {
                    let body = match a {
                        CallOffAction::Approve | CallOffAction::ApproveAmendment => "",
                        CallOffAction::Amend => r#"{"estimate":{"person_days":"2"},"reason":"x"}"#,
                        _ => r#"{"reason":"x"}"#,
                    };
                    (
                        format!("/v1/incidents/{{id}}/call-off/{}", a.as_str()),
                        body.to_owned(),
                    )
                })
                .collect(),
        ),
        ("post", "/v1/incidents/{id}/time-entries") => one(
            "/v1/incidents/{id}/time-entries",
            r#"{"role":"incident_responder","start":"2025-10-02T18:00:00Z","end":"2025-10-02T19:00:00Z","description":"x"}"#,
        ),
        ("get", "/v1/incidents/{id}/time-entries") => one("/v1/incidents/{id}/time-entries", ""),
        ("post", "/v1/incidents/{id}/time-entries/{n}/{action}") => Some(
            TimeEntryAction::ALL
                .iter()
                .map(|a| {
                    let body = if *a == TimeEntryAction::Approve {
                        ""
                    } else {
                        r#"{"reason":"x"}"#
                    };
                    (
                        format!("/v1/incidents/{{id}}/time-entries/1/{}", a.as_str()),
                        body.to_owned(),
                    )
                })
                .collect(),
        ),
        ("get", "/v1/audit/export") => one("/v1/audit/export", ""),
        ("get", "/v1/audit/verify") => one("/v1/audit/verify", ""),
        ("get", "/v1/reports/utilisation") => one("/v1/reports/utilisation", ""),
        ("get", "/v1/reports/sla") => one("/v1/reports/sla", ""),
        ("get", "/v1/reports/incidents") => one("/v1/reports/incidents", ""),
        ("get", "/v1/reports/duties") => one("/v1/reports/duties", ""),
        ("get", "/v1/reports/ocds") => one("/v1/reports/ocds?ocid_prefix=ocds-a1b2c3", ""),
        ("get", "/healthz" | "/readyz" | "/metrics" | "/openapi.json") => Some(vec![]),
        _ => None,
    }
}

fn documented_routes() -> Vec<(String, String)> {
    let doc = serde_json::to_value(digisos_http::openapi(digisos_http::routes())).unwrap();
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                out.push((method.clone(), path.clone()));
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_every_role_as_the_matrix_says() {
    let routes = documented_routes();
    let missing: Vec<_> = routes.iter().filter(|(m, p)| row(m, p).is_none()).collect();
    assert!(
        missing.is_empty(),
        "routes without a row in the matrix: {missing:?}"
    );

    let mut table =
        String::from("route | coordinator body foreign-body provider foreign-provider auditor\n");
    for (method, path) in &routes {
        for (uri, body) in row(method, path).unwrap() {
            let mut statuses = Vec::new();
            for who in As::ALL {
                let w = World::new();
                let id = w.dispatched().await;
                let uri = uri.replace("{id}", &id);
                let a = w.call(Some(who), &method.to_uppercase(), &uri, &body).await;
                let s = a.status.as_u16();
                assert!(s < 500, "{method} {uri} as {who:?}: {}", a.text());
                let incident_route = path.contains("{id}");
                if incident_route && matches!(who, As::ForeignBody | As::ForeignProvider) {
                    assert_eq!(
                        s, 404,
                        "{method} {uri} as {who:?} must not reveal the incident"
                    );
                }
                if method == "post" && who == As::Auditor {
                    assert!(
                        !a.status.is_success(),
                        "the auditor changed something: {method} {uri}"
                    );
                }
                statuses.push(s.to_string());
            }
            let shown = uri.replace("{id}", ":id");
            let _ = writeln!(
                table,
                "{} {shown} | {}",
                method.to_uppercase(),
                statuses.join(" ")
            );
        }
    }
    insta::assert_snapshot!("authorisation_matrix", table);
}

#[test]
fn the_openapi_document_of_the_domain_api_is_a_reviewed_change() {
    let doc = serde_json::to_value(digisos_http::openapi(digisos_http::routes())).unwrap();
    insta::assert_json_snapshot!("domain_openapi", doc);
}
