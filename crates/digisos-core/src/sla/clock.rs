//! One SLA clock (*SLA-Uhr*) for one response window, decide/evolve style and sans-IO:
//! commands return events, `apply` folds them, `next_timeout`/`handle_timeout` drive
//! warnings and the breach without the core ever reading a clock.

use super::policy::{WindowKind, WindowSpec};
use crate::calendar::{Calendar, Calendars};
use crate::ids::CalendarId;
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

/// Where a clock stands: pending → running ⇄ paused → met | breached | cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockStage {
    /// Not started yet.
    Pending,
    /// Counting open time.
    Running,
    /// Waiting for the body; not counting.
    Paused,
    /// Stopped within the window.
    Met,
    /// The deadline passed before the clock was stopped (it may be stopped later).
    Breached,
    /// Cancelled before it ended (e.g. the call-off moved to the next provider).
    Cancelled,
}

/// A warning threshold and the instant it is reached, computed with the calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct WarningDue {
    /// When the threshold is reached.
    #[serde(with = "crate::wire::instant")]
    pub at: DateTime<Utc>,
    /// Share of the window, in percent.
    pub percent: u8,
}

/// What happened to a clock. Computed values (deadline, warning instants, open time
/// consumed) are stored in the event, so a later policy change never rewrites history.
/// (`Deserialize` is written out to read the tagged object without buffering it.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClockEvent {
    /// The clock started counting `window` at `at`.
    Started {
        /// Start instant (dispatch, or retroactively the report).
        at: DateTime<Utc>,
        /// The window in force.
        window: WindowSpec,
        /// When the window runs out.
        deadline: DateTime<Utc>,
        /// Warning instants still ahead.
        warnings: Vec<WarningDue>,
    },
    /// The clock paused (waiting for the body).
    Paused {
        /// Pause instant.
        at: DateTime<Utc>,
        /// Open time counted so far.
        #[serde(with = "nanos")]
        consumed: TimeDelta,
    },
    /// The clock resumed; the deadline is recomputed.
    Resumed {
        /// Resume instant.
        at: DateTime<Utc>,
        /// The new deadline.
        deadline: DateTime<Utc>,
        /// Warning instants still ahead.
        warnings: Vec<WarningDue>,
    },
    /// A new window (severity or policy change) applies to the open time counted so far.
    WindowChanged {
        /// Change instant.
        at: DateTime<Utc>,
        /// The new window.
        window: WindowSpec,
        /// Open time counted so far (paused time excluded).
        #[serde(with = "nanos")]
        consumed: TimeDelta,
        /// The new deadline; `None` while paused (set on resume).
        deadline: Option<DateTime<Utc>>,
        /// Warning instants still ahead under the new window.
        warnings: Vec<WarningDue>,
    },
    /// A warning threshold was reached.
    WarningReached {
        /// The instant the threshold was reached.
        at: DateTime<Utc>,
        /// The threshold, in percent.
        percent: u8,
    },
    /// The deadline passed while the clock was still open; recorded once.
    Breached {
        /// The deadline that was missed.
        at: DateTime<Utc>,
    },
    /// The measured milestone happened; the clock stopped.
    Stopped {
        /// Stop instant.
        at: DateTime<Utc>,
        /// Open time counted in total.
        #[serde(with = "nanos")]
        consumed: TimeDelta,
        /// True when stopped within the window.
        met: bool,
    },
    /// The clock was cancelled.
    Cancelled {
        /// Cancel instant.
        at: DateTime<Utc>,
        /// Open time counted until then.
        #[serde(with = "nanos")]
        consumed: TimeDelta,
    },
}

/// Why a clock refused a command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockRejection {
    /// `start` on a clock that already started.
    #[error("clock already started")]
    AlreadyStarted,
    /// A command that needs a started clock.
    #[error("clock has not started")]
    NotStarted,
    /// `pause` when not running.
    #[error("clock is not running")]
    NotRunning,
    /// `resume` when not paused.
    #[error("clock is not paused")]
    NotPaused,
    /// `pause` on a window that does not pause.
    #[error("the {kind} window does not pause while waiting for the body")]
    NotPausable {
        /// The window.
        kind: WindowKind,
    },
    /// The deadline passed before the command; call `handle_timeout` to record the breach.
    #[error("clock breached at {at}")]
    Breached {
        /// The missed deadline.
        at: DateTime<Utc>,
    },
    /// A command on a clock that is met, cancelled or stopped after a breach.
    #[error("clock has ended")]
    Ended,
    /// The window names a calendar the registry does not know.
    #[error("unknown calendar {0}")]
    UnknownCalendar(CalendarId),
    /// Commands must come in time order.
    #[error("{at} is before the clock's last event at {last}")]
    OutOfOrder {
        /// The command's instant.
        at: DateTime<Utc>,
        /// The last event's instant.
        last: DateTime<Utc>,
    },
}

/// A clock's state at some `now`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClockStatus {
    /// The stage.
    pub stage: ClockStage,
    /// Open time counted (paused time excluded).
    pub elapsed: TimeDelta,
    /// Window minus elapsed (negative when overdue); `None` before the start.
    pub remaining: Option<TimeDelta>,
    /// Elapsed share of the window in percent (may exceed 100); `None` before the start.
    pub percent: Option<u32>,
    /// The deadline in force, if running (or breached).
    pub deadline: Option<DateTime<Utc>>,
}

/// One response-window clock. Create with [`Clock::new`], feed it events with
/// [`Clock::apply`]; commands never change it, they return the events to apply.
/// Serialisable (for snapshots of the programme) exactly as it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clock {
    kind: WindowKind,
    stage: ClockStage,
    window: Option<WindowSpec>,
    /// Open time counted before `running_since`.
    #[serde(with = "nanos")]
    consumed: TimeDelta,
    #[serde(with = "crate::wire::instant_opt")]
    running_since: Option<DateTime<Utc>>,
    #[serde(with = "crate::wire::instant_opt")]
    deadline: Option<DateTime<Utc>>,
    pending: Vec<WarningDue>,
    warned: Vec<u8>,
    #[serde(with = "crate::wire::instant_opt")]
    breached_at: Option<DateTime<Utc>>,
    stopped: bool,
    #[serde(with = "crate::wire::instant_opt")]
    last_at: Option<DateTime<Utc>>,
}

mod commands;
mod event_de;
mod nanos;
mod start;

pub use start::ClockStart;
#[cfg(test)]
mod tests;

impl Clock {
    /// A pending clock for `kind`.
    pub fn new(kind: WindowKind) -> Clock {
        Clock {
            kind,
            stage: ClockStage::Pending,
            window: None,
            consumed: TimeDelta::zero(),
            running_since: None,
            deadline: None,
            pending: Vec::new(),
            warned: Vec::new(),
            breached_at: None,
            stopped: false,
            last_at: None,
        }
    }

    /// The window kind this clock measures.
    pub fn kind(&self) -> WindowKind {
        self.kind
    }

    /// The current stage.
    pub fn stage(&self) -> ClockStage {
        self.stage
    }

    /// The window in force, once started.
    pub fn window(&self) -> Option<&WindowSpec> {
        self.window.as_ref()
    }

    /// When the breach happened, if it did.
    pub fn breached_at(&self) -> Option<DateTime<Utc>> {
        self.breached_at
    }

    /// The next instant at which `handle_timeout` has something to report (a warning
    /// threshold or the breach); `None` when nothing is scheduled. Set a timer for it.
    pub fn next_timeout(&self) -> Option<DateTime<Utc>> {
        if !self.is_open() {
            return None;
        }
        let warning = self.pending.iter().map(|w| w.at).min();
        // The deadline itself is still within the window: the breach is due just after it.
        let breach = self
            .deadline
            .filter(|_| self.breached_at.is_none())
            .map(|d| d + TimeDelta::nanoseconds(1));
        match (warning, breach) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Every warning and the breach due by `now`, in time order (warnings before a breach
    /// at the same instant), each once after its events are applied — also when `now`
    /// jumped far past several of them.
    pub fn handle_timeout(&self, now: DateTime<Utc>) -> Vec<ClockEvent> {
        if !self.is_open() {
            return Vec::new();
        }
        let mut due: Vec<WarningDue> = self
            .pending
            .iter()
            .copied()
            .filter(|w| w.at <= now)
            .collect();
        due.sort();
        let mut events: Vec<ClockEvent> = due
            .into_iter()
            .map(|w| ClockEvent::WarningReached {
                at: w.at,
                percent: w.percent,
            })
            .collect();
        if let Some(deadline) = self.deadline
            && self.breached_at.is_none()
            && deadline < now
        {
            events.push(ClockEvent::Breached { at: deadline });
        }
        events
    }

    /// The clock at `now`: stage, open time elapsed, remaining, percent, deadline. Fails
    /// only when the registry lacks the window's calendar.
    pub fn status(
        &self,
        now: DateTime<Utc>,
        calendars: &Calendars,
    ) -> Result<ClockStatus, ClockRejection> {
        let mut elapsed = self.consumed;
        if let (Some(since), Some(window)) = (self.running_since, &self.window) {
            elapsed += calendar(calendars, window)?.elapsed(since, now);
        }
        let window = self.window.as_ref().map(WindowSpec::window);
        let percent = window.map(|w| {
            let p = elapsed.num_milliseconds().saturating_mul(100) / w.num_milliseconds().max(1);
            u32::try_from(p.max(0)).unwrap_or(u32::MAX)
        });
        Ok(ClockStatus {
            stage: self.stage,
            elapsed,
            remaining: window.map(|w| w - elapsed),
            percent,
            deadline: self.deadline,
        })
    }

    /// Folds one event into the clock (the *evolve* step); never fails, never computes.
    pub fn apply(&mut self, event: &ClockEvent) {
        let at = match event {
            ClockEvent::Started {
                at,
                window,
                deadline,
                warnings,
            } => {
                self.started(*at, window, *deadline, warnings);
                *at
            }
            ClockEvent::Paused { at, consumed } => {
                self.stage = ClockStage::Paused;
                self.consumed = *consumed;
                self.running_since = None;
                self.deadline = None;
                self.pending.clear();
                *at
            }
            ClockEvent::Resumed {
                at,
                deadline,
                warnings,
            } => {
                self.stage = ClockStage::Running;
                self.running_since = Some(*at);
                self.deadline = Some(*deadline);
                self.pending.clone_from(warnings);
                *at
            }
            ClockEvent::WindowChanged {
                at,
                window,
                consumed,
                deadline,
                warnings,
            } => {
                self.window = Some(window.clone());
                self.consumed = *consumed;
                if self.stage == ClockStage::Running {
                    self.running_since = Some(*at);
                }
                self.deadline = *deadline;
                self.pending.clone_from(warnings);
                *at
            }
            ClockEvent::WarningReached { at, percent } => {
                self.warned.push(*percent);
                self.pending.retain(|w| w.percent != *percent);
                *at
            }
            ClockEvent::Breached { at } => {
                self.stage = ClockStage::Breached;
                self.breached_at = Some(*at);
                self.pending.clear();
                *at
            }
            ClockEvent::Stopped { at, consumed, met } => {
                self.stage = if *met {
                    ClockStage::Met
                } else {
                    ClockStage::Breached
                };
                self.end(*consumed);
                *at
            }
            ClockEvent::Cancelled { at, consumed } => {
                self.stage = ClockStage::Cancelled;
                self.end(*consumed);
                *at
            }
        };
        self.seen(at);
    }

    /// Starts counting `window` at `at` (the fold of a start; the caller records `at` as
    /// seen).
    fn started(
        &mut self,
        at: DateTime<Utc>,
        window: &WindowSpec,
        deadline: DateTime<Utc>,
        warnings: &[WarningDue],
    ) {
        self.stage = ClockStage::Running;
        self.window = Some(window.clone());
        self.consumed = TimeDelta::zero();
        self.running_since = Some(at);
        self.deadline = Some(deadline);
        self.pending.clear();
        self.pending.extend_from_slice(warnings);
    }

    /// Records `at` as the latest instant the clock has seen.
    fn seen(&mut self, at: DateTime<Utc>) {
        self.last_at = Some(self.last_at.map_or(at, |last| last.max(at)));
    }

    fn end(&mut self, consumed: TimeDelta) {
        self.consumed = consumed;
        self.running_since = None;
        self.pending.clear();
        self.stopped = true;
    }

    /// Running or paused, i.e. timers may be pending.
    fn is_open(&self) -> bool {
        matches!(self.stage, ClockStage::Running | ClockStage::Paused)
    }
}

fn calendar<'a>(
    calendars: &'a Calendars,
    window: &WindowSpec,
) -> Result<&'a Calendar, ClockRejection> {
    calendars
        .get(&window.calendar)
        .ok_or_else(|| ClockRejection::UnknownCalendar(window.calendar.clone()))
}
