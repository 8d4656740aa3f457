//! Commands to the ledger (imperative) and the events it records (past tense).

use super::keys::{CallOffId, EntryId, LimitKey};
use crate::ids::LotId;
use crate::money::Money;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// What a caller asks the ledger to do; pass it to [`super::Ledger::decide`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum LedgerCommand {
    /// Reserve `amount` (EUR net, whole cents, positive) for a new call-off against every
    /// limit it touches, all or nothing. Above the approval threshold the money is held
    /// at once and the call-off waits for [`LedgerCommand::Approve`].
    Reserve {
        /// The new call-off; must not exist yet.
        call_off: CallOffId,
        /// The calling body's register key (AGS or registry id).
        body: String,
        /// The lot the call-off is placed in.
        lot: LotId,
        /// Contract year index, starting at 1.
        year: i32,
        /// Amount to reserve.
        amount: Money,
        /// Estimated person-days, checked against the per-call-off person-day cap.
        person_days: Option<Decimal>,
    },
    /// Raise or lower a call-off's reservation to `new_amount`. A raise is checked like a
    /// reservation (and above the approval threshold waits for approval); a lowering
    /// releases money but never goes below what is posted.
    Amend {
        /// The call-off.
        call_off: CallOffId,
        /// The new reserved amount.
        new_amount: Money,
    },
    /// The coordinator approves a reservation or a raise waiting for approval.
    Approve {
        /// The call-off.
        call_off: CallOffId,
    },
    /// The coordinator refuses a reservation (which resolves it) or a raise (which reverts
    /// to the amount before) waiting for approval.
    Refuse {
        /// The call-off.
        call_off: CallOffId,
    },
    /// Post an approved time entry (or other charge) against the reservation.
    Post {
        /// The call-off.
        call_off: CallOffId,
        /// The entry; each entry posts at most once.
        entry_id: EntryId,
        /// Amount to post (positive, whole cents); posted never exceeds reserved.
        amount: Money,
    },
    /// Reverse an earlier posting (a correction is a reversing entry, never an edit).
    Reverse {
        /// The call-off.
        call_off: CallOffId,
        /// The posted entry to reverse.
        entry_id: EntryId,
    },
    /// Close a call-off: the unposted remainder is released.
    Close {
        /// The call-off.
        call_off: CallOffId,
    },
    /// Cancel a call-off: whatever is not posted is voided.
    Void {
        /// The call-off.
        call_off: CallOffId,
    },
}

/// The limit in force for one key when an event was decided (`None` = unlimited).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ceiling {
    /// The limit.
    pub key: LimitKey,
    /// Its amount, or `None` when unlimited.
    pub limit: Option<Money>,
}

/// What happened in the ledger; fold with [`super::Ledger::apply`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum LedgerEvent {
    /// A call-off's amount was reserved and is active (postable).
    Reserved {
        /// The call-off.
        call_off: CallOffId,
        /// The body's register key.
        body: String,
        /// The lot.
        lot: LotId,
        /// Contract year index.
        year: i32,
        /// Reserved amount.
        amount: Money,
        /// Estimated person-days, if given.
        person_days: Option<Decimal>,
        /// The limits it was checked against.
        ceilings: Vec<Ceiling>,
    },
    /// A call-off's amount is held against the limits and waits for approval.
    ReservationAwaitingApproval {
        /// The call-off.
        call_off: CallOffId,
        /// The body's register key.
        body: String,
        /// The lot.
        lot: LotId,
        /// Contract year index.
        year: i32,
        /// Held amount.
        amount: Money,
        /// Estimated person-days, if given.
        person_days: Option<Decimal>,
        /// The limits it was checked against.
        ceilings: Vec<Ceiling>,
    },
    /// The coordinator approved a waiting reservation; it is active now.
    ReservationApproved {
        /// The call-off.
        call_off: CallOffId,
    },
    /// The coordinator refused a waiting reservation; the held amount is released.
    ReservationRefused {
        /// The call-off.
        call_off: CallOffId,
        /// The released amount.
        released: Money,
    },
    /// The reservation was changed (a raise within the approval threshold, a lowering, or
    /// any change while the reservation still waits for approval).
    ReservationAmended {
        /// The call-off.
        call_off: CallOffId,
        /// Amount before.
        from: Money,
        /// Amount after.
        to: Money,
        /// The limits a raise was checked against (empty for a lowering).
        ceilings: Vec<Ceiling>,
    },
    /// A raise above the approval threshold is held against the limits and waits for
    /// approval; postings stay limited to `from` until then.
    AmendmentAwaitingApproval {
        /// The call-off.
        call_off: CallOffId,
        /// Approved amount.
        from: Money,
        /// Requested amount, held.
        to: Money,
        /// The limits it was checked against.
        ceilings: Vec<Ceiling>,
    },
    /// The coordinator approved a waiting raise.
    AmendmentApproved {
        /// The call-off.
        call_off: CallOffId,
        /// The new reserved amount.
        amount: Money,
    },
    /// The coordinator refused a waiting raise; the reservation reverts, the extra is released.
    AmendmentRefused {
        /// The call-off.
        call_off: CallOffId,
        /// The released amount.
        released: Money,
    },
    /// An amount was posted against the reservation.
    Posted {
        /// The call-off.
        call_off: CallOffId,
        /// The entry.
        entry_id: EntryId,
        /// Posted amount.
        amount: Money,
    },
    /// A posting was reversed. On an open call-off the amount returns to the reservation;
    /// on a resolved one it is released.
    PostingReversed {
        /// The call-off.
        call_off: CallOffId,
        /// The reversed entry.
        entry_id: EntryId,
        /// Reversed amount.
        amount: Money,
    },
    /// The call-off was closed; its unposted remainder is released.
    Released {
        /// The call-off.
        call_off: CallOffId,
        /// The released amount.
        amount: Money,
    },
    /// The call-off was cancelled; what was not posted is voided.
    Voided {
        /// The call-off.
        call_off: CallOffId,
        /// The voided amount.
        amount: Money,
    },
    /// Utilisation (posted + reserved) of the contract maximum or a lot ceiling reached a
    /// warning level for the first time.
    UtilisationWarningReached {
        /// The contract or lot.
        limit: LimitKey,
        /// The level reached, in percent.
        percent: u8,
    },
    /// The contract maximum is fully used: the framework has lost its effect (EuGH
    /// C-23/20) and refuses new call-offs and raises from now on.
    FrameworkExhausted,
}
