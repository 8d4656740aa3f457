//! Why the ledger refuses a command: typed, with messages that say what to do.

use super::keys::{CallOffId, EntryId, LimitKey};
use crate::money::Money;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One limit a reservation or raise would exceed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exceeded {
    /// The limit.
    pub limit: LimitKey,
    /// Its amount.
    pub limit_amount: Money,
    /// What is still free under it.
    pub remaining: Money,
}

/// A command the ledger refuses; nothing was recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerRejection {
    /// The amount does not fit under a limit. `limit` is the first exceeded limit in the
    /// fixed order contract, lot, body per year, call-off; `exceeded` lists all of them.
    #[error(
        "the {limit} would be exceeded: {requested} requested but only {remaining} of {limit_amount} remain; reduce the amount or ask the coordinator to raise the limit"
    )]
    LimitExceeded {
        /// The first exceeded limit.
        limit: LimitKey,
        /// Its amount.
        limit_amount: Money,
        /// The amount asked for (the increase, for a raise).
        requested: Money,
        /// What is still free under `limit`.
        remaining: Money,
        /// Every exceeded limit, in the same fixed order.
        exceeded: Vec<Exceeded>,
    },
    /// The contract maximum is used up: the framework has lost its effect (EuGH C-23/20).
    #[error(
        "the framework contract is exhausted (its maximum is fully used) and takes no new call-offs or raises; a new award procedure is needed"
    )]
    FrameworkExhausted,
    /// No call-off with this id was reserved.
    #[error("call-off {0} is unknown to the ledger; reserve it first")]
    UnknownCallOff(CallOffId),
    /// A call-off with this id is already reserved.
    #[error("call-off {0} already has a reservation; amend it instead")]
    CallOffExists(CallOffId),
    /// The call-off was closed, voided or refused; it resolves only once.
    #[error("call-off {0} is already resolved (closed, voided or refused) and cannot change")]
    AlreadyResolved(CallOffId),
    /// The call-off still waits for the coordinator's approval.
    #[error(
        "call-off {0} is waiting for the coordinator's approval; approve, refuse or void it first"
    )]
    AwaitingApproval(CallOffId),
    /// Approve/Refuse on a call-off with nothing waiting for approval.
    #[error("call-off {0} has nothing waiting for approval")]
    NotAwaitingApproval(CallOffId),
    /// A raise of this call-off already waits for approval.
    #[error(
        "call-off {0} has a raise waiting for approval; approve or refuse it before amending again"
    )]
    AmendmentPending(CallOffId),
    /// Posting would take the call-off's posted amount above its reservation.
    #[error(
        "posting {requested} exceeds the reservation ({posted} of {reserved} posted); the provider must request an amendment first"
    )]
    PostingExceedsReservation {
        /// The postable (approved) reservation.
        reserved: Money,
        /// Already posted.
        posted: Money,
        /// The amount asked to post.
        requested: Money,
    },
    /// A reservation cannot be lowered below what is already posted.
    #[error(
        "cannot lower the reservation to {requested}: {posted} is already posted; reverse postings first"
    )]
    AmendBelowPosted {
        /// Already posted.
        posted: Money,
        /// The requested new amount.
        requested: Money,
    },
    /// The estimated person-days exceed the per-call-off cap.
    #[error(
        "{requested} person-days exceed the cap of {cap} per call-off; reduce the estimate or ask the coordinator"
    )]
    PersonDaysExceeded {
        /// The cap.
        cap: Decimal,
        /// The estimate given.
        requested: Decimal,
    },
    /// Person-days must not be negative.
    #[error("person-days {0} are negative; give zero or more")]
    NegativePersonDays(Decimal),
    /// Reservations and postings must be positive.
    #[error("the amount must be positive")]
    ZeroAmount,
    /// Ledger amounts are whole cents; round the priced line first.
    #[error("amount {0} has fractions of a cent; round to cents first")]
    NotWholeCents(Money),
    /// The body key is empty.
    #[error("the body key is empty; give the body's AGS or registry id")]
    EmptyBody,
    /// Contract years count from 1.
    #[error("contract year {0} is not valid; contract years count from 1")]
    InvalidYear(i32),
    /// The entry was already posted on this call-off (each entry posts once).
    #[error(
        "entry {entry_id} is already posted on call-off {call_off}; a correction is a reversal plus a new entry"
    )]
    EntryAlreadyPosted {
        /// The call-off.
        call_off: CallOffId,
        /// The entry.
        entry_id: EntryId,
    },
    /// No posting with this entry id exists on the call-off.
    #[error("entry {entry_id} was never posted on call-off {call_off}")]
    UnknownEntry {
        /// The call-off.
        call_off: CallOffId,
        /// The entry.
        entry_id: EntryId,
    },
    /// The posting was already reversed.
    #[error("entry {entry_id} on call-off {call_off} is already reversed")]
    AlreadyReversed {
        /// The call-off.
        call_off: CallOffId,
        /// The entry.
        entry_id: EntryId,
    },
    /// The amounts exceed the decimal range.
    #[error("amount overflow")]
    Overflow,
}
