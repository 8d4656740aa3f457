//! `Idempotency-Key` records are durable: over a SQLite file, a retry after a restart
//! replays the stored response, and a key whose command committed but whose response
//! was lost (a crash in between) answers 409 and never runs the command again.

use axum::http::StatusCode;
use axum::http::header::{ETAG, LOCATION};
use chrono::TimeDelta;
use digisos_http::idempotency::{NAMESPACE, ScopedKey, fingerprint, pending_record};
use digisos_store::{ProgrammeLog, Record};

use super::support::{As, KOELN, World, t0};

fn report_body(title: &str) -> String {
    serde_json::json!({
        "body": KOELN,
        "title": title,
        "category": "ransomware",
        "aware_at": (t0() - TimeDelta::minutes(30)).to_rfc3339(),
        "personal_data": true,
        "on_site_needed": true,
    })
    .to_string()
}

async fn report(w: &World, key: &str, body: &str) -> super::support::Answer {
    w.call_with(
        Some(As::Body),
        "POST",
        "/v1/incidents",
        body,
        &[("idempotency-key", key)],
    )
    .await
}

async fn incidents(w: &World) -> usize {
    let a = w
        .call(Some(As::Coordinator), "GET", "/v1/incidents", "")
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    a.json()["items"].as_array().unwrap().len()
}

fn records(url: &str) -> Vec<Record> {
    let log = ProgrammeLog::open(url).unwrap();
    log.log()
        .load_records(NAMESPACE, t0() - TimeDelta::days(1))
        .unwrap()
}

fn sqlite_world(dir: &tempfile::TempDir) -> World {
    World::open(&format!(
        "sqlite://{}",
        dir.path().join("digisos.db").display()
    ))
}

#[tokio::test]
async fn a_retry_after_a_restart_is_replayed_and_runs_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let w = sqlite_world(&dir);
    let body = report_body("Ransomware: Fachverfahren verschlüsselt");
    let first = report(&w, "report-1", &body).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text());
    assert_eq!(incidents(&w).await, 1);
    // the key was committed with the command's events
    assert_eq!(records(w.url()).len(), 1);

    let w = w.restart();
    let again = report(&w, "report-1", &body).await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.text());
    assert_eq!(again.body, first.body);
    for h in [LOCATION, ETAG] {
        assert_eq!(again.headers[&h], first.headers[&h], "{h}");
    }
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert!(!first.headers.contains_key("idempotent-replayed"));
    assert_eq!(incidents(&w).await, 1, "the retry ran nothing");

    report(&w, "report-1", &report_body("Another incident"))
        .await
        .problem(422, "idempotency-key-reused");
    // a new key runs
    let other = report(&w, "report-2", &body).await;
    assert_eq!(other.status, StatusCode::CREATED, "{}", other.text());
    assert_eq!(incidents(&w).await, 2);

    // and the replay survives a second restart too
    let w = w.restart();
    let third = report(&w, "report-1", &body).await;
    assert_eq!(
        (third.status, &third.body),
        (StatusCode::CREATED, &first.body)
    );
    assert_eq!(incidents(&w).await, 2);
    w.handle.shutdown();
}

#[tokio::test]
async fn a_key_whose_response_was_lost_answers_409_and_never_runs_again() {
    let dir = tempfile::tempdir().unwrap();
    let w = sqlite_world(&dir);
    let body = report_body("Ransomware: Fachverfahren verschlüsselt");
    let first = report(&w, "lost", &body).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text());
    let w = w.restart();

    // A crash between the command's commit and its response's: the store holds only
    // the pending record that committed with the events.
    let token = w.token_id(As::Body).clone();
    let key = ScopedKey {
        token: token.clone(),
        key: "lost".into(),
    };
    let fp = fingerprint(
        &axum::http::Method::POST,
        "/v1/incidents",
        body.as_bytes(),
        &token,
    );
    ProgrammeLog::open(w.url())
        .unwrap()
        .log()
        .put_records(vec![pending_record(&key, &fp, t0())])
        .unwrap();
    let w = w.restart();

    let retry = report(&w, "lost", &body).await;
    let p = retry.problem(409, "idempotency-outcome-unknown");
    assert!(p["detail"].as_str().unwrap().contains("new key"), "{p}");
    assert_eq!(incidents(&w).await, 1, "the command never ran again");
    // still so on the next try, and another request under that key is still refused
    report(&w, "lost", &body)
        .await
        .problem(409, "idempotency-outcome-unknown");
    report(&w, "lost", &report_body("Another incident"))
        .await
        .problem(422, "idempotency-key-reused");
    assert_eq!(incidents(&w).await, 1);
    w.handle.shutdown();
}

/// The stored response of `key` (the Body token's), as the store holds it: `None` while
/// only the pending record is there.
fn stored_status(w: &World, key: &str) -> Option<u64> {
    let records = records(w.url());
    let record = records
        .iter()
        .find(|r| r.key.ends_with(&format!(":{key}")))
        .unwrap_or_else(|| panic!("no record for {key}: {records:?}"));
    let value: serde_json::Value = serde_json::from_slice(&record.value).unwrap();
    value["response"]["status"].as_u64()
}

#[tokio::test]
async fn responses_are_written_with_the_next_commit_or_after_a_quiet_second() {
    let dir = tempfile::tempdir().unwrap();
    let w = sqlite_world(&dir);
    let first = report(&w, "next-commit", &report_body("first")).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text());
    // the next command's transaction carries the response
    let plain = w
        .call(
            Some(As::Body),
            "POST",
            "/v1/incidents",
            &report_body("plain"),
        )
        .await;
    assert_eq!(plain.status, StatusCode::CREATED, "{}", plain.text());
    assert_eq!(stored_status(&w, "next-commit"), Some(201));

    let quiet = report(&w, "quiet", &report_body("quiet")).await;
    assert_eq!(quiet.status, StatusCode::CREATED, "{}", quiet.text());
    tokio::time::sleep(std::time::Duration::from_millis(2_500)).await;
    assert_eq!(stored_status(&w, "quiet"), Some(201), "written while idle");
    w.handle.shutdown();
}
