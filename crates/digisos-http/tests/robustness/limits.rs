//! Concurrency over HTTP: 200 parallel dispatches (call-offs) of 1000.00 each against a
//! lot whose ceiling admits exactly 7 of them → exactly 7 succeed, 193 get
//! `/problems/call-off-limit-exceeded`, and the ledger holds exactly 7000.00.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, header};
use chrono::TimeDelta;
use digisos_core::contract::ContractSpec;
use digisos_core::principal::Principal;
use digisos_core::programme::Command;
use digisos_core::service::Service;
use digisos_http::auth::TokenStore;
use digisos_http::clock::FixedClock;
use digisos_http::tokens::ProgrammeTokens;
use digisos_http::{HttpConfig, Role, ServiceHandle, domain_app};
use digisos_store::ProgrammeLog;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::support::{KOELN, t0};

const CONTRACT: &str = include_str!("../../../../examples/nrw/contract.toml");
const REGISTER: &[u8] = include_bytes!("../../../../examples/nrw/register.csv");

/// Parallel call-off requests.
const REQUESTS: usize = 200;
/// The amount of each call-off.
const AMOUNT: &str = "1000.00";
/// The ceiling of lot 1: room for exactly [`AFFORDABLE`] call-offs, and 500.00 more.
const CEILING: &str = "7500.00";
const AFFORDABLE: usize = 7;

/// The example contract with lot 1's ceiling lowered to [`CEILING`] (and its per-call-off
/// limit and approval threshold below it, as the contract's validation demands).
fn contract() -> ContractSpec {
    let mut text = CONTRACT.to_owned();
    for (original, lowered) in [
        (
            "regions = [\"051\", \"053\"]\nceiling = \"4500000.00\"",
            format!("regions = [\"051\", \"053\"]\nceiling = \"{CEILING}\""),
        ),
        (
            "per_call_off = \"75000.00\"",
            "per_call_off = \"5000.00\"".to_owned(),
        ),
        (
            "approval_threshold = \"40000.00\"",
            "approval_threshold = \"4000.00\"".to_owned(),
        ),
    ] {
        assert!(text.contains(original), "the example contract changed");
        text = text.replacen(original, &lowered, 1);
    }
    toml::from_str(&text).unwrap()
}

async fn send(router: &Router, token: &str, uri: &str, body: Value) -> (u16, Value) {
    let req = Request::post(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status().as_u16();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn get(router: &Router, token: &str, uri: &str) -> Value {
    let req = Request::get(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let res = router.clone().oneshot(req).await.unwrap();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_call_offs_never_overdraw_a_lot_ceiling() {
    let mut service = Service::open(ProgrammeLog::open("memory:").unwrap()).unwrap();
    let coordinator = Principal::coordinator();
    let import = digisos_core::register::csv::parse(REGISTER).unwrap();
    for command in [
        Command::AdoptContract(Box::new(contract())),
        Command::ImportRegister {
            source: "register.csv".into(),
            import,
        },
    ] {
        let at = t0() - TimeDelta::days(30);
        service
            .execute(&command, &coordinator, at)
            .unwrap()
            .unwrap();
    }
    let handle = ServiceHandle::start(service, Arc::new(FixedClock::new(t0()))).unwrap();
    let token = ProgrammeTokens::new(handle.clone())
        .issue(Role::Coordinator, None, None, "test")
        .unwrap()
        .0;
    let token = token.expose_secret().to_owned();
    let router = domain_app(handle.clone(), HttpConfig::default());

    let mut ids = Vec::new();
    for _ in 0..REQUESTS {
        let report = json!({"body": KOELN, "title": "Ransomware", "category": "ransomware",
            "aware_at": (t0() - TimeDelta::hours(1)).to_rfc3339()});
        let (status, incident) = send(&router, &token, "/v1/incidents", report).await;
        assert_eq!(status, 201, "{incident}");
        let id = incident["id"].as_str().unwrap().to_owned();
        let triage = json!({"severity": "critical", "lot": "los-1-rheinland"});
        let (status, p) = send(
            &router,
            &token,
            &format!("/v1/incidents/{id}/triage"),
            triage,
        )
        .await;
        assert_eq!(status, 200, "{p}");
        ids.push(id);
    }

    let tasks: Vec<_> = ids
        .iter()
        .map(|id| {
            let (router, token) = (router.clone(), token.clone());
            let uri = format!("/v1/incidents/{id}/dispatch");
            tokio::spawn(async move {
                send(
                    &router,
                    &token,
                    &uri,
                    json!({"estimate": {"amount": AMOUNT}}),
                )
                .await
            })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap());
    }

    let succeeded = answers.iter().filter(|(s, _)| *s == 200).count();
    assert_eq!(
        succeeded, AFFORDABLE,
        "exactly the affordable call-offs succeed"
    );
    for (status, p) in answers.iter().filter(|(s, _)| *s != 200) {
        assert_eq!(*status, 409, "{p}");
        assert_eq!(p["type"], "/problems/call-off-limit-exceeded", "{p}");
        assert_eq!(p["limit"], CEILING, "{p}");
        assert_eq!(p["requested"], AMOUNT, "{p}");
        assert_eq!(p["remaining"], "500.00", "{p}");
    }

    let rows = get(&router, &token, "/v1/contract/utilisation").await;
    let rows = rows["items"].as_array().unwrap();
    let row = |needle: &str| {
        rows.iter()
            .find(|r| r["key"].to_string().contains(needle))
            .unwrap_or_else(|| panic!("no row {needle}: {rows:?}"))
    };
    for key in ["los-1-rheinland", "contract", KOELN] {
        let r = row(key);
        assert_eq!(r["reserved"], "7000.00", "{key}: {r}");
        assert_eq!(r["posted"], "0.00", "{key}: {r}");
    }
    {
        let read = handle.read();
        let scanned = read
            .programme()
            .incidents()
            .values()
            .filter_map(|i| i.next_timeout())
            .min();
        assert_eq!(
            read.next_timeout(),
            scanned,
            "the programme's deadline index agrees with a full scan"
        );
        assert!(read.next_timeout().is_some());
    }
    let dispatched = get(&router, &token, "/v1/incidents?state=dispatched&limit=500").await;
    assert_eq!(dispatched["items"].as_array().unwrap().len(), AFFORDABLE);
    let triaged = get(&router, &token, "/v1/incidents?state=triaged&limit=500").await;
    assert_eq!(
        triaged["items"].as_array().unwrap().len(),
        REQUESTS - AFFORDABLE,
        "a refused call-off leaves its incident triaged"
    );
}
