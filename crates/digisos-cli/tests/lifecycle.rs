//! CLI tests of the call-off, time-entry, duty and side-exit commands in embedded mode:
//! approval above the threshold, amendments, waiting for the body, disputes and
//! reversals, reporting duties, reject, withdraw and cancel.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

#[path = "support/embedded.rs"]
mod support;

use predicates::prelude::*;
use support::{World, at};

fn kinds(v: &serde_json::Value) -> Vec<String> {
    v["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect()
}

fn triage(w: &World, id: &str) {
    w.ok(
        &at(5),
        "coordinator",
        &[
            "incident",
            "triage",
            id,
            "--severity",
            "critical",
            "--lot",
            "los-2-westfalen",
        ],
    );
}

#[test]
fn a_large_call_off_waits_for_approval_and_amendments_are_decided() {
    let w = World::nrw();
    let id = w.report_olpe();
    triage(&w, &id);
    // above the approval threshold of 40000 EUR the reservation waits
    let held = w.json(
        &at(10),
        "coordinator",
        &["incident", "dispatch", &id, "--amount", "50000"],
    );
    assert_eq!(held["state"], "triaged");
    assert_eq!(kinds(&held), ["incident.ledger"]);
    assert_eq!(
        w.json(&at(11), "coordinator", &["incident", "show", &id])["call_off"]["state"],
        "pending_approval"
    );
    // only the coordinator approves
    w.run(&at(12), "body:05966", &["call-off", "approve", &id])
        .assert()
        .code(1);
    let approved = w.json(&at(15), "coordinator", &["call-off", "approve", &id]);
    assert_eq!(approved["state"], "dispatched");
    let p = "provider:westfalen-cert";
    w.ok(&at(20), p, &["incident", "accept", &id]);
    // a raise above the threshold waits and can be refused
    let asked = w.json(
        &at(25),
        p,
        &[
            "call-off",
            "amend",
            &id,
            "--amount",
            "60000",
            "--reason",
            "more systems",
        ],
    );
    assert_eq!(
        asked["events"][0]["summary"],
        "amendment of CO-000001 from 50000.00 to 60000.00 EUR waits for the coordinator (digisos call-off approve-amendment)"
    );
    w.ok(
        &at(26),
        "coordinator",
        &[
            "call-off",
            "refuse-amendment",
            &id,
            "--reason",
            "not justified",
        ],
    );
    let show = w.json(&at(27), "coordinator", &["incident", "show", &id]);
    assert_eq!(show["call_off"]["reserved"], "50000.00");
    assert_eq!(show["call_off"]["pending_raise"], serde_json::Value::Null);
    // a second raise is approved
    w.ok(
        &at(28),
        p,
        &[
            "call-off",
            "amend",
            &id,
            "--amount",
            "55000",
            "--reason",
            "two more servers",
        ],
    );
    w.ok(
        &at(29),
        "coordinator",
        &["call-off", "approve-amendment", &id],
    );
    assert_eq!(
        w.json(&at(30), "coordinator", &["incident", "show", &id])["call_off"]["reserved"],
        "55000.00"
    );
    // nothing is left to approve
    w.run(
        &at(31),
        "coordinator",
        &["call-off", "approve-amendment", &id],
    )
    .assert()
    .code(1)
    .stderr("error: call-off CO-000001 has nothing waiting for approval\n");
}

#[test]
fn waiting_disputes_reversals_duties_and_cancel() {
    let w = World::nrw();
    let id = w.report_olpe();
    w.triage_and_dispatch(&id);
    let p = "provider:westfalen-cert";
    w.ok(&at(20), p, &["incident", "accept", &id]);
    w.ok(&at(30), p, &["incident", "first-contact", &id]);
    // waiting for the body pauses the pausable clocks
    let waiting = w.json(
        &at(40),
        p,
        &["incident", "wait", &id, "--reason", "Zugangsdaten fehlen"],
    );
    assert_eq!(waiting["waiting_for_body"], true);
    let sla = w.json(&at(50), "coordinator", &["sla", "status", &id]);
    let remote = sla["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["window"] == "remote_start")
        .cloned()
        .unwrap();
    assert_eq!(remote["stage"], "paused");
    assert_eq!(remote["elapsed_seconds"], 30 * 60);
    let resumed = w.json(&at(60), p, &["incident", "resume", &id]);
    assert_eq!(resumed["waiting_for_body"], false);
    // a disputed entry is not posted; an approved one is, and a reversal takes it back
    let entry = |start: &str, end: &str| {
        w.ok(
            &at(70),
            p,
            &[
                "time",
                "submit",
                &id,
                "--role",
                "incident_responder",
                "--start",
                start,
                "--end",
                end,
                "--description",
                "Analyse",
            ],
        );
    };
    entry("2025-10-02T18:00:00Z", "2025-10-02T19:00:00Z");
    entry("2025-10-02T19:00:00Z", "2025-10-02T20:00:00Z");
    w.ok(
        &at(80),
        "body:05966",
        &["time", "dispute", &id, "1", "--reason", "not ordered"],
    );
    w.ok(&at(81), "body:05966", &["time", "approve", &id, "2"]);
    assert_eq!(
        w.json(&at(82), "coordinator", &["incident", "show", &id])["call_off"]["posted"],
        "200.00"
    );
    w.ok(
        &at(83),
        "coordinator",
        &["time", "reverse", &id, "2", "--reason", "booked twice"],
    );
    let entries = w.json(&at(84), "body:05966", &["time", "list", &id]);
    assert_eq!(entries[0]["state"], "disputed");
    assert_eq!(entries[0]["note"], "not ordered");
    assert_eq!(entries[1]["state"], "reversed");
    // the GDPR duty (personal data affected) is recorded as submitted
    w.ok(
        &at(90),
        "body:05966",
        &[
            "duties",
            "submit",
            &id,
            "--kind",
            "gdpr_notification",
            "--at",
            &at(85),
            "--reference",
            "LDI-NRW-2025-0815",
        ],
    );
    let duties = w.json(&at(91), "body:05966", &["duties", "list", &id]);
    assert_eq!(duties["duties"][0]["kind"], "gdpr_notification");
    assert_eq!(duties["duties"][0]["state"], "submitted");
    // a duty the body does not have is refused
    w.run(
        &at(92),
        "body:05966",
        &[
            "duties",
            "submit",
            &id,
            "--kind",
            "nis2_early_warning",
            "--at",
            &at(85),
            "--reference",
            "X",
        ],
    )
    .assert()
    .code(1);
    // the coordinator cancels: what is not posted is voided
    let cancelled = w.json(
        &at(100),
        "coordinator",
        &[
            "incident",
            "cancel",
            &id,
            "--reason",
            "handled by the Land's CERT",
        ],
    );
    assert_eq!(cancelled["state"], "cancelled");
    let show = w.json(&at(101), "coordinator", &["incident", "show", &id]);
    assert_eq!(show["call_off"]["state"], "voided");
}

#[test]
fn reject_and_withdraw_end_an_incident_early() {
    let w = World::nrw();
    let first = w.report_olpe();
    let second = w.report_olpe();
    assert_eq!(second, "INC-000002");
    w.run(
        &at(5),
        "coordinator",
        &[
            "incident",
            "reject",
            &first,
            "--reason",
            "no IT incident",
            "--reason",
            "duplicate",
        ],
    )
    .assert()
    .success()
    .stdout("INC-000001 is rejected\n  rejected: no IT incident; duplicate\n");
    w.ok(
        &at(6),
        "body:05966",
        &["incident", "withdraw", &second, "--reason", "false alarm"],
    );
    let withdrawn = w.text(
        &at(7),
        "coordinator",
        &[
            "incident",
            "list",
            "--state",
            "withdrawn",
            "--format",
            "csv",
        ],
    );
    assert!(
        withdrawn.contains("INC-000002,05966,Olpe,withdrawn"),
        "{withdrawn}"
    );
    assert!(!withdrawn.contains("INC-000001"), "{withdrawn}");
    w.run(
        &at(8),
        "coordinator",
        &["incident", "list", "--body", "05970"],
    )
    .assert()
    .success()
    .stdout("no incidents you may see match\n");
    w.run(
        &at(9),
        "coordinator",
        &["--json", "incident", "list", "--format", "csv"],
    )
    .assert()
    .code(2)
    .stderr(predicate::str::contains("--json or --format csv"));
}
