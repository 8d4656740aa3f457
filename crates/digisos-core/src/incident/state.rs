//! The incident lifecycle graph (*Vorfall-Lebenszyklus*) as one transition table.
//!
//! `reported → triaged → dispatched → accepted → responding → (on_site) → contained →
//! recovered → closed`, with the side exits `rejected` (at triage), `withdrawn` (by the
//! body before acceptance), `cancelled` (by the coordinator, from any non-terminal state)
//! and `unserved` (the provider cascade ran out; the coordinator may dispatch again).
//! Every legal move is one row of [`TRANSITIONS`]; everything else is an
//! [`IllegalTransition`] naming the current state.

use crate::principal::Role;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Where an incident is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentState {
    /// Reported by the body (or by the coordinator on its behalf); not yet looked at.
    Reported,
    /// Severity and lot chosen; the body was eligible on the report date.
    Triaged,
    /// The call-off (*Abruf*) was issued to a provider who has not yet accepted.
    Dispatched,
    /// The provider accepted the call-off.
    Accepted,
    /// The provider made the first qualified contact.
    Responding,
    /// The provider's people arrived on site (optional stage).
    OnSite,
    /// The incident is contained.
    Contained,
    /// Operations are recovered; waiting for the final report and settlement.
    Recovered,
    /// Closed with the final report; settled (terminal).
    Closed,
    /// Refused at triage: the body was not eligible or it is not an incident (terminal).
    Rejected,
    /// Withdrawn by the body before acceptance (terminal).
    Withdrawn,
    /// Cancelled by the coordinator (terminal).
    Cancelled,
    /// No provider of the lot was left to take the call-off; the coordinator decides.
    Unserved,
}

/// The result of eligibility at triage, as an input to the graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Eligibility {
    /// The body was eligible on the report date and it is an incident.
    Eligible,
    /// The body was not eligible, or it is not an incident.
    Ineligible,
}

/// Whether the provider cascade has another provider after a decline or missed window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cascade {
    /// The lot has another provider: the call-off moves on to it.
    NextProvider,
    /// No provider is left: the incident becomes unserved.
    NoProviderLeft,
}

/// Something that moves an incident through its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Report the incident; creates it in [`IncidentState::INITIAL`], illegal afterwards.
    Report,
    /// Triage with the eligibility outcome.
    Triage(Eligibility),
    /// Issue the call-off to the lot's next provider (also again from `unserved`).
    Dispatch,
    /// The provider accepts the call-off.
    Accept,
    /// The provider declines (with a reason, carried by the command).
    Decline(Cascade),
    /// The acceptance window passed without an answer (timer only).
    MissAcceptance(Cascade),
    /// First qualified contact by the provider.
    RecordFirstContact,
    /// Remote analysis started (a milestone; the state does not change).
    RecordRemoteStart,
    /// The provider's people arrived on site.
    RecordOnSiteArrival,
    /// The incident is contained.
    Contain,
    /// Operations are recovered.
    Recover,
    /// Close with the final report.
    Close,
    /// The body withdraws its report before acceptance.
    Withdraw,
    /// The coordinator cancels.
    Cancel,
}

/// An action that the current state does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action} an incident that is {from}")]
pub struct IllegalTransition {
    /// The state the incident is in.
    pub from: IncidentState,
    /// The action that was refused.
    pub action: Action,
}

use Action as A;
use Cascade::{NextProvider, NoProviderLeft};
use IncidentState as S;

/// The states from which the coordinator may cancel (every non-terminal state).
pub const NON_TERMINAL: &[IncidentState] = &[
    S::Reported,
    S::Triaged,
    S::Dispatched,
    S::Accepted,
    S::Responding,
    S::OnSite,
    S::Contained,
    S::Recovered,
    S::Unserved,
];

/// The lifecycle graph: `(from any of these states, action) → to`. The only source of
/// truth for [`IncidentState::allowed`]; no row starts in a terminal state.
pub const TRANSITIONS: &[(&[IncidentState], Action, IncidentState)] = &[
    (&[S::Reported], A::Triage(Eligibility::Eligible), S::Triaged),
    (
        &[S::Reported],
        A::Triage(Eligibility::Ineligible),
        S::Rejected,
    ),
    (&[S::Triaged, S::Unserved], A::Dispatch, S::Dispatched),
    (&[S::Dispatched], A::Accept, S::Accepted),
    (&[S::Dispatched], A::Decline(NextProvider), S::Dispatched),
    (&[S::Dispatched], A::Decline(NoProviderLeft), S::Unserved),
    (
        &[S::Dispatched],
        A::MissAcceptance(NextProvider),
        S::Dispatched,
    ),
    (
        &[S::Dispatched],
        A::MissAcceptance(NoProviderLeft),
        S::Unserved,
    ),
    (&[S::Accepted], A::RecordFirstContact, S::Responding),
    (&[S::Responding], A::RecordRemoteStart, S::Responding),
    (&[S::OnSite], A::RecordRemoteStart, S::OnSite),
    (&[S::Responding], A::RecordOnSiteArrival, S::OnSite),
    (&[S::Responding, S::OnSite], A::Contain, S::Contained),
    (&[S::Contained], A::Recover, S::Recovered),
    (&[S::Recovered], A::Close, S::Closed),
    (
        &[S::Reported, S::Triaged, S::Dispatched],
        A::Withdraw,
        S::Withdrawn,
    ),
    (NON_TERMINAL, A::Cancel, S::Cancelled),
];

/// The states in which the "waiting for the body" flag may be set (clocks that allow
/// pausing are paused while it is set).
pub const PAUSABLE: &[IncidentState] = &[S::Accepted, S::Responding, S::OnSite, S::Contained];

impl IncidentState {
    /// The state [`Action::Report`] creates.
    pub const INITIAL: IncidentState = IncidentState::Reported;

    /// Every state, in lifecycle order.
    pub const ALL: [IncidentState; 13] = [
        S::Reported,
        S::Triaged,
        S::Dispatched,
        S::Accepted,
        S::Responding,
        S::OnSite,
        S::Contained,
        S::Recovered,
        S::Closed,
        S::Rejected,
        S::Withdrawn,
        S::Cancelled,
        S::Unserved,
    ];

    /// The state after `action`, or [`IllegalTransition`] if the table has no row for
    /// `(self, action)` (e.g. accepting a closed incident, or reporting one again).
    pub fn allowed(self, action: Action) -> Result<IncidentState, IllegalTransition> {
        TRANSITIONS
            .iter()
            .find(|(from, a, _)| *a == action && from.contains(&self))
            .map(|(_, _, to)| *to)
            .ok_or(IllegalTransition { from: self, action })
    }

    /// Closed, rejected, withdrawn and cancelled incidents take no further action.
    pub fn is_terminal(self) -> bool {
        !NON_TERMINAL.contains(&self)
    }

    /// Whether "waiting for the body" may be set or cleared in this state.
    pub fn is_pausable(self) -> bool {
        PAUSABLE.contains(&self)
    }

    /// The state as its serialised name (`on_site`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            S::Reported => "reported",
            S::Triaged => "triaged",
            S::Dispatched => "dispatched",
            S::Accepted => "accepted",
            S::Responding => "responding",
            S::OnSite => "on_site",
            S::Contained => "contained",
            S::Recovered => "recovered",
            S::Closed => "closed",
            S::Rejected => "rejected",
            S::Withdrawn => "withdrawn",
            S::Cancelled => "cancelled",
            S::Unserved => "unserved",
        }
    }
}

impl fmt::Display for IncidentState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Action {
    /// Every action (with every outcome), e.g. for exhaustive tests.
    pub const ALL: [Action; 17] = [
        A::Report,
        A::Triage(Eligibility::Eligible),
        A::Triage(Eligibility::Ineligible),
        A::Dispatch,
        A::Accept,
        A::Decline(NextProvider),
        A::Decline(NoProviderLeft),
        A::MissAcceptance(NextProvider),
        A::MissAcceptance(NoProviderLeft),
        A::RecordFirstContact,
        A::RecordRemoteStart,
        A::RecordOnSiteArrival,
        A::Contain,
        A::Recover,
        A::Close,
        A::Withdraw,
        A::Cancel,
    ];

    /// Whether a principal in `role` may perform this action at all (binding to the
    /// incident's body or provider is checked by [`crate::principal::can_perform`]).
    ///
    /// The coordinator may do everything a principal can do; bodies report and withdraw;
    /// providers accept, decline and record milestones; auditors never act. A missed
    /// acceptance window is raised by the timer only, so no role may perform it.
    pub fn allowed_for(self, role: Role) -> bool {
        if role == Role::Auditor {
            return false;
        }
        match self {
            A::Report | A::Withdraw => matches!(role, Role::Body | Role::Coordinator),
            A::Triage(_) | A::Dispatch | A::Close | A::Cancel => role == Role::Coordinator,
            A::Accept
            | A::Decline(_)
            | A::RecordFirstContact
            | A::RecordRemoteStart
            | A::RecordOnSiteArrival
            | A::Contain
            | A::Recover => matches!(role, Role::Provider | Role::Coordinator),
            A::MissAcceptance(_) => false,
        }
    }

    /// Whether only the timer (`handle_timeout(now)`) raises this action.
    pub fn is_timer_driven(self) -> bool {
        matches!(self, A::MissAcceptance(_))
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cascade = |c: &Cascade| match c {
            NextProvider => "with a provider left",
            NoProviderLeft => "with no provider left",
        };
        match self {
            A::Report => f.write_str("report"),
            A::Triage(Eligibility::Eligible) => f.write_str("triage"),
            A::Triage(Eligibility::Ineligible) => f.write_str("reject at triage"),
            A::Dispatch => f.write_str("dispatch"),
            A::Accept => f.write_str("accept"),
            A::Decline(c) => write!(f, "decline ({})", cascade(c)),
            A::MissAcceptance(c) => write!(f, "miss the acceptance window ({})", cascade(c)),
            A::RecordFirstContact => f.write_str("record first contact on"),
            A::RecordRemoteStart => f.write_str("record remote start on"),
            A::RecordOnSiteArrival => f.write_str("record on-site arrival on"),
            A::Contain => f.write_str("contain"),
            A::Recover => f.write_str("recover"),
            A::Close => f.write_str("close"),
            A::Withdraw => f.write_str("withdraw"),
            A::Cancel => f.write_str("cancel"),
        }
    }
}

#[cfg(test)]
mod tests;
