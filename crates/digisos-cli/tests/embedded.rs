//! The CLI drives one realistic scenario end to end against a data directory (embedded
//! SQLite store), with fixed `--now` values: report at Kreis Olpe, triage, dispatch, a
//! decline and cascade, acceptance, milestones, a time entry, approval, close; the ledger
//! effect and an intact audit trail at the end.

#[path = "support/embedded.rs"]
mod support;

use predicates::prelude::*;
use support::{World, at};

#[test]
fn a_kreis_is_helped_from_report_to_close_through_the_cli() {
    let w = World::nrw();
    // given Kreis Olpe reports for itself
    let id = w.report_olpe();
    assert_eq!(id, "INC-000001");
    let id = id.as_str();
    // when the hotline triages it critical for lot 2 and dispatches 5 person-days
    w.triage_and_dispatch(id);
    let shown = w.json(&at(11), "coordinator", &["incident", "show", id]);
    assert_eq!(shown["state"], "dispatched");
    assert_eq!(shown["provider"], "westfalen-cert");
    // then 5 days × 8 h × 160 EUR are reserved
    assert_eq!(shown["call_off"]["reserved"], "6400.00");
    assert_eq!(shown["call_off"]["state"], "active");

    // when the first provider declines, the call-off passes to the second
    let declined = w.json(
        &at(20),
        "provider:westfalen-cert",
        &["incident", "decline", id, "--reason", "no capacity tonight"],
    );
    assert_eq!(declined["state"], "dispatched");
    let kinds: Vec<&str> = declined["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"incident.declined"), "{kinds:?}");
    // the next provider's response windows start together, in one event
    let started: Vec<&str> = declined["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "incident.sla_started")
        .map(|e| e["summary"].as_str().unwrap())
        .collect();
    assert_eq!(started.len(), 1, "{kinds:?}");
    assert!(
        started[0].starts_with("ruhrschild clocks started: acceptance due "),
        "{started:?}"
    );
    assert_eq!(
        w.json(&at(21), "coordinator", &["incident", "show", id])["provider"],
        "ruhrschild"
    );
    // and the second accepts within its window and records the milestones
    let p = "provider:ruhrschild";
    for (m, args) in [
        (50, ["incident", "accept", id]),
        (70, ["incident", "first-contact", id]),
        (90, ["incident", "remote-start", id]),
        (600, ["incident", "on-site", id]),
    ] {
        w.ok(&at(m), p, &args);
    }
    let sla = w.json(&at(601), "coordinator", &["sla", "status", id]);
    let ruhrschild_acceptance = sla["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["provider"] == "ruhrschild" && c["window"] == "acceptance")
        .cloned()
        .unwrap();
    assert_eq!(ruhrschild_acceptance["stage"], "met");

    // when the provider books 21:00–03:00 into the holiday and the body approves
    let submitted = w.json(
        &at(700),
        p,
        &[
            "time",
            "submit",
            id,
            "--role",
            "forensic_analyst",
            "--start",
            "2025-10-02T21:00:00+02:00",
            "--end",
            "2025-10-03T03:00:00+02:00",
            "--description",
            "Forensik Domänencontroller",
        ],
    );
    // 21–24 h night (+25 %), 0–3 h holiday (+100 %): 3×225 + 3×360
    assert_eq!(
        submitted["events"][0]["event"]["event"]["kind"]["amount"],
        "1755.00"
    );
    w.ok(&at(800), "body:05966", &["time", "approve", id, "1"]);
    let entries = w.json(&at(801), "body:05966", &["time", "list", id]);
    assert_eq!(entries[0]["state"], "approved");
    w.run(&at(801), "body:05966", &["time", "list", id, "--format", "csv"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "1,ruhrschild,forensic_analyst,2025-10-02T21:00:00+02:00,2025-10-03T03:00:00+02:00,6h00m,1755.00,approved,-",
        ));

    // and the incident is contained, recovered and closed
    w.ok(&at(900), p, &["incident", "contain", id]);
    w.ok(&at(2000), p, &["incident", "recover", id]);
    w.run(
        &at(3000),
        "coordinator",
        &["incident", "close", id, "--final-report", "AB-2025-117"],
    )
    .assert()
    .success()
    .stdout(predicate::str::contains("INC-000001 is closed"))
    .stdout(predicate::str::contains(
        "closed with final report AB-2025-117; 4645.00 EUR released",
    ));

    // then the ledger posted the entry and released the rest
    let closed = w.json(&at(3001), "body:05966", &["incident", "show", id]);
    assert_eq!(closed["state"], "closed");
    assert_eq!(closed["final_report_ref"], "AB-2025-117");
    assert_eq!(closed["call_off"]["state"], "closed");
    assert_eq!(closed["call_off"]["posted"], "1755.00");
    assert_eq!(closed["call_off"]["released"], "4645.00");
    assert_eq!(closed["milestones"]["accepted"], "2025-10-02T18:50:00Z");
    let listed = w.text(
        &at(3001),
        "body:05966",
        &["incident", "list", "--state", "closed", "--format", "csv"],
    );
    assert_eq!(
        listed,
        "id,body,name,state,severity,lot,provider,reported,title\n\
         INC-000001,05966,Olpe,closed,critical,los-2-westfalen,ruhrschild,2025-10-02T20:00:00+02:00,Ransomware: Fachverfahren verschlüsselt\n"
    );

    // and the audit trail is intact and exports every event as JSON Lines
    let verify = w.json(&at(3002), "auditor", &["audit", "verify"]);
    assert_eq!(verify["intact"], true);
    let last = verify["last_position"].as_u64().unwrap();
    let export = w.text(&at(3002), "auditor", &["audit", "export", "--since", "0"]);
    let lines: Vec<serde_json::Value> = export
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len() as u64, last);
    assert_eq!(lines[0]["kind"], "contract_adopted");
    assert_eq!(lines.last().unwrap()["position"], last);
    let tail = w.text(
        &at(3002),
        "auditor",
        &["audit", "export", "--since", &(last - 2).to_string()],
    );
    assert_eq!(tail.lines().count(), 2);
    // the events of the incident read back in order
    let events = w.json(&at(3003), "body:05966", &["incident", "events", id]);
    assert_eq!(events[0]["kind"], "incident.reported");
    assert_eq!(events[0]["actor"], "body:05966");
}

#[test]
fn a_tick_past_the_acceptance_window_breaches_and_cascades() {
    let w = World::nrw();
    let id = w.report_olpe();
    w.triage_and_dispatch(&id);
    // the acceptance window is 60 min of 24x7 time from dispatch at t0+10; the first
    // warning falls due at 50 %
    let next = w.json(&at(11), "coordinator", &["next-timeout"]);
    assert_eq!(next["next_timeout"], "2025-10-02T18:40:00Z");
    // when the timer fires after the window, the miss is a breach and the call-off moves on
    let tick = w.json(&at(75), "coordinator", &["tick"]);
    assert_eq!(tick["breaches"], 1);
    assert_eq!(tick["cascades"], 1);
    let missed = tick["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "incident.acceptance_window_missed")
        .cloned()
        .unwrap();
    assert_eq!(missed["actor"], "timer");
    assert_eq!(
        missed["summary"],
        "westfalen-cert missed the acceptance window due 2025-10-02T21:10:00+02:00 (breach); the call-off passes to ruhrschild"
    );
    let shown = w.json(&at(76), "coordinator", &["incident", "show", &id]);
    assert_eq!(shown["provider"], "ruhrschild");
    // and nothing is recorded twice
    w.run(&at(75), "coordinator", &["tick"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "nothing was due by 2025-10-02T21:15:00+02:00\n",
        ));
    // the late provider can no longer accept
    w.run(
        &at(80),
        "provider:westfalen-cert",
        &["incident", "accept", &id],
    )
    .assert()
    .code(1);
}

#[test]
fn a_rejection_exits_1_with_a_message_that_says_what_is_wrong() {
    let w = World::nrw();
    let id = w.report_olpe();
    // accepting an incident that was not dispatched
    w.run(&at(1), "coordinator", &["incident", "accept", &id])
        .assert()
        .code(1)
        .stdout("")
        .stderr(
            "error: cannot accept an incident that is reported; `digisos incident show ID` shows where it stands\n",
        );
    // a body may not triage
    w.run(
        &at(2),
        "body:05966",
        &[
            "incident",
            "triage",
            &id,
            "--severity",
            "high",
            "--lot",
            "los-2-westfalen",
        ],
    )
    .assert()
    .code(1)
    .stderr(predicate::str::starts_with("error: body:05966 may not"))
    .stderr(predicate::str::contains("--as coordinator"));
    // a lot that does not serve the body's region
    w.run(
        &at(3),
        "coordinator",
        &[
            "incident",
            "triage",
            &id,
            "--severity",
            "high",
            "--lot",
            "los-1-rheinland",
        ],
    )
    .assert()
    .code(1)
    .stderr(predicate::str::contains(
        "lot los-1-rheinland does not serve Regierungsbezirk 059",
    ));
    // usage errors exit 2: both estimates, an unknown severity
    w.run(
        &at(4),
        "coordinator",
        &[
            "incident",
            "dispatch",
            &id,
            "--person-days",
            "5",
            "--amount",
            "100",
        ],
    )
    .assert()
    .code(2);
    w.run(
        &at(4),
        "coordinator",
        &[
            "incident",
            "triage",
            &id,
            "--severity",
            "urgent",
            "--lot",
            "los-2-westfalen",
        ],
    )
    .assert()
    .code(2)
    .stderr(predicate::str::contains("expected one of"));
    // nothing was recorded by the refused commands
    assert_eq!(
        w.json(&at(5), "coordinator", &["incident", "show", &id])["state"],
        "reported"
    );
}

#[test]
fn a_foreign_body_or_provider_sees_no_incident() {
    let w = World::nrw();
    let id = w.report_olpe();
    w.triage_and_dispatch(&id);
    for who in ["body:05970", "provider:rheinwacht"] {
        w.run(&at(20), who, &["incident", "show", &id])
            .assert()
            .code(1)
            .stderr(format!(
                "error: incident {id} not found (for {who}); `digisos incident list` shows the incidents you may see\n"
            ));
        w.run(&at(20), who, &["sla", "status", &id])
            .assert()
            .code(1);
        w.run(&at(20), who, &["incident", "accept", &id])
            .assert()
            .code(1);
        assert_eq!(
            w.json(&at(20), who, &["incident", "list"]),
            serde_json::json!([])
        );
    }
    // the provider holding the call-off sees it
    assert_eq!(
        w.json(&at(20), "provider:westfalen-cert", &["incident", "list"])[0]["id"],
        id.as_str()
    );
}

#[test]
fn incident_show_and_sla_status_tables() {
    let w = World::nrw();
    let id = w.report_olpe();
    w.triage_and_dispatch(&id);
    w.ok(
        &at(20),
        "provider:westfalen-cert",
        &[
            "incident",
            "decline",
            &id,
            "--reason",
            "no capacity tonight",
        ],
    );
    w.ok(&at(50), "provider:ruhrschild", &["incident", "accept", &id]);
    insta::assert_snapshot!(
        "incident_show",
        w.text(&at(55), "coordinator", &["incident", "show", &id])
    );
    insta::assert_snapshot!(
        "sla_status",
        w.text(&at(55), "coordinator", &["sla", "status", &id])
    );
    insta::assert_snapshot!(
        "duties_list",
        w.text(&at(55), "body:05966", &["duties", "list", &id])
    );
}
