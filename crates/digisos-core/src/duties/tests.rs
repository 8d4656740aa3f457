//! Given/when/then tests of the reporting duties with a fixed `t0`, and properties.

use super::*;
use DutyKind::*;
use proptest::prelude::*;

/// Awareness: Tue 14 Jan 2025, 09:00 UTC (10:00 in Berlin).
fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2025-01-14T09:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn h(hours: i64) -> DateTime<Utc> {
    t0() + TimeDelta::hours(hours)
}

fn essential_with_personal_data() -> Duties {
    Duties::for_incident(t0(), Nis2Class::Essential, true)
}

/// Record a submission and apply its events; panics on a rejection.
fn submit(d: &mut Duties, kind: DutyKind, at: DateTime<Utc>) -> Vec<DutyEvent> {
    let events = d.record_submission(kind, at, "BSI-2025-0042").unwrap();
    events.iter().for_each(|e| d.apply(e));
    events
}

fn timeout(d: &mut Duties, now: DateTime<Utc>) -> Vec<DutyEvent> {
    let events = d.handle_timeout(now);
    events.iter().for_each(|e| d.apply(e));
    events
}

fn states(d: &Duties, now: DateTime<Utc>) -> Vec<(DutyKind, DutyState)> {
    d.status(now)
        .into_iter()
        .map(|r| (r.kind, r.state))
        .collect()
}

#[test]
fn out_of_scope_bodies_have_no_duties() {
    let d = Duties::for_incident(t0(), Nis2Class::None, false);
    assert!(d.is_empty());
    assert_eq!(d.next_timeout(), None);
    assert_eq!(d.handle_timeout(h(10_000)), []);
    assert_eq!(
        d.record_submission(Nis2EarlyWarning, h(1), "x"),
        Err(DutyRejection::NotApplicable {
            kind: Nis2EarlyWarning
        })
    );
}

#[test]
fn which_duties_apply() {
    let kinds = |nis2, pd| -> Vec<DutyKind> {
        let d = Duties::for_incident(t0(), nis2, pd);
        d.status(t0()).into_iter().map(|r| r.kind).collect()
    };
    let nis2 = vec![Nis2EarlyWarning, Nis2Notification, Nis2FinalReport];
    assert_eq!(kinds(Nis2Class::Important, false), nis2);
    assert_eq!(kinds(Nis2Class::Essential, false), nis2);
    assert_eq!(kinds(Nis2Class::None, true), [GdprNotification]);
    assert_eq!(kinds(Nis2Class::Essential, true).len(), 4);
}

#[test]
fn deadlines_count_from_awareness_and_final_report_has_none_yet() {
    let d = essential_with_personal_data();
    let dues: Vec<_> = d
        .status(t0())
        .into_iter()
        .map(|r| (r.kind, r.due))
        .collect();
    assert_eq!(
        dues,
        [
            (Nis2EarlyWarning, Some(h(24))),
            (Nis2Notification, Some(h(72))),
            (Nis2FinalReport, None),
            (GdprNotification, Some(h(72))),
        ]
    );
    assert!(states(&d, t0()).iter().all(|(_, s)| *s == DutyState::Open));
    assert_eq!(d.next_timeout(), Some(h(24) + TimeDelta::nanoseconds(1)));
}

#[test]
fn submitting_the_notification_schedules_the_final_report_one_month_later() {
    let mut d = essential_with_personal_data();
    // given the notification submitted on Fri 31 Jan 2025 at 10:00 Berlin (09:00 UTC)
    let at = DateTime::parse_from_rfc3339("2025-01-31T09:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let events = d.record_submission(Nis2Notification, at, "BSI-1").unwrap();
    // then the final report is due on 28 Feb at the same time of day
    let feb28 = DateTime::parse_from_rfc3339("2025-02-28T09:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    assert_eq!(
        events,
        [
            DutyEvent::Submitted {
                kind: Nis2Notification,
                at,
                reference: "BSI-1".into(),
                late: true
            },
            DutyEvent::Scheduled {
                kind: Nis2FinalReport,
                due: feb28
            },
        ]
    );
    events.iter().for_each(|e| d.apply(e));
    let row = &d.status(at)[2];
    assert_eq!(
        (row.kind, row.due, row.state),
        (Nis2FinalReport, Some(feb28), DutyState::Open)
    );
}

#[test]
fn in_time_late_and_overdue() {
    let mut d = essential_with_personal_data();
    // the deadline instant itself is in time
    assert_eq!(
        submit(&mut d, Nis2EarlyWarning, h(24)),
        [DutyEvent::Submitted {
            kind: Nis2EarlyWarning,
            at: h(24),
            reference: "BSI-2025-0042".into(),
            late: false
        }]
    );
    // at the deadline nothing is overdue yet; one instant later both 72 h duties are
    assert_eq!(timeout(&mut d, h(72)), []);
    let later = h(72) + TimeDelta::nanoseconds(1);
    assert_eq!(d.next_timeout(), Some(later));
    assert_eq!(
        timeout(&mut d, later),
        [
            DutyEvent::Overdue {
                kind: Nis2Notification,
                due: h(72)
            },
            DutyEvent::Overdue {
                kind: GdprNotification,
                due: h(72)
            },
        ]
    );
    // a late submission is still recorded, and marked late
    let events = submit(&mut d, GdprNotification, h(80));
    assert!(matches!(events[0], DutyEvent::Submitted { late: true, .. }));
    assert_eq!(
        states(&d, h(80)),
        [
            (Nis2EarlyWarning, DutyState::Submitted),
            (Nis2Notification, DutyState::Overdue),
            (Nis2FinalReport, DutyState::Open),
            (GdprNotification, DutyState::SubmittedLate),
        ]
    );
    assert_eq!(d.next_timeout(), None);
}

#[test]
fn overdue_fires_once_in_time_order_even_after_a_long_jump() {
    let mut d = essential_with_personal_data();
    let events = timeout(&mut d, h(24 * 365));
    let kinds: Vec<_> = events
        .iter()
        .map(|e| match e {
            DutyEvent::Overdue { kind, .. } => *kind,
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        [Nis2EarlyWarning, Nis2Notification, GdprNotification]
    );
    assert_eq!(timeout(&mut d, h(24 * 366)), []);
    assert_eq!(d.next_timeout(), None);
}

#[test]
fn status_shows_overdue_before_the_timer_ran() {
    let d = essential_with_personal_data();
    assert_eq!(states(&d, h(25))[0], (Nis2EarlyWarning, DutyState::Overdue));
}

#[test]
fn rejections() {
    let mut d = essential_with_personal_data();
    let r = |d: &Duties, kind, at, reference| d.record_submission(kind, at, reference);
    assert_eq!(
        r(&d, Nis2EarlyWarning, h(-1), "x"),
        Err(DutyRejection::BeforeAwareness {
            kind: Nis2EarlyWarning,
            at: h(-1),
            awareness: t0()
        })
    );
    assert_eq!(
        r(&d, Nis2EarlyWarning, h(1), "  "),
        Err(DutyRejection::MissingReference)
    );
    assert_eq!(
        r(&d, Nis2FinalReport, h(1), "x"),
        Err(DutyRejection::NotificationMissing)
    );
    submit(&mut d, Nis2Notification, h(48));
    assert_eq!(
        r(&d, Nis2Notification, h(49), "x"),
        Err(DutyRejection::AlreadySubmitted {
            kind: Nis2Notification,
            at: h(48)
        })
    );
    assert_eq!(
        r(&d, Nis2FinalReport, h(47), "x"),
        Err(DutyRejection::BeforeNotification {
            at: h(47),
            notified_at: h(48)
        })
    );
    let msg = DutyRejection::NotApplicable {
        kind: GdprNotification,
    }
    .to_string();
    assert!(msg.starts_with("the GDPR breach notification duty does not apply"));
}

#[test]
fn apply_ignores_duties_that_do_not_apply() {
    let mut d = Duties::for_incident(t0(), Nis2Class::None, false);
    let before = d.clone();
    d.apply(&DutyEvent::Overdue {
        kind: GdprNotification,
        due: h(72),
    });
    assert_eq!(d, before);
}

fn kind() -> impl Strategy<Value = DutyKind> {
    prop::sample::select(vec![
        Nis2EarlyWarning,
        Nis2Notification,
        Nis2FinalReport,
        GdprNotification,
    ])
}

fn nis2() -> impl Strategy<Value = Nis2Class> {
    prop::sample::select(vec![
        Nis2Class::None,
        Nis2Class::Important,
        Nis2Class::Essential,
    ])
}

#[derive(Debug, Clone)]
enum Step {
    /// The body records a submission of this duty now.
    Submit(DutyKind),
    /// Time passes by this many minutes and the timer fires.
    Advance(i64),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        kind().prop_map(Step::Submit),
        (0i64..12_000).prop_map(Step::Advance),
    ]
}

proptest! {
    /// Random submissions and timer firings as time moves on: each duty is reported
    /// overdue at most once, in deadline order, never when it was submitted in time, and
    /// every duty still open past its deadline is reported by the next timer call.
    #[test]
    fn overdue_at_most_once_and_never_when_submitted_in_time(
        nis2 in nis2(),
        personal_data in any::<bool>(),
        steps in prop::collection::vec(step(), 0..40),
    ) {
        let mut d = Duties::for_incident(t0(), nis2, personal_data);
        let mut overdue: Vec<DutyKind> = Vec::new();
        let mut clock = t0();
        for s in steps {
            match s {
                Step::Submit(kind) => {
                    if let Ok(events) = d.record_submission(kind, clock, "ref") {
                        events.iter().for_each(|e| d.apply(e));
                    }
                }
                Step::Advance(minutes) => {
                    clock += TimeDelta::minutes(minutes);
                    let mut last = None;
                    for e in d.handle_timeout(clock) {
                        let DutyEvent::Overdue { kind, due } = e else {
                            return Err(TestCaseError::fail("timer produced a non-overdue event"));
                        };
                        prop_assert!(due < clock);
                        prop_assert!(last <= Some(due), "not in deadline order");
                        last = Some(due);
                        prop_assert!(!overdue.contains(&kind), "{} overdue twice", kind);
                        overdue.push(kind);
                        d.apply(&e);
                    }
                    prop_assert!(d.next_timeout().is_none_or(|t| t > clock));
                }
            }
        }
        for row in d.status(clock) {
            match (row.submitted_at, row.due) {
                (Some(at), Some(due)) if at <= due => {
                    prop_assert_eq!(row.state, DutyState::Submitted);
                    prop_assert!(!overdue.contains(&row.kind), "{} in time but overdue", row.kind);
                }
                (None, Some(due)) if due < clock => {
                    prop_assert_eq!(row.state, DutyState::Overdue);
                    prop_assert!(overdue.contains(&row.kind), "{} never reported", row.kind);
                }
                _ => {}
            }
        }
    }
}
