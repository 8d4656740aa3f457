//! Commands to the programme: adopt a contract, import the register, issue and revoke
//! tokens, report an incident, and every command on an existing incident.

use crate::contract::ContractSpec;
use crate::incident::{IncidentCommand, IncidentId, Report};
use crate::principal::Principal;
use crate::register::Import;

/// A command to the programme; the caller and `now` are passed beside it.
#[derive(Debug, Clone)]
pub enum Command {
    /// Adopt a (new version of the) framework contract. Coordinator only.
    AdoptContract(Box<ContractSpec>),
    /// Apply a register import, all or nothing. Coordinator only.
    ImportRegister {
        /// Where it came from.
        source: String,
        /// The parsed bodies.
        import: Import,
    },
    /// Record an access token (the adapter generates the secret; only its hash is kept).
    IssueToken {
        /// Public id.
        token_id: String,
        /// SHA-256 of the secret, hex.
        token_hash: String,
        /// Whom the token acts as.
        principal: Principal,
        /// A label.
        label: String,
    },
    /// Revoke a token.
    RevokeToken {
        /// Which token.
        token_id: String,
    },
    /// Report a new incident; it gets the next incident id.
    Report(Report),
    /// A command on an existing incident.
    Incident {
        /// Which incident.
        id: IncidentId,
        /// What to do.
        command: IncidentCommand,
    },
}
