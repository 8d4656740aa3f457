//! Commands on an incident: lifecycle transitions, call-off approvals and amendments,
//! time entries. Each route translates `{action}` and its body into ONE core
//! `IncidentCommand`; `If-Match` is checked by the writer atomically with the command.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use digisos_core::ids::{LotId, RoleId};
use digisos_core::incident::{Estimate, IncidentCommand as C, TimeEntryNo};
use digisos_core::programme::Command;
use digisos_core::sla::Severity;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{Api, OptionalJson, incident_headers, incident_id, who};
use crate::auth::Caller;
use crate::etag::IfMatch;
use crate::json::ApiJson;
use crate::problem::{ApiError, Problem};
use crate::views::{IncidentView, TimeEntryList, TimeEntryView};

macro_rules! path_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, ToSchema)]
        pub enum $name { $(#[doc = $text] #[serde(rename = $text)] $variant),* }
        impl $name {
            /// Every value, in documentation order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            /// The path segment.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),* }
            }
            /// Parses a path segment; an unknown one is a missing route (404).
            pub fn parse(text: &str) -> Result<Self, ApiError> {
                Self::ALL.iter().copied().find(|a| a.as_str() == text).ok_or(ApiError::NotFound)
            }
        }
    };
}

path_enum!(
    /// A lifecycle transition of `POST /v1/incidents/{id}/{action}`.
    Transition {
        Triage = "triage", Reject = "reject", Dispatch = "dispatch", Accept = "accept",
        Decline = "decline", FirstContact = "first-contact", RemoteStart = "remote-start",
        OnSite = "on-site", Wait = "wait", Resume = "resume", Contain = "contain",
        Recover = "recover", Close = "close", Withdraw = "withdraw", Cancel = "cancel",
    }
);

path_enum!(
    /// A call-off decision of `POST /v1/incidents/{id}/call-off/{action}`.
    CallOffAction {
        Approve = "approve", Refuse = "refuse", Amend = "amend",
        ApproveAmendment = "approve-amendment", RefuseAmendment = "refuse-amendment",
    }
);

path_enum!(
    /// A review of `POST /v1/incidents/{id}/time-entries/{n}/{action}`.
    TimeEntryAction { Approve = "approve", Dispute = "dispute", Reverse = "reverse" }
);

/// The parameters of an action; which members are required depends on the action, and
/// members the action does not take are rejected.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionBody {
    /// Why (decline, wait, withdraw, cancel, refuse, amend, dispute, reverse).
    reason: Option<String>,
    /// Reasons of a rejection at triage.
    reasons: Option<Vec<String>>,
    /// Severity (triage): `low`, `medium`, `high`, `critical`.
    #[schema(value_type = Option<String>)]
    severity: Option<Severity>,
    /// Lot (triage).
    #[schema(value_type = Option<String>)]
    lot: Option<LotId>,
    /// Reservation (dispatch, amend): `{"person_days": "3"}` or `{"amount": "12000.00"}`.
    #[schema(value_type = Option<Object>)]
    estimate: Option<Estimate>,
    /// Reference of the final report (close).
    final_report_ref: Option<String>,
}

impl ActionBody {
    fn present(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        for (name, set) in [
            ("reason", self.reason.is_some()),
            ("reasons", self.reasons.is_some()),
            ("severity", self.severity.is_some()),
            ("lot", self.lot.is_some()),
            ("estimate", self.estimate.is_some()),
            ("final_report_ref", self.final_report_ref.is_some()),
        ] {
            if set {
                out.push(name);
            }
        }
        out
    }

    /// Fails with 422 if a member outside `allowed` was sent.
    fn only(&self, allowed: &[&str], action: &str) -> Result<(), ApiError> {
        match self.present().into_iter().find(|f| !allowed.contains(f)) {
            Some(field) => Err(invalid(
                field,
                format!("`{field}` is not a parameter of {action}"),
            )),
            None => Ok(()),
        }
    }
}

fn invalid(field: &str, detail: String) -> ApiError {
    ApiError::InvalidBody {
        detail,
        pointer: format!("/{field}"),
        line: 1,
        column: 1,
    }
}

fn required<T>(value: Option<T>, field: &str, action: &str) -> Result<T, ApiError> {
    value.ok_or_else(|| {
        invalid(
            field,
            format!("missing field `{field}` required by {action}"),
        )
    })
}

fn transition_command(action: Transition, b: ActionBody) -> Result<C, ApiError> {
    use Transition as T;
    let name = action.as_str();
    let allowed: &[&str] = match action {
        T::Triage => &["severity", "lot"],
        T::Reject => &["reasons"],
        T::Dispatch => &["estimate"],
        T::Decline | T::Wait | T::Withdraw | T::Cancel => &["reason"],
        T::Close => &["final_report_ref"],
        T::Accept
        | T::FirstContact
        | T::RemoteStart
        | T::OnSite
        | T::Resume
        | T::Contain
        | T::Recover => &[],
    };
    b.only(allowed, name)?;
    Ok(match action {
        T::Triage => C::Triage {
            severity: required(b.severity, "severity", name)?,
            lot: required(b.lot, "lot", name)?,
        },
        T::Reject => C::Reject {
            reasons: required(b.reasons, "reasons", name)?,
        },
        T::Dispatch => C::Dispatch {
            estimate: required(b.estimate, "estimate", name)?,
        },
        T::Accept => C::Accept,
        T::Decline => C::Decline {
            reason: required(b.reason, "reason", name)?,
        },
        T::FirstContact => C::RecordFirstContact,
        T::RemoteStart => C::RecordRemoteStart,
        T::OnSite => C::RecordOnSiteArrival,
        T::Wait => C::WaitForBody {
            reason: required(b.reason, "reason", name)?,
        },
        T::Resume => C::ResumeFromBody,
        T::Contain => C::Contain,
        T::Recover => C::Recover,
        T::Close => C::Close {
            final_report_ref: required(b.final_report_ref, "final_report_ref", name)?,
        },
        T::Withdraw => C::Withdraw {
            reason: required(b.reason, "reason", name)?,
        },
        T::Cancel => C::Cancel {
            reason: required(b.reason, "reason", name)?,
        },
    })
}

fn call_off_command(action: CallOffAction, b: ActionBody) -> Result<C, ApiError> {
    use CallOffAction as A;
    let name = action.as_str();
    let allowed: &[&str] = match action {
        A::Approve | A::ApproveAmendment => &[],
        A::Refuse | A::RefuseAmendment => &["reason"],
        A::Amend => &["estimate", "reason"],
    };
    b.only(allowed, name)?;
    Ok(match action {
        A::Approve => C::ApproveReservation,
        A::Refuse => C::RefuseReservation {
            reason: required(b.reason, "reason", name)?,
        },
        A::Amend => C::Amend {
            estimate: required(b.estimate, "estimate", name)?,
            reason: required(b.reason, "reason", name)?,
        },
        A::ApproveAmendment => C::ApproveAmendment,
        A::RefuseAmendment => C::RefuseAmendment {
            reason: required(b.reason, "reason", name)?,
        },
    })
}

fn review_command(
    action: TimeEntryAction,
    entry: TimeEntryNo,
    b: ActionBody,
) -> Result<C, ApiError> {
    use TimeEntryAction as A;
    let name = action.as_str();
    b.only(
        if action == A::Approve {
            &[]
        } else {
            &["reason"]
        },
        name,
    )?;
    Ok(match action {
        A::Approve => C::ApproveTimeEntry { entry },
        A::Dispute => C::DisputeTimeEntry {
            entry,
            reason: required(b.reason, "reason", name)?,
        },
        A::Reverse => C::ReverseTimeEntry {
            entry,
            reason: required(b.reason, "reason", name)?,
        },
    })
}

/// Sends `command` on incident `id` to the writer under the `If-Match` precondition and
/// answers with the incident after the commit (and its new `ETag`).
pub(super) async fn run(
    state: &Api,
    caller: &Caller,
    id: &str,
    if_match: IfMatch,
    command: C,
) -> Result<(HeaderMap, ApiJson<IncidentView>), ApiError> {
    let by = who(&caller.0)?;
    let id = incident_id(id)?;
    let precondition = Some((id.clone(), if_match));
    state
        .service
        .execute(
            Command::Incident {
                id: id.clone(),
                command,
            },
            by.clone(),
            precondition,
        )
        .await?;
    let read = state.service.read();
    let incident = read
        .programme()
        .incident_for(&id, &by)
        .ok_or(ApiError::NotFound)?;
    Ok((
        incident_headers(incident.version, None),
        ApiJson(IncidentView::from(incident)),
    ))
}

/// Moves the incident along its lifecycle. Send `If-Match: "v<n>"` to act only on the
/// version you read (412 otherwise).
#[utoipa::path(post, path = "/v1/incidents/{id}/{action}", tag = "incidents",
    request_body(content = ActionBody, description = "Parameters of the action; may be empty for actions without any"),
    params(("id" = String, Path, description = "INC-000042"),
        ("action" = Transition, Path, description = "The transition"),
        ("If-Match" = Option<String>, Header, description = "Entity tag of the version you read")),
    security(("bearer" = [])),
    responses((status = 200, description = "The incident after the transition", body = IncidentView),
        (status = 404, description = "Missing or not visible to the caller", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not allowed in the current state, or a limit", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match", body = Problem, content_type = "application/problem+json")))]
pub async fn transition(
    State(state): State<Api>,
    caller: Caller,
    Path((id, action)): Path<(String, String)>,
    if_match: IfMatch,
    OptionalJson(body): OptionalJson<ActionBody>,
) -> Result<(HeaderMap, ApiJson<IncidentView>), ApiError> {
    let command = transition_command(Transition::parse(&action)?, body)?;
    run(&state, &caller, &id, if_match, command).await
}

/// Decides on the call-off's reservation: approve or refuse it, amend it, approve or
/// refuse an amendment.
#[utoipa::path(post, path = "/v1/incidents/{id}/call-off/{action}", tag = "call-offs",
    request_body(content = ActionBody, description = "Parameters of the action; may be empty for approvals"),
    params(("id" = String, Path, description = "INC-000042"),
        ("action" = CallOffAction, Path, description = "The decision"),
        ("If-Match" = Option<String>, Header, description = "Entity tag of the version you read")),
    security(("bearer" = [])),
    responses((status = 200, description = "The incident after the decision", body = IncidentView),
        (status = 409, description = "A limit would be exceeded, or nothing awaits approval", body = Problem, content_type = "application/problem+json")))]
pub async fn call_off(
    State(state): State<Api>,
    caller: Caller,
    Path((id, action)): Path<(String, String)>,
    if_match: IfMatch,
    OptionalJson(body): OptionalJson<ActionBody>,
) -> Result<(HeaderMap, ApiJson<IncidentView>), ApiError> {
    let command = call_off_command(CallOffAction::parse(&action)?, body)?;
    run(&state, &caller, &id, if_match, command).await
}

/// `POST /v1/incidents/{id}/time-entries` body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeEntryRequest {
    /// Rate-card role that worked.
    #[schema(value_type = String)]
    role: RoleId,
    /// Start (RFC 3339).
    #[schema(value_type = String, format = DateTime)]
    start: DateTime<Utc>,
    /// End (RFC 3339), after the start.
    #[schema(value_type = String, format = DateTime)]
    end: DateTime<Utc>,
    /// What was done.
    description: String,
}

/// Submits worked time (the provider holding the call-off); priced at submission.
#[utoipa::path(post, path = "/v1/incidents/{id}/time-entries", tag = "time-entries", request_body = TimeEntryRequest,
    params(("id" = String, Path, description = "INC-000042")), security(("bearer" = [])),
    responses((status = 201, description = "The incident with the new entry", body = IncidentView),
        (status = 409, description = "No accepted call-off", body = Problem, content_type = "application/problem+json")))]
pub async fn submit_time_entry(
    State(state): State<Api>,
    caller: Caller,
    Path(id): Path<String>,
    if_match: IfMatch,
    ApiJson(req): ApiJson<TimeEntryRequest>,
) -> Result<(StatusCode, HeaderMap, ApiJson<IncidentView>), ApiError> {
    let command = C::SubmitTimeEntry {
        role: req.role,
        start: req.start,
        end: req.end,
        description: req.description,
    };
    let (headers, body) = run(&state, &caller, &id, if_match, command).await?;
    Ok((StatusCode::CREATED, headers, body))
}

/// The time entries of the incident.
#[utoipa::path(get, path = "/v1/incidents/{id}/time-entries", tag = "time-entries",
    params(("id" = String, Path, description = "INC-000042")), security(("bearer" = [])),
    responses((status = 200, description = "Entries by number", body = TimeEntryList),
        (status = 404, description = "Missing or not visible to the caller", body = Problem, content_type = "application/problem+json")))]
pub async fn time_entries(
    State(state): State<Api>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<ApiJson<TimeEntryList>, ApiError> {
    let by = who(&caller.0)?;
    let id = incident_id(&id)?;
    let read = state.service.read();
    let incident = read
        .programme()
        .incident_for(&id, &by)
        .ok_or(ApiError::NotFound)?;
    Ok(ApiJson(TimeEntryList {
        items: incident
            .time_entries
            .values()
            .map(TimeEntryView::from)
            .collect(),
    }))
}

/// Approves (posts), disputes or reverses a time entry.
#[utoipa::path(post, path = "/v1/incidents/{id}/time-entries/{n}/{action}", tag = "time-entries",
    request_body(content = ActionBody, description = "`reason` for dispute and reverse; empty for approve"),
    params(("id" = String, Path, description = "INC-000042"),
        ("n" = u32, Path, description = "Entry number"),
        ("action" = TimeEntryAction, Path, description = "The review"),
        ("If-Match" = Option<String>, Header, description = "Entity tag of the version you read")),
    security(("bearer" = [])),
    responses((status = 200, description = "The incident after the review", body = IncidentView),
        (status = 409, description = "Entry in the wrong state, or posting exceeds the reservation", body = Problem, content_type = "application/problem+json")))]
pub async fn review_time_entry(
    State(state): State<Api>,
    caller: Caller,
    Path((id, n, action)): Path<(String, String, String)>,
    if_match: IfMatch,
    OptionalJson(body): OptionalJson<ActionBody>,
) -> Result<(HeaderMap, ApiJson<IncidentView>), ApiError> {
    let entry = TimeEntryNo(n.parse().map_err(|_| ApiError::NotFound)?);
    let command = review_command(TimeEntryAction::parse(&action)?, entry, body)?;
    run(&state, &caller, &id, if_match, command).await
}
