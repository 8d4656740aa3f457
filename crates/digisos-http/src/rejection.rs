//! THE mapping table from core rejections ([`Rejection`], and [`OcdsError`] of the OCDS
//! export) to problem types: one [`DomainProblem`] impl each, so that no handler ever
//! decides a status code.
//!
//! A caller that may not see an incident gets the core's `NotFound` (404) — the same
//! answer as for an incident that does not exist — so a body never learns that a foreign
//! incident exists. A wrong role on a visible incident is 403.

use axum::http::StatusCode;
use digisos_core::incident::IncidentRejection as I;
use digisos_core::ledger::LedgerRejection as L;
use digisos_core::programme::Rejection;
use digisos_core::reports::ocds::OcdsError;
use digisos_core::validation::Problem;
use serde_json::{Map, Value, json};

use crate::problem::DomainProblem;

const CONFLICT: StatusCode = StatusCode::CONFLICT;
const INVALID: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;

impl DomainProblem for Rejection {
    fn status(&self) -> StatusCode {
        row(self).0
    }

    fn slug(&self) -> &'static str {
        row(self).1
    }

    fn title(&self) -> &'static str {
        row(self).2
    }

    fn extra(&self) -> Map<String, Value> {
        let value = match self {
            Rejection::InvalidContract(p) | Rejection::InvalidImport(p) => {
                json!({ "problems": problems(p) })
            }
            Rejection::TokenExists(id)
            | Rejection::UnknownToken(id)
            | Rejection::TokenRevoked(id) => {
                json!({ "token_id": id })
            }
            Rejection::Incident(I::Illegal(t)) => {
                json!({ "state": t.from, "action": t.action.to_string() })
            }
            Rejection::Incident(I::InState(s)) => json!({ "state": s }),
            Rejection::Incident(I::Empty(field)) => json!({ "field": field }),
            Rejection::Incident(I::EntryState { entry, state, .. }) => {
                json!({ "entry": entry, "entry_state": state })
            }
            Rejection::Incident(I::UnknownEntry(entry)) => json!({ "entry": entry }),
            Rejection::Incident(I::Ledger(L::LimitExceeded {
                limit,
                limit_amount,
                requested,
                remaining,
                exceeded,
            })) => json!({
                "limit_key": limit,
                "limit": limit_amount,
                "requested": requested,
                "remaining": remaining,
                "exceeded": exceeded,
            }),
            _ => json!({}),
        };
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }
}

fn problems(p: &[Problem]) -> Vec<Value> {
    p.iter()
        .map(|p| json!({ "path": p.path, "message": p.message }))
        .collect()
}

/// `(status, slug, title)` of every rejection.
fn row(r: &Rejection) -> (StatusCode, &'static str, &'static str) {
    match r {
        Rejection::Forbidden { .. } | Rejection::Incident(I::Forbidden { .. }) => {
            (StatusCode::FORBIDDEN, "forbidden", "Forbidden")
        }
        Rejection::InvalidContract(_) => (INVALID, "invalid-contract", "Invalid contract"),
        Rejection::InvalidImport(_) => (INVALID, "invalid-import", "Invalid register import"),
        Rejection::TokenExists(_) => (CONFLICT, "token-exists", "Token exists"),
        Rejection::UnknownToken(_) => (StatusCode::NOT_FOUND, "not-found", "Not found"),
        Rejection::TokenRevoked(_) => (CONFLICT, "token-revoked", "Token already revoked"),
        Rejection::Incident(i) => incident_row(i),
    }
}

fn incident_row(r: &I) -> (StatusCode, &'static str, &'static str) {
    match r {
        I::Forbidden { .. } => (StatusCode::FORBIDDEN, "forbidden", "Forbidden"),
        I::Illegal(_) | I::InState(_) => (
            CONFLICT,
            "illegal-transition",
            "Not allowed in the current state",
        ),
        I::AlreadyReported => (CONFLICT, "already-reported", "Incident already reported"),
        I::NotFound => (StatusCode::NOT_FOUND, "not-found", "Not found"),
        I::UnknownBody(_) => (INVALID, "unknown-body", "Body not in the register"),
        I::AwarenessInFuture { .. } => {
            (INVALID, "awareness-in-future", "Awareness after the report")
        }
        I::Empty(_) => (INVALID, "empty-field", "Required text is empty"),
        I::NoContract => (CONFLICT, "no-contract", "No contract in force"),
        I::OutsideTerm(_) => (
            CONFLICT,
            "outside-contract-term",
            "Outside the contract term",
        ),
        I::UnknownLot(_) => (INVALID, "unknown-lot", "Unknown lot"),
        I::LotNotForRegion { .. } => (
            INVALID,
            "lot-not-for-region",
            "Lot does not serve the region",
        ),
        I::NoSlaForSeverity { .. } => (INVALID, "no-sla-for-severity", "No SLA for the severity"),
        I::BadEstimate(_) => (INVALID, "bad-estimate", "Estimate cannot be priced"),
        I::AwaitingApproval => (
            CONFLICT,
            "awaiting-approval",
            "Awaiting the coordinator's approval",
        ),
        I::AlreadyRecorded(_) => (CONFLICT, "already-recorded", "Already recorded"),
        I::NoOnSite => (CONFLICT, "no-on-site", "On-site help not requested"),
        I::UnknownRole(_) => (INVALID, "unknown-role", "Role not on the rate card"),
        I::NoAcceptedCallOff => (CONFLICT, "no-accepted-call-off", "No accepted call-off"),
        I::UnknownEntry(_) => (StatusCode::NOT_FOUND, "not-found", "Not found"),
        I::EntryState { .. } => (
            CONFLICT,
            "time-entry-state",
            "Time entry in the wrong state",
        ),
        I::OpenTimeEntries(_) => (CONFLICT, "open-time-entries", "Time entries still open"),
        I::NotYourCallOff(_) => (
            CONFLICT,
            "call-off-moved-on",
            "Call-off is with another provider",
        ),
        I::Pricing(_) => (INVALID, "invalid-time-entry", "Time entry cannot be priced"),
        I::Ledger(l) => ledger_row(l),
        I::Clock(_) => (CONFLICT, "sla-clock", "SLA clock refused"),
        I::Duty(_) => (CONFLICT, "reporting-duty", "Reporting duty refused"),
    }
}

fn ledger_row(r: &L) -> (StatusCode, &'static str, &'static str) {
    match r {
        L::LimitExceeded { .. } => (
            CONFLICT,
            "call-off-limit-exceeded",
            "Call-off limit exceeded",
        ),
        L::FrameworkExhausted => (
            CONFLICT,
            "framework-exhausted",
            "Framework contract exhausted",
        ),
        L::PersonDaysExceeded { .. } => (
            CONFLICT,
            "call-off-limit-exceeded",
            "Call-off limit exceeded",
        ),
        L::PostingExceedsReservation { .. } => (
            CONFLICT,
            "posting-exceeds-reservation",
            "Posting exceeds the reservation",
        ),
        L::NegativePersonDays(_) | L::ZeroAmount | L::NotWholeCents(_) | L::Overflow => {
            (INVALID, "invalid-amount", "Invalid amount")
        }
        L::AwaitingApproval(_) | L::NotAwaitingApproval(_) | L::AmendmentPending(_) => (
            CONFLICT,
            "approval-state",
            "Approval state does not allow this",
        ),
        L::UnknownCallOff(_)
        | L::CallOffExists(_)
        | L::AlreadyResolved(_)
        | L::AmendBelowPosted { .. }
        | L::EmptyBody
        | L::InvalidYear(_)
        | L::EntryAlreadyPosted { .. }
        | L::UnknownEntry { .. }
        | L::AlreadyReversed { .. } => (CONFLICT, "ledger-conflict", "Ledger refused"),
    }
}

/// The OCDS export: a bad ocid prefix is a bad query parameter (400); without an
/// adopted contract there is nothing to publish (409, like a call-off without one).
impl DomainProblem for OcdsError {
    fn status(&self) -> StatusCode {
        match self {
            OcdsError::InvalidPrefix(_) => StatusCode::BAD_REQUEST,
            OcdsError::NoContract => CONFLICT,
        }
    }

    fn slug(&self) -> &'static str {
        match self {
            OcdsError::InvalidPrefix(_) => "invalid-ocid-prefix",
            OcdsError::NoContract => "no-contract",
        }
    }

    fn title(&self) -> &'static str {
        match self {
            OcdsError::InvalidPrefix(_) => "Invalid ocid prefix",
            OcdsError::NoContract => "No contract in force",
        }
    }

    fn extra(&self) -> Map<String, Value> {
        let mut map = Map::new();
        if let OcdsError::InvalidPrefix(prefix) = self {
            map.insert("ocid_prefix".to_owned(), json!(prefix));
        }
        map
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use digisos_core::incident::IncidentState;
    use digisos_core::incident::state::{Action, IllegalTransition};

    #[test]
    fn foreign_and_missing_incidents_look_the_same() {
        let r = Rejection::Incident(I::NotFound);
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        assert_eq!(r.slug(), "not-found");
    }

    #[test]
    fn illegal_transition_names_the_state() {
        let r = Rejection::Incident(I::Illegal(IllegalTransition {
            from: IncidentState::Closed,
            action: Action::Accept,
        }));
        assert_eq!(r.slug(), "illegal-transition");
        assert_eq!(r.extra()["state"], "closed");
    }

    #[test]
    fn ocds_errors_name_the_prefix_or_the_missing_contract() {
        let bad = OcdsError::InvalidPrefix("ocds-1".into());
        assert_eq!(
            (bad.status(), bad.slug()),
            (StatusCode::BAD_REQUEST, "invalid-ocid-prefix")
        );
        assert_eq!(bad.extra()["ocid_prefix"], "ocds-1");
        let none = OcdsError::NoContract;
        assert_eq!((none.status(), none.slug()), (CONFLICT, "no-contract"));
        assert!(none.extra().is_empty());
    }

    #[test]
    fn invalid_contract_lists_every_problem() {
        let r = Rejection::InvalidContract(vec![
            Problem::new("lots[0].id", "empty"),
            Problem::new("term", "too long"),
        ]);
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.extra()["problems"].as_array().map(Vec::len), Some(2));
    }
}
