//! Problem types of the domain routes: one row per type, each through the real router.

use crate::support::{As, KOELN, OLPE, World};

#[tokio::test]
async fn limits_transitions_access_and_bodies_answer_their_problem_types() {
    let w = World::new();
    let id = w.report(As::Body, KOELN).await;
    let triage = format!("/v1/incidents/{id}/triage");
    w.ok(
        As::Coordinator,
        &triage,
        r#"{"severity":"critical","lot":"los-1-rheinland"}"#,
    )
    .await;
    let dispatch = format!("/v1/incidents/{id}/dispatch");

    let p = w
        .call(
            Some(As::Coordinator),
            "POST",
            &dispatch,
            r#"{"estimate":{"amount":"80000.00"}}"#,
        )
        .await
        .problem(409, "call-off-limit-exceeded");
    assert_eq!(p["limit"], "75000.00", "{p}");
    assert_eq!(p["requested"], "80000.00", "{p}");
    assert!(p["remaining"].is_string(), "{p}");

    let p = w
        .call(
            Some(As::Coordinator),
            "POST",
            &format!("/v1/incidents/{id}/accept"),
            "",
        )
        .await
        .problem(409, "illegal-transition");
    assert_eq!(p["state"], "triaged");
    w.call(
        Some(As::Body),
        "POST",
        &triage,
        r#"{"severity":"low","lot":"los-1-rheinland"}"#,
    )
    .await
    .problem(403, "forbidden");
    w.call(
        Some(As::ForeignBody),
        "GET",
        &format!("/v1/incidents/{id}"),
        "",
    )
    .await
    .problem(404, "not-found");
    w.call(Some(As::Body), "GET", "/v1/incidents/INC-999999", "")
        .await
        .problem(404, "not-found");
    w.call(
        Some(As::Body),
        "POST",
        &format!("/v1/incidents/{id}/fly"),
        "",
    )
    .await
    .problem(404, "not-found");
    w.call(None, "GET", "/v1/incidents", "")
        .await
        .problem(401, "unauthorized");
    w.call(
        Some(As::Coordinator),
        "POST",
        &dispatch,
        r#"{"estimate":{"person_days":"5"},"x":1}"#,
    )
    .await
    .problem(422, "invalid-body");
    w.call(
        Some(As::Coordinator),
        "POST",
        &dispatch,
        r#"{"reason":"x"}"#,
    )
    .await
    .problem(422, "invalid-body");
    w.call(
        Some(As::Coordinator),
        "POST",
        &dispatch,
        r#"{"estimate":{"amount":"-5"}}"#,
    )
    .await
    .problem(422, "invalid-body");
    w.call(Some(As::Coordinator), "POST", &dispatch, r#"{"estimate":"#)
        .await
        .problem(400, "malformed-json");
    let report = serde_json::json!({"body": "99999999", "title": "x", "category": "other",
        "aware_at": "2025-10-01T00:00:00Z"});
    w.call(
        Some(As::Coordinator),
        "POST",
        "/v1/incidents",
        &report.to_string(),
    )
    .await
    .problem(422, "unknown-body");
    let report = serde_json::json!({"body": OLPE, "title": "x", "category": "other",
        "aware_at": "2025-10-01T00:00:00Z"});
    w.call(Some(As::Body), "POST", "/v1/incidents", &report.to_string())
        .await
        .problem(403, "forbidden");
    let import = r#"{"format":"csv","content":"key,name\nbroken"}"#;
    let p = w
        .call(
            Some(As::Coordinator),
            "POST",
            "/v1/register/imports",
            import,
        )
        .await
        .problem(422, "invalid-import");
    assert!(!p["problems"].as_array().unwrap().is_empty());
    w.call(Some(As::Body), "GET", "/v1/audit/verify", "")
        .await
        .problem(403, "forbidden");
    w.call(Some(As::Body), "GET", "/v1/bodies/00000000", "")
        .await
        .problem(404, "not-found");
    w.call(
        Some(As::Body),
        "GET",
        "/v1/calendar/holidays?year=2025&calendar=nope",
        "",
    )
    .await
    .problem(404, "not-found");
}
