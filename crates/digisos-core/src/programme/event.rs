//! Events of the whole programme, as stored in the log: contract versions, register
//! imports, access tokens, and every incident event. Each names its stream, time and actor.

use crate::contract::ContractSpec;
use crate::incident::{IncidentEvent, IncidentId};
use crate::principal::{Actor, Principal};
use crate::register::Body;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

mod de;

/// One recorded change of the programme. (`Deserialize` is written out to read the
/// tagged object without buffering it.)
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ProgrammeEvent {
    /// A (new version of the) framework contract was adopted.
    ContractAdopted {
        /// When.
        at: DateTime<Utc>,
        /// By whom.
        by: Principal,
        /// The contract file as adopted (validated when adopted).
        spec: Box<ContractSpec>,
    },
    /// A register import was applied (all or nothing).
    RegisterImported {
        /// When.
        at: DateTime<Utc>,
        /// By whom.
        by: Principal,
        /// Where the data came from (file name, "GV100AD 2023-11-30", …).
        source: String,
        /// Gebietsstand of an official import.
        gebietsstand: Option<NaiveDate>,
        /// The bodies added or replaced.
        bodies: Vec<Body>,
    },
    /// An access token was issued (only its SHA-256 hash is recorded).
    TokenIssued {
        /// When.
        at: DateTime<Utc>,
        /// By whom.
        by: Principal,
        /// Public token id.
        token_id: String,
        /// SHA-256 of the secret, hex.
        token_hash: String,
        /// Whom the token acts as.
        principal: Principal,
        /// A label for people ("Leitstelle Schicht A").
        label: String,
    },
    /// An access token was revoked.
    TokenRevoked {
        /// When.
        at: DateTime<Utc>,
        /// By whom.
        by: Principal,
        /// Which token.
        token_id: String,
    },
    /// Something happened to an incident.
    Incident {
        /// Which incident.
        id: IncidentId,
        /// What happened, when and by whom.
        event: IncidentEvent,
    },
}

impl ProgrammeEvent {
    /// The stream the event belongs to (`contract`, `register`, `tokens`,
    /// `incident-INC-000001`).
    pub fn stream(&self) -> String {
        match self {
            ProgrammeEvent::ContractAdopted { .. } => "contract".to_string(),
            ProgrammeEvent::RegisterImported { .. } => "register".to_string(),
            ProgrammeEvent::TokenIssued { .. } | ProgrammeEvent::TokenRevoked { .. } => {
                "tokens".to_string()
            }
            ProgrammeEvent::Incident { id, .. } => Self::incident_stream(id),
        }
    }

    /// The stream that holds every event of incident `id`.
    pub fn incident_stream(id: &IncidentId) -> String {
        format!("incident-{id}")
    }

    /// When it happened.
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            ProgrammeEvent::ContractAdopted { at, .. }
            | ProgrammeEvent::RegisterImported { at, .. }
            | ProgrammeEvent::TokenIssued { at, .. }
            | ProgrammeEvent::TokenRevoked { at, .. } => *at,
            ProgrammeEvent::Incident { event, .. } => event.at,
        }
    }

    /// Who caused it.
    pub fn actor(&self) -> Actor {
        match self {
            ProgrammeEvent::ContractAdopted { by, .. }
            | ProgrammeEvent::RegisterImported { by, .. }
            | ProgrammeEvent::TokenIssued { by, .. }
            | ProgrammeEvent::TokenRevoked { by, .. } => Actor::Principal(by.clone()),
            ProgrammeEvent::Incident { event, .. } => event.by.clone(),
        }
    }

    /// A short type name for the log (`contract_adopted`, `incident.dispatched`, …).
    pub fn kind_name(&self) -> String {
        match self {
            ProgrammeEvent::ContractAdopted { .. } => "contract_adopted".into(),
            ProgrammeEvent::RegisterImported { .. } => "register_imported".into(),
            ProgrammeEvent::TokenIssued { .. } => "token_issued".into(),
            ProgrammeEvent::TokenRevoked { .. } => "token_revoked".into(),
            ProgrammeEvent::Incident { event, .. } => {
                format!("incident.{}", event.kind.name())
            }
        }
    }
}
