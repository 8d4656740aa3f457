//! OIDC through the router: a JWT caller gets exactly what its role grants (the core
//! decides, as for opaque tokens), opaque tokens keep working, a rejected JWT answers 401
//! with the reason and an RFC 6750 challenge, and without OIDC a JWT is just unknown.

use std::sync::Arc;

use axum::http::{StatusCode, header};
use digisos_http::{HttpConfig, domain_app};
use serde_json::json;

use crate::oidc_support::{Signer, claims, oidc, sign, with};
use crate::support::{Answer, As, KOELN, OLPE, World, report_body, t0};

/// The world with OIDC enabled over the fixture keys and the world's clock.
fn world() -> World {
    let mut w = World::new();
    let config = HttpConfig {
        oidc: Some(Arc::new(oidc(Arc::new(w.clock.clone())))),
        ..HttpConfig::default()
    };
    w.router = domain_app(w.handle.clone(), config);
    w
}

/// A JWT for `role` (binding claims in `extra`), signed with the EC key.
fn jwt(role: &str, extra: serde_json::Value) -> String {
    sign(Signer::Ec1, &with(claims(t0(), role), extra))
}

fn koeln() -> String {
    jwt(
        "body",
        json!({ "sub": "user-koeln", "digisos_body": KOELN }),
    )
}

fn coordinator() -> String {
    jwt("coordinator", json!({ "sub": "user-hotline" }))
}

async fn call(w: &World, jwt: &str, method: &str, uri: &str, body: &str) -> Answer {
    call_with(w, jwt, method, uri, body, &[]).await
}

async fn call_with(
    w: &World,
    jwt: &str,
    method: &str,
    uri: &str,
    body: &str,
    headers: &[(&str, &str)],
) -> Answer {
    let auth = format!("Bearer {jwt}");
    let mut all = vec![("authorization", auth.as_str())];
    all.extend_from_slice(headers);
    w.call_with(None, method, uri, body, &all).await
}

#[tokio::test]
async fn a_body_jwt_sees_its_own_incidents_and_foreign_ones_are_not_found() {
    let w = world();
    let a = call(&w, &koeln(), "POST", "/v1/incidents", &report_body(KOELN)).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    let own = a.json()["id"].as_str().unwrap().to_owned();
    // Olpe's incident, reported with Olpe's opaque token.
    let foreign = w.report(As::ForeignBody, OLPE).await;

    let a = call(&w, &koeln(), "GET", &format!("/v1/incidents/{own}"), "").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    call(&w, &koeln(), "GET", &format!("/v1/incidents/{foreign}"), "")
        .await
        .problem(404, "not-found");
    let list = call(&w, &koeln(), "GET", "/v1/incidents", "").await.json();
    let ids: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [own.as_str()]);
    // A body may not report for another body.
    call(&w, &koeln(), "POST", "/v1/incidents", &report_body(OLPE))
        .await
        .problem(403, "forbidden");
}

#[tokio::test]
async fn a_coordinator_jwt_triages_and_a_body_or_auditor_jwt_may_not() {
    let w = world();
    let id = w.report(As::Body, KOELN).await;
    let triage = format!("/v1/incidents/{id}/triage");
    let body = r#"{"severity":"critical","lot":"los-1-rheinland"}"#;
    call(&w, &koeln(), "POST", &triage, body)
        .await
        .problem(403, "forbidden");
    let auditor = jwt("auditor", json!({}));
    call(&w, &auditor, "POST", &triage, body)
        .await
        .problem(403, "forbidden");
    let a = call(&w, &coordinator(), "POST", &triage, body).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    // The auditor reads the audit trail; the body may not.
    let a = call(&w, &auditor, "GET", "/v1/audit/verify", "").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    call(&w, &koeln(), "GET", "/v1/audit/verify", "")
        .await
        .problem(403, "forbidden");
}

#[tokio::test]
async fn a_provider_jwt_sees_the_call_offs_dispatched_to_it_only() {
    let w = world();
    let id = w.dispatched().await; // dispatched to rheinwacht
    let rheinwacht = jwt("provider", json!({ "digisos_provider": "rheinwacht" }));
    let westfalen = jwt("provider", json!({ "digisos_provider": "westfalen-cert" }));
    let uri = format!("/v1/incidents/{id}");
    assert_eq!(
        call(&w, &rheinwacht, "GET", &uri, "").await.status,
        StatusCode::OK
    );
    call(&w, &westfalen, "GET", &uri, "")
        .await
        .problem(404, "not-found");
}

#[tokio::test]
async fn opaque_tokens_keep_working_next_to_jwts() {
    let w = world();
    let id = w.report(As::Body, KOELN).await;
    let a = w
        .call(
            Some(As::Coordinator),
            "GET",
            &format!("/v1/incidents/{id}"),
            "",
        )
        .await;
    assert_eq!(a.status, StatusCode::OK);
    let a = w
        .call_with(
            None,
            "GET",
            "/v1/incidents",
            "",
            &[("authorization", "Bearer dsos_00")],
        )
        .await;
    let p = a.problem(401, "unauthorized");
    assert_eq!(p["detail"], "the bearer token is unknown or revoked");
}

#[tokio::test]
async fn a_rejected_jwt_answers_401_with_its_reason_and_a_bearer_challenge() {
    let w = world();
    w.clock.advance(chrono::TimeDelta::minutes(10)); // the tokens of t0 expired at t0 + 5 min
    let expired = koeln();
    let a = call(&w, &expired, "GET", "/v1/incidents", "").await;
    let p = a.problem(401, "unauthorized");
    let expiry = (t0() + chrono::TimeDelta::minutes(5))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    assert_eq!(p["detail"], format!("the JWT expired at {expiry}"));
    assert_eq!(
        a.headers[header::WWW_AUTHENTICATE],
        format!(r#"Bearer error="invalid_token", error_description="the JWT expired at {expiry}""#)
            .as_str()
    );
    assert!(!a.text().contains(&expired), "the token is never echoed");
    let (_, signature) = expired.rsplit_once('.').unwrap();
    assert!(!a.text().contains(signature));

    // A JWT is checked on POSTs with an Idempotency-Key as well.
    let a = call_with(
        &w,
        &expired,
        "POST",
        "/v1/incidents",
        &report_body(KOELN),
        &[("idempotency-key", "k-expired")],
    )
    .await;
    a.problem(401, "unauthorized");
}

#[tokio::test]
async fn without_oidc_a_jwt_is_simply_an_unknown_token() {
    let w = World::new();
    let a = w
        .call_with(
            None,
            "GET",
            "/v1/incidents",
            "",
            &[("authorization", &format!("Bearer {}", coordinator()))],
        )
        .await;
    let p = a.problem(401, "unauthorized");
    assert_eq!(p["detail"], "the bearer token is unknown or revoked");
}

#[tokio::test]
async fn an_idempotent_retry_with_a_refreshed_jwt_of_the_same_subject_is_replayed() {
    // The token id of a JWT caller is `oidc:<sub>`: a retry after the identity provider
    // refreshed the access token is the same caller, so its key replays the first answer.
    let w = world();
    let first = koeln();
    w.clock.advance(chrono::TimeDelta::minutes(4));
    let refreshed = sign(
        Signer::Rsa1,
        &with(
            claims(t0() + chrono::TimeDelta::minutes(4), "body"),
            json!({ "sub": "user-koeln", "digisos_body": KOELN }),
        ),
    );
    assert_ne!(first, refreshed);
    let key = [("idempotency-key", "report-koeln-1")];
    let a = call_with(
        &w,
        &first,
        "POST",
        "/v1/incidents",
        &report_body(KOELN),
        &key,
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    let b = call_with(
        &w,
        &refreshed,
        "POST",
        "/v1/incidents",
        &report_body(KOELN),
        &key,
    )
    .await;
    assert_eq!(b.status, StatusCode::CREATED, "{}", b.text());
    assert_eq!(
        a.json()["id"],
        b.json()["id"],
        "replayed, not reported twice"
    );
    // Another subject with the same key is another caller: its own incident.
    let colleague = jwt(
        "body",
        json!({ "sub": "user-koeln-2", "digisos_body": KOELN }),
    );
    let c = call_with(
        &w,
        &colleague,
        "POST",
        "/v1/incidents",
        &report_body(KOELN),
        &key,
    )
    .await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.text());
    assert_ne!(a.json()["id"], c.json()["id"]);
}
