//! The verification of the log's hash chain.

use digisos_store::{ChainBreak, VerifyReport};
use serde::Serialize;
use utoipa::ToSchema;

/// The result of walking the whole hash chain of the log.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VerifyView {
    /// Whether every link holds.
    pub intact: bool,
    /// Events whose links were checked (up to and including a break, if any).
    pub events_checked: u64,
    /// Position of the last intact event (0 if none).
    pub last_position: u64,
    /// Hash of the last intact event, 64 hex digits.
    pub head_hash: String,
    /// The first broken event; `null` when the chain is intact.
    pub first_break: Option<ChainBreakView>,
}

/// The first event whose link or hash does not hold; the walk stops there.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChainBreakView {
    /// Its global position.
    pub position: u64,
    /// What is wrong.
    pub reason: String,
}

impl From<VerifyReport> for VerifyView {
    fn from(r: VerifyReport) -> Self {
        let intact = r.is_intact();
        let VerifyReport {
            events_checked,
            last_position,
            head_hash,
            first_break,
        } = r;
        VerifyView {
            intact,
            events_checked,
            last_position,
            head_hash: head_hash.to_hex(),
            first_break: first_break.map(|ChainBreak { position, reason }| ChainBreakView {
                position,
                reason: reason.to_string(),
            }),
        }
    }
}
