//! The stored form of a programme snapshot ([`SNAPSHOT_FORMAT`] 2): one byte string
//!
//! ```text
//! "DGSS"  format (u32 LE)  head length (u32 LE)  head (JSON)  bulk (postcard)
//! ```
//!
//! The head (contract as adopted, register, tokens, counters; small) keeps the JSON
//! shapes of its types; the bulk (ledger and incidents: nearly all of it) is postcard, a
//! compact binary serde format in which instants and amounts are integers — so restoring
//! parses no dates, decimals or JSON for it. See `digisos_core::programme::snapshot`.
//!
//! Decoding refuses anything that is not exactly this (wrong magic, another format, a
//! head or bulk that does not parse, bytes left over): the caller then replays the log.

use crate::StoreError;
use digisos_core::programme::{BulkData, HeadData, Programme, SNAPSHOT_FORMAT};

const MAGIC: &[u8; 4] = b"DGSS";
const HEADER: usize = 12;

/// Encodes `state` as a snapshot in [`SNAPSHOT_FORMAT`], in one buffer.
pub fn encode_snapshot(state: &Programme) -> Result<Vec<u8>, StoreError> {
    let fail = |what: &str, e: &dyn std::fmt::Display| StoreError::InvalidEvent {
        reason: format!("cannot encode the snapshot's {what}: {e}"),
    };
    let mut out = Vec::with_capacity(1 << 20);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&SNAPSHOT_FORMAT.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    serde_json::to_writer(&mut out, &state.snapshot_head()).map_err(|e| fail("head", &e))?;
    let head_len = u32::try_from(out.len() - HEADER).map_err(|e| fail("head", &e))?;
    out[8..HEADER].copy_from_slice(&head_len.to_le_bytes());
    let mut out = postcard::to_extend(&state.snapshot_bulk(), out).map_err(|e| fail("bulk", &e))?;
    out.shrink_to_fit();
    Ok(out)
}

/// Why stored bytes are not a usable snapshot.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SnapshotDecodeError {
    /// Not a snapshot in this encoding (too short, wrong magic).
    #[error("not a digisos snapshot")]
    NotASnapshot,
    /// Another format than [`SNAPSHOT_FORMAT`].
    #[error("snapshot format {0} is not {SNAPSHOT_FORMAT}")]
    Format(u32),
    /// The head or the bulk does not parse, or bytes are left over.
    #[error("the snapshot's {part} does not parse: {reason}")]
    Garbled {
        /// `head` or `bulk`.
        part: &'static str,
        /// What the parser said.
        reason: String,
    },
    /// The state does not restore (its contract no longer validates).
    #[error("{0}")]
    Restore(#[from] digisos_core::programme::SnapshotError),
    /// It claims to have folded another number of events than its position.
    #[error("the snapshot has folded {events} events, not {position}")]
    Position {
        /// The events it folded.
        events: u64,
        /// Its position in the log.
        position: u64,
    },
}

/// Decodes a snapshot taken after the event at `position`.
pub fn decode_snapshot(position: u64, bytes: &[u8]) -> Result<Programme, SnapshotDecodeError> {
    if bytes.len() < HEADER || &bytes[..4] != MAGIC {
        return Err(SnapshotDecodeError::NotASnapshot);
    }
    let word =
        |at: usize| u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    let format = word(4);
    if format != SNAPSHOT_FORMAT {
        return Err(SnapshotDecodeError::Format(format));
    }
    let head_end = usize::try_from(word(8))
        .ok()
        .and_then(|len| HEADER.checked_add(len))
        .filter(|end| *end <= bytes.len())
        .ok_or(SnapshotDecodeError::Garbled {
            part: "head",
            reason: "its length runs past the end".into(),
        })?;
    let garbled = |part: &'static str| {
        move |e: &dyn std::fmt::Display| SnapshotDecodeError::Garbled {
            part,
            reason: e.to_string(),
        }
    };
    let head: HeadData =
        serde_json::from_slice(&bytes[HEADER..head_end]).map_err(|e| garbled("head")(&e))?;
    if head.events() != position {
        return Err(SnapshotDecodeError::Position {
            events: head.events(),
            position,
        });
    }
    let (bulk, rest): (BulkData, &[u8]) =
        postcard::take_from_bytes(&bytes[head_end..]).map_err(|e| garbled("bulk")(&e))?;
    if !rest.is_empty() {
        return Err(garbled("bulk")(&format_args!(
            "{} bytes left over",
            rest.len()
        )));
    }
    Ok(Programme::from_snapshot(head, bulk)?)
}
