//! Given/when/then tests of one clock with a fixed `t0`, advanced by hand.

use super::*;
use crate::sla::policy::WindowStart;

/// Monday 2025-04-07 08:00 Europe/Berlin.
fn t0() -> DateTime<Utc> {
    "2025-04-07T06:00:00Z".parse().unwrap()
}

fn mins(m: i64) -> DateTime<Utc> {
    t0() + TimeDelta::minutes(m)
}

fn window(minutes: u32, calendar: &str, warn: &[u8], pausable: bool) -> WindowSpec {
    WindowSpec {
        minutes,
        calendar: CalendarId::new(calendar).unwrap(),
        warn_at_percent: warn.to_vec(),
        pausable,
        start: WindowStart::Dispatch,
    }
}

/// The clock under test plus the calendars; `when` runs a command and applies its events.
struct Given {
    clock: Clock,
    calendars: Calendars,
}

fn given_started(at: DateTime<Utc>, w: &WindowSpec) -> Given {
    let mut g = Given {
        clock: Clock::new(WindowKind::Acceptance),
        calendars: Calendars::presets(),
    };
    let events = g.clock.start(at, w, &g.calendars).unwrap();
    g.apply(&events);
    g
}

impl Given {
    fn apply(&mut self, events: &[ClockEvent]) {
        for e in events {
            self.clock.apply(e);
        }
    }

    fn when(
        &mut self,
        command: impl FnOnce(&Clock, &Calendars) -> Result<Vec<ClockEvent>, ClockRejection>,
    ) -> Vec<ClockEvent> {
        let events = command(&self.clock, &self.calendars).unwrap();
        self.apply(&events);
        events
    }

    fn timeout(&mut self, now: DateTime<Utc>) -> Vec<ClockEvent> {
        let events = self.clock.handle_timeout(now);
        self.apply(&events);
        events
    }

    fn status(&self, now: DateTime<Utc>) -> ClockStatus {
        self.clock.status(now, &self.calendars).unwrap()
    }
}

fn warning(m: i64, percent: u8) -> ClockEvent {
    ClockEvent::WarningReached {
        at: mins(m),
        percent,
    }
}

#[test]
fn start_computes_deadline_and_warning_instants() {
    let w = window(60, "24x7", &[50, 75, 90], false);
    let g = given_started(t0(), &w);
    assert_eq!(g.clock.stage(), ClockStage::Running);
    assert_eq!(g.clock.next_timeout(), Some(mins(30)));
    let status = g.status(mins(15));
    assert_eq!(status.deadline, Some(mins(60)));
    assert_eq!(status.elapsed, TimeDelta::minutes(15));
    assert_eq!(status.remaining, Some(TimeDelta::minutes(45)));
    assert_eq!(status.percent, Some(25));
}

#[test]
fn timeouts_fire_one_by_one() {
    let mut g = given_started(t0(), &window(60, "24x7", &[50, 75, 90], false));
    assert_eq!(g.timeout(mins(29)), []);
    assert_eq!(g.timeout(mins(30)), [warning(30, 50)]);
    assert_eq!(g.timeout(mins(31)), []);
    assert_eq!(g.clock.next_timeout(), Some(mins(45)));
    assert_eq!(g.timeout(mins(50)), [warning(45, 75)]);
    // the deadline instant is still within the window; the breach is due just after it
    assert_eq!(g.timeout(mins(60)), [warning(54, 90)]);
    assert_eq!(g.timeout(mins(61)), [ClockEvent::Breached { at: mins(60) }]);
    assert_eq!(g.clock.next_timeout(), None);
    assert_eq!(g.clock.breached_at(), Some(mins(60)));
}

#[test]
fn a_far_jump_reports_everything_once_in_time_order() {
    let mut g = given_started(t0(), &window(60, "24x7", &[50, 75, 90], false));
    let events = g.timeout(mins(100_000));
    assert_eq!(
        events,
        [
            warning(30, 50),
            warning(45, 75),
            warning(54, 90),
            ClockEvent::Breached { at: mins(60) }
        ]
    );
    assert_eq!(g.timeout(mins(200_000)), []);
    assert_eq!(g.clock.stage(), ClockStage::Breached);
    assert_eq!(g.status(mins(120)).remaining, Some(TimeDelta::minutes(-60)));
}

#[test]
fn business_warnings_count_open_time() {
    // Friday 2025-04-04 17:00 Berlin, 600 min of nrw-business: 60 min on Friday, the rest Monday.
    let start: DateTime<Utc> = "2025-04-04T15:00:00Z".parse().unwrap();
    let mut g = given_started(start, &window(600, "nrw-business", &[50], false));
    let monday_noon: DateTime<Utc> = "2025-04-07T10:00:00Z".parse().unwrap();
    assert_eq!(g.clock.next_timeout(), Some(monday_noon));
    assert_eq!(g.status(monday_noon).percent, Some(50));
    assert_eq!(
        g.status(monday_noon).deadline,
        Some("2025-04-07T15:00:00Z".parse().unwrap())
    );
    assert_eq!(
        g.timeout(monday_noon),
        [ClockEvent::WarningReached {
            at: monday_noon,
            percent: 50
        }]
    );
}

#[test]
fn paused_time_is_not_counted_and_resume_recomputes_the_deadline() {
    let mut g = given_started(t0(), &window(60, "24x7", &[50], true));
    let paused = g.when(|c, cals| c.pause(mins(20), cals));
    assert_eq!(
        paused,
        [ClockEvent::Paused {
            at: mins(20),
            consumed: TimeDelta::minutes(20)
        }]
    );
    assert_eq!(g.clock.next_timeout(), None);
    assert_eq!(g.timeout(mins(500)), []);
    let resumed = g.when(|c, cals| c.resume(mins(120), cals));
    assert_eq!(
        resumed,
        [ClockEvent::Resumed {
            at: mins(120),
            deadline: mins(160),
            warnings: vec![WarningDue {
                at: mins(130),
                percent: 50
            }],
        }]
    );
    let status = g.status(mins(130));
    assert_eq!(status.elapsed, TimeDelta::minutes(30));
    assert_eq!(status.percent, Some(50));
    assert_eq!(
        g.timeout(mins(161)),
        [warning(130, 50), ClockEvent::Breached { at: mins(160) }]
    );
}

#[test]
fn a_warning_due_before_a_pause_is_reported_with_it() {
    let mut g = given_started(t0(), &window(60, "24x7", &[50], true));
    let events = g.when(|c, cals| c.pause(mins(40), cals));
    assert_eq!(
        events,
        [
            warning(30, 50),
            ClockEvent::Paused {
                at: mins(40),
                consumed: TimeDelta::minutes(40)
            }
        ]
    );
    // The warning is not repeated after resuming.
    let resumed = g.when(|c, cals| c.resume(mins(60), cals));
    assert!(matches!(&resumed[..], [ClockEvent::Resumed { warnings, .. }] if warnings.is_empty()));
}

#[test]
fn severity_change_mid_pause_keeps_paused_time_uncounted() {
    // 240 min window; 60 min run, pause, then the severity drops the window to 120 min.
    let mut g = given_started(t0(), &window(240, "24x7", &[50], true));
    g.when(|c, cals| c.pause(mins(60), cals));
    let changed =
        g.when(|c, cals| c.change_window(mins(180), &window(120, "24x7", &[50, 75], true), cals));
    assert_eq!(
        changed,
        [ClockEvent::WindowChanged {
            at: mins(180),
            window: window(120, "24x7", &[50, 75], true),
            consumed: TimeDelta::minutes(60),
            deadline: None,
            warnings: vec![],
        }]
    );
    assert_eq!(g.clock.stage(), ClockStage::Paused);
    // 60 of 120 min used: 50 % is already passed and due at once, 75 % after 30 more min.
    let resumed = g.when(|c, cals| c.resume(mins(300), cals));
    assert_eq!(
        resumed,
        [ClockEvent::Resumed {
            at: mins(300),
            deadline: mins(360),
            warnings: vec![
                WarningDue {
                    at: mins(300),
                    percent: 50
                },
                WarningDue {
                    at: mins(330),
                    percent: 75
                },
            ],
        }]
    );
    assert_eq!(g.status(mins(330)).elapsed, TimeDelta::minutes(90));
}

#[test]
fn a_smaller_window_already_used_up_breaches_at_the_change() {
    let mut g = given_started(t0(), &window(240, "24x7", &[50], false));
    let events =
        g.when(|c, cals| c.change_window(mins(100), &window(60, "24x7", &[50], false), cals));
    assert_eq!(events.len(), 3);
    assert_eq!(events[1], warning(100, 50));
    assert_eq!(events[2], ClockEvent::Breached { at: mins(100) });
    assert_eq!(g.clock.stage(), ClockStage::Breached);
}

#[test]
fn a_larger_window_while_running_moves_the_deadline() {
    let mut g = given_started(t0(), &window(60, "24x7", &[50], false));
    g.timeout(mins(30));
    let events =
        g.when(|c, cals| c.change_window(mins(40), &window(240, "24x7", &[50], false), cals));
    // 40 of 240 min used; the 50 % warning was already given and is not repeated.
    assert_eq!(
        events,
        [ClockEvent::WindowChanged {
            at: mins(40),
            window: window(240, "24x7", &[50], false),
            consumed: TimeDelta::minutes(40),
            deadline: Some(mins(240)),
            warnings: vec![],
        }]
    );
    assert_eq!(
        g.clock.next_timeout(),
        Some(mins(240) + TimeDelta::nanoseconds(1))
    );
}

#[test]
fn stop_in_time_is_met_and_late_stop_records_the_breach_first() {
    let mut g = given_started(t0(), &window(60, "24x7", &[], false));
    let events = g.when(|c, cals| c.stop(mins(60), cals));
    assert_eq!(
        events,
        [ClockEvent::Stopped {
            at: mins(60),
            consumed: TimeDelta::minutes(60),
            met: true
        }]
    );
    assert_eq!(g.clock.stage(), ClockStage::Met);
    assert_eq!(
        g.clock.stop(mins(61), &g.calendars),
        Err(ClockRejection::Ended)
    );

    let mut late = given_started(t0(), &window(60, "24x7", &[], false));
    let events = late.when(|c, cals| c.stop(mins(61), cals));
    assert_eq!(
        events,
        [
            ClockEvent::Breached { at: mins(60) },
            ClockEvent::Stopped {
                at: mins(61),
                consumed: TimeDelta::minutes(61),
                met: false
            },
        ]
    );
    assert_eq!(late.clock.stage(), ClockStage::Breached);
    assert_eq!(late.clock.breached_at(), Some(mins(60)));
}

#[test]
fn a_breach_is_recorded_once_and_stop_still_records_completion() {
    let mut g = given_started(t0(), &window(60, "24x7", &[], false));
    assert_eq!(g.timeout(mins(90)), [ClockEvent::Breached { at: mins(60) }]);
    assert_eq!(
        g.clock.pause(mins(95), &g.calendars),
        Err(ClockRejection::Breached { at: mins(60) })
    );
    let events = g.when(|c, cals| c.stop(mins(100), cals));
    assert_eq!(
        events,
        [ClockEvent::Stopped {
            at: mins(100),
            consumed: TimeDelta::minutes(100),
            met: false
        }]
    );
    assert_eq!(
        g.clock.stop(mins(101), &g.calendars),
        Err(ClockRejection::Ended)
    );
}

#[test]
fn retroactive_start_reports_past_thresholds_at_once() {
    let mut g = given_started(mins(-120), &window(60, "24x7", &[50], false));
    assert_eq!(g.clock.next_timeout(), Some(mins(-90)));
    assert_eq!(
        g.timeout(t0()),
        [warning(-90, 50), ClockEvent::Breached { at: mins(-60) }]
    );
}

#[test]
fn rejections() {
    let cals = Calendars::presets();
    let pending = Clock::new(WindowKind::OnSite);
    assert_eq!(pending.pause(t0(), &cals), Err(ClockRejection::NotStarted));
    assert_eq!(
        pending.start(t0(), &window(60, "mars", &[], false), &cals),
        Err(ClockRejection::UnknownCalendar(
            CalendarId::new("mars").unwrap()
        ))
    );
    let mut g = given_started(t0(), &window(60, "24x7", &[], false));
    assert_eq!(
        g.clock.start(t0(), &window(60, "24x7", &[], false), &cals),
        Err(ClockRejection::AlreadyStarted)
    );
    assert_eq!(
        g.clock.pause(mins(10), &cals),
        Err(ClockRejection::NotPausable {
            kind: WindowKind::Acceptance
        })
    );
    assert_eq!(
        g.clock.resume(mins(10), &cals),
        Err(ClockRejection::NotPaused)
    );
    assert_eq!(
        g.clock.stop(mins(-1), &cals),
        Err(ClockRejection::OutOfOrder {
            at: mins(-1),
            last: t0()
        })
    );
    g.when(|c, cals| c.cancel(mins(5), cals));
    assert_eq!(g.clock.stage(), ClockStage::Cancelled);
    assert_eq!(g.clock.next_timeout(), None);
    assert_eq!(g.clock.resume(mins(10), &cals), Err(ClockRejection::Ended));
    let paused_err = ClockRejection::NotPausable {
        kind: WindowKind::FirstContact,
    };
    assert_eq!(
        paused_err.to_string(),
        "the first_contact window does not pause while waiting for the body"
    );
}

#[test]
fn events_round_trip_through_json() {
    let mut g = given_started(t0(), &window(60, "nrw-business", &[50], true));
    let mut all = g.when(|c, cals| c.pause(mins(7), cals));
    all.extend(g.when(|c, cals| c.resume(mins(9), cals)));
    let json = serde_json::to_string(&all).unwrap();
    assert!(json.contains(r#""type":"paused""#), "{json}");
    let back: Vec<ClockEvent> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, all);
}
