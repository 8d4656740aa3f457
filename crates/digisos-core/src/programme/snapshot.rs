//! Snapshots (*Zustandsabbilder*) of the programme: the folded state as serde data, so a
//! store can persist it every N events and start-up replays only the tail of the log.
//!
//! The contract is kept as the spec that was adopted and validated again on restore; its
//! calendars are compiled again from it (never serialised as tables). Every other part of
//! the state (register, ledger, incidents with their clocks, duties and time entries,
//! tokens, counters) is serialised as it stands. A snapshot carries [`SNAPSHOT_FORMAT`];
//! one in another format is refused, and the caller replays the whole log instead.

use super::{Programme, TokenRecord};
use crate::contract::ContractSpec;
use crate::ids::{LotId, ProviderId};
use crate::incident::Incident;
use crate::ledger::Ledger;
use crate::register::Register;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;

/// The version of the snapshot encoding. Bump it whenever a state type changes its
/// serde shape or `apply` folds differently: older snapshots are then ignored.
pub const SNAPSHOT_FORMAT: u32 = 1;

/// Why a snapshot cannot become a programme.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SnapshotError {
    /// Written in another format (by an older or newer binary).
    #[error(
        "snapshot format {found} is not the format this binary writes ({known}); replay the log"
    )]
    Format {
        /// The format recorded in the snapshot.
        found: u32,
        /// [`SNAPSHOT_FORMAT`].
        known: u32,
    },
    /// The contract spec in the snapshot no longer validates.
    #[error("the contract in the snapshot does not validate any more: {0}")]
    Contract(String),
}

#[derive(Serialize)]
struct Borrowed<'a> {
    format: u32,
    contract: Option<&'a ContractSpec>,
    contract_versions: u32,
    register: &'a Register,
    ledger: &'a Ledger,
    incidents: Vec<&'a Incident>,
    first_by_lot: &'a BTreeMap<LotId, ProviderId>,
    call_offs: u32,
    tokens: Vec<&'a TokenRecord>,
    events: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Owned {
    format: u32,
    contract: Option<Box<ContractSpec>>,
    contract_versions: u32,
    register: Register,
    ledger: Ledger,
    incidents: Vec<Incident>,
    first_by_lot: BTreeMap<LotId, ProviderId>,
    call_offs: u32,
    tokens: Vec<TokenRecord>,
    events: u64,
}

/// Serialises the programme as a snapshot (format [`SNAPSHOT_FORMAT`]).
impl Serialize for Programme {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Borrowed {
            format: SNAPSHOT_FORMAT,
            contract: self.contract_spec.as_deref(),
            contract_versions: self.contract_versions,
            register: &self.register,
            ledger: &self.ledger,
            incidents: self.incidents.values().collect(),
            first_by_lot: &self.first_by_lot,
            call_offs: self.call_offs,
            tokens: self.tokens.values().collect(),
            events: self.events,
        }
        .serialize(s)
    }
}

/// Restores a programme from a snapshot; fails with a [`SnapshotError`] message when the
/// snapshot is in another format or its contract no longer validates.
impl<'de> Deserialize<'de> for Programme {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        restore(Owned::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

fn restore(o: Owned) -> Result<Programme, SnapshotError> {
    if o.format != SNAPSHOT_FORMAT {
        return Err(SnapshotError::Format {
            found: o.format,
            known: SNAPSHOT_FORMAT,
        });
    }
    let mut p = Programme::new();
    if let Some(spec) = o.contract {
        let contract = spec.validate().map_err(|problems| {
            let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
            SnapshotError::Contract(list.join("; "))
        })?;
        if let Ok(calendars) = contract.compiled_calendars() {
            p.calendars = calendars;
        }
        p.contract = Some(contract);
        p.contract_spec = Some(spec);
    }
    p.contract_versions = o.contract_versions;
    p.register = o.register;
    p.ledger = o.ledger;
    p.incidents = o.incidents.into_iter().map(|i| (i.id.clone(), i)).collect();
    p.first_by_lot = o.first_by_lot;
    p.call_offs = o.call_offs;
    p.tokens = o
        .tokens
        .into_iter()
        .map(|t| (t.token_id.clone(), t))
        .collect();
    p.events = o.events;
    p.rebuild_timers();
    Ok(p)
}

#[cfg(test)]
mod tests;
