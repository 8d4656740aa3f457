//! One clock's start as recorded among the clocks a dispatch starts together
//! ([`crate::incident::IncidentEventKind::SlaStarted`]): what [`ClockEvent::Started`] holds,
//! plus the window it measures.

use super::{Clock, ClockEvent, ClockRejection, ClockStage, WarningDue, calendar, commands};
use crate::calendar::Calendars;
use crate::sla::policy::{WindowKind, WindowSpec};
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

/// A clock that started counting `window` at `at`, with its deadline and warning instants
/// computed when it started (so a later policy change never rewrites history).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockStart {
    /// Which response window.
    pub window: WindowKind,
    /// Start instant (dispatch, or retroactively the report).
    #[serde(with = "crate::wire::instant")]
    pub at: DateTime<Utc>,
    /// The window's terms in force.
    pub spec: WindowSpec,
    /// When the window runs out.
    #[serde(with = "crate::wire::instant")]
    pub deadline: DateTime<Utc>,
    /// Warning instants ahead.
    pub warnings: Vec<WarningDue>,
}

impl ClockStart {
    /// The same start as a single clock's event.
    pub fn event(&self) -> ClockEvent {
        ClockEvent::Started {
            at: self.at,
            window: self.spec.clone(),
            deadline: self.deadline,
            warnings: self.warnings.clone(),
        }
    }
}

impl Clock {
    /// Plans starting this clock at `at` with `spec` (the *decide* step of a start that is
    /// recorded together with other clocks). Fails when already started or the window's
    /// calendar is unknown.
    pub fn plan_start(
        &self,
        at: DateTime<Utc>,
        spec: &WindowSpec,
        calendars: &Calendars,
    ) -> Result<ClockStart, ClockRejection> {
        if self.stage != ClockStage::Pending {
            return Err(ClockRejection::AlreadyStarted);
        }
        let cal = calendar(calendars, spec)?;
        let (deadline, warnings) = commands::plan(spec, TimeDelta::zero(), at, cal, &[]);
        Ok(ClockStart {
            window: self.kind,
            at,
            spec: spec.clone(),
            deadline,
            warnings,
        })
    }

    /// Folds a recorded start (as [`Clock::apply`] folds [`ClockEvent::Started`]).
    pub fn apply_start(&mut self, start: &ClockStart) {
        self.started(start.at, &start.spec, start.deadline, &start.warnings);
        self.seen(start.at);
    }
}
