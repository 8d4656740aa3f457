//! Why the body's record of a submitted report is refused.

use super::DutyKind;
use chrono::{DateTime, Utc};

/// Why a submission cannot be recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DutyRejection {
    /// The duty does not apply (NIS2 class none, or no personal data affected).
    #[error(
        "the {kind} duty does not apply to this incident (check the NIS2 class and personal data)"
    )]
    NotApplicable {
        /// The duty asked for.
        kind: DutyKind,
    },
    /// The duty was submitted before; corrections are not a second submission.
    #[error("the {kind} duty was already submitted at {at}")]
    AlreadySubmitted {
        /// The duty asked for.
        kind: DutyKind,
        /// When it was submitted.
        at: DateTime<Utc>,
    },
    /// The submission is dated before the body became aware of the incident.
    #[error("the {kind} submission at {at} is before the time of awareness {awareness}")]
    BeforeAwareness {
        /// The duty asked for.
        kind: DutyKind,
        /// The submission time given.
        at: DateTime<Utc>,
        /// The time of awareness.
        awareness: DateTime<Utc>,
    },
    /// A final report before the incident notification was recorded.
    #[error("record the NIS2 incident notification before the final report")]
    NotificationMissing,
    /// A final report dated before the notification it follows.
    #[error("the final report at {at} is before the incident notification at {notified_at}")]
    BeforeNotification {
        /// The submission time given.
        at: DateTime<Utc>,
        /// When the notification was submitted.
        notified_at: DateTime<Utc>,
    },
    /// The reference is empty or blank.
    #[error("give the reference of the submitted report")]
    MissingReference,
    /// The deadline would fall outside the supported date range.
    #[error("submission time {at} is out of the supported date range")]
    OutOfRange {
        /// The submission time given.
        at: DateTime<Utc>,
    },
}
