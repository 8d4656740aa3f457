//! Tests of principals and the access rules (deny by default).

use super::*;
use crate::incident::state::{Action, Cascade};

fn pid(s: &str) -> ProviderId {
    ProviderId::new(s).unwrap()
}

#[test]
fn constructors_bind_and_display() {
    assert_eq!(
        Principal::body("05970004").unwrap().to_string(),
        "body:05970004"
    );
    assert_eq!(Principal::body("LVR").unwrap().body_key(), Some("LVR"));
    assert_eq!(
        Principal::provider(pid("acme-ir")).to_string(),
        "provider:acme-ir"
    );
    assert_eq!(Principal::coordinator().to_string(), "coordinator");
    assert_eq!(Principal::auditor().to_string(), "auditor");
    assert_eq!(Actor::Timer.to_string(), "timer");
    assert_eq!(Principal::auditor().role(), Role::Auditor);
}

#[test]
fn bad_body_keys_are_refused() {
    for bad in ["", "0597 0004", "Köln", &"1".repeat(33)] {
        assert_eq!(
            Principal::body(bad),
            Err(PrincipalError::BodyKey(bad.to_owned())),
            "{bad:?}"
        );
    }
}

#[test]
fn serde_round_trip_and_binding_checked_on_read() {
    let p = Principal::body("05334").unwrap();
    let json = serde_json::to_string(&p).unwrap();
    assert_eq!(json, r#"{"role":"body","body":"05334"}"#);
    assert_eq!(serde_json::from_str::<Principal>(&json).unwrap(), p);
    let c = serde_json::to_string(&Principal::coordinator()).unwrap();
    assert_eq!(c, r#"{"role":"coordinator"}"#);
    for bad in [
        r#"{"role":"body"}"#,
        r#"{"role":"provider","body":"05334"}"#,
        r#"{"role":"coordinator","provider":"acme"}"#,
        r#"{"role":"body","body":"a b"}"#,
    ] {
        assert!(serde_json::from_str::<Principal>(bad).is_err(), "{bad}");
    }
}

#[test]
fn who_sees_an_incident() {
    let dispatched = [pid("first"), pid("second")];
    let table: &[(Principal, bool)] = &[
        (Principal::coordinator(), true),
        (Principal::auditor(), true),
        (Principal::body("05970004").unwrap(), true),
        (Principal::body("05970008").unwrap(), false),
        (Principal::provider(pid("first")), true),
        (Principal::provider(pid("second")), true),
        (Principal::provider(pid("third")), false),
    ];
    for (p, expected) in table {
        assert_eq!(
            can_view_incident(p, "05970004", &dispatched),
            *expected,
            "{p}"
        );
    }
    assert!(!can_view_incident(
        &Principal::provider(pid("first")),
        "05970004",
        &[]
    ));
}

#[test]
fn who_may_act() {
    let body = Principal::body("05970004").unwrap();
    let other = Principal::body("05970008").unwrap();
    let current = pid("second");
    let prov = Principal::provider(current.clone());
    let former = Principal::provider(pid("first"));
    let c = Some(&current);
    assert!(can_perform(&body, Action::Withdraw, "05970004", c));
    assert!(!can_perform(&other, Action::Withdraw, "05970004", c));
    assert!(!can_perform(&body, Action::Accept, "05970004", c));
    assert!(can_perform(&prov, Action::Accept, "05970004", c));
    assert!(can_perform(
        &prov,
        Action::Decline(Cascade::NextProvider),
        "05970004",
        c
    ));
    assert!(!can_perform(&former, Action::Accept, "05970004", c));
    assert!(!can_perform(&prov, Action::Accept, "05970004", None));
    assert!(can_perform(
        &Principal::coordinator(),
        Action::Cancel,
        "x",
        None
    ));
    assert!(!can_perform(
        &Principal::auditor(),
        Action::Cancel,
        "x",
        None
    ));
    assert!(!can_perform(
        &Principal::coordinator(),
        Action::MissAcceptance(Cascade::NextProvider),
        "x",
        None
    ));
}

#[test]
fn reporting_reviewing_approving_auditing() {
    let body = Principal::body("05970004").unwrap();
    let prov = Principal::provider(pid("acme"));
    let coord = Principal::coordinator();
    let aud = Principal::auditor();
    assert!(can_report_for(&body, "05970004"));
    assert!(!can_report_for(&body, "05334"));
    assert!(can_report_for(&coord, "05334"));
    assert!(!can_report_for(&prov, "05334") && !can_report_for(&aud, "05334"));

    assert!(can_review_time_entry(&body, "05970004"));
    assert!(!can_review_time_entry(&prov, "05970004"));
    assert!(can_submit_time_entry(&prov, &pid("acme")));
    assert!(!can_submit_time_entry(&prov, &pid("other")));
    assert!(!can_submit_time_entry(&body, &pid("acme")));

    assert!(can_approve(&coord) && !can_approve(&body) && !can_approve(&aud));
    assert!(can_audit(&aud) && can_audit(&coord) && !can_audit(&body) && !can_audit(&prov));
}

#[test]
fn only_coordinator_and_auditor_read_the_programme_wide_reports() {
    let table: &[(Principal, bool)] = &[
        (Principal::coordinator(), true),
        (Principal::auditor(), true),
        (Principal::body("05970004").unwrap(), false),
        (Principal::provider(pid("acme")), false),
    ];
    for (p, expected) in table {
        assert_eq!(can_read_reports(p), *expected, "{p}");
    }
}
