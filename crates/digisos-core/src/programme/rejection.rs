//! Why the programme refuses a command. Nothing was recorded when it does.

use crate::incident::IncidentRejection;
use crate::validation::Problem;

/// A refused programme command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// The caller's role may not do this.
    #[error("{who} may not {what}")]
    Forbidden {
        /// The caller.
        who: String,
        /// What was attempted.
        what: &'static str,
    },
    /// The contract file is invalid (every problem listed).
    #[error("the contract is invalid: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    InvalidContract(Vec<Problem>),
    /// The register import is invalid (every problem listed).
    #[error("the import is invalid: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    InvalidImport(Vec<Problem>),
    /// A token with this id or secret exists.
    #[error("token {0} exists already")]
    TokenExists(String),
    /// The token is unknown.
    #[error("no token {0}")]
    UnknownToken(String),
    /// The token was revoked already.
    #[error("token {0} is revoked already")]
    TokenRevoked(String),
    /// The incident refused.
    #[error(transparent)]
    Incident(#[from] IncidentRejection),
}
