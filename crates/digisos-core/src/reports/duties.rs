//! Reporting-duty report (*Meldepflichten*): per incident and in total, how many NIS2 and
//! GDPR duties are open, submitted, submitted late or overdue.

use super::utilisation::body_name;
use crate::duties::{DutyState, DutyStatus};
use crate::incident::IncidentId;
use crate::programme::Programme;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Duties by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DutyCounts {
    /// Not submitted, deadline not passed (or not yet known).
    pub open: u32,
    /// Submitted in time.
    pub submitted: u32,
    /// Submitted after the deadline.
    pub submitted_late: u32,
    /// Not submitted and the deadline passed.
    pub overdue: u32,
}

impl DutyCounts {
    fn add(&mut self, state: DutyState) {
        let n = match state {
            DutyState::Open => &mut self.open,
            DutyState::Submitted => &mut self.submitted,
            DutyState::SubmittedLate => &mut self.submitted_late,
            DutyState::Overdue => &mut self.overdue,
        };
        *n = n.saturating_add(1);
    }

    fn add_all(&mut self, other: DutyCounts) {
        self.open = self.open.saturating_add(other.open);
        self.submitted = self.submitted.saturating_add(other.submitted);
        self.submitted_late = self.submitted_late.saturating_add(other.submitted_late);
        self.overdue = self.overdue.saturating_add(other.overdue);
    }
}

/// The duties of one incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentDuties {
    /// The incident.
    pub incident: IncidentId,
    /// The body's register key.
    pub body: String,
    /// The body's name (empty if the register does not know it).
    pub body_name: String,
    /// Counts by state.
    pub counts: DutyCounts,
    /// Every duty with its deadline and state.
    pub duties: Vec<DutyStatus>,
}

/// The reporting-duty report as of `as_of`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DutiesReport {
    /// The instant the report describes.
    pub as_of: DateTime<Utc>,
    /// Incidents that carry at least one duty, in id order.
    pub incidents: Vec<IncidentDuties>,
    /// Counts over all incidents.
    pub total: DutyCounts,
}

/// The state of every reporting duty as of `now` (a duty whose deadline passed counts as
/// overdue even before the timer recorded it). Never fails.
pub fn duties(programme: &Programme, now: DateTime<Utc>) -> DutiesReport {
    let mut total = DutyCounts::default();
    let incidents = programme
        .incidents()
        .values()
        .filter(|i| !i.duties.is_empty())
        .map(|i| {
            let duties = i.duties.status(now);
            let mut counts = DutyCounts::default();
            for d in &duties {
                counts.add(d.state);
            }
            total.add_all(counts);
            IncidentDuties {
                incident: i.id.clone(),
                body: i.body.clone(),
                body_name: body_name(programme, &i.body),
                counts,
                duties,
            }
        })
        .collect();
    DutiesReport {
        as_of: now,
        incidents,
        total,
    }
}
