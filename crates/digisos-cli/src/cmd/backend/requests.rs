//! How each core incident command is sent to the HTTP API: the path below
//! `/v1/incidents/{id}` (segments named by the HTTP crate's own action enums) and the
//! JSON body. A pure translation, tested without a server.

use crate::CliError;
use digisos_core::incident::IncidentCommand as C;
use digisos_http::routes::{CallOffAction, TimeEntryAction, Transition};
use serde_json::{Value, json};

/// The path below `/v1/incidents/{id}` and the body of `command`; exit 2 for a command
/// the API does not take from operators (a report goes to `/v1/incidents` itself).
pub(super) fn request(command: &C) -> Result<(String, Value), CliError> {
    let transition = |t: Transition, body: Value| Ok((t.as_str().to_string(), body));
    let call_off = |a: CallOffAction, body: Value| Ok((format!("call-off/{}", a.as_str()), body));
    let review = |n: u32, a: TimeEntryAction, body: Value| {
        Ok((format!("time-entries/{n}/{}", a.as_str()), body))
    };
    let empty = json!({});
    match command {
        C::Triage { severity, lot } => transition(
            Transition::Triage,
            json!({ "severity": severity, "lot": lot }),
        ),
        C::Reject { reasons } => transition(Transition::Reject, json!({ "reasons": reasons })),
        C::Dispatch { estimate } => {
            transition(Transition::Dispatch, json!({ "estimate": estimate }))
        }
        C::Accept => transition(Transition::Accept, empty),
        C::Decline { reason } => transition(Transition::Decline, json!({ "reason": reason })),
        C::RecordFirstContact => transition(Transition::FirstContact, empty),
        C::RecordRemoteStart => transition(Transition::RemoteStart, empty),
        C::RecordOnSiteArrival => transition(Transition::OnSite, empty),
        C::WaitForBody { reason } => transition(Transition::Wait, json!({ "reason": reason })),
        C::ResumeFromBody => transition(Transition::Resume, empty),
        C::Contain => transition(Transition::Contain, empty),
        C::Recover => transition(Transition::Recover, empty),
        C::Close { final_report_ref } => transition(
            Transition::Close,
            json!({ "final_report_ref": final_report_ref }),
        ),
        C::Withdraw { reason } => transition(Transition::Withdraw, json!({ "reason": reason })),
        C::Cancel { reason } => transition(Transition::Cancel, json!({ "reason": reason })),
        C::ApproveReservation => call_off(CallOffAction::Approve, empty),
        C::RefuseReservation { reason } => {
            call_off(CallOffAction::Refuse, json!({ "reason": reason }))
        }
        C::Amend { estimate, reason } => call_off(
            CallOffAction::Amend,
            json!({ "estimate": estimate, "reason": reason }),
        ),
        C::ApproveAmendment => call_off(CallOffAction::ApproveAmendment, empty),
        C::RefuseAmendment { reason } => {
            call_off(CallOffAction::RefuseAmendment, json!({ "reason": reason }))
        }
        C::SubmitTimeEntry {
            role,
            start,
            end,
            description,
        } => Ok((
            "time-entries".to_string(),
            json!({ "role": role, "start": start, "end": end, "description": description }),
        )),
        C::ApproveTimeEntry { entry } => review(entry.0, TimeEntryAction::Approve, empty),
        C::DisputeTimeEntry { entry, reason } => review(
            entry.0,
            TimeEntryAction::Dispute,
            json!({ "reason": reason }),
        ),
        C::ReverseTimeEntry { entry, reason } => review(
            entry.0,
            TimeEntryAction::Reverse,
            json!({ "reason": reason }),
        ),
        C::RecordDutySubmission {
            kind,
            submitted_at,
            reference,
        } => Ok((
            "duties".to_string(),
            json!({ "kind": kind, "submitted_at": submitted_at, "reference": reference }),
        )),
        C::ReportIncident(_) => Err(CliError::Usage(
            "a report is sent with `digisos incident report`".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use digisos_core::incident::{Estimate, TimeEntryNo};
    use rust_decimal::Decimal;

    #[test]
    fn commands_map_to_the_api_paths_and_bodies() {
        let cases: Vec<(C, &str, Value)> = vec![
            (C::Accept, "accept", json!({})),
            (C::RecordFirstContact, "first-contact", json!({})),
            (C::RecordOnSiteArrival, "on-site", json!({})),
            (
                C::Dispatch {
                    estimate: Estimate::PersonDays(Decimal::from(5)),
                },
                "dispatch",
                json!({ "estimate": { "person_days": "5" } }),
            ),
            (
                C::Close {
                    final_report_ref: "FR-1".into(),
                },
                "close",
                json!({ "final_report_ref": "FR-1" }),
            ),
            (C::ApproveAmendment, "call-off/approve-amendment", json!({})),
            (
                C::DisputeTimeEntry {
                    entry: TimeEntryNo(2),
                    reason: "too long".into(),
                },
                "time-entries/2/dispute",
                json!({ "reason": "too long" }),
            ),
        ];
        for (command, path, body) in cases {
            let (p, b) = request(&command).unwrap();
            assert_eq!((p.as_str(), &b), (path, &body), "{command:?}");
        }
    }
}
