//! Snapshots (*Zustandsabbilder*) of the programme: the folded state as serde data, so a
//! store can persist it every N events and start-up replays only the tail of the log.
//!
//! A snapshot has two parts, which a store may encode differently:
//!
//! - the **head** ([`SnapshotHead`]): the format, the contract as adopted, the register,
//!   the tokens and the counters. It is small, and its types keep the shapes of the
//!   contract file, the register import and the token events (optional fields left out,
//!   tagged enums, decimals as text), so it needs a self-describing format such as JSON.
//!   The contract is validated again on restore and its calendars are compiled again
//!   (never serialised as tables).
//! - the **bulk** ([`SnapshotBulk`]): the ledger and every incident with its clocks,
//!   duties and time entries — nearly all of the state. It suits any serde format, also
//!   one that is not self-describing, and in a binary one it is compact: instants and
//!   amounts travel as integers (see `crate::wire`), ids as their text.
//!
//! [`SNAPSHOT_FORMAT`] is recorded in the head; a snapshot in another format is refused,
//! and the caller replays the whole log instead. `Programme` itself serialises as
//! `{"head": …, "bulk": …}` for self-describing formats.

use super::{Programme, TokenRecord};
use crate::contract::ContractSpec;
use crate::ids::{LotId, ProviderId};
use crate::incident::{Incident, IncidentId};
use crate::ledger::Ledger;
use crate::register::Register;
use serde::de::{SeqAccess, Visitor};
use serde::ser::SerializeStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// The version of the snapshot encoding. Bump it whenever a state type changes its
/// serde shape or `apply` folds differently: older snapshots are then ignored.
///
/// Format 1 was the whole state as one JSON document; format 2 is the head/bulk split
/// with the bulk's binary-friendly forms.
pub const SNAPSHOT_FORMAT: u32 = 2;

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

/// The head of a programme's snapshot, borrowed from it (see the module documentation).
/// Serialise it with a self-describing format.
#[derive(Debug, Serialize)]
pub struct SnapshotHead<'a> {
    format: u32,
    contract: Option<&'a ContractSpec>,
    contract_versions: u32,
    register: &'a Register,
    first_by_lot: &'a BTreeMap<LotId, ProviderId>,
    call_offs: u32,
    #[serde(serialize_with = "values")]
    tokens: &'a BTreeMap<String, TokenRecord>,
    events: u64,
}

/// The bulk of a programme's snapshot, borrowed from it (see the module documentation).
/// Serialise it with any serde format.
#[derive(Debug, Serialize)]
pub struct SnapshotBulk<'a> {
    ledger: &'a Ledger,
    #[serde(serialize_with = "shared_values")]
    incidents: &'a imbl::OrdMap<IncidentId, Arc<Incident>>,
}

fn values<K, V: Serialize, S: Serializer>(map: &BTreeMap<K, V>, s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(map.values())
}

fn shared_values<K: Ord + Clone, V: Serialize, S: Serializer>(
    map: &imbl::OrdMap<K, Arc<V>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_seq(map.values().map(Arc::as_ref))
}

/// A snapshot head as read back; becomes a programme with [`Programme::from_snapshot`].
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeadData {
    format: u32,
    contract: Option<Box<ContractSpec>>,
    contract_versions: u32,
    register: Register,
    first_by_lot: BTreeMap<LotId, ProviderId>,
    call_offs: u32,
    tokens: Vec<TokenRecord>,
    events: u64,
}

impl HeadData {
    /// The format the snapshot was written in.
    pub fn format(&self) -> u32 {
        self.format
    }

    /// The number of events the snapshotted programme had folded.
    pub fn events(&self) -> u64 {
        self.events
    }
}

/// A snapshot bulk as read back; becomes a programme with [`Programme::from_snapshot`].
#[derive(Debug, Deserialize)]
pub struct BulkData {
    ledger: Ledger,
    #[serde(deserialize_with = "keyed_by_id")]
    incidents: Vec<(IncidentId, Incident)>,
}

/// Reads the incidents (a sequence) straight into `(id, incident)` pairs, so the map is
/// built from them without another pass over 400-byte records.
fn keyed_by_id<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(IncidentId, Incident)>, D::Error> {
    struct Incidents;

    impl<'de> Visitor<'de> for Incidents {
        type Value = Vec<(IncidentId, Incident)>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a sequence of incidents")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 16));
            while let Some(i) = seq.next_element::<Incident>()? {
                out.push((i.id.clone(), i));
            }
            Ok(out)
        }
    }

    d.deserialize_seq(Incidents)
}

impl Programme {
    /// The head of a snapshot of this programme (format, contract, register, tokens,
    /// counters), for a self-describing format.
    pub fn snapshot_head(&self) -> SnapshotHead<'_> {
        SnapshotHead {
            format: SNAPSHOT_FORMAT,
            contract: self.contract_spec.as_deref(),
            contract_versions: self.contract_versions,
            register: &self.register,
            first_by_lot: &self.first_by_lot,
            call_offs: self.call_offs,
            tokens: &self.tokens,
            events: self.events,
        }
    }

    /// The bulk of a snapshot of this programme (ledger and incidents), for any format.
    pub fn snapshot_bulk(&self) -> SnapshotBulk<'_> {
        SnapshotBulk {
            ledger: &self.ledger,
            incidents: &self.incidents,
        }
    }

    /// Restores a programme from the two parts of a snapshot. Fails if the head is in
    /// another format than [`SNAPSHOT_FORMAT`] or its contract no longer validates. The
    /// timer index is rebuilt from the incidents.
    pub fn from_snapshot(head: HeadData, bulk: BulkData) -> Result<Programme, SnapshotError> {
        if head.format != SNAPSHOT_FORMAT {
            return Err(SnapshotError::Format {
                found: head.format,
                known: SNAPSHOT_FORMAT,
            });
        }
        let mut p = Programme::new();
        if let Some(spec) = head.contract {
            let contract = spec.validate().map_err(|problems| {
                let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
                SnapshotError::Contract(list.join("; "))
            })?;
            if let Ok(calendars) = contract.compiled_calendars() {
                p.calendars = Arc::new(calendars);
            }
            p.contract = Some(Arc::new(contract));
            p.contract_spec = Some(Arc::from(spec));
        }
        p.contract_versions = head.contract_versions;
        p.register = Arc::new(head.register);
        p.ledger = bulk.ledger;
        // in id order as written, so the map is built in one pass with full nodes
        p.incidents = bulk
            .incidents
            .into_iter()
            .map(|(id, i)| (id, Arc::new(i)))
            .collect();
        p.first_by_lot = head.first_by_lot;
        p.call_offs = head.call_offs;
        p.tokens = Arc::new(
            head.tokens
                .into_iter()
                .map(|t| (t.token_id.clone(), t))
                .collect(),
        );
        p.events = head.events;
        p.rebuild_timers();
        Ok(p)
    }
}

/// Serialises the programme as a whole snapshot `{"head": …, "bulk": …}` (format
/// [`SNAPSHOT_FORMAT`]), for self-describing formats.
impl Serialize for Programme {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut whole = s.serialize_struct("Snapshot", 2)?;
        whole.serialize_field("head", &self.snapshot_head())?;
        whole.serialize_field("bulk", &self.snapshot_bulk())?;
        whole.end()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Whole {
    head: HeadData,
    bulk: BulkData,
}

/// Restores a programme from a whole snapshot; fails with a [`SnapshotError`] message when
/// the snapshot is in another format or its contract no longer validates.
impl<'de> Deserialize<'de> for Programme {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let whole = Whole::deserialize(d)?;
        Programme::from_snapshot(whole.head, whole.bulk).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests;
