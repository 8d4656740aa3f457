//! Who is acting: roles, principals bound to a body or provider, and the access rules.
//!
//! Four roles (DESIGN §1.6): the `coordinator` (the Land's hotline: everything, approvals),
//! a `body` (*abrufberechtigte Stelle*, bound to one body: its own incidents only), a
//! `provider` (bound to one provider: only call-offs dispatched to it) and the `auditor`
//! (reads everything, changes nothing). Every rule here denies by default: a principal may
//! do something only if a rule says so.

use crate::ids::ProviderId;
use crate::incident::state::Action;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The role a principal acts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The Land's coordination office / hotline (*Koordinierungsstelle*).
    Coordinator,
    /// An eligible public body (*abrufberechtigte Stelle*).
    Body,
    /// An incident-response provider under the framework contract (*Dienstleister*).
    Provider,
    /// Reads everything and verifies the audit trail; never acts.
    Auditor,
}

impl Role {
    /// The role as its serialised name (`coordinator`, `body`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Coordinator => "coordinator",
            Role::Body => "body",
            Role::Provider => "provider",
            Role::Auditor => "auditor",
        }
    }
}

/// Why a principal cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrincipalError {
    /// The body key is empty, too long or has characters outside `A-Z a-z 0-9 - _ .`.
    #[error(
        "body key {0:?} is not valid: use 1-32 ASCII letters, digits, '-', '_' or '.' (e.g. an AGS like \"05970004\" or a registry id like \"LVR\")"
    )]
    BodyKey(String),
    /// A body principal without a body, or a body given for another role.
    #[error("role {role} {problem}")]
    Binding {
        /// The role that was asked for.
        role: Role,
        /// What is wrong with the binding.
        problem: &'static str,
    },
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An authenticated caller: a role, bound to exactly one body (role `body`) or one
/// provider (role `provider`), or to nothing (coordinator, auditor).
///
/// Built only through the constructors, so the binding always matches the role.
/// Displays as `body:05970004`, `provider:acme-ir`, `coordinator`, `auditor`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "PrincipalRepr", into = "PrincipalRepr")]
pub struct Principal {
    role: Role,
    body: Option<String>,
    provider: Option<ProviderId>,
}

#[derive(Serialize, Deserialize)]
struct PrincipalRepr {
    role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    provider: Option<ProviderId>,
}

impl TryFrom<PrincipalRepr> for Principal {
    type Error = PrincipalError;
    fn try_from(r: PrincipalRepr) -> Result<Self, Self::Error> {
        let binding = |problem| {
            Err(PrincipalError::Binding {
                role: r.role,
                problem,
            })
        };
        match (r.role, r.body, r.provider) {
            (Role::Body, Some(body), None) => Principal::body(body),
            (Role::Provider, None, Some(p)) => Ok(Principal::provider(p)),
            (Role::Coordinator, None, None) => Ok(Principal::coordinator()),
            (Role::Auditor, None, None) => Ok(Principal::auditor()),
            (Role::Body, _, _) => binding("needs exactly one body and no provider"),
            (Role::Provider, _, _) => binding("needs exactly one provider and no body"),
            _ => binding("is bound to neither a body nor a provider"),
        }
    }
}

impl From<Principal> for PrincipalRepr {
    fn from(p: Principal) -> Self {
        PrincipalRepr {
            role: p.role,
            body: p.body,
            provider: p.provider,
        }
    }
}

fn valid_body_key(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 32
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

impl Principal {
    /// A principal acting for the body with this register key (AGS or registry id).
    ///
    /// Fails with [`PrincipalError::BodyKey`] if the key is empty, longer than 32
    /// characters or contains anything but ASCII letters, digits, `-`, `_`, `.`.
    pub fn body(key: impl Into<String>) -> Result<Self, PrincipalError> {
        let key = key.into();
        if !valid_body_key(&key) {
            return Err(PrincipalError::BodyKey(key));
        }
        Ok(Principal {
            role: Role::Body,
            body: Some(key),
            provider: None,
        })
    }

    /// A principal acting for this provider.
    pub fn provider(id: ProviderId) -> Self {
        Principal {
            role: Role::Provider,
            body: None,
            provider: Some(id),
        }
    }

    /// The coordination office.
    pub fn coordinator() -> Self {
        Principal {
            role: Role::Coordinator,
            body: None,
            provider: None,
        }
    }

    /// An auditor (read-only).
    pub fn auditor() -> Self {
        Principal {
            role: Role::Auditor,
            body: None,
            provider: None,
        }
    }

    /// The role this principal acts in.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The body key, for role `body` only.
    pub fn body_key(&self) -> Option<&str> {
        self.body.as_deref()
    }

    /// The provider, for role `provider` only.
    pub fn provider_id(&self) -> Option<&ProviderId> {
        self.provider.as_ref()
    }

    /// Whether this principal is the body with key `body`.
    pub fn is_body(&self, body: &str) -> bool {
        self.body.as_deref() == Some(body)
    }

    /// Whether this principal is the provider `provider`.
    pub fn is_provider(&self, provider: &ProviderId) -> bool {
        self.provider.as_ref() == Some(provider)
    }
}

impl fmt::Display for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.body, &self.provider) {
            (Some(b), _) => write!(f, "{}:{b}", self.role),
            (_, Some(p)) => write!(f, "{}:{p}", self.role),
            _ => write!(f, "{}", self.role),
        }
    }
}

/// Who caused an event: a principal, or the timer (SLA windows, reporting deadlines),
/// which acts on behalf of nobody when the adapter calls `handle_timeout(now)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    /// A caller with a role.
    Principal(Principal),
    /// A deadline passed (no caller).
    Timer,
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::Principal(p) => p.fmt(f),
            Actor::Timer => f.write_str("timer"),
        }
    }
}

/// May `principal` see the incident of body `incident_body`, whose call-off has been
/// dispatched to `dispatched_providers` (every provider it was ever offered to)?
///
/// Coordinator and auditor see everything; a body sees its own incidents; a provider
/// sees only incidents dispatched to it.
pub fn can_view_incident(
    principal: &Principal,
    incident_body: &str,
    dispatched_providers: &[ProviderId],
) -> bool {
    match principal.role {
        Role::Coordinator | Role::Auditor => true,
        Role::Body => principal.is_body(incident_body),
        Role::Provider => dispatched_providers
            .iter()
            .any(|p| principal.is_provider(p)),
    }
}

/// May `principal` report an incident for body `body`? A body reports only for itself;
/// the coordinator may report on any body's behalf.
pub fn can_report_for(principal: &Principal, body: &str) -> bool {
    match principal.role {
        Role::Coordinator => true,
        Role::Body => principal.is_body(body),
        Role::Provider | Role::Auditor => false,
    }
}

/// May `principal` perform the lifecycle `action` on the incident of `incident_body`
/// whose call-off is currently with `current_provider` (if dispatched)?
///
/// The role must be allowed the action ([`Action::allowed_for`]) and the principal must
/// be bound to this incident: a body to its own, a provider only while the call-off is
/// with it. Whether the action fits the current state is a separate check
/// ([`crate::incident::state::IncidentState::allowed`]).
pub fn can_perform(
    principal: &Principal,
    action: Action,
    incident_body: &str,
    current_provider: Option<&ProviderId>,
) -> bool {
    action.allowed_for(principal.role) && is_bound_to(principal, incident_body, current_provider)
}

/// May `principal` approve or dispute a provider's time entry on the incident of
/// `incident_body`? The body itself and the coordinator may.
pub fn can_review_time_entry(principal: &Principal, incident_body: &str) -> bool {
    match principal.role {
        Role::Coordinator => true,
        Role::Body => principal.is_body(incident_body),
        Role::Provider | Role::Auditor => false,
    }
}

/// May `principal` submit a time entry on a call-off held by `provider`? Only that
/// provider (or the coordinator recording it for them).
pub fn can_submit_time_entry(principal: &Principal, provider: &ProviderId) -> bool {
    match principal.role {
        Role::Coordinator => true,
        Role::Provider => principal.is_provider(provider),
        Role::Body | Role::Auditor => false,
    }
}

/// May `principal` approve reservations and amendments above the approval threshold?
/// Only the coordinator.
pub fn can_approve(principal: &Principal) -> bool {
    principal.role == Role::Coordinator
}

/// May `principal` read the audit trail and verify its hash chain? Coordinator and auditor.
pub fn can_audit(principal: &Principal) -> bool {
    matches!(principal.role, Role::Coordinator | Role::Auditor)
}

/// May `principal` read the programme's reports and exports (utilisation, SLA attainment,
/// incident statistics, reporting duties, the OCDS release package)? They span every body
/// and every provider, so only the coordinator and the auditor may; a body or a provider
/// sees its own incidents through the incident views instead.
pub fn can_read_reports(principal: &Principal) -> bool {
    matches!(principal.role, Role::Coordinator | Role::Auditor)
}

fn is_bound_to(
    principal: &Principal,
    incident_body: &str,
    current_provider: Option<&ProviderId>,
) -> bool {
    match principal.role {
        Role::Coordinator => true,
        Role::Body => principal.is_body(incident_body),
        Role::Provider => current_provider.is_some_and(|p| principal.is_provider(p)),
        Role::Auditor => false,
    }
}

#[cfg(test)]
mod tests;
