//! Replays of event streams through the lifecycle fold, with a fixed `t0`.

use super::*;
use crate::duties::{DutyEvent, DutyKind, Nis2Class};
use crate::ids::{LotId, ProviderId};
use crate::incident::command::IncidentCategory;
use crate::incident::event::IncidentEvent;
use crate::ledger::{CallOffId, LedgerEvent};
use crate::money::Money;
use crate::principal::{Actor, Principal};
use crate::sla::Severity;
use IncidentEventKind as E;
use IncidentState as S;
use chrono::{DateTime, TimeDelta, Utc};

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2025-03-03T06:30:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn p(s: &str) -> ProviderId {
    ProviderId::new(s).unwrap()
}

fn reported() -> E {
    E::Reported {
        body: "05970004".into(),
        title: "Ransomware im Rathaus".into(),
        description: "Dateiserver verschlüsselt".into(),
        category: IncidentCategory::Ransomware,
        aware_at: t0(),
        affected_services: vec!["E-Mail".into(), "Kfz-Zulassung".into()],
        personal_data: true,
        nis2: Nis2Class::None,
        on_site_needed: true,
    }
}

/// Folds the events, returning the lifecycle after each one.
fn replay(events: &[E]) -> Vec<Option<Lifecycle>> {
    let mut l = None;
    events
        .iter()
        .map(|e| {
            l = evolve(l, e);
            l
        })
        .collect()
}

fn at(l: Option<Lifecycle>) -> (S, bool) {
    let l = l.unwrap();
    (l.state, l.waiting)
}

#[test]
fn cascade_then_full_lifecycle_to_closed() {
    let events = [
        reported(),
        E::Triaged {
            severity: Severity::Critical,
            lot: LotId::new("los-1").unwrap(),
        },
        E::Ledger(LedgerEvent::ReservationApproved {
            call_off: CallOffId::from_number(1),
        }),
        E::Dispatched {
            call_off: CallOffId::from_number(1),
            provider: p("first"),
            order: vec![p("first"), p("second")],
        },
        E::Declined {
            provider: p("first"),
            reason: "no capacity".into(),
            next: Some(p("second")),
        },
        E::Accepted {
            provider: p("second"),
        },
        E::FirstContactRecorded,
        E::WaitingForBody {
            reason: "VPN access".into(),
        },
        E::RemoteStartRecorded,
        E::ResumedFromBody,
        E::OnSiteArrivalRecorded,
        E::WaitingForBody {
            reason: "backup tapes".into(),
        },
        E::Contained,
        E::Recovered,
        E::Duty(DutyEvent::Submitted {
            kind: DutyKind::GdprNotification,
            at: t0() + TimeDelta::hours(30),
            reference: "LDI-1".into(),
            late: false,
        }),
        E::Closed {
            final_report_ref: "AB-7".into(),
            released: Money::euro(4_000),
        },
    ];
    let states: Vec<_> = replay(&events).into_iter().map(at).collect();
    assert_eq!(
        states,
        [
            (S::Reported, false),
            (S::Triaged, false),
            (S::Triaged, false),
            (S::Dispatched, false),
            (S::Dispatched, false),
            (S::Accepted, false),
            (S::Responding, false),
            (S::Responding, true),
            (S::Responding, true),
            (S::Responding, false),
            (S::OnSite, false),
            (S::OnSite, true),
            (S::Contained, true),
            (S::Recovered, false),
            (S::Recovered, false),
            (S::Closed, false),
        ]
    );
}

#[test]
fn missed_window_with_no_provider_left_is_unserved_and_can_be_redispatched() {
    let events = [
        reported(),
        E::Triaged {
            severity: Severity::High,
            lot: LotId::new("los-2").unwrap(),
        },
        E::Dispatched {
            call_off: CallOffId::from_number(2),
            provider: p("only"),
            order: vec![p("only")],
        },
        E::AcceptanceWindowMissed {
            provider: p("only"),
            due: t0() + TimeDelta::hours(1),
            next: None,
        },
        E::Dispatched {
            call_off: CallOffId::from_number(2),
            provider: p("backup"),
            order: vec![p("backup")],
        },
        E::Cancelled {
            reason: "body recovered alone".into(),
            voided: Money::euro(8_000),
        },
    ];
    let states: Vec<_> = replay(&events).into_iter().map(|l| at(l).0).collect();
    assert_eq!(
        states,
        [
            S::Reported,
            S::Triaged,
            S::Dispatched,
            S::Unserved,
            S::Dispatched,
            S::Cancelled
        ]
    );
}

#[test]
fn nothing_before_the_report_and_illegal_events_change_nothing() {
    assert_eq!(evolve(None, &E::Contained), None);
    let l = evolve(None, &reported());
    assert_eq!(
        evolve(
            l,
            &E::Closed {
                final_report_ref: "x".into(),
                released: Money::ZERO
            }
        ),
        l
    );
    assert_eq!(evolve(l, &E::ResumedFromBody), l);
    assert_eq!(evolve(l, &reported()), l);
}

#[test]
fn events_round_trip_through_json_with_actor_and_time() {
    let ev = IncidentEvent {
        at: t0(),
        by: Actor::Principal(Principal::body("05970004").unwrap()),
        kind: reported(),
    };
    let json = serde_json::to_value(&ev).unwrap();
    assert_eq!(json["by"]["principal"]["body"], "05970004");
    assert_eq!(json["kind"]["type"], "reported");
    assert_eq!(json["kind"]["nis2"], "none");
    let back: IncidentEvent = serde_json::from_value(json).unwrap();
    assert_eq!(back, ev);

    let timer = IncidentEvent {
        at: t0(),
        by: Actor::Timer,
        kind: E::Duty(DutyEvent::Overdue {
            kind: DutyKind::GdprNotification,
            due: t0(),
        }),
    };
    let json = serde_json::to_value(&timer).unwrap();
    assert_eq!(json["by"], "timer");
    assert_eq!(json["kind"]["type"], "duty");
    assert_eq!(json["kind"]["duty"], "overdue");
    assert_eq!(
        serde_json::from_value::<IncidentEvent>(json).unwrap(),
        timer
    );
}
