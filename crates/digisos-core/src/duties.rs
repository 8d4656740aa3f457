//! Reporting duties (*Meldepflichten*) of the affected body, as deadlines from the moment
//! it became aware of the incident (*Kenntniserlangung*).
//!
//! - NIS2, Directive (EU) 2022/2555 Art. 23(4), transposed by § 32 (1) BSIG (NIS2UmsuCG),
//!   for important and essential entities only: early warning (*frühe Erstmeldung*) within
//!   24 hours of awareness (Art. 23(4)(a), § 32 (1) Nr. 1 BSIG), incident notification
//!   (*Meldung*) within 72 hours of awareness (Art. 23(4)(b), § 32 (1) Nr. 2 BSIG), final
//!   report (*Abschlussmeldung*) at the latest one month after the notification was
//!   submitted (Art. 23(4)(d), § 32 (1) Nr. 4 BSIG) — so that deadline only exists once
//!   the notification is recorded ([`month::one_month_after`]).
//! - GDPR, Regulation (EU) 2016/679 Art. 33(1): notify the supervisory authority within
//!   72 hours of awareness when personal data is affected.
//!
//! Municipal administrations are mostly outside NIS2 (the federal law excludes them);
//! a body with [`Nis2Class::None`] and no personal data affected has no duties at all.
//!
//! Deadlines are inclusive: a submission at the deadline instant is in time; a duty is
//! overdue from the first instant after it. Like the rest of the core this is
//! decide/evolve: [`Duties::record_submission`] and [`Duties::handle_timeout`] only return
//! events, [`Duties::apply`] folds them in.

pub mod month;
mod rejection;

pub use rejection::DutyRejection;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

/// Whether and how the body falls under NIS2 (§ 28 BSIG: *besonders wichtige* /
/// *wichtige Einrichtungen*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Nis2Class {
    /// Not in scope of NIS2 (e.g. a municipal administration).
    #[default]
    None,
    /// Important entity (*wichtige Einrichtung*).
    Important,
    /// Essential entity (*besonders wichtige Einrichtung*).
    Essential,
}

/// One reporting duty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DutyKind {
    /// NIS2 early warning, 24 h after awareness.
    Nis2EarlyWarning,
    /// NIS2 incident notification, 72 h after awareness.
    Nis2Notification,
    /// NIS2 final report, one month after the notification was submitted.
    Nis2FinalReport,
    /// GDPR Art. 33 notification of a personal data breach, 72 h after awareness.
    GdprNotification,
}

impl DutyKind {
    /// A human name for messages (`NIS2 early warning`, …).
    pub fn label(self) -> &'static str {
        match self {
            DutyKind::Nis2EarlyWarning => "NIS2 early warning",
            DutyKind::Nis2Notification => "NIS2 incident notification",
            DutyKind::Nis2FinalReport => "NIS2 final report",
            DutyKind::GdprNotification => "GDPR breach notification",
        }
    }
}

impl std::fmt::Display for DutyKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// Something that happened to a duty; applied with [`Duties::apply`]. Tagged `duty`
/// (not `type`) so that it nests inside the incident's own `type`-tagged events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "duty", rename_all = "snake_case")]
pub enum DutyEvent {
    /// The body recorded that it submitted the report at `at` under `reference`.
    Submitted {
        /// Which duty.
        kind: DutyKind,
        /// When the report was submitted to the authority.
        at: DateTime<Utc>,
        /// The authority's or the body's reference for the report.
        reference: String,
        /// Whether it was submitted after the deadline.
        late: bool,
    },
    /// A deadline came into existence (the final report's, once the notification is in).
    Scheduled {
        /// Which duty.
        kind: DutyKind,
        /// The deadline, computed once and recorded.
        due: DateTime<Utc>,
    },
    /// The deadline passed without a submission (raised once per duty by the timer).
    Overdue {
        /// Which duty.
        kind: DutyKind,
        /// The deadline that passed.
        due: DateTime<Utc>,
    },
}

/// Where a duty stands at a given time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DutyState {
    /// Not submitted, deadline not passed (or not yet known).
    Open,
    /// Submitted at or before the deadline.
    Submitted,
    /// Submitted after the deadline.
    SubmittedLate,
    /// Not submitted and the deadline passed.
    Overdue,
}

/// One row of [`Duties::status`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DutyStatus {
    /// Which duty.
    pub kind: DutyKind,
    /// The deadline, if it exists yet.
    pub due: Option<DateTime<Utc>>,
    /// When it was submitted, if it was.
    pub submitted_at: Option<DateTime<Utc>>,
    /// Open, submitted, submitted late or overdue.
    pub state: DutyState,
}

/// The reporting duties of one incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Duties {
    #[serde(with = "crate::wire::instant")]
    awareness: DateTime<Utc>,
    duties: Vec<Duty>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Duty {
    kind: DutyKind,
    #[serde(with = "crate::wire::instant_opt")]
    due: Option<DateTime<Utc>>,
    #[serde(with = "submission")]
    submitted: Option<(DateTime<Utc>, String)>,
    overdue_recorded: bool,
}

/// Serde for a duty's submission `(at, reference)` with the instant in its
/// format-dependent form (see `crate::wire`).
mod submission {
    use crate::wire::Instant;
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(super) fn serialize<S: Serializer>(
        v: &Option<(DateTime<Utc>, String)>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        v.as_ref().map(|(at, r)| (Instant(*at), r)).serialize(s)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<(DateTime<Utc>, String)>, D::Error> {
        Ok(Option::<(Instant, String)>::deserialize(d)?.map(|(at, r)| (at.0, r)))
    }
}

impl Duty {
    fn new(kind: DutyKind, due: Option<DateTime<Utc>>) -> Self {
        Duty {
            kind,
            due,
            submitted: None,
            overdue_recorded: false,
        }
    }

    /// The deadline if the duty is still waiting for its overdue event.
    fn pending_due(&self) -> Option<DateTime<Utc>> {
        match (self.due, &self.submitted, self.overdue_recorded) {
            (Some(due), None, false) => Some(due),
            _ => None,
        }
    }
}

fn hours_after(t: DateTime<Utc>, hours: i64) -> DateTime<Utc> {
    t.checked_add_signed(TimeDelta::hours(hours))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

impl Duties {
    /// The duties of an incident the body became aware of at `awareness`: the three NIS2
    /// duties if `nis2` is important or essential, the GDPR duty if `personal_data`.
    /// Call when the incident is reported; `awareness` is the body's time of awareness.
    pub fn for_incident(awareness: DateTime<Utc>, nis2: Nis2Class, personal_data: bool) -> Self {
        let mut duties = Vec::new();
        if nis2 != Nis2Class::None {
            duties.push(Duty::new(
                DutyKind::Nis2EarlyWarning,
                Some(hours_after(awareness, 24)),
            ));
            duties.push(Duty::new(
                DutyKind::Nis2Notification,
                Some(hours_after(awareness, 72)),
            ));
            duties.push(Duty::new(DutyKind::Nis2FinalReport, None));
        }
        if personal_data {
            duties.push(Duty::new(
                DutyKind::GdprNotification,
                Some(hours_after(awareness, 72)),
            ));
        }
        Duties { awareness, duties }
    }

    /// The time of awareness the deadlines count from.
    pub fn awareness(&self) -> DateTime<Utc> {
        self.awareness
    }

    /// Whether no duty applies (body out of scope, no personal data).
    pub fn is_empty(&self) -> bool {
        self.duties.is_empty()
    }

    /// Decide on the body's record that it submitted `kind` at `at` under `reference`.
    /// Returns the events to apply: `Submitted` (marked late after the deadline) and, for
    /// the NIS2 notification, `Scheduled` with the final report's deadline.
    ///
    /// Fails if the duty does not apply or was already submitted, if `at` is before the
    /// time of awareness, if a final report comes before (or is dated before) the
    /// notification, or if the reference is blank.
    pub fn record_submission(
        &self,
        kind: DutyKind,
        at: DateTime<Utc>,
        reference: &str,
    ) -> Result<Vec<DutyEvent>, DutyRejection> {
        let duty = self
            .get(kind)
            .ok_or(DutyRejection::NotApplicable { kind })?;
        if let Some((done, _)) = &duty.submitted {
            return Err(DutyRejection::AlreadySubmitted { kind, at: *done });
        }
        if at < self.awareness {
            let awareness = self.awareness;
            return Err(DutyRejection::BeforeAwareness {
                kind,
                at,
                awareness,
            });
        }
        if reference.trim().is_empty() {
            return Err(DutyRejection::MissingReference);
        }
        if kind == DutyKind::Nis2FinalReport {
            let notified_at = self
                .get(DutyKind::Nis2Notification)
                .and_then(|n| n.submitted.as_ref())
                .map(|(t, _)| *t)
                .ok_or(DutyRejection::NotificationMissing)?;
            if at < notified_at {
                return Err(DutyRejection::BeforeNotification { at, notified_at });
            }
        }
        let mut events = vec![DutyEvent::Submitted {
            kind,
            at,
            reference: reference.trim().to_owned(),
            late: duty.due.is_some_and(|due| at > due),
        }];
        if kind == DutyKind::Nis2Notification {
            let due = month::one_month_after(at).ok_or(DutyRejection::OutOfRange { at })?;
            events.push(DutyEvent::Scheduled {
                kind: DutyKind::Nis2FinalReport,
                due,
            });
        }
        Ok(events)
    }

    /// When the adapter should call [`Duties::handle_timeout`] next: the first instant
    /// after the earliest deadline still open and not yet reported overdue; `None` if
    /// nothing is pending.
    pub fn next_timeout(&self) -> Option<DateTime<Utc>> {
        self.duties
            .iter()
            .filter_map(Duty::pending_due)
            .min()
            .map(|due| {
                due.checked_add_signed(TimeDelta::nanoseconds(1))
                    .unwrap_or(due)
            })
    }

    /// Decide at `now` which duties became overdue: one `Overdue` event per open duty whose
    /// deadline is before `now` and that was not reported overdue before, in deadline
    /// order — also when `now` jumped past several deadlines at once.
    pub fn handle_timeout(&self, now: DateTime<Utc>) -> Vec<DutyEvent> {
        let mut due: Vec<(DateTime<Utc>, DutyKind)> = self
            .duties
            .iter()
            .filter_map(|d| d.pending_due().map(|due| (due, d.kind)))
            .filter(|(due, _)| *due < now)
            .collect();
        due.sort();
        due.into_iter()
            .map(|(due, kind)| DutyEvent::Overdue { kind, due })
            .collect()
    }

    /// Fold an event in (evolve). Never fails: events for duties that do not apply are
    /// ignored, and a second submission or overdue mark changes nothing.
    pub fn apply(&mut self, event: &DutyEvent) {
        match event {
            DutyEvent::Submitted {
                kind,
                at,
                reference,
                ..
            } => {
                if let Some(d) = self.get_mut(*kind) {
                    d.submitted.get_or_insert((*at, reference.clone()));
                }
            }
            DutyEvent::Scheduled { kind, due } => {
                if let Some(d) = self.get_mut(*kind) {
                    d.due.get_or_insert(*due);
                }
            }
            DutyEvent::Overdue { kind, .. } => {
                if let Some(d) = self.get_mut(*kind) {
                    d.overdue_recorded = true;
                }
            }
        }
    }

    /// Every duty with its deadline, submission and state as of `now`, in a fixed order
    /// (early warning, notification, final report, GDPR).
    pub fn status(&self, now: DateTime<Utc>) -> Vec<DutyStatus> {
        self.duties
            .iter()
            .map(|d| {
                let submitted_at = d.submitted.as_ref().map(|(t, _)| *t);
                let state = match (submitted_at, d.due) {
                    (Some(at), Some(due)) if at > due => DutyState::SubmittedLate,
                    (Some(_), _) => DutyState::Submitted,
                    (None, Some(due)) if d.overdue_recorded || now > due => DutyState::Overdue,
                    (None, _) => DutyState::Open,
                };
                DutyStatus {
                    kind: d.kind,
                    due: d.due,
                    submitted_at,
                    state,
                }
            })
            .collect()
    }

    fn get(&self, kind: DutyKind) -> Option<&Duty> {
        self.duties.iter().find(|d| d.kind == kind)
    }

    fn get_mut(&mut self, kind: DutyKind) -> Option<&mut Duty> {
        self.duties.iter_mut().find(|d| d.kind == kind)
    }
}

#[cfg(test)]
mod tests;
