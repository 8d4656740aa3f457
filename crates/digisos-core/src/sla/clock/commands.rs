//! The clock's commands (the *decide* step): each checks the clock, first records the
//! warnings due by its instant, and returns the events to apply.

use super::{Clock, ClockEvent, ClockRejection, ClockStage, WarningDue, calendar};
use crate::calendar::{Calendar, Calendars};
use crate::sla::policy::WindowSpec;
use chrono::{DateTime, TimeDelta, Utc};

impl Clock {
    /// Starts the clock at `at` (the dispatch, or retroactively the report) with `window`.
    /// Fails when already started or the window's calendar is unknown.
    pub fn start(
        &self,
        at: DateTime<Utc>,
        window: &WindowSpec,
        calendars: &Calendars,
    ) -> Result<Vec<ClockEvent>, ClockRejection> {
        Ok(vec![self.plan_start(at, window, calendars)?.event()])
    }

    /// Pauses a running clock (the incident waits for the body). Fails when not running,
    /// the window does not pause, or the deadline passed before `at`.
    pub fn pause(
        &self,
        at: DateTime<Utc>,
        calendars: &Calendars,
    ) -> Result<Vec<ClockEvent>, ClockRejection> {
        let (next, mut events) = self.catch_up(at)?;
        if next.stage != ClockStage::Running {
            return Err(ClockRejection::NotRunning);
        }
        let window = next.window.as_ref().ok_or(ClockRejection::NotStarted)?;
        if !window.pausable {
            return Err(ClockRejection::NotPausable { kind: next.kind });
        }
        let consumed = next.consumed_at(at, calendars)?;
        events.push(ClockEvent::Paused { at, consumed });
        Ok(events)
    }

    /// Resumes a paused clock; the deadline is recomputed from the open time left.
    /// Fails when not paused or the calendar is unknown.
    pub fn resume(
        &self,
        at: DateTime<Utc>,
        calendars: &Calendars,
    ) -> Result<Vec<ClockEvent>, ClockRejection> {
        let (next, mut events) = self.catch_up(at)?;
        if next.stage != ClockStage::Paused {
            return Err(ClockRejection::NotPaused);
        }
        let window = next.window.as_ref().ok_or(ClockRejection::NotStarted)?;
        let cal = calendar(calendars, window)?;
        let (deadline, warnings) = plan(window, next.consumed, at, cal, &next.warned);
        events.push(ClockEvent::Resumed {
            at,
            deadline,
            warnings,
        });
        Ok(events)
    }

    /// Stops the clock: the milestone happened at `at`. Met when at or before the
    /// deadline; when
    /// the deadline passed, the breach (if not yet recorded) comes first. Fails when not
    /// started or already stopped/cancelled.
    pub fn stop(
        &self,
        at: DateTime<Utc>,
        calendars: &Calendars,
    ) -> Result<Vec<ClockEvent>, ClockRejection> {
        self.check_order(at)?;
        let mut next = self.clone();
        let mut events = next.handle_timeout(at);
        // Stopping exactly at the deadline is still within the window.
        events.retain(|e| !matches!(e, ClockEvent::Breached { at: deadline } if *deadline == at));
        for e in &events {
            next.apply(e);
        }
        match next.stage {
            ClockStage::Pending => return Err(ClockRejection::NotStarted),
            ClockStage::Met | ClockStage::Cancelled => return Err(ClockRejection::Ended),
            ClockStage::Breached if next.stopped => return Err(ClockRejection::Ended),
            ClockStage::Running | ClockStage::Paused | ClockStage::Breached => {}
        }
        let consumed = next.consumed_at(at, calendars)?;
        events.push(ClockEvent::Stopped {
            at,
            consumed,
            met: next.breached_at.is_none(),
        });
        Ok(events)
    }

    /// Cancels a pending, running or paused clock (e.g. the cascade moved on). Fails when
    /// ended or when the deadline passed before `at`.
    pub fn cancel(
        &self,
        at: DateTime<Utc>,
        calendars: &Calendars,
    ) -> Result<Vec<ClockEvent>, ClockRejection> {
        if self.stage == ClockStage::Pending {
            return Ok(vec![ClockEvent::Cancelled {
                at,
                consumed: TimeDelta::zero(),
            }]);
        }
        let (next, mut events) = self.catch_up(at)?;
        let consumed = next.consumed_at(at, calendars)?;
        events.push(ClockEvent::Cancelled { at, consumed });
        Ok(events)
    }

    /// Applies a new window (severity or policy change) at `at` to the open time counted
    /// so far; paused time stays uncounted. When that time already exceeds the new window
    /// the breach is recorded at `at` (history is not rewritten). Fails when not running or
    /// paused, or a calendar is unknown.
    pub fn change_window(
        &self,
        at: DateTime<Utc>,
        window: &WindowSpec,
        calendars: &Calendars,
    ) -> Result<Vec<ClockEvent>, ClockRejection> {
        let (mut next, mut events) = self.catch_up(at)?;
        let consumed = next.consumed_at(at, calendars)?;
        let cal = calendar(calendars, window)?;
        let (deadline, warnings) = plan(window, consumed, at, cal, &next.warned);
        // the deadline instant still belongs to the window, so only more is overdue
        let overdue = consumed > window.window();
        let deadline = (next.stage == ClockStage::Running || overdue).then_some(deadline);
        let warnings = if deadline.is_some() {
            warnings
        } else {
            Vec::new()
        };
        let changed = ClockEvent::WindowChanged {
            at,
            window: window.clone(),
            consumed,
            deadline,
            warnings,
        };
        next.apply(&changed);
        events.push(changed);
        let mut due = next.handle_timeout(at);
        if overdue && !due.iter().any(|e| matches!(e, ClockEvent::Breached { .. })) {
            due.push(ClockEvent::Breached { at });
        }
        events.extend(due);
        Ok(events)
    }

    /// A copy of the clock with every timeout due by `at` applied, and those events.
    /// Fails when `at` is out of order, the clock is not running/paused, or it breached.
    fn catch_up(&self, at: DateTime<Utc>) -> Result<(Clock, Vec<ClockEvent>), ClockRejection> {
        self.check_order(at)?;
        match self.stage {
            ClockStage::Pending => return Err(ClockRejection::NotStarted),
            ClockStage::Met | ClockStage::Cancelled => return Err(ClockRejection::Ended),
            ClockStage::Breached => {
                return Err(match self.breached_at {
                    Some(at) if !self.stopped => ClockRejection::Breached { at },
                    _ => ClockRejection::Ended,
                });
            }
            ClockStage::Running | ClockStage::Paused => {}
        }
        let mut next = self.clone();
        let events = next.handle_timeout(at);
        for e in &events {
            next.apply(e);
        }
        match next.breached_at {
            Some(at) => Err(ClockRejection::Breached { at }),
            None => Ok((next, events)),
        }
    }

    fn check_order(&self, at: DateTime<Utc>) -> Result<(), ClockRejection> {
        match self.last_at {
            Some(last) if at < last => Err(ClockRejection::OutOfOrder { at, last }),
            _ => Ok(()),
        }
    }

    /// Open time counted up to `at`.
    fn consumed_at(
        &self,
        at: DateTime<Utc>,
        calendars: &Calendars,
    ) -> Result<TimeDelta, ClockRejection> {
        match (self.running_since, &self.window) {
            (Some(since), Some(window)) => {
                Ok(self.consumed + calendar(calendars, window)?.elapsed(since, at))
            }
            _ => Ok(self.consumed),
        }
    }
}

/// The deadline and the warning instants still ahead when `consumed` of `window` is used
/// and counting (re)starts at `from`; thresholds already passed fall due at `from`.
pub(super) fn plan(
    window: &WindowSpec,
    consumed: TimeDelta,
    from: DateTime<Utc>,
    cal: &Calendar,
    warned: &[u8],
) -> (DateTime<Utc>, Vec<WarningDue>) {
    let total = window.window();
    let at_share = |share: TimeDelta| {
        if share <= consumed {
            from
        } else {
            cal.deadline(from, share - consumed)
        }
    };
    let warnings = window
        .warn_at_percent
        .iter()
        .filter(|p| !warned.contains(p))
        .map(|&percent| WarningDue {
            at: at_share(total * i32::from(percent) / 100),
            percent,
        })
        .collect();
    (at_share(total), warnings)
}
